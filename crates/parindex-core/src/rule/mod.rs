//! The rule vocabulary: how a leaf's measurement maps to points.
//!
//! A rule never sees the unit, only its measurement and a [`Context`] prepared by the scorer
//! (the node's maximum, the group reference for relative rules, the case a branch takes).
//! Each rule also explains itself: [`Rule::explain`] tells which branch fired and why.
//!
//! Each kind of rule is one module, which owns everything about it: reading it from a criteria
//! file and writing it back, the input it accepts ([`InputShape`]), evaluation, the range of
//! points, the explanation, its own validation, and the outcomes the uncertainty analysis moves
//! between. The table in `rule_kinds!` lists the kinds once; the enum [`Rule`], the names of
//! [`RuleKind`] and the dispatch to the modules all come from it.
//!
//! Adding a kind touches its module (its type and its `RuleBody`), one line of the table,
//! `criteria/FORMAT.md`, its tests and a fuzz seed. The readers, templates, forms, validation
//! and analysis ask the rule for its [`InputShape`], its range and its outcomes, and never match
//! on its kind.

use rust_decimal::Decimal;

use crate::diagnostic::{Check, Severity};
use crate::model::{Node, Policy, Rounding, TierGap};
use crate::names::named;
use crate::spanned::{At, Reader};
use crate::text::{nfc, plural};
use crate::value::Value;

mod branch;
mod direct;
mod input;
mod levels;
mod per_item;
mod proportional;
mod rate;
mod relative;
mod survey;
mod tiers;
mod timeliness;
mod trend;
mod yes_no;

pub use branch::{Branch, BranchOn, Case};
pub use direct::Direct;
pub use input::{Answer, InputShape};
pub use levels::{Level, Levels};
pub use per_item::PerItem;
pub use proportional::Proportional;
pub use rate::Rate;
pub use relative::{Among, Relative, Statistic};
pub use survey::{SurveyMode, SurveyModeKind, SurveyRule};
pub use tiers::{Better, Measure, Tier, Tiers};
pub use timeliness::{AfterEvent, LateWindow, Timeliness};
pub use trend::Trend;
pub use yes_no::YesNo;

/// What one kind of rule does; each kind's module implements it for its rule.
pub(crate) trait RuleBody {
    /// The keys of the kind's table in a criteria file, besides `kind`.
    fn keys() -> &'static [&'static str]
    where
        Self: Sized;

    /// Reads the kind's table; `max` is the node's maximum. Problems are reported to `reader`.
    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, max: Decimal) -> Option<Self>
    where
        Self: Sized;

    /// Writes the kind's keys back, as `key = value` items of an inline table.
    fn write(&self, fields: &mut Vec<String>);

    /// The input the rule reads from a cell.
    fn input(&self) -> InputShape<'_>;

    /// Reads a measurement from trimmed NFC text.
    fn parse(&self, text: &str) -> Result<Value, RuleError>;

    /// Maps a measurement to points, and says which branch fired.
    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError>;

    /// The most and the fewest points the rule can give.
    fn points_range(&self, max: Decimal) -> (Decimal, Decimal);

    /// Says in words what the rule saw and which branch fired; `None` leaves it to the shared
    /// wording (`value → points`).
    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String>;

    /// Whether the rule scores a value alone; `false` when it needs what only the scorer knows
    /// (the statistic over other units, the case a branch takes).
    fn scores_alone(&self) -> bool {
        true
    }

    /// Counts any due date that follows `event` from its new `date` (a round dating an event
    /// of the set).
    fn follow_event(&mut self, _event: &str, _date: crate::date::Date) {}

    /// The kind's own checks of a loaded set, beyond the checks every rule gets.
    fn validate(&self, _node: &Node, _checks: &mut RuleChecks<'_>) {}

    /// The points of the rule's ordered outcomes, for the uncertainty analysis to move a value
    /// one outcome up or down; `None` when its outcomes are not a short ordered list.
    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        None
    }
}

