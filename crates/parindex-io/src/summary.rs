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
    let width = |s: &str| s.chars().count();
    let mut widths: Vec<usize> = header.iter().map(|h| width(h)).collect();
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            let w = if i == 2 {
                width(cell).min(40)
            } else {
                width(cell)
            };
            widths[i] = widths[i].max(w);
        }
    }
    let numeric = |i: usize| i == 0 || (i >= 3 && header[i] != "band" && header[i] != "group");
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            let mut cell: String = cell.chars().take(widths[i]).collect();
            let pad = widths[i].saturating_sub(width(&cell));
            if numeric(i) {
                cell = format!("{}{cell}", " ".repeat(pad));
            } else {
                cell.push_str(&" ".repeat(pad));
            }
            if i > 0 {
                text.push_str("  ");
            }
            text.push_str(&cell);
        }
        out.push_str(text.trim_end());
        out.push('\n');
    };
    line(&header);
    for row in &rows {
        line(row);
    }
    out
}
