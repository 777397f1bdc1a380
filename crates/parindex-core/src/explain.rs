//! Explanations: for every node of a unit, what was seen, which branch fired, the points won
//! and lost, and why.

use std::collections::HashMap;
use std::fmt;

use rust_decimal::Decimal;

use crate::model::NotApplicable;
use crate::records::Derivation;
use crate::rule::Rule;
use crate::score::{NodeStatus, Results, Scorecard};
use crate::value::Value;

/// One node's line in an explanation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExplainLine {
    /// The node's code.
    pub code: String,
    /// The node's name.
    pub name: String,
    /// Depth in the tree: 0 for an area.
    pub depth: usize,
    /// Whether the node is a leaf.
    pub leaf: bool,
    /// The maximum printed in the table.
    pub max: Decimal,
    /// The maximum that applies to this unit.
    pub applicable_max: Decimal,
    /// Points won.
    pub points: Decimal,
    /// Points lost: applicable maximum less points won.
    pub lost: Decimal,
    /// How the points came about.
    pub status: NodeStatus,
    /// The stage whose input was used, for a leaf.
    pub stage: Option<String>,
    /// The measurement seen, as text, for a leaf.
    pub seen: Option<String>,
    /// Why: the branch of the rule that fired, or how a parent summed its children.
    pub reason: String,
}

/// A unit's explanation, node by node in the table's order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Explanation {
    /// The unit's id.
    pub unit: String,
    /// Final points.
    pub total: Decimal,
    /// Applicable maximum.
    pub max: Decimal,
    /// Reported index.
    pub index: Option<Decimal>,
    /// Rank, if ranked.
    pub rank: Option<u32>,
    /// Band, if any.
    pub band: Option<String>,
    /// One line per node.
    pub lines: Vec<ExplainLine>,
}

impl Explanation {
    /// The leaves where points were lost, most first: where the unit lost its points.
    pub fn losses(&self) -> Vec<&ExplainLine> {
        let mut lost: Vec<&ExplainLine> = self
            .lines
            .iter()
            .filter(|l| l.leaf && l.lost > Decimal::ZERO)
            .collect();
        lost.sort_by_key(|l| std::cmp::Reverse(l.lost));
        lost
    }
}

/// What leaves' explanations were worded as, for writing many units' explanations: a leaf
/// whose rule reads its value alone words the same value the same way for every unit, so the
/// words are made once per leaf, status and value, not once per unit.
///
/// Keep one per writer thread, for one run's results ([`Scorecard::explain_node_with`]).
#[derive(Debug, Default)]
pub struct ExplainMemo {
    words: HashMap<(usize, NodeStatus, ValueKey), (Option<String>, String)>,
}

impl ExplainMemo {
    /// An empty memo.
    pub fn new() -> Self {
        ExplainMemo::default()
    }
}

/// A value as written, to the digit: `87.5` and `87.50` are shown apart, so they are kept
/// apart ([`Decimal::serialize`] keeps the scale).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum ValueKey {
    Bool(bool),
    Number([u8; 16]),
    Ratio([u8; 16], [u8; 16]),
    Date(crate::date::Date),
    Choice(u16),
}

impl ValueKey {
    /// The key of a value the memo keeps; `None` for texts and surveys, worded every time.
    fn of(value: &Value) -> Option<Self> {
        Some(match value {
            Value::Bool(b) => ValueKey::Bool(*b),
            Value::Number(x) => ValueKey::Number(x.serialize()),
            Value::Ratio {
                numerator,
                denominator,
            } => ValueKey::Ratio(numerator.serialize(), denominator.serialize()),
            Value::Date(d) => ValueKey::Date(*d),
            Value::Choice(c) => ValueKey::Choice(*c),
            Value::Text(_) | Value::Survey(_) => return None,
        })
    }
}

impl Scorecard {
    /// [`Scorecard::explain_node`], taking the words of a leaf from `memo` when the same leaf,
    /// status and value were explained before, and keeping them there when not. Only leaves
    /// whose rule reads a value alone, with nothing derived from records, are kept: their
    /// words depend on nothing else.
    pub fn explain_node_with(
        &self,
        position: usize,
        memo: &mut ExplainMemo,
    ) -> (Option<String>, String) {
        let (Some(node), Some(score)) = (self.set.nodes.get(position), self.node_at(position))
        else {
            return (None, String::new());
        };
        let alone = node.rule.as_ref().is_some_and(Rule::scores_alone);
        if !alone
            || score.status == NodeStatus::NotApplicable
            || self.derivation_at(position).is_some()
        {
            return self.explain_node(position);
        }
        let Some(key) = self.final_value(position).as_deref().and_then(ValueKey::of) else {
            return self.explain_node(position);
        };
        memo.words
            .entry((position, score.status, key))
            .or_insert_with(|| self.explain_node(position))
            .clone()
    }

