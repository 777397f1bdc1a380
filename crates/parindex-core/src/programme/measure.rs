//! Measured values from the year's records: whether each unit that leads a task of the reform
//! plan did it.

use crate::records::{Completion, ReformPlan, TaskOutcome};
use crate::text::nfc;

use super::{Measured, Observation, Programme, TargetMeasure};

impl Programme {
    /// The observations of every target measured by a task of the plan (`measure = { task =
    /// … }`): for each unit that leads the task, in the plan's year, done (by its deadline,
    /// with `on_time`) or not, from its completion record. An error names a task the plan does
    /// not have.
    ///
    /// ```
    /// use parindex_core::programme::{Measured, Programme};
    /// use parindex_core::records::{Completion, ReformPlan};
    ///
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
    /// id = "office"
    /// name = "The office"
    /// [[task]]
    /// code = "2.8"
    /// description = "Open the public administration centre"
    /// lead = ["office"]
    /// product = "The centre in operation"
    /// deadline = "Q1/2024"
    /// "#, "plan.toml")?;
    /// let programme = Programme::from_toml(r#"
    /// format = 1
    /// [programme]
    /// id = "example/2024"
    /// title = "Example"
    /// authority = "Example office"
    /// period = "2024"
    /// source = "made up for this example"
    /// [[target]]
    /// id = "T1"
    /// area = "procedures"
    /// indicator = "The public administration centre in operation by the end of Q1"
    /// comparator = "="
    /// value = "operational"
    /// unit = "text"
    /// by = 2024
    /// population = "the centre"
    /// measure = { task = "2.8", on_time = true }
    /// "#, "programme.toml")?;
    /// let done = Completion {
    ///     unit: "office".into(), task: "2.8".into(), done: Some("18/05/2024".parse()?),
    ///     product: None, note: None,
    /// };
    /// let seen = programme.observations_from_plan(&plan, &[done])?;
    /// assert_eq!(seen[0].value, Measured::Yes(false));
    /// assert_eq!(seen[0].from, "plan example/2024, task 2.8: done 18/05/2024, 48 days after 31/03/2024");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn observations_from_plan(
        &self,
        plan: &ReformPlan,
        completions: &[Completion],
    ) -> Result<Vec<Observation>, String> {
        let mut units: Vec<&str> = plan.units.iter().map(|u| u.id.as_str()).collect();
        for group in &plan.groups {
            units.extend(group.members.iter().map(String::as_str));
        }
        units.dedup();
        let mut found = Vec::new();
        for target in &self.targets {
            let Some(TargetMeasure::Task { task, on_time }) = &target.measure else {
                continue;
            };
            let Some(task) = plan.task(task) else {
                return Err(format!(
                    "target {} is measured by task {task}, which plan {} does not have",
                    target.id, plan.id
                ));
            };
            let mut leads: Vec<&str> = units
                .iter()
                .copied()
                .filter(|u| plan.leads(u, task))
                .collect();
            leads.sort_unstable();
            leads.dedup();
            for unit in leads {
                let records: Vec<&Completion> = completions
                    .iter()
                    .filter(|c| nfc(&c.unit) == unit)
                    .collect();
                let tally = plan.tally(unit, &records);
                let Some(status) = tally.tasks.iter().find(|t| t.task == task.code) else {
                    continue;
                };
                let (yes, how) = match (status.outcome, status.done, status.due) {
                    (TaskOutcome::NotDone, ..) => (false, "not done".to_owned()),
                    (TaskOutcome::OnTime, Some(done), _) => (true, format!("done {done}")),
                    (TaskOutcome::Late { days }, Some(done), Some(due)) => {
                        (!on_time, format!("done {done}, {days} days after {due}"))
                    }
                    (_, done, _) => (
                        done.is_some(),
                        done.map_or("not done".to_owned(), |d| format!("done {d}")),
                    ),
                };
                found.push(Observation {
                    target: target.id.clone(),
                    year: plan.year,
                    unit: Some(unit.to_owned()),
                    value: Measured::Yes(yes),
                    from: format!("plan {}, task {}: {how}", plan.id, task.code),
                });
            }
        }
        Ok(found)
    }
}
