//! The summary: one row per unit, in ranking order, as CSV or as a terminal table.

use std::collections::BTreeMap;
use std::ops::ControlFlow;

use parindex_core::{Results, Scorecard};

use crate::csv;
use crate::figures::DecimalText;

/// The units in ranking order: ranked units by group then rank, then the unranked ones, each
/// in input order.
pub fn ranking_order(results: &Results) -> Vec<&Scorecard> {
    ranking_positions(results)
        .into_iter()
        .map(|i| &results.units[i])
        .collect()
}

/// The positions of the units in [`ranking_order`], sorted on one number a unit rather than by
/// comparing scorecards, which a million units spread over memory.
fn ranking_positions(results: &Results) -> Vec<usize> {
    let mut groups: BTreeMap<&str, u64> = results
        .units
        .iter()
        .filter_map(|u| Some((u.group.as_deref()?, 0)))
        .collect();
    for (place, value) in groups.values_mut().enumerate() {
        *value = 1 + place as u64;
    }
    // Unranked last; then the group, none first; then the rank; then the position, which
    // makes every key distinct, so that an unstable sort keeps the input order of equals.
    let mut keys: Vec<(u64, u32, usize)> = results
        .units
        .iter()
        .enumerate()
        .map(|(i, u)| {
            let group = u
                .group
                .as_deref()
                .map_or(0, |g| groups.get(g).copied().unwrap_or(0));
            let unranked = u64::from(u.rank.is_none()) << 63;
            (unranked | group, u.rank.unwrap_or(0), i)
        })
        .collect();
    keys.sort_unstable();
    keys.into_iter().map(|(_, _, i)| i).collect()
}

/// The summary's columns: rank, unit, name, group, total, max, index, band, then the points of
/// each area.
struct Columns<'a> {
    header: Vec<String>,
    /// The areas' positions in the set.
    areas: Vec<usize>,
    has_groups: bool,
    units: &'a [Scorecard],
    /// The units' positions in ranking order.
    order: Vec<usize>,
    /// Each unit's name, by its position: looked up in input order, where a million ids
    /// sorted in the input find their names in memory already read.
    names: Vec<&'a str>,
    /// The threads the rows are written on: one below [`THREADS_FROM`] units.
    threads: usize,
}

impl<'a> Columns<'a> {
    fn new(results: &'a Results, names: &'a BTreeMap<String, String>, threads: usize) -> Self {
        let set = results.set();
        let areas: Vec<(usize, &parindex_core::Node)> = set.areas_with_positions().collect();
        let has_groups = results.units.iter().any(|u| u.group.is_some());
        let mut header: Vec<String> = vec!["rank".into(), "unit".into(), "name".into()];
        if has_groups {
            header.push("group".into());
        }
        header.extend(["total", "max", "index", "band"].map(String::from));
        header.extend(areas.iter().map(|(_, n)| n.code.clone()));
        let units = &results.units[..];
        let threads = if units.len() < THREADS_FROM {
            1
        } else {
            threads
        };
        Columns {
            header,
            areas: areas.into_iter().map(|(i, _)| i).collect(),
            has_groups,
            units,
            order: ranking_positions(results),
            names: parindex_core::threads::in_order(units, threads, |run| {
                run.iter()
                    .map(|u| names.get(&u.unit).map_or("", String::as_str))
                    .collect()
            }),
            threads,
        }
    }

    /// Gives each of `positions` to `row` in turn, a few at a time, each few's texts first
    /// read ahead together: a million units in ranking order are read from all over memory,
    /// and a unit's id, name, band and areas' points read one after the other would each
    /// wait for memory in turn, where read together they wait once.
    fn each_row(&self, positions: &[usize], mut row: impl FnMut(usize)) {
        const AHEAD: usize = 16;
        for few in positions.chunks(AHEAD) {
            let mut read = 0u8;
            for &position in few {
                let u = &self.units[position];
                let first = |text: &str| text.as_bytes().first().copied().unwrap_or(0);
                read ^= first(&u.unit) ^ first(self.names[position]);
                read ^= first(u.band.as_deref().unwrap_or_default());
                if let Some(&area) = self.areas.first() {
                    read ^= u.points_at(area).map_or(0, |points| points.scale() as u8);
                }
            }
            std::hint::black_box(read);
            few.iter().for_each(|&position| row(position));
        }
    }