    /// For the node at `position` in set order: the measurement seen (for a leaf with an input)
    /// and why it has its points, worded as in [`Scorecard::explain`], without building the whole
    /// explanation.
    pub fn explain_node(&self, position: usize) -> (Option<String>, String) {
        let set = &self.set;
        let (Some(node), Some(score)) = (set.nodes.get(position), self.node_at(position)) else {
            return (None, String::new());
        };
        let trace = if node.rule.is_some() {
            self.trace(position)
        } else {
            None
        };
        let reason = match (score.status, &node.rule, &trace) {
            (NodeStatus::NotApplicable, _, _) => match self.derivation_at(position) {
                Some(Derivation::Plan(tally)) => {
                    format!("leads no task of the plan {}: not applicable", tally.plan)
                }
                _ => "not applicable".to_owned(),
            },
            (NodeStatus::Missing, _, _) => "no input: scored 0".to_owned(),
            (NodeStatus::NoEvidence, Some(rule), Some((value, outcome))) => format!(
                "{}, but no evidence was attached: scored 0",
                rule.explain(value, outcome)
            ),
            (_, Some(rule), Some((value, outcome))) => match self.derivation_at(position) {
                Some(derivation) => format!("{derivation} → {}", rule.explain(value, outcome)),
                None => rule.explain(value, outcome),
            },
            _ => {
                let policy = node.not_applicable.unwrap_or(set.policy.not_applicable);
                if policy == NotApplicable::RescaleToParent && score.max == node.max {
                    "sum of the applicable children, rescaled to the maximum".to_owned()
                } else {
                    "sum of the children".to_owned()
                }
            }
        };
        let seen = trace.map(|(value, _)| match &node.rule {
            Some(rule) => rule.show(&value),
            None => value.to_string(),
        });
        (seen, reason)
    }

    /// Explains every node of this unit.
    ///
    /// ```
    /// use parindex_core::{shipped, Batch, Plan};
    /// let plan = Plan::new(&shipped::load("binh-thuan-police/commune/2024")?.set);
    /// let mut batch = Batch::new(&plan);
    /// let ward = batch.add_unit("CAP-01", [])?;
    /// batch.set_text(ward, "1.1.4", None, "7/9")?;
    /// let results = plan.score(&batch)?;
    /// let explanation = results.units[0].explain();
    /// let line = explanation.lines.iter().find(|l| l.code == "1.1.4").ok_or("no line")?;
    /// assert_eq!(line.reason, "7/9 (77.78%) → tier 50 <= x < 100 → 0.5");
    /// assert_eq!(line.lost.to_string(), "0.5");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn explain(&self) -> Explanation {
        let set = &self.set;
        let lines = set
            .nodes
            .iter()
            .enumerate()
            .filter_map(|(position, node)| Some((position, (node, self.node_at(position)?))))
            .map(|(position, (node, score))| {
                let leaf = node.rule.is_some();
                let (seen, reason) = self.explain_node(position);
                ExplainLine {
                    code: node.code.clone(),
                    name: node.name.clone(),
                    depth: node.depth(),
                    leaf,
                    max: node.max,
                    applicable_max: score.max,
                    points: score.points,
                    lost: score.lost(),
                    status: score.status,
                    stage: score
                        .stage
                        .and_then(|s| set.policy.stages.get(usize::from(s)).cloned()),
                    seen,
                    reason,
                }
            })
            .collect();
        Explanation {
            unit: self.unit.clone(),
            total: self.total,
            max: self.max,
            index: self.reported_index,
            rank: self.rank,
            band: self.band.clone(),
            lines,
        }
    }
}

impl Results {
    /// Explains the unit with this id.
    pub fn explain(&self, unit: &str) -> Option<Explanation> {
        self.unit(unit).map(Scorecard::explain)
    }
}

impl fmt::Display for Explanation {
    /// A tree, one node per line: code, points of applicable maximum, and why.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let index = self
            .index
            .map(|i| i.to_string())
            .unwrap_or_else(|| "–".to_owned());
        write!(
            f,
            "{}: {} of {}, index {index}",
            self.unit,
            self.total.normalize(),
            crate::text::plural(self.max.normalize(), "point")
        )?;
        if let Some(rank) = self.rank {
            write!(f, ", rank {rank}")?;
        }
        if let Some(band) = &self.band {
            write!(f, ", band {band}")?;
        }
        writeln!(f)?;
        for line in &self.lines {
            let indent = "  ".repeat(line.depth + 1);
            let lost = if line.lost > Decimal::ZERO {
                format!(", lost {}", line.lost.normalize())
            } else {
                String::new()
            };
            writeln!(
                f,
                "{indent}{} {}/{}{lost}: {}",
                line.code,
                line.points.normalize(),
                line.applicable_max.normalize(),
                line.reason
            )?;
        }
        Ok(())
    }
}
