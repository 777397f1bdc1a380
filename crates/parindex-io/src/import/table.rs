//! The table reader of `import`: a criteria annex copied into a CSV file or a sheet, read into
//! rows of the columns it names, each cell with its place.
//!
//! The header is the first of the first 20 rows with a code column; its cells are matched to
//! the columns below, without regard to case and after NFC, in Vietnamese or English. A role
//! named by several header cells takes the one whose name comes first in its list (`mã` before
//! `stt`); two cells with the same name are refused. Unknown columns are ignored.
//!
//! Every limit of the input readers applies: the file's size, rows, columns, characters per
//! cell and cells in all, and a criteria set's rows ([`parindex_core::load::MAX_NODES`]). The
//! text kept from the rows is bounded by [`MAX_INPUT_BYTES`], however often a workbook repeats
//! a shared string.

use std::path::Path;

use crate::csv;
use crate::error::{InputProblem, Place, ReadError, cell_name};
use crate::input::package::Workbook;
use crate::input::xlsx::plain;
use crate::input::{INSTRUCTIONS_SHEET, Loc, decode_text};
use crate::limits::{MAX_CELLS, MAX_INPUT_BYTES, too_large};
use parindex_core::text::nfc;

/// The rows of the header search, as for the input files.
const HEADER_ROWS: usize = 20;

/// The most rows without a code that are listed as skipped; the others are counted.
const MAX_SKIPPED_LISTED: usize = 20;

/// A column the table reader knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    Code,
    PrintedCode,
    Name,
    Max,
    Guidance,
    Notes,
    Kind,
}

/// Each role, its name in messages and the header names it is known by, best first.
const ROLES: [(Role, &str, &[&str]); 7] = [
    (Role::Code, "code", &["code", "mã", "mã số", "stt", "tt"]),
    (
        Role::PrintedCode,
        "printed_code",
        &["printed_code", "printed code"],
    ),
    (
        Role::Name,
        "name",
        &["name", "tên", "tên tiêu chí", "tiêu chí", "nội dung"],
    ),
    (
        Role::Max,
        "max",
        &["max", "điểm tối đa", "điểm chuẩn", "điểm"],
    ),
    (
        Role::Guidance,
        "guidance",
        &[
            "levels (condition → points)",
            "guidance",
            "hướng dẫn chấm",
            "hướng dẫn chấm điểm",
            "cách chấm",
            "cách chấm điểm",
            "cách tính điểm",
            "thang điểm",
            "levels",
        ],
    ),
    (Role::Notes, "notes", &["notes", "note", "ghi chú"]),
    (Role::Kind, "rule_type", &["rule_type", "rule type", "kind"]),
];

/// The name of a role in messages.
pub(crate) fn role_name(role: Role) -> &'static str {
    ROLES
        .iter()
        .find(|(r, _, _)| *r == role)
        .map_or("", |(_, name, _)| name)
}

/// The names a role is known by, for messages.
fn role_aliases(role: Role) -> String {
    ROLES
        .iter()
        .find(|(r, _, _)| *r == role)
        .map_or_else(String::new, |(_, _, aliases)| aliases.join(", "))
}

/// One cell: its text (NFC, trimmed; a workbook number as Excel shows it) and its place.
#[derive(Debug, Clone)]
pub(crate) struct Cell {
    pub(crate) text: String,
    pub(crate) place: Place,
}

/// A column of the table: its role, its position in the row, its header text and place.
#[derive(Debug, Clone)]
pub(crate) struct Column {
    pub(crate) role: Role,
    index: usize,
    pub(crate) header: String,
    pub(crate) place: Place,
    /// The position of the header's name in the role's list: lower is better.
    rank: usize,
}

/// A row of the table with a code.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    pub(crate) code: Cell,
    pub(crate) printed_code: Option<Cell>,
    pub(crate) name: Option<Cell>,
    pub(crate) max: Option<Cell>,
    pub(crate) guidance: Option<Cell>,
    pub(crate) notes: Option<Cell>,
    pub(crate) kind: Option<Cell>,
    /// How the row is named in remarks: `line 12` or `row 12`.
    pub(crate) at: String,
}