    /// Gives each field of the row of the unit at `position` to `field`, in the header's
    /// order, with whether it is text (an id, a name, a group, a band) rather than a figure,
    /// which the engine writes with digits, a point and a sign only.
    fn fields(&self, position: usize, mut field: impl FnMut(&str, bool)) {
        let u = &self.units[position];
        match u.rank {
            Some(rank) => field(DecimalText::trimmed(rank.into()).as_str(), false),
            None => field("", false),
        }
        field(&u.unit, true);
        field(self.names[position], true);
        if self.has_groups {
            field(u.group.as_deref().unwrap_or_default(), true);
        }
        field(DecimalText::trimmed(u.total).as_str(), false);
        field(DecimalText::trimmed(u.max).as_str(), false);
        match u.reported_index {
            Some(index) => field(DecimalText::scaled(index).as_str(), false),
            None => field("", false),
        }
        field(u.band.as_deref().unwrap_or_default(), true);
        for i in &self.areas {
            let points = u.points_at(*i).unwrap_or_default();
            field(DecimalText::trimmed(points).as_str(), false);
        }
    }
}

/// A table's rows kept as one text and where each field ends: a text of its own per field
/// would take more memory than the fields at a hundred thousand rows.
#[derive(Debug, Default)]
pub(crate) struct Rows {
    text: String,
    /// Where each field ends in `text`, row after row.
    ends: Vec<usize>,
    /// Fields a row.
    columns: usize,
}

impl Rows {
    /// No rows yet, of `columns` fields each.
    pub(crate) fn new(columns: usize) -> Self {
        Rows {
            columns: columns.max(1),
            ..Rows::default()
        }
    }

    /// Adds the next field; a row is complete after `columns` of them.
    pub(crate) fn push(&mut self, field: &str) {
        self.text.push_str(field);
        self.ends.push(self.text.len());
    }

    /// The rows, each as its fields.
    fn iter(&self) -> impl Iterator<Item = impl Iterator<Item = &str>> {
        self.ends.chunks(self.columns).enumerate().map(|(r, ends)| {
            let start = match r * self.columns {
                0 => 0,
                first => self.ends[first - 1],
            };
            ends.iter().scan(start, |from, &end| {
                let field = &self.text[*from..end];
                *from = end;
                Some(field)
            })
        })
    }
}

/// Below this many units, a summary is written on one thread: starting more costs more.
const THREADS_FROM: usize = 4096;

/// Rows of the CSV summary written together on a thread, at most: an equal share of each
/// thread up to this many, so that a chunk's text is not held long beside the whole.
const CSV_CHUNK: usize = 16_384;

/// The summary as CSV (UTF-8, comma-separated, one header row), each unit's fields written
/// straight into the text.
pub fn summary_csv(results: &Results, names: &BTreeMap<String, String>) -> String {
    summary_csv_with_threads(results, names, 1)
}

/// [`summary_csv`], the rows written on up to `threads` threads: the same text for any number.
pub fn summary_csv_with_threads(
    results: &Results,
    names: &BTreeMap<String, String>,
    threads: usize,
) -> String {
    let mut out = String::new();
    summary_csv_parts(results, names, threads, |part| {
        out.push_str(part);
        ControlFlow::Continue(())
    });
    out
}

/// [`summary_csv_with_threads`] written to `out` as its rows are, rather than held whole: the
/// summary of a million units is a hundred megabytes.
pub fn write_summary_csv_with_threads(
    results: &Results,
    names: &BTreeMap<String, String>,
    threads: usize,
    mut out: impl std::io::Write,
) -> std::io::Result<()> {
    let mut written = Ok(());
    summary_csv_parts(results, names, threads, |part| {
        written = out.write_all(part.as_bytes());
        if written.is_ok() {
            ControlFlow::Continue(())
        } else {
            ControlFlow::Break(())
        }
    });
    written
}

