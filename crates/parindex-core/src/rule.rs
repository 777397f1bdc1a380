//! The rule vocabulary: how a leaf's measurement maps to points.
//!
//! A rule never sees the unit, only its measurement and a [`Context`] prepared by the scorer
//! (the node's maximum, the group reference for relative rules, the case a branch takes).
//! Each rule also explains itself: [`Rule::explain`] tells which branch fired and why.

use rust_decimal::Decimal;

use crate::condition::Condition;
use crate::date::Date;
use crate::model::{AttrValue, Rounding};
use crate::names::named;
use crate::text::nfc;
use crate::value::{self, Responses, Survey, Value};

/// How a leaf's measurement maps to points. See `criteria/FORMAT.md` for the file syntax.
///
/// ```
/// use parindex_core::{Rule, Tier, Measure, Better, Value};
/// use rust_decimal::Decimal;
/// let rule = Rule::Tiers {
///     measure: Measure::Percent,
///     better: Better::Higher,
///     tiers: vec![
///         Tier::new("x >= 100", Decimal::ONE),
///         Tier::new("50 <= x < 100", Decimal::new(5, 1)),
///         Tier::new("x < 50", Decimal::ZERO),
///     ],
/// };
/// let seen = rule.parse("7/9")?;
/// assert_eq!(rule.points(&seen, Decimal::ONE)?, Decimal::new(5, 1));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rule {
    /// Yes or no.
    YesNo {
        /// Points for yes.
        yes: Decimal,
        /// Points for no.
        no: Decimal,
        /// The printed answer for yes.
        yes_label: Option<String>,
        /// The printed answer for no.
        no_label: Option<String>,
    },
    /// A choice among named levels, listed best first as printed.
    Levels {
        /// The levels.
        levels: Vec<Level>,
    },
    /// A date against a due date, or an outcome: on time, late, missing.
    Timeliness {
        /// The due date, when inputs may be dates.
        due: Option<Date>,
        /// Points when done on time.
        on_time: Decimal,
        /// Points when done late.
        late: Decimal,
        /// Points when not done.
        missing: Decimal,
        /// Points taken off `late` per day late, down to `missing`.
        per_day_late: Option<Decimal>,
    },
    /// Ordered tiers over a measure; the first that matches wins.
    Tiers {
        /// What is measured.
        measure: Measure,
        /// Which direction is better.
        better: Better,
        /// The tiers, as printed.
        tiers: Vec<Tier>,
    },
    /// Points proportional to a ratio: `max × min(1, ratio ÷ target)`.
    Proportional {
        /// The percent that earns the maximum; 100 when absent.
        target: Option<Decimal>,
        /// The percent below which the points are 0.
        floor: Option<Decimal>,
        /// The most points given; the node's maximum when absent.
        cap: Option<Decimal>,
        /// Decimals to round the points to, with the set's rounding mode.
        round: Option<u32>,
    },
    /// Points per counted item, capped (or floored, for a negative amount).
    PerItem {
        /// Points per item; negative for a penalty.
        points: Decimal,
        /// The most points given; the node's maximum when absent.
        cap: Option<Decimal>,
        /// The fewest points given, for a penalty.
        floor: Option<Decimal>,
    },
    /// Survey results.
    Survey {
        /// Share satisfied mapped to tiers, or option-weighted counts.
        mode: SurveyMode,
        /// Respondent groups and their weights; empty when responses are not split.
        groups: Vec<(String, Decimal)>,
        /// The answers that count as satisfied when raw responses are tallied; empty when
        /// answers are read as yes or no.
        satisfied: Vec<String>,
    },
    /// The unit's measurement against the mean or median over the units scored together.
    Relative {
        /// The statistic compared with.
        to: Statistic,
        /// Which units the statistic is taken over.
        among: Among,
        /// Points when the measurement is at or above the statistic.
        at_or_above: Decimal,
        /// Points when below.
        below: Decimal,
    },
    /// Points given directly by an assessor.
    Direct {
        /// The fewest points allowed; 0 when absent (negative only in a penalty block).
        min: Option<Decimal>,
        /// Allowed increments, counted from `min`.
        step: Option<Decimal>,
    },
    /// A different rule depending on a unit attribute or on another leaf's input.
    Branch {
        /// What decides the case.
        on: BranchOn,
        /// The cases, in order; a case without `equals` is the otherwise case.
        cases: Vec<Case>,
    },
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
    /// [`Rule::YesNo`].
    YesNo,
    /// [`Rule::Levels`].
    Levels,
    /// [`Rule::Timeliness`].
    Timeliness,
    /// [`Rule::Tiers`].
    Tiers,
    /// [`Rule::Proportional`].
    Proportional,
    /// [`Rule::PerItem`].
    PerItem,
    /// [`Rule::Survey`].
    Survey,
    /// [`Rule::Relative`].
    Relative,
    /// [`Rule::Direct`].
    Direct,
    /// [`Rule::Branch`].
    Branch,
}

named!(RuleKind, "rule kind", {
    YesNo => "yes-no",
    Levels => "levels",
    Timeliness => "timeliness",
    Tiers => "tiers",
    Proportional => "proportional",
    PerItem => "per-item",
    Survey => "survey",
    Relative => "relative",
    Direct => "direct",
    Branch => "branch",
});

/// A named level of a [`Rule::Levels`] rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Level {
    /// A short key used in inputs.
    pub key: String,
    /// The answer as printed.
    pub label: Option<String>,
    /// Points for this level.
    pub points: Decimal,
}

/// A tier: a range of the measure and the points it earns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tier {
    /// The range, as printed.
    pub when: Condition,
    /// Points in this range.
    pub points: Decimal,
    /// The answer as printed.
    pub label: Option<String>,
}

