//! A small CSV reader that keeps the line and column of every field, and CSV escaping.

use crate::limits::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, cell_too_long};

/// One field and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) text: String,
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based column, in characters.
    pub(crate) column: usize,
}

/// A CSV problem: line, column and message.
pub(crate) type CsvError = (usize, usize, String);

/// The records of CSV text, one at a time (RFC 4180: `"` quotes, `""` inside quotes), so that
/// a reader holds one record rather than the file. A field longer than
/// [`crate::MAX_CELL_CHARS`], a record of more than [`MAX_COLUMNS`] fields and more than
/// [`MAX_ROWS`] records are refused where they start; after an error the iterator ends.
pub(crate) struct Records<'t> {
    chars: std::iter::Peekable<std::str::Chars<'t>>,
    delimiter: char,
    line: usize,
    column: usize,
    rows: usize,
    done: bool,
}

impl<'t> Records<'t> {
    /// The records of `text` split at `delimiter`.
    pub(crate) fn new(text: &'t str, delimiter: char) -> Self {
        Records {
            chars: text.chars().peekable(),
            delimiter,
            line: 1,
            column: 1,
            rows: 0,
            done: false,
        }
    }

    fn next_record(&mut self) -> Option<Result<Vec<Field>, CsvError>> {
        let mut record: Vec<Field> = Vec::new();
        let mut field = String::new();
        let (mut start_line, mut start_column) = (self.line, self.column);
        let (mut quoted, mut in_quotes, mut at_field_start) = (false, false, true);
        let mut any = false;
        // Checks a finished field before it is kept.
        let check = |field: &str, record: &[Field], line: usize, column: usize, rows: usize| {
            if let Some(message) = cell_too_long(field) {
                return Err((line, column, message));
            }
            if record.len() >= MAX_COLUMNS {
                return Err((line, column, crate::limits::too_many_columns()));
            }
            if rows >= MAX_ROWS {
                let message = format!("the file has more than {MAX_ROWS} rows, the limit");
                return Err((line, column, message));
            }
            Ok(())
        };
        while let Some(c) = self.chars.next() {
            any = true;
            if at_field_start {
                start_line = self.line;
                start_column = self.column;
                at_field_start = false;
                if c == '"' {
                    quoted = true;
                    in_quotes = true;
                    self.column += 1;
                    continue;
                }
            }
            if in_quotes {
                if c == '"' {
                    if self.chars.peek() == Some(&'"') {
                        self.chars.next();
                        field.push('"');
                        self.column += 2;
                    } else {
                        in_quotes = false;
                        self.column += 1;
                    }
                } else {
                    field.push(c);
                    if c == '\n' {
                        self.line += 1;
                        self.column = 1;
                    } else {
                        self.column += 1;
                    }
                    if field.len() > MAX_CELL_BYTES {
                        let message = cell_too_long(&field).unwrap_or_default();
                        return Some(Err((start_line, start_column, message)));
                    }
                }
                continue;
            }
            match c {
                c if c == self.delimiter => {
                    if let Err(e) = check(&field, &record, start_line, start_column, self.rows) {
                        return Some(Err(e));
                    }
                    record.push(Field {
                        text: std::mem::take(&mut field),
                        line: start_line,
                        column: start_column,
                    });
                    quoted = false;
                    at_field_start = true;
                    self.column += 1;
                }
                '\r' if self.chars.peek() == Some(&'\n') => {}
                '\n' | '\r' => {
                    if let Err(e) = check(&field, &record, start_line, start_column, self.rows) {
                        return Some(Err(e));
                    }
                    record.push(Field {
                        text: field,
                        line: start_line,
                        column: start_column,
                    });
                    self.rows += 1;
                    self.line += 1;
                    self.column = 1;
                    return Some(Ok(record));
                }
                c => {
                    if quoted {
                        return Some(Err((
                            self.line,
                            self.column,
                            "text after a closing quote: a quoted field must end at a delimiter"
                                .to_owned(),
                        )));
                    }
                    field.push(c);
                    self.column += 1;
                    if field.len() > MAX_CELL_BYTES {
                        let message = cell_too_long(&field).unwrap_or_default();
                        return Some(Err((start_line, start_column, message)));
                    }
                }
            }
        }
        if in_quotes {
            return Some(Err((
                start_line,
                start_column,
                "a quoted field is never closed".to_owned(),
            )));
        }
        if !any {
            return None;
        }
        if let Err(e) = check(&field, &record, start_line, start_column, self.rows) {
            return Some(Err(e));
        }
        record.push(Field {
            text: field,
            line: start_line,
            column: start_column,
        });
        self.rows += 1;
        Some(Ok(record))
    }
}

/// More bytes than any field within [`crate::MAX_CELL_CHARS`] characters can have: a field is
/// refused once it grows past them, before it is complete.
const MAX_CELL_BYTES: usize = crate::limits::MAX_CELL_CHARS * 4;

impl Iterator for Records<'_> {
    type Item = Result<Vec<Field>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let next = self.next_record();
        if !matches!(next, Some(Ok(_))) {
            self.done = true;
        }
        next
    }
}

