//! `parindex compare --by reform-area`: two results side by side by reform area, one year with
//! the next or one set with another, without a crosswalk.

use std::path::Path;

use parindex_core::{ReformAreaComparison, YearResults, compare_reform_areas};
use parindex_io::{ResultsDocument, csv_record, decimal};
use rust_decimal::Decimal;

use crate::ScoreFormat;
use crate::output::{Failure, Outcome, out};
use parindex_core::text::plural;

/// Prints, per reform area, the units, mean, lowest and highest sub-index of each results and
/// the change in the mean; then, for units in both, each one's change per reform area.
pub(crate) fn compare_reform_areas_of(a: &Path, b: &Path, format: ScoreFormat) -> Outcome {
    let before_doc = ResultsDocument::read(a)?;
    let after_doc = ResultsDocument::read(b)?;
    for (path, doc) in [(a, &before_doc), (b, &after_doc)] {
        if doc.reform_areas.is_empty() {
            return Err(Failure::invalid(format!(
                "error: {}: the results of {} have no reform areas: its set declares none, or the document was written before parindex had them (score it again)",
                path.display(),
                doc.set.id
            )));
        }
    }
    let before = before_doc.year_view()?;
    let after = after_doc.year_view()?;
    let scale: Decimal = after_doc.set.scale.parse().unwrap_or(Decimal::ONE_HUNDRED);
    let compared = compare_reform_areas(&before, &after, scale);
    let text = match format {
        ScoreFormat::Table => table(&before, &after, &compared, scale),
        ScoreFormat::Csv => csv(&compared),
        ScoreFormat::Json => json(&before, &after, &compared),
    };
    out(&text)
}

fn show(x: Option<Decimal>) -> String {
    x.map(|v| v.to_string()).unwrap_or_default()
}

fn signed(x: Option<Decimal>) -> String {
    x.map(|v| {
        if v > Decimal::ZERO {
            format!("+{v}")
        } else {
            v.to_string()
        }
    })
    .unwrap_or_default()
}

/// Rows of cells aligned on their widths: the first column to the left, the others right.
fn aligned(rows: &[Vec<String>]) -> String {
    let chars = |s: &str| s.chars().count();
    let mut widths = vec![0; rows.first().map_or(0, Vec::len)];
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(chars(cell));
        }
    }
    let mut text = String::new();
    for row in rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                let pad = " ".repeat(widths[i].saturating_sub(chars(cell)));
                if i == 0 {
                    format!("{cell}{pad}")
                } else {
                    format!("{pad}{cell}")
                }
            })
            .collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

fn table(
    before: &YearResults,
    after: &YearResults,
    compared: &ReformAreaComparison,
    scale: Decimal,
) -> String {
    let mut text = format!(
        "{} ({}, {}) → {} ({}, {}); sub-indices per reform area (0–{})\n",
        before.set_id,
        before.year,
        plural(before.units.len(), "unit"),
        after.set_id,
        after.year,
        plural(after.units.len(), "unit"),
        decimal(scale)
    );
    let mut rows = vec![
        [
            "reform area",
            "units",
            "mean",
            "min",
            "max",
            "→ units",
            "mean",
            "min",
            "max",
            "change",
        ]
        .map(String::from)
        .to_vec(),
    ];
    for a in &compared.areas {
        rows.push(vec![
            a.area.as_str().to_owned(),
            a.before.units.to_string(),
            show(a.before.mean),
            show(a.before.min),
            show(a.before.max),
            a.after.units.to_string(),
            show(a.after.mean),
            show(a.after.min),
            show(a.after.max),
            signed(a.change),
        ]);
    }
    text.push_str(&aligned(&rows));
    if compared.units.is_empty() {
        text.push_str("no unit is in both results: the areas are compared over each one's units\n");
        return text;
    }
    text.push_str("\nper unit in both, change in sub-index:\n");
    let areas: Vec<_> = compared.areas.iter().map(|a| a.area).collect();
    let mut header = vec!["unit".to_owned()];
    header.extend(areas.iter().map(|a| a.as_str().to_owned()));
    let mut rows = vec![header];
    for chunk in compared.units.chunks(areas.len().max(1)) {
        let mut row = vec![chunk.first().map(|c| c.unit.clone()).unwrap_or_default()];
        row.extend(chunk.iter().map(|c| signed(c.change)));
        rows.push(row);
    }
    text.push_str(&aligned(&rows));
    text
}

/// One row per reform area (the `unit` column empty; `before` and `after` are the means), then
/// one row per unit in both and reform area.
fn csv(compared: &ReformAreaComparison) -> String {
    let mut text = String::new();
    csv_record(
        &mut text,
        [
            "unit",
            "area",
            "before",
            "after",
            "change",
            "units_before",
            "units_after",
            "min_before",
            "max_before",
            "min_after",
            "max_after",
        ],
    );
    for a in &compared.areas {
        csv_record(
            &mut text,
            [
                String::new(),
                a.area.as_str().to_owned(),
                show(a.before.mean),
                show(a.after.mean),
                show(a.change),
                a.before.units.to_string(),
                a.after.units.to_string(),
                show(a.before.min),
                show(a.before.max),
                show(a.after.min),
                show(a.after.max),
            ],
        );
    }
    for u in &compared.units {
        csv_record(
            &mut text,
            [
                u.unit.clone(),
                u.area.as_str().to_owned(),
                show(u.before),
                show(u.after),
                show(u.change),
            ],
        );
    }
    text
}

fn json(before: &YearResults, after: &YearResults, compared: &ReformAreaComparison) -> String {
    let text = |x: Option<Decimal>| x.map(|v| v.to_string());
    let summary = |s: &parindex_core::AreaSummary| {
        serde_json::json!({
            "units": s.units, "mean": text(s.mean), "min": text(s.min), "max": text(s.max),
        })
    };
    let doc = serde_json::json!({
        "by": "reform-area",
        "before": {"set": before.set_id, "year": before.year, "units": before.units.len()},
        "after": {"set": after.set_id, "year": after.year, "units": after.units.len()},
        "areas": compared.areas.iter().map(|a| serde_json::json!({
            "area": a.area.as_str(),
            "name": a.area.name_vi(),
            "name_en": a.area.name_en(),
            "before": summary(&a.before),
            "after": summary(&a.after),
            "change": text(a.change),
        })).collect::<Vec<_>>(),
        "units": compared.units.iter().map(|u| serde_json::json!({
            "unit": u.unit, "area": u.area.as_str(),
            "before": text(u.before), "after": text(u.after), "change": text(u.change),
        })).collect::<Vec<_>>(),
    });
    let mut t = serde_json::to_string_pretty(&doc).unwrap_or_default();
    t.push('\n');
    t
}
