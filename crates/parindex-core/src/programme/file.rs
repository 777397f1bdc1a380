//! Reading a programme file: TOML text → [`Programme`], every problem located, in one pass,
//! every string in Unicode NFC, with the reader criteria and plan files share.

use std::collections::HashMap;
use std::path::Path;

use rust_decimal::Decimal;
use toml::de::DeValue;

use crate::date::Date;
use crate::diagnostic::{Check, CriteriaError};
use crate::model::Status;
use crate::reform_area::ReformArea;
use crate::spanned::{At, Kind, Reader, read_toml_file};

use super::{Comparator, NodeValue, Programme, Target, TargetMeasure, TargetUnit, TargetValue};

impl Programme {
    /// Loads a programme from TOML text; `file` names it in messages. The format is described
    /// in `docs/records.md`; see the [module](crate::programme) for an example.
    pub fn from_toml(text: &str, file: &str) -> Result<Programme, CriteriaError> {
        let mut reader = Reader::new(Kind::Programme, file, text);
        let programme = reader.read_programme();
        let mut diagnostics = reader.diagnostics;
        diagnostics.sort_by_key(|d| (d.location.line, d.location.column));
        match programme {
            Some(programme) if diagnostics.is_empty() => Ok(programme),
            _ => Err(CriteriaError { diagnostics }),
        }
    }

    /// Loads a programme file.
    pub fn from_path(path: &Path) -> Result<Programme, CriteriaError> {
        let (file, text) = read_toml_file(path, Kind::Programme)?;
        Self::from_toml(&text, &file)
    }
}

/// A year's plausible range.
fn plausible(year: i64) -> Option<i32> {
    i32::try_from(year)
        .ok()
        .filter(|y| (1900..=2200).contains(y))
}

