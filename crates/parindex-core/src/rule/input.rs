//! The input a rule reads: readers, templates, web forms, validation and generators of test data
//! ask a rule for its shape instead of matching on its kind.

use std::borrow::Cow;

use rust_decimal::Decimal;

use crate::date::Date;

/// What a leaf's rule reads from a cell.
///
/// ```
/// use parindex_core::{InputShape, Rule, YesNo};
/// use rust_decimal::Decimal;
/// let rule = Rule::YesNo(YesNo { yes: Decimal::ONE, ..YesNo::default() });
/// let InputShape::Answer(answers) = rule.input() else { panic!("a yes-no rule takes an answer") };
/// assert_eq!(answers.iter().map(|a| a.key.as_ref()).collect::<Vec<_>>(), ["có", "không"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InputShape<'a> {
    /// One of the printed answers, best first.
    Answer(Vec<Answer<'a>>),
    /// A date against a due date (only when the rule has one), or one of the outcome answers.
    Date {
        /// The due date, when dates are accepted.
        due: Option<Date>,
        /// The outcome answers accepted instead of a date.
        outcomes: Vec<Answer<'a>>,
    },
    /// A share in [0, 100]: `87.5`, `87.5%` or `45/50`.
    Percent,
    /// A whole number of items, at least 0.
    Count,
    /// Any number.
    Number,
    /// Points given directly, from `min` to the node's maximum, on steps counted from `min`.
    Points {
        /// The fewest points allowed.
        min: Decimal,
        /// The allowed increments; any when `None`.
        step: Option<Decimal>,
    },
    /// Survey results: a share satisfied (`85%`, `17/20`) or counts per answer option.
    Survey,
    /// Last year's measurement and this year's, `80 → 85`.
    Trend,
    /// Text read by the rule of the case that applies to the unit.
    ByCase,
}

/// A printed answer: the key typed in a cell, and the label shown in forms.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer<'a> {
    /// What a cell holds: `có`, a level's key, `đúng hạn`.
    pub key: Cow<'a, str>,
    /// The answer as the table prints it, when it gives one.
    pub label: Option<&'a str>,
    /// The fewest and the most points, when the answer's points are a range the council
    /// chooses from: it is given with its points, `key: points`.
    pub range: Option<(Decimal, Decimal)>,
}

impl<'a> Answer<'a> {
    /// An answer with a fixed key.
    pub(crate) fn word(key: &'static str, label: Option<&'a str>) -> Self {
        Answer {
            key: Cow::Borrowed(key),
            label,
            range: None,
        }
    }

    /// The label when printed, else the key.
    pub fn shown(&self) -> &str {
        self.label.unwrap_or(&self.key)
    }
}

impl InputShape<'_> {
    /// Whether a bare number in the input is a percentage.
    pub fn measures_percent(&self) -> bool {
        matches!(self, InputShape::Percent | InputShape::Survey)
    }

    /// Whether the input may be a date.
    pub fn takes_date(&self) -> bool {
        matches!(self, InputShape::Date { .. })
    }

    /// The answers to choose from, when the input is one of them.
    pub fn answers(&self) -> &[Answer<'_>] {
        match self {
            InputShape::Answer(answers) => answers,
            InputShape::Date {
                outcomes,
                due: None,
            } => outcomes,
            _ => &[],
        }
    }

    /// The stable check code of a value of this shape that is refused: `value-answer`,
    /// `value-date`, `value-percent`, `value-points` or `value-number`.
    pub fn check_code(&self) -> &'static str {
        match self {
            InputShape::Date { .. } => "value-date",
            InputShape::Percent | InputShape::Survey => "value-percent",
            InputShape::Answer(_) => "value-answer",
            InputShape::Points { .. } => "value-points",
            InputShape::Count | InputShape::Number | InputShape::ByCase | InputShape::Trend => {
                "value-number"
            }
        }
    }

    /// Whether an answer is given with its points (`key: points`), so that a form offers a
    /// field rather than a list.
    pub fn judged(&self) -> bool {
        self.answers().iter().any(|a| a.range.is_some())
    }

    /// A valid input of this shape, chosen by `r`, for benchmarks and generated test data.
    /// Ratios and survey shares are given as counts, so that an analysis can redraw them.
    pub fn sample(&self, r: u64) -> String {
        let pick = |answers: &[Answer<'_>]| {
            let n = u64::try_from(answers.len()).unwrap_or(1).max(1);
            let i = usize::try_from(r % n).unwrap_or(0);
            answers
                .get(i)
                .map(|a| match a.range {
                    Some((_, most)) => format!("{}: {}", a.key, most.normalize()),
                    None => a.key.to_string(),
                })
                .unwrap_or_default()
        };
        match self {
            InputShape::Answer(answers)
            | InputShape::Date {
                outcomes: answers, ..
            } => pick(answers),
            InputShape::Count => (r % 6).to_string(),
            InputShape::Trend => format!("{} → {}", r % 5, (r >> 8) % 5),
            InputShape::Number => (r % 100).to_string(),
            InputShape::Points { min, .. } => min.normalize().to_string(),
            InputShape::Survey => {
                let respondents = 20 + r % 40;
                let satisfied = respondents - (r >> 8) % (respondents / 2 + 1);
                format!("{satisfied}/{respondents}")
            }
            InputShape::Percent | InputShape::ByCase => {
                let den = 10 + r % 40;
                format!("{}/{den}", den - (r >> 8) % (den / 2 + 1))
            }
        }
    }
}