/// Where a kind's own checks report: the node being checked, and the set's validator.
pub(crate) struct RuleChecks<'a> {
    pub(crate) found: &'a mut Vec<(Severity, Check, String)>,
    /// The set's tier-gap policy, for the rules that declare none of their own.
    pub(crate) tier_gap: TierGap,
}

impl RuleChecks<'_> {
    /// Reports a problem of the node's rule.
    pub(crate) fn report(&mut self, check: Check, message: String) {
        self.found.push((Severity::Error, check, message));
    }

    /// Reports something the user should know about the node's rule, which still loads.
    pub(crate) fn warn(&mut self, check: Check, message: String) {
        self.found.push((Severity::Warning, check, message));
    }
}

/// The table of rule kinds: the variant of [`Rule`], its module's type, and the name a criteria
/// file's `kind` writes. Everything that lists the kinds is generated from it.
macro_rules! rule_kinds {
    ($($(#[$doc:meta])* $variant:ident($body:ident) => $name:literal,)*) => {
        /// How a leaf's measurement maps to points. See `criteria/FORMAT.md` for the file
        /// syntax; each kind is a type of its own module.
        ///
        /// ```
        /// use parindex_core::{Rule, Tier, Tiers, Measure, Better, Value};
        /// use rust_decimal::Decimal;
        /// let rule = Rule::Tiers(Tiers {
        ///     measure: Measure::Percent,
        ///     better: Better::Higher,
        ///     tiers: vec![
        ///         Tier::new("x >= 100", Decimal::ONE),
        ///         Tier::new("50 <= x < 100", Decimal::new(5, 1)),
        ///         Tier::new("x < 50", Decimal::ZERO),
        ///     ],
        ///     ..Tiers::default()
        /// });
        /// let seen = rule.parse("7/9")?;
        /// assert_eq!(rule.points(&seen, Decimal::ONE)?, Decimal::new(5, 1));
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        #[derive(Debug, Clone, PartialEq, Eq)]
        pub enum Rule {
            $($(#[$doc])* $variant($body),)*
        }

        /// The kind of a [`Rule`], as a criteria file's `kind` names it.
        ///
        /// ```
        /// use parindex_core::RuleKind;
        /// assert_eq!("per-item".parse::<RuleKind>()?, RuleKind::PerItem);
        /// assert_eq!(RuleKind::YesNo.as_str(), "yes-no");
        /// # Ok::<(), Box<dyn std::error::Error>>(())
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum RuleKind {
            $($(#[$doc])* $variant,)*
        }

        named!(RuleKind, "rule kind", { $($variant => $name,)* });

        impl Rule {
            /// The rule's kind; its name is what a criteria file writes.
            pub const fn kind(&self) -> RuleKind {
                match self {
                    $(Rule::$variant(_) => RuleKind::$variant,)*
                }
            }

            fn body(&self) -> &dyn RuleBody {
                match self {
                    $(Rule::$variant(body) => body,)*
                }
            }

            fn body_mut(&mut self) -> &mut dyn RuleBody {
                match self {
                    $(Rule::$variant(body) => body,)*
                }
            }
        }

        impl RuleKind {
            /// The keys of this kind's table in a criteria file, `kind` first.
            pub(crate) fn keys(self) -> Vec<&'static str> {
                let own = match self {
                    $(RuleKind::$variant => $body::keys(),)*
                };
                std::iter::once("kind").chain(own.iter().copied()).collect()
            }

            /// Reads a rule of this kind from its table.
            pub(crate) fn read(
                self,
                reader: &mut Reader<'_>,
                at: &At<'_, '_>,
                max: Decimal,
            ) -> Option<Rule> {
                match self {
                    $(RuleKind::$variant => $body::read(reader, at, max).map(Rule::$variant),)*
                }
            }
        }

        $(
            impl From<$body> for Rule {
                fn from(body: $body) -> Rule {
                    Rule::$variant(body)
                }
            }
        )*
    };
}

rule_kinds! {
    /// Yes or no.
    YesNo(YesNo) => "yes-no",
    /// A choice among named levels, listed best first as printed.
    Levels(Levels) => "levels",
    /// A date against a due date, or an outcome: on time, late, missing.
    Timeliness(Timeliness) => "timeliness",
    /// Ordered tiers over a measure; the first that matches wins.
    Tiers(Tiers) => "tiers",
    /// Points proportional to a ratio: `max × min(1, ratio ÷ target)`.
    Proportional(Proportional) => "proportional",
    /// Points per counted item, capped (or floored, for a penalty).
    PerItem(PerItem) => "per-item",
    /// Survey results.
    Survey(SurveyRule) => "survey",
    /// The unit's measurement against the mean or median over the units scored together.
    Relative(Relative) => "relative",
    /// Points given directly by an assessor.
    Direct(Direct) => "direct",
    /// A rate per item or per day late, after a free allowance and within a limit.
    Rate(Rate) => "rate",
    /// The unit's measurement against its own of the previous year.
    Trend(Trend) => "trend",
    /// A different rule depending on a unit attribute or on another leaf's input.
    Branch(Branch) => "branch",
}

/// Why a rule could not read or score a measurement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RuleError {
    /// The text is none of the rule's printed answers.
    #[error("\"{text}\" is not {expected}")]
    NotAnAnswer {
        /// The text given.
        text: String,
        /// What the rule takes, in words: `yes or no (write có/không, yes/no or 1/0)`.
        expected: String,
    },
    /// A date given to a timeliness rule without a due date.
    #[error(
        "\"{0}\" is a date, but this criterion has no due date; write on-time, late or missing"
    )]
    DateWithoutDue(String),
    /// The text does not read as the rule's number, percent, count or survey.
    #[error("{0}")]
    Unreadable(String),
    /// A measurement of another shape than the rule reads.
    #[error("{value} is not a measurement for a {kind} rule")]
    WrongMeasurement {
        /// The measurement, as shown.
        value: String,
        /// The rule's kind.
        kind: RuleKind,
    },
    /// A measurement no tier covers.
    #[error("{0} matches no tier")]
    NoTier(String),
    /// A computation beyond the range of a decimal.
    #[error("the ratio is too large to compute")]
    TooLarge,
    /// Points given directly outside the allowed range.
    #[error("{} is outside [{min}, {max}]", plural(.points, "point"))]
    OutsideRange {
        /// The points given.
        points: Decimal,
        /// The fewest allowed.
        min: Decimal,
        /// The most allowed.
        max: Decimal,
    },
    /// Points given directly off the allowed steps.
    #[error("{} is not a multiple of the step {step}{}", plural(.points, "point"), from_min(*.min))]
    OffStep {
        /// The points given.
        points: Decimal,
        /// The step.
        step: Decimal,
        /// Where the steps are counted from.
        min: Decimal,
    },
    /// A relative rule scored without the statistic of its group.
    #[error("no {0} to compare with")]
    NoReference(Statistic),
    /// A branch scored without a case that applies.
    #[error("no case of the branch applies")]
    NoCase,
    /// Survey results the rule cannot score, said in words.
    #[error("{0}")]
    Survey(String),
}

fn from_min(min: Decimal) -> String {
    // Steps are counted from the floor: say so when it is not 0.
    if min.is_zero() {
        String::new()
    } else {
        format!(" counted from {}", min.normalize())
    }
}

impl From<RuleError> for String {
    fn from(error: RuleError) -> String {
        error.to_string()
    }
}

/// What the scorer knows beyond the measurement.
#[derive(Debug, Clone, Copy)]
pub struct Context {
    /// The node's maximum.
    pub max: Decimal,
    /// The set's rounding mode, for rules that declare rounding.
    pub rounding: Rounding,
    /// For relative rules: the statistic over the units compared with.
    pub reference: Option<Decimal>,
    /// For branches: the index of the case that applies.
    pub case: Option<usize>,
    /// The set's tier-gap policy, for tiers that declare none of their own.
    pub tier_gap: TierGap,
}

impl Context {
    /// A context with only the node's maximum, for rules that need nothing else: the set's
    /// policy is the default one.
    pub fn with_max(max: Decimal) -> Self {
        Context {
            max,
            rounding: Rounding::HalfAwayFromZero,
            reference: None,
            case: None,
            tier_gap: TierGap::Refuse,
        }
    }

    /// A context with the node's maximum and what the set's policy says of every rule (its
    /// rounding, its tier-gap policy): what a reader needs to score a value alone, as the
    /// scorer will.
    ///
    /// ```
    /// use parindex_core::{Context, Policy, Rule, Tier, Tiers, TierGap};
    /// use rust_decimal::Decimal;
    /// let rule = Rule::Tiers(Tiers {
    ///     tiers: vec![Tier::new("x >= 80", Decimal::TWO), Tier::new("x < 70", Decimal::ZERO)],
    ///     ..Tiers::default()
    /// });
    /// let seen = rule.parse("75%")?;
    /// assert!(rule.evaluate(&seen, &Context::with_max(Decimal::TWO)).is_err());
    /// let policy = Policy { tier_gap: TierGap::Zero, ..Policy::default() };
    /// let outcome = rule.evaluate(&seen, &Context::with_policy(Decimal::TWO, &policy))?;
    /// assert_eq!(outcome.points, Decimal::ZERO);
    /// assert_eq!(rule.explain(&seen, &outcome), r#"75% → no tier covers it → 0 (gap = "zero")"#);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn with_policy(max: Decimal, policy: &Policy) -> Self {
        Context {
            rounding: policy.rounding,
            tier_gap: policy.tier_gap,
            ..Context::with_max(max)
        }
    }
}

/// The points a rule gave and which of its branches fired.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// Points won.
    pub points: Decimal,
    /// Which branch of the rule fired.
    pub fired: Fired,
}

