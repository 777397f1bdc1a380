//! The year's reform plan: its tasks, who leads them, their deadlines, and what the completion
//! records say each unit did.

use std::borrow::Cow;
use std::fmt;

use crate::date::Date;
use crate::diagnostic::Location;
use crate::text::{is_nfc, nfc, nfc_string};

/// A reform plan, as issued for a year: tasks with lead units and deadlines.
///
/// Loaded from a plan file with [`ReformPlan::from_toml`]; the format is described in
/// `docs/records.md`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReformPlan {
    /// An id like `quang-ngai-city/2018`.
    pub id: String,
    /// The plan's title, as printed.
    pub title: String,
    /// The body that issued it.
    pub authority: String,
    /// The document's number, like `145/KH-UBND`.
    pub number: Option<String>,
    /// The day it was issued.
    pub issued: Date,
    /// The year it plans.
    pub year: i32,
    /// Where the text was read.
    pub source: String,
    /// The plan's sections: `(code, name)`.
    pub areas: Vec<(String, String)>,
    /// The units (departments, wards) the plan names.
    pub units: Vec<PlanUnit>,
    /// Collective names for units ("the city's departments").
    pub groups: Vec<PlanGroup>,
    /// Outside events a deadline may follow.
    pub events: Vec<PlanEvent>,
    /// The tasks, in the plan's order.
    pub tasks: Vec<Task>,
}

/// A unit named in a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanUnit {
    /// Its id, as the scoring inputs name it.
    pub id: String,
    /// Its official name.
    pub name: String,
}

/// A collective name for units, like "UBND xã, phường".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanGroup {
    /// Its id.
    pub id: String,
    /// The name as printed.
    pub name: String,
    /// The units in it; empty when the plan does not say.
    pub members: Vec<String>,
}

/// An event outside the plan that a deadline follows: "after the province issues X".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanEvent {
    /// Its id.
    pub id: String,
    /// What it is.
    pub name: String,
    /// When it happened, once known.
    pub date: Option<Date>,
}

/// One task of a plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Task {
    /// The plan's numbering: `2.3`.
    pub code: String,
    /// The section's code.
    pub area: String,
    /// The task, as printed.
    pub description: String,
    /// Unit or group ids that lead it: each lead unit is measured on it.
    pub lead: Vec<String>,
    /// Unit or group ids that take part; they are not measured on it.
    pub partners: Vec<String>,
    /// The expected product, as printed.
    pub product: String,
    /// When it is due.
    pub deadline: Deadline,
    /// The deadline as printed.
    pub printed_deadline: Option<String>,
    /// A remark of the transcription.
    pub note: Option<String>,
    /// Where the task is in its file.
    pub location: Location,
}

/// When a task is due.
///
/// ```
/// use parindex_core::records::Deadline;
/// use parindex_core::Date;
/// let due = |d: Deadline| d.due(&[]).map(|d| d.to_string());
/// assert_eq!(due("Q1/2024".parse()?), Some("31/03/2024".to_owned()));
/// assert_eq!(due("02/2024".parse()?), Some("29/02/2024".to_owned()));
/// assert_eq!(due("15/12/2018".parse()?), Some("15/12/2018".to_owned()));
/// assert_eq!(due("year-round".parse()?), None);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deadline {
    /// On or before the day.
    Date(Date),
    /// By the last day of the month.
    Month {
        /// The year.
        year: i32,
        /// The month, 1 to 12.
        month: u8,
    },
    /// By the last day of the quarter: Q1 ends on 31 March.
    Quarter {
        /// The year.
        year: i32,
        /// The quarter, 1 to 4.
        quarter: u8,
    },
    /// Ongoing work: never late, though it can be not done.
    YearRound,
    /// Within `days` days of an outside event; never late while the event's date is unknown.
    After {
        /// The event's id.
        event: String,
        /// Days allowed after it.
        days: u32,
    },
}

impl Deadline {
    /// The last day the task is on time, or `None` when it cannot be late.
    pub fn due(&self, events: &[PlanEvent]) -> Option<Date> {
        match self {
            Deadline::Date(d) => Some(*d),
            Deadline::Month { year, month } => Date::end_of_month(*year, *month),
            Deadline::Quarter { year, quarter } => Date::end_of_month(*year, quarter * 3),
            Deadline::YearRound => None,
            Deadline::After { event, days } => {
                let date = events.iter().find(|e| &e.id == event)?.date?;
                date.checked_add_days(i64::from(*days))
            }
        }
    }
}

impl std::str::FromStr for Deadline {
    type Err = String;

