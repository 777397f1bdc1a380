//! Reading a plan file: TOML text → [`ReformPlan`], every problem located, in one pass, every
//! string in Unicode NFC.

use std::collections::HashMap;
use std::path::Path;

use toml::de::DeValue;

use crate::diagnostic::{Check, CriteriaError, Diagnostic, Severity};
use crate::spanned::{At, Kind, Reader, read_toml_file};
use crate::text::nfc;

use super::reform::{Deadline, PlanEvent, PlanGroup, PlanUnit, ReformPlan, Task};

impl ReformPlan {
    /// Loads a plan from TOML text; `file` names it in messages. The format is described in
    /// `docs/records.md`; see [`ReformPlan::tally`] for an example.
    pub fn from_toml(text: &str, file: &str) -> Result<ReformPlan, CriteriaError> {
        let mut reader = Reader::new(Kind::Plan, file, text);
        let plan = reader.read_plan();
        let mut diagnostics = reader.diagnostics;
        if let Some(plan) = &plan {
            diagnostics.extend(check_references(plan, file, text));
        }
        diagnostics.sort_by_key(|d| (d.location.line, d.location.column));
        match plan {
            Some(plan) if diagnostics.is_empty() => Ok(plan),
            _ => Err(CriteriaError { diagnostics }),
        }
    }

    /// Loads a plan file.
    pub fn from_path(path: &Path) -> Result<ReformPlan, CriteriaError> {
        let (file, text) = read_toml_file(path, Kind::Plan)?;
        Self::from_toml(&text, &file)
    }
}

impl Reader<'_> {
    fn read_plan(&mut self) -> Option<ReformPlan> {
        let root = self.parse()?;
        let root_at = At {
            table: root.get_ref(),
            span: root.span(),
            code: None,
        };
        let keys = ["format", "plan", "area", "unit", "group", "event", "task"];
        self.known_keys(&root_at, &keys, "the file");
        if let Some(format) = self.integer(&root_at, "format", true) {
            if format != 1 {
                let span = root_at.table.get("format").map_or(0..0, |v| v.span());
                let message = format!("plan format {format} is not known; this engine reads 1");
                self.report(Check::WrongType, &span, None, message);
            }
        }
        let header = self.table(&root_at, "plan", true);
        let header = header.map(|at| {
            let keys = [
                "id",
                "title",
                "authority",
                "number",
                "issued",
                "year",
                "source",
                "status",
                "notes",
            ];
            self.known_keys(&at, &keys, "[plan]");
            let year = self.integer(&at, "year", true).and_then(|y| {
                i32::try_from(y)
                    .ok()
                    .filter(|y| (1..=9999).contains(y))
                    .or_else(|| {
                        let span = at.table.get("year").map_or(0..0, |v| v.span());
                        self.report(Check::WrongType, &span, None, format!("{y} is not a year"));
                        None
                    })
            });
            (
                self.required_string(&at, "id"),
                self.required_string(&at, "title"),
                self.required_string(&at, "authority"),
                self.string(&at, "number", false),
                self.date(&at, "issued", true),
                year,
                self.required_string(&at, "source"),
                self.string(&at, "status", false),
                self.string(&at, "notes", false),
            )
        });
        let areas: Vec<_> = self
            .rows(&root_at, "area")?
            .iter()
            .map(|at| {
                self.known_keys(at, &["code", "name"], "[[area]]");
                Some((
                    self.required_string(at, "code")?,
                    self.required_string(at, "name")?,
                ))
            })
            .collect();
        let units: Vec<_> = self
            .rows(&root_at, "unit")?
            .iter()
            .map(|at| {
                self.known_keys(at, &["id", "name"], "[[unit]]");
                Some(PlanUnit {
                    id: self.required_string(at, "id")?,
                    name: self.required_string(at, "name")?,
                })
            })
            .collect();
        let groups: Vec<_> = self
            .rows(&root_at, "group")?
            .iter()
            .map(|at| {
                self.known_keys(at, &["id", "name", "members", "note"], "[[group]]");
                let _ = self.string(at, "note", false);
                Some(PlanGroup {
                    id: self.required_string(at, "id")?,
                    name: self.required_string(at, "name")?,
                    members: self.strings(at, "members")?,
                })
            })
            .collect();
        let events: Vec<_> = self
            .rows(&root_at, "event")?
            .iter()
            .map(|at| {
                self.known_keys(at, &["id", "name", "date"], "[[event]]");
                Some(PlanEvent {
                    id: self.required_string(at, "id")?,
                    name: self.required_string(at, "name")?,
                    date: match at.table.get("date") {
                        Some(_) => Some(self.date(at, "date", true)?),
                        None => None,
                    },
                })
            })
            .collect();
        let task_tables = self.rows(&root_at, "task")?;
        if task_tables.is_empty() {
            let message = "the plan has no [[task]]".to_owned();
            self.report(Check::MissingKey, &root_at.span, None, message);
        }
        let tasks: Vec<_> = task_tables.iter().map(|at| self.read_task(at)).collect();
        let (id, title, authority, number, issued, year, source, _status, _notes) = header?;
        Some(ReformPlan {
            id: id?,
            title: title?,
            authority: authority?,
            number,
            issued: issued?,
            year: year?,
            source: source?,
            areas: areas.into_iter().collect::<Option<_>>()?,
            units: units.into_iter().collect::<Option<_>>()?,
            groups: groups.into_iter().collect::<Option<_>>()?,
            events: events.into_iter().collect::<Option<_>>()?,
            tasks: tasks.into_iter().collect::<Option<_>>()?,
        })
    }

    fn read_task(&mut self, at: &At<'_, '_>) -> Option<Task> {
        let code = self.required_string(at, "code")?.trim().to_owned();
        let at = At {
            table: at.table,
            span: at.span.clone(),
            code: Some(code.clone()),
        };
        let keys = [
            "code",
            "area",
            "description",
            "lead",
            "partners",
            "product",
            "deadline",
            "printed_deadline",
            "note",
        ];
        self.known_keys(&at, &keys, "[[task]]");
        let lead = self.strings(&at, "lead");
        if lead.as_ref().is_some_and(Vec::is_empty) {
            let message = "a task needs at least one lead unit (`lead`)".to_owned();
            self.report(Check::MissingKey, &at.span, Some(&code), message);
        }
        let area = self
            .string(&at, "area", false)
            .unwrap_or_else(|| code.split('.').next().unwrap_or_default().to_owned());
        Some(Task {
            area,
            description: self.required_string(&at, "description")?,
            lead: lead.filter(|l| !l.is_empty())?,
            partners: self.strings(&at, "partners")?,
            product: self.required_string(&at, "product")?,
            deadline: self.deadline(&at)?,
            printed_deadline: self.string(&at, "printed_deadline", false),
            note: self.string(&at, "note", false),
            location: self.location(&at.span),
            code,
        })
    }

    /// A deadline string, or `{ after = "event", days = 30 }`.
    fn deadline(&mut self, at: &At<'_, '_>) -> Option<Deadline> {
        let value = self.get(at, "deadline", true)?;
        match value.get_ref() {
            DeValue::String(text) => match nfc(text).parse::<Deadline>() {
                Ok(deadline) => Some(deadline),
                Err(message) => {
                    self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
                    None
                }
            },
            DeValue::Table(table) => {
                let (event, days) = self.after_event(at, table, value.span(), "the deadline")?;
                Some(Deadline::After { event, days })
            }
            _ => {
                let expected = "a deadline string or a table { after = \"event\", days = 30 }";
                self.wrong_type(at, "deadline", value, expected);
                None
            }
        }
    }
}