impl Outcome {
    /// The outcome of the rule that scored: a branch's case's own, else this one.
    fn innermost(&self) -> &Outcome {
        match &self.fired {
            Fired::Case(_, inner) => inner.innermost(),
            _ => self,
        }
    }

    /// Whether the measurement fell in a printed gap between tiers and was scored 0 under the
    /// `zero` tier-gap policy.
    pub fn in_gap(&self) -> bool {
        matches!(self.innermost().fired, Fired::Gap { .. })
    }
}

/// Which branch of a rule fired, kept compact so that explanations are built only on demand.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fired {
    /// Yes or no.
    Answer(bool),
    /// A level, by position.
    Level(u16),
    /// On time.
    OnTime,
    /// Late, by so many days when a date was given.
    Late(Option<i64>),
    /// Not done.
    NotDone,
    /// A tier, by position.
    Tier(u16),
    /// No tier: the measurement fell in a printed gap between tiers, scored 0 under the `zero`
    /// tier-gap policy.
    Gap {
        /// For a survey share, the share satisfied in percent; `None` for a tiers rule, whose
        /// measurement is the value itself.
        percent: Option<Decimal>,
    },
    /// A proportional rule: the ratio in percent, and whether the floor or the cap applied.
    Proportional {
        /// The measured ratio, in percent.
        percent: Decimal,
        /// Below the floor: 0 points.
        below_floor: bool,
        /// The cap (or the target) limited the points.
        capped: bool,
    },
    /// Per item: the count, and whether the cap or floor limited the points.
    PerItem {
        /// Items counted.
        count: Decimal,
        /// The cap or floor applied.
        limited: bool,
    },
    /// Survey: the measured share or weighted score, in percent, and the tier if any.
    Survey {
        /// The share satisfied or option-weighted score, in percent.
        percent: Decimal,
        /// The tier that matched, in share mode.
        tier: Option<u16>,
    },
    /// Relative: the reference value and whether the unit reached it.
    Relative {
        /// The mean or median compared with.
        reference: Decimal,
        /// Whether the measurement is at or above it.
        reached: bool,
    },
    /// Points given directly.
    Direct,
    /// A branch case, by position, and what its rule did.
    Case(u16, Box<Outcome>),
}

