//! A date against a due date, or an outcome: on time, late, missing. Late work may earn the
//! points of the first window it falls in ("within 30 days: 3, within 60: 1.5"), and the due
//! date may count from a dated event of the year declared once in the set.

use rust_decimal::Decimal;

use super::{
    Answer, Context, Fired, InputShape, Outcome, RuleBody, RuleChecks, RuleError, RuleKind, fired,
    show_value, wrong_measurement,
};
use toml::de::DeValue;

use crate::date::Date;
use crate::diagnostic::Check;
use crate::load::MAX_LIST_ITEMS;
use crate::model::Node;
use crate::spanned::{At, Reader};
use crate::text::{one_of, plural};
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
    /// The due date as printed relative to an event (`{ after = "event", days = 30 }`); `due`
    /// is its date once the event has one. While the event has none, every date is on time.
    pub due_after: Option<AfterEvent>,
    /// Windows after the due date, shortest first: late work within a window earns its points
    /// instead of `late`.
    pub windows: Vec<LateWindow>,
}

/// A due date counted from a dated event of the year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AfterEvent {
    /// The event's id, declared in `[[event]]`.
    pub event: String,
    /// Days after the event.
    pub days: u32,
}

/// Late work within `days` after the due date earns `points`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LateWindow {
    /// Days after the due date, included.
    pub days: u32,
    /// The points earned.
    pub points: Decimal,
}

/// The most days a due date or a window may count.
const MAX_DAYS: i64 = 3660;

impl Timeliness {
    /// Whether dates are read: the rule has a due date, or one counted from an event.
    fn takes_dates(&self) -> bool {
        self.due.is_some() || self.due_after.is_some()
    }

    fn read_due(
        reader: &mut Reader<'_>,
        at: &At<'_, '_>,
    ) -> Option<(Option<Date>, Option<AfterEvent>)> {
        let Some(value) = reader.get(at, "due", false) else {
            return Some((None, None));
        };
        match value.get_ref() {
            DeValue::String(_) => Some((Some(reader.date(at, "due", true)?), None)),
            DeValue::Table(table) => {
                let span = value.span();
                let (event, days) = reader.after_event(at, table, span.clone(), "the due date")?;
                let Some(declared) = reader.events.iter().find(|e| e.id == event) else {
                    let message = format!(
                        "the due date counts from the event `{event}`, which no [[event]] declares"
                    );
                    reader.report(Check::UnknownNode, &span, at.code.as_deref(), message);
                    return None;
                };
                let due = declared
                    .date
                    .and_then(|d| d.checked_add_days(i64::from(days)));
                Some((due, Some(AfterEvent { event, days })))
            }
            _ => {
                let expected = "a date or a table { after = \"event\", days = 30 }";
                reader.wrong_type(at, "due", value, expected);
                None
            }
        }
    }

    fn read_windows(reader: &mut Reader<'_>, at: &At<'_, '_>) -> Option<Vec<LateWindow>> {
        let tables = reader.tables(at, "window");
        if !reader.within_limit(&tables, "windows", MAX_LIST_ITEMS) {
            return None;
        }
        let mut windows = Vec::new();
        for window_at in &tables {
            reader.known_keys(window_at, &["days", "points"], "a window");
            let days = reader.integer(window_at, "days", true);
            let points = reader.decimal(window_at, "points", true);
            let days = match days {
                Some(d) if (1..=MAX_DAYS).contains(&d) => u32::try_from(d).ok(),
                Some(d) => {
                    let message = format!("`days` = {d} must be from 1 to {MAX_DAYS}");
                    reader.report(
                        Check::WrongType,
                        &window_at.span,
                        at.code.as_deref(),
                        message,
                    );
                    None
                }
                None => None,
            };
            windows.push(LateWindow {
                days: days?,
                points: points?,
            });
        }
        Some(windows)
    }

