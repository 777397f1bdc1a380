//! A programme's targets measured: a typed table of measured values (CSV or a workbook),
//! values taken from results documents, and the report as a table, CSV or JSON.
//!
//! The engine ([`parindex_core::programme`]) decides each target's status; this module reads
//! what it is given and writes what it decides.

use std::collections::BTreeMap;
use std::path::Path;

use parindex_core::programme::{
    Measured, NodeValue, Observation, Programme, Target, TargetMeasure, TargetReport, TargetUnit,
};
use parindex_core::value::{Value, parse_bool, parse_count, parse_decimal, parse_percent};
use parindex_core::{ReformArea, text::nfc};
use rust_decimal::Decimal;

use crate::error::{Place, ReadError};
use crate::records::{Records, column, read_file, read_records, text};
use crate::results::{Derived, ResultsDocument, decimal};

/// A percent from a ratio or a number.
fn percent_of(value: &Value) -> Option<Decimal> {
    match value {
        Value::Number(n) => Some(*n),
        Value::Ratio {
            numerator,
            denominator,
        } => numerator
            .checked_mul(Decimal::ONE_HUNDRED)
            .and_then(|x| x.checked_div(*denominator)),
        _ => None,
    }
}

/// A measured value as a table writes it, read for the target's unit: a percent (`87.5`,
/// `87.5%`, `45/50`), a count, yes or no (`có`, `không`), or a word.
fn measured(target: &Target, text: &str) -> Result<Measured, String> {
    if let Some(yes) = parse_bool(text) {
        if target.unit == TargetUnit::Text || !text.trim().chars().all(|c| c.is_ascii_digit()) {
            return Ok(Measured::Yes(yes));
        }
    }
    match target.unit {
        TargetUnit::Percent => parse_percent(text)
            .map(|v| percent_of(&v).unwrap_or_default())
            .map(Measured::Number),
        TargetUnit::Count => parse_count(text).map(Measured::Number),
        TargetUnit::Text => Ok(match parse_decimal(text.trim().trim_end_matches('%')) {
            Ok(n) => Measured::Number(n),
            Err(_) => Measured::Text(nfc(text.trim()).into_owned()),
        }),
    }
}

