//! Reading TOML with spans: the part of the reader shared by criteria files and plan files.
//!
//! Both kinds of file are walked by hand over the parser's spanned tree, so that every problem
//! is reported in one pass at its line and column. What they share is here, once: reading the
//! file (its size, UTF-16 and other encodings, the byte-order mark), parsing within the nesting
//! limit, the limits on rows and lists, typed access to keys, and Unicode NFC for every string
//! read (see [`crate::text`]). Each kind then reads its own tables: `load` a criteria set's,
//! `records::plan_file` a plan's, `programme::file` a programme's targets.

use std::ops::Range;
use std::path::Path;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::date::Date;
use crate::diagnostic::{Check, CriteriaError, Diagnostic, Location, Severity};
use crate::names::Named;
use crate::text::nfc_string;

/// The largest criteria or plan file read, in bytes. Real sets are under 100 KB.
pub const MAX_FILE_BYTES: usize = 4 * 1024 * 1024;

/// The most rows of one kind a file may have: a set's `[[node]]` rows or acknowledgements, a
/// plan's tasks, units, groups, events or areas. Real files have a few hundred; the checks
/// compare rows with one another, so a limit keeps a hostile file from making them slow.
pub const MAX_ROWS: usize = 2_000;

/// The most entries of any other list in a set: a rule's tiers, levels or cases, the bands.
pub const MAX_LIST_ITEMS: usize = 100;

/// The deepest nesting of arrays, tables and dotted keys the TOML parser reads; deeper text is
/// a syntax error, never a stack overflow.
pub const MAX_NESTING: usize = 80;

/// The kind of file being read, for the words of its messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A criteria set.
    Criteria,
    /// A reform plan.
    Plan,
    /// A reform programme's targets.
    Programme,
}

impl Kind {
    /// The files of this kind, in the plural: "criteria files".
    fn files(self) -> &'static str {
        match self {
            Kind::Criteria => "criteria files",
            Kind::Plan => "plan files",
            Kind::Programme => "programme files",
        }
    }

    /// One document of this kind: "a set".
    fn one(self) -> &'static str {
        match self {
            Kind::Criteria => "a set",
            Kind::Plan => "a plan",
            Kind::Programme => "a programme",
        }
    }
}

/// A problem with the file as a whole, located at the file alone.
fn file_error(file: &str, message: String) -> Diagnostic {
    Diagnostic {
        severity: Severity::Error,
        check: Check::Syntax,
        location: Location {
            file: file.to_owned(),
            line: 0,
            column: 0,
        },
        code: None,
        message,
    }
}

/// Reads a TOML file whole, within [`MAX_FILE_BYTES`], as UTF-8 without its byte-order mark.
/// Returns the file's name for messages and its text.
pub(crate) fn read_toml_file(path: &Path, kind: Kind) -> Result<(String, String), CriteriaError> {
    let file = path.display().to_string();
    let what = kind.files();
    let fail = |message: String| CriteriaError {
        diagnostics: vec![file_error(&file, message)],
    };
    let size = std::fs::metadata(path)
        .map_err(|e| fail(format!("cannot read: {e}")))?
        .len();
    if size > MAX_FILE_BYTES as u64 {
        return Err(fail(format!(
            "the file is {size} bytes; {what} are limited to {MAX_FILE_BYTES}"
        )));
    }
    let bytes = std::fs::read(path).map_err(|e| fail(format!("cannot read: {e}")))?;
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) || bytes.contains(&0) {
        return Err(fail(
            "is UTF-16 text (or not text at all): save the file as UTF-8".to_owned(),
        ));
    }
    let mut text = String::from_utf8(bytes).map_err(|e| {
        let valid = e.utf8_error().valid_up_to();
        let prefix = String::from_utf8_lossy(&e.as_bytes()[..valid]).into_owned();
        let mut error = fail(
            "not UTF-8 text (perhaps Windows-1258 or TCVN3): save the file as UTF-8".to_owned(),
        );
        error.diagnostics[0].location = Location::at(&file, &prefix, valid);
        error
    })?;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok((file, text))
}

pub(crate) type Value<'i> = Spanned<DeValue<'i>>;

/// A hand-walked reader of spanned TOML that collects every problem.
pub(crate) struct Reader<'s> {
    kind: Kind,
    pub(crate) file: &'s str,
    pub(crate) source: &'s str,
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// Errors a file may acknowledge, handed to the set's validation with its other checks.
    pub(crate) suspects: Vec<Diagnostic>,
    /// The dated events declared so far, which due dates may count from.
    pub(crate) events: Vec<crate::model::SetEvent>,
    /// Where each line of the source starts, found once: every node and band keeps its
    /// location, and finding each from the start of the file took most of a load.
    line_starts: std::cell::OnceCell<Vec<usize>>,
}

