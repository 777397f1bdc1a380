//! The CSV door: a UTF-8 CSV file becomes a grid of text cells at their line and column; the
//! rows of a wide table read on several threads are read straight from the file's text.

use std::ops::ControlFlow;

use super::layout::{Table, WideRecord};
use super::memo::ReadMemo;
use super::{CellValue, Grid, GridCell, InputReader, LeafReader, Loc, NO_UNIT_COLUMN};
use crate::csv;
use crate::error::{InputProblem, Place};
use crate::pool::Pool;

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
                self.record(InputProblem {
                    unit: None,
                    file: file.to_owned(),
                    place,
                    code: None,
                    message,
                    check: None,
                });
                None
            }
        }
    }

    pub(crate) fn read_csv(&mut self, file: &str, bytes: &[u8]) {
        let Some(text) = self.decoded(file, bytes) else {
            return;
        };
        let delimiter = csv::delimiter(text);
        // A first pass checks the syntax and the limits, so that a broken file is refused with
        // its one problem, and marks where runs of records start; the second reads it a record
        // at a time, or a run of records per thread.
        let mut records = csv::Records::new(text, delimiter);
        let mut marks = Vec::new();
        loop {
            let mark = records.mark();
            if mark.rows % RUN_RECORDS == 0 {
                marks.push(mark);
            }
            let Some(width) = records.next_width() else {
                break;
            };
            let fault = match width {
                Ok(width) if self.count_cells(width) => continue,
                Ok(_) => {
                    // The record again, for where its last field is.
                    let record = csv::Records::from_mark(text, delimiter, mark).next();
                    let last = record.and_then(Result::ok).and_then(|r| r.last().cloned());
                    let (line, column) = last.map_or((1, 1), |f| (f.line, f.column));
                    (
                        line,
                        column,
                        crate::limits::too_many_cells(self.max_cells, true),
                    )
                }
                Err(fault) => fault,
            };
            let (line, column, message) = fault;
            return self.record(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: Place::Line { line, column },
                code: None,
                message,
                check: None,
            });
        }
        let grid = Grid::new(file);
        let threads = self.threads;
        let read = if threads <= 1 || marks.len() <= 1 {
            self.read_rows(&grid, rows_of(csv::Records::new(text, delimiter)))
        } else {
            let mut records = csv::Records::new(text, delimiter);
            let mut head = rows_of(records.by_ref());
            match self.open_rows(&grid, &mut head) {
                Err(found) => found,
                Ok((table, after)) => {
                    drop(head);
                    let runs = runs_from(records.mark(), &marks);
                    if self.reads_rows_ahead(&table) && after.is_empty() {
                        self.read_wide_text(&grid, &table, text, delimiter, &runs);
                    } else {
                        // A few runs per thread at a time: read ahead of the rows given, not
                        // the whole file.
                        let rows = runs.chunks(threads * 2).flat_map(|group| {
                            parindex_core::threads::in_order(group, threads, |runs: &[Run]| {
                                runs.iter()
                                    .map(|run| rows_of(run.records(text, delimiter)).collect())
                                    .collect::<Vec<Vec<_>>>()
                            })
                            .into_iter()
                            .flatten()
                        });
                        self.read_table_rows(&grid, &table, after.into_iter().chain(rows));
                    }
                    true
                }
            }
        };
        if !read {
            self.record(InputProblem {
                unit: None,
                file: file.to_owned(),
                place: Place::Line { line: 1, column: 1 },
                code: None,
                message: NO_UNIT_COLUMN.to_owned(),
                check: None,
            });
        }
    }
}

/// Records a thread reads at once, when a file is read on several threads.
const RUN_RECORDS: usize = 256;

/// A run of records that one thread reads: from a mark, so many records.
#[derive(Debug, Clone, Copy)]
struct Run {
    from: csv::Mark,
    records: usize,
}

impl Run {
    /// The run's records, from the text the marks were taken on.
    fn records<'t>(
        self,
        text: &'t str,
        delimiter: char,
    ) -> impl Iterator<Item = Result<Vec<csv::Field<'t>>, csv::CsvError>> {
        csv::Records::from_mark(text, delimiter, self.from).take(self.records)
    }

    /// Each of the run's records up to its first fault, given in `fields`, which keeps its
    /// room from one record to the next.
    fn for_each_record<'t>(
        self,
        text: &'t str,
        delimiter: char,
        fields: &mut Vec<csv::Field<'t>>,
        mut each: impl FnMut(&mut Vec<csv::Field<'t>>),
    ) {
        let mut records = csv::Records::from_mark(text, delimiter, self.from);
        for _ in 0..self.records {
            match records.next_into(fields) {
                Some(Ok(())) => each(fields),
                None | Some(Err(_)) => return,
            }
        }
    }
}