/// A table read from a file.
#[derive(Debug, Clone)]
pub(crate) struct Table {
    /// The sheet read, for a workbook.
    pub(crate) sheet: Option<String>,
    pub(crate) columns: Vec<Column>,
    pub(crate) rows: Vec<Row>,
    /// Rows without a code that were skipped: where and what they hold.
    pub(crate) skipped: Vec<String>,
    /// Skipped rows not listed.
    pub(crate) skipped_more: usize,
    /// A row without a code named like a total (`Tổng cộng`): its max cell and place.
    pub(crate) total: Option<(Cell, String)>,
}

/// How a place is named in remarks: `line 12` of a text file, `row 12` of a sheet.
fn place_row(place: &Place) -> String {
    match place {
        Place::Line { line, .. } => format!("line {line}"),
        Place::Cell { cell, .. } => {
            let digits: String = cell.chars().filter(char::is_ascii_digit).collect();
            format!("row {digits}")
        }
        Place::Row { row, .. } => format!("row {row}"),
        Place::File | Place::Json(_) => "the file".to_owned(),
    }
}

/// A header's text as compared: NFC, lowercase, blanks collapsed.
fn header_key(text: &str) -> String {
    nfc(text)
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The role a header cell names, and how well (the position of its name in the role's list).
fn header_role(text: &str) -> Option<(Role, usize)> {
    let key = header_key(text);
    if key.is_empty() {
        return None;
    }
    // "Điểm tối đa (điểm)": the name without what the parentheses add.
    let bare = key
        .split_once(" (")
        .map(|(head, _)| head.trim().to_owned())
        .filter(|head| !head.is_empty());
    for candidate in std::iter::once(&key).chain(bare.as_ref()) {
        for (role, _, aliases) in ROLES {
            if let Some(rank) = aliases.iter().position(|a| a == candidate) {
                return Some((role, rank));
            }
        }
    }
    None
}

/// A problem at a place of the file.
fn problem(file: &str, place: Place, message: impl Into<String>) -> InputProblem {
    InputProblem {
        unit: None,
        file: file.to_owned(),
        place,
        code: None,
        message: message.into(),
        check: None,
    }
}

/// Builds the table from rows handed over one at a time.
struct Builder<'f> {
    file: &'f str,
    head: Vec<Vec<Cell>>,
    columns: Option<Vec<Column>>,
    rows: Vec<Row>,
    skipped: Vec<String>,
    skipped_more: usize,
    total: Option<(Cell, String)>,
    cells: usize,
    kept_bytes: usize,
}

impl<'f> Builder<'f> {
    fn new(file: &'f str) -> Self {
        Builder {
            file,
            head: Vec::new(),
            columns: None,
            rows: Vec::new(),
            skipped: Vec::new(),
            skipped_more: 0,
            total: None,
            cells: 0,
            kept_bytes: 0,
        }
    }

    /// Takes one row; an error ends the reading.
    fn push(&mut self, row: Vec<Cell>) -> Result<(), ReadError> {
        self.cells = self.cells.saturating_add(row.len());
        if self.cells > MAX_CELLS {
            let place = row.last().map_or(Place::File, |c| c.place.clone());
            return Err(ReadError::new(vec![problem(
                self.file,
                place,
                format!("the table has more than {MAX_CELLS} cells, the limit"),
            )]));
        }
        let Some(columns) = &self.columns else {
            if row
                .iter()
                .any(|c| header_role(&c.text).map(|(r, _)| r) == Some(Role::Code))
            {
                self.columns = Some(self.header(&row)?);
                return Ok(());
            }
            self.head.push(row);
            if self.head.len() >= HEADER_ROWS {
                return Err(self.no_header());
            }
            return Ok(());
        };
        let cell = |role: Role| -> Option<Cell> {
            let column = columns.iter().find(|c| c.role == role)?;
            row.get(column.index)
                .filter(|c| !c.text.is_empty())
                .cloned()
        };
        let code = cell(Role::Code);
        let name = cell(Role::Name);
        let max = cell(Role::Max);
        let fields = [
            cell(Role::PrintedCode),
            cell(Role::Guidance),
            cell(Role::Notes),
            cell(Role::Kind),
        ];
        let kept: usize = [&code, &name, &max]
            .into_iter()
            .chain(fields.iter())
            .flatten()
            .map(|c| c.text.len())
            .sum();
        self.kept_bytes = self.kept_bytes.saturating_add(kept);
        if self.kept_bytes > MAX_INPUT_BYTES as usize {
            let place = row.first().map_or(Place::File, |c| c.place.clone());
            return Err(ReadError::new(vec![problem(
                self.file,
                place,
                format!(
                    "the table's rows hold more than {MAX_INPUT_BYTES} bytes of text: not a criteria table"
                ),
            )]));
        }
        let [printed_code, guidance, notes, kind] = fields;
        let Some(code) = code else {
            self.skip(name, max, printed_code, guidance, notes, kind, &row);
            return Ok(());
        };
        if self.rows.len() >= parindex_core::load::MAX_NODES {
            return Err(ReadError::new(vec![problem(
                self.file,
                code.place,
                format!(
                    "more than {} rows with a code: a criteria set holds at most {} rows",
                    parindex_core::load::MAX_NODES,
                    parindex_core::load::MAX_NODES
                ),
            )]));
        }
        let at = place_row(&code.place);
        self.rows.push(Row {
            code,
            printed_code,
            name,
            max,
            guidance,
            notes,
            kind,
            at,
        });
        Ok(())
    }

    /// A row without a code: the table's total, or a row skipped with a remark.
    #[allow(clippy::too_many_arguments)]
    fn skip(
        &mut self,
        name: Option<Cell>,
        max: Option<Cell>,
        printed_code: Option<Cell>,
        guidance: Option<Cell>,
        notes: Option<Cell>,
        kind: Option<Cell>,
        row: &[Cell],
    ) {
        let first = [&name, &max, &printed_code, &guidance, &notes, &kind]
            .into_iter()
            .flatten()
            .next()
            .cloned();
        let Some(first) = first else {
            return;
        };
        let at = place_row(&first.place);
        let is_total = name.as_ref().is_some_and(|n| {
            let key = header_key(&n.text);
            ["tổng", "cộng", "total"]
                .iter()
                .any(|word| key.starts_with(word))
        });
        if let (true, Some(max)) = (is_total, max) {
            if self.total.is_none() {
                self.total = Some((max, at));
                return;
            }
        }
        if self.skipped.len() >= MAX_SKIPPED_LISTED {
            self.skipped_more += 1;
            return;
        }
        let text: Vec<&str> = row
            .iter()
            .map(|c| c.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        let mut shown: String = text.join(" | ").chars().take(80).collect();
        if text.join(" | ").chars().count() > 80 {
            shown.push('…');
        }
        self.skipped.push(format!("{at}: \"{shown}\""));
    }

    /// The columns of the header row.
    fn header(&self, row: &[Cell]) -> Result<Vec<Column>, ReadError> {
        let mut columns: Vec<Column> = Vec::new();
        let mut problems = Vec::new();
        for (index, cell) in row.iter().enumerate() {
            let Some((role, rank)) = header_role(&cell.text) else {
                continue;
            };
            match columns.iter_mut().find(|c| c.role == role) {
                Some(other) if other.rank == rank => problems.push(problem(
                    self.file,
                    cell.place.clone(),
                    format!(
                        "a second {} column (\"{}\"): name one of them otherwise",
                        role_name(role),
                        cell.text
                    ),
                )),
                Some(other) if rank < other.rank => {
                    *other = Column {
                        role,
                        index,
                        header: cell.text.clone(),
                        place: cell.place.clone(),
                        rank,
                    };
                }
                Some(_) => {}
                None => columns.push(Column {
                    role,
                    index,
                    header: cell.text.clone(),
                    place: cell.place.clone(),
                    rank,
                }),
            }
        }
        let first = row
            .iter()
            .find(|c| !c.text.is_empty())
            .map_or(Place::File, |c| c.place.clone());
        for role in [Role::Name, Role::Max] {
            if !columns.iter().any(|c| c.role == role) {
                problems.push(problem(
                    self.file,
                    first.clone(),
                    format!(
                        "the header has no {} column (one of: {})",
                        role_name(role),
                        role_aliases(role)
                    ),
                ));
            }
        }
        if problems.is_empty() {
            columns.sort_by_key(|c| c.index);
            Ok(columns)
        } else {
            Err(ReadError::new(problems))
        }
    }

    fn no_header(&self) -> ReadError {
        let place = self
            .head
            .iter()
            .flatten()
            .next()
            .map_or(Place::File, |c| c.place.clone());
        ReadError::new(vec![problem(
            self.file,
            place,
            format!(
                "no header row with a code column (one of: {}) in the first {HEADER_ROWS} rows: is this a criteria table?",
                role_aliases(Role::Code)
            ),
        )])
    }

    fn finish(self, sheet: Option<String>) -> Result<Table, ReadError> {
        let Some(columns) = self.columns else {
            return Err(self.no_header());
        };
        if self.rows.is_empty() {
            let place = columns.first().map_or(Place::File, |c| c.place.clone());
            return Err(ReadError::new(vec![problem(
                self.file,
                place,
                "no row below the header has a code: the table is empty",
            )]));
        }
        Ok(Table {
            sheet,
            columns,
            rows: self.rows,
            skipped: self.skipped,
            skipped_more: self.skipped_more,
            total: self.total,
        })
    }
}

/// Whether the bytes are to be read as a workbook: by the file's extension, or by content
/// (a zip archive or an Excel 97–2003 file), so that a workbook misnamed `.csv` is refused
/// with the workbook reader's words rather than as text.
fn is_workbook(file: &str, bytes: &[u8]) -> bool {
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    let extension = Path::new(file)
        .extension()
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    matches!(extension.as_deref(), Some("xlsx" | "xlsm" | "xls" | "ods"))
        || bytes.starts_with(b"PK\x03\x04")
        || bytes.starts_with(&OLE)
}

/// Reads the table of a CSV file or a workbook's sheet (`sheet`, or the first visible one).
pub(crate) fn read_table(
    file: &str,
    bytes: &[u8],
    sheet: Option<&str>,
) -> Result<Table, ReadError> {
    let size = u64::try_from(bytes.len()).unwrap_or(u64::MAX);
    if size > MAX_INPUT_BYTES {
        return Err(ReadError::file(file, too_large(size)));
    }
    if is_workbook(file, bytes) {
        return read_workbook(file, bytes, sheet);
    }
    if let Some(sheet) = sheet {
        return Err(ReadError::file(
            file,
            format!("--sheet \"{sheet}\" is for workbooks; this file is read as CSV text"),
        ));
    }
    read_csv(file, bytes)
}

/// The fields of a CSV record as cells.
fn csv_cells(record: Vec<csv::Field>) -> Vec<Cell> {
    record
        .into_iter()
        .map(|f| Cell {
            text: nfc(f.text.trim()).into_owned(),
            place: Place::Line {
                line: f.line,
                column: f.column,
            },
        })
        .collect()
}

/// How many known columns the header row has when the text is split at `delimiter`, if one
/// of the first 20 records has a code column.
fn header_width(text: &str, delimiter: char) -> Option<usize> {
    csv::Records::new(text, delimiter)
        .take(HEADER_ROWS)
        .map_while(Result::ok)
        .map(|record| {
            record
                .iter()
                .filter_map(|f| header_role(f.text.trim()))
                .collect::<Vec<_>>()
        })
        .find(|roles| roles.iter().any(|(r, _)| *r == Role::Code))
        .map(|roles| roles.len())
}

fn read_csv(file: &str, bytes: &[u8]) -> Result<Table, ReadError> {
    let text = decode_text(bytes)
        .map_err(|(place, message)| ReadError::new(vec![problem(file, place, message)]))?;
    let delimiter = match (header_width(text, ','), header_width(text, ';')) {
        (Some(comma), Some(semicolon)) if semicolon > comma => ';',
        (Some(_), _) => ',',
        (None, Some(_)) => ';',
        (None, None) => csv::delimiter(text),
    };
    let mut builder = Builder::new(file);
    for record in csv::Records::new(text, delimiter) {
        let record = record.map_err(|(line, column, message)| {
            ReadError::new(vec![problem(file, Place::Line { line, column }, message)])
        })?;
        builder.push(csv_cells(record))?;
    }
    builder.finish(None)
}

fn read_workbook(file: &str, bytes: &[u8], wanted: Option<&str>) -> Result<Table, ReadError> {
    let fail = |place: Place, message: String| ReadError::new(vec![problem(file, place, message)]);
    let mut workbook = Workbook::open(bytes).map_err(|m| fail(Place::File, m))?;
    let names: Vec<String> = workbook
        .sheets
        .iter()
        .filter(|s| s.worksheet)
        .map(|s| format!("\"{}\"", s.name))
        .collect();
    let index = match wanted {
        Some(wanted) => {
            let key = header_key(wanted);
            workbook
                .sheets
                .iter()
                .position(|s| s.worksheet && s.name == wanted)
                .or_else(|| {
                    workbook
                        .sheets
                        .iter()
                        .position(|s| s.worksheet && header_key(&s.name) == key)
                })
                .ok_or_else(|| {
                    fail(
                        Place::File,
                        format!(
                            "has no sheet \"{wanted}\"; its sheets are {}",
                            names.join(", ")
                        ),
                    )
                })?
        }
        None => workbook
            .sheets
            .iter()
            .position(|s| s.worksheet && s.visible && s.name != INSTRUCTIONS_SHEET)
            .ok_or_else(|| fail(Place::File, "the workbook has no visible sheet".to_owned()))?,
    };
    let sheet = workbook.sheets[index].name.clone();
    let place = |row: u32, column: u32| Place::Cell {
        sheet: sheet.clone(),
        cell: cell_name(row, column),
    };
    let mut rows = workbook
        .rows(index, MAX_CELLS, None)
        .map_err(|m| fail(Place::File, format!("sheet \"{sheet}\": {m}")))?;
    let mut builder = Builder::new(file);
    let mut header_row = None;
    for row in rows.by_ref() {
        let cells: Vec<Cell> = row
            .iter()
            .map(|c| Cell {
                text: plain(c),
                place: match c.loc {
                    Loc::Cell(r, col) => place(r, col),
                    _ => Place::File,
                },
            })
            .collect();
        let had_header = builder.columns.is_some();
        builder.push(cells)?;
        if !had_header && builder.columns.is_some() {
            header_row = row.first().and_then(|c| match c.loc {
                Loc::Cell(r, _) => Some(r),
                _ => None,
            });
        }
    }
    if let Some((at, message)) = rows.fault() {
        let at = at.map_or(Place::File, |(r, c)| place(r, c));
        return Err(fail(at, message.clone()));
    }
    // Problems of single cells (a formula saved without its value) in the table matter;
    // those of titles above it do not.
    let in_table: Vec<InputProblem> = rows
        .problems
        .iter()
        .filter(|(r, _, _)| header_row.is_some_and(|h| *r >= h))
        .map(|(r, c, m)| problem(file, place(*r, *c), m.clone()))
        .collect();
    if !in_table.is_empty() {
        return Err(ReadError::new(in_table));
    }
    builder.finish(Some(sheet.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_columns_by_their_vietnamese_or_english_names() {
        assert_eq!(header_role("Mã"), Some((Role::Code, 1)));
        assert_eq!(header_role("  STT "), Some((Role::Code, 3)));
        assert_eq!(header_role("TIÊU CHÍ"), Some((Role::Name, 3)));
        assert_eq!(header_role("Điểm tối đa (điểm)"), Some((Role::Max, 1)));
        assert_eq!(
            header_role("levels (condition → points)"),
            Some((Role::Guidance, 0))
        );
        assert_eq!(header_role("Hướng dẫn chấm"), Some((Role::Guidance, 2)));
        // Decomposed marks, as pasted from a word processor.
        assert_eq!(header_role("Ghi chu\u{301}"), Some((Role::Notes, 2)));
        assert_eq!(header_role("level"), None);
        assert_eq!(header_role("Điểm tự chấm"), None);
    }

    #[test]
    fn reads_a_semicolon_table_below_a_title() -> Result<(), ReadError> {
        let text = "Bảng tiêu chí, năm 2024\nSTT;Mã;Nội dung;Điểm tối đa;Cách chấm\n1;1;Khu vực;1,5;\n;;Ghi chú chung;;\n2;1.1;Hàng;1,5;\"Có: 1,5; Không: 0\"\nTổng cộng;;Tổng cộng;1,5;\n";
        let table = read_table("t.csv", text.as_bytes(), None)?;
        // "Mã" is a better code column than "STT".
        let code = table.columns.iter().find(|c| c.role == Role::Code);
        assert_eq!(code.map(|c| c.header.as_str()), Some("Mã"));
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows[1].code.text, "1.1");
        assert_eq!(
            table.rows[1].guidance.as_ref().map(|c| c.text.as_str()),
            Some("Có: 1,5; Không: 0")
        );
        assert_eq!(table.rows[1].at, "line 5");
        assert_eq!(table.skipped, vec!["line 4: \"Ghi chú chung\"".to_owned()]);
        assert_eq!(table.total.map(|(c, _)| c.text), Some("1,5".to_owned()));
        Ok(())
    }

    #[test]
    fn refuses_a_table_without_its_columns() {
        let error = read_table("t.csv", b"name,max\nA,1\n", None).err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("t.csv:1:1: no header row with a code column (one of: code, mã, mã số, stt, tt) in the first 20 rows: is this a criteria table?".to_owned())
        );
        let error = read_table("t.csv", b"code,name\n1,A\n", None).err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("t.csv:1:1: the header has no max column (one of: max, điểm tối đa, điểm chuẩn, điểm)".to_owned())
        );
        let error = read_table("t.csv", b"code,name,max,Max\n1,A,1,1\n", None).err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some(
                "t.csv:1:15: a second max column (\"Max\"): name one of them otherwise".to_owned()
            )
        );
        let error = read_table("t.png", b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", None).err();
        assert!(
            error
                .map(|e| e.to_string())
                .is_some_and(|m| m.starts_with("t.png: is UTF-16 text (or not text at all)"))
        );
    }

    #[test]
    fn a_table_longer_than_a_criteria_set_is_refused() {
        let mut text = String::from("code,name,max\n");
        for i in 0..=parindex_core::load::MAX_NODES {
            text.push_str(&format!("{i},Row,1\n"));
        }
        let error = read_table("long.csv", text.as_bytes(), None).err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some("long.csv:2002:1: more than 2000 rows with a code: a criteria set holds at most 2000 rows".to_owned())
        );
    }

    #[test]
    fn a_sheet_is_named_only_for_a_workbook() {
        let error = read_table("t.csv", b"code,name,max\n1,A,1\n", Some("Bảng 1")).err();
        assert_eq!(
            error.map(|e| e.to_string()),
            Some(
                "t.csv: --sheet \"Bảng 1\" is for workbooks; this file is read as CSV text"
                    .to_owned()
            )
        );
    }
}
