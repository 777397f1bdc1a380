//! Against the unit's own previous year: improved on last year, the same, or worse.

use rust_decimal::Decimal;

use super::tiers::{Better, Measure};
use super::{
    Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    percent_of, wrong_measurement,
};
use crate::diagnostic::Check;
use crate::model::Node;
use crate::spanned::{At, Reader};
use crate::value::{self, Value};
use crate::write::{number, optional, quote};

/// A trend rule: the measurement of the year against the unit's own of the year before, given
/// together as `80 → 85` (last year, then this year).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trend {
    /// What is measured, each year.
    pub measure: Measure,
    /// Which direction is better.
    pub better: Better,
    /// Points when better than last year.
    pub improved: Decimal,
    /// Points when the same as last year.
    pub same: Decimal,
    /// Points when worse than last year.
    pub worse: Decimal,
    /// Points for a unit with no value last year; without it, such a value is refused.
    pub first: Option<Decimal>,
}

impl Default for Trend {
    fn default() -> Self {
        Trend {
            measure: Measure::Number,
            better: Better::Higher,
            improved: Decimal::ZERO,
            same: Decimal::ZERO,
            worse: Decimal::ZERO,
            first: None,
        }
    }
}

/// The arrows between last year's value and this year's.
const ARROWS: &[&str] = &["→", "->", "=>"];

/// Last year's part and this year's of a trend input, when it gives both (`80 → 85`).
fn split_years(text: &str) -> Option<(&str, &str)> {
    ARROWS.iter().find_map(|arrow| text.split_once(arrow))
}

/// How the year compares with the one before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Change {
    Improved,
    Same,
    Worse,
    First,
}

impl Trend {
    /// Whether a trend input gives last year's value beside this year's (`80 → 85`).
    pub fn gives_previous(text: &str) -> bool {
        split_years(text).is_some()
    }

    /// This year's part of a trend input as a results document shows it (`85` of `80 → 85`),
    /// which is the unit's own value for the year after.
    pub fn this_year(seen: &str) -> &str {
        split_years(seen).map_or(seen, |(_, now)| now).trim()
    }

    /// One year's measurement, as a number to compare (a percent for a share).
    fn one(&self, text: &str) -> Result<Decimal, RuleError> {
        let read = match self.measure {
            Measure::Percent => value::parse_percent(text).and_then(|v| {
                let (n, d) = v.as_percent_ratio().ok_or("not a percent")?;
                percent_of(n, d).map_err(|e| e.to_string())
            }),
            Measure::Count => value::parse_count(text),
            Measure::Number => value::parse_decimal(text),
        };
        read.map_err(RuleError::Unreadable)
    }

    /// Last year's value, if given, and this year's.
    fn pair(&self, text: &str) -> Result<(Option<Decimal>, Decimal), RuleError> {
        match split_years(text) {
            Some((before, now)) => Ok((Some(self.one(before.trim())?), self.one(now.trim())?)),
            None => Ok((None, self.one(text.trim())?)),
        }
    }

    fn change(&self, before: Option<Decimal>, now: Decimal) -> Change {
        let Some(before) = before else {
            return Change::First;
        };
        let better = match self.better {
            Better::Higher => now > before,
            Better::Lower => now < before,
        };
        if now == before {
            Change::Same
        } else if better {
            Change::Improved
        } else {
            Change::Worse
        }
    }
}