/// The runs of the records from `from` to the end, cut at the marks the first pass took.
fn runs_from(from: csv::Mark, marks: &[csv::Mark]) -> Vec<Run> {
    let starts: Vec<csv::Mark> = std::iter::once(from)
        .chain(marks.iter().copied().filter(|m| m.rows > from.rows))
        .collect();
    starts
        .iter()
        .enumerate()
        .map(|(i, start)| Run {
            from: *start,
            records: starts
                .get(i + 1)
                .map_or(usize::MAX, |next| next.rows - start.rows),
        })
        .collect()
}

impl InputReader {
    /// Reads the wide records of a table in `runs`: the threads read the records' leaf fields
    /// straight from `text`, a few runs ahead, while this thread gives the records read before
    /// to their units in order, so that what is read and refused is the same.
    fn read_wide_text(
        &mut self,
        grid: &Grid,
        table: &Table,
        text: &str,
        delimiter: char,
        runs: &[Run],
    ) {
        if self.beyond_a_limit() {
            return;
        }
        // The threads read with their own copy of the plan, while the reader gives.
        let (plan, readings) = (self.plan.clone(), self.readings.clone());
        let reader = LeafReader::new(&plan, &readings, self.options, self.texts.is_some());
        // A chunk takes up the memo and the room for fields that one before left, so that
        // what texts read as is learnt once a thread rather than once a chunk, and the room
        // for records that one given before left: fresh memory costs the kernel's zeroing of
        // every page, and a chunk's records are a few hundred kilobytes.
        let spares: Pool<(ReadMemo, Vec<csv::Field<'_>>)> = Pool::default();
        let rooms: Pool<Vec<WideRecord<'_>>> = Pool::default();
        parindex_core::threads::in_order_chunks(
            runs.len(),
            RUNS_TOGETHER,
            self.threads,
            |chunk| {
                let (mut memo, mut fields) = spares.take();
                let mut read = rooms.take();
                // At its size at once: grown a record at a time, it is copied as it doubles.
                read.reserve(chunk.len() * RUN_RECORDS);
                for run in &runs[chunk] {
                    run.for_each_record(text, delimiter, &mut fields, |record| {
                        read.push(reader.read_wide_record(table, record, &mut memo));
                    });
                }
                spares.give((memo, fields));
                read
            },
            |mut records| {
                for record in records.drain(..) {
                    if self.beyond_a_limit() {
                        return ControlFlow::Break(());
                    }
                    self.give_wide_record(grid, table, record);
                }
                rooms.give(records);
                ControlFlow::Continue(())
            },
        );
    }
}

/// Runs of records read together on a thread, 2,048 records: with chunks of a quarter of that,
/// the threads reading a million units waited on the one giving more often, and took 7% longer.
const RUNS_TOGETHER: usize = 8;

/// The rows of a grid from CSV records that the first pass found without a fault.
fn rows_of<'t>(
    records: impl Iterator<Item = Result<Vec<csv::Field<'t>>, csv::CsvError>>,
) -> impl Iterator<Item = Vec<GridCell>> {
    records.map_while(Result::ok).map(|record| {
        record
            .into_iter()
            .map(|f| GridCell {
                value: if f.text.is_empty() {
                    CellValue::Empty
                } else {
                    CellValue::Text(f.text.into())
                },
                loc: Loc::Text(f.line, f.column),
            })
            .collect()
    })
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
    // Checked with SIMD first, 15× faster on Vietnamese text; the standard check only finds
    // where text that is not UTF-8 goes wrong.
    if let Ok(text) = simdutf8::basic::from_utf8(bytes) {
        return Ok(text);
    }
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

#[cfg(test)]
mod tests {
    use super::decode_text;

    proptest::proptest! {
        /// Text is taken, and text that is not UTF-8 refused, as the standard check does.
        #[test]
        fn decodes_as_the_standard_check_does(
            bytes in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::sample::select(vec![b'a', b',', b'\n', 0xC3, 0xB3, 0xE1, 0xBB, 0x91, 0xF3, 0x80]),
                    proptest::num::u8::ANY,
                ],
                0..200,
            )
        ) {
            let bytes: Vec<u8> = bytes.into_iter().filter(|b| *b != 0 && *b != 0xFF && *b != 0xFE).collect();
            let standard = std::str::from_utf8(bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(&bytes));
            match decode_text(&bytes) {
                Ok(text) => proptest::prop_assert_eq!(Ok(text), standard),
                Err(_) => proptest::prop_assert!(standard.is_err()),
            }
        }
    }
}
