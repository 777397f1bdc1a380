//! The JSON door: a document of units becomes a grid in the long layout, one row per value,
//! attribute or evidence flag, each cell at its unit's place in the document.
//!
//! ```json
//! {"set": "…", "units": [{"unit": "CAP-01", "name": "…", "attributes": {"group": "urban"},
//!   "values": {"1.1.4": "7/9"}, "stages": {"appraisal": {"1.1.4": "6/9"}},
//!   "evidence": {"1.1.4": true}}]}
//! ```

use serde_json::{Map, Value};

use super::{CellValue, Grid, GridCell, InputReader, Loc};
use crate::error::{InputProblem, Place};
use crate::limits::cell_too_long;

/// The columns of the grid a JSON document becomes.
const COLUMNS: [&str; 6] = ["unit", "name", "stage", "code", "value", "evidence"];

/// A unit's keys.
const UNIT_KEYS: [&str; 6] = ["unit", "name", "attributes", "values", "stages", "evidence"];

impl InputReader {
    pub(crate) fn read_json(&mut self, file: &str, bytes: &[u8]) {
        let Some(text) = self.decoded(file, bytes) else {
            return;
        };
        let document: Value = match serde_json::from_str(text) {
            Ok(v) => v,
            Err(e) => {
                self.problems.push(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place: Place::Line {
                        line: e.line(),
                        column: e.column(),
                    },
                    code: None,
                    message: format!("not valid JSON: {e}"),
                });
                return;
            }
        };
        let units = match &document {
            Value::Array(units) => units,
            Value::Object(map) => {
                if map.contains_key("schema") {
                    let message = "is a results document, not an input: give the units' values";
                    return self.file_problem(file, message.to_owned());
                }
                if let Some(set) = map.get("set").and_then(|s| s.as_str()) {
                    let id = &self.plan.set().info.id;
                    if set != id {
                        let message = format!("is an input for the set {set}, not {id}");
                        return self.file_problem(file, message);
                    }
                }
                match map.get("units").and_then(|u| u.as_array()) {
                    Some(units) => units,
                    None => return self.file_problem(file, "has no \"units\" array".to_owned()),
                }
            }
            _ => {
                let message = "is neither an array of units nor an object with \"units\"";
                return self.file_problem(file, message.to_owned());
            }
        };
        let mut grid = Grid::new(file);
        grid.paths.push(String::new());
        grid.rows.push(
            COLUMNS
                .iter()
                .map(|name| GridCell {
                    value: CellValue::Text((*name).to_owned()),
                    loc: Loc::Json(0),
                })
                .collect(),
        );
        for (i, unit) in units.iter().enumerate() {
            self.json_unit(&mut grid, i, unit);
        }
        self.read_table(&grid);
    }

    /// Lays out one unit of the document as rows of the grid; problems of its shape are
    /// recorded here, problems of its values by the layout reader.
    fn json_unit(&mut self, grid: &mut Grid, i: usize, unit: &Value) {
        let position = format!("units[{i}]");
        let Some(object) = unit.as_object() else {
            return self.json_problem(grid, &position, None, "is not an object");
        };
        let id = match object.get("unit") {
            Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
            Some(Value::Number(n)) => n.to_string(),
            _ => return self.json_problem(grid, &position, None, "has no \"unit\" id"),
        };
        if let Some(message) = cell_too_long(&id) {
            let message = format!("the unit id: {message}");
            return self.json_problem(grid, &position, None, &message);
        }
        let at = format!("unit {id}");
        for key in object.keys() {
            if !UNIT_KEYS.contains(&key.as_str()) {
                let message = format!(
                    "unknown key \"{key}\" (a unit has unit, name, attributes, values, stages, evidence)"
                );
                self.json_problem(grid, &at, None, &message);
            }
        }
        let name = match object.get("name") {
            Some(Value::String(name)) => CellValue::Text(name.clone()),
            _ => CellValue::Empty,
        };
        let unit_path = grid.path(&position);
        let here = grid.path(&at);
        let row = |stage: Option<&str>, code: &str, value: CellValue, evidence: CellValue| {
            let cell = |value: CellValue, loc: usize| GridCell {
                value,
                loc: Loc::Json(loc),
            };
            vec![
                cell(CellValue::Text(id.clone()), unit_path),
                cell(name.clone(), here),
                cell(
                    stage.map_or(CellValue::Empty, |s| CellValue::Text(s.to_owned())),
                    here,
                ),
                cell(CellValue::Text(code.to_owned()), here),
                cell(value, here),
                cell(evidence, here),
            ]
        };
        let mut rows = Vec::new();
        let mut values: Vec<(Option<&str>, &Map<String, Value>)> = Vec::new();
        match object.get("values") {
            None => {}
            Some(Value::Object(map)) => values.push((None, map)),
            Some(_) => self.json_problem(
                grid,
                &at,
                None,
                "\"values\" is not an object of code: value",
            ),
        }
        match object.get("stages") {
            None => {}
            Some(Value::Object(map)) => {
                for (stage, stage_values) in map {
                    if self.resolve_stage(stage).is_none() {
                        let message = self.unknown_stage(stage);
                        self.json_problem(grid, &at, None, &message);
                        continue;
                    }
                    match stage_values.as_object() {
                        Some(stage_values) => values.push((Some(stage.as_str()), stage_values)),
                        None => {
                            let message =
                                format!("stage \"{stage}\" is not an object of code: value");
                            self.json_problem(grid, &at, None, &message);
                        }
                    }
                }
            }
            Some(_) => self.json_problem(
                grid,
                &at,
                None,
                "\"stages\" is not an object of stage: values",
            ),
        }
        // Evidence is recorded for the first stage's values.
        let evidence = object.get("evidence").and_then(Value::as_object);
        let evidence_of = |code: &str| {
            evidence
                .and_then(|e| e.get(code))
                .map_or(CellValue::Empty, cell_of)
        };
        for (stage, map) in &values {
            for (code, value) in *map {
                let flag = if stage.is_none() {
                    evidence_of(code)
                } else {
                    CellValue::Empty
                };
                rows.push(row(*stage, code, cell_of(value), flag));
            }
        }
        if let Some(evidence) = evidence {
            let first_stage = values.iter().find(|(s, _)| s.is_none()).map(|(_, m)| *m);
            for (code, flag) in evidence {
                if first_stage.is_none_or(|m| !m.contains_key(code)) && !flag.is_null() {
                    rows.push(row(None, code, CellValue::Empty, cell_of(flag)));
                }
            }
        }
        match object.get("attributes") {
            None => {}
            Some(Value::Object(map)) => {
                for (attribute, value) in map {
                    rows.push(row(None, attribute, cell_of(value), CellValue::Empty));
                }
            }
            Some(_) => self.json_problem(grid, &at, None, "\"attributes\" is not an object"),
        }
        if rows.is_empty() {
            // A unit without values is still a unit: scored with every input missing.
            rows.push(row(None, "", CellValue::Empty, CellValue::Empty));
        }
        grid.rows.extend(rows);
    }

    fn json_problem(&mut self, grid: &Grid, at: &str, code: Option<&str>, message: &str) {
        self.problems.push(InputProblem {
            unit: None,
            file: grid.source.clone(),
            place: Place::Json(at.to_owned()),
            code: code.map(str::to_owned),
            message: message.to_owned(),
        });
    }
}

impl Grid {
    /// The position of a new JSON path.
    fn path(&mut self, path: &str) -> usize {
        self.paths.push(path.to_owned());
        self.paths.len() - 1
    }
}

/// A JSON value as a cell: strings are text, whole numbers exact text, other numbers binary
/// floats (read at 15 significant digits, like Excel's), `null` nothing.
fn cell_of(value: &Value) -> CellValue {
    match value {
        Value::Null => CellValue::Empty,
        Value::String(s) => CellValue::Text(s.clone()),
        Value::Bool(b) => CellValue::Bool(*b),
        Value::Number(n) if n.is_i64() || n.is_u64() => CellValue::Text(n.to_string()),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| CellValue::Text(n.to_string()), CellValue::Number),
        other => CellValue::Text(other.to_string()),
    }
}
