//! A rate per item or per day, after a free allowance and up to a limit: "the first 3 days late
//! are free, then −1 point a day, at most −10", with a final date after which the work is not
//! accepted.

use rust_decimal::Decimal;

use super::timeliness::{NOT_DONE_WORDS, ON_TIME_WORDS};
use super::{
    Answer, Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    wrong_measurement,
};
use crate::date::Date;
use crate::diagnostic::Check;
use crate::model::Node;
use crate::spanned::{At, Reader};
use crate::text::{one_of, plural};
use crate::value::{self, Value};
use crate::write::{number, optional, quote};

/// A rate rule: `base + per × max(0, n − free)`, kept within `limit`. `n` is a count of items
/// or days typed in, or, when the rule has a due date, the days a date is after it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rate {
    /// Points before the rate applies; 0 when absent.
    pub base: Decimal,
    /// Points per item or day beyond the allowance; negative for a penalty.
    pub per: Decimal,
    /// Items or days that cost nothing.
    pub free: Decimal,
    /// The fewest points (for a penalty) or the most (for a bonus); none when absent, the
    /// node's maximum for a bonus.
    pub limit: Option<Decimal>,
    /// The due date the days are counted from; the input is a count when absent.
    pub due: Option<Date>,
    /// The last day work is accepted; a later date, or none, scores `not_accepted`.
    pub last: Option<Date>,
    /// Points for work after the last day or never done; the limit when absent.
    pub not_accepted: Option<Decimal>,
}

impl Rate {
    /// The points for work not accepted.
    fn refused_points(&self) -> Decimal {
        self.not_accepted.or(self.limit).unwrap_or(Decimal::ZERO)
    }

    /// Points for `n` items or days, and whether the limit applied.
    fn points_for(&self, n: Decimal, max: Decimal) -> Result<(Decimal, bool), RuleError> {
        let charged = (n - self.free).max(Decimal::ZERO);
        let raw = self
            .per
            .checked_mul(charged)
            .and_then(|r| r.checked_add(self.base))
            .ok_or(RuleError::TooLarge)?;
        Ok(if self.per.is_sign_negative() {
            match self.limit {
                Some(limit) if raw < limit => (limit, true),
                _ => (raw, false),
            }
        } else {
            let limit = self.limit.unwrap_or(max);
            if raw > limit {
                (limit, true)
            } else {
                (raw, false)
            }
        })
    }

    /// The items or days measured: the count typed, or the days a date is after the due date.
    fn measured(&self, value: &Value) -> Option<Decimal> {
        match (value, self.due) {
            (Value::Number(n), None) => Some(*n),
            (Value::Date(done), Some(due)) => Some(Decimal::from(done.days_since(due).max(0))),
            (Value::Choice(0), Some(_)) => Some(Decimal::ZERO),
            _ => None,
        }
    }

    fn not_accepted(&self, value: &Value) -> bool {
        match value {
            Value::Choice(1) => true,
            Value::Date(done) => self.last.is_some_and(|last| done.days_since(last) > 0),
            _ => false,
        }
    }
}