/// Reads a typed table of measured values for a programme's targets: CSV (UTF-8, comma or
/// semicolon) or a workbook's first sheet, one row per target, year and unit:
///
/// | column | also read as | |
/// |---|---|---|
/// | `target` | `chỉ tiêu` | the target's id in the programme |
/// | `year` | `năm` | the year measured |
/// | `unit` | `đơn vị` | optional: the unit measured; empty for the population as a whole |
/// | `value` | `giá trị` | the value: a percent (`87.5`, `87.5%`, `45/50`), a count, `có`/`không`, or a word (`completed`) |
/// | `source` | `nguồn` | optional: where the figure comes from, for the report |
///
/// Every problem is reported at its row's place: an unknown target, a year that is not one, a
/// value the target's unit cannot take, a second value for the same target, year and unit.
///
/// ```
/// use parindex_core::programme::{Measured, Programme};
/// let programme = Programme::from_toml(r#"
/// format = 1
/// [programme]
/// id = "example/2021-2025"
/// title = "Example"
/// authority = "Example province"
/// period = "2021-2025"
/// source = "made up for this example"
/// [[target]]
/// id = "T1"
/// area = "impact"
/// indicator = "Citizen satisfaction"
/// comparator = ">"
/// value = 60
/// unit = "percent"
/// population = "citizens"
/// "#, "programme.toml")?;
/// let table = "target,year,unit,value\nT1,2023,,17/20\n";
/// let rows = parindex_io::read_measured_bytes(&programme, "measured.csv", table.as_bytes())?;
/// assert_eq!(rows.items[0].value, Measured::Number(85.into()));
/// assert_eq!(rows.items[0].from, "measured.csv:2");
///
/// let bad = "target,year,value\nT9,2023,80\n";
/// let error = parindex_io::read_measured_bytes(&programme, "measured.csv", bad.as_bytes()).err().ok_or("accepted")?;
/// assert_eq!(error.to_string(), "measured.csv:2:1: T9: the programme example/2021-2025 has no target T9");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn read_measured_bytes(
    programme: &Programme,
    file: &str,
    bytes: &[u8],
) -> Result<Records<Observation>, ReadError> {
    let columns = [
        column("target", &["chỉ tiêu", "chi tieu", "mục tiêu"], true),
        column("year", &["năm", "nam"], true),
        column("unit", &["đơn vị", "don vi"], false),
        column("value", &["giá trị", "gia tri"], true),
        column("source", &["nguồn", "nguon"], false),
        column("note", &["ghi chú", "ghi chu"], false),
    ];
    let records = read_records(file, bytes, &columns, |row, place| {
        let id = text(row, "target").unwrap_or_default();
        let at = |key: &str| row.get(key).map_or(place.clone(), |(_, p)| p.clone());
        let fail = |key: &str, message: String| (at(key), Some(id.clone()), message);
        let Some(target) = programme.targets.iter().find(|t| t.id == id) else {
            let message = if id.is_empty() {
                "a row needs the target it measures".to_owned()
            } else {
                format!("the programme {} has no target {id}", programme.id)
            };
            return Err(fail("target", message));
        };
        let year_text = text(row, "year").unwrap_or_default();
        let year = year_text
            .parse::<i32>()
            .ok()
            .filter(|y| (1900..=2200).contains(y))
            .ok_or_else(|| fail("year", format!("\"{year_text}\" is not a year")))?;
        let Some(value_text) = text(row, "value") else {
            return Err(fail("value", "a row needs the value measured".to_owned()));
        };
        let value = measured(target, &value_text).map_err(|m| fail("value", m))?;
        let line = match place {
            Place::Line { line, .. } => format!("{file}:{line}"),
            Place::Cell { sheet, cell } => format!("{file}: {sheet}!{cell}"),
            _ => file.to_owned(),
        };
        let from = match text(row, "source") {
            Some(source) => format!("{line} ({source})"),
            None => line,
        };
        Ok(Observation {
            target: target.id.clone(),
            year,
            unit: text(row, "unit"),
            value,
            from,
        })
    })?;
    let mut seen: BTreeMap<(&str, i32, Option<&str>), usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for (i, o) in records.items.iter().enumerate() {
        let key = (o.target.as_str(), o.year, o.unit.as_deref());
        if let Some(first) = seen.insert(key, i) {
            let first = records.items[first].from.clone();
            problems.push(crate::error::InputProblem {
                unit: None,
                file: file.to_owned(),
                place: records.places[i].clone(),
                code: Some(o.target.clone()),
                message: format!(
                    "a second value for {} in {}; the first is {first}",
                    o.unit.as_deref().unwrap_or("the whole population"),
                    o.year
                ),
                check: None,
            });
        }
    }
    if problems.is_empty() {
        Ok(records)
    } else {
        Err(ReadError { problems, more: 0 })
    }
}

/// Reads a table of measured values; see [`read_measured_bytes`].
pub fn read_measured(
    programme: &Programme,
    path: &Path,
) -> Result<Records<Observation>, ReadError> {
    let (file, bytes) = read_file(path)?;
    read_measured_bytes(programme, &file, &bytes)
}

/// The share satisfied of a survey leaf: pooled over its respondent groups when it was tallied
/// from answers, else the share typed in (`85%`, `17/20`).
fn share(node: &crate::results::NodeResult) -> Option<Decimal> {
    if let Some(Derived::Survey { groups }) = &node.derived {
        let (satisfied, asked) = groups.iter().try_fold((0u64, 0u64), |(s, n), g| {
            Some((s + u64::from(g.satisfied?), n + u64::from(g.respondents)))
        })?;
        return (asked > 0)
            .then(|| Decimal::from(satisfied) * Decimal::ONE_HUNDRED / Decimal::from(asked));
    }
    let seen = node.seen.as_deref()?;
    parse_percent(seen).ok().as_ref().and_then(percent_of)
}

