//! The summary: one row per unit, in ranking order, as CSV or as a terminal table.

use std::collections::BTreeMap;

use parindex_core::{Results, Scorecard};

use crate::csv;
use crate::results::decimal;

/// The units in ranking order: ranked units by group then rank, then the unranked ones, each
/// in input order.
pub fn ranking_order(results: &Results) -> Vec<&Scorecard> {
    let mut units: Vec<&Scorecard> = results.units.iter().collect();
    units.sort_by(|a, b| {
        let key = |u: &Scorecard| (u.rank.is_none(), u.group.clone(), u.rank);
        key(a).cmp(&key(b))
    });
    units
}

/// The summary's columns: rank, unit, name, group, total, max, index, band, then the points of
/// each area.
fn rows(results: &Results, names: &BTreeMap<String, String>) -> (Vec<String>, Vec<Vec<String>>) {
    let set = results.set();
    let areas: Vec<(usize, &parindex_core::Node)> = set.areas_with_positions().collect();
    let has_groups = results.units.iter().any(|u| u.group.is_some());
    let mut header: Vec<String> = vec!["rank".into(), "unit".into(), "name".into()];
    if has_groups {
        header.push("group".into());
    }
    header.extend(["total", "max", "index", "band"].map(String::from));
    header.extend(areas.iter().map(|(_, n)| n.code.clone()));
    let rows = ranking_order(results)
        .into_iter()
        .map(|u| {
            let mut row = vec![
                u.rank.map(|r| r.to_string()).unwrap_or_default(),
                u.unit.clone(),
                names.get(&u.unit).cloned().unwrap_or_default(),
            ];
            if has_groups {
                row.push(u.group.clone().unwrap_or_default());
            }
            row.push(decimal(u.total));
            row.push(decimal(u.max));
            row.push(u.reported_index.map(|i| i.to_string()).unwrap_or_default());
            row.push(u.band.clone().unwrap_or_default());
            row.extend(areas.iter().map(|(i, _)| decimal(u.nodes[*i].points)));
            row
        })
        .collect();
    (header, rows)
}

/// The summary as CSV (UTF-8, comma-separated, one header row).
pub fn summary_csv(results: &Results, names: &BTreeMap<String, String>) -> String {
    let (header, rows) = rows(results, names);
    let mut out = String::new();
    csv::push_record(&mut out, &header);
    for row in rows {
        csv::push_record(&mut out, &row);
    }
    out
}

/// The summary as a plain-text table for a terminal, aligned on character widths.
pub fn summary_table(results: &Results, names: &BTreeMap<String, String>) -> String {
    let (header, rows) = rows(results, names);
    let numeric = |i: usize| i == 0 || (i >= 3 && header[i] != "band" && header[i] != "group");
    aligned_table(&header, &rows, 40, |i| !numeric(i))
}

/// A header and rows as a plain-text table for a terminal: columns aligned on character
/// widths, two spaces apart, the third (the unit's name) cut to `name_width` characters;
/// columns for which `left` holds are aligned left, the others (numbers) right.
pub(crate) fn aligned_table(
    header: &[String],
    rows: &[Vec<String>],
    name_width: usize,
    left: impl Fn(usize) -> bool,
) -> String {
    let chars = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| chars(h)).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let w = if i == 2 {
                chars(cell).min(name_width)
            } else {
                chars(cell)
            };
            widths[i] = widths[i].max(w);
        }
    }
    let mut out = String::new();
    for row in std::iter::once(header).chain(rows.iter().map(Vec::as_slice)) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let cell: String = cell.chars().take(widths[i]).collect();
                let pad = " ".repeat(widths[i].saturating_sub(chars(&cell)));
                if left(i) {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}