    /// The points for work done `days` after the due date, and the window it fell in.
    fn late_points(&self, days: i64) -> (Decimal, Option<&LateWindow>) {
        if let Some(window) = self.windows.iter().find(|w| days <= i64::from(w.days)) {
            return (window.points, Some(window));
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
        (points, None)
    }
}

/// The words for on time, late and not done, as offices write them.
pub(super) const ON_TIME_WORDS: &[&str] = &[
    "on-time",
    "on time",
    "đúng hạn",
    "kịp thời",
    "đúng thời hạn",
    "đúng thời gian",
    "ontime",
];
pub(super) const LATE_WORDS: &[&str] = &[
    "late",
    "trễ hạn",
    "chậm",
    "muộn",
    "trễ",
    "quá hạn",
    "không kịp thời",
];
pub(super) const NOT_DONE_WORDS: &[&str] = &[
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
        &[
            "due",
            "on_time",
            "late",
            "missing",
            "per_day_late",
            "window",
        ]
    }

    fn read(reader: &mut Reader<'_>, at: &At<'_, '_>, _: Decimal) -> Option<Self> {
        let (due, due_after) = Self::read_due(reader, at)?;
        let windows = Self::read_windows(reader, at)?;
        if !windows.is_empty() && due.is_none() && due_after.is_none() {
            let message = "windows count days after a due date: give `due`".to_owned();
            reader.report(Check::MissingKey, &at.span, at.code.as_deref(), message);
            return None;
        }
        Some(Timeliness {
            due,
            on_time: reader.decimal(at, "on_time", true)?,
            late: reader.decimal(at, "late", true)?,
            missing: reader
                .decimal(at, "missing", false)
                .unwrap_or(Decimal::ZERO),
            per_day_late: reader.decimal(at, "per_day_late", false),
            due_after,
            windows,
        })
    }

