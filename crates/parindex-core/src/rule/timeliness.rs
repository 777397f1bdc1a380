//! A date against a due date, or an outcome: on time, late, missing.

use rust_decimal::Decimal;

use super::{
    Answer, Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    show_value, wrong_measurement,
};
use crate::date::Date;
use crate::diagnostic::Check;
use crate::model::Node;
use crate::spanned::{At, Reader};
use crate::text::plural;
use crate::value::Value;
use crate::write::{number, optional, quote};

/// A timeliness rule.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Timeliness {
    /// The due date, when inputs may be dates.
    pub due: Option<Date>,
    /// Points when done on time.
    pub on_time: Decimal,
    /// Points when done late.
    pub late: Decimal,
    /// Points when not done.
    pub missing: Decimal,
    /// Points taken off `late` per day late, down to `missing`.
    pub per_day_late: Option<Decimal>,
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

impl RuleBody for Timeliness {
    fn keys() -> &'static [&'static str] {
        &["due", "on_time", "late", "missing", "per_day_late"]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let due = match reader.string(at, "due", false) {
            Some(text) => match text.parse::<Date>() {
                Ok(d) => Some(d),
                Err(e) => {
                    let span = at.table.get("due").map_or(at.span.clone(), |v| v.span());
                    reader.report(Check::WrongType, &span, at.code.as_deref(), e.to_string());
                    return None;
                }
            },
            None => None,
        };
        Some(Timeliness {
            due,
            on_time: reader.decimal(at, "on_time", true)?,
            late: reader.decimal(at, "late", true)?,
            missing: reader
                .decimal(at, "missing", false)
                .unwrap_or(Decimal::ZERO),
            per_day_late: reader.decimal(at, "per_day_late", false),
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        optional(f, "due", self.due.map(|d| quote(&d.iso())));
        f.push(format!("on_time = {}", number(self.on_time)));
        f.push(format!("late = {}", number(self.late)));
        f.push(format!("missing = {}", number(self.missing)));
        optional(f, "per_day_late", self.per_day_late.map(number));
    }

    fn input(&self) -> InputShape<'_> {
        InputShape::Date {
            due: self.due,
            outcomes: vec![
                Answer::word("đúng hạn", None),
                Answer::word("trễ hạn", None),
                Answer::word("không", None),
            ],
        }
    }

    fn parse(&self, t: &str) -> Result<Value, RuleError> {
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
            Ok(date) if self.due.is_some() => Ok(Value::Date(date)),
            Ok(_) => Err(RuleError::DateWithoutDue(t.to_owned())),
            Err(_) => Err(RuleError::NotAnAnswer {
                text: t.to_owned(),
                expected: "a date or one of on-time (đúng hạn), late (trễ hạn), missing (không)"
                    .to_owned(),
            }),
        }
    }

    fn evaluate(&self, value: &Value, _: &Context) -> Result<Outcome, RuleError> {
        let wrong = || wrong_measurement(value, RuleKind::Timeliness);
        match value {
            Value::Choice(0) => fired(self.on_time, Fired::OnTime),
            Value::Choice(1) => fired(self.late, Fired::Late(None)),
            Value::Choice(2) => fired(self.missing, Fired::NotDone),
            Value::Date(done) => {
                let due = self.due.ok_or_else(wrong)?;
                let days = done.days_since(due);
                if days <= 0 {
                    return fired(self.on_time, Fired::OnTime);
                }
                let penalty = self
                    .per_day_late
                    .unwrap_or_default()
                    .checked_mul(Decimal::from(days))
                    .unwrap_or(Decimal::MAX);
                let points = self
                    .late
                    .checked_sub(penalty)
                    .unwrap_or(self.missing)
                    .max(self.missing);
                fired(points, Fired::Late(Some(days)))
            }
            _ => Err(wrong()),
        }
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        super::span([self.on_time, self.late, self.missing])
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let points = outcome.points.normalize();
        let shown = show_value(value, false);
        Some(match outcome.fired {
            // Given as the word for the outcome, the value is the outcome itself.
            Fired::OnTime if matches!(value, Value::Choice(_)) => format!("on time → {points}"),
            Fired::OnTime => format!("{shown}: on time → {points}"),
            Fired::Late(Some(days)) => format!("{shown}: {days} days late → {points}"),
            Fired::Late(None) => format!("late → {points}"),
            Fired::NotDone => format!("not done → {points}"),
            _ => return None,
        })
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        let points = |x: Decimal| plural(x.normalize(), "point");
        if self.late > self.on_time {
            let message = format!(
                "late gives {} but on time gives {}: late scores above on time",
                points(self.late),
                points(self.on_time)
            );
            checks.report(Check::TimelinessOrder, message);
        } else if self.missing > self.late {
            let message = format!(
                "not done gives {} but late gives {}: not doing it scores above doing it late",
                points(self.missing),
                points(self.late)
            );
            checks.report(Check::TimelinessOrder, message);
        }
        if let Some(per_day) = self.per_day_late.filter(|p| *p > Decimal::ZERO) {
            if self.late - per_day <= self.missing && self.late > self.missing {
                let message = format!(
                    "a penalty of {} a day takes the first day late from {} down to {}, the points for not done: every late date scores as not done",
                    points(per_day),
                    points(self.late),
                    points(self.missing)
                );
                checks.report(Check::PenaltyClamps, message);
            }
        }
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        // A daily penalty makes the points of a late date a range, not one outcome.
        if self.per_day_late.is_some() {
            return None;
        }
        Some(vec![self.on_time, self.late, self.missing])
    }
}
