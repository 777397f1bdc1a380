//! A different rule depending on a unit attribute or on another leaf's input.

use rust_decimal::Decimal;

use super::{
    Context, Fired, InputShape, Outcome, Rule, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    tier_index, wrong_measurement,
};
use crate::diagnostic::Check;
use crate::load::MAX_LIST_ITEMS;
use crate::model::{AttrValue, Node};
use crate::spanned::{At, Reader};
use crate::value::Value;
use crate::write::{attr, quote, rule_to_toml};

/// A branch rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Branch {
    /// What decides the case.
    pub on: BranchOn,
    /// The cases, in order; a case without `equals` is the otherwise case.
    pub cases: Vec<Case>,
}

/// What decides the case of a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BranchOn {
    /// A unit attribute.
    Attribute(String),
    /// Another leaf's input, by code.
    Node(String),
}

/// One case of a branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Case {
    /// The value that selects this case; `None` for otherwise.
    pub equals: Option<AttrValue>,
    /// The rule applied in this case.
    pub rule: Rule,
}

impl RuleBody for Branch {
    fn keys() -> &'static [&'static str] {
        &["on", "case"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, max: Decimal) -> Option<Self> {
        let on_at = reader.table(at, "on", true)?;
        reader.known_keys(&on_at, &["attribute", "node"], "`on`");
        let on = if let Some(node) = reader.string(&on_at, "node", false) {
            BranchOn::Node(node)
        } else {
            BranchOn::Attribute(reader.required_string(&on_at, "attribute")?)
        };
        let mut cases = Vec::new();
        let case_tables = reader.tables(at, "case");
        if !reader.within_limit(&case_tables, "cases", MAX_LIST_ITEMS) {
            return None;
        }
        for case_at in case_tables {
            reader.known_keys(&case_at, &["equals", "rule"], "a case");
            let equals = match reader.get(&case_at, "equals", false) {
                Some(v) => Some(reader.attr_value(&case_at, "equals", v)?),
                None => None,
            };
            let rule_at = reader.table(&case_at, "rule", true)?;
            cases.push(Case {
                equals,
                rule: reader.read_rule(&rule_at, max)?,
            });
        }
        if cases.is_empty() {
            let message = "the branch has no [[node.rule.case]]".to_owned();
            reader.report(Check::MissingKey, &at.span, at.code.as_deref(), message);
            return None;
        }
        Some(Branch { on, cases })
    }

    fn write(&self, f: &mut Vec<String>) {
        let on = match &self.on {
            BranchOn::Attribute(a) => format!("{{ attribute = {} }}", quote(a)),
            BranchOn::Node(c) => format!("{{ node = {} }}", quote(c)),
        };
        f.push(format!("on = {on}"));
        let items: Vec<String> = self
            .cases
            .iter()
            .map(|c| {
                let equals = c
                    .equals
                    .as_ref()
                    .map(|e| format!("equals = {}, ", attr(e)))
                    .unwrap_or_default();
                format!("{{ {equals}rule = {} }}", rule_to_toml(&c.rule))
            })
            .collect();
        f.push(format!("case = [{}]", items.join(", ")));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::ByCase
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        Ok(Value::Text(t.into()))
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        let index = ctx.case.ok_or(RuleError::NoCase)?;
        let case = self
            .cases
            .get(index)
            .ok_or_else(|| wrong_measurement(value, RuleKind::Branch))?;
        let parsed;
        let value = match value {
            Value::Text(text) => {
                parsed = case.rule.parse(text)?;
                &parsed
            }
            other => other,
        };
        let inner = case.rule.evaluate(value, &Context { case: None, ..*ctx })?;
        fired(
            inner.points,
            Fired::Case(tier_index(index), Box::new(inner)),
        )
    }

    fn scores_alone(&self) -> bool {
        false
    }

    fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        let ranges: Vec<(Decimal, Decimal)> = self
            .cases
            .iter()
            .map(|c| c.rule.points_range(max))
            .collect();
        let best = ranges.iter().map(|r| r.0).max().unwrap_or_default();
        let worst = ranges.iter().map(|r| r.1).min().unwrap_or_default();
        (best, worst)
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Case(i, inner) = &outcome.fired else {
            return None;
        };
        let case = self.cases.get(usize::from(*i))?;
        let what = match &self.on {
            BranchOn::Attribute(a) => a,
            BranchOn::Node(c) => c,
        };
        let which = match &case.equals {
            Some(v) => format!("{what} = {v}"),
            None => format!("{what}: otherwise"),
        };
        let parsed = match value {
            Value::Text(t) => case.rule.parse(t).unwrap_or_else(|_| value.clone()),
            other => other.clone(),
        };
        Some(format!("{which}: {}", case.rule.explain(&parsed, inner)))
    }

    fn follow_event(&mut self, event: &str, date: crate::date::Date) {
        for case in &mut self.cases {
            case.rule.follow_event(event, date);
        }
    }

    fn validate(&self, node: &Node, checks: &mut RuleChecks<'_>) {
        // The inner rules' own checks; the best-points check applies to the branch as a whole.
        for case in &self.cases {
            case.rule.validate_kind(node, checks);
        }
    }
}
