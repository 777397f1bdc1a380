//! The workbook door: each visible worksheet of an `.xlsx` workbook with a `unit` column
//! becomes a grid of Excel's typed cells (text, numbers, booleans, dates, errors) at their
//! sheet and cell, read one row at a time from the package ([`super::package`]).
//!
//! Legacy workbooks (`.xls`) and OpenDocument spreadsheets (`.ods`) are refused, whatever the
//! file's name says, with how to convert them: see SECURITY.md for why.

use std::collections::HashMap;

use super::layout::has_stage_column;
use super::package::Workbook;
use super::{
    CellValue, Grid, GridCell, INSTRUCTIONS_SHEET, InputReader, Loc, NO_UNIT_COLUMN, stage_label,
};
use crate::error::{InputProblem, Place, cell_name};

/// A sheet with a table: where its header is, from a first look at its first rows.
struct Table {
    sheet: usize,
    name: String,
    /// The header's row, its first and last columns.
    row: u32,
    first_column: u32,
    last_column: u32,
    /// The header's text by column, to name a criterion in messages.
    headings: HashMap<u32, String>,
    has_stage_column: bool,
}

impl InputReader {
    pub(crate) fn read_workbook(&mut self, file: &str, bytes: &[u8]) {
        let mut workbook = match Workbook::open(bytes) {
            Ok(w) => w,
            Err(message) => return self.file_problem(file, message),
        };
        let sheets = workbook.sheets.clone();
        let mut tables = Vec::new();
        let mut faulted = false;
        for (index, sheet) in sheets.iter().enumerate() {
            let name = &sheet.name;
            if name == INSTRUCTIONS_SHEET || !sheet.worksheet {
                continue;
            }
            let head = match workbook.rows(index, usize::MAX, None) {
                Ok(mut rows) => {
                    let head: Vec<Vec<GridCell>> = rows.by_ref().take(20).collect();
                    let fault = rows.fault().map(|(_, m)| m.clone());
                    match (super::layout::find_header(&head), fault) {
                        (Some(h), _) => Ok((head, h)),
                        (None, Some(fault)) => Err(fault),
                        (None, None) => continue,
                    }
                }
                Err(message) => Err(message),
            };
            let (head, h) = match head {
                Ok(found) => found,
                Err(message) => {
                    faulted = true;
                    self.file_problem(file, format!("cannot read sheet \"{name}\": {message}"));
                    continue;
                }
            };
            if !sheet.visible {
                self.file_problem(
                    file,
                    format!("sheet \"{name}\" is hidden and has a \"unit\" column: hidden sheets are never read; unhide it to have it scored, or delete it"),
                );
                continue;
            }
            let header = &head[h];
            let filled = |c: &&GridCell| !c.value.is_empty();
            let column_of = |c: &GridCell| match c.loc {
                Loc::Cell(_, column) => column,
                _ => 0,
            };
            tables.push(Table {
                sheet: index,
                name: name.clone(),
                row: header.first().map_or(0, |c| match c.loc {
                    Loc::Cell(row, _) => row,
                    _ => 0,
                }),
                first_column: header.iter().find(filled).map_or(0, column_of),
                last_column: header.last().map_or(0, column_of),
                headings: header
                    .iter()
                    .filter(filled)
                    .map(|c| (column_of(c), c.value.plain().into_owned()))
                    .collect(),
                has_stage_column: has_stage_column(header),
            });
        }
        if tables.is_empty() {
            if !faulted {
                self.file_problem(
                    file,
                    format!("no sheet has a \"unit\" column: {NO_UNIT_COLUMN}"),
                );
            }
            return;
        }
        let single = tables.len() == 1;
        for table in tables {
            let name = table.name.clone();
            let sheet_stage = self.resolve_stage(&name);
            if sheet_stage.is_none() && !single && !table.has_stage_column {
                let stages: Vec<String> = self
                    .plan
                    .set()
                    .policy
                    .stages
                    .iter()
                    .map(|s| format!("\"{}\"", stage_label(s)))
                    .collect();
                self.file_problem(
                    file,
                    format!(
                        "sheet \"{name}\" is not a stage of this set: name each sheet after its stage ({}), or add a \"stage\" column",
                        stages.join(", ")
                    ),
                );
                continue;
            }
            let mut grid = Grid::new(file);
            grid.stage = sheet_stage.map(|_| name.clone());
            grid.sheet = Some(name.clone());
            let budget = self.max_cells.saturating_sub(self.cells);
            let mut rows = match workbook.rows(table.sheet, budget, Some(self.max_cells)) {
                Ok(rows) => rows,
                Err(message) => {
                    self.file_problem(file, format!("cannot read sheet \"{name}\": {message}"));
                    continue;
                }
            };
            rows.table(table.row, table.last_column);
            // Cells left of the header are outside the table.
            let first = table.first_column as usize;
            let table_rows = rows.by_ref().map(|mut cells: Vec<GridCell>| {
                cells.drain(..first.min(cells.len()));
                cells
            });
            self.read_rows(&grid, table_rows);
            rows.finish();
            self.count_cells(rows.cells());
            // What stopped the reading is the one problem of the sheet that matters.
            if let Some((at, message)) = rows.fault().cloned() {
                let place = match at {
                    Some((row, column)) => Place::Cell {
                        sheet: name.clone(),
                        cell: cell_name(row, column),
                    },
                    None => Place::File,
                };
                let message = match place {
                    Place::File => format!("sheet \"{name}\": {message}"),
                    _ => message,
                };
                self.record(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place,
                    code: None,
                    message,
                    check: None,
                });
                continue;
            }
            let heading = |row: u32, column: u32| {
                table
                    .headings
                    .get(&column)
                    .filter(|_| row > table.row)
                    .cloned()
            };
            for (row, column, message) in std::mem::take(&mut rows.problems) {
                let code = heading(row, column);
                self.problem(&grid, Loc::Cell(row, column), code.as_deref(), message);
            }
            for (top, left, bottom, right) in std::mem::take(&mut rows.merges) {
                let code = heading(top, left);
                let message = format!(
                    "cells {}:{} are merged: give each unit and each criterion its own cell (unmerge them)",
                    cell_name(top, left),
                    cell_name(bottom, right)
                );
                self.problem(&grid, Loc::Cell(top, left), code.as_deref(), message);
            }
            self.more_problems += rows.more_problems;
        }
    }
}

/// The plain text of a cell, for records files.
pub(crate) fn plain(cell: &GridCell) -> String {
    match &cell.value {
        CellValue::Empty => String::new(),
        other => other.plain().into_owned(),
    }
}