/// The observations a results document gives the programme's targets measured by a node or a
/// reform area of its set (`measure = { node = … }`, `{ reform_area = … }`, whose `set`, when
/// given, names this document's set): per unit, in the document's year, the node's index
/// (points ÷ applicable maximum × 100), its share satisfied, or the reform area's sub-index.
/// A unit to which the node does not apply gives nothing. `file` names the document in the
/// report.
pub fn observations_from_results(
    programme: &Programme,
    document: &ResultsDocument,
    file: &str,
) -> Vec<Observation> {
    let mut found = Vec::new();
    let position = |code: &str| document.nodes.iter().position(|n| n.code == code);
    for target in &programme.targets {
        let Some(measure) = target
            .measure
            .as_ref()
            .filter(|m| m.takes_set(&document.set.id))
        else {
            continue;
        };
        for unit in &document.units {
            let value = match measure {
                TargetMeasure::Node { code, value, .. } => {
                    let node = position(code)
                        .and_then(|i| unit.nodes.get(i))
                        .filter(|n| &n.code == code);
                    match (node, value) {
                        (Some(node), NodeValue::Index) => {
                            let points = node.points.parse::<Decimal>().ok();
                            let max = node.max.parse::<Decimal>().ok().filter(|m| !m.is_zero());
                            points.zip(max).map(|(p, m)| p * Decimal::ONE_HUNDRED / m)
                        }
                        (Some(node), NodeValue::Share) => share(node),
                        (None, _) => None,
                    }
                }
                TargetMeasure::ReformArea { area, .. } => unit
                    .reform_areas
                    .iter()
                    .find(|a| a.area == area.as_str())
                    .and_then(|a| a.index.as_deref())
                    .and_then(|i| i.parse::<Decimal>().ok()),
                TargetMeasure::Task { .. } => None,
            };
            let Some(value) = value else { continue };
            let what = match measure {
                TargetMeasure::Node { code, value, .. } => format!("node {code} {value}"),
                TargetMeasure::ReformArea { area, .. } => format!("{area} sub-index"),
                TargetMeasure::Task { .. } => String::new(),
            };
            found.push(Observation {
                target: target.id.clone(),
                year: document.set.year,
                unit: Some(unit.unit.clone()),
                value: Measured::Number(value),
                from: format!("{file}: {}, {what}", document.set.id),
            });
        }
    }
    found
}

/// One row per target: its report's fields beside the target's own.
fn rows(programme: &Programme, reports: &[TargetReport]) -> Vec<(&'static str, Vec<String>)> {
    let by_id: BTreeMap<&str, &Target> = programme
        .targets
        .iter()
        .map(|t| (t.id.as_str(), t))
        .collect();
    let get = |r: &TargetReport| by_id.get(r.target.as_str()).copied();
    let text = |f: &dyn Fn(&TargetReport, &Target) -> String| -> Vec<String> {
        reports
            .iter()
            .map(|r| get(r).map(|t| f(r, t)).unwrap_or_default())
            .collect()
    };
    vec![
        ("target", text(&|r, _| r.target.clone())),
        ("area", text(&|_, t| t.area.as_str().to_owned())),
        ("indicator", text(&|_, t| t.indicator.clone())),
        (
            "indicator_en",
            text(&|_, t| t.indicator_en.clone().unwrap_or_default()),
        ),
        (
            "target_value",
            text(&|_, t| format!("{} {}", t.comparator, t.value)),
        ),
        ("unit", text(&|_, t| t.unit.as_str().to_owned())),
        (
            "due",
            text(&|_, t| match t.due(programme) {
                Some(y) => y.to_string(),
                None => "every year".to_owned(),
            }),
        ),
        ("population", text(&|_, t| t.population.clone())),
        ("year", text(&|r, _| r.year.to_string())),
        ("status", text(&|r, _| r.status.as_str().to_owned())),
        ("measured", text(&|r, _| r.shown.clone())),
        (
            "units_meeting",
            text(&|r, _| r.units.map(|u| u.0.to_string()).unwrap_or_default()),
        ),
        (
            "units",
            text(&|r, _| r.units.map(|u| u.1.to_string()).unwrap_or_default()),
        ),
        (
            "expected",
            text(&|r, _| r.expected.map(decimal).unwrap_or_default()),
        ),
        ("from", text(&|r, _| r.from.join("; "))),
        ("reason", text(&|r, _| r.reason.clone())),
    ]
}

