//! The workbook door: each visible sheet with a `unit` column becomes a grid of Excel's typed
//! cells (text, numbers, booleans, dates, errors) at their sheet and cell.

use std::io::{Cursor, Read, Seek};

use calamine::{Data, Reader, SheetType, SheetVisible, Sheets};

use super::cell::{date_of_serial, float_to_decimal};
use super::layout::{find_header, has_stage_column};
use super::styles::PercentCells;
use super::{
    CellValue, Grid, GridCell, INSTRUCTIONS_SHEET, InputReader, Loc, NO_UNIT_COLUMN, stage_label,
};
use crate::error::cell_name;
use crate::limits::{MAX_CELLS, MAX_ROWS, cell_too_long};

impl InputReader {
    pub(crate) fn read_workbook(&mut self, file: &str, bytes: &[u8]) {
        let mut workbook = match calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec())) {
            Ok(w) => w,
            Err(e) => {
                self.file_problem(file, format!("cannot read the workbook: {e}"));
                return;
            }
        };
        let percent_cells = if bytes.starts_with(b"PK") {
            PercentCells::read(Cursor::new(bytes))
        } else {
            PercentCells::default()
        };
        let sheets = workbook.sheets_metadata().to_vec();
        let mut tables = Vec::new();
        for sheet in &sheets {
            let name = &sheet.name;
            if name == INSTRUCTIONS_SHEET || sheet.typ != SheetType::WorkSheet {
                continue;
            }
            let mut grid = match read_sheet(&mut workbook, name) {
                Ok(grid) => grid,
                Err(message) => {
                    self.file_problem(file, format!("cannot read sheet \"{name}\": {message}"));
                    continue;
                }
            };
            let Some(h) = find_header(&grid.rows) else {
                continue;
            };
            for cell in grid.rows.iter_mut().flatten() {
                if let (CellValue::Number(x), Loc::Cell(r, c)) = (&cell.value, cell.loc) {
                    if percent_cells.contains(name, r, c) {
                        cell.value = shown_as_percent(*x);
                    }
                }
            }
            if sheet.visible != SheetVisible::Visible {
                self.file_problem(
                    file,
                    format!("sheet \"{name}\" is hidden and has a \"unit\" column: hidden sheets are never read; unhide it to have it scored, or delete it"),
                );
                continue;
            }
            let mut table = Grid::new(file);
            table.sheet = Some(name.clone());
            let header_row = grid.rows[h].first().map_or(0, |f| row_of(f.loc));
            let last_column = grid.rows[h].last().map_or(0, |f| column_of(f.loc));
            for (row, column, message) in &grid.problems {
                if *row >= header_row && *column <= last_column {
                    // Below the header, the column's heading names the criterion.
                    let heading = grid.rows[h]
                        .iter()
                        .find(|f| column_of(f.loc) == *column && *row > header_row)
                        .map(|f| f.value.plain().into_owned())
                        .filter(|t| !t.is_empty());
                    let loc = Loc::Cell(*row, *column);
                    self.problem(&table, loc, heading.as_deref(), message.clone());
                }
            }
            tables.push((name.clone(), grid.rows, h));
        }
        if tables.is_empty() {
            self.file_problem(
                file,
                format!("no sheet has a \"unit\" column: {NO_UNIT_COLUMN}"),
            );
            return;
        }
        let single = tables.len() == 1;
        for (name, rows, header) in tables {
            let has_stage_column = has_stage_column(&rows[header]);
            let sheet_stage = self.resolve_stage(&name);
            if sheet_stage.is_none() && !single && !has_stage_column {
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
            grid.sheet = Some(name);
            grid.rows = rows;
            self.read_table(&grid);
        }
    }
}

/// A sheet's non-empty cells laid out in rows, with the problems of single cells.
pub(crate) struct SheetCells {
    /// The rows that have a cell, in order; each from the sheet's first used column to its own
    /// last cell.
    pub(crate) rows: Vec<Vec<GridCell>>,
    /// Row, column and message: formulas without a saved value, merged ranges, long cells.
    pub(crate) problems: Vec<(u32, u32, String)>,
}

/// The sheet row of a cell read from a sheet.
fn row_of(loc: Loc) -> u32 {
    match loc {
        Loc::Cell(r, _) => r,
        Loc::Text(..) | Loc::Row(..) | Loc::Json(_) => 0,
    }
}

/// The sheet column of a cell read from a sheet.
fn column_of(loc: Loc) -> u32 {
    match loc {
        Loc::Cell(_, c) => c,
        Loc::Text(..) | Loc::Row(..) | Loc::Json(_) => 0,
    }
}

