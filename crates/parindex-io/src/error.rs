//! Errors of the readers and writers, each with the place the user must look at.

use std::fmt;

/// Where a problem is in an input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    /// The file as a whole.
    File,
    /// A line and column of a text file (CSV), both from 1; the column counts characters.
    Line {
        /// The line, from 1.
        line: usize,
        /// The column, from 1.
        column: usize,
    },
    /// A cell of a workbook.
    Cell {
        /// The sheet's name.
        sheet: String,
        /// The cell, as Excel names it: `F12`.
        cell: String,
    },
    /// A place in a JSON document: `units[3]`, or a unit's id.
    Json(String),
    /// A cell of in-memory data (a frame, a list of rows): its row and column, from 1. Row 0
    /// is the header, the column names.
    Row {
        /// The row, from 1; 0 for the header.
        row: usize,
        /// The column, from 1.
        column: usize,
    },
}

/// One problem found in an input file.
///
/// It displays the way the user finds it:
/// - CSV: `wards.csv:12:7: 1.2.3: "1,500%" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)`;
/// - Excel: `wards.xlsx: sheet "Tự đánh giá", cell F12 (1.2.3): "1,500%" could be 1.500 or 1500 …`;
/// - JSON: `wards.json: unit CAP-01, 1.2.3: …`;
/// - in-memory data: `<DataFrame>: row 3, column 5 (1.2.3): …`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputProblem {
    /// The file, as the user named it.
    pub file: String,
    /// Where in the file.
    pub place: Place,
    /// The unit concerned, where the problem is about one unit's input.
    pub unit: Option<String>,
    /// The criterion or attribute concerned.
    pub code: Option<String>,
    /// What is wrong.
    pub message: String,
    /// For a refused value of a criterion, a stable check code naming what the criterion takes,
    /// so that a front end can say it in its own words: `value-percent` (a percentage or a
    /// ratio), `value-date` (a date or an outcome), `value-answer` (one of the printed answers),
    /// `value-points` (points within the allowed range), `value-number` (a number),
    /// `value-excel-error` (an Excel error such as `#N/A`), `value-date-cell` (a date cell
    /// where the criterion takes no date).
    pub check: Option<&'static str>,
}

impl fmt::Display for InputProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let code = self.code.as_deref();
        match (&self.place, code) {
            (Place::File, Some(code)) => write!(f, "{}: {code}: {}", self.file, self.message),
            (Place::File, None) => write!(f, "{}: {}", self.file, self.message),
            (Place::Line { line, column }, Some(code)) => {
                write!(f, "{}:{line}:{column}: {code}: {}", self.file, self.message)
            }
            (Place::Line { line, column }, None) => {
                write!(f, "{}:{line}:{column}: {}", self.file, self.message)
            }
            (Place::Cell { sheet, cell }, Some(code)) => write!(
                f,
                "{}: sheet \"{sheet}\", cell {cell} ({code}): {}",
                self.file, self.message
            ),
            (Place::Cell { sheet, cell }, None) => write!(
                f,
                "{}: sheet \"{sheet}\", cell {cell}: {}",
                self.file, self.message
            ),
            (Place::Json(at), Some(code)) => {
                write!(f, "{}: {at}, {code}: {}", self.file, self.message)
            }
            (Place::Json(at), None) => write!(f, "{}: {at}: {}", self.file, self.message),
            (Place::Row { row: 0, column }, Some(code)) => {
                write!(
                    f,
                    "{}: column {column} ({code}): {}",
                    self.file, self.message
                )
            }
            (Place::Row { row: 0, column }, None) => {
                write!(f, "{}: column {column}: {}", self.file, self.message)
            }
            (Place::Row { row, column }, Some(code)) => write!(
                f,
                "{}: row {row}, column {column} ({code}): {}",
                self.file, self.message
            ),
            (Place::Row { row, column }, None) => {
                write!(
                    f,
                    "{}: row {row}, column {column}: {}",
                    self.file, self.message
                )
            }
        }
    }
}

/// A place in an input file as the user finds it, without what is found there:
/// `wards.csv:12:7`, `wards.xlsx: sheet "Tự đánh giá", cell F12`, `wards.json: unit CAP-01`,
/// `<DataFrame>: row 3, column 5`.
pub(crate) fn place_text(file: &str, place: &Place) -> String {
    match place {
        Place::File => file.to_owned(),
        Place::Line { line, column } => format!("{file}:{line}:{column}"),
        Place::Cell { sheet, cell } => format!("{file}: sheet \"{sheet}\", cell {cell}"),
        Place::Json(at) => format!("{file}: {at}"),
        Place::Row { row: 0, column } => format!("{file}: column {column}"),
        Place::Row { row, column } => format!("{file}: row {row}, column {column}"),
    }
}

/// Every problem found in the input files of a run: nothing is scored when there is one.
///
/// At most [`crate::MAX_PROBLEMS`] problems are kept, in the order found; `more` counts the
/// others, so that a file with millions of bad cells cannot exhaust memory with its messages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ReadError {
    /// The problems, file by file, in the order found.
    pub problems: Vec<InputProblem>,
    /// How many more problems were found and not kept.
    pub more: usize,
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, problem) in self.problems.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{problem}")?;
        }
        if self.more > 0 {
            write!(
                f,
                "\n… and {} more problem{}, not listed (only the first {} are)",
                self.more,
                if self.more == 1 { "" } else { "s" },
                self.problems.len()
            )?;
        }
        Ok(())
    }
}

impl ReadError {
    /// A single problem with a whole file.
    pub fn file(file: &str, message: impl Into<String>) -> Self {
        ReadError::new(vec![InputProblem {
            unit: None,
            file: file.to_owned(),
            place: Place::File,
            code: None,
            message: message.into(),
            check: None,
        }])
    }

    /// The problems, keeping the first [`crate::MAX_PROBLEMS`] and counting the others.
    pub fn new(mut problems: Vec<InputProblem>) -> Self {
        let more = problems.len().saturating_sub(crate::MAX_PROBLEMS);
        problems.truncate(crate::MAX_PROBLEMS);
        ReadError { problems, more }
    }

    /// Every problem found, listed or not.
    pub fn count(&self) -> usize {
        self.problems.len() + self.more
    }

    /// Adds another error's problems, within the same cap.
    pub fn extend(&mut self, other: ReadError) {
        for problem in other.problems {
            if self.problems.len() < crate::MAX_PROBLEMS {
                self.problems.push(problem);
            } else {
                self.more += 1;
            }
        }
        self.more += other.more;
    }
}

/// A results file, or an output, that could not be read or written.
#[derive(Debug, thiserror::Error)]
pub enum IoError {
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    File {
        /// The file.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A file's content is not what was expected.
    #[error("{path}: {message}")]
    Content {
        /// The file.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The Excel writer failed.
    #[error("cannot build the workbook: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
}

/// The Excel name of a cell from 0-based row and column: `(11, 5)` → `F12`.
///
/// ```
/// assert_eq!(parindex_io::cell_name(11, 5), "F12");
/// assert_eq!(parindex_io::cell_name(0, 27), "AB1");
/// ```
pub fn cell_name(row: u32, column: u32) -> String {
    format!("{}{}", column_name(column), u64::from(row) + 1)
}

/// The Excel name of a 0-based column: 0 → `A`, 26 → `AA`.
pub fn column_name(column: u32) -> String {
    let mut n = u64::from(column) + 1;
    let mut letters = Vec::new();
    while n > 0 {
        let rem = ((n - 1) % 26) as u8;
        letters.push(char::from(b'A' + rem));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}
