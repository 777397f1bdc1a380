//! Reform programmes and their targets: what a province set out to reach in each reform area,
//! by when, and how far it has come.
//!
//! A province copies the national programme's reform areas into its own programme or plan,
//! with quantified targets: "100% of district People's Committees run a modern one-stop unit by
//! 2015", "citizen satisfaction above 60%", "70% of documents exchanged electronically". A
//! [`Programme`] is such a document, read from a TOML file ([`Programme::from_toml`], the
//! format is in `docs/records.md`): each [`Target`] has an indicator, a [`ReformArea`], a
//! comparator and value, a deadline year and the population it applies to.
//!
//! Measured values ([`Observation`]s) come from results (a node's index, a survey share or a
//! reform area's sub-index, per unit), from the year's records (whether each unit did a task of
//! its reform plan) or from a typed table; `parindex-io` reads them. [`Programme::report`]
//! then gives each target's [`TargetStatus`] in a year: met, on track, behind or no data, with
//! the value measured, where it came from, and for values per unit the share of units that
//! meet the target.
//!
//! ```
//! use parindex_core::programme::{Measured, Observation, Programme, TargetStatus};
//!
//! let programme = Programme::from_toml(r#"
//! format = 1
//! [programme]
//! id = "example/2021-2025"
//! title = "Example programme"
//! authority = "Example province"
//! period = "2021-2025"
//! source = "made up for this example"
//! [[target]]
//! id = "T1"
//! area = "modernisation"
//! indicator = "District People's Committees running a modern one-stop unit"
//! comparator = "="
//! value = 100
//! unit = "percent"
//! by = 2025
//! population = "district People's Committees"
//! "#, "programme.toml")?;
//!
//! // 2 of 3 districts run one in 2023: 66.67% against the 60% the straight line from 0 in
//! // 2021 to 100% in 2025 asks for by 2023.
//! let seen = |unit: &str, yes: bool| Observation {
//!     target: "T1".into(), year: 2023, unit: Some(unit.into()),
//!     value: Measured::Yes(yes), from: "survey of districts".into(),
//! };
//! let observations = [seen("D1", true), seen("D2", true), seen("D3", false)];
//! let report = &programme.report(2023, &observations)[0];
//! assert_eq!(report.status, TargetStatus::OnTrack);
//! assert_eq!(report.shown, "66.67% (2 of 3 units)");
//! assert_eq!(programme.report(2025, &observations)[0].status, TargetStatus::NoData);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod file;
mod measure;
mod report;

use rust_decimal::Decimal;

use crate::date::Date;
use crate::diagnostic::Location;
use crate::model::Status;
use crate::names::named;
use crate::reform_area::ReformArea;

pub use report::{Measured, Observation, TargetReport, TargetStatus};

/// A reform programme or plan: its provenance and its quantified targets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Programme {
    /// An id such as `quang-nam/2011-2015`.
    pub id: String,
    /// The title, in the source's language.
    pub title: String,
    /// Who issued it.
    pub authority: String,
    /// The decision or plan number, e.g. `1009/QĐ-UBND`.
    pub decision: Option<String>,
    /// The day it was issued.
    pub issued: Option<Date>,
    /// The first and last year it covers.
    pub period: (i32, i32),
    /// Where it was read.
    pub source: String,
    /// Official, transcribed or example.
    pub status: Status,
    /// Remarks.
    pub notes: Option<String>,
    /// The targets, in the source's order.
    pub targets: Vec<Target>,
}

/// One quantified target of a programme.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Its id, unique in the programme.
    pub id: String,
    /// The reform area it belongs to.
    pub area: ReformArea,
    /// What is measured, in the source's language.
    pub indicator: String,
    /// What is measured, in English.
    pub indicator_en: Option<String>,
    /// How the measured value compares with the target value.
    pub comparator: Comparator,
    /// The value to reach: a number, or a word (`completed`) for a target with `unit = "text"`.
    pub value: TargetValue,
    /// What the value counts.
    pub unit: TargetUnit,
    /// The year by which it is due; `None` for a target due every year, or by the end of the
    /// programme's period.
    pub by: Option<i32>,
    /// Whether the target applies every year ("mỗi năm", "hằng năm"), rather than once by a
    /// deadline.
    pub yearly: bool,
    /// The units or people it applies to: "district People's Committees".
    pub population: String,
    /// A measured starting point: year and value.
    pub baseline: Option<(i32, Decimal)>,
    /// How it is measured from results or records; a typed table can measure any target.
    pub measure: Option<TargetMeasure>,
    /// The line of the source text that states it.
    pub source_line: Option<u32>,
    /// A remark: how the row was read.
    pub note: Option<String>,
    /// Where the target is in its file.
    pub location: Location,
}

