//! Reading a criteria file: TOML text → [`CriteriaSet`], with every problem located.
//!
//! The reader walks the spanned TOML tree by hand rather than through serde, so that it can
//! report every unknown key, wrong type and bad value in one pass, each with its line, column and
//! node code, and so that decimals are read from their digits, never through a binary float.
//!
//! Every string and key read is brought to Unicode NFC ([`crate::text`]), so that a name typed
//! with combining marks matches the same name typed composed; locations are those of the file
//! as written, and the content hash is the hash of the file's own text.

use std::path::Path;

use rust_decimal::Decimal;
use sha2::{Digest, Sha256};
use toml::de::DeValue;

use crate::condition::Condition;
use crate::date::Date;
use crate::diagnostic::{Check, CriteriaError, Diagnostic, Severity};
use crate::model::*;
use crate::rule::{Rule, RuleKind};
use crate::spanned::{At, Kind, Reader, Value, read_toml_file};
use crate::text::{nfc, nfc_string};
use crate::validate;

pub use crate::spanned::{MAX_FILE_BYTES, MAX_LIST_ITEMS, MAX_NESTING, MAX_ROWS as MAX_NODES};

/// The most stages a set may declare: a unit's stages with input are kept as the bits of a
/// `u64`, and a leaf's results name their stage in a byte.
pub const MAX_STAGES: usize = 64;

/// The largest magnitude of any number in a criteria file.
pub const MAX_MAGNITUDE: i64 = 1_000_000_000;

/// A set that loaded, and the warnings found on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// The set.
    pub set: CriteriaSet,
    /// Warnings: acknowledged inconsistencies, renumbered rows.
    pub warnings: Vec<Diagnostic>,
}

impl CriteriaSet {
    /// Loads a set from TOML text; `file` names it in messages.
    ///
    /// ```
    /// use parindex_core::CriteriaSet;
    /// let text = r#"
    /// [set]
    /// format = 1
    /// id = "example/commune/2024"
    /// title = "Example"
    /// level = "commune"
    /// year = 2024
    /// language = "en"
    /// max = 2
    /// [origin]
    /// authority = "Example office"
    /// source = "made up for this example"
    /// status = "example"
    /// [[node]]
    /// code = "1"
    /// name = "Plan"
    /// max = 2
    /// rule = { kind = "yes-no" }
    /// "#;
    /// let loaded = CriteriaSet::from_toml(text, "example.toml")?;
    /// assert_eq!(loaded.set.nodes.len(), 1);
    ///
    /// let broken = text.replace("max = 2\nrule", "maxx = 2\nrule");
    /// let error = CriteriaSet::from_toml(&broken, "example.toml").err().ok_or("accepted")?;
    /// assert!(error.to_string().contains("example.toml:17:1: error[unknown-key] 1: unknown key `maxx`"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn from_toml(text: &str, file: &str) -> Result<Loaded, CriteriaError> {
        let mut reader = Reader::new(Kind::Criteria, file, text);
        let set = reader.read_set();
        let mut diagnostics = reader.diagnostics;
        if let Some(set) = &set {
            if !diagnostics.iter().any(|d| d.severity == Severity::Error) {
                diagnostics.extend(validate::validate(set, file, reader.suspects));
            }
        }
        diagnostics.sort_by_key(|d| (d.severity, d.location.line, d.location.column));
        match set {
            Some(set) if !diagnostics.iter().any(|d| d.severity == Severity::Error) => Ok(Loaded {
                set,
                warnings: diagnostics,
            }),
            _ => Err(CriteriaError { diagnostics }),
        }
    }

    /// Loads a set from a file.
    pub fn from_path(path: &Path) -> Result<Loaded, CriteriaError> {
        let (file, text) = read_toml_file(path, Kind::Criteria)?;
        Self::from_toml(&text, &file)
    }
}

