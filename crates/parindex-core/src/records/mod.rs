//! Measurements from the year's records, rather than typed in: the reform plan's tasks and
//! their completion records, and raw survey responses.
//!
//! - A **reform plan** ([`ReformPlan`]) lists tasks with lead units and deadlines. With the
//!   units' [`Completion`] records, [`Batch::add_plan_records`] derives, for every leaf that
//!   declares `derive = "plan-done"`, `"plan-on-time"` or `"plan-late"`, the unit's tasks done
//!   (`7/9`), done on time, or done late or not done, and keeps the task list to explain it.
//! - **Survey responses** ([`SurveyAnswer`], one per respondent and item) are tallied by
//!   [`Batch::add_survey_answers`] per unit, item and respondent group into the survey value
//!   the item's rule scores, with the share satisfied and its 95% Wilson interval.
//!
//! Derived values go into a stage of the batch like typed ones (the first stage unless told
//! otherwise); a leaf that already has a value at that stage is an error, never overwritten.
//! The derivations stay with the results ([`crate::Scorecard::derivation`]) and open every
//! explanation of the leaf.
//!
//! ```
//! use parindex_core::records::{Completion, ReformPlan};
//! use parindex_core::{shipped, Batch, Plan};
//! let set = shipped::load("binh-thuan-police/division-procedures/2024")?.set;
//! let plan = Plan::new(&set);
//! let reform = ReformPlan::from_toml(r#"
//! format = 1
//! [plan]
//! id = "example/2024"
//! title = "Example plan"
//! authority = "Example office"
//! issued = "29/12/2023"
//! year = 2024
//! source = "made up for this example"
//! [[unit]]
//! id = "PA01"
//! name = "Division one"
//! [[task]]
//! code = "1"
//! description = "Issue the propaganda plan"
//! lead = ["PA01"]
//! product = "A plan"
//! deadline = "Q1/2024"
//! [[task]]
//! code = "2"
//! description = "Report each quarter"
//! lead = ["PA01"]
//! product = "Four reports"
//! deadline = "year-round"
//! "#, "plan.toml")?;
//! let done = Completion {
//!     unit: "PA01".into(),
//!     task: "1".into(),
//!     done: Some("15/04/2024".parse()?),
//!     product: None,
//!     note: None,
//! };
//! let mut batch = Batch::new(&plan);
//! batch.add_unit("PA01", [])?;
//! batch.add_plan_records(&reform, &[done], None).map_err(|problems| format!("{problems:?}"))?;
//! let results = plan.score(&batch)?;
//! let line = results.explain("PA01").ok_or("no unit")?.lines.into_iter().find(|l| l.code == "1.1.4").ok_or("no line")?;
//! assert_eq!(line.reason, "1 of 2 plan tasks done, 0 on time; late: 1; not done: 2 → 1/2 (50%) → tier 50 <= x < 100 → 0.5");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod plan_file;
mod reform;
mod survey;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::batch::Batch;
use crate::model::PlanMeasure;
use crate::score::ScoreWarning;
use crate::value::{Input, Value};

pub use reform::{
    Completion, Deadline, PlanEvent, PlanGroup, PlanTally, PlanUnit, ReformPlan, Task, TaskOutcome,
    TaskStatus,
};
pub use survey::{GroupTally, SurveyAnswer, SurveyTally, Z_95, wilson};

/// What a derived value was computed from.
#[derive(Debug, Clone, PartialEq)]
pub enum Derivation {
    /// The unit's tasks in the reform plan.
    Plan(PlanTally),
    /// The unit's survey answers to the item.
    Survey(SurveyTally),
}

impl fmt::Display for Derivation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Derivation::Plan(tally) => write!(f, "{tally}"),
            Derivation::Survey(tally) => write!(f, "survey: {tally}"),
        }
    }
}

/// A record that cannot be used: its position in the records given, the unit and criterion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordProblem {
    /// The record's position in the slice given, when one record is at fault.
    pub record: Option<usize>,
    /// The unit concerned.
    pub unit: Option<String>,
    /// The criterion or task concerned.
    pub code: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for RecordProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::batch::write_for_unit(f, self.unit.as_deref(), self.code.as_deref(), &self.message)
    }
}

/// Derivations by `(unit, leaf)`, with the stage the value went into.
pub(crate) type Derivations = BTreeMap<(usize, usize), (usize, Arc<Derivation>)>;