    /// Reads `dd/mm/yyyy` (or ISO), `mm/yyyy`, `Q1/yyyy` … `Q4/yyyy`, or `year-round`; the
    /// `after` form is a table in the plan file.
    fn from_str(text: &str) -> Result<Self, String> {
        let t = text.trim();
        let fail = || {
            format!(
                "\"{t}\" is not a deadline (dd/mm/yyyy, mm/yyyy, Q1/yyyy … Q4/yyyy or year-round)"
            )
        };
        if t == "year-round" {
            return Ok(Deadline::YearRound);
        }
        if let Some(rest) = t.strip_prefix('Q') {
            let (q, y) = rest.split_once('/').ok_or_else(fail)?;
            let quarter: u8 = q.parse().map_err(|_| fail())?;
            let year: i32 = y.parse().map_err(|_| fail())?;
            if !(1..=4).contains(&quarter) || !(1..=9999).contains(&year) {
                return Err(fail());
            }
            return Ok(Deadline::Quarter { year, quarter });
        }
        if let Some((m, y)) = t.split_once('/').filter(|(_, y)| !y.contains('/')) {
            let month: u8 = m.parse().map_err(|_| fail())?;
            let year: i32 = y.parse().map_err(|_| fail())?;
            return Date::end_of_month(year, month)
                .map(|_| Deadline::Month { year, month })
                .ok_or_else(fail);
        }
        t.parse::<Date>().map(Deadline::Date).map_err(|_| fail())
    }
}

impl fmt::Display for Deadline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deadline::Date(d) => write!(f, "{d}"),
            Deadline::Month { year, month } => write!(f, "{month:02}/{year}"),
            Deadline::Quarter { year, quarter } => write!(f, "Q{quarter}/{year}"),
            Deadline::YearRound => f.write_str("year-round"),
            Deadline::After { event, days: 0 } => write!(f, "after {event}"),
            Deadline::After { event, days } => write!(f, "{days} days after {event}"),
        }
    }
}

/// What a unit recorded about one task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The unit's id.
    pub unit: String,
    /// The task's code.
    pub task: String,
    /// The day it was done; `None` while not done.
    pub done: Option<Date>,
    /// The product's reference: a decision number, a report.
    pub product: Option<String>,
    /// A remark.
    pub note: Option<String>,
}

impl Completion {
    /// The record with its text in NFC, borrowed when it already is.
    pub(crate) fn in_nfc(&self) -> Cow<'_, Completion> {
        let optional = |text: &Option<String>| text.as_deref().is_none_or(is_nfc);
        if is_nfc(&self.unit)
            && is_nfc(&self.task)
            && optional(&self.product)
            && optional(&self.note)
        {
            return Cow::Borrowed(self);
        }
        Cow::Owned(Completion {
            unit: nfc_string(&self.unit),
            task: nfc_string(&self.task),
            done: self.done,
            product: self.product.as_deref().map(nfc_string),
            note: self.note.as_deref().map(nfc_string),
        })
    }
}

/// How one task stands for one unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TaskOutcome {
    /// Done on or before its deadline, or done when it cannot be late.
    OnTime,
    /// Done after its deadline, by this many days.
    Late {
        /// Days after the deadline.
        days: i64,
    },
    /// No completion date recorded.
    NotDone,
}

impl TaskOutcome {
    /// The outcome's name in results, without the days of a late task: `on-time`, `late` or
    /// `not-done`.
    pub const fn as_str(self) -> &'static str {
        match self {
            TaskOutcome::OnTime => "on-time",
            TaskOutcome::Late { .. } => "late",
            TaskOutcome::NotDone => "not-done",
        }
    }
}

/// One task led by a unit, with its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskStatus {
    /// The task's code.
    pub task: String,
    /// The last day it is on time; `None` when it cannot be late.
    pub due: Option<Date>,
    /// The day it was done.
    pub done: Option<Date>,
    /// The product recorded.
    pub product: Option<String>,
    /// On time, late or not done.
    pub outcome: TaskOutcome,
}

/// A unit's measurements from the plan: the tasks it leads and how each stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanTally {
    /// The plan's id.
    pub plan: String,
    /// Every task the unit leads, in the plan's order.
    pub tasks: Vec<TaskStatus>,
}

impl PlanTally {
    /// Tasks the unit leads.
    pub fn assigned(&self) -> u32 {
        count(self.tasks.iter())
    }

    /// Tasks done, on time or late.
    pub fn done(&self) -> u32 {
        count(
            self.tasks
                .iter()
                .filter(|t| t.outcome != TaskOutcome::NotDone),
        )
    }

    /// Tasks done by their deadline.
    pub fn on_time(&self) -> u32 {
        count(
            self.tasks
                .iter()
                .filter(|t| t.outcome == TaskOutcome::OnTime),
        )
    }