/// The report as CSV: one row per target, with its area, indicator, target value, unit, due
/// year, population, the year reported, the status, the value measured (as shown), the units
/// meeting it and measured, the value the line to the target expects, where the values came
/// from and why the status.
pub fn targets_csv(programme: &Programme, reports: &[TargetReport]) -> String {
    let columns = rows(programme, reports);
    let mut out = String::new();
    crate::csv::push_record(&mut out, columns.iter().map(|(name, _)| *name));
    for i in 0..reports.len() {
        crate::csv::push_record(
            &mut out,
            columns.iter().map(|(_, values)| values[i].as_str()),
        );
    }
    out
}

/// The report as JSON: the programme's identity, the year, and one object per target.
pub fn targets_json(programme: &Programme, year: i32, reports: &[TargetReport]) -> String {
    let columns = rows(programme, reports);
    let targets: Vec<serde_json::Value> = (0..reports.len())
        .map(|i| {
            let mut object = serde_json::Map::new();
            for (name, values) in &columns {
                let value = &values[i];
                let json = if value.is_empty() && *name != "indicator_en" {
                    serde_json::Value::Null
                } else {
                    serde_json::Value::String(value.clone())
                };
                object.insert((*name).to_owned(), json);
            }
            serde_json::Value::Object(object)
        })
        .collect();
    let doc = serde_json::json!({
        "programme": programme.id,
        "title": programme.title,
        "authority": programme.authority,
        "year": year,
        "targets": targets,
    });
    let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    text.push('\n');
    text
}

/// The report as a terminal table: per target its id, area, target, status and the value
/// measured, then the count of each status.
pub fn targets_table(programme: &Programme, year: i32, reports: &[TargetReport]) -> String {
    let by_id: BTreeMap<&str, &Target> = programme
        .targets
        .iter()
        .map(|t| (t.id.as_str(), t))
        .collect();
    let mut out = format!(
        "{} ({}): targets in {year}\n",
        programme.id, programme.title
    );
    let header = [
        "target",
        "area",
        "target value",
        "due",
        "status",
        "measured",
    ];
    let rows: Vec<[String; 6]> = reports
        .iter()
        .map(|r| {
            let t = by_id.get(r.target.as_str());
            [
                r.target.clone(),
                t.map(|t| t.area.as_str().to_owned()).unwrap_or_default(),
                t.map(|t| format!("{} {} {}", t.comparator, t.value, t.unit))
                    .unwrap_or_default(),
                t.and_then(|t| t.due(programme))
                    .map_or("yearly".to_owned(), |y| y.to_string()),
                r.status.as_str().to_owned(),
                if r.shown.is_empty() {
                    "–".to_owned()
                } else {
                    r.shown.clone()
                },
            ]
        })
        .collect();
    let chars = |s: &str| s.chars().count();
    let mut widths = header.map(chars);
    for row in &rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(chars(cell));
        }
    }
    let header = header.map(str::to_owned);
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, cell)| {
                format!(
                    "{cell}{}",
                    " ".repeat(widths[i].saturating_sub(chars(cell)))
                )
            })
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for r in reports {
        *counts.entry(r.status.as_str()).or_default() += 1;
    }
    let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} {s}")).collect();
    out.push_str(&format!("{}\n", counts.join(", ")));
    out
}

/// The reform areas of a programme's targets, in the vocabulary's order, with their targets.
pub(crate) fn by_area(programme: &Programme) -> Vec<(ReformArea, Vec<&Target>)> {
    let mut areas: BTreeMap<ReformArea, Vec<&Target>> = BTreeMap::new();
    for t in &programme.targets {
        areas.entry(t.area).or_default().push(t);
    }
    areas.into_iter().collect()
}