impl Batch {
    /// Derives the plan measurements of every unit of the batch, for every leaf that declares
    /// `derive`, from the plan and the units' completion records, into `stage` (the first
    /// stage when `None`).
    ///
    /// A unit that leads no task gets "not applicable". Completions for a unit not in the
    /// batch, for a task not in the plan, or twice for the same task, are problems; so is a
    /// leaf that already has a value at the stage. Ids and codes are read in NFC, so a unit or
    /// task typed with combining marks is the same unit or task. A completion dated before the
    /// plan was issued counts, with a warning; a completion for a task the unit does not lead is
    /// left out, with a warning.
    pub fn add_plan_records(
        &mut self,
        plan: &crate::records::ReformPlan,
        completions: &[Completion],
        stage: Option<&str>,
    ) -> Result<(), Vec<RecordProblem>> {
        let set = Arc::clone(&self.plan().set);
        let leaves: Vec<(String, PlanMeasure)> = set
            .nodes
            .iter()
            .filter_map(|n| n.derive.map(|d| (n.code.clone(), d)))
            .collect();
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let mut per_unit: Vec<Vec<&Completion>> = vec![Vec::new(); self.units().len()];
        // Ids and codes typed with combining marks are the same ids and codes.
        let completions: Vec<Cow<'_, Completion>> =
            completions.iter().map(Completion::in_nfc).collect();
        for (i, c) in completions.iter().map(|c| &**c).enumerate() {
            let problem = |message: String| RecordProblem {
                record: Some(i),
                unit: Some(c.unit.clone()),
                code: Some(c.task.clone()),
                message,
            };
            let Some(unit) = self.unit_index(&c.unit) else {
                problems.push(problem("the unit is not among the units scored".to_owned()));
                continue;
            };
            let Some(task) = plan.task(&c.task) else {
                problems.push(problem(format!(
                    "the plan {} has no task {}",
                    plan.id, c.task
                )));
                continue;
            };
            if per_unit[unit].iter().any(|earlier| earlier.task == c.task) {
                problems.push(problem(
                    "a second completion record for the task".to_owned(),
                ));
                continue;
            }
            if !plan.leads(&c.unit, task) {
                warnings.push(ScoreWarning::new(
                    &c.unit,
                    &c.task,
                    "a completion for a task the unit does not lead: left out".to_owned(),
                ));
                continue;
            }
            if let Some(done) = c.done.filter(|d| *d < plan.issued) {
                warnings.push(ScoreWarning::new(
                    &c.unit,
                    &c.task,
                    format!(
                        "done {done}, before the plan was issued ({}): counted as done on time",
                        plan.issued
                    ),
                ));
            }
            per_unit[unit].push(c);
        }
        if leaves.is_empty() {
            problems.push(RecordProblem {
                record: None,
                unit: None,
                code: None,
                message: format!(
                    "no criterion of {} is derived from a plan (`derive = \"plan-done\"`)",
                    set.info.id
                ),
            });
        }
        let mut derived = Vec::new();
        for (unit, records) in per_unit.iter().enumerate() {
            let id = self.units()[unit].id.clone();
            let tally = plan.tally(&id, records);
            if !plan.names_unit(&id) {
                warnings.push(ScoreWarning::new(
                    &id,
                    leaves.first().map_or("", |(c, _)| c.as_str()),
                    format!(
                        "the plan {} does not name this unit: no task to measure",
                        plan.id
                    ),
                ));
            }
            let inputs: Vec<Input> = leaves
                .iter()
                .map(|(_, measure)| match measure {
                    _ if tally.assigned() == 0 => Input::NotApplicable,
                    PlanMeasure::Done => ratio(tally.done(), tally.assigned()),
                    PlanMeasure::OnTime => ratio(tally.on_time(), tally.assigned()),
                    PlanMeasure::LateOrNotDone => {
                        Input::Value(Value::Number((tally.assigned() - tally.on_time()).into()))
                    }
                })
                .collect();
            let tally = Arc::new(Derivation::Plan(tally));
            for ((code, _), input) in leaves.iter().zip(inputs) {
                derived.push((unit, code.clone(), input, Arc::clone(&tally)));
            }
        }
        self.put_derived(derived, stage, &mut problems);
        self.finish_records(problems, warnings)
    }

