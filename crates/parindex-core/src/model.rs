//! The criteria set: metadata, policy, attributes, bands and the tree of nodes.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::condition::Condition;
use crate::diagnostic::{Check, Location};
use crate::names::named;
use crate::rule::Rule;
use crate::text::nfc;

/// A loaded and validated criteria set: one year's table of one authority.
///
/// Load one with [`CriteriaSet::from_toml`] or [`crate::shipped::load`], compile it with
/// [`crate::Plan::new`] and score units with [`crate::Plan::score`].
///
/// ```
/// let loaded = parindex_core::shipped::load("binh-thuan-police/commune/2024")?;
/// let set = &loaded.set;
/// assert_eq!(set.info.year, 2024);
/// assert_eq!(set.info.max, rust_decimal::Decimal::from(60));
/// assert!(set.node("1.1.1").ok_or("no node")?.is_leaf(set));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CriteriaSet {
    /// Identity.
    pub info: SetInfo,
    /// Provenance.
    pub origin: Origin,
    /// How the set scores.
    pub policy: Policy,
    /// The unit attributes the set uses, in file order.
    pub attributes: Vec<Attribute>,
    /// Bands, best first.
    pub bands: Vec<Band>,
    /// The nodes, in the source's order; parents before their children.
    pub nodes: Vec<Node>,
    /// Inconsistencies of the source that the file acknowledges.
    pub acknowledgements: Vec<Acknowledgement>,
    /// Dated events of the year that due dates count from (`[[event]]`).
    pub events: Vec<SetEvent>,
    /// SHA-256 of the file's text, in hex.
    pub content_hash: String,
}

/// Identity of a set.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetInfo {
    /// Format version of the file.
    pub format: u32,
    /// `authority/level/year`.
    pub id: String,
    /// Title, in the source's language.
    pub title: String,
    /// English title.
    pub title_en: Option<String>,
    /// What is scored: commune, ward, department, official…
    pub level: String,
    /// Year scored.
    pub year: i32,
    /// Language of names: `vi` or `en`.
    pub language: String,
    /// Declared total.
    pub max: Decimal,
}

/// Where a set comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Who issued the table.
    pub authority: String,
    /// Decision number.
    pub decision: Option<String>,
    /// Issue date, as written (`dd/mm/yyyy`).
    pub issued: Option<String>,
    /// Where it was read.
    pub source: String,
    /// Official, transcribed or example.
    pub status: Status,
    /// Remarks.
    pub notes: Option<String>,
}

/// How authoritative a set's file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Published by the authority in this form.
    Official,
    /// Transcribed by hand from a published table.
    Transcribed,
    /// Made up for examples and tests.
    Example,
}

named!(Status, "status", {
    Official => "official",
    Transcribed => "transcribed",
    Example => "example",
});

/// How a set scores, ranks and classifies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// Index scale, usually 100.
    pub scale: Decimal,
    /// Decimals of a reported index.
    pub decimals: u32,
    /// How an index (or a rule that declares it) is rounded.
    pub rounding: Rounding,
    /// How not-applicable children count in their parent.
    pub not_applicable: NotApplicable,
    /// What a missing input does.
    pub missing: Missing,
    /// Whether self-assessed points need evidence.
    pub evidence: Evidence,
    /// The stages, in order.
    pub stages: Vec<String>,
    /// How ties are ranked.
    pub ties: Ties,
    /// Codes whose index breaks ties, in order.
    pub tie_breakers: Vec<String>,
    /// Whether ranks and bands use the reported or the exact index.
    pub rank_on: RankOn,
    /// The attribute whose values form ranking groups.
    pub group_by: Option<String>,
    /// Whether the total is kept within [0, max] after bonus and penalty blocks.
    pub cap_total: bool,
    /// The fewest respondents a survey share should rest on: below it, a share derived from
    /// survey responses is scored as usual and a warning names the unit and group.
    pub min_respondents: Option<u32>,
    /// What a value that falls in a printed gap between tiers does, unless its rule says
    /// otherwise (`gap` on a tiers rule or a survey share).
    pub tier_gap: TierGap,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            scale: Decimal::ONE_HUNDRED,
            decimals: 2,
            rounding: Rounding::HalfAwayFromZero,
            not_applicable: NotApplicable::ReduceMaximum,
            missing: Missing::ZeroWithWarning,
            evidence: Evidence::Optional,
            stages: vec!["self".to_owned(), "appraisal".to_owned()],
            ties: Ties::Competition,
            tie_breakers: Vec::new(),
            rank_on: RankOn::Reported,
            group_by: None,
            cap_total: true,
            min_respondents: None,
            tier_gap: TierGap::Refuse,
        }
    }
}