impl Tier {
    /// A tier from a condition's text; panics on invalid text, so meant for examples and tests.
    pub fn new(when: &str, points: Decimal) -> Self {
        let when = when.parse().unwrap_or_else(|e| panic!("{e}"));
        Tier {
            when,
            points,
            label: None,
        }
    }
}

/// What a tier rule measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Measure {
    /// A share in [0, 100]: `87.5`, `87.5%` or `45/50`.
    Percent,
    /// A whole number of items, at least 0.
    Count,
    /// Any number.
    Number,
}

named!(Measure, "measure", {
    Percent => "percent",
    Count => "count",
    Number => "number",
});

/// Which direction of a measure is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Better {
    /// More is better (the usual case).
    Higher,
    /// Less is better (violations, days late).
    Lower,
}

named!(Better, "direction", {
    Higher => "higher",
    Lower => "lower",
});

/// How survey results become points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SurveyMode {
    /// The share satisfied, mapped to tiers over a percent.
    Share {
        /// The tiers.
        tiers: Vec<Tier>,
    },
    /// Counts per answer option, weighted: points are `max × Σ(count × weight) ÷ (100 × Σ count)`.
    Options {
        /// Answer options and their weights, in percent.
        options: Vec<(String, Decimal)>,
    },
}

impl SurveyMode {
    /// The mode's kind; its name is what a criteria file's `mode` writes.
    pub const fn kind(&self) -> SurveyModeKind {
        match self {
            SurveyMode::Share { .. } => SurveyModeKind::Share,
            SurveyMode::Options { .. } => SurveyModeKind::Options,
        }
    }
}

/// The kind of a [`SurveyMode`], as a criteria file's `mode` names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SurveyModeKind {
    /// [`SurveyMode::Share`].
    Share,
    /// [`SurveyMode::Options`].
    Options,
}

named!(SurveyModeKind, "survey mode", {
    Share => "share",
    Options => "options",
});

/// The statistic of a relative rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Statistic {
    /// The arithmetic mean.
    Mean,
    /// The median; the mean of the two middle values for an even count.
    Median,
}

named!(Statistic, "statistic", {
    Mean => "mean",
    Median => "median",
});

/// Which units a relative rule compares with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Among {
    /// Every unit scored together.
    All,
    /// The units of the same ranking group.
    Group,
}

named!(Among, "comparison group", {
    All => "all",
    Group => "group",
});

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
}