impl Rule {
    /// The input the rule reads from a cell: what readers, templates and forms ask for.
    pub fn input(&self) -> InputShape<'_> {
        self.body().input()
    }

    /// Whether the rule measures a share of a whole in percent (percent tiers, proportional
    /// rules, survey shares): a bare number in its input is a percentage.
    pub fn measures_percent(&self) -> bool {
        self.input().measures_percent()
    }

    /// Whether the rule reads dates in its input (a date against a due date).
    pub fn takes_date(&self) -> bool {
        self.input().takes_date()
    }

    /// Reads the text an office writes for this rule's measurement.
    ///
    /// Not applicable (`N/A`) is read by the caller, before the rule sees the text. The text is
    /// read in NFC, so a word typed with combining marks matches the same word composed.
    pub fn parse(&self, text: &str) -> Result<Value, RuleError> {
        self.body().parse(nfc(text).trim())
    }

    /// The points for a measurement, with only the node's maximum known.
    pub fn points(&self, value: &Value, max: Decimal) -> Result<Decimal, RuleError> {
        self.evaluate(value, &Context::with_max(max))
            .map(|o| o.points)
    }

    /// Maps a measurement to points, and says which branch fired.
    pub fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        self.body().evaluate(value, ctx)
    }

    /// Whether a value can be scored alone, with only the node's maximum known, as a reader
    /// does to refuse a value at its cell; `false` for rules that need the other units (relative)
    /// or the unit's case (branch).
    pub fn scores_alone(&self) -> bool {
        self.body().scores_alone()
    }

    /// The most and the fewest points the rule can give, for validation.
    pub fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        self.body().points_range(max)
    }

    /// The distinct points of the rule's ordered outcomes, ascending, for the uncertainty
    /// analysis; `None` when its outcomes are not a short ordered list (proportional, per item,
    /// direct, relative, branch).
    pub fn outcome_points(&self) -> Option<Vec<Decimal>> {
        let mut points = self.body().outcome_points()?;
        points.sort();
        points.dedup();
        (points.len() > 1).then_some(points)
    }

    /// The printed answer a choice stands for, by its position: `None` for a value that is not
    /// one of the rule's answers.
    pub fn answer(&self, value: &Value) -> Option<Answer<'_>> {
        let Value::Choice(i) = value else {
            return None;
        };
        match self.input() {
            InputShape::Answer(answers)
            | InputShape::Date {
                outcomes: answers, ..
            } => answers.into_iter().nth(usize::from(*i)),
            _ => None,
        }
    }

    /// A measurement as an office reads it: a choice as its printed answer (`Tốt`), not its
    /// position (`#1`); any other value as written.
    pub fn show(&self, value: &Value) -> String {
        match self.answer(value) {
            Some(answer) => answer.shown().to_owned(),
            None => value.to_string(),
        }
    }

    /// Says in words what the rule saw and which branch fired: `7/9 (77.78%) → tier
    /// 50 <= x < 100 → 0.5`.
    pub fn explain(&self, value: &Value, outcome: &Outcome) -> String {
        self.body().explain(value, outcome).unwrap_or_else(|| {
            format!(
                "{} → {}",
                show_value(value, self.measures_percent()),
                outcome.points.normalize()
            )
        })
    }

    /// The warning for a measurement that fell in a printed gap between tiers and was scored 0
    /// under the `zero` tier-gap policy: `no tier covers 75%: scored 0 (gap = "zero")`; `None`
    /// for any other outcome.
    pub fn gap_warning(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Gap { percent } = outcome.innermost().fired else {
            return None;
        };
        let shown = match percent {
            Some(p) => format!("{}% satisfied", p.round_dp(2).normalize()),
            None => show_value(value, self.measures_percent()),
        };
        Some(format!("no tier covers {shown}: {GAP_SCORED_ZERO}"))
    }

    /// Counts due dates that follow `event` from its new date, in this rule and its cases.
    pub(crate) fn follow_event(&mut self, event: &str, date: crate::date::Date) {
        self.body_mut().follow_event(event, date);
    }

    /// Writes the rule's own keys, for [`crate::rule_to_toml`].
    pub(crate) fn write_fields(&self, fields: &mut Vec<String>) {
        self.body().write(fields);
    }

    /// Runs the kind's own checks.
    pub(crate) fn validate_kind(&self, node: &Node, checks: &mut RuleChecks<'_>) {
        self.body().validate(node, checks);
    }
}