/// A rounding mode.
///
/// ```
/// use parindex_core::Rounding;
/// use rust_decimal::Decimal;
/// let x: Decimal = "89.455".parse()?;
/// assert_eq!(Rounding::HalfAwayFromZero.round(x, 2).to_string(), "89.46");
/// assert_eq!(Rounding::HalfEven.round(x, 2).to_string(), "89.46");
/// assert_eq!(Rounding::Truncate.round(x, 2).to_string(), "89.45");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rounding {
    /// 0.125 → 0.13.
    HalfAwayFromZero,
    /// 0.125 → 0.12 (banker's rounding).
    HalfEven,
    /// 0.129 → 0.12.
    Truncate,
}

named!(Rounding, "rounding mode", {
    HalfAwayFromZero => "half-away-from-zero",
    HalfEven => "half-even",
    Truncate => "truncate",
});

impl Rounding {
    /// Rounds to `decimals` places, keeping trailing zeros (`89.50`).
    pub fn round(self, x: Decimal, decimals: u32) -> Decimal {
        let strategy = match self {
            Rounding::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Rounding::HalfEven => RoundingStrategy::MidpointNearestEven,
            Rounding::Truncate => RoundingStrategy::ToZero,
        };
        let mut rounded = x.round_dp_with_strategy(decimals, strategy);
        rounded.rescale(decimals);
        rounded
    }
}

/// How a parent counts children that do not apply to a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotApplicable {
    /// Drop them and their maxima: the index is over the applicable maximum.
    ReduceMaximum,
    /// Award them their maxima.
    FullPoints,
    /// Scale the applicable children's points up to the parent's maximum.
    RescaleToParent,
}

named!(NotApplicable, "not-applicable policy", {
    ReduceMaximum => "reduce-maximum",
    FullPoints => "full-points",
    RescaleToParent => "rescale-to-parent",
});

/// What a missing input does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// Score 0 and warn.
    ZeroWithWarning,
    /// Refuse to score.
    Error,
}

named!(Missing, "missing-input policy", {
    ZeroWithWarning => "zero-with-warning",
    Error => "error",
});

/// What a value does that no tier covers, where a table prints its tiers with a gap (`≥ 80%`:
/// 2 points, `50% to under 70%`: 1 point, `under 50%`: 0, and nothing for 70–80%).
///
/// A set declares it in `[policy]` as `tier_gap`, and a tiers rule or a survey share as `gap`,
/// the rule's own winning.
///
/// ```
/// use parindex_core::TierGap;
/// assert_eq!("zero".parse::<TierGap>()?, TierGap::Zero);
/// assert_eq!(parindex_core::Policy::default().tier_gap, TierGap::Refuse);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TierGap {
    /// Refuse the value, as an input error at its cell; validation refuses the gap itself
    /// unless it is acknowledged (`tier-gap`).
    Refuse,
    /// Score the value 0 points, with a warning at its cell; validation warns about the gap.
    Zero,
}

named!(TierGap, "tier-gap policy", {
    Refuse => "refuse",
    Zero => "zero",
});

/// Whether self-assessed points need evidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// Points count with or without evidence.
    Optional,
    /// A self-assessed value recorded without evidence scores 0.
    Required,
}

named!(Evidence, "evidence policy", {
    Optional => "optional",
    Required => "required",
});

/// How ties are ranked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    /// 1, 2, 2, 4.
    Competition,
    /// 1, 2, 2, 3.
    Dense,
}

named!(Ties, "tie policy", {
    Competition => "competition",
    Dense => "dense",
});

/// Which index ranks and bands use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RankOn {
    /// The index as reported, rounded: units published equal rank equal.
    Reported,
    /// The exact index.
    Exact,
}