    /// Tallies raw survey answers per unit, item and respondent group into the survey value of
    /// each item's leaf, into `stage` (the first stage when `None`).
    ///
    /// An item must be the code of a leaf scored by a survey rule; the unit must be in the
    /// batch; groups and answers must be those the rule knows. A group with fewer respondents
    /// than the set's `min_respondents` is scored as usual, with a warning. Units, groups, items
    /// and answers are read in NFC.
    pub fn add_survey_answers(
        &mut self,
        answers: &[SurveyAnswer],
        stage: Option<&str>,
    ) -> Result<(), Vec<RecordProblem>> {
        let set = Arc::clone(&self.plan().set);
        let mut problems = Vec::new();
        let mut warnings = Vec::new();
        let mut by_item: BTreeMap<(usize, String), Vec<(usize, &SurveyAnswer)>> = BTreeMap::new();
        // Units, groups, items and answers typed with combining marks read as composed.
        let answers: Vec<Cow<'_, SurveyAnswer>> =
            answers.iter().map(SurveyAnswer::in_nfc).collect();
        for (i, a) in answers.iter().map(|a| &**a).enumerate() {
            let problem = |message: &str| RecordProblem {
                record: Some(i),
                unit: Some(a.unit.clone()),
                code: Some(a.item.clone()),
                message: message.to_owned(),
            };
            let item = a.item.trim();
            match set.node(item) {
                None => problems.push(problem("not a criterion of the set")),
                Some(node) if node.rule.is_none() => {
                    problems.push(problem("not a leaf: answers go to the leaf criteria"))
                }
                Some(_) => match self.unit_index(&a.unit) {
                    None => problems.push(problem("the unit is not among the units scored")),
                    Some(unit) => by_item
                        .entry((unit, item.to_owned()))
                        .or_default()
                        .push((i, a)),
                },
            }
        }
        let mut derived = Vec::new();
        for ((unit, item), answers) in by_item {
            let Some(rule) = set.node(&item).and_then(|n| n.rule.as_ref()) else {
                continue;
            };
            match survey::tally(rule, &answers) {
                Ok(tally) => {
                    let id = &self.units()[unit].id;
                    if let Some(min) = set.policy.min_respondents {
                        for g in tally.groups.iter().filter(|g| g.respondents < min) {
                            let group = g
                                .group
                                .as_ref()
                                .map_or(String::new(), |g| format!(" ({g})"));
                            warnings.push(ScoreWarning::new(
                                id,
                                &item,
                                format!(
                                    "{} respondents{group}, fewer than the set's minimum of {min}: scored as usual",
                                    g.respondents
                                ),
                            ));
                        }
                    }
                    let value = Value::Survey(Box::new(tally.value()));
                    derived.push((
                        unit,
                        item,
                        Input::Value(value),
                        Arc::new(Derivation::Survey(tally)),
                    ));
                }
                Err(errors) => problems.extend(errors.into_iter().map(|(i, message)| {
                    RecordProblem {
                        record: Some(i),
                        unit: answers
                            .iter()
                            .find(|(j, _)| *j == i)
                            .map(|(_, a)| a.unit.clone()),
                        code: Some(item.clone()),
                        message,
                    }
                })),
            }
        }
        self.put_derived(derived, stage, &mut problems);
        self.finish_records(problems, warnings)
    }

    /// Puts derived inputs into the batch, refusing to overwrite a value already given. Nothing
    /// is put when anything is refused, so a failed call leaves the batch as it was.
    fn put_derived(
        &mut self,
        derived: Vec<(usize, String, Input, Arc<Derivation>)>,
        stage: Option<&str>,
        problems: &mut Vec<RecordProblem>,
    ) {
        let mut placed = Vec::with_capacity(derived.len());
        for (unit, code, input, derivation) in derived {
            let problem = |message: String| RecordProblem {
                record: None,
                unit: Some(self.units()[unit].id.clone()),
                code: Some(code.clone()),
                message,
            };
            match self.leaf_and_stage(&code, stage) {
                Err(message) => problems.push(problem(message)),
                Ok((leaf, at)) if self.get(unit, leaf, at).is_some() => problems.push(problem(
                    "already has a value in the inputs; a value derived from the records does not replace it: leave that input empty".to_owned(),
                )),
                Ok((leaf, at)) => placed.push((unit, leaf, at, code, input, derivation)),
            }
        }
        if !problems.is_empty() {
            return;
        }
        for (unit, leaf, at, code, input, derivation) in placed {
            if let Err(e) = self.set(unit, &code, stage, input) {
                problems.push(RecordProblem {
                    record: None,
                    unit: e.unit,
                    code: e.code,
                    message: e.message,
                });
                continue;
            }
            self.data_mut()
                .derived
                .insert((unit, leaf), (at, derivation));
        }
    }

    fn finish_records(
        &mut self,
        problems: Vec<RecordProblem>,
        warnings: Vec<ScoreWarning>,
    ) -> Result<(), Vec<RecordProblem>> {
        if problems.is_empty() {
            self.data_mut().record_warnings.extend(warnings);
            Ok(())
        } else {
            Err(problems)
        }
    }
}

fn ratio(numerator: u32, denominator: u32) -> Input {
    Input::Value(Value::Ratio {
        numerator: numerator.into(),
        denominator: denominator.into(),
    })
}