/// Reads a sheet's cells. An `.xlsx` sheet is streamed cell by cell, so that a cell far away
/// (at Excel's last row and column) costs nothing; other formats come as calamine's range.
pub(crate) fn read_sheet<RS: Read + Seek>(
    workbook: &mut Sheets<RS>,
    name: &str,
) -> Result<SheetCells, String> {
    let mut cells: Vec<(u32, u32, CellValue)> = Vec::new();
    let mut problems = Vec::new();
    let mut keep =
        |row: u32, column: u32, raw: CellValue, problems: &mut Vec<(u32, u32, String)>| {
            if raw.is_empty() {
                return Ok(());
            }
            if cells.len() >= MAX_CELLS {
                return Err(format!(
                    "the sheet has more than {MAX_CELLS} cells, the limit"
                ));
            }
            if usize::try_from(row).map_or(true, |r| r >= MAX_ROWS) {
                return Err(format!(
                    "the sheet has more than {MAX_ROWS} rows, the limit"
                ));
            }
            if let CellValue::Text(text) = &raw {
                if let Some(message) = cell_too_long(text) {
                    problems.push((row, column, message));
                    return Ok(());
                }
            }
            cells.push((row, column, raw));
            Ok(())
        };
    if let Sheets::Xlsx(xlsx) = workbook {
        let mut reader = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| e.to_string())?;
        while let Some(cell) = reader.next_cell().map_err(|e| e.to_string())? {
            let (row, column) = cell.get_position();
            let data = Data::from(cell.get_value().clone());
            keep(row, column, cell_of(&data), &mut problems)?;
        }
        drop(reader);
        cells.sort_by_key(|(row, column, _)| (*row, *column));
        let mut reader = xlsx
            .worksheet_cells_reader(name)
            .map_err(|e| e.to_string())?;
        while let Some(formula) = reader.next_formula().map_err(|e| e.to_string())? {
            let (row, column) = formula.get_position();
            let text = formula.get_value();
            // An empty value is what a program that does not calculate saves, and what a
            // formula giving "" saves: neither is a value to score.
            let has_value = cells
                .binary_search_by_key(&(row, column), |(r, c, _)| (*r, *c))
                .is_ok();
            if !text.is_empty() && !has_value {
                problems.push((
                    row,
                    column,
                    format!("the formula ={text} has no value saved with it: if it was never calculated, open the file in Excel and save it; if it gives an empty text, leave the cell empty"),
                ));
            }
        }
        drop(reader);
        if let Some(merged) = xlsx.worksheet_merge_cells(name) {
            for range in merged.map_err(|e| e.to_string())? {
                let (first, last) = (range.start, range.end);
                problems.push((
                    first.0,
                    first.1,
                    format!(
                        "cells {}:{} are merged: give each unit and each criterion its own cell (unmerge them)",
                        cell_name(first.0, first.1),
                        cell_name(last.0, last.1)
                    ),
                ));
            }
        }
    } else {
        let range = workbook.worksheet_range(name).map_err(|e| e.to_string())?;
        let (row0, col0) = range.start().unwrap_or((0, 0));
        for (r, row) in range.rows().enumerate() {
            for (c, data) in row.iter().enumerate() {
                let row = row0.saturating_add(u32::try_from(r).unwrap_or(u32::MAX));
                let column = col0.saturating_add(u32::try_from(c).unwrap_or(u32::MAX));
                keep(row, column, cell_of(data), &mut problems)?;
            }
        }
    }
    cells.sort_by_key(|(row, column, _)| (*row, *column));
    let first_column = cells.iter().map(|(_, c, _)| *c).min().unwrap_or(0);
    let mut rows: Vec<Vec<GridCell>> = Vec::new();
    let mut current: Option<u32> = None;
    for (row, column, raw) in cells {
        if current != Some(row) {
            rows.push(Vec::new());
            current = Some(row);
        }
        let Some(fields) = rows.last_mut() else {
            continue;
        };
        // Empty cells fill the gaps, so that a field's position is its column.
        let mut next = first_column.saturating_add(u32::try_from(fields.len()).unwrap_or(u32::MAX));
        while next < column {
            fields.push(GridCell {
                value: CellValue::Empty,
                loc: Loc::Cell(row, next),
            });
            next += 1;
        }
        fields.push(GridCell {
            value: raw,
            loc: Loc::Cell(row, column),
        });
    }
    Ok(SheetCells { rows, problems })
}

pub(crate) fn cell_of(data: &Data) -> CellValue {
    match data {
        Data::Empty => CellValue::Empty,
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => CellValue::Text(s.clone()),
        Data::Float(x) => CellValue::Number(*x),
        Data::Int(i) => CellValue::Number(*i as f64),
        Data::Bool(b) => CellValue::Bool(*b),
        Data::DateTime(dt) => {
            let serial = dt.as_f64();
            match date_of_serial(serial) {
                Some((y, m, d)) if dt.is_datetime() => CellValue::Date {
                    year: y,
                    month: m,
                    day: d,
                },
                _ => CellValue::Number(serial),
            }
        }
        Data::Error(e) => CellValue::Error(format!("{e}")),
    }
}

/// A number in a percent-formatted cell, as Excel shows it: 0.875 → `87.5%`.
fn shown_as_percent(x: f64) -> CellValue {
    match float_to_decimal(x).and_then(|d| d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED)) {
        Some(percent) => CellValue::Text(format!("{}%", percent.normalize())),
        None => CellValue::Number(x),
    }
}