named!(RankOn, "ranking basis", {
    Reported => "reported",
    Exact => "exact",
});

/// A dated event of the year, declared once, that due dates count from: "the province's plan was
/// issued on 15/01; units have 30 days".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SetEvent {
    /// How rules name it: `ke-hoach-tinh`.
    pub id: String,
    /// What happened, as printed.
    pub name: Option<String>,
    /// When it happened; `None` while it has not.
    pub date: Option<crate::date::Date>,
}

/// A unit attribute a set uses.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its name, a column of the input.
    pub name: String,
    /// Its type.
    pub kind: AttributeKind,
    /// What it means.
    pub label: Option<String>,
    /// Allowed values, for text attributes.
    pub values: Vec<String>,
}

/// The type of an attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AttributeKind {
    /// Yes or no.
    Bool,
    /// Text.
    Text,
    /// A number.
    Number,
}

named!(AttributeKind, "attribute type", {
    Bool => "bool",
    Text => "text",
    Number => "number",
});

/// A value of an attribute, or a value a branch or gate compares with.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AttrValue {
    /// Yes or no.
    Bool(bool),
    /// Text.
    Text(String),
    /// A number.
    Number(Decimal),
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AttrValue::Bool(b) => write!(f, "{b}"),
            AttrValue::Text(t) => f.write_str(t),
            AttrValue::Number(n) => write!(f, "{}", n.normalize()),
        }
    }
}

/// A classification band over the total index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Band {
    /// Short name, e.g. `A` or `HTXSNV`.
    pub name: String,
    /// Full name.
    pub label: Option<String>,
    /// The index range.
    pub when: Condition,
    /// Conditions that must all hold for this band.
    pub requires: Vec<Gate>,
    /// Conditions any of which force this band whatever the points.
    pub forced_by: Vec<Gate>,
    /// Where the band is written in its file.
    pub location: Location,
}

/// A condition of a band besides points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Gate {
    /// A unit attribute equals a value.
    Attribute {
        /// The attribute.
        name: String,
        /// The value.
        equals: AttrValue,
    },
    /// A node's index meets a condition.
    Node {
        /// The node.
        code: String,
        /// The condition on its index.
        when: Condition,
    },
}

/// One row of the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The normalised code.
    pub code: String,
    /// The code as printed, where the file renumbers.
    pub printed_code: Option<String>,
    /// The name, as printed.
    pub name: String,
    /// An English name.
    pub name_en: Option<String>,
    /// Maximum points.
    pub max: Decimal,
    /// Where its measurement comes from.
    pub source: Source,
    /// Attribute conditions for the node to apply to a unit.
    pub applies: Vec<Applicability>,
    /// Overrides the set's not-applicable policy for this node's children.
    pub not_applicable: Option<NotApplicable>,
    /// A scored node, or a bonus or penalty block.
    pub kind: NodeKind,
    /// The lowest total of a penalty block.
    pub floor: Option<Decimal>,
    /// A remark on the row.
    pub note: Option<String>,
    /// The rule, on a leaf.
    pub rule: Option<Rule>,
    /// The measurement of the year's reform plan this leaf is scored on, when it is derived
    /// from the plan's completion records rather than typed in.
    pub derive: Option<PlanMeasure>,
    /// The reform area the node declares; its descendants inherit it unless they declare
    /// their own ([`CriteriaSet::reform_area`] gives the area that applies).
    pub reform_area: Option<crate::ReformArea>,
    /// Whether this row's self-assessed points need evidence, where the table says so for the
    /// row itself; the set's policy when `None`.
    pub evidence: Option<Evidence>,
    /// Where the node is in its file.
    pub location: Location,
}

impl Node {
    /// The parent's code, or `None` for an area.
    pub fn parent_code(&self) -> Option<&str> {
        parent_code(&self.code)
    }

    /// Whether the node has no children in `set`.
    pub fn is_leaf(&self, set: &CriteriaSet) -> bool {
        !set.nodes
            .iter()
            .any(|n| n.parent_code() == Some(self.code.as_str()))
    }

    /// Depth in the tree: 0 for an area.
    pub fn depth(&self) -> usize {
        self.code.matches('.').count()
    }
}