/// The delimiter of CSV text: `,`, or `;` (CSV saved by Excel in locales whose list separator
/// is `;`). The one whose split of the first 20 records gives a `unit` field wins, so that a
/// title line above the header or a quoted comma in it do not decide; without a `unit` field,
/// `;` when the first line has semicolons and no comma.
pub(crate) fn delimiter(text: &str) -> char {
    let header_fields = |delimiter: char| {
        Records::new(text, delimiter)
            .take(20)
            .map_while(Result::ok)
            .find(|record| {
                record
                    .iter()
                    .any(|f| f.text.trim().eq_ignore_ascii_case("unit"))
            })
            .map(|record| record.len())
    };
    match (header_fields(','), header_fields(';')) {
        (Some(comma), Some(semicolon)) if semicolon > comma => ';',
        (Some(_), _) => ',',
        (None, Some(_)) => ';',
        (None, None) => {
            let first_line = text.lines().next().unwrap_or("");
            if !first_line.contains(',') && first_line.contains(';') {
                ';'
            } else {
                ','
            }
        }
    }
}

/// Splits CSV text into records (see [`Records`] and [`delimiter`]), with at most
/// [`MAX_CELLS`] fields in all: for the small files read whole (records, crosswalks).
pub(crate) fn parse(text: &str) -> Result<Vec<Vec<Field>>, CsvError> {
    let mut records = Vec::new();
    let mut cells = 0usize;
    for record in Records::new(text, delimiter(text)) {
        let record = record?;
        cells += record.len();
        if cells > MAX_CELLS {
            let (line, column) = record.last().map_or((1, 1), |f| (f.line, f.column));
            let message = format!("the file has more than {MAX_CELLS} cells, the limit");
            return Err((line, column, message));
        }
        records.push(record);
    }
    Ok(records)
}

/// Whether a spreadsheet could take a field for a formula: it starts with `=`, `+`, `-`, `@`,
/// a tab or a carriage return and is not a plain number (`-0.5` is a number, not a formula).
fn looks_like_formula(field: &str) -> bool {
    let Some(first) = field.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let digits = field.trim_start_matches(['+', '-']);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let plain_number = field.len() - digits.len() == 1
        && !(whole.is_empty() && fraction.is_empty())
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit());
    !plain_number
}

/// A field as written to a CSV output: a field a spreadsheet could take for a formula
/// (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`) gets a leading `'`, as OWASP advises against CSV
/// injection, so that Excel shows it as text instead of running it; then it is quoted when it
/// needs it.
pub(crate) fn escape(field: &str) -> std::borrow::Cow<'_, str> {
    let field: std::borrow::Cow<'_, str> = if looks_like_formula(field) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    };
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
        std::borrow::Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        field
    }
}

/// Appends one record and a line end. Every field is escaped for CSV, and a field that a
/// spreadsheet could take for a formula is neutralised with a leading `'` (CSV injection).
///
/// ```
/// let mut out = String::new();
/// parindex_io::csv_record(&mut out, ["=HYPERLINK(\"x\")", "-0.5", "a,b"]);
/// assert_eq!(out, "\"'=HYPERLINK(\"\"x\"\")\",-0.5,\"a,b\"\n");
/// ```
pub fn push_record<S: AsRef<str>>(out: &mut String, fields: impl IntoIterator<Item = S>) {
    for (i, f) in fields.into_iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&escape(f.as_ref()));
    }
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_positions_and_quotes() {
        let records =
            parse("unit,name\nA,\"Phòng, một\"\r\nB,\"say \"\"hi\"\"\"\n").expect("parses");
        assert_eq!(records.len(), 3);
        assert_eq!(records[1][1].text, "Phòng, một");
        assert_eq!((records[1][1].line, records[1][1].column), (2, 3));
        assert_eq!(records[2][1].text, "say \"hi\"");
        let semi = parse("unit;1.1\nA;87,5\n").expect("parses");
        assert_eq!(semi[1][1].text, "87,5");
        assert!(parse("a,\"b\n").is_err());
    }

    #[test]
    fn neutralises_formulas() {
        for formula in [
            "=1+1",
            "+cmd|' /C calc'!A0",
            "@SUM(A1)",
            "-2+3",
            "\tx",
            "-",
            "+",
        ] {
            assert!(
                escape(formula).contains(&format!("'{}", formula.trim_end())),
                "{formula:?}"
            );
        }
        for number in ["-0.5", "+3", "-12", "12", "87.5", "Phường 1"] {
            assert_eq!(escape(number), number);
        }
    }

    #[test]
    fn finds_the_delimiter_from_the_header() {
        assert_eq!(delimiter("unit,1.1\nA,1\n"), ',');
        assert_eq!(delimiter("unit;1.1\nA;87,5\n"), ';');
        // A title line with a comma above a semicolon header.
        assert_eq!(delimiter("Báo cáo, năm 2024\nunit;1.1\nA;1\n"), ';');
        // A quoted comma in a semicolon header.
        assert_eq!(delimiter("unit;\"Tên, đơn vị\";1.1\nA;x;1\n"), ';');
        assert_eq!(delimiter("a;b\n"), ';');
    }
}
