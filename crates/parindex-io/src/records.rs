//! Readers of the year's records: a plan's completion records and raw survey answers, from CSV
//! or an Excel workbook, each record kept with its place so that a problem the engine finds in
//! it is reported at its line and column, or its cell.

use std::collections::HashMap;
use std::path::Path;

use parindex_core::Batch;
use parindex_core::records::{Completion, RecordProblem, ReformPlan, SurveyAnswer};

use crate::csv;
use crate::error::{InputProblem, Place, ReadError, cell_name};
use crate::input::package::Workbook;
use crate::input::xlsx::plain;
use crate::input::{INSTRUCTIONS_SHEET, Loc, decode_text};
use crate::limits::{MAX_CELLS, MAX_INPUT_BYTES, MAX_PROBLEMS, MAX_ROWS, too_large};

/// Records read from a file, with where each came from.
#[derive(Debug, Clone)]
pub struct Records<T> {
    /// The file, as the user named it.
    pub file: String,
    /// The records, in the file's order.
    pub items: Vec<T>,
    /// The place of each record's row.
    pub places: Vec<Place>,
}

impl<T> Records<T> {
    /// The engine's problems with these records, each at its record's place in the file.
    pub fn locate(&self, problems: Vec<RecordProblem>) -> ReadError {
        let problems = problems
            .into_iter()
            .map(|p| {
                let place = p.record.and_then(|i| self.places.get(i).cloned());
                let unit = p
                    .unit
                    .as_deref()
                    .map_or(String::new(), |u| format!("unit {u}: "));
                InputProblem {
                    unit: None,
                    file: self.file.clone(),
                    place: place.unwrap_or(Place::File),
                    code: p.code,
                    message: format!("{unit}{}", p.message),
                    check: None,
                }
            })
            .collect();
        ReadError::new(problems)
    }
}

/// One cell of a grid, as text, with its place.
struct Cell {
    text: String,
    place: Place,
}

/// Calls `visit` with each row of a CSV file, or of a workbook's first sheet (the instructions
/// sheet skipped), one row at a time.
fn each_row(
    file: &str,
    bytes: &[u8],
    mut visit: impl FnMut(Vec<Cell>) -> Result<(), ReadError>,
) -> Result<(), ReadError> {
    let problem = |place: Place, message: String| {
        ReadError::new(vec![InputProblem {
            unit: None,
            file: file.to_owned(),
            place,
            code: None,
            message,
            check: None,
        }])
    };
    let extension = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    if matches!(extension.as_deref(), Some("xlsx" | "xlsm" | "xls" | "ods")) {
        let mut workbook =
            Workbook::open(bytes).map_err(|message| problem(Place::File, message))?;
        let Some(index) = workbook
            .sheets
            .iter()
            .position(|s| s.name != INSTRUCTIONS_SHEET)
        else {
            return Err(problem(Place::File, "the workbook has no sheet".to_owned()));
        };
        let sheet = workbook.sheets[index].name.clone();
        let place = |loc: Loc| match loc {
            Loc::Cell(r, c) => Place::Cell {
                sheet: sheet.clone(),
                cell: cell_name(r, c),
            },
            Loc::Text(line, column) => Place::Line { line, column },
            Loc::Row(row, column) => Place::Row { row, column },
            Loc::Json(_) => Place::File,
        };
        let mut rows = workbook
            .rows(index, MAX_CELLS, None)
            .map_err(|m| problem(Place::File, format!("sheet \"{sheet}\": {m}")))?;
        for row in rows.by_ref() {
            visit(
                row.iter()
                    .map(|f| Cell {
                        text: plain(f),
                        place: place(f.loc),
                    })
                    .collect(),
            )?;
        }
        if let Some((at, message)) = rows.fault() {
            let at = at.map_or(Place::File, |(r, c)| place(Loc::Cell(r, c)));
            return Err(problem(at, message.clone()));
        }
        if let Some((r, c, message)) = rows.problems.first() {
            return Err(problem(place(Loc::Cell(*r, *c)), message.clone()));
        }
        return Ok(());
    }
    let text = decode_text(bytes).map_err(|(place, message)| problem(place, message))?;
    let mut cells = 0usize;
    for record in csv::Records::new(text, csv::delimiter(text)) {
        let record = record
            .map_err(|(line, column, message)| problem(Place::Line { line, column }, message))?;
        cells += record.len();
        if cells > MAX_CELLS {
            let (line, column) = record.last().map_or((1, 1), |f| (f.line, f.column));
            let message = format!("the file has more than {MAX_CELLS} cells, the limit");
            return Err(problem(Place::Line { line, column }, message));
        }
        visit(
            record
                .into_iter()
                .map(|f| Cell {
                    text: f.text.trim().to_owned(),
                    place: Place::Line {
                        line: f.line,
                        column: f.column,
                    },
                })
                .collect(),
        )?;
    }
    Ok(())
}