    /// Codes of the tasks done late.
    pub fn late(&self) -> Vec<&str> {
        let late = |t: &&TaskStatus| matches!(t.outcome, TaskOutcome::Late { .. });
        self.tasks
            .iter()
            .filter(late)
            .map(|t| t.task.as_str())
            .collect()
    }

    /// Codes of the tasks not done.
    pub fn not_done(&self) -> Vec<&str> {
        let not_done = |t: &&TaskStatus| t.outcome == TaskOutcome::NotDone;
        self.tasks
            .iter()
            .filter(not_done)
            .map(|t| t.task.as_str())
            .collect()
    }
}

fn count<'a>(tasks: impl Iterator<Item = &'a TaskStatus>) -> u32 {
    u32::try_from(tasks.count()).unwrap_or(u32::MAX)
}

impl fmt::Display for PlanTally {
    /// `7 of 9 plan tasks done, 6 on time; late: 2.3; not done: 6.1, 8.4`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} of {} plan tasks done, {} on time",
            self.done(),
            self.assigned(),
            self.on_time()
        )?;
        let late = self.late();
        if !late.is_empty() {
            write!(f, "; late: {}", late.join(", "))?;
        }
        let not_done = self.not_done();
        if !not_done.is_empty() {
            write!(f, "; not done: {}", not_done.join(", "))?;
        }
        Ok(())
    }
}

impl ReformPlan {
    /// The ids of the units a lead or partner entry stands for: the unit itself, or a group's
    /// members.
    fn expand<'a>(&'a self, id: &'a str) -> Vec<&'a str> {
        match self.groups.iter().find(|g| g.id == id) {
            Some(group) => group.members.iter().map(String::as_str).collect(),
            None => vec![id],
        }
    }

    /// Whether `unit` leads `task`, itself or through a group; the unit's id is read in NFC.
    pub fn leads(&self, unit: &str, task: &Task) -> bool {
        let unit = nfc(unit);
        task.lead
            .iter()
            .any(|l| self.expand(l).contains(&unit.as_ref()))
    }

    /// Whether the plan names the unit, as a unit or a group member; the id is read in NFC.
    pub fn names_unit(&self, unit: &str) -> bool {
        let unit = nfc(unit);
        let unit = unit.as_ref();
        self.units.iter().any(|u| u.id == unit)
            || self
                .groups
                .iter()
                .any(|g| g.members.iter().any(|m| m == unit))
    }

    /// The task with this code, read in NFC.
    pub fn task(&self, code: &str) -> Option<&Task> {
        let code = nfc(code);
        self.tasks.iter().find(|t| t.code == code)
    }

    /// A unit's tasks and their outcomes, from the unit's completion records.
    ///
    /// A task is done when a completion gives its date; it is on time when that date is on or
    /// before the task's due day, or when the task cannot be late (`year-round`, or after an
    /// event whose date is unknown).
    ///
    /// ```
    /// use parindex_core::records::{Completion, ReformPlan};
    /// let plan = ReformPlan::from_toml(r#"
    /// format = 1
    /// [plan]
    /// id = "example/2024"
    /// title = "Example plan"
    /// authority = "Example office"
    /// issued = "29/12/2023"
    /// year = 2024
    /// source = "made up for this example"
    /// [[unit]]
    /// id = "justice"
    /// name = "Justice office"
    /// [[task]]
    /// code = "1.1"
    /// description = "Review the year's regulations"
    /// lead = ["justice"]
    /// product = "A report"
    /// deadline = "Q1/2024"
    /// "#, "plan.toml")?;
    /// let done = Completion {
    ///     unit: "justice".into(),
    ///     task: "1.1".into(),
    ///     done: Some("02/04/2024".parse()?),
    ///     product: None,
    ///     note: None,
    /// };
    /// let tally = plan.tally("justice", &[&done]);
    /// assert_eq!(tally.to_string(), "1 of 1 plan tasks done, 0 on time; late: 1.1");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn tally(&self, unit: &str, completions: &[&Completion]) -> PlanTally {
        let unit = nfc(unit);
        let tasks = self
            .tasks
            .iter()
            .filter(|t| self.leads(&unit, t))
            .map(|task| {
                let record = completions.iter().find(|c| nfc(&c.task) == task.code);
                let done = record.and_then(|c| c.done);
                let due = task.deadline.due(&self.events);
                let outcome = match (done, due) {
                    (None, _) => TaskOutcome::NotDone,
                    (Some(done), Some(due)) if done > due => TaskOutcome::Late {
                        days: done.days_since(due),
                    },
                    (Some(_), _) => TaskOutcome::OnTime,
                };
                TaskStatus {
                    task: task.code.clone(),
                    due,
                    done,
                    product: record.and_then(|c| c.product.clone()),
                    outcome,
                }
            })
            .collect();
        PlanTally {
            plan: self.id.clone(),
            tasks,
        }
    }
}
