//! `parindex compare`: per unit and area, the change between two years' results.

use std::collections::BTreeMap;
use std::path::Path;

use parindex_core::compare;
use parindex_io::{ResultsDocument, csv_record, decimal, read_crosswalk};

use crate::ScoreFormat;
use crate::output::{Outcome, out};

/// Prints the change per unit and area between two results documents.
pub(crate) fn compare_results(
    a: &Path,
    b: &Path,
    crosswalk: Option<&Path>,
    format: ScoreFormat,
) -> Outcome {
    let before_doc = ResultsDocument::read(a)?;
    let after_doc = ResultsDocument::read(b)?;
    let before = before_doc.year_view()?;
    let after = after_doc.year_view()?;
    let crosswalk = match crosswalk {
        Some(path) => read_crosswalk(path)?,
        None => BTreeMap::new(),
    };
    let scale = after_doc
        .set
        .scale
        .parse()
        .unwrap_or(rust_decimal::Decimal::ONE_HUNDRED);
    let changes = compare(&before, &after, &crosswalk, scale);
    let show = |x: Option<rust_decimal::Decimal>| x.map(|v| v.to_string()).unwrap_or_default();
    let signed = |x: Option<rust_decimal::Decimal>| {
        x.map(|v| {
            if v > rust_decimal::Decimal::ZERO {
                format!("+{v}")
            } else {
                v.to_string()
            }
        })
        .unwrap_or_default()
    };
    let area_codes: Vec<String> = changes
        .first()
        .map(|c| c.areas.iter().map(|a| a.code.clone()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = [
        "unit",
        "index_before",
        "index_after",
        "index_change",
        "rank_before",
        "rank_after",
        "rank_change",
    ]
    .map(String::from)
    .to_vec();
    header.extend(area_codes.iter().map(|c| format!("area_{c}_change")));
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let mut row = vec![
                c.unit.clone(),
                show(c.index_before),
                show(c.index_after),
                signed(c.index_change),
                c.rank_before.map(|r| r.to_string()).unwrap_or_default(),
                c.rank_after.map(|r| r.to_string()).unwrap_or_default(),
                c.rank_change.map(|r| format!("{r:+}")).unwrap_or_default(),
            ];
            row.extend(c.areas.iter().map(|a| signed(a.change)));
            row
        })
        .collect();
    let text = match format {
        ScoreFormat::Json => {
            let units: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "unit": c.unit,
                        "index_before": c.index_before.map(|x| x.to_string()),
                        "index_after": c.index_after.map(|x| x.to_string()),
                        "index_change": c.index_change.map(|x| x.to_string()),
                        "rank_before": c.rank_before,
                        "rank_after": c.rank_after,
                        "rank_change": c.rank_change,
                        "areas": c.areas.iter().map(|a| serde_json::json!({
                            "code": a.code, "name": a.name,
                            "before": a.before.map(|x| x.to_string()),
                            "after": a.after.map(|x| x.to_string()),
                            "change": a.change.map(|x| x.to_string()),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "before": {"set": before.set_id, "year": before.year},
                "after": {"set": after.set_id, "year": after.year},
                "units": units,
            });
            let mut t = serde_json::to_string_pretty(&doc).unwrap_or_default();
            t.push('\n');
            t
        }
        ScoreFormat::Csv => {
            let mut t = String::new();
            for row in std::iter::once(&header).chain(rows.iter()) {
                csv_record(&mut t, row);
            }
            t
        }
        ScoreFormat::Table => {
            let mut t = format!(
                "{} ({}) → {} ({}); area changes are in sub-index points (0–{})\n",
                before.set_id,
                before.year,
                after.set_id,
                after.year,
                decimal(scale)
            );
            let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
            for row in &rows {
                for (i, f) in row.iter().enumerate() {
                    widths[i] = widths[i].max(f.chars().count());
                }
            }
            for row in std::iter::once(&header).chain(rows.iter()) {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        if i == 0 {
                            format!("{f:<w$}", w = widths[i])
                        } else {
                            format!("{f:>w$}", w = widths[i])
                        }
                    })
                    .collect();
                t.push_str(cells.join("  ").trim_end());
                t.push('\n');
            }
            let missing: Vec<&str> = before
                .units
                .iter()
                .filter(|u| !after.units.iter().any(|n| n.unit == u.unit))
                .map(|u| u.unit.as_str())
                .collect();
            if !missing.is_empty() {
                t.push_str(&format!(
                    "not in the newer results: {}\n",
                    missing.join(", ")
                ));
            }
            t
        }
    };
    out(&text)
}