/// A column a records file may have: its name, the names it is also known by, and whether it
/// must be there.
pub(crate) struct ColumnSpec {
    name: &'static str,
    aliases: &'static [&'static str],
    required: bool,
}

pub(crate) const fn column(
    name: &'static str,
    aliases: &'static [&'static str],
    required: bool,
) -> ColumnSpec {
    ColumnSpec {
        name,
        aliases,
        required,
    }
}

/// A column's text in a row, when not empty.
pub(crate) fn text(row: &HashMap<&'static str, (String, Place)>, name: &str) -> Option<String> {
    row.get(name)
        .map(|(t, _)| t.clone())
        .filter(|t| !t.is_empty())
}

/// Reads every row of a records file into a record with `make`, which gives the place, code
/// and message of a row it refuses; every problem is collected.
pub(crate) fn read_records<T>(
    file: &str,
    bytes: &[u8],
    columns: &[ColumnSpec],
    make: impl Fn(
        &HashMap<&'static str, (String, Place)>,
        &Place,
    ) -> Result<T, (Place, Option<String>, String)>,
) -> Result<Records<T>, ReadError> {
    let mut records = Records {
        file: file.to_owned(),
        items: Vec::new(),
        places: Vec::new(),
    };
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_INPUT_BYTES {
        return Err(ReadError::file(file, too_large(size)));
    }
    let mut problems = Vec::new();
    let mut more = 0;
    read_rows(file, bytes, columns, |place, fields| {
        match make(&fields, &place) {
            Ok(record) => {
                records.items.push(record);
                records.places.push(place);
            }
            // Problems beyond those listed are counted, not kept.
            Err(_) if problems.len() >= MAX_PROBLEMS => more += 1,
            Err((place, code, message)) => problems.push(InputProblem {
                unit: None,
                file: file.to_owned(),
                place,
                code,
                message,
                check: None,
            }),
        }
    })?;
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(ReadError { problems, more })
    }
}

