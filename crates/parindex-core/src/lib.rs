//! # parindex-core
//!
//! The engine behind the PAR Index (Chỉ số cải cách hành chính): criteria sets as validated
//! TOML, exact scoring, ranking, bands and explanations.
//!
//! A **criteria set** ([`CriteriaSet`]) is one authority's table for one year: areas →
//! criteria → sub-criteria, each with a maximum, and on every leaf a [`Rule`] that maps a
//! measurement to points. Sets are loaded from TOML ([`CriteriaSet::from_toml`]) with every
//! problem reported at its file, line, column and code, or taken from the sets shipped in the
//! library ([`shipped`]).
//!
//! A set compiles into a flat [`Plan`]. Units and their inputs, one value per leaf and stage,
//! go into a [`Batch`]; [`Plan::score`] turns the batch into [`Results`]: per unit and node the
//! points won and lost, the applicable maximum and the index, then ranks and bands, with an
//! explanation of every leaf and the provenance of the set.
//!
//! Points are [`rust_decimal::Decimal`]: `0.1 + 0.2` is `0.3`, and rounding happens only where
//! the set says so.
//!
//! Text is kept and compared in Unicode NFC ([`text::nfc`]): a criterion, level, stage or unit
//! typed with combining marks is the same as one typed composed.
//!
//! ```
//! use parindex_core::{shipped, Batch, Plan};
//!
//! let set = shipped::load("binh-thuan-police/commune/2024")?.set;
//! let plan = Plan::new(&set);
//! let mut batch = Batch::new(&plan);
//! let ward = batch.add_unit("CAP-01", [])?;
//! batch.set_text(ward, "1.1.1", None, "đúng hạn")?;
//! batch.set_text(ward, "1.1.4", None, "7/9")?;
//! let results = plan.score(&batch)?;
//! let card = &results.units[0];
//! assert_eq!(card.points("1.1.1").ok_or("no node")?.to_string(), "1.5");
//! assert_eq!(card.points("1.1.4").ok_or("no node")?.to_string(), "0.5");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod compiled_tiers;
pub mod condition;
pub mod date;
mod decimal_sum;
pub mod diagnostic;
pub mod diff;
pub mod explain;
pub mod golden;
pub mod load;
pub mod model;
mod names;
mod outcome_memo;
mod packed;
mod packed_cell;
pub mod programme;
pub mod records;
pub mod reform_area;
pub mod rule;
mod validate;
pub mod value;
mod write;

pub use condition::{Bound, Condition};
pub use date::Date;
pub use diagnostic::{Check, CriteriaError, Diagnostic, Location, Severity};
pub use diff::{AreaChange, Change, UnitChange, YearResults, YearUnit, compare, diff_sets};
pub use explain::{ExplainLine, ExplainMemo, Explanation, NodeKey, NodeMemo};
pub use load::Loaded;
pub use model::*;
pub use names::{Named, UnknownName};
pub use reform_area::{
    AreaSummary, ReformArea, ReformAreaChange, ReformAreaComparison, ReformAreaScore,
    UnitAreaChange, compare_reform_areas,
};
pub use rule::*;
pub use value::{Input, Responses, Survey, Value};
pub use write::rule_to_toml;
pub mod batch;
pub mod plan;
mod rank;
pub mod score;
pub mod shipped;
mod spanned;
pub mod text;
mod text_index;
pub mod threads;

pub use batch::{Batch, Cell, InputError, Unit};
pub use plan::Plan;
pub use rank::{RankKey, rank_keys};
pub use score::{
    ENGINE_VERSION, Kept, NodeScore, NodeStatus, Provenance, Results, ScoreError, ScoreProblem,
    ScoreWarning, Scorecard, StageScore,
};