impl Context {
    /// A context with only the node's maximum, for rules that need nothing else.
    pub fn with_max(max: Decimal) -> Self {
        Context {
            max,
            rounding: Rounding::HalfAwayFromZero,
            reference: None,
            case: None,
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

fn d(n: i64) -> Decimal {
    Decimal::from(n)
}

fn percent_of(numerator: Decimal, denominator: Decimal) -> Result<Decimal, String> {
    numerator
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|n| n.checked_div(denominator))
        .ok_or_else(|| "the ratio is too large to compute".to_owned())
}

const ON_TIME_WORDS: &[&str] = &[
    "on-time",
    "on time",
    "đúng hạn",
    "kịp thời",
    "đúng thời hạn",
    "đúng thời gian",
    "ontime",
];
const LATE_WORDS: &[&str] = &[
    "late",
    "trễ hạn",
    "chậm",
    "muộn",
    "trễ",
    "quá hạn",
    "không kịp thời",
];
const NOT_DONE_WORDS: &[&str] = &[
    "missing",
    "not done",
    "không",
    "chưa",
    "không ban hành",
    "chưa ban hành",
    "not-done",
    "none",
];

impl Rule {
    /// The rule's kind; its name is what a criteria file writes.
    pub const fn kind(&self) -> RuleKind {
        match self {
            Rule::YesNo { .. } => RuleKind::YesNo,
            Rule::Levels { .. } => RuleKind::Levels,
            Rule::Timeliness { .. } => RuleKind::Timeliness,
            Rule::Tiers { .. } => RuleKind::Tiers,
            Rule::Proportional { .. } => RuleKind::Proportional,
            Rule::PerItem { .. } => RuleKind::PerItem,
            Rule::Survey { .. } => RuleKind::Survey,
            Rule::Relative { .. } => RuleKind::Relative,
            Rule::Direct { .. } => RuleKind::Direct,
            Rule::Branch { .. } => RuleKind::Branch,
        }
    }

    /// Whether the rule measures a share of a whole in percent (percent tiers, proportional
    /// rules, survey shares): a bare number in its input is a percentage.
    pub fn measures_percent(&self) -> bool {
        match self {
            Rule::Tiers { measure, .. } => *measure == Measure::Percent,
            Rule::Proportional { .. } | Rule::Survey { .. } => true,
            Rule::YesNo { .. }
            | Rule::Levels { .. }
            | Rule::Timeliness { .. }
            | Rule::PerItem { .. }
            | Rule::Relative { .. }
            | Rule::Direct { .. }
            | Rule::Branch { .. } => false,
        }
    }

    /// Whether the rule reads dates in its input (a date against a due date).
    pub fn takes_date(&self) -> bool {
        match self {
            Rule::Timeliness { .. } => true,
            Rule::YesNo { .. }
            | Rule::Levels { .. }
            | Rule::Tiers { .. }
            | Rule::Proportional { .. }
            | Rule::PerItem { .. }
            | Rule::Survey { .. }
            | Rule::Relative { .. }
            | Rule::Direct { .. }
            | Rule::Branch { .. } => false,
        }
    }

    /// Reads the text an office writes for this rule's measurement.
    ///
    /// Not applicable (`N/A`) is read by the caller, before the rule sees the text. The text is
    /// read in NFC, so a word typed with combining marks matches the same word composed.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let text = nfc(text);
        let t = text.trim();
        match self {
            Rule::YesNo {
                yes_label,
                no_label,
                ..
            } => {
                if let Some(b) = value::parse_bool(t) {
                    return Ok(Value::Bool(b));
                }
                let matches = |label: &Option<String>| {
                    label
                        .as_deref()
                        .is_some_and(|l| nfc(l).trim().to_lowercase() == t.to_lowercase())
                };
                if matches(yes_label) {
                    Ok(Value::Bool(true))
                } else if matches(no_label) {
                    Ok(Value::Bool(false))
                } else {
                    Err(format!(
                        "\"{t}\" is not yes or no (write có/không, yes/no or 1/0)"
                    ))
                }
            }
            Rule::Levels { levels } => {
                let lower = t.to_lowercase();
                let found = levels.iter().position(|l| {
                    nfc(&l.key).to_lowercase() == lower
                        || l.label
                            .as_deref()
                            .is_some_and(|x| nfc(x).trim().to_lowercase() == lower)
                });
                let by_position = t
                    .parse::<usize>()
                    .ok()
                    .filter(|p| (1..=levels.len()).contains(p))
                    .map(|p| p - 1);
                found
                    .or(by_position)
                    .and_then(|i| u16::try_from(i).ok())
                    .map(Value::Choice)
                    .ok_or_else(|| {
                        let keys: Vec<&str> = levels.iter().map(|l| l.key.as_str()).collect();
                        format!("\"{t}\" is not one of the levels {}", keys.join(", "))
                    })
            }
            Rule::Timeliness { due, .. } => {
                let lower = t.to_lowercase();
                if ON_TIME_WORDS.contains(&lower.as_str()) {
                    return Ok(Value::Choice(0));
                }
                if LATE_WORDS.contains(&lower.as_str()) {
                    return Ok(Value::Choice(1));
                }
                if NOT_DONE_WORDS.contains(&lower.as_str()) {
                    return Ok(Value::Choice(2));
                }
                match t.parse::<Date>() {
                    Ok(date) if due.is_some() => Ok(Value::Date(date)),
                    Ok(_) => Err(format!(
                        "\"{t}\" is a date, but this criterion has no due date; write on-time, late or missing"
                    )),
                    Err(_) => Err(format!(
                        "\"{t}\" is not a date or one of on-time (đúng hạn), late (trễ hạn), missing (không)"
                    )),
                }
            }
            Rule::Tiers { measure, .. } => match measure {
                Measure::Percent => value::parse_percent(t),
                Measure::Count => value::parse_count(t).map(Value::Number),
                Measure::Number => value::parse_decimal(t).map(Value::Number),
            },
            Rule::Proportional { .. } => value::parse_percent(t),
            Rule::PerItem { .. } => value::parse_count(t).map(Value::Number),
            Rule::Survey { .. } => value::parse_survey(t).map(|s| Value::Survey(Box::new(s))),
            Rule::Relative { .. } | Rule::Direct { .. } => {
                value::parse_decimal(t).map(Value::Number)
            }
            Rule::Branch { .. } => Ok(Value::Text(t.into())),
        }
    }

    /// The points for a measurement, with only the node's maximum known.
    pub fn points(&self, value: &Value, max: Decimal) -> Result<Decimal, String> {
        self.evaluate(value, &Context::with_max(max))
            .map(|o| o.points)
    }

    /// Maps a measurement to points, and says which branch fired.
    pub fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, String> {
        let wrong = || format!("{value} is not a measurement for a {} rule", self.kind());
        let outcome = |points, fired| Ok(Outcome { points, fired });
        match self {
            Rule::YesNo { yes, no, .. } => match value {
                Value::Bool(true) => outcome(*yes, Fired::Answer(true)),
                Value::Bool(false) => outcome(*no, Fired::Answer(false)),
                _ => Err(wrong()),
            },
            Rule::Levels { levels } => match value {
                Value::Choice(i) => match levels.get(usize::from(*i)) {
                    Some(level) => outcome(level.points, Fired::Level(*i)),
                    None => Err(wrong()),
                },
                _ => Err(wrong()),
            },
            Rule::Timeliness {
                due,
                on_time,
                late,
                missing,
                per_day_late,
            } => match value {
                Value::Choice(0) => outcome(*on_time, Fired::OnTime),
                Value::Choice(1) => outcome(*late, Fired::Late(None)),
                Value::Choice(2) => outcome(*missing, Fired::NotDone),
                Value::Date(done) => {
                    let due = due.ok_or_else(wrong)?;
                    let days = done.days_since(due);
                    if days <= 0 {
                        return outcome(*on_time, Fired::OnTime);
                    }
                    let penalty = per_day_late
                        .unwrap_or_default()
                        .checked_mul(d(days))
                        .unwrap_or(Decimal::MAX);
                    let points = late.checked_sub(penalty).unwrap_or(*missing).max(*missing);
                    outcome(points, Fired::Late(Some(days)))
                }
                _ => Err(wrong()),
            },
            Rule::Tiers { measure, tiers, .. } => {
                let position = match (measure, value) {
                    (
                        Measure::Percent,
                        Value::Ratio {
                            numerator,
                            denominator,
                        },
                    ) => tiers.iter().position(|t| {
                        t.when
                            .contains_ratio(*numerator, *denominator, Decimal::ONE_HUNDRED)
                    }),
                    (_, Value::Number(x)) => tiers.iter().position(|t| t.when.contains(*x)),
                    _ => return Err(wrong()),
                };
                match position {
                    Some(i) => outcome(tiers[i].points, Fired::Tier(tier_index(i))),
                    None => Err(format!("{value} matches no tier")),
                }
            }
            Rule::Proportional {
                target,
                floor,
                cap,
                round,
            } => {
                let (numerator, denominator) = value.as_percent_ratio().ok_or_else(wrong)?;
                let percent = percent_of(numerator, denominator)?;
                if floor.is_some_and(|f| percent < f) {
                    let fired = Fired::Proportional {
                        percent,
                        below_floor: true,
                        capped: false,
                    };
                    return outcome(Decimal::ZERO, fired);
                }
                let target = target.unwrap_or(Decimal::ONE_HUNDRED);
                let share = percent.checked_div(target).ok_or_else(wrong)?;
                let (share, mut capped) = if share > Decimal::ONE {
                    (Decimal::ONE, true)
                } else {
                    (share, false)
                };
                // Multiply before dividing where possible, so that 45/50 × 5 stays exact.
                let mut points = if target == Decimal::ONE_HUNDRED && !capped {
                    ctx.max
                        .checked_mul(numerator)
                        .and_then(|p| p.checked_div(denominator))
                        .ok_or_else(wrong)?
                } else {
                    ctx.max.checked_mul(share).ok_or_else(wrong)?
                };
                let cap = cap.unwrap_or(ctx.max);
                if points > cap {
                    points = cap;
                    capped = true;
                }
                if let Some(dp) = round {
                    points = ctx.rounding.round(points, *dp);
                }
                outcome(
                    points,
                    Fired::Proportional {
                        percent,
                        below_floor: false,
                        capped,
                    },
                )
            }
            Rule::PerItem { points, cap, floor } => {
                let Value::Number(count) = value else {
                    return Err(wrong());
                };
                let raw = points.checked_mul(*count).ok_or_else(wrong)?;
                let cap = cap.unwrap_or(ctx.max);
                let limited_cap = if raw > cap { Some(cap) } else { None };
                let limited_floor = floor.filter(|f| raw < *f);
                let total = limited_cap.or(limited_floor).unwrap_or(raw);
                let limited = limited_cap.is_some() || limited_floor.is_some();
                outcome(
                    total,
                    Fired::PerItem {
                        count: *count,
                        limited,
                    },
                )
            }
            Rule::Survey { mode, groups, .. } => {
                let Value::Survey(survey) = value else {
                    return Err(wrong());
                };
                evaluate_survey(mode, groups, survey, ctx)
            }
            Rule::Relative {
                at_or_above,
                below,
                to,
                ..
            } => {
                let Value::Number(x) = value else {
                    return Err(wrong());
                };
                let reference = ctx
                    .reference
                    .ok_or_else(|| format!("no {to} to compare with"))?;
                let reached = *x >= reference;
                let points = if reached { *at_or_above } else { *below };
                outcome(points, Fired::Relative { reference, reached })
            }
            Rule::Direct { min, step } => {
                let Value::Number(x) = value else {
                    return Err(wrong());
                };
                let min = min.unwrap_or(Decimal::ZERO);
                if *x < min || *x > ctx.max {
                    return Err(format!(
                        "{} points is outside [{}, {}]",
                        x.normalize(),
                        min.normalize(),
                        ctx.max.normalize()
                    ));
                }
                if let Some(step) = step.filter(|s| !s.is_zero()) {
                    if !((*x - min) % step).is_zero() {
                        // Steps are counted from the floor: say so when it is not 0.
                        let from = if min.is_zero() {
                            String::new()
                        } else {
                            format!(" counted from {}", min.normalize())
                        };
                        return Err(format!(
                            "{} points is not a multiple of the step {}{from}",
                            x.normalize(),
                            step.normalize()
                        ));
                    }
                }
                outcome(*x, Fired::Direct)
            }
            Rule::Branch { cases, .. } => {
                let index = ctx
                    .case
                    .ok_or_else(|| "no case of the branch applies".to_owned())?;
                let case = cases.get(index).ok_or_else(wrong)?;
                let parsed;
                let value = match value {
                    Value::Text(text) => {
                        parsed = case.rule.parse(text)?;
                        &parsed
                    }
                    other => other,
                };
                let inner = case.rule.evaluate(value, &Context { case: None, ..*ctx })?;
                outcome(
                    inner.points,
                    Fired::Case(tier_index(index), Box::new(inner)),
                )
            }
        }
    }

    /// The most and the fewest points the rule can give, for validation.
    pub fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        let span = |points: &mut dyn Iterator<Item = Decimal>| {
            let all: Vec<Decimal> = points.collect();
            let best = all.iter().copied().max().unwrap_or_default();
            let worst = all.iter().copied().min().unwrap_or_default();
            (best, worst)
        };
        match self {
            Rule::YesNo { yes, no, .. } => span(&mut [*yes, *no].into_iter()),
            Rule::Levels { levels } => span(&mut levels.iter().map(|l| l.points)),
            Rule::Timeliness {
                on_time,
                late,
                missing,
                ..
            } => span(&mut [*on_time, *late, *missing].into_iter()),
            Rule::Tiers { tiers, .. }
            | Rule::Survey {
                mode: SurveyMode::Share { tiers },
                ..
            } => span(&mut tiers.iter().map(|t| t.points)),
            Rule::Proportional { cap, .. } => (cap.unwrap_or(max), Decimal::ZERO),
            Rule::Survey {
                mode: SurveyMode::Options { options },
                ..
            } => {
                let (best, worst) = span(&mut options.iter().map(|(_, w)| *w));
                (
                    max * best / Decimal::ONE_HUNDRED,
                    max * worst / Decimal::ONE_HUNDRED,
                )
            }
            Rule::PerItem { points, cap, floor } => {
                if points.is_sign_negative() {
                    (Decimal::ZERO, floor.unwrap_or(Decimal::MIN))
                } else {
                    (cap.unwrap_or(max), Decimal::ZERO)
                }
            }
            Rule::Relative {
                at_or_above, below, ..
            } => span(&mut [*at_or_above, *below].into_iter()),
            Rule::Direct { min, .. } => (max, min.unwrap_or(Decimal::ZERO)),
            Rule::Branch { cases, .. } => {
                let ranges: Vec<(Decimal, Decimal)> =
                    cases.iter().map(|c| c.rule.points_range(max)).collect();
                let best = ranges.iter().map(|r| r.0).max().unwrap_or_default();
                let worst = ranges.iter().map(|r| r.1).min().unwrap_or_default();
                (best, worst)
            }
        }
    }

