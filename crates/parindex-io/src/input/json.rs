//! The JSON door: a document of units becomes a grid in the long layout, one row per value,
//! attribute or evidence flag, each cell at its unit's place in the document.
//!
//! ```json
//! {"set": "…", "units": [{"unit": "CAP-01", "name": "…", "attributes": {"group": "urban"},
//!   "values": {"1.1.4": "7/9"}, "stages": {"appraisal": {"1.1.4": "6/9"}},
//!   "evidence": {"1.1.4": true}}]}
//! ```

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{CellValue, Grid, GridCell, InputReader, Loc};
use crate::error::{InputProblem, Place};
use crate::limits::{MAX_COLUMNS, cell_too_long, too_many_cells};

/// The columns of the grid a JSON document becomes.
const COLUMNS: [&str; 6] = ["unit", "name", "stage", "code", "value", "evidence"];

/// A unit's keys.
const UNIT_KEYS: [&str; 6] = ["unit", "name", "attributes", "values", "stages", "evidence"];

impl InputReader {
    /// Reads a JSON document in two passes over its text, neither holding the document: the
    /// first checks it whole (syntax, nesting, duplicate keys, the size of every object and
    /// array, the run's cell budget) and finds what it is; the second reads its units one at a
    /// time, each laid out as long-layout rows for the layout reader.
    pub(crate) fn read_json(&mut self, file: &str, bytes: &[u8]) {
        let Some(text) = self.decoded(file, bytes) else {
            return;
        };
        let mut check = Check {
            cells: 0,
            budget: self.max_cells.saturating_sub(self.cells),
            limit: self.max_cells,
            schema: false,
            set: None,
            units: None,
        };
        let checked = {
            let mut de = serde_json::Deserializer::from_str(text);
            Walk {
                check: &mut check,
                role: Role::Top,
            }
            .deserialize(&mut de)
            .and_then(|()| de.end())
        };
        if let Err(e) = checked {
            return self.record(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: Place::Line {
                    line: e.line(),
                    column: e.column(),
                },
                code: None,
                message: format!("not valid JSON: {e}"),
                check: None,
            });
        }
        self.count_cells(check.cells);
        if let Some((line, column, number)) = inexact_number(text) {
            return self.record(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: Place::Line { line, column },
                code: None,
                message: format!(
                    "the number {number} has more than 15 significant digits, which a JSON number (a binary float) does not carry: write it as a string, \"{number}\""
                ),
                check: None,
            });
        }
        if check.schema {
            let message = "is a results document, not an input: give the units' values";
            return self.file_problem(file, message.to_owned());
        }
        if let Some(set) = &check.set {
            let id = &self.plan.set().info.id;
            if set != id {
                let message = format!("is an input for the set {set}, not {id}");
                return self.file_problem(file, message);
            }
        }
        match check.units {
            Some(true) => {}
            Some(false) => return self.file_problem(file, "has no \"units\" array".to_owned()),
            None => {
                let message = "is neither an array of units nor an object with \"units\"";
                return self.file_problem(file, message.to_owned());
            }
        }
        let mut de = serde_json::Deserializer::from_str(text);
        // The first pass accepted the text, so the second cannot fail.
        let _ = Units {
            reader: self,
            file,
            next: 0,
        }
        .deserialize(&mut de);
    }

    /// Reads one unit of the document, at position `i`.
    fn json_unit_rows(&mut self, file: &str, i: usize, unit: &Value) {
        let mut grid = Grid::new(file);
        grid.paths.push(String::new());
        let header: Vec<GridCell> = COLUMNS
            .iter()
            .map(|name| GridCell {
                value: CellValue::Text((*name).into()),
                loc: Loc::Json(0),
            })
            .collect();
        let mut rows = vec![header];
        self.json_unit(&mut grid, &mut rows, i, unit);
        if rows.len() > 1 {
            self.read_rows(&grid, rows);
        }
    }

    /// Lays out one unit of the document as rows of the grid; problems of its shape are
    /// recorded here, problems of its values by the layout reader.
    fn json_unit(&mut self, grid: &mut Grid, out: &mut Vec<Vec<GridCell>>, i: usize, unit: &Value) {
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
            Some(Value::String(name)) => CellValue::Text(name.as_str().into()),
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
                cell(CellValue::Text(id.as_str().into()), unit_path),
                cell(name.clone(), here),
                cell(
                    stage.map_or(CellValue::Empty, |s| CellValue::Text(s.into())),
                    here,
                ),
                cell(CellValue::Text(code.into()), here),
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
        out.extend(rows);
    }

    fn json_problem(&mut self, grid: &Grid, at: &str, code: Option<&str>, message: &str) {
        self.record(InputProblem {
            unit: None,
            file: grid.source.clone(),
            place: Place::Json(at.to_owned()),
            code: code.map(str::to_owned),
            message: message.to_owned(),
            check: None,
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
        Value::String(s) => CellValue::Text(s.as_str().into()),
        Value::Bool(b) => CellValue::Bool(*b),
        Value::Number(n) if n.is_i64() || n.is_u64() => CellValue::Text(n.to_string().into()),
        Value::Number(n) => n
            .as_f64()
            .map_or_else(|| CellValue::Text(n.to_string().into()), CellValue::Number),
        other => CellValue::Text(other.to_string().into()),
    }
}

/// What the first pass learns of a document.
struct Check {
    /// Cells counted: every unit, and every value under it.
    cells: usize,
    /// The cells left of the run's limit, and the limit.
    budget: usize,
    limit: usize,
    /// Whether the top object has a `schema` key (a results document).
    schema: bool,
    /// The `set` of the top object, when it is text.
    set: Option<String>,
    /// Whether there is a units array (`Some(true)`), something else under `units`
    /// (`Some(false)`), or neither (`None`).
    units: Option<bool>,
}

/// Where a value is in the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    /// The document itself.
    Top,
    /// The top object's `set`.
    Set,
    /// The array of units.
    Units,
    /// Anything else: every object and array in it is held to [`MAX_COLUMNS`] entries.
    Inside,
}