impl Target {
    /// The year the target is due: its own, or the last of the programme's period; `None` for
    /// a target due every year.
    pub fn due(&self, programme: &Programme) -> Option<i32> {
        if self.yearly {
            None
        } else {
            Some(self.by.unwrap_or(programme.period.1))
        }
    }

    /// Whether a lower measured value is better (`<`, `<=`).
    pub fn lower_is_better(&self) -> bool {
        matches!(self.comparator, Comparator::Below | Comparator::AtMost)
    }
}

/// How a target compares the measured value with its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Comparator {
    /// Above the value ("trên").
    Above,
    /// At least the value ("ít nhất", "tối thiểu", "đạt mức", a bare share below 100%).
    AtLeast,
    /// The value reached: 100%, "all", a planned count or a word. A measured number at or
    /// above it meets it, since a plan's figure (177 offices) is a floor that the source
    /// writes as a figure.
    Reach,
    /// At most the value.
    AtMost,
    /// Below the value.
    Below,
}

named!(Comparator, "comparator", {
    Above => ">",
    AtLeast => ">=",
    Reach => "=",
    AtMost => "<=",
    Below => "<",
});

impl Comparator {
    /// Whether `measured` meets `target` under this comparator.
    pub fn holds(self, measured: Decimal, target: Decimal) -> bool {
        match self {
            Comparator::Above => measured > target,
            Comparator::AtLeast | Comparator::Reach => measured >= target,
            Comparator::AtMost => measured <= target,
            Comparator::Below => measured < target,
        }
    }
}

/// What a target's value counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetUnit {
    /// A percentage, 0–100.
    Percent,
    /// A count.
    Count,
    /// A state described in words: completed, achieved, operational.
    Text,
}

named!(TargetUnit, "target unit", {
    Percent => "percent",
    Count => "count",
    Text => "text",
});

/// A target's value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetValue {
    /// A number, in the target's unit.
    Number(Decimal),
    /// A word: `completed`, `achieved`, `operational`, `most`.
    Word(String),
}

impl std::fmt::Display for TargetValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TargetValue::Number(n) => write!(f, "{}", n.normalize()),
            TargetValue::Word(w) => f.write_str(w),
        }
    }
}

/// How a target is measured from results or from the year's records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetMeasure {
    /// A node of a criteria set, per unit of its results.
    Node {
        /// The set, as `authority/level` (any year) or a full set id; `None`: any results.
        set: Option<String>,
        /// The node's code.
        code: String,
        /// Its index, or the share satisfied of a survey leaf.
        value: NodeValue,
    },
    /// A reform area's sub-index, per unit of results.
    ReformArea {
        /// The set, as `authority/level` or a full set id; `None`: any results.
        set: Option<String>,
        /// The reform area.
        area: ReformArea,
    },
    /// A task of the year's reform plan, per unit that leads it: done or not.
    Task {
        /// The task's code in the plan.
        task: String,
        /// Whether only a task done by its deadline counts.
        on_time: bool,
    },
}

impl TargetMeasure {
    /// Whether a measure names results of this set id (`authority/level/year`).
    pub fn takes_set(&self, id: &str) -> bool {
        let wanted = match self {
            TargetMeasure::Node { set, .. } | TargetMeasure::ReformArea { set, .. } => set,
            TargetMeasure::Task { .. } => return false,
        };
        match wanted {
            None => true,
            Some(set) => {
                id == set
                    || id
                        .strip_prefix(set.as_str())
                        .is_some_and(|r| r.starts_with('/'))
            }
        }
    }
}

/// Which value of a node a target reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NodeValue {
    /// points ÷ applicable maximum × 100.
    Index,
    /// The share of respondents satisfied, for a survey leaf.
    Share,
}

named!(NodeValue, "node value", {
    Index => "index",
    Share => "share",
});