    fn write(&self, f: &mut Vec<String>) {
        match &self.due_after {
            Some(after) => f.push(format!(
                "due = {{ after = {}, days = {} }}",
                quote(&after.event),
                after.days
            )),
            None => optional(f, "due", self.due.map(|d| quote(&d.iso()))),
        }
        f.push(format!("on_time = {}", number(self.on_time)));
        f.push(format!("late = {}", number(self.late)));
        f.push(format!("missing = {}", number(self.missing)));
        optional(f, "per_day_late", self.per_day_late.map(number));
        if !self.windows.is_empty() {
            let windows: Vec<String> = self
                .windows
                .iter()
                .map(|w| format!("{{ days = {}, points = {} }}", w.days, number(w.points)))
                .collect();
            f.push(format!("window = [{}]", windows.join(", ")));
        }
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
        if one_of(t, ON_TIME_WORDS) {
            return Ok(Value::Choice(0));
        }
        if one_of(t, LATE_WORDS) {
            if !self.windows.is_empty() {
                // How late decides the points: the word alone cannot say.
                return Err(RuleError::NotAnAnswer {
                    text: t.to_owned(),
                    expected: "enough here: the points depend on how late, so give the date"
                        .to_owned(),
                });
            }
            return Ok(Value::Choice(1));
        }
        if one_of(t, NOT_DONE_WORDS) {
            return Ok(Value::Choice(2));
        }
        match t.parse::<Date>() {
            Ok(date) if self.takes_dates() => Ok(Value::Date(date)),
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
                if !self.takes_dates() {
                    return Err(wrong());
                }
                // A due date after an event that has not happened: nothing is late yet.
                let Some(due) = self.due else {
                    return fired(self.on_time, Fired::OnTime);
                };
                let days = done.days_since(due);
                if days <= 0 {
                    return fired(self.on_time, Fired::OnTime);
                }
                fired(self.late_points(days).0, Fired::Late(Some(days)))
            }
            _ => Err(wrong()),
        }
    }

    fn points_range(&self, _: Decimal) -> (Decimal, Decimal) {
        let windows = self.windows.iter().map(|w| w.points);
        super::span(
            [self.on_time, self.late, self.missing]
                .into_iter()
                .chain(windows),
        )
    }

    fn explain(&self, value: &Value, outcome: &Outcome) -> Option<String> {
        let points = outcome.points.normalize();
        let shown = show_value(value, false);
        Some(match outcome.fired {
            // Given as the word for the outcome, the value is the outcome itself.
            Fired::OnTime if matches!(value, Value::Choice(_)) => format!("on time → {points}"),
            Fired::OnTime => format!("{shown}: on time → {points}"),
            Fired::Late(Some(days)) => {
                let late = plural(days, "day");
                match self.late_points(days).1 {
                    Some(window) => format!(
                        "{shown}: {late} late, within {} → {points}",
                        plural(window.days, "day")
                    ),
                    None => format!("{shown}: {late} late → {points}"),
                }
            }
            Fired::Late(None) => format!("late → {points}"),
            Fired::NotDone => format!("not done → {points}"),
            _ => return None,
        })
    }

    fn validate(&self, _: &Node, checks: &mut RuleChecks<'_>) {
        let points = |x: Decimal| plural(x.normalize(), "point");
        if let Some(pair) = self
            .windows
            .windows(2)
            .find(|p| p[1].days <= p[0].days || p[1].points > p[0].points)
        {
            let message = format!(
                "windows are listed shortest first, each earning no more than the one before: within {} gives {}, within {} gives {}",
                plural(pair[0].days, "day"),
                points(pair[0].points),
                plural(pair[1].days, "day"),
                points(pair[1].points)
            );
            checks.report(Check::TimelinessOrder, message);
        }
        let first_late = self.windows.first().map_or(self.late, |w| w.points);
        if first_late > self.on_time {
            let message = format!(
                "late gives {} but on time gives {}: late scores above on time",
                points(first_late),
                points(self.on_time)
            );
            checks.report(Check::TimelinessOrder, message);
        } else if self.windows.last().is_some_and(|w| w.points < self.late) {
            let message = format!(
                "later than every window gives {}, more than the last window's {}",
                points(self.late),
                points(self.windows.last().map_or(self.late, |w| w.points))
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

    fn follow_event(&mut self, event: &str, date: Date) {
        if let Some(after) = self.due_after.as_ref().filter(|a| a.event == event) {
            self.due = date.checked_add_days(i64::from(after.days));
        }
    }

    fn outcome_points(&self) -> Option<Vec<Decimal>> {
        // A daily penalty or windows make the points of a late date depend on how late.
        if self.per_day_late.is_some() || !self.windows.is_empty() {
            return None;
        }
        Some(vec![self.on_time, self.late, self.missing])
    }
}

#[cfg(test)]
mod tests {
    use crate::model::CriteriaSet;
    use crate::rule::Rule;
    use crate::rule::test_support::explained;

    /// A one-leaf set of 3 points around `rule`, with the events given.
    fn set(events: &str, rule: &str) -> Result<CriteriaSet, String> {
        let text = format!(
            "[set]\nformat = 1\nid = \"t/commune/2024\"\ntitle = \"t\"\nlevel = \"commune\"\nyear = 2024\nlanguage = \"en\"\nmax = 3\n[origin]\nauthority = \"t\"\nsource = \"t\"\nstatus = \"example\"\n{events}\n[[node]]\ncode = \"1\"\nname = \"Area\"\nmax = 3\n[[node]]\ncode = \"1.1\"\nname = \"Plan\"\nmax = 3\nrule = {rule}\n"
        );
        CriteriaSet::from_toml(&text, "set.toml")
            .map(|l| l.set)
            .map_err(|e| e.to_string())
    }

    fn rule_of(set: &CriteriaSet) -> Rule {
        set.node("1.1")
            .and_then(|n| n.rule.clone())
            .expect("a rule")
    }

    fn score(rule: &Rule, text: &str) -> Result<String, String> {
        explained(rule, text, "3")
    }

    /// "Within 30 days of the due date: 3; within 60: 1.5; later or never: 0."
    const WINDOWS: &str = r#"{ kind = "timeliness", due = "2024-01-31", on_time = 3, late = 0, missing = 0, window = [{ days = 30, points = 3 }, { days = 60, points = 1.5 }] }"#;

    #[test]
    fn late_work_earns_the_points_of_the_first_window_it_falls_in() {
        let rule = rule_of(&set("", WINDOWS).expect("loads"));
        // 2024 is a leap year: 29/02 is 29 days after 31/01, 01/03 is 30, 31/03 is 60.
        assert_eq!(
            score(&rule, "31/01/2024").as_deref(),
            Ok("31/01/2024: on time → 3")
        );
        assert_eq!(
            score(&rule, "01/03/2024").as_deref(),
            Ok("01/03/2024: 30 days late, within 30 days → 3")
        );
        assert_eq!(
            score(&rule, "02/03/2024").as_deref(),
            Ok("02/03/2024: 31 days late, within 60 days → 1.5")
        );
        assert_eq!(
            score(&rule, "31/03/2024").as_deref(),
            Ok("31/03/2024: 60 days late, within 60 days → 1.5")
        );
        assert_eq!(
            score(&rule, "01/04/2024").as_deref(),
            Ok("01/04/2024: 61 days late → 0")
        );
        assert_eq!(score(&rule, "không").as_deref(), Ok("not done → 0"));
        // "Late" alone cannot say which window.
        assert!(score(&rule, "trễ hạn").is_err_and(|e| e.contains("give the date")));
        assert_eq!(rule.outcome_points(), None);
    }

    #[test]
    fn windows_write_back_and_load_again() {
        let rule = rule_of(&set("", WINDOWS).expect("loads"));
        let written = crate::rule_to_toml(&rule);
        assert_eq!(rule_of(&set("", &written).expect("loads again")), rule);
    }

    #[test]
    fn windows_out_of_order_or_without_a_due_date_are_refused() {
        let swapped = WINDOWS.replace("days = 30, points = 3", "days = 90, points = 3");
        let error = set("", &swapped).expect_err("refused");
        assert!(
            error.contains("error[timeliness-order] 1.1: windows are listed shortest first, each earning no more than the one before: within 90 days gives 3 points, within 60 days gives 1.5 points"),
            "{error}"
        );
        let undated = WINDOWS.replace("due = \"2024-01-31\", ", "");
        let error = set("", &undated).expect_err("refused");
        assert!(
            error.contains(
                "error[missing-key] 1.1: windows count days after a due date: give `due`"
            ),
            "{error}"
        );
    }

    const PLAN: &str = "[[event]]\nid = \"ke-hoach-tinh\"\nname = \"UBND tỉnh ban hành kế hoạch CCHC\"\ndate = \"15/01/2024\"\n";
    const AFTER: &str = r#"{ kind = "timeliness", due = { after = "ke-hoach-tinh", days = 30 }, on_time = 3, late = 1.5, missing = 0 }"#;

    #[test]
    fn a_due_date_counts_from_a_dated_event_of_the_year() {
        let set = set(PLAN, AFTER).expect("loads");
        let rule = rule_of(&set);
        // 15/01 + 30 days is 14/02.
        assert_eq!(
            score(&rule, "14/02/2024").as_deref(),
            Ok("14/02/2024: on time → 3")
        );
        assert_eq!(
            score(&rule, "15/02/2024").as_deref(),
            Ok("15/02/2024: 1 day late → 1.5")
        );
        assert_eq!(crate::rule_to_toml(&rule), AFTER.replace("1.5", "\"1.5\""));
        let again = CriteriaSet::from_toml(&set.to_toml(), "again.toml").expect("round trip");
        assert_eq!(again.set.events, set.events);
        assert_eq!(rule_of(&again.set), rule);
    }

    #[test]
    fn before_its_event_has_a_date_nothing_is_late() {
        let undated = PLAN.replace("date = \"15/01/2024\"\n", "");
        let rule = rule_of(&set(&undated, AFTER).expect("loads"));
        assert_eq!(
            score(&rule, "30/12/2024").as_deref(),
            Ok("30/12/2024: on time → 3")
        );
        let error = set("", AFTER).expect_err("refused");
        assert!(
            error.contains(
                "the due date counts from the event `ke-hoach-tinh`, which no [[event]] declares"
            ),
            "{error}"
        );
    }
}