/// Reads a records file's header, then calls `row` with each row below it as one map of
/// column name → text, one row at a time.
fn read_rows(
    file: &str,
    bytes: &[u8],
    specs: &[ColumnSpec],
    mut row: impl FnMut(Place, HashMap<&'static str, (String, Place)>),
) -> Result<(), ReadError> {
    let mut columns: Option<Vec<Option<&'static str>>> = None;
    let mut count = 0usize;
    each_row(file, bytes, |cells| {
        if cells.iter().all(|c| c.text.is_empty()) {
            return Ok(());
        }
        let Some(columns) = &columns else {
            columns = Some(header_columns(file, specs, &cells)?);
            return Ok(());
        };
        count += 1;
        if count > MAX_ROWS {
            let message = format!("{count} rows: a records file is limited to {MAX_ROWS}");
            return Err(ReadError::file(file, message));
        }
        let place = cells.first().map_or(Place::File, |c| c.place.clone());
        let fields = columns
            .iter()
            .zip(cells)
            .filter_map(|(column, cell)| column.map(|name| (name, (cell.text, cell.place))))
            .collect();
        row(place, fields);
        Ok(())
    })?;
    if columns.is_none() {
        return Err(ReadError::file(file, "the file is empty"));
    }
    Ok(())
}

/// The known column of each header cell.
fn header_columns(
    file: &str,
    specs: &[ColumnSpec],
    header: &[Cell],
) -> Result<Vec<Option<&'static str>>, ReadError> {
    let mut problems = Vec::new();
    let mut columns: Vec<Option<&'static str>> = Vec::new();
    for cell in header {
        let name = cell.text.to_lowercase();
        let spec = specs
            .iter()
            .find(|s| s.name == name || s.aliases.contains(&name.as_str()));
        match spec {
            Some(spec) if columns.contains(&Some(spec.name)) => problems.push(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: cell.place.clone(),
                code: None,
                message: format!("a second \"{}\" column", spec.name),
                check: None,
            }),
            Some(spec) => {
                columns.push(Some(spec.name));
                continue;
            }
            None if name.is_empty() => {}
            None => {
                let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
                problems.push(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place: cell.place.clone(),
                    code: None,
                    message: format!(
                        "\"{}\" is not a column of this file ({})",
                        cell.text,
                        known.join(", ")
                    ),
                    check: None,
                });
            }
        }
        columns.push(None);
    }
    for spec in specs.iter().filter(|s| s.required) {
        if !columns.contains(&Some(spec.name)) {
            problems.push(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: header.first().map_or(Place::File, |c| c.place.clone()),
                code: None,
                message: format!("the header has no \"{}\" column", spec.name),
                check: None,
            });
        }
    }
    if problems.is_empty() {
        Ok(columns)
    } else {
        Err(ReadError::new(problems))
    }
}

/// Reads a records file whole, after checking its size against [`MAX_INPUT_BYTES`].
pub(crate) fn read_file(path: &Path) -> Result<(String, Vec<u8>), ReadError> {
    let file = path.display().to_string();
    let cannot = |e: std::io::Error| ReadError::file(&file, format!("cannot read: {e}"));
    let size = std::fs::metadata(path).map_err(cannot)?.len();
    if size > MAX_INPUT_BYTES {
        return Err(ReadError::file(&file, too_large(size)));
    }
    let bytes = std::fs::read(path).map_err(cannot)?;
    Ok((file, bytes))
}

/// Reads a plan's completion records: columns `unit`, `task`, `done` (a date, dd/mm/yyyy or
/// ISO; empty while not done), and optionally `product` and `note`. Vietnamese headers
/// (`đơn vị`, `nhiệm vụ`, `ngày hoàn thành`, `sản phẩm`, `ghi chú`) are read too.
///
/// ```
/// let text = "unit,task,done,product\njustice,1.1,31/03/2024,QĐ 12/QĐ-UBND\njustice,1.2,,\n";
/// let records = parindex_io::read_completions_bytes("done.csv", text.as_bytes())?;
/// assert_eq!(records.items[0].done.ok_or("not done")?.to_string(), "31/03/2024");
/// assert_eq!(records.items[1].done, None);
///
/// let error = parindex_io::read_completions_bytes("done.csv", b"unit,task,done\njustice,1.1,31/02/2024\n").err().ok_or("accepted")?;
/// assert_eq!(error.to_string(), "done.csv:2:13: 1.1: \"31/02/2024\" is not a date (write dd/mm/yyyy or yyyy-mm-dd)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_completions_bytes(file: &str, bytes: &[u8]) -> Result<Records<Completion>, ReadError> {
    const COLUMNS: [ColumnSpec; 5] = [
        column("unit", &["đơn vị", "don vi"], true),
        column("task", &["nhiệm vụ", "nhiem vu"], true),
        column("done", &["ngày hoàn thành", "ngay hoan thanh"], true),
        column("product", &["sản phẩm", "san pham"], false),
        column("note", &["ghi chú", "ghi chu"], false),
    ];
    read_records(file, bytes, &COLUMNS, |row, place| {
        let (Some(unit), Some(task)) = (text(row, "unit"), text(row, "task")) else {
            return Err((
                place.clone(),
                text(row, "task"),
                "a record needs a unit and a task".to_owned(),
            ));
        };
        let done = match row.get("done") {
            Some((t, at)) if !t.is_empty() => Some(
                t.parse()
                    .map_err(|e| (at.clone(), Some(task.clone()), format!("{e}")))?,
            ),
            _ => None,
        };
        Ok(Completion {
            unit,
            task,
            done,
            product: text(row, "product"),
            note: text(row, "note"),
        })
    })
}