    /// Says in words what the rule saw and which branch fired: `7/9 (77.78%) → tier
    /// 50 <= x < 100 → 0.5`.
    pub fn explain(&self, value: &Value, outcome: &Outcome) -> String {
        let points = outcome.points.normalize();
        let shown = self.show_value(value);
        match (&outcome.fired, self) {
            (
                Fired::Answer(yes),
                Rule::YesNo {
                    yes_label,
                    no_label,
                    ..
                },
            ) => {
                let label = if *yes { yes_label } else { no_label };
                let word = if *yes { "yes" } else { "no" };
                match label {
                    Some(label) => format!("{word} ({label}) → {points}"),
                    None => format!("{word} → {points}"),
                }
            }
            (Fired::Level(i), Rule::Levels { levels }) => {
                let level = &levels[usize::from(*i)];
                match &level.label {
                    Some(label) => format!("level {} ({label}) → {points}", level.key),
                    None => format!("level {} → {points}", level.key),
                }
            }
            // Given as the word for the outcome, the value is the outcome itself.
            (Fired::OnTime, _) if matches!(value, Value::Choice(_)) => {
                format!("on time → {points}")
            }
            (Fired::OnTime, _) => format!("{shown}: on time → {points}"),
            (Fired::Late(Some(days)), _) => format!("{shown}: {days} days late → {points}"),
            (Fired::Late(None), _) => format!("late → {points}"),
            (Fired::NotDone, _) => format!("not done → {points}"),
            (Fired::Tier(i), Rule::Tiers { tiers, .. }) => {
                format!("{shown} → tier {} → {points}", tiers[usize::from(*i)].when)
            }
            (
                Fired::Proportional {
                    below_floor: true, ..
                },
                Rule::Proportional { floor, .. },
            ) => {
                let floor = floor.unwrap_or_default().normalize();
                format!("{shown} is below the floor of {floor}% → 0")
            }
            (Fired::Proportional { capped, .. }, Rule::Proportional { target, .. }) => {
                let target = target
                    .map(|t| format!(" ÷ {}%", t.normalize()))
                    .unwrap_or_default();
                let cap = if *capped { ", capped" } else { "" };
                format!("{shown}{target} × max → {points}{cap}")
            }
            (Fired::PerItem { count, limited }, Rule::PerItem { points: each, .. }) => {
                let limit = if *limited { ", limited by the cap" } else { "" };
                format!(
                    "{} items × {} → {points}{limit}",
                    count.normalize(),
                    each.normalize()
                )
            }
            (Fired::Survey { percent, tier }, Rule::Survey { mode, .. }) => {
                let percent = percent.round_dp(2).normalize();
                match (tier, mode) {
                    (Some(i), SurveyMode::Share { tiers }) => format!(
                        "{shown}: {percent}% satisfied → tier {} → {points}",
                        tiers[usize::from(*i)].when
                    ),
                    _ => format!("{shown}: weighted score {percent}% × max → {points}"),
                }
            }
            (Fired::Relative { reference, reached }, Rule::Relative { to, .. }) => {
                let sign = if *reached { "≥" } else { "<" };
                format!(
                    "{shown} {sign} {to} {} → {points}",
                    reference.round_dp(4).normalize()
                )
            }
            (Fired::Direct, _) => format!("{shown} points given by the assessor"),
            (Fired::Case(i, inner), Rule::Branch { on, cases }) => {
                let case = &cases[usize::from(*i)];
                let what = match on {
                    BranchOn::Attribute(a) => a.clone(),
                    BranchOn::Node(c) => c.clone(),
                };
                let which = match &case.equals {
                    Some(v) => format!("{what} = {v}"),
                    None => format!("{what}: otherwise"),
                };
                let parsed = match value {
                    Value::Text(t) => case.rule.parse(t).unwrap_or_else(|_| value.clone()),
                    other => other.clone(),
                };
                format!("{which}: {}", case.rule.explain(&parsed, inner))
            }
            _ => format!("{shown} → {points}"),
        }
    }