impl RuleBody for Rate {
    fn keys() -> &'static [&'static str] {
        &[
            "base",
            "per",
            "free",
            "limit",
            "due",
            "last",
            "not_accepted",
        ]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let due = reader.optional_date(at, "due");
        let last = reader.optional_date(at, "last");
        let rate = Rate {
            base: reader.decimal(at, "base", false).unwrap_or(Decimal::ZERO),
            per: reader.decimal(at, "per", true)?,
            free: reader.decimal(at, "free", false).unwrap_or(Decimal::ZERO),
            limit: reader.decimal(at, "limit", false),
            due: due?,
            last: last?,
            not_accepted: reader.decimal(at, "not_accepted", false),
        };
        Some(rate)
    }

    fn write(&self, f: &mut Vec<String>) {
        if !self.base.is_zero() {
            f.push(format!("base = {}", number(self.base)));
        }
        f.push(format!("per = {}", number(self.per)));
        if !self.free.is_zero() {
            f.push(format!("free = {}", number(self.free)));
        }
        optional(f, "limit", self.limit.map(number));
        optional(f, "due", self.due.map(|d| quote(&d.iso())));
        optional(f, "last", self.last.map(|d| quote(&d.iso())));
        optional(f, "not_accepted", self.not_accepted.map(number));
    }

    fn input(&self) -> InputShape<'_> {
        match self.due {
            Some(due) => InputShape::Date {
                due: Some(due),
                outcomes: vec![Answer::word("đúng hạn", None), Answer::word("không", None)],
            },
            None => InputShape::Count,
        }
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
        if self.due.is_none() {
            return value::parse_count(t)
                .map(Value::Number)
                .map_err(RuleError::Unreadable);
        }
        // Instead of a date, the words of a timeliness rule for on time and for never.
        if one_of(t, ON_TIME_WORDS) {
            return Ok(Value::Choice(0));
        }
        if one_of(t, NOT_DONE_WORDS) {
            return Ok(Value::Choice(1));
        }
        t.parse::<Date>()
            .map(Value::Date)
            .map_err(|_| RuleError::NotAnAnswer {
                text: t.to_owned(),
                expected: "a date, on-time (đúng hạn) or not done (không)".to_owned(),
            })
    }

    fn evaluate(&self, value: &Value, ctx: &Context) -> Result<Outcome, RuleError> {
        if self.not_accepted(value) {
            return fired(self.refused_points(), Fired::NotDone);
        }
        let n = self
            .measured(value)
            .ok_or_else(|| wrong_measurement(value, RuleKind::Rate))?;
        let (points, limited) = self.points_for(n, ctx.max)?;
        fired(points, Fired::PerItem { count: n, limited })
    }

    fn points_range(&self, max: Decimal) -> (Decimal, Decimal) {
        let refused = self.last.map(|_| self.refused_points());
        let (best, worst) = if self.per.is_sign_negative() {
            (self.base, self.limit.unwrap_or(Decimal::MIN))
        } else {
            (self.limit.unwrap_or(max), self.base)
        };
        let refused_or =
            |x: Decimal, pick: fn(Decimal, Decimal) -> Decimal| refused.map_or(x, |r| pick(x, r));
        (
            refused_or(best, Decimal::max),
            refused_or(worst, Decimal::min),
        )
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let points = outcome.points.normalize();
        if matches!(outcome.fired, Fired::NotDone) {
            return Some(match (value, self.last) {
                (Value::Date(done), Some(last)) => {
                    format!("{done}: after the last day {last}, not accepted → {points}")
                }
                _ => format!("not done, not accepted → {points}"),
            });
        }
        let Fired::PerItem { count, limited } = outcome.fired else {
            return None;
        };
        let unit = if self.due.is_some() { "day" } else { "item" };
        let what = match (value, self.due) {
            (Value::Date(done), Some(due)) => format!(
                "{done}: {} after the due date {due}",
                plural(count.normalize(), unit)
            ),
            (Value::Choice(_), _) => "on time".to_owned(),
            _ => plural(count.normalize(), unit),
        };
        let free = if self.free.is_zero() {
            String::new()
        } else {
            format!(", {} free", plural(self.free.normalize(), unit))
        };
        let charged = (count - self.free).max(Decimal::ZERO).normalize();
        let base = if self.base.is_zero() {
            String::new()
        } else {
            format!("{} + ", self.base.normalize())
        };
        let limit = if limited { ", limited" } else { "" };
        Some(format!(
            "{what}{free}: {base}{charged} × {} → {points}{limit}",
            self.per.normalize()
        ))
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        if self.free < Decimal::ZERO {
            let message = format!("`free` = {} must be 0 or more", self.free.normalize());
            checks.report(Check::WrongType, message);
        }
        if self.last.is_some() && self.due.is_none() {
            let message = "`last` needs a `due` date to count the days from".to_owned();
            checks.report(Check::WrongType, message);
        }
        if let (Some(due), Some(last)) = (self.due, self.last) {
            if last.days_since(due) < 0 {
                let message = format!("the last day {last} is before the due date {due}");
                checks.report(Check::WrongType, message);
            }
        }
        let wrong_side = match self.limit {
            Some(limit) if self.per.is_sign_negative() => limit > self.base,
            Some(limit) => limit < self.base,
            None => false,
        };
        if wrong_side {
            let message = format!(
                "the limit {} is on the wrong side of the base {} for a rate of {}",
                self.limit.unwrap_or_default().normalize(),
                self.base.normalize(),
                self.per.normalize()
            );
            checks.report(Check::WrongType, message);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Rule;
    use crate::rule::test_support::{d, explained};

    fn score(rule: &Rule, text: &str) -> Result<Decimal, String> {
        let value = rule.parse(text).map_err(String::from)?;
        rule.points(&value, d("2")).map_err(String::from)
    }

    /// "The first 3 days late are free, then −1 a day, at most −10": counts typed in.
    fn penalty() -> Rule {
        Rule::Rate(Rate {
            per: d("-1"),
            free: d("3"),
            limit: Some(d("-10")),
            ..Rate::default()
        })
    }

    #[test]
    fn a_penalty_is_free_up_to_the_allowance_and_stops_at_its_limit() {
        let rule = penalty();
        assert_eq!(score(&rule, "0"), Ok(d("0")));
        assert_eq!(score(&rule, "3"), Ok(d("0")));
        assert_eq!(score(&rule, "4"), Ok(d("-1")));
        assert_eq!(score(&rule, "13"), Ok(d("-10")));
        assert_eq!(score(&rule, "40"), Ok(d("-10")));
        assert_eq!(rule.points_range(d("0")), (d("0"), d("-10")));
        assert_eq!(
            explained(&rule, "14", "0").as_deref(),
            Ok("14 items, 3 items free: 11 × -1 → -10, limited")
        );
        assert!(score(&rule, "1.5").is_err());
    }

    /// A report due 15/01 with 2 points, −0.5 a day after 2 free days down to 0, not accepted
    /// (0 points) after 31/01.
    fn dated() -> Rule {
        Rule::Rate(Rate {
            base: d("2"),
            per: d("-0.5"),
            free: d("2"),
            limit: Some(d("0")),
            due: "2024-01-15".parse().ok(),
            last: "2024-01-31".parse().ok(),
            not_accepted: Some(d("0")),
        })
    }

    #[test]
    fn dates_count_the_days_after_the_due_date_until_the_last_day() {
        let rule = dated();
        assert_eq!(score(&rule, "10/01/2024"), Ok(d("2")));
        assert_eq!(score(&rule, "đúng hạn"), Ok(d("2")));
        // 17/01 is 2 days late, both free; 18/01 is 3 days, 1 charged.
        assert_eq!(score(&rule, "17/01/2024"), Ok(d("2")));
        assert_eq!(score(&rule, "18/01/2024"), Ok(d("1.5")));
        // 22/01: 7 days, 5 charged: 2 − 2.5 is below the limit 0.
        assert_eq!(score(&rule, "22/01/2024"), Ok(d("0")));
        assert_eq!(score(&rule, "31/01/2024"), Ok(d("0")));
        assert_eq!(score(&rule, "01/02/2024"), Ok(d("0")));
        assert_eq!(score(&rule, "không"), Ok(d("0")));
        assert_eq!(
            explained(&rule, "01/02/2024", "2").as_deref(),
            Ok("01/02/2024: after the last day 31/01/2024, not accepted → 0")
        );
        assert_eq!(
            explained(&rule, "18/01/2024", "2").as_deref(),
            Ok("18/01/2024: 3 days after the due date 15/01/2024, 2 days free: 2 + 1 × -0.5 → 1.5")
        );
        assert!(score(&rule, "5").is_err());
        assert_eq!(rule.points_range(d("2")), (d("2"), d("0")));
    }

    #[test]
    fn a_bonus_rate_stops_at_the_maximum() {
        let rule = Rule::Rate(Rate {
            per: d("0.25"),
            free: d("1"),
            ..Rate::default()
        });
        assert_eq!(score(&rule, "1"), Ok(d("0")));
        assert_eq!(score(&rule, "5"), Ok(d("1")));
        assert_eq!(score(&rule, "20"), Ok(d("2")));
        assert_eq!(rule.points_range(d("2")), (d("2"), d("0")));
    }

    #[test]
    fn reads_and_writes_back_its_keys() {
        let text = crate::rule_to_toml(&dated());
        assert_eq!(
            text,
            r#"{ kind = "rate", base = 2, per = "-0.5", free = 2, limit = 0, due = "2024-01-15", last = "2024-01-31", not_accepted = 0 }"#
        );
    }
}