/// The offset of the first quoted string in `text` that reads `id`: written as it is, or
/// written decomposed and read into NFC.
fn first_quoted(text: &str, id: &str) -> Option<usize> {
    text.find(&format!("\"{id}\"")).or_else(|| {
        text.match_indices('"').map(|(i, _)| i).find(|&i| {
            text.get(i + 1..)
                .and_then(|rest| rest.split('"').next())
                .is_some_and(|quoted| nfc(quoted) == id)
        })
    })
}

/// Codes and ids that must be unique, and references that must resolve: reported at the task,
/// group or event that holds them.
fn check_references(plan: &ReformPlan, file: &str, text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    let mut report = |check: Check, location: crate::Location, code: Option<&str>, message| {
        found.push(Diagnostic {
            severity: Severity::Error,
            check,
            location,
            code: code.map(str::to_owned),
            message,
        })
    };
    // Units, groups and events are not located in the model: point at their first mention.
    let locate = |id: &str| crate::Location::at(file, text, first_quoted(text, id).unwrap_or(0));
    let mut ids: HashMap<&str, &str> = HashMap::new();
    let declared = plan
        .units
        .iter()
        .map(|u| (u.id.as_str(), "unit"))
        .chain(plan.groups.iter().map(|g| (g.id.as_str(), "group")));
    for (id, kind) in declared {
        if let Some(first) = ids.insert(id, kind) {
            let message = format!("the id \"{id}\" is declared twice (as a {first} and a {kind})");
            report(Check::DuplicateCode, locate(id), None, message);
        }
    }
    for group in &plan.groups {
        for member in &group.members {
            if ids.get(member.as_str()) != Some(&"unit") {
                let message = format!(
                    "group \"{}\" lists \"{member}\", which is not a declared [[unit]]",
                    group.id
                );
                report(Check::UnknownNode, locate(member), None, message);
            }
        }
    }
    let mut codes: HashMap<&str, usize> = HashMap::new();
    for task in &plan.tasks {
        let code = Some(task.code.as_str());
        if let Some(line) = codes.insert(&task.code, task.location.line) {
            let message = format!("duplicate task code; first at line {line}");
            report(Check::DuplicateCode, task.location.clone(), code, message);
        }
        if !plan.areas.is_empty() && !plan.areas.iter().any(|(a, _)| *a == task.area) {
            let message = format!("area \"{}\" is not a declared [[area]]", task.area);
            report(Check::UnknownNode, task.location.clone(), code, message);
        }
        for (role, id) in task
            .lead
            .iter()
            .map(|l| ("lead", l))
            .chain(task.partners.iter().map(|p| ("partner", p)))
        {
            if !ids.contains_key(id.as_str()) {
                let message = format!("{role} \"{id}\" is not a declared [[unit]] or [[group]]");
                report(Check::UnknownNode, task.location.clone(), code, message);
            }
        }
        if let Deadline::After { event, .. } = &task.deadline {
            if !plan.events.iter().any(|e| &e.id == event) {
                let message = format!("the deadline follows \"{event}\", not a declared [[event]]");
                report(Check::UnknownNode, task.location.clone(), code, message);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEADER: &str = r#"format = 1
[plan]
id = "example/2024"
title = "Example plan"
authority = "Example office"
issued = "29/12/2023"
year = 2024
source = "made up for this test"
"#;

    const TASK: &str = r#"[[task]]
code = "1"
description = "Report each quarter"
lead = ["PA01"]
product = "Four reports"
deadline = "year-round"
"#;

    fn error(text: &str) -> String {
        ReformPlan::from_toml(text, "plan.toml")
            .expect_err("refused")
            .to_string()
    }

    #[test]
    fn a_plan_nested_too_deeply_is_refused_at_the_first_level_beyond() {
        let deep = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        let text = format!("{HEADER}[[unit]]\nid = \"PA01\"\nname = \"One\"\n{TASK}")
            .replace("lead = [\"PA01\"]", &format!("lead = {deep}"));
        // Line 15 is the task's `lead`; `lead = ` and 80 brackets come before the 81st.
        assert_eq!(
            error(&text),
            "plan.toml:15:88: error[syntax]: nested too deeply: arrays, tables and dotted keys are limited to 80 levels"
        );
        let dotted = format!("{HEADER}{} = 1\n", vec!["a"; 10_000].join("."));
        assert_eq!(
            error(&dotted),
            "plan.toml: error[syntax]: nested too deeply: arrays, tables and dotted keys are limited to 80 levels"
        );
    }

    #[test]
    fn decomposed_text_is_read_in_nfc_and_references_resolve_either_way() {
        // The unit declared with combining marks, named composed by the task.
        let text = format!(
            "{HEADER}[[unit]]\nid = \"Pho\u{300}ng Tu\u{31b} pha\u{301}p\"\nname = \"Pho\u{300}ng Tu\u{31b} pha\u{301}p\"\n{TASK}"
        )
        .replace("lead = [\"PA01\"]", "lead = [\"Phòng Tư pháp\"]")
        .replace("Report each quarter", "Ba\u{301}o ca\u{301}o ha\u{300}ng quy\u{301}");
        let plan = ReformPlan::from_toml(&text, "plan.toml").unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(plan.units[0].id, "Phòng Tư pháp");
        assert_eq!(plan.units[0].name, "Phòng Tư pháp");
        assert_eq!(plan.tasks[0].description, "Báo cáo hàng quý");
        assert!(plan.leads("Pho\u{300}ng Tu\u{31b} pha\u{301}p", &plan.tasks[0]));
        assert!(plan.names_unit("Pho\u{300}ng Tu\u{31b} pha\u{301}p"));

        // A reference that does not resolve is found where it is written, decomposed.
        let text = format!(
            "{HEADER}[[unit]]\nid = \"PA01\"\nname = \"One\"\n[[group]]\nid = \"all\"\nname = \"All\"\nmembers = [\"PA01\", \"Pho\u{300}ng\"]\n{TASK}"
        );
        assert_eq!(
            error(&text),
            "plan.toml:15:20: error[unknown-node]: group \"all\" lists \"Phòng\", which is not a declared [[unit]]"
        );
    }

    #[test]
    fn a_plan_is_limited_to_max_rows_of_each_kind() {
        let mut text = HEADER.to_owned();
        for n in 0..=crate::spanned::MAX_ROWS {
            text.push_str(&format!("[[unit]]\nid = \"U{n}\"\nname = \"Unit {n}\"\n"));
        }
        text.push_str(TASK);
        let line = 9 + 3 * crate::spanned::MAX_ROWS;
        assert_eq!(
            error(&text),
            format!(
                "plan.toml:{line}:1: error[wrong-type]: 2001 rows ([[unit]]): a plan is limited to 2000"
            )
        );
    }
}
