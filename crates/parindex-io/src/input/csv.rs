//! The CSV door: a UTF-8 CSV file becomes a grid of text cells at their line and column.

use super::{CellValue, Grid, GridCell, InputReader, Loc, NO_UNIT_COLUMN};
use crate::csv;
use crate::error::{InputProblem, Place};

impl InputReader {
    /// The text of a file, or `None` with the problem recorded when it is not UTF-8.
    pub(crate) fn decoded<'b>(&mut self, file: &str, bytes: &'b [u8]) -> Option<&'b str> {
        match decode_text(bytes) {
            Ok(text) => Some(text),
            Err((place, mut message)) => {
                // Excel's advice is for CSV files only.
                if !file.to_lowercase().ends_with(".csv") {
                    if let Some(at) = message.find(" (in Excel:") {
                        message.truncate(at);
                    }
                }
                self.problems.push(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place,
                    code: None,
                    message,
                });
                None
            }
        }
    }

    pub(crate) fn read_csv(&mut self, file: &str, bytes: &[u8]) {
        let Some(text) = self.decoded(file, bytes) else {
            return;
        };
        let records = match csv::parse(text) {
            Ok(records) => records,
            Err((line, column, message)) => {
                self.problems.push(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place: Place::Line { line, column },
                    code: None,
                    message,
                });
                return;
            }
        };
        let mut grid = Grid::new(file);
        grid.rows = records
            .into_iter()
            .map(|record| {
                record
                    .into_iter()
                    .map(|f| GridCell {
                        value: if f.text.is_empty() {
                            CellValue::Empty
                        } else {
                            CellValue::Text(f.text)
                        },
                        loc: Loc::Text(f.line, f.column),
                    })
                    .collect()
            })
            .collect();
        if super::layout::find_header(&grid.rows).is_none() {
            self.problems.push(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: Place::Line { line: 1, column: 1 },
                code: None,
                message: NO_UNIT_COLUMN.to_owned(),
            });
            return;
        }
        self.read_table(&grid);
    }
}

/// UTF-8 text without its byte-order mark, or where and why it is not UTF-8.
pub(crate) fn decode_text(bytes: &[u8]) -> Result<&str, (Place, String)> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err((
            Place::File,
            "is UTF-16 text: save it as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")"
                .to_owned(),
        ));
    }
    // UTF-16 without a byte-order mark is still full of NUL bytes; so is a binary file.
    if bytes.iter().take(4096).any(|b| *b == 0) {
        return Err((
            Place::File,
            "is UTF-16 text (or not text at all): save it as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")"
                .to_owned(),
        ));
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|e| {
        let good = &bytes[..e.valid_up_to()];
        let line = good.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = good.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&good[line_start..]).chars().count() + 1;
        (
            Place::Line { line, column },
            "not UTF-8 text (perhaps Windows-1258 or TCVN3): save the file as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")".to_owned(),
        )
    })
}
