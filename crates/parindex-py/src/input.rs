//! A [`Table`] of text cells → a core [`Batch`], detached from Python.
//!
//! Two layouts, as the input files have them:
//! - wide: a `unit` column, one column per leaf code, optional attribute columns and an
//!   optional `stage` column (one row per unit, or per unit and stage);
//! - long: `unit`, `code` and `value` columns, optional `stage`, `evidence` and `note`
//!   columns, and attribute columns.
//!
//! Every cell is read by the core (`Batch::set_text`), as a CSV cell would be; this module
//! only routes cells and locates errors at their row and column.

use std::collections::{BTreeMap, HashMap, HashSet};

use parindex_core::{Batch, InputError, Plan, ScoreError, value};

use crate::convert::Table;
use crate::error::Error;

/// Columns that describe a row without being scored.
const DESCRIPTIVE: &[&str] = &["note", "notes"];

/// A batch and, per unit, the row where it first appears.
pub(crate) struct Built {
    /// The batch to score.
    pub(crate) batch: Batch,
    /// Per unit id: its first row, 0-based.
    pub(crate) rows: HashMap<String, usize>,
    /// Units' names, from a `name` column.
    pub(crate) names: BTreeMap<String, String>,
}

/// Builds a batch from a table, detecting the layout.
pub(crate) fn build(plan: &Plan, table: &Table, stage: Option<&str>) -> Result<Built, Error> {
    if let Some(stage) = stage {
        if plan.stage_index(stage).is_none() {
            let stages = plan.set().policy.stages.join(", ");
            return Err(Error::input(format!(
                "\"{stage}\" is not a stage of this set ({stages})"
            )));
        }
    }
    let unit_column = table.column("unit").ok_or_else(|| {
        let message = if table.names.is_empty() {
            "the data has no columns; it needs a \"unit\" column".to_owned()
        } else {
            format!(
                "the data has no \"unit\" column (its columns: {})",
                table.names.join(", ")
            )
        };
        Error::Input(table.failure(None, None, message))
    })?;
    let long = table.column("code").is_some() && table.column("value").is_some();
    let mut builder = Builder {
        plan,
        table,
        batch: Batch::new(plan),
        rows: HashMap::new(),
        names: BTreeMap::new(),
        stage,
        unit_column,
        stage_column: table.column("stage"),
    };
    if long {
        builder.long()?;
    } else {
        builder.wide()?;
    }
    Ok(Built {
        batch: builder.batch,
        rows: builder.rows,
        names: builder.names,
    })
}

/// Turns a failed scoring run into an input error at the first problem's unit.
pub(crate) fn score_failure(
    error: ScoreError,
    table: &Table,
    rows: &HashMap<String, usize>,
) -> Error {
    let first = error.problems.first();
    let row = first.and_then(|p| rows.get(&p.unit).copied());
    let column = first.and_then(|p| table.column(&p.code));
    let mut failure = table.failure(row, column, error.to_string());
    failure.unit = first.map(|p| p.unit.clone());
    failure.code = first.map(|p| p.code.clone());
    failure.problems = error
        .problems
        .into_iter()
        .map(|p| (p.unit, p.code, p.message))
        .collect();
    Error::Input(failure)
}

struct Builder<'a> {
    plan: &'a Plan,
    table: &'a Table,
    batch: Batch,
    rows: HashMap<String, usize>,
    names: BTreeMap<String, String>,
    stage: Option<&'a str>,
    unit_column: usize,
    stage_column: Option<usize>,
}

/// What a column of the input holds.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Role {
    Unit,
    Name,
    Stage,
    Skip,
    Attribute,
    Leaf,
    Code,
    Value,
    Evidence,
}