/// A measurement as an explanation shows it: a ratio with its percent, a number read as a
/// percent with its sign.
fn show_value(value: &Value, percent: bool) -> String {
    match value {
        Value::Ratio {
            numerator,
            denominator,
        } => match percent_of(*numerator, *denominator) {
            Ok(p) => format!("{value} ({}%)", p.round_dp(2).normalize()),
            Err(_) => value.to_string(),
        },
        Value::Number(n) if percent => format!("{}%", n.normalize()),
        _ => value.to_string(),
    }
}

/// What a value in a printed tier gap gets, and the policy that says so.
const GAP_SCORED_ZERO: &str = "scored 0 (gap = \"zero\")";

/// The end of an explanation of a measurement in a printed tier gap, after what it shows.
fn gap_explained(shown: &str) -> String {
    format!("{shown} → no tier covers it → 0 (gap = \"zero\")")
}

/// The outcome for a measurement no tier covers: 0 points under the `zero` tier-gap policy
/// (the rule's own, else the set's), else refused. `percent` is a survey's share satisfied.
fn no_tier(
    gap: Option<TierGap>,
    ctx: &Context,
    value: &Value,
    percent: Option<Decimal>,
) -> Result<Outcome, RuleError> {
    match gap.unwrap_or(ctx.tier_gap) {
        TierGap::Zero => fired(Decimal::ZERO, Fired::Gap { percent }),
        TierGap::Refuse => Err(RuleError::NoTier(match percent {
            Some(p) => format!("{}% satisfied", p.round_dp(2)),
            None => value.to_string(),
        })),
    }
}