impl Reader<'_> {
    fn read_programme(&mut self) -> Option<Programme> {
        let root = self.parse()?;
        let root_at = At {
            table: root.get_ref(),
            span: root.span(),
            code: None,
        };
        self.known_keys(&root_at, &["format", "programme", "target"], "the file");
        if let Some(format) = self.integer(&root_at, "format", true) {
            if format != 1 {
                let span = root_at.table.get("format").map_or(0..0, |v| v.span());
                let message =
                    format!("programme format {format} is not known; this engine reads 1");
                self.report(Check::WrongType, &span, None, message);
            }
        }
        let header = self.table(&root_at, "programme", true);
        let header = header.map(|at| {
            let keys = [
                "id",
                "title",
                "authority",
                "decision",
                "issued",
                "period",
                "source",
                "status",
                "notes",
            ];
            self.known_keys(&at, &keys, "[programme]");
            let issued = match self.string(&at, "issued", false) {
                Some(text) => match text.parse::<Date>() {
                    Ok(date) => Some(Some(date)),
                    Err(e) => {
                        let span = at.table.get("issued").map_or(0..0, |v| v.span());
                        self.report(Check::WrongType, &span, None, e.to_string());
                        None
                    }
                },
                None => Some(None),
            };
            (
                self.required_string(&at, "id"),
                self.required_string(&at, "title"),
                self.required_string(&at, "authority"),
                self.string(&at, "decision", false),
                issued,
                self.period(&at),
                self.required_string(&at, "source"),
                self.choice::<Status>(&at, "status"),
                self.string(&at, "notes", false),
            )
        });
        let target_tables = self.rows(&root_at, "target")?;
        if target_tables.is_empty() {
            let message = "the programme has no [[target]]".to_owned();
            self.report(Check::MissingKey, &root_at.span, None, message);
        }
        let targets: Vec<Option<Target>> = target_tables
            .iter()
            .map(|at| self.read_target(at))
            .collect();
        let mut seen: HashMap<String, usize> = HashMap::new();
        for target in targets.iter().flatten() {
            if let Some(line) = seen.insert(target.id.clone(), target.location.line) {
                let message = format!("duplicate target id; first at line {line}");
                self.diagnostics.push(crate::Diagnostic {
                    severity: crate::Severity::Error,
                    check: Check::DuplicateCode,
                    location: target.location.clone(),
                    code: Some(target.id.clone()),
                    message,
                });
            }
        }
        let (id, title, authority, decision, issued, period, source, status, notes) = header?;
        Some(Programme {
            id: id?,
            title: title?,
            authority: authority?,
            decision,
            issued: issued?,
            period: period?,
            source: source?,
            status: status?.unwrap_or(Status::Transcribed),
            notes,
            targets: targets.into_iter().collect::<Option<_>>()?,
        })
    }

    /// `period = "2011-2015"` or `"2018"`: the first and last year.
    fn period(&mut self, at: &At<'_, '_>) -> Option<(i32, i32)> {
        let text = self.required_string(at, "period")?;
        let years = match text.split_once(['-', '–']) {
            Some((a, b)) => (a.trim().parse::<i64>().ok(), b.trim().parse::<i64>().ok()),
            None => {
                let y = text.trim().parse::<i64>().ok();
                (y, y)
            }
        };
        match (years.0.and_then(plausible), years.1.and_then(plausible)) {
            (Some(first), Some(last)) if first <= last => Some((first, last)),
            _ => {
                let span = at.table.get("period").map_or(0..0, |v| v.span());
                let message =
                    format!("`period` = \"{text}\" is not a year or years like \"2011-2015\"");
                self.report(Check::WrongType, &span, None, message);
                None
            }
        }
    }

    fn read_target(&mut self, at: &At<'_, '_>) -> Option<Target> {
        let id = self.required_string(at, "id")?.trim().to_owned();
        let at = At {
            table: at.table,
            span: at.span.clone(),
            code: Some(id.clone()),
        };
        let keys = [
            "id",
            "area",
            "indicator",
            "indicator_en",
            "comparator",
            "value",
            "unit",
            "by",
            "yearly",
            "population",
            "baseline",
            "measure",
            "source_line",
            "note",
        ];
        self.known_keys(&at, &keys, "[[target]]");
        let area = self.choice::<ReformArea>(&at, "area");
        if at.table.get("area").is_none() {
            self.report(
                Check::MissingKey,
                &at.span,
                Some(&id),
                "missing key `area`".to_owned(),
            );
        }
        let comparator = self.choice::<Comparator>(&at, "comparator");
        if at.table.get("comparator").is_none() {
            self.report(
                Check::MissingKey,
                &at.span,
                Some(&id),
                "missing key `comparator`".to_owned(),
            );
        }
        let unit = self.choice::<TargetUnit>(&at, "unit");
        if at.table.get("unit").is_none() {
            let message = "missing key `unit` (percent, count or text)".to_owned();
            self.report(Check::MissingKey, &at.span, Some(&id), message);
        }
        let value = self.target_value(&at, unit.flatten());
        let by = match self.integer(&at, "by", false) {
            Some(y) => match plausible(y) {
                Some(y) => Some(Some(y)),
                None => {
                    let span = at.table.get("by").map_or(0..0, |v| v.span());
                    self.report(
                        Check::WrongType,
                        &span,
                        Some(&id),
                        format!("{y} is not a year"),
                    );
                    None
                }
            },
            None => Some(None),
        };
        let yearly = self.boolean(&at, "yearly").unwrap_or(false);
        let baseline = match self.table(&at, "baseline", false) {
            Some(b) => {
                self.known_keys(&b, &["year", "value"], "the baseline");
                let year = self.integer(&b, "year", true).and_then(plausible);
                let value = self.decimal(&b, "value", true);
                Some(year.zip(value))
            }
            None if at.table.contains_key("baseline") => None,
            None => Some(None),
        };
        let measure = match self.table(&at, "measure", false) {
            Some(m) => self.measure(&m).map(Some),
            None if at.table.contains_key("measure") => None,
            None => Some(None),
        };
        let source_line = match self.integer(&at, "source_line", false) {
            Some(n) => u32::try_from(n).ok().filter(|n| *n > 0).or_else(|| {
                let span = at.table.get("source_line").map_or(0..0, |v| v.span());
                self.report(
                    Check::WrongType,
                    &span,
                    Some(&id),
                    format!("`source_line` = {n} is not a line number"),
                );
                None
            }),
            None => None,
        };
        Some(Target {
            area: area??,
            indicator: self.required_string(&at, "indicator")?,
            indicator_en: self.string(&at, "indicator_en", false),
            comparator: comparator??,
            value: value?,
            unit: unit??,
            by: by?,
            yearly,
            population: self.required_string(&at, "population")?,
            baseline: baseline?,
            measure: measure?,
            source_line,
            note: self.string(&at, "note", false),
            location: self.location(&at.span),
            id,
        })
    }

    /// A target's `value`: a number for a percent or a count, a word for a target in words.
    fn target_value(&mut self, at: &At<'_, '_>, unit: Option<TargetUnit>) -> Option<TargetValue> {
        let value = self.get(at, "value", true)?;
        match (value.get_ref(), unit) {
            (DeValue::String(word), Some(TargetUnit::Text)) => {
                Some(TargetValue::Word(crate::text::nfc_string(word)))
            }
            (
                DeValue::Integer(_) | DeValue::Float(_),
                Some(TargetUnit::Percent | TargetUnit::Count),
            ) => {
                let number = self.decimal(at, "value", true)?;
                let percent = unit == Some(TargetUnit::Percent);
                if number < Decimal::ZERO || (percent && number > Decimal::ONE_HUNDRED) {
                    let message = format!(
                        "`value` = {} is outside {}",
                        number.normalize(),
                        if percent {
                            "0–100%"
                        } else {
                            "the counts (0 or more)"
                        }
                    );
                    self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
                    return None;
                }
                Some(TargetValue::Number(number))
            }
            (_, None) => None,
            (_, Some(TargetUnit::Text)) => {
                self.wrong_type(at, "value", value, "a word (unit = \"text\")");
                None
            }
            (_, Some(_)) => {
                self.wrong_type(
                    at,
                    "value",
                    value,
                    "a number (unit = \"percent\" or \"count\")",
                );
                None
            }
        }
    }

    /// `measure = { node = "3.2", value = "index", set = "…" }`, `{ reform_area = "impact" }` or
    /// `{ task = "2.3", on_time = true }`.
    fn measure(&mut self, at: &At<'_, '_>) -> Option<TargetMeasure> {
        let keys = ["node", "value", "set", "reform_area", "task", "on_time"];
        self.known_keys(at, &keys, "the measure");
        let has = |key: &str| at.table.contains_key(key);
        let kinds = ["node", "reform_area", "task"]
            .iter()
            .filter(|k| has(k))
            .count();
        if kinds != 1 {
            let message = "a measure names one of `node`, `reform_area` or `task`".to_owned();
            self.report(Check::WrongType, &at.span, at.code.as_deref(), message);
            return None;
        }
        let set = self.string(at, "set", false);
        if has("task") {
            if has("set") || has("value") {
                let message = "a task's measure takes only `on_time`".to_owned();
                self.report(Check::UnknownKey, &at.span, at.code.as_deref(), message);
                return None;
            }
            return Some(TargetMeasure::Task {
                task: self.required_string(at, "task")?,
                on_time: self.boolean(at, "on_time").unwrap_or(false),
            });
        }
        if has("on_time") {
            let message = "`on_time` is for a task's measure".to_owned();
            self.report(Check::UnknownKey, &at.span, at.code.as_deref(), message);
            return None;
        }
        if has("reform_area") {
            if has("value") {
                let message = "a reform area's measure is its sub-index: no `value`".to_owned();
                self.report(Check::UnknownKey, &at.span, at.code.as_deref(), message);
                return None;
            }
            let area = self.choice::<ReformArea>(at, "reform_area")??;
            return Some(TargetMeasure::ReformArea { set, area });
        }
        let value = self.choice::<NodeValue>(at, "value")?;
        Some(TargetMeasure::Node {
            set,
            code: self.required_string(at, "node")?,
            value: value.unwrap_or(NodeValue::Index),
        })
    }
}