impl RuleBody for Trend {
    fn keys() -> &'static [&'static str] {
        &["measure", "better", "improved", "same", "worse", "first"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let measure = reader.choice(at, "measure");
        let better = reader.choice(at, "better");
        Some(Trend {
            measure: measure?.unwrap_or(Measure::Number),
            better: better?.unwrap_or(Better::Higher),
            improved: reader.decimal(at, "improved", true)?,
            same: reader.decimal(at, "same", true)?,
            worse: reader.decimal(at, "worse", false).unwrap_or(Decimal::ZERO),
            first: reader.decimal(at, "first", false),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        f.push(format!("measure = {}", quote(self.measure.as_str())));
        if self.better != Better::Higher {
            f.push(format!("better = {}", quote(self.better.as_str())));
        }
        f.push(format!("improved = {}", number(self.improved)));
        f.push(format!("same = {}", number(self.same)));
        f.push(format!("worse = {}", number(self.worse)));
        optional(f, "first", self.first.map(number));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Trend
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        let (before, _) = self.pair(t)?;
        if before.is_none() && self.first.is_none() {
            return Err(RuleError::NotAnAnswer {
                text: t.to_owned(),
                expected: "enough: give last year's value and this year's, as 80 → 85".to_owned(),
            });
        }
        // Kept as written and read again when scored, like a branch's input.
        Ok(Value::Text(t.into()))
    }

    fn evaluate(&self, value: &Value, _: &Context) -> Result<Outcome, RuleError> {
        let Value::Text(text) = value else {
            return Err(wrong_measurement(value, RuleKind::Trend));
        };
        let (before, now) = self.pair(text)?;
        let (points, level) = match self.change(before, now) {
            Change::Improved => (self.improved, 0),
            Change::Same => (self.same, 1),
            Change::Worse => (self.worse, 2),
            Change::First => (
                self.first.ok_or(RuleError::NotAnAnswer {
                    text: text.to_string(),
                    expected: "enough: give last year's value and this year's, as 80 → 85"
                        .to_owned(),
                })?,
                3,
            ),
        };
        fired(points, Fired::Level(level))
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        super::span(
            [self.improved, self.same, self.worse]
                .into_iter()
                .chain(self.first),
        )
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let Fired::Level(level) = outcome.fired else {
            return None;
        };
        let word = match level {
            0 => "better than last year",
            1 => "the same as last year",
            2 => "worse than last year",
            _ => "no value last year",
        };
        Some(format!("{value}: {word} → {}", outcome.points.normalize()))
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        if self.improved < self.same || self.same < self.worse {
            let message = format!(
                "improving gives {}, staying the same {} and getting worse {}: a better year should never earn fewer points",
                self.improved.normalize(),
                self.same.normalize(),
                self.worse.normalize()
            );
            checks.report(Check::TierOrder, message);
        }
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        Some(vec![self.improved, self.same, self.worse])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Rule;
    use crate::rule::test_support::{d, explained};

    /// "Improved on last year: 1; the same: 0.5; worse: 0."
    fn trend(measure: Measure, first: Option<&str>) -> Rule {
        Rule::Trend(Trend {
            measure,
            improved: d("1"),
            same: d("0.5"),
            worse: d("0"),
            first: first.map(d),
            ..Trend::default()
        })
    }

    fn score(rule: &Rule, text: &str) -> Result<String, String> {
        explained(rule, text, "1")
    }

    #[test]
    fn this_year_against_last_year() {
        let rule = trend(Measure::Number, None);
        assert_eq!(
            score(&rule, "80 → 85").as_deref(),
            Ok("80 → 85: better than last year → 1")
        );
        assert_eq!(
            score(&rule, "85 -> 85").as_deref(),
            Ok("85 -> 85: the same as last year → 0.5")
        );
        assert_eq!(
            score(&rule, "85,5 → 85").as_deref(),
            Ok("85,5 → 85: worse than last year → 0")
        );
        assert!(score(&rule, "85").is_err_and(|e| e.contains("give last year's value")));
        assert!(score(&rule, "80 → abc").is_err());
        let first = trend(Measure::Number, Some("0.5"));
        assert_eq!(
            score(&first, "85").as_deref(),
            Ok("85: no value last year → 0.5")
        );
    }

    #[test]
    fn shares_compare_as_percents_and_lower_can_be_better() {
        let rule = trend(Measure::Percent, None);
        // 9/10 is 90%, more than 85%.
        assert_eq!(
            score(&rule, "85% → 9/10").as_deref(),
            Ok("85% → 9/10: better than last year → 1")
        );
        assert_eq!(
            score(&rule, "90% → 9/10").as_deref(),
            Ok("90% → 9/10: the same as last year → 0.5")
        );
        let fewer = Rule::Trend(Trend {
            measure: Measure::Count,
            better: Better::Lower,
            improved: d("1"),
            same: d("0.5"),
            ..Trend::default()
        });
        assert_eq!(
            score(&fewer, "4 → 2").as_deref(),
            Ok("4 → 2: better than last year → 1")
        );
        assert_eq!(
            score(&fewer, "2 → 4").as_deref(),
            Ok("2 → 4: worse than last year → 0")
        );
        assert_eq!(fewer.points_range(d("1")), (d("1"), d("0")));
    }
}