/// A table being read, with where it is and which node it belongs to.
pub(crate) struct At<'t, 'i> {
    pub(crate) table: &'t DeTable<'i>,
    pub(crate) span: Range<usize>,
    pub(crate) code: Option<String>,
}

impl<'s> Reader<'s> {
    /// A reader of `source`, a file of this kind named `file` in messages.
    pub(crate) fn new(kind: Kind, file: &'s str, source: &'s str) -> Self {
        Reader {
            kind,
            file,
            source,
            diagnostics: Vec::new(),
            suspects: Vec::new(),
            events: Vec::new(),
            line_starts: std::cell::OnceCell::new(),
        }
    }

    /// Parses the whole text into its spanned tree, within [`MAX_FILE_BYTES`] and
    /// [`MAX_NESTING`]; `None` after reporting every syntax error.
    pub(crate) fn parse(&mut self) -> Option<Spanned<DeTable<'s>>> {
        if self.source.len() > MAX_FILE_BYTES {
            let what = self.kind.files();
            let message = format!("{what} are limited to {MAX_FILE_BYTES} bytes");
            self.report(Check::Syntax, &(0..0), None, message);
            return None;
        }
        let (root, errors) = DeTable::parse_recoverable(self.source);
        if errors.is_empty() {
            return Some(root);
        }
        for error in errors {
            let mut message = error.message().trim().to_owned();
            // The parser's own words for its nesting limit say nothing of the file.
            if message.contains("recursion") {
                message = format!(
                    "nested too deeply: arrays, tables and dotted keys are limited to {MAX_NESTING} levels"
                );
            }
            match error.span() {
                Some(span) => self.report(Check::Syntax, &span, None, message),
                // No place known (the parser's limit on dotted keys): the file alone, not a
                // made-up line.
                None => self.diagnostics.push(file_error(self.file, message)),
            }
        }
        None
    }

    pub(crate) fn location(&self, span: &Range<usize>) -> Location {
        let starts = self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.source.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        });
        let offset = span.start.min(self.source.len());
        // The line whose start is the last at or before the offset.
        let line = starts.partition_point(|&start| start <= offset);
        let start = starts[line - 1];
        let column = self
            .source
            .get(start..offset)
            .map_or(1, |l| l.chars().count() + 1);
        Location {
            file: self.file.to_owned(),
            line,
            column,
        }
    }

    pub(crate) fn report(
        &mut self,
        check: Check,
        span: &Range<usize>,
        code: Option<&str>,
        message: String,
    ) {
        self.diagnostics.push(Diagnostic {
            severity: Severity::Error,
            check,
            location: self.location(span),
            code: code.map(str::to_owned),
            message,
        });
    }

    // ---- generic access -------------------------------------------------------------------

    /// Whether a list has at most `limit` entries; if not, reports the first one beyond.
    pub(crate) fn within_limit(&mut self, items: &[At<'_, '_>], what: &str, limit: usize) -> bool {
        let Some(first_beyond) = items.get(limit) else {
            return true;
        };
        let one = self.kind.one();
        let message = format!("{} {what}: {one} is limited to {limit}", items.len());
        // The entry's own code for a row, else the node it belongs to.
        let own_code = match first_beyond.table.get("code").map(|v| v.get_ref()) {
            Some(DeValue::String(code)) => Some(nfc_string(code.trim())),
            _ => None,
        };
        let code = own_code.or_else(|| first_beyond.code.clone());
        let span = first_beyond.span.clone();
        self.report(Check::WrongType, &span, code.as_deref(), message);
        false
    }

    pub(crate) fn known_keys(&mut self, at: &At<'_, '_>, allowed: &[&str], what: &str) {
        for (key, _) in at.table.iter() {
            if !allowed.contains(&key.get_ref().as_ref()) {
                let message = format!("unknown key `{}` in {what}", key.get_ref());
                self.report(Check::UnknownKey, &key.span(), at.code.as_deref(), message);
            }
        }
    }

    pub(crate) fn get<'t, 'i>(
        &mut self,
        at: &At<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<&'t Value<'i>> {
        let value = at.table.get(key);
        if value.is_none() && required {
            let message = format!("missing key `{key}`");
            self.report(Check::MissingKey, &at.span, at.code.as_deref(), message);
        }
        value
    }

    pub(crate) fn wrong_type(
        &mut self,
        at: &At<'_, '_>,
        key: &str,
        value: &Value<'_>,
        expected: &str,
    ) {
        let message = format!(
            "`{key}` must be {expected}, not {}",
            value.get_ref().type_str()
        );
        self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
    }

    /// A string, in NFC.
    pub(crate) fn string(&mut self, at: &At<'_, '_>, key: &str, required: bool) -> Option<String> {
        let value = self.get(at, key, required)?;
        match value.get_ref() {
            DeValue::String(s) => Some(nfc_string(s)),
            _ => {
                self.wrong_type(at, key, value, "a string");
                None
            }
        }
    }

    pub(crate) fn required_string(&mut self, at: &At<'_, '_>, key: &str) -> Option<String> {
        self.string(at, key, true)
    }

    pub(crate) fn boolean(&mut self, at: &At<'_, '_>, key: &str) -> Option<bool> {
        let value = self.get(at, key, false)?;
        match value.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            _ => {
                self.wrong_type(at, key, value, "true or false");
                None
            }
        }
    }

    pub(crate) fn integer(&mut self, at: &At<'_, '_>, key: &str, required: bool) -> Option<i64> {
        let value = self.get(at, key, required)?;
        let parsed = match value.get_ref() {
            DeValue::Integer(i) if i.radix() == 10 => {
                i.as_str().replace('_', "").parse::<i64>().ok()
            }
            _ => None,
        };
        if parsed.is_none() {
            self.wrong_type(at, key, value, "a whole number");
        }
        parsed
    }

    /// A date (`15/01/2024` or `2024-01-15`); `None` when absent (reported if `required`) or
    /// after reporting a date that does not read.
    pub(crate) fn date(&mut self, at: &At<'_, '_>, key: &str, required: bool) -> Option<Date> {
        let text = self.string(at, key, required)?;
        match text.parse::<Date>() {
            Ok(date) => Some(date),
            Err(e) => {
                let span = at.table.get(key).map_or(at.span.clone(), |v| v.span());
                self.report(Check::WrongType, &span, at.code.as_deref(), e.to_string());
                None
            }
        }
    }

    /// An optional date: `Some(None)` when the key is absent, `None` after reporting a problem.
    pub(crate) fn optional_date(&mut self, at: &At<'_, '_>, key: &str) -> Option<Option<Date>> {
        if !at.table.contains_key(key) {
            return Some(None);
        }
        self.date(at, key, true).map(Some)
    }

    /// A date counted from an event, `{ after = "event", days = 30 }` (the table `table` at
    /// `span`, what `what` names): the event's id and the days, 0 to 3660.
    pub(crate) fn after_event(
        &mut self,
        at: &At<'_, '_>,
        table: &DeTable<'_>,
        span: Range<usize>,
        what: &str,
    ) -> Option<(String, u32)> {
        let after_at = At {
            table,
            span: span.clone(),
            code: at.code.clone(),
        };
        self.known_keys(&after_at, &["after", "days"], what);
        let event = self.required_string(&after_at, "after")?;
        let days = match self.integer(&after_at, "days", false) {
            None => 0,
            Some(d) => match u32::try_from(d) {
                Ok(d) if d <= 3660 => d,
                _ => {
                    let message = format!("`days` = {d} must be from 0 to 3660");
                    self.report(Check::WrongType, &span, at.code.as_deref(), message);
                    return None;
                }
            },
        };
        Some((event, days))
    }

    /// The value of `key`, one of `T`'s names: `Some(None)` when the key is absent, `None`
    /// after reporting a problem.
    pub(crate) fn choice<T: Named>(&mut self, at: &At<'_, '_>, key: &str) -> Option<Option<T>> {
        let Some(value) = self.get(at, key, false) else {
            return Some(None);
        };
        let text = match value.get_ref() {
            DeValue::String(s) => nfc_string(s),
            _ => {
                self.wrong_type(at, key, value, "a string");
                return None;
            }
        };
        match text.parse::<T>() {
            Ok(v) => Some(Some(v)),
            Err(e) => {
                let names = e.expected.join(", ");
                let message = format!("`{key}` = \"{text}\" is not one of {names}");
                self.report(Check::WrongType, &value.span(), at.code.as_deref(), message);
                None
            }
        }
    }

    pub(crate) fn table<'t, 'i>(
        &mut self,
        at: &At<'t, 'i>,
        key: &str,
        required: bool,
    ) -> Option<At<'t, 'i>> {
        let value = self.get(at, key, required)?;
        match value.get_ref() {
            DeValue::Table(t) => Some(At {
                table: t,
                span: value.span(),
                code: at.code.clone(),
            }),
            _ => {
                self.wrong_type(at, key, value, "a table");
                None
            }
        }
    }

    pub(crate) fn tables<'t, 'i>(&mut self, at: &At<'t, 'i>, key: &str) -> Vec<At<'t, 'i>> {
        let Some(value) = self.get(at, key, false) else {
            return Vec::new();
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(at, key, value, &format!("an array of tables ([[{key}]])"));
            return Vec::new();
        };
        let mut tables = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::Table(t) => tables.push(At {
                    table: t,
                    span: item.span(),
                    code: at.code.clone(),
                }),
                _ => self.wrong_type(at, key, item, "a table"),
            }
        }
        tables
    }

    /// The `[[key]]` tables of a file, within [`MAX_ROWS`]; `None` once the first row beyond the
    /// limit is reported.
    pub(crate) fn rows<'t, 'i>(&mut self, at: &At<'t, 'i>, key: &str) -> Option<Vec<At<'t, 'i>>> {
        let tables = self.tables(at, key);
        let what = format!("rows ([[{key}]])");
        self.within_limit(&tables, &what, MAX_ROWS)
            .then_some(tables)
    }

    /// An array of strings, each in NFC.
    pub(crate) fn strings(&mut self, at: &At<'_, '_>, key: &str) -> Option<Vec<String>> {
        let Some(value) = self.get(at, key, false) else {
            return Some(Vec::new());
        };
        let DeValue::Array(items) = value.get_ref() else {
            self.wrong_type(at, key, value, "an array of strings");
            return None;
        };
        let mut out = Vec::new();
        for item in items.iter() {
            match item.get_ref() {
                DeValue::String(s) => out.push(nfc_string(s)),
                _ => {
                    self.wrong_type(at, key, item, "a string");
                    return None;
                }
            }
        }
        Some(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locations_from_the_line_index_are_those_found_from_the_start() {
        let source = "a = 1\n\n[[node]]\ncode = \"1.2\"\r\nname = \"Đánh giá\" # ghi chú\nx";
        let reader = Reader::new(Kind::Criteria, "f.toml", source);
        for offset in
            (0..=source.len() + 2).filter(|&o| o > source.len() || source.is_char_boundary(o))
        {
            let found = reader.location(&(offset..offset));
            assert_eq!(
                found,
                Location::at("f.toml", source, offset),
                "offset {offset}"
            );
        }
    }

    fn messages(kind: Kind, text: &str) -> Vec<String> {
        let mut reader = Reader::new(kind, "deep.toml", text);
        assert!(reader.parse().is_none(), "refused");
        reader.diagnostics.iter().map(|d| d.to_string()).collect()
    }

    #[test]
    fn nesting_is_limited_to_max_nesting_levels() {
        let nested = |depth: usize| format!("a = {}{}\n", "[".repeat(depth), "]".repeat(depth));
        let text = nested(MAX_NESTING);
        let mut reader = Reader::new(Kind::Plan, "ok.toml", &text);
        assert!(reader.parse().is_some(), "{MAX_NESTING} levels are read");
        // The first bracket beyond the limit: `a = ` and 80 brackets before it.
        for kind in [Kind::Criteria, Kind::Plan] {
            assert_eq!(
                messages(kind, &nested(MAX_NESTING + 1)),
                [
                    "deep.toml:1:85: error[syntax]: nested too deeply: arrays, tables and dotted keys are limited to 80 levels"
                ]
            );
        }
    }

    #[test]
    fn dotted_keys_too_deep_are_reported_at_the_file() {
        let text = format!("{} = 1\n", vec!["a"; 10_000].join("."));
        assert_eq!(
            messages(Kind::Plan, &text),
            [
                "deep.toml: error[syntax]: nested too deeply: arrays, tables and dotted keys are limited to 80 levels"
            ]
        );
    }

    #[test]
    fn files_over_the_size_limit_are_refused_by_kind() {
        let text = " ".repeat(MAX_FILE_BYTES + 1);
        assert_eq!(
            messages(Kind::Plan, &text),
            ["deep.toml:1:1: error[syntax]: plan files are limited to 4194304 bytes"]
        );
    }
}