/// A measurement that is not of the shape a kind reads.
fn wrong_measurement(value: &Value, kind: RuleKind) -> RuleError {
    RuleError::WrongMeasurement {
        value: value.to_string(),
        kind,
    }
}

fn percent_of(numerator: Decimal, denominator: Decimal) -> Result<Decimal, RuleError> {
    numerator
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(denominator))
        .ok_or(RuleError::TooLarge)
}

fn tier_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

/// The best and the worst of some points; zeros when there are none.
fn span(points: impl IntoIterator<Item = Decimal>) -> (Decimal, Decimal) {
    let all: Vec<Decimal> = points.into_iter().collect();
    let best = all.iter().copied().max().unwrap_or_default();
    let worst = all.iter().copied().min().unwrap_or_default();
    (best, worst)
}

/// A number typed in, as a measurement.
fn number_input(text: &str) -> Result<Value, RuleError> {
    crate::value::parse_decimal(text)
        .map(Value::Number)
        .map_err(RuleError::Unreadable)
}

/// A count of items typed in, as a measurement.
fn count_input(text: &str) -> Result<Value, RuleError> {
    crate::value::parse_count(text)
        .map(Value::Number)
        .map_err(RuleError::Unreadable)
}

/// An outcome with its points.
fn fired(points: Decimal, fired: Fired) -> Result<Outcome, RuleError> {
    Ok(Outcome { points, fired })
}

#[cfg(test)]
mod test_support;
#[cfg(test)]
mod tests;