impl<'a> Builder<'a> {
    fn cell(&self, column: usize, row: usize) -> Option<&'a str> {
        let table: &'a Table = self.table;
        table.cells[column][row]
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
    }

    fn fail(&self, row: Option<usize>, column: Option<usize>, error: InputError) -> Error {
        let mut failure = self.table.failure(row, column, error.to_string());
        failure.unit = error.unit;
        failure.code = error.code;
        Error::Input(failure)
    }

    fn is_attribute(&self, name: &str) -> bool {
        name == "ranked" || self.plan.set().attribute(name).is_some()
    }

    /// The roles of the columns, refusing any column the layout does not know.
    fn roles(&self, long: bool) -> Result<Vec<Role>, Error> {
        let mut roles = Vec::with_capacity(self.table.names.len());
        for (column, name) in self.table.names.iter().enumerate() {
            let role = match name.as_str() {
                "unit" => Role::Unit,
                "stage" => Role::Stage,
                "name" => Role::Name,
                "code" if long => Role::Code,
                "value" if long => Role::Value,
                "evidence" if long => Role::Evidence,
                n if DESCRIPTIVE.contains(&n) => Role::Skip,
                n if self.is_attribute(n) => Role::Attribute,
                n if !long && self.plan.leaf_index(n).is_some() => Role::Leaf,
                n => {
                    let message = if !long && self.plan.node_index(n).is_some() {
                        format!(
                            "column \"{n}\" is scored from its sub-criteria; give values for those"
                        )
                    } else if long {
                        format!(
                            "column \"{n}\" is not part of the long layout (unit, name, code, \
                             value, stage, evidence, note) nor an attribute of this set"
                        )
                    } else {
                        format!("column \"{n}\" is not a criterion or an attribute of this set")
                    };
                    let header = self
                        .table
                        .first_line
                        .checked_sub(1)
                        .filter(|_| self.table.path.is_some());
                    let mut failure = self.table.failure(None, Some(column), message);
                    failure.line = header;
                    failure.code = Some(n.to_owned());
                    return Err(Error::Input(failure));
                }
            };
            roles.push(role);
        }
        Ok(roles)
    }

    /// The unit of a row: found, or added on its first row.
    fn unit(&mut self, row: usize) -> Result<usize, Error> {
        let Some(id) = self.cell(self.unit_column, row) else {
            let message = "the row has no unit id".to_owned();
            return Err(Error::Input(self.table.failure(
                Some(row),
                Some(self.unit_column),
                message,
            )));
        };
        if let Some(position) = self.batch.unit_index(id) {
            return Ok(position);
        }
        let id = id.to_owned();
        let position = self
            .batch
            .add_unit(&id, [])
            .map_err(|e| self.fail(Some(row), Some(self.unit_column), e))?;
        self.rows.insert(id, row);
        Ok(position)
    }

    fn row_stage(&self, row: usize) -> Option<&'a str> {
        self.stage_column
            .and_then(|c| self.cell(c, row))
            .or(self.stage)
    }

    /// The unit's attributes and name from a row.
    fn attributes(&mut self, roles: &[Role], row: usize, unit: usize) -> Result<(), Error> {
        if let Some(column) = roles.iter().position(|r| *r == Role::Name) {
            if let Some(name) = self.cell(column, row) {
                let id = &self.batch.units()[unit].id;
                if !self.names.contains_key(id) {
                    self.names.insert(id.clone(), name.to_owned());
                }
            }
        }
        for (column, role) in roles.iter().enumerate() {
            if *role != Role::Attribute {
                continue;
            }
            if let Some(text) = self.cell(column, row) {
                let name = &self.table.names[column];
                self.batch
                    .set_attribute_text(unit, name, text)
                    .map_err(|e| self.fail(Some(row), Some(column), e))?;
            }
        }
        Ok(())
    }

    fn wide(&mut self) -> Result<(), Error> {
        let roles = self.roles(false)?;
        let mut seen: HashSet<(usize, String)> = HashSet::new();
        for row in 0..self.table.rows {
            let unit = self.unit(row)?;
            let stage = self.row_stage(row).map(str::to_owned);
            let key = (unit, stage.clone().unwrap_or_default());
            if !seen.insert(key) {
                let at = stage.map(|s| format!(" at stage {s}")).unwrap_or_default();
                let message = format!("unit {} appears twice{at}", self.batch.units()[unit].id);
                let mut failure = self
                    .table
                    .failure(Some(row), Some(self.unit_column), message);
                failure.unit = Some(self.batch.units()[unit].id.clone());
                return Err(Error::Input(failure));
            }
            self.attributes(&roles, row, unit)?;
            for (column, role) in roles.iter().enumerate() {
                if *role != Role::Leaf {
                    continue;
                }
                if let Some(text) = self.table.cells[column][row].as_deref() {
                    let code = &self.table.names[column];
                    self.batch
                        .set_text(unit, code, stage.as_deref(), text)
                        .map_err(|e| self.fail(Some(row), Some(column), e))?;
                }
            }
        }
        Ok(())
    }

    fn long(&mut self) -> Result<(), Error> {
        let roles = self.roles(true)?;
        let position = |role: Role| roles.iter().position(|r| *r == role);
        let (Some(code_column), Some(value_column)) = (position(Role::Code), position(Role::Value))
        else {
            return Err(Error::input("the long layout needs code and value columns"));
        };
        let evidence_column = position(Role::Evidence);
        let mut seen: HashSet<(usize, String, String)> = HashSet::new();
        for row in 0..self.table.rows {
            let unit = self.unit(row)?;
            self.attributes(&roles, row, unit)?;
            let Some(code) = self.cell(code_column, row).map(str::to_owned) else {
                let message = "the row has no code".to_owned();
                return Err(Error::Input(self.table.failure(
                    Some(row),
                    Some(code_column),
                    message,
                )));
            };
            let stage = self.row_stage(row).map(str::to_owned);
            let key = (unit, code.clone(), stage.clone().unwrap_or_default());
            if !seen.insert(key) {
                let at = stage
                    .as_deref()
                    .map(|s| format!(" at stage {s}"))
                    .unwrap_or_default();
                let id = self.batch.units()[unit].id.clone();
                let mut failure = self.table.failure(
                    Some(row),
                    Some(code_column),
                    format!("unit {id}, {code}: given twice{at}"),
                );
                failure.unit = Some(id);
                failure.code = Some(code);
                return Err(Error::Input(failure));
            }
            let text = self.table.cells[value_column][row].as_deref().unwrap_or("");
            self.batch
                .set_text(unit, &code, stage.as_deref(), text)
                .map_err(|e| self.fail(Some(row), Some(value_column), e))?;
            if let Some(column) = evidence_column {
                if let Some(cell) = self.cell(column, row) {
                    let evidence = value::parse_bool(cell).ok_or_else(|| {
                        let mut failure = self.table.failure(
                            Some(row),
                            Some(column),
                            format!("evidence \"{cell}\" is not yes or no"),
                        );
                        failure.code = Some(code.clone());
                        Error::Input(failure)
                    })?;
                    self.batch
                        .set_evidence(unit, &code, stage.as_deref(), evidence)
                        .map_err(|e| self.fail(Some(row), Some(column), e))?;
                }
            }
        }
        Ok(())
    }
}