/// The parent of a code: the code without its last dot-separated part.
pub fn parent_code(code: &str) -> Option<&str> {
    code.rsplit_once('.').map(|(parent, _)| parent)
}

/// Where a node's measurement comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// Self-assessed by the unit, then appraised.
    SelfAssessed,
    /// A sociological survey.
    Survey,
    /// Assessed by another body.
    External,
}

named!(Source, "source", {
    SelfAssessed => "self",
    Survey => "survey",
    External => "external",
});

/// A measurement derived from the year's reform plan and its completion records.
///
/// A leaf declares it with `derive = "plan-done"`; see [`crate::records`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanMeasure {
    /// Tasks done ÷ tasks the unit leads, as an exact ratio (`7/9`).
    Done,
    /// Tasks done by their deadline ÷ tasks the unit leads.
    OnTime,
    /// The count of tasks done late or not done.
    LateOrNotDone,
}

named!(PlanMeasure, "plan measure", {
    Done => "plan-done",
    OnTime => "plan-on-time",
    LateOrNotDone => "plan-late",
});

/// One condition of a node's applicability: the attribute has one of the values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applicability {
    /// The attribute.
    pub attribute: String,
    /// The values for which the node applies.
    pub any_of: Vec<AttrValue>,
}

/// The kind of a node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeKind {
    /// Counts towards the set's maximum.
    Scored,
    /// Points added on top, capped by the block's maximum.
    Bonus,
    /// Points taken off, down to the block's floor.
    Penalty,
}

named!(NodeKind, "node kind", {
    Scored => "scored",
    Bonus => "bonus",
    Penalty => "penalty",
});

/// An inconsistency of the source that the file acknowledges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledgement {
    /// The node concerned; the set's id for whole-set checks.
    pub code: String,
    /// The check it relaxes.
    pub check: Check,
    /// How the file resolves it, and why.
    pub note: String,
    /// Where it is in the file.
    pub location: Location,
}

impl CriteriaSet {
    /// Dates an event of the set for one round, where the round knows it and the file does not
    /// (or gives another): every due date counted from it follows. `None` when the set declares
    /// no such event.
    ///
    /// ```
    /// use parindex_core::{Date, shipped};
    /// let mut set = shipped::load("example/department/2025")?.set;
    /// set.date_event("ke-hoach-tinh", Date::new(2025, 2, 1).ok_or("date")?).ok_or("event")?;
    /// assert!(set.date_event("no-such-event", Date::new(2025, 2, 1).ok_or("date")?).is_none());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn date_event(&mut self, id: &str, date: crate::date::Date) -> Option<()> {
        let event = self.events.iter_mut().find(|e| e.id == id)?;
        event.date = Some(date);
        for node in &mut self.nodes {
            if let Some(rule) = &mut node.rule {
                rule.follow_event(id, date);
            }
        }
        Some(())
    }

    /// Whether a row's self-assessed points need evidence: the row's own `evidence`, else the
    /// set's policy.
    pub fn evidence_for(&self, node: &Node) -> Evidence {
        node.evidence.unwrap_or(self.policy.evidence)
    }

    /// Whether the row with this code needs evidence for its self-assessed points.
    pub fn needs_evidence(&self, code: &str) -> bool {
        self.node(code)
            .is_some_and(|n| self.evidence_for(n) == Evidence::Required)
    }

    /// The node with this code.
    pub fn node(&self, code: &str) -> Option<&Node> {
        let code = nfc(code);
        self.nodes.iter().find(|n| n.code == code)
    }

    /// The areas: nodes without a parent, in order.
    pub fn areas(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.parent_code().is_none())
    }

    /// The areas with their positions in [`CriteriaSet::nodes`] (the positions of a
    /// scorecard's nodes too), in order.
    pub fn areas_with_positions(&self) -> impl Iterator<Item = (usize, &Node)> {
        self.nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.parent_code().is_none())
    }

    /// The leaves, in order.
    pub fn leaves(&self) -> impl Iterator<Item = &Node> {
        self.nodes.iter().filter(|n| n.rule.is_some())
    }

    /// The declared attribute with this name.
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        let name = nfc(name);
        self.attributes.iter().find(|a| a.name == name)
    }
}