/// The CSV summary's text in order, in parts: its header, then its rows a chunk at a time,
/// given to `take` as soon as those before are; `take` stops it by breaking.
fn summary_csv_parts(
    results: &Results,
    names: &BTreeMap<String, String>,
    threads: usize,
    mut take: impl FnMut(&str) -> ControlFlow<()>,
) {
    let columns = Columns::new(results, names, threads);
    let (order, threads) = (&columns.order, columns.threads);
    let mut header = String::new();
    csv::push_record(&mut header, &columns.header);
    if take(&header).is_break() {
        return;
    }
    parindex_core::threads::in_order_chunks(
        order.len(),
        order.len().div_ceil(threads).min(CSV_CHUNK),
        threads,
        |run| {
            let mut rows = String::with_capacity(8 * run.len() * columns.header.len());
            columns.each_row(&order[run], |position| {
                let mut first = true;
                columns.fields(position, |text, is_text| {
                    if !std::mem::take(&mut first) {
                        rows.push(',');
                    }
                    if is_text {
                        rows.push_str(&csv::escape(text));
                    } else {
                        // A figure is never quoted nor taken for a formula.
                        rows.push_str(text);
                    }
                });
                rows.push('\n');
            });
            rows
        },
        |rows| take(&rows),
    );
}

/// The summary as a plain-text table for a terminal, aligned on character widths.
pub fn summary_table(results: &Results, names: &BTreeMap<String, String>) -> String {
    summary_table_with_threads(results, names, 1)
}

/// [`summary_table`], the rows worded on up to `threads` threads: the same text for any
/// number.
pub fn summary_table_with_threads(
    results: &Results,
    names: &BTreeMap<String, String>,
    threads: usize,
) -> String {
    let columns = Columns::new(results, names, threads);
    let parts: Vec<Rows> =
        parindex_core::threads::in_order(&columns.order, columns.threads, |run| {
            let mut rows = Rows::new(columns.header.len());
            columns.each_row(run, |position| {
                columns.fields(position, |text, _| rows.push(text));
            });
            vec![rows]
        });
    let header = &columns.header;
    let numeric = |i: usize| i == 0 || (i >= 3 && header[i] != "band" && header[i] != "group");
    aligned_table(header, &parts, 40, |i| !numeric(i))
}

/// A header and rows as a plain-text table for a terminal: columns aligned on character
/// widths, two spaces apart, the third (the unit's name) cut to `name_width` characters;
/// columns for which `left` holds are aligned left, the others (numbers) right.
pub(crate) fn aligned_table(
    header: &[String],
    parts: &[Rows],
    name_width: usize,
    left: impl Fn(usize) -> bool,
) -> String {
    let chars = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| chars(h)).collect();
    for row in parts.iter().flat_map(Rows::iter) {
        for (i, cell) in row.enumerate() {
            let w = if i == 2 {
                chars(cell).min(name_width)
            } else {
                chars(cell)
            };
            widths[i] = widths[i].max(w);
        }
    }
    let spaces = |line: &mut String, n: usize| line.extend(std::iter::repeat_n(' ', n));
    let mut out = String::new();
    let mut line = String::new();
    let mut head = Rows::new(header.len());
    for field in header {
        head.push(field);
    }
    for row in std::iter::once(&head).chain(parts).flat_map(Rows::iter) {
        line.clear();
        for (i, cell) in row.enumerate() {
            if i > 0 {
                line.push_str("  ");
            }
            // Cut to the column's width, in characters.
            let cut = match cell.char_indices().nth(widths[i]) {
                Some((at, _)) => &cell[..at],
                None => cell,
            };
            let pad = widths[i].saturating_sub(chars(cut));
            if left(i) {
                line.push_str(cut);
                spaces(&mut line, pad);
            } else {
                spaces(&mut line, pad);
                line.push_str(cut);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}