/// The shorter decimal that `written` is a binary float's print of (`0.12500000000000001` for
/// 0.125, `4.0999999999999996` for 4.1, `0.30000000000000004` for 0.1 + 0.2): at least 15
/// significant digits, within a few units of the 16th digit of a number of at most 10.
fn float_artefact(written: &str, value: Decimal) -> Option<String> {
    let digits: String = written.chars().filter(char::is_ascii_digit).collect();
    if digits.trim_start_matches('0').len() < 15 {
        return None;
    }
    let shorter = value.round_sf(10)?.normalize();
    let off = (value - shorter).abs();
    let tolerance = shorter.abs() * Decimal::new(1, 14);
    (off > Decimal::ZERO && off <= tolerance).then(|| shorter.to_string())
}

/// The SHA-256 of a set's text, in hex: the provenance every result carries.
pub fn content_hash(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

impl Reader<'_> {
    fn read_set(&mut self) -> Option<CriteriaSet> {
        let root = self.parse()?;
        let root_at = At {
            table: root.get_ref(),
            span: root.span(),
            code: None,
        };
        self.known_keys(
            &root_at,
            &[
                "set",
                "origin",
                "policy",
                "attributes",
                "band",
                "event",
                "node",
                "acknowledge",
            ],
            "the file",
        );
        let info = self
            .table(&root_at, "set", true)
            .map(|t| self.read_info(&t));
        let origin = self
            .table(&root_at, "origin", true)
            .map(|t| self.read_origin(&t));
        let policy = match self.table(&root_at, "policy", false) {
            Some(t) => self.read_policy(&t),
            None => Some(Policy::default()),
        };
        let attributes = match self.table(&root_at, "attributes", false) {
            Some(t) => self.read_attributes(&t),
            None => Vec::new(),
        };
        let band_tables = self.tables(&root_at, "band");
        if !self.within_limit(&band_tables, "bands ([[band]])", MAX_LIST_ITEMS) {
            return None;
        }
        let bands = band_tables
            .iter()
            .filter_map(|t| self.read_band(t))
            .collect();
        // Read before the nodes, whose due dates may count from them.
        self.events = self.read_events(&root_at)?;
        let node_tables = self.rows(&root_at, "node")?;
        if node_tables.is_empty() {
            self.report(
                Check::MissingKey,
                &root_at.span,
                None,
                "the set has no [[node]]".to_owned(),
            );
        }
        let nodes: Vec<Option<Node>> = node_tables.iter().map(|t| self.read_node(t)).collect();
        // Codes that look alike (`I.1` and `l.1`) but are different text.
        let mut skeletons: std::collections::HashMap<String, &str> = Default::default();
        for (node, table) in nodes.iter().zip(&node_tables) {
            let Some(node) = node else { continue };
            let skeleton = crate::text::skeleton(&node.code);
            match skeletons.get(&skeleton) {
                Some(other) if *other != node.code => {
                    let message = format!(
                        "the code \"{}\" looks like the code \"{other}\" but is different text",
                        node.code
                    );
                    self.report(Check::WrongType, &table.span, Some(&node.code), message);
                }
                _ => {
                    skeletons.insert(skeleton, &node.code);
                }
            }
        }
        let acknowledge_tables = self.tables(&root_at, "acknowledge");
        if !self.within_limit(&acknowledge_tables, "acknowledgements", MAX_NODES) {
            return None;
        }
        let acknowledgements = acknowledge_tables
            .iter()
            .filter_map(|t| self.read_acknowledgement(t))
            .collect();
        Some(CriteriaSet {
            info: info??,
            origin: origin??,
            policy: policy?,
            attributes,
            bands,
            nodes: nodes.into_iter().collect::<Option<Vec<_>>>()?,
            acknowledgements,
            events: std::mem::take(&mut self.events),
            content_hash: content_hash(self.source),
        })
    }

    fn decimal_value(&mut self, at: &At<'_, '_>, key: &str, value: &Value<'_>) -> Option<Decimal> {
        let text = match value.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => Some(i.as_str().replace('_', "")),
            DeValue::Float(f) => Some(f.as_str().replace('_', "")),
            DeValue::String(s) => Some(s.trim().to_string()),
            _ => None,
        };
        let parsed = text
            .as_deref()
            .map(|t| crate::value::exact_decimal(t, true));
        let written = match value.get_ref() {
            DeValue::Float(f) => f.as_str().to_owned(),
            _ => text.clone().unwrap_or_default(),
        };
        let parsed = match parsed {
            Some(Ok(x)) => Some(x),
            Some(Err(crate::value::DecimalError::Inexact(why))) => {
                // Beyond the limit, or more digits than are carried: never rounded.
                let huge = written
                    .replace('_', "")
                    .parse::<f64>()
                    .is_ok_and(|x| x.abs() > MAX_MAGNITUDE as f64);
                let message = if huge {
                    format!("`{key}` = {written} is beyond the limit of ±{MAX_MAGNITUDE}")
                } else {
                    format!("`{key}`: {why}")
                };
                self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
                return None;
            }
            Some(Err(crate::value::DecimalError::NotANumber)) | None => None,
        };
        if let (None, DeValue::Float(f)) = (parsed, value.get_ref()) {
            // A float no decimal holds: nan or inf.
            let written = f.as_str();
            let message = if written.trim_start_matches(['+', '-']) == "nan" {
                format!("`{key}` = {written} is not a number")
            } else {
                format!("`{key}` = {written} is beyond the limit of ±{MAX_MAGNITUDE}")
            };
            self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
            return None;
        }
        if parsed.is_none() {
            self.wrong_type(at, key, value, "a decimal number");
        }
        if let Some(shorter) = parsed.and_then(|x| float_artefact(&written, x)) {
            let message = format!(
                "`{key}` = {written} is how a binary float prints {shorter}: write {shorter} as the table prints it"
            );
            let location = self.location(&value.span());
            self.suspects.push(Diagnostic {
                severity: Severity::Error,
                check: Check::FloatArtefact,
                location,
                code: at.code.clone(),
                message,
            });
        }
        // Sums of points must never overflow, whatever a file says.
        if let Some(x) = parsed.filter(|x| x.abs() > Decimal::from(MAX_MAGNITUDE)) {
            let message = format!("`{key}` = {x} is beyond the limit of ±{MAX_MAGNITUDE}");
            self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
            return None;
        }
        parsed
    }

    pub(crate) fn decimal(
        &mut self,
        at: &At<'_, '_>,
        key: &str,
        required: bool,
    ) -> Option<Decimal> {
        let value = self.get(at, key, required)?;
        self.decimal_value(at, key, value)
    }

    pub(crate) fn condition(&mut self, at: &At<'_, '_>, key: &str) -> Option<Condition> {
        let value = self.get(at, key, true)?;
        let DeValue::String(text) = value.get_ref() else {
            self.wrong_type(at, key, value, "a condition string like \"50 <= x < 100\"");
            return None;
        };
        match nfc(text).parse::<Condition>() {
            Ok(c) if c.is_empty() => {
                let message = format!("`{key}` = \"{text}\" can never hold");
                self.report(
                    Check::TierUnreachable,
                    &value.span(),
                    at.code.as_deref(),
                    message,
                );
                None
            }
            Ok(c) => Some(c),
            Err(e) => {
                self.report(
                    Check::WrongType,
                    &value.span(),
                    at.code.as_deref(),
                    e.to_string(),
                );
                None
            }
        }
    }

    pub(crate) fn attr_value(
        &mut self,
        at: &At<'_, '_>,
        key: &str,
        value: &Value<'_>,
    ) -> Option<AttrValue> {
        match value.get_ref() {
            DeValue::Boolean(b) => Some(AttrValue::Bool(*b)),
            DeValue::String(s) => Some(AttrValue::Text(nfc_string(s))),
            DeValue::Integer(_) | DeValue::Float(_) => {
                self.decimal_value(at, key, value).map(AttrValue::Number)
            }
            _ => {
                self.wrong_type(at, key, value, "true, false, a string or a number");
                None
            }
        }
    }

    // ---- the parts of a set ----------------------------------------------------------------

    fn read_info(&mut self, at: &At<'_, '_>) -> Option<SetInfo> {
        self.known_keys(
            at,
            &[
                "format", "id", "title", "title_en", "level", "year", "language", "max",
            ],
            "[set]",
        );
        let format = self.integer(at, "format", false).unwrap_or(1);
        if format != 1 {
            let span = at.table.get("format").map_or(at.span.clone(), |v| v.span());
            self.report(
                Check::WrongType,
                &span,
                None,
                format!("format {format} is not supported; this engine reads format 1"),
            );
        }
        let year = self.integer(at, "year", true).and_then(|y| {
            let year = i32::try_from(y).ok().filter(|y| (1900..=2200).contains(y));
            if year.is_none() {
                let span = at.table.get("year").map_or(at.span.clone(), |v| v.span());
                self.report(
                    Check::WrongType,
                    &span,
                    None,
                    format!("year {y} is not a plausible year"),
                );
            }
            year
        });
        let info = SetInfo {
            format: 1,
            id: self.required_string(at, "id")?,
            title: self.required_string(at, "title")?,
            title_en: self.string(at, "title_en", false),
            level: self.required_string(at, "level")?,
            year: year?,
            language: self
                .string(at, "language", false)
                .unwrap_or_else(|| "vi".to_owned()),
            max: self.decimal(at, "max", true)?,
        };
        Some(info)
    }

    fn read_origin(&mut self, at: &At<'_, '_>) -> Option<Origin> {
        self.known_keys(
            at,
            &[
                "authority",
                "decision",
                "issued",
                "source",
                "status",
                "notes",
            ],
            "[origin]",
        );
        let status = self.choice(at, "status");
        if at.table.get("status").is_none() {
            self.report(
                Check::MissingKey,
                &at.span,
                None,
                "missing key `status`".to_owned(),
            );
        }
        let issued = self.string(at, "issued", false);
        if let Some(text) = &issued {
            if text.parse::<Date>().is_err() {
                let span = at.table.get("issued").map_or(at.span.clone(), |v| v.span());
                self.report(
                    Check::WrongType,
                    &span,
                    None,
                    format!("`issued` = \"{text}\" is not a date dd/mm/yyyy"),
                );
            }
        }
        Some(Origin {
            authority: self.required_string(at, "authority")?,
            decision: self.string(at, "decision", false),
            issued,
            source: self.required_string(at, "source")?,
            status: status??,
            notes: self.string(at, "notes", false),
        })
    }

    fn read_policy(&mut self, at: &At<'_, '_>) -> Option<Policy> {
        self.known_keys(
            at,
            &[
                "scale",
                "decimals",
                "rounding",
                "not_applicable",
                "missing",
                "evidence",
                "stages",
                "ties",
                "tie_breakers",
                "rank_on",
                "group_by",
                "cap_total",
                "min_respondents",
                "tier_gap",
            ],
            "[policy]",
        );
        let default = Policy::default();
        let decimals = match self.integer(at, "decimals", false) {
            Some(d) if (0..=10).contains(&d) => u32::try_from(d).ok(),
            Some(d) => {
                let span = at
                    .table
                    .get("decimals")
                    .map_or(at.span.clone(), |v| v.span());
                self.report(
                    Check::WrongType,
                    &span,
                    None,
                    format!("`decimals` = {d} must be between 0 and 10"),
                );
                None
            }
            None => Some(default.decimals),
        };
        let scale = self.decimal(at, "scale", false);
        if scale.is_some_and(|s| s <= Decimal::ZERO) {
            let span = at.table.get("scale").map_or(at.span.clone(), |v| v.span());
            self.report(
                Check::WrongType,
                &span,
                None,
                "`scale` must be positive".to_owned(),
            );
        }
        let stages = self.strings(at, "stages");
        let stages = match stages {
            Some(s) if s.is_empty() => default.stages.clone(),
            other => other?,
        };
        if stages.len() > MAX_STAGES {
            let span = at.table.get("stages").map_or(at.span.clone(), |v| v.span());
            let message = format!(
                "{} stages: a set is limited to {MAX_STAGES} (self-assessment, appraisal and the steps between)",
                stages.len()
            );
            self.report(Check::WrongType, &span, None, message);
            return None;
        }
        for stage in &stages {
            // A stage names a sheet of the template, and a sheet's name is limited so.
            let bad = stage.chars().find(|c| "\\/?*[]:".contains(*c));
            let why = match bad {
                Some(c) => Some(format!("holds \"{c}\", which a sheet name may not")),
                None if stage.trim().is_empty() => Some("is empty".to_owned()),
                None if stage.chars().count() > 31 => {
                    Some("is longer than the 31 characters of a sheet name".to_owned())
                }
                None => None,
            };
            if let Some(why) = why {
                let span = at.table.get("stages").map_or(at.span.clone(), |v| v.span());
                let message =
                    format!("the stage \"{stage}\" {why}: stages name the template's sheets");
                self.report(Check::WrongType, &span, None, message);
                return None;
            }
        }
        Some(Policy {
            scale: scale.unwrap_or(default.scale),
            decimals: decimals?,
            rounding: self.choice(at, "rounding")?.unwrap_or(default.rounding),
            not_applicable: self
                .choice(at, "not_applicable")?
                .unwrap_or(default.not_applicable),
            missing: self.choice(at, "missing")?.unwrap_or(default.missing),
            evidence: self.choice(at, "evidence")?.unwrap_or(default.evidence),
            stages,
            ties: self.choice(at, "ties")?.unwrap_or(default.ties),
            tie_breakers: self.strings(at, "tie_breakers")?,
            rank_on: self.choice(at, "rank_on")?.unwrap_or(default.rank_on),
            group_by: self.string(at, "group_by", false),
            cap_total: self.boolean(at, "cap_total").unwrap_or(default.cap_total),
            tier_gap: self.choice(at, "tier_gap")?.unwrap_or(default.tier_gap),
            min_respondents: match self.integer(at, "min_respondents", false) {
                None => None,
                Some(n) => match u32::try_from(n) {
                    Ok(n) => Some(n),
                    Err(_) => {
                        let span = at
                            .table
                            .get("min_respondents")
                            .map_or(at.span.clone(), |v| v.span());
                        let message = format!("`min_respondents` = {n} must be 0 or more");
                        self.report(Check::WrongType, &span, None, message);
                        return None;
                    }
                },
            },
        })
    }

    fn read_attributes(&mut self, at: &At<'_, '_>) -> Vec<Attribute> {
        let mut attributes = Vec::new();
        let mut entries: Vec<_> = at.table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let name = nfc_string(key.get_ref());
            let DeValue::Table(table) = value.get_ref() else {
                self.wrong_type(at, &name, value, "a table ([attributes.NAME])");
                continue;
            };
            let attr_at = At {
                table,
                span: value.span(),
                code: None,
            };
            self.known_keys(
                &attr_at,
                &["type", "label", "values"],
                &format!("[attributes.{name}]"),
            );
            let kind = self.choice(&attr_at, "type");
            let values = self.strings(&attr_at, "values").unwrap_or_default();
            let label = self.string(&attr_at, "label", false);
            if let Some(kind) = kind.flatten() {
                attributes.push(Attribute {
                    name,
                    kind,
                    label,
                    values,
                });
            } else if kind.is_some() {
                self.report(
                    Check::MissingKey,
                    &attr_at.span,
                    None,
                    format!("attribute `{name}` has no `type`"),
                );
            }
        }
        attributes
    }

    fn read_gates(&mut self, at: &At<'_, '_>, key: &str) -> Vec<Gate> {
        let mut gates = Vec::new();
        for gate_at in self.tables(at, key) {
            self.known_keys(
                &gate_at,
                &["attribute", "equals", "node", "when"],
                &format!("a `{key}` condition"),
            );
            if gate_at.table.contains_key("node") {
                if let (Some(code), Some(when)) = (
                    self.required_string(&gate_at, "node"),
                    self.condition(&gate_at, "when"),
                ) {
                    gates.push(Gate::Node { code, when });
                }
            } else if let Some(name) = self.required_string(&gate_at, "attribute") {
                if let Some(value) = self.get(&gate_at, "equals", true) {
                    if let Some(equals) = self.attr_value(&gate_at, "equals", value) {
                        gates.push(Gate::Attribute { name, equals });
                    }
                }
            }
        }
        gates
    }

    fn read_band(&mut self, at: &At<'_, '_>) -> Option<Band> {
        self.known_keys(
            at,
            &["name", "label", "when", "requires", "forced_by"],
            "[[band]]",
        );
        let requires = self.read_gates(at, "requires");
        let forced_by = self.read_gates(at, "forced_by");
        Some(Band {
            location: self.location(&at.span),
            name: self.required_string(at, "name")?,
            label: self.string(at, "label", false),
            when: self.condition(at, "when")?,
            requires,
            forced_by,
        })
    }

    fn read_events(&mut self, root: &At<'_, '_>) -> Option<Vec<SetEvent>> {
        let tables = self.tables(root, "event");
        if !self.within_limit(&tables, "events ([[event]])", MAX_LIST_ITEMS) {
            return None;
        }
        let mut events: Vec<SetEvent> = Vec::new();
        for at in &tables {
            self.known_keys(at, &["id", "name", "date"], "an event");
            let Some(id) = self.required_string(at, "id") else {
                continue;
            };
            // Problems of an event are located at its id.
            let event_at = At {
                table: at.table,
                span: at.span.clone(),
                code: Some(id.clone()),
            };
            // A date that does not read is reported, and the event kept, so that the rules that
            // count from it are not refused a second time.
            let date = self.optional_date(&event_at, "date").flatten();
            if events.iter().any(|e| e.id == id) {
                let message = format!("the event `{id}` is declared twice");
                self.report(Check::DuplicateCode, &at.span, Some(&id), message);
                continue;
            }
            let name = self.string(at, "name", false);
            events.push(SetEvent { id, name, date });
        }
        Some(events)
    }

    fn read_acknowledgement(&mut self, at: &At<'_, '_>) -> Option<Acknowledgement> {
        self.known_keys(at, &["code", "check", "note"], "[[acknowledge]]");
        let code = self.required_string(at, "code")?;
        let at = At {
            table: at.table,
            span: at.span.clone(),
            code: Some(code.clone()),
        };
        let check_name = self.required_string(&at, "check")?;
        let Some(check) = Check::acknowledgeable_named(&check_name) else {
            let span = at.table.get("check").map_or(at.span.clone(), |v| v.span());
            let names: Vec<&str> = Check::acknowledgeable_checks().map(Check::as_str).collect();
            let message = format!(
                "`check` = \"{check_name}\" cannot be acknowledged (one of {})",
                names.join(", ")
            );
            self.report(Check::WrongType, &span, Some(&code), message);
            return None;
        };
        let note = self.required_string(&at, "note")?;
        Some(Acknowledgement {
            code,
            check,
            note,
            location: self.location(&at.span),
        })
    }

    fn read_node(&mut self, at: &At<'_, '_>) -> Option<Node> {
        let code = self.required_string(at, "code")?;
        let code = code.trim().to_owned();
        let at = At {
            table: at.table,
            span: at.span.clone(),
            code: Some(code.clone()),
        };
        self.known_keys(
            &at,
            &[
                "code",
                "printed_code",
                "name",
                "name_en",
                "max",
                "source",
                "applies",
                "not_applicable",
                "kind",
                "floor",
                "note",
                "rule",
                "derive",
                "reform_area",
                "evidence",
            ],
            "[[node]]",
        );
        if code.is_empty() || code.split('.').any(str::is_empty) {
            self.report(
                Check::WrongType,
                &at.span,
                Some(&code),
                format!("\"{code}\" is not a code like 1.2.3"),
            );
        } else if let Some(why) = crate::text::identifier_problem(&code) {
            self.report(
                Check::WrongType,
                &at.span,
                Some(&code),
                format!("the code \"{code}\" {why}"),
            );
        } else if let Some(c) = crate::text::non_latin_letter(&code) {
            self.report(
                Check::WrongType,
                &at.span,
                Some(&code),
                format!(
                    "the code \"{code}\" holds \"{c}\" (U+{:04X}), a letter of another script than Latin, though it may look like a Latin one: codes are written in Latin letters and digits",
                    u32::from(c)
                ),
            );
        }
        let applies = self.read_applies(&at);
        // Read before the rule, whose points for yes default to the node's maximum.
        let max = self.decimal(&at, "max", true);
        let rule = match self.table(&at, "rule", false) {
            Some(rule_at) => Some(self.read_rule(&rule_at, max.unwrap_or_default())?),
            None => None,
        };
        let source = self
            .choice(&at, "source")
            .map(|s| s.unwrap_or(Source::SelfAssessed));
        let kind = self
            .choice(&at, "kind")
            .map(|k| k.unwrap_or(NodeKind::Scored));
        let not_applicable = self.choice(&at, "not_applicable");
        let derive = self.choice(&at, "derive");
        let reform_area = self.choice(&at, "reform_area");
        let evidence = self.choice(&at, "evidence");
        Some(Node {
            derive: derive?,
            reform_area: reform_area?,
            evidence: evidence?,
            printed_code: self.string(&at, "printed_code", false),
            name: self.required_string(&at, "name")?,
            name_en: self.string(&at, "name_en", false),
            rule,
            max: max?,
            source: source?,
            applies: applies?,
            not_applicable: not_applicable?,
            kind: kind?,
            floor: self.decimal(&at, "floor", false),
            note: self.string(&at, "note", false),
            location: self.location(&at.span),
            code,
        })
    }

    fn read_applies(&mut self, at: &At<'_, '_>) -> Option<Vec<Applicability>> {
        let Some(applies_at) = self.table(at, "applies", false) else {
            return if at.table.contains_key("applies") {
                None
            } else {
                Some(Vec::new())
            };
        };
        let mut conditions = Vec::new();
        let mut entries: Vec<_> = applies_at.table.iter().collect();
        entries.sort_by_key(|(key, _)| key.span().start);
        for (key, value) in entries {
            let attribute = nfc_string(key.get_ref());
            let values: Vec<Option<AttrValue>> = match value.get_ref() {
                DeValue::Array(items) => items
                    .iter()
                    .map(|v| self.attr_value(at, &attribute, v))
                    .collect(),
                _ => vec![self.attr_value(at, &attribute, value)],
            };
            conditions.push(Applicability {
                attribute,
                any_of: values.into_iter().collect::<Option<Vec<_>>>()?,
            });
        }
        Some(conditions)
    }

    /// Reads a leaf's rule; `max` is the node's maximum, the default points for yes. Each kind
    /// reads its own keys ([`crate::rule`]).
    pub(crate) fn read_rule(&mut self, at: &At<'_, '_>, max: Decimal) -> Option<Rule> {
        let kind = match self.required_string(at, "kind")?.parse::<RuleKind>() {
            Ok(kind) => kind,
            Err(e) => {
                let span = at.table.get("kind").map_or(at.span.clone(), |v| v.span());
                let message = format!(
                    "`kind` = \"{}\" is not a rule kind ({})",
                    e.given,
                    e.expected.join(", ")
                );
                self.report(Check::WrongType, &span, at.code.as_deref(), message);
                return None;
            }
        };
        self.known_keys(at, &kind.keys(), &format!("a {kind} rule"));
        kind.read(self, at, max)
    }

    pub(crate) fn weights(&mut self, at: &At<'_, '_>, key: &str) -> Option<Vec<(String, Decimal)>> {
        let Some(table_at) = self.table(at, key, false) else {
            return if at.table.contains_key(key) {
                None
            } else {
                Some(Vec::new())
            };
        };
        let mut entries: Vec<_> = table_at.table.iter().collect();
        entries.sort_by_key(|(k, _)| k.span().start);
        let mut weights = Vec::new();
        for (name, value) in entries {
            let weight = self.decimal_value(at, name.get_ref(), value)?;
            weights.push((nfc_string(name.get_ref()), weight));
        }
        Some(weights)
    }
}