/// Reads a completion file; see [`read_completions_bytes`].
pub fn read_completions(path: &Path) -> Result<Records<Completion>, ReadError> {
    let (file, bytes) = read_file(path)?;
    read_completions_bytes(&file, &bytes)
}

/// Reads raw survey answers, one row per respondent and item: columns `unit`, `item` (the
/// criterion's code), `answer`, and optionally `group` (the respondent group) and
/// `respondent` (an id, kept out of the tally). Vietnamese headers (`đơn vị`, `câu hỏi`,
/// `trả lời`, `nhóm`, `người trả lời`) are read too.
///
/// ```
/// let text = "unit,group,item,answer\nCAP-01,citizens,3.2.2,có\n";
/// let records = parindex_io::read_survey_answers_bytes("survey.csv", text.as_bytes())?;
/// assert_eq!(records.items[0].group.as_deref(), Some("citizens"));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_survey_answers_bytes(
    file: &str,
    bytes: &[u8],
) -> Result<Records<SurveyAnswer>, ReadError> {
    const COLUMNS: [ColumnSpec; 5] = [
        column("unit", &["đơn vị", "don vi"], true),
        column("group", &["nhóm", "nhom"], false),
        column("item", &["câu hỏi", "cau hoi", "code", "tiêu chí"], true),
        column("answer", &["trả lời", "tra loi"], true),
        column("respondent", &["người trả lời", "nguoi tra loi"], false),
    ];
    read_records(file, bytes, &COLUMNS, |row, place| {
        match (text(row, "unit"), text(row, "item"), text(row, "answer")) {
            (Some(unit), Some(item), Some(answer)) => Ok(SurveyAnswer {
                unit,
                group: text(row, "group"),
                item,
                answer,
            }),
            (_, item, _) => Err((
                place.clone(),
                item,
                "an answer needs a unit, an item and the answer".to_owned(),
            )),
        }
    })
}

/// Reads a survey answers file; see [`read_survey_answers_bytes`].
pub fn read_survey_answers(path: &Path) -> Result<Records<SurveyAnswer>, ReadError> {
    let (file, bytes) = read_file(path)?;
    read_survey_answers_bytes(&file, &bytes)
}

/// The year's records of a run, each optional: a reform plan with its completion records, and
/// raw survey answers, with the stage their derived values go into.
#[derive(Debug, Clone, Default)]
pub struct RecordFiles {
    /// The reform plan.
    pub plan: Option<ReformPlan>,
    /// The plan's completion records.
    pub completions: Option<Records<Completion>>,
    /// Raw survey answers.
    pub survey: Option<Records<SurveyAnswer>>,
    /// The stage derived values go into; the set's first stage when `None`.
    pub stage: Option<String>,
}

impl RecordFiles {
    /// Derives the plan and survey measurements into the batch. Every bad record is reported
    /// at its place in its file; on any problem the batch is left as it was.
    pub fn apply(&self, batch: &mut Batch) -> Result<(), ReadError> {
        let stage = self.stage.as_deref();
        match (&self.plan, &self.completions) {
            (Some(plan), Some(done)) => batch
                .add_plan_records(plan, &done.items, stage)
                .map_err(|problems| done.locate(problems))?,
            (None, Some(done)) => {
                return Err(ReadError::file(
                    &done.file,
                    "completion records need the plan they complete",
                ));
            }
            (Some(plan), None) => {
                let message = "a plan needs its completion records to measure anything";
                return Err(ReadError::file(&plan.id, message));
            }
            (None, None) => {}
        }
        if let Some(answers) = &self.survey {
            batch
                .add_survey_answers(&answers.items, stage)
                .map_err(|problems| answers.locate(problems))?;
        }
        Ok(())
    }
}