    fn show_value(&self, value: &Value) -> String {
        match (self, value) {
            (
                _,
                Value::Ratio {
                    numerator,
                    denominator,
                },
            ) => match percent_of(*numerator, *denominator) {
                Ok(p) => format!("{value} ({}%)", p.round_dp(2).normalize()),
                Err(_) => value.to_string(),
            },
            (
                Rule::Tiers {
                    measure: Measure::Percent,
                    ..
                }
                | Rule::Proportional { .. },
                Value::Number(n),
            ) => {
                format!("{}%", n.normalize())
            }
            (Rule::Levels { levels }, Value::Choice(i)) => levels
                .get(usize::from(*i))
                .map(|l| l.key.clone())
                .unwrap_or_default(),
            _ => value.to_string(),
        }
    }
}

fn tier_index(i: usize) -> u16 {
    u16::try_from(i).unwrap_or(u16::MAX)
}

fn evaluate_survey(
    mode: &SurveyMode,
    groups: &[(String, Decimal)],
    survey: &Survey,
    ctx: &Context,
) -> Result<Outcome, String> {
    // Each part measures a percent; an unsplit survey with a share keeps its exact ratio.
    let part_percent = |responses: &Responses| -> Result<Decimal, String> {
        match (responses, mode) {
            (
                Responses::Share {
                    satisfied,
                    respondents,
                },
                _,
            ) => percent_of(*satisfied, *respondents),
            (Responses::Counts(counts), SurveyMode::Options { options }) => {
                let mut total = Decimal::ZERO;
                let mut weighted = Decimal::ZERO;
                for (option, count) in counts {
                    let weight = options
                        .iter()
                        .find(|(o, _)| o.eq_ignore_ascii_case(option))
                        .map(|(_, w)| *w)
                        .ok_or_else(|| {
                            let known: Vec<&str> =
                                options.iter().map(|(o, _)| o.as_str()).collect();
                            format!(
                                "\"{option}\" is not an answer option ({})",
                                known.join(", ")
                            )
                        })?;
                    total = total.checked_add(*count).ok_or("too many respondents")?;
                    weighted = count
                        .checked_mul(weight)
                        .and_then(|w| weighted.checked_add(w))
                        .ok_or("too many respondents")?;
                }
                if total.is_zero() {
                    return Err("no respondents".to_owned());
                }
                Ok(weighted / total)
            }
            (Responses::Counts(_), SurveyMode::Share { .. }) => Err(
                "this criterion takes the share satisfied (85% or 17/20), not answer counts"
                    .to_owned(),
            ),
        }
    };
    let percent = if groups.is_empty() {
        match survey.parts.as_slice() {
            [(None, responses)] => part_percent(responses)?,
            _ => return Err("this criterion's survey is not split by respondent group".to_owned()),
        }
    } else {
        let mut weight_sum = Decimal::ZERO;
        let mut weighted = Decimal::ZERO;
        for (group, responses) in &survey.parts {
            let name = group
                .as_deref()
                .ok_or("name the respondent group of each part (citizens: 80%)")?;
            let weight = groups
                .iter()
                .find(|(g, _)| g == name)
                .map(|(_, w)| *w)
                .ok_or_else(|| format!("\"{name}\" is not a respondent group of this criterion"))?;
            weight_sum += weight;
            weighted += weight * part_percent(responses)?;
        }
        if weight_sum.is_zero() {
            return Err("no respondent group with a weight".to_owned());
        }
        weighted / weight_sum
    };
    match mode {
        SurveyMode::Share { tiers } => {
            // One part given, of one group or of several: its weight divides out, so its share
            // is compared exactly, not as a percentage rounded at the 28th digit.
            let exact = match survey.parts.as_slice() {
                [
                    (
                        _,
                        Responses::Share {
                            satisfied,
                            respondents,
                        },
                    ),
                ] => Some((*satisfied, *respondents)),
                _ => None,
            };
            let position = tiers.iter().position(|t| match exact {
                Some((n, den)) => t.when.contains_ratio(n, den, Decimal::ONE_HUNDRED),
                None => t.when.contains(percent),
            });
            match position {
                Some(i) => Ok(Outcome {
                    points: tiers[i].points,
                    fired: Fired::Survey {
                        percent,
                        tier: Some(tier_index(i)),
                    },
                }),
                None => Err(format!(
                    "{}% satisfied matches no tier",
                    percent.round_dp(2)
                )),
            }
        }
        SurveyMode::Options { .. } => {
            let points = ctx.max * percent / Decimal::ONE_HUNDRED;
            Ok(Outcome {
                points,
                fired: Fired::Survey {
                    percent,
                    tier: None,
                },
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        text.parse().expect("decimal")
    }

    fn score(rule: &Rule, text: &str, max: &str) -> Decimal {
        let value = rule.parse(text).expect("parses");
        rule.points(&value, d(max)).expect("scores")
    }

    fn percent_tiers() -> Rule {
        Rule::Tiers {
            measure: Measure::Percent,
            better: Better::Higher,
            tiers: vec![
                Tier::new("70 <= x <= 100", d("1")),
                Tier::new("50 <= x <= 70", d("0.5")),
                Tier::new("x < 50", d("0")),
            ],
        }
    }

    #[test]
    fn yes_no_reads_both_languages_and_labels() {
        let rule = Rule::YesNo {
            yes: d("1.5"),
            no: d("0"),
            yes_label: Some("Đạt yêu cầu".into()),
            no_label: None,
        };
        assert_eq!(score(&rule, "có", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "không", "1.5"), d("0"));
        assert_eq!(score(&rule, "đạt yêu cầu", "1.5"), d("1.5"));
        assert!(rule.parse("perhaps").is_err());
    }

    #[test]
    fn levels_by_key_label_or_position() {
        let rule = Rule::Levels {
            levels: vec![
                Level {
                    key: "full".into(),
                    label: Some("Đầy đủ".into()),
                    points: d("1.5"),
                },
                Level {
                    key: "partial".into(),
                    label: None,
                    points: d("1"),
                },
                Level {
                    key: "none".into(),
                    label: None,
                    points: d("0"),
                },
            ],
        };
        assert_eq!(score(&rule, "full", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "ĐẦY ĐỦ", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "2", "1.5"), d("1"));
        assert_eq!(
            rule.parse("4").unwrap_err(),
            "\"4\" is not one of the levels full, partial, none"
        );
    }

    #[test]
    fn decomposed_words_match_composed_levels_labels_and_yes_no() {
        // Level names as a file declares them, composed (or, written by hand, decomposed).
        let rule = Rule::Levels {
            levels: vec![
                Level {
                    key: "đầy đủ".into(),
                    label: None,
                    points: d("1.5"),
                },
                Level {
                    key: "chu\u{31b}a đa\u{302}\u{300}y đu\u{309}".into(),
                    label: Some("Chưa kịp thời".into()),
                    points: d("1"),
                },
            ],
        };
        assert_eq!(score(&rule, "đa\u{302}\u{300}y đu\u{309}", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "ĐA\u{302}\u{300}Y ĐU\u{309}", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "chưa đầy đủ", "1.5"), d("1"));
        assert_eq!(
            score(&rule, "chu\u{31b}a ki\u{323}p tho\u{31b}\u{300}i", "1.5"),
            d("1")
        );
        let rule = Rule::YesNo {
            yes: d("1"),
            no: d("0"),
            yes_label: Some("Đã ban hành".into()),
            no_label: None,
        };
        assert_eq!(score(&rule, "co\u{301}", "1"), d("1"));
        assert_eq!(score(&rule, "Đa\u{303} ban ha\u{300}nh", "1"), d("1"));
        let on_time = Rule::Timeliness {
            due: None,
            on_time: d("1"),
            late: d("0.5"),
            missing: d("0"),
            per_day_late: None,
        };
        assert_eq!(score(&on_time, "đu\u{301}ng ha\u{323}n", "1"), d("1"));
    }

    #[test]
    fn timeliness_by_outcome_and_by_date_with_daily_penalty() {
        let rule = Rule::Timeliness {
            due: "2024-01-31".parse().ok(),
            on_time: d("1.5"),
            late: d("1"),
            missing: d("0"),
            per_day_late: Some(d("0.25")),
        };
        assert_eq!(score(&rule, "đúng hạn", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "trễ hạn", "1.5"), d("1"));
        assert_eq!(score(&rule, "không", "1.5"), d("0"));
        assert_eq!(score(&rule, "31/01/2024", "1.5"), d("1.5"));
        assert_eq!(score(&rule, "01/02/2024", "1.5"), d("0.75"));
        assert_eq!(score(&rule, "02/02/2024", "1.5"), d("0.5"));
        // Never below the points for not done.
        assert_eq!(score(&rule, "29/02/2024", "1.5"), d("0"));
    }

    #[test]
    fn timeliness_without_due_date_refuses_dates() {
        let rule = Rule::Timeliness {
            due: None,
            on_time: d("1"),
            late: d("0.5"),
            missing: d("0"),
            per_day_late: None,
        };
        assert!(
            rule.parse("15/01/2024")
                .unwrap_err()
                .contains("no due date")
        );
    }

    #[test]
    fn tiers_first_match_wins_on_printed_overlaps() {
        let rule = percent_tiers();
        assert_eq!(score(&rule, "70", "1"), d("1"));
        assert_eq!(score(&rule, "69.99", "1"), d("0.5"));
        assert_eq!(score(&rule, "50%", "1"), d("0.5"));
        assert_eq!(score(&rule, "49.99", "1"), d("0"));
        // 35/50 is exactly 70%.
        assert_eq!(score(&rule, "35/50", "1"), d("1"));
        // 2/3 is 66.67%: below 70.
        assert_eq!(score(&rule, "2/3", "1"), d("0.5"));
    }

    #[test]
    fn tiers_over_counts_and_fractions_of_expected() {
        let counts = Rule::Tiers {
            measure: Measure::Count,
            better: Better::Higher,
            tiers: vec![
                Tier::new("x >= 3", d("1")),
                Tier::new("1 <= x <= 2", d("0.5")),
                Tier::new("x = 0", d("0")),
            ],
        };
        assert_eq!(score(&counts, "0", "1"), d("0"));
        assert_eq!(score(&counts, "2", "1"), d("0.5"));
        assert_eq!(score(&counts, "7", "1"), d("1"));
        let reports = Rule::Tiers {
            measure: Measure::Percent,
            better: Better::Higher,
            tiers: vec![
                Tier::new("x >= 100", d("1.5")),
                Tier::new("75 <= x < 100", d("1")),
                Tier::new("x < 75", d("0")),
            ],
        };
        assert_eq!(score(&reports, "4/4", "1.5"), d("1.5"));
        assert_eq!(score(&reports, "3/4", "1.5"), d("1"));
        assert_eq!(score(&reports, "2/3", "1.5"), d("0"));
    }

    #[test]
    fn proportional_with_target_floor_cap_and_rounding() {
        let plain = Rule::Proportional {
            target: None,
            floor: None,
            cap: None,
            round: None,
        };
        assert_eq!(score(&plain, "45/50", "5"), d("4.5"));
        assert_eq!(score(&plain, "0", "5"), d("0"));
        let seven_ninths = score(&plain, "7/9", "5");
        assert_eq!(seven_ninths.round_dp(10), d("3.8888888889"));
        let targeted = Rule::Proportional {
            target: Some(d("85")),
            floor: Some(d("60")),
            cap: None,
            round: Some(2),
        };
        assert_eq!(score(&targeted, "85", "10"), d("10"));
        assert_eq!(score(&targeted, "95", "10"), d("10"));
        assert_eq!(score(&targeted, "70", "10"), d("8.24")); // 70 ÷ 85 × 10 = 8.2352…
        assert_eq!(score(&targeted, "60", "10"), d("7.06")); // 60 ÷ 85 × 10 = 7.0588…
        assert_eq!(score(&targeted, "59.99", "10"), d("0"));
        let capped = Rule::Proportional {
            target: None,
            floor: None,
            cap: Some(d("4")),
            round: None,
        };
        assert_eq!(score(&capped, "100", "5"), d("4"));
    }

    #[test]
    fn per_item_bonus_and_penalty() {
        let bonus = Rule::PerItem {
            points: d("0.5"),
            cap: Some(d("2")),
            floor: None,
        };
        assert_eq!(score(&bonus, "3", "2"), d("1.5"));
        assert_eq!(score(&bonus, "5", "2"), d("2"));
        let penalty = Rule::PerItem {
            points: d("-0.5"),
            cap: None,
            floor: Some(d("-2")),
        };
        assert_eq!(score(&penalty, "0", "0"), d("0"));
        assert_eq!(score(&penalty, "3", "0"), d("-1.5"));
        assert_eq!(score(&penalty, "9", "0"), d("-2"));
    }

    #[test]
    fn survey_share_and_weighted_options_per_group() {
        let share = Rule::Survey {
            mode: SurveyMode::Share {
                tiers: vec![
                    Tier::new("x = 100", d("2")),
                    Tier::new("70 <= x < 100", d("1")),
                    Tier::new("50 <= x < 70", d("0.5")),
                    Tier::new("x < 50", d("0")),
                ],
            },
            groups: vec![],
            satisfied: Vec::new(),
        };
        assert_eq!(score(&share, "20/20", "2"), d("2"));
        assert_eq!(score(&share, "14/20", "2"), d("1"));
        assert_eq!(score(&share, "69.5%", "2"), d("0.5"));
        let options = Rule::Survey {
            mode: SurveyMode::Options {
                options: vec![
                    ("A".into(), d("100")),
                    ("B".into(), d("60")),
                    ("C".into(), d("20")),
                    ("D".into(), d("0")),
                ],
            },
            groups: vec![],
            satisfied: Vec::new(),
        };
        // (6×100 + 3×60 + 1×20 + 0) ÷ 10 = 80% of 2 = 1.6
        assert_eq!(score(&options, "A=6 B=3 C=1 D=0", "2"), d("1.6"));
        assert!(options.parse("A=6").is_ok());
        let value = options.parse("E=1").expect("parses");
        assert_eq!(
            options.points(&value, d("2")).unwrap_err(),
            "\"E\" is not an answer option (A, B, C, D)"
        );
        let grouped = Rule::Survey {
            mode: SurveyMode::Options {
                options: vec![
                    ("A".into(), d("100")),
                    ("B".into(), d("60")),
                    ("D".into(), d("0")),
                ],
            },
            groups: vec![("citizens".into(), d("3")), ("businesses".into(), d("1"))],
            satisfied: Vec::new(),
        };
        // citizens: (8×100 + 2×60) ÷ 10 = 92%; businesses: (1×100 + 1×0) ÷ 2 = 50%;
        // weighted (3×92 + 1×50) ÷ 4 = 81.5% of 2 = 1.63
        assert_eq!(
            score(&grouped, "citizens: A=8 B=2; businesses: A=1 D=1", "2"),
            d("1.63")
        );
    }

    #[test]
    fn relative_to_the_group() {
        let rule = Rule::Relative {
            to: Statistic::Mean,
            among: Among::All,
            at_or_above: d("2"),
            below: d("0"),
        };
        let ctx = Context {
            reference: Some(d("85.5")),
            ..Context::with_max(d("2"))
        };
        let at = rule
            .evaluate(&Value::Number(d("85.5")), &ctx)
            .expect("scores");
        assert_eq!(at.points, d("2"));
        let below = rule
            .evaluate(&Value::Number(d("85.49")), &ctx)
            .expect("scores");
        assert_eq!(below.points, d("0"));
        assert_eq!(
            rule.explain(&Value::Number(d("85.49")), &below),
            "85.49 < mean 85.5 → 0"
        );
    }

    #[test]
    fn direct_points_within_bounds_and_steps() {
        let rule = Rule::Direct {
            min: None,
            step: Some(d("0.25")),
        };
        assert_eq!(score(&rule, "1.75", "2"), d("1.75"));
        let v = rule.parse("1.8").expect("number");
        assert_eq!(
            rule.points(&v, d("2")).unwrap_err(),
            "1.8 points is not a multiple of the step 0.25"
        );
        let v = rule.parse("2.25").expect("number");
        assert_eq!(
            rule.points(&v, d("2")).unwrap_err(),
            "2.25 points is outside [0, 2]"
        ); // From a floor of 1 in steps of 2: 1, 3, 5; 2 is refused although a multiple of 2.
        let floored = Rule::Direct {
            min: Some(d("1")),
            step: Some(d("2")),
        };
        assert_eq!(score(&floored, "3", "5"), d("3"));
        let v = floored.parse("2").expect("number");
        assert_eq!(
            floored.points(&v, d("5")).unwrap_err(),
            "2 points is not a multiple of the step 2 counted from 1"
        );
    }

    #[test]
    fn branch_reads_and_scores_with_the_chosen_case() {
        let rule = Rule::Branch {
            on: BranchOn::Attribute("has_plan".into()),
            cases: vec![
                Case {
                    equals: Some(AttrValue::Bool(true)),
                    rule: percent_tiers(),
                },
                Case {
                    equals: None,
                    rule: Rule::YesNo {
                        yes: d("1"),
                        no: d("0"),
                        yes_label: None,
                        no_label: None,
                    },
                },
            ],
        };
        let value = rule.parse("60%").expect("kept as text");
        let first = Context {
            case: Some(0),
            ..Context::with_max(d("1"))
        };
        let outcome = rule.evaluate(&value, &first).expect("scores");
        assert_eq!(outcome.points, d("0.5"));
        assert_eq!(
            rule.explain(&value, &outcome),
            "has_plan = true: 60% → tier 50 <= x <= 70 → 0.5"
        );
        let otherwise = Context {
            case: Some(1),
            ..Context::with_max(d("1"))
        };
        assert!(rule.evaluate(&value, &otherwise).is_err());
        assert_eq!(
            rule.evaluate(&rule.parse("có").expect("text"), &otherwise)
                .expect("scores")
                .points,
            d("1")
        );
    }

    #[test]
    fn explains_tiers_with_the_exact_ratio() {
        let rule = percent_tiers();
        let value = rule.parse("7/9").expect("ratio");
        let outcome = rule
            .evaluate(&value, &Context::with_max(d("1")))
            .expect("scores");
        assert_eq!(
            rule.explain(&value, &outcome),
            "7/9 (77.78%) → tier 70 <= x <= 100 → 1"
        );
    }
}