/// The first pass: walks a value, refusing duplicate keys and oversized objects and arrays,
/// counting cells, and noting what the top of the document is.
struct Walk<'c> {
    check: &'c mut Check,
    role: Role,
}

impl Walk<'_> {
    fn count<E: de::Error>(&mut self) -> Result<(), E> {
        self.check.cells += 1;
        if self.check.cells > self.check.budget {
            return Err(E::custom(too_many_cells(self.check.limit, true)));
        }
        Ok(())
    }

    fn child(&mut self, role: Role) -> Walk<'_> {
        Walk {
            check: self.check,
            role,
        }
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E: de::Error>(mut self, _: bool) -> Result<(), E> {
        self.count()
    }

    fn visit_i64<E: de::Error>(mut self, _: i64) -> Result<(), E> {
        self.count()
    }

    fn visit_u64<E: de::Error>(mut self, _: u64) -> Result<(), E> {
        self.count()
    }

    fn visit_f64<E: de::Error>(mut self, _: f64) -> Result<(), E> {
        self.count()
    }

    fn visit_str<E: de::Error>(mut self, text: &str) -> Result<(), E> {
        if self.role == Role::Set {
            self.check.set = Some(text.to_owned());
        }
        self.count()
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.count()
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let units = matches!(self.role, Role::Top | Role::Units);
        if units {
            self.check.units = Some(true);
        }
        let mut n = 0usize;
        while seq.next_element_seed(self.child(Role::Inside))?.is_some() {
            n += 1;
            if !units && n > MAX_COLUMNS {
                return Err(de::Error::custom(format!(
                    "an array of more than {MAX_COLUMNS} items; a unit has at most one value per criterion"
                )));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let top = self.role == Role::Top;
        if self.role == Role::Units {
            self.check.units = Some(false);
        }
        if top {
            self.check.units = Some(false);
        } else {
            // A unit's object counts as a cell, as its row would.
            self.count()?;
        }
        let mut keys: HashSet<String> = HashSet::new();
        let mut has_units = false;
        while let Some(key) = map.next_key::<String>()? {
            if keys.len() >= MAX_COLUMNS {
                return Err(de::Error::custom(format!(
                    "an object of more than {MAX_COLUMNS} keys; a unit has at most one value per criterion"
                )));
            }
            if !keys.insert(key.clone()) {
                return Err(de::Error::custom(format!(
                    "the key \"{key}\" appears twice in one object: JSON readers disagree on which one counts, so neither is read"
                )));
            }
            let role = match (top, key.as_str()) {
                (true, "set") => Role::Set,
                (true, "units") => {
                    has_units = true;
                    Role::Units
                }
                (true, "schema") => {
                    self.check.schema = true;
                    Role::Inside
                }
                _ => Role::Inside,
            };
            map.next_value_seed(self.child(role))?;
        }
        if top && !has_units {
            self.check.units = Some(false);
        }
        Ok(())
    }
}

/// The second pass: the units of a checked document, each read as soon as it is parsed.
struct Units<'r, 'f> {
    reader: &'r mut InputReader,
    file: &'f str,
    next: usize,
}

impl<'de> DeserializeSeed<'de> for Units<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Units<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of units or an object with units")
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        while let Some(unit) = seq.next_element::<Value>()? {
            self.reader.json_unit_rows(self.file, self.next, &unit);
            self.next += 1;
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let Units { reader, file, .. } = self;
        while let Some(key) = map.next_key::<String>()? {
            if key == "units" {
                map.next_value_seed(Units {
                    reader: &mut *reader,
                    file,
                    next: 0,
                })?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(())
    }
}

/// The first number of a JSON text that a binary float cannot carry digit for digit: more
/// than 15 significant digits, other than a whole number (read exactly); with its line and
/// column.
fn inexact_number(text: &str) -> Option<(usize, usize, &str)> {
    let bytes = text.as_bytes();
    let (mut i, mut line, mut line_start) = (0, 1, 0);
    let mut in_string = false;
    while i < bytes.len() {
        let b = bytes[i];
        if in_string {
            match b {
                b'\\' => i += 1,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'\n' => {
                line += 1;
                line_start = i + 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while i < bytes.len()
                    && matches!(bytes[i], b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                {
                    i += 1;
                }
                let number = &text[start..i];
                let whole = !number.contains(['.', 'e', 'E'])
                    && (number.parse::<i64>().is_ok() || number.parse::<u64>().is_ok());
                let mantissa = number.split(['e', 'E']).next().unwrap_or("");
                let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
                let significant = digits.trim_start_matches('0').trim_end_matches('0').len();
                if !whole && significant > 15 {
                    let column = text[line_start..start].chars().count() + 1;
                    return Some((line, column, number));
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}
