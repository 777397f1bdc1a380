//! A small CSV reader that keeps the line and column of every field, and CSV escaping.

use crate::limits::{MAX_CELLS, MAX_COLUMNS, MAX_ROWS, cell_too_long};

use std::borrow::Cow;

/// One field and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field<'t> {
    /// The field's text: borrowed from the file, owned only when it had doubled quotes.
    pub(crate) text: Cow<'t, str>,
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
///
/// Fields are slices of the text, found by scanning bytes for the delimiter, the quote and the
/// line ends (all ASCII, so never inside a multi-byte character): a file of plain cells is
/// split without copying a byte.
pub(crate) struct Records<'t> {
    text: &'t str,
    /// The byte where the next field starts.
    at: usize,
    delimiter: u8,
    line: usize,
    column: usize,
    rows: usize,
    done: bool,
    /// The fields of the last record: the room the next one is given at once.
    width: usize,
}

/// Where a record starts, to read the records from there again ([`Records::from_mark`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Mark {
    at: usize,
    line: usize,
    /// The records before it.
    pub(crate) rows: usize,
}

impl<'t> Records<'t> {
    /// The records of `text` split at `delimiter`, an ASCII character (`,` or `;`).
    pub(crate) fn new(text: &'t str, delimiter: char) -> Self {
        Records::from_mark(
            text,
            delimiter,
            Mark {
                at: 0,
                line: 1,
                rows: 0,
            },
        )
    }

    /// The records of `text` from a mark taken on the same text and delimiter: the same
    /// records, at the same lines and columns, as from the start.
    pub(crate) fn from_mark(text: &'t str, delimiter: char, mark: Mark) -> Self {
        Records {
            text,
            at: mark.at,
            delimiter: u8::try_from(delimiter).unwrap_or(b','),
            line: mark.line,
            column: 1,
            rows: mark.rows,
            done: false,
            width: 0,
        }
    }

    /// Where the next record starts.
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            at: self.at,
            line: self.line,
            rows: self.rows,
        }
    }

    /// Moves the line and column over `passed`, text that may hold line ends (inside quotes).
    fn pass(&mut self, passed: &str) {
        match memchr::memrchr(b'\n', passed.as_bytes()) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', passed.as_bytes()).count();
                self.column = 1 + chars(&passed[last + 1..]);
            }
            None => self.column += chars(passed),
        }
    }

    /// A quoted field, from its opening quote to its closing one; `at` is left after it.
    fn quoted(&mut self, start: (usize, usize)) -> Result<Cow<'t, str>, CsvError> {
        let text = self.text;
        let bytes = text.as_bytes();
        self.at += 1;
        self.column += 1;
        let mut piece = self.at;
        let mut unquoted: Option<String> = None;
        loop {
            let Some(offset) = memchr::memchr(b'"', &bytes[self.at..]) else {
                let mut content = unquoted.unwrap_or_default();
                content.push_str(&text[piece..]);
                too_long(&content).map_or(Ok(()), |m| Err((start.0, start.1, m)))?;
                return Err((
                    start.0,
                    start.1,
                    "a quoted field is never closed".to_owned(),
                ));
            };
            let quote = self.at + offset;
            self.pass(&text[self.at..quote]);
            if bytes.get(quote + 1) == Some(&b'"') {
                // A doubled quote is one quote of the content.
                unquoted
                    .get_or_insert_with(String::new)
                    .push_str(&text[piece..=quote]);
                self.at = quote + 2;
                self.column += 2;
                piece = self.at;
                continue;
            }
            let content = match unquoted {
                Some(mut content) => {
                    content.push_str(&text[piece..quote]);
                    Cow::Owned(content)
                }
                None => Cow::Borrowed(&text[piece..quote]),
            };
            self.at = quote + 1;
            self.column += 1;
            return Ok(content);
        }
    }

    /// The next record's fields in `record`, emptied first: a reader of a million records
    /// keeps one room for their fields rather than asking for it a million times. After an
    /// error, `record` holds the fields before it and the records end.
    pub(crate) fn next_into(
        &mut self,
        record: &mut Vec<Field<'t>>,
    ) -> Option<Result<(), CsvError>> {
        record.clear();
        if self.done {
            return None;
        }
        let next = self.next_record(record);
        if !matches!(next, Some(Ok(()))) {
            self.done = true;
        }
        next
    }

    fn next_record(&mut self, record: &mut Vec<Field<'t>>) -> Option<Result<(), CsvError>> {
        let text = self.text;
        let bytes = text.as_bytes();
        if self.at >= bytes.len() {
            return None;
        }
        record.reserve(self.width.min(MAX_COLUMNS));
        loop {
            let start = (self.line, self.column);
            let field = if bytes.get(self.at) == Some(&b'"') {
                let field = match self.quoted(start) {
                    Ok(field) => field,
                    Err(e) => return Some(Err(e)),
                };
                if let Some(message) = too_long(&field) {
                    return Some(Err((start.0, start.1, message)));
                }
                match bytes.get(self.at) {
                    None | Some(b'\n' | b'\r') => {}
                    Some(b) if *b == self.delimiter => {}
                    Some(_) => {
                        return Some(Err((
                            self.line,
                            self.column,
                            "text after a closing quote: a quoted field must end at a delimiter"
                                .to_owned(),
                        )));
                    }
                }
                field
            } else {
                let end = self.at + field_end(&bytes[self.at..], self.delimiter);
                let field = &text[self.at..end];
                self.at = end;
                self.column += chars(field);
                if let Some(message) = too_long(field) {
                    return Some(Err((start.0, start.1, message)));
                }
                Cow::Borrowed(field)
            };
            if record.len() >= MAX_COLUMNS {
                return Some(Err((start.0, start.1, crate::limits::too_many_columns())));
            }
            if self.rows >= MAX_ROWS {
                let message = format!("the file has more than {MAX_ROWS} rows, the limit");
                return Some(Err((start.0, start.1, message)));
            }
            record.push(Field {
                text: field,
                line: start.0,
                column: start.1,
            });
            match bytes.get(self.at) {
                Some(b) if *b == self.delimiter => {
                    self.at += 1;
                    self.column += 1;
                }
                Some(b'\r') if bytes.get(self.at + 1) == Some(&b'\n') => {
                    self.at += 2;
                    break;
                }
                Some(_) => {
                    self.at += 1;
                    break;
                }
                None => break,
            }
        }
        self.rows += 1;
        self.line += 1;
        self.column = 1;
        self.width = record.len();
        Some(Ok(()))
    }
}

/// Where a field that is not quoted ends in `rest`: at a delimiter or a line's end. Most
/// fields are an answer or a figure of a few bytes, found eight bytes at a time in a word
/// sooner than a vectorised search is set up; a longer one is left to the search.
#[inline]
fn field_end(rest: &[u8], delimiter: u8) -> usize {
    const SHORT: usize = 16;
    let ends = |word: u64| {
        zero_bytes(word ^ every_byte(delimiter))
            | zero_bytes(word ^ every_byte(b'\n'))
            | zero_bytes(word ^ every_byte(b'\r'))
    };
    let mut at = 0;
    while at < SHORT {
        let Some(&eight) = rest.get(at..).and_then(|r| r.first_chunk::<8>()) else {
            // Fewer than eight bytes are left.
            return at
                + rest[at..]
                    .iter()
                    .position(|&b| b == delimiter || b == b'\n' || b == b'\r')
                    .unwrap_or(rest.len() - at);
        };
        let found = ends(u64::from_le_bytes(eight));
        if found != 0 {
            return at + (found.trailing_zeros() / 8) as usize;
        }
        at += 8;
    }
    at + memchr::memchr3(delimiter, b'\n', b'\r', &rest[at..]).unwrap_or(rest.len() - at)
}

/// A word of eight bytes `b`.
const fn every_byte(b: u8) -> u64 {
    u64::from_le_bytes([b; 8])
}

/// The high bit of each zero byte of `word`, and maybe of bytes above the lowest zero one
/// (a borrow runs up from it): the lowest bit set is always that of the first zero byte.
const fn zero_bytes(word: u64) -> u64 {
    word.wrapping_sub(every_byte(1)) & !word & every_byte(0x80)
}

/// How many characters a slice holds: its length, when it is ASCII.
fn chars(text: &str) -> usize {
    if text.is_ascii() {
        text.len()
    } else {
        text.chars().count()
    }
}

/// The refusal of a field over [`crate::MAX_CELL_CHARS`] characters. A field of more than
/// [`MAX_CELL_BYTES`] bytes is described by its beginning, as far as a reader that refuses it
/// there would have read it.
fn too_long(field: &str) -> Option<String> {
    if field.len() > MAX_CELL_BYTES {
        let mut end = MAX_CELL_BYTES + 1;
        while !field.is_char_boundary(end) {
            end += 1;
        }
        return cell_too_long(&field[..end]);
    }
    cell_too_long(field)
}

/// More bytes than any field within [`crate::MAX_CELL_CHARS`] characters can have: a field is
/// refused once it grows past them, before it is complete.
const MAX_CELL_BYTES: usize = crate::limits::MAX_CELL_CHARS * 4;

impl Records<'_> {
    /// How many fields the next record has, without keeping them: the same counts and faults,
    /// and the same marks after, as [`Records::next`] gives, for a first pass over a file. A
    /// line of plain fields (no quote, no lone carriage return, none that could run over a
    /// limit) is counted by its delimiters alone; any other record is read field by field.
    pub(crate) fn next_width(&mut self) -> Option<Result<usize, CsvError>> {
        let bytes = self.text.as_bytes();
        if self.done || self.at >= bytes.len() {
            return self.next().map(|record| record.map(|fields| fields.len()));
        }
        let rest = &bytes[self.at..];
        let (end, after) = match memchr::memchr(b'\n', rest) {
            Some(newline) => (newline, newline + 1),
            None => (rest.len(), rest.len()),
        };
        let line = rest[..end].strip_suffix(b"\r").unwrap_or(&rest[..end]);
        let plain = self.rows < MAX_ROWS
            && line.len() <= crate::limits::MAX_CELL_CHARS
            && memchr::memchr2(b'"', b'\r', line).is_none();
        // Counted by the vector instructions the machine has, a line of a hundred fields
        // takes a few steps rather than a step a byte.
        let fields = 1 + memchr::memchr_iter(self.delimiter, line).count();
        if !plain || fields > MAX_COLUMNS {
            return self.next().map(|record| record.map(|fields| fields.len()));
        }
        self.at += after;
        self.rows += 1;
        self.line += 1;
        self.column = 1;
        self.width = fields;
        Some(Ok(fields))
    }
}

impl<'t> Iterator for Records<'t> {
    type Item = Result<Vec<Field<'t>>, CsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut record = Vec::new();
        self.next_into(&mut record)
            .map(|read| read.map(|()| record))
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
pub(crate) fn parse(text: &str) -> Result<Vec<Vec<Field<'_>>>, CsvError> {
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
    // The bytes that call for quotes are ASCII: looked for byte by byte, not as characters.
    let quoted = field
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'));
    if quoted || field.starts_with(' ') || field.ends_with(' ') {
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

/// The obvious reader, a character at a time, that the byte-scanning [`super::Records`] must
/// agree with on every text, positions and refusals included.
#[cfg(test)]
mod reference {
    use super::{CsvError, MAX_CELL_BYTES, MAX_COLUMNS, MAX_ROWS, cell_too_long};

    /// A field as the reference reader gives it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub(super) struct Field {
        pub(super) text: String,
        /// 1-based line.
        pub(super) line: usize,
        /// 1-based column, in characters.
        pub(super) column: usize,
    }

    /// The records of CSV text, read a character at a time.
    pub(super) struct Records<'t> {
        chars: std::iter::Peekable<std::str::Chars<'t>>,
        delimiter: char,
        line: usize,
        column: usize,
        rows: usize,
    }

    impl<'t> Records<'t> {
        /// The records of `text` split at `delimiter`.
        pub(super) fn new(text: &'t str, delimiter: char) -> Self {
            Records {
                chars: text.chars().peekable(),
                delimiter,
                line: 1,
                column: 1,
                rows: 0,
            }
        }

        pub(super) fn next_record(&mut self) -> Option<Result<Vec<Field>, CsvError>> {
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
                        if let Err(e) = check(&field, &record, start_line, start_column, self.rows)
                        {
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
                        if let Err(e) = check(&field, &record, start_line, start_column, self.rows)
                        {
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
            if at_field_start {
                // An empty last field, after a delimiter at the end of the text, starts there.
                start_line = self.line;
                start_column = self.column;
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

    /// Per record, its fields with their line and column, or the refusal.
    type Split = Vec<Result<Vec<(String, usize, usize)>, CsvError>>;

    /// Every record, field, position and refusal, as comparable values.
    fn split(text: &str, delimiter: char) -> Split {
        Records::new(text, delimiter)
            .map(|r| {
                r.map(|fields| {
                    fields
                        .into_iter()
                        .map(|f| (f.text.into_owned(), f.line, f.column))
                        .collect()
                })
            })
            .collect()
    }

    /// The reference's records, up to and including its first refusal.
    fn split_by_reference(text: &str, delimiter: char) -> Split {
        let mut records = reference::Records::new(text, delimiter);
        let mut refused = false;
        std::iter::from_fn(|| {
            let next = records.next_record().filter(|_| !refused)?;
            refused = next.is_err();
            Some(next)
        })
        .map(|r| {
            r.map(|fields| {
                fields
                    .into_iter()
                    .map(|f| (f.text, f.line, f.column))
                    .collect()
            })
        })
        .collect()
    }

    proptest::proptest! {
        #[test]
        fn splits_as_the_reference_reader_does(text in "[aó1,;\"\n\r ]{0,40}") {
            for delimiter in [',', ';'] {
                proptest::prop_assert_eq!(split(&text, delimiter), split_by_reference(&text, delimiter));
            }
        }

        /// Fields on both sides of the length told byte by byte before a vectorised search.
        #[test]
        fn splits_long_fields_as_the_reference_reader_does(text in "([aó1 ]{0,40}[,;\"\n\r]){0,6}") {
            for delimiter in [',', ';'] {
                proptest::prop_assert_eq!(split(&text, delimiter), split_by_reference(&text, delimiter));
            }
        }

        #[test]
        fn counts_fields_as_it_splits_them(text in "[aó1,;\"\n\r ]{0,60}") {
            for delimiter in [',', ';'] {
                let mut split = Records::new(&text, delimiter);
                let mut counted = Records::new(&text, delimiter);
                loop {
                    proptest::prop_assert_eq!(counted.mark(), split.mark());
                    let (width, record) = (counted.next_width(), split.next());
                    let fields = record.map(|r| r.map(|fields| fields.len()));
                    proptest::prop_assert_eq!(&width, &fields);
                    if width.is_none() {
                        break;
                    }
                }
            }
        }

        #[test]
        fn reads_from_a_mark_as_from_the_start(text in "[aó1,;\"\n\r ]{0,60}", skip in 0usize..6) {
            for delimiter in [',', ';'] {
                let all: Vec<_> = Records::new(&text, delimiter).collect();
                // Marks are taken between records read without a fault.
                let skip = skip.min(all.iter().take_while(|r| r.is_ok()).count());
                let mut records = Records::new(&text, delimiter);
                for _ in records.by_ref().take(skip) {}
                let mark = records.mark();
                proptest::prop_assert_eq!(mark.rows, skip);
                let again: Vec<_> = Records::from_mark(&text, delimiter, mark).collect();
                proptest::prop_assert_eq!(&again[..], &all[skip..]);
            }
        }
    }

    #[test]
    fn refuses_long_fields_as_the_reference_reader_does() {
        let long = "ố".repeat(crate::limits::MAX_CELL_CHARS + 5);
        let huge = "x".repeat(MAX_CELL_BYTES + 7);
        for text in [
            format!("a,{long}\n"),
            format!("a,\"{long}\"\n"),
            format!("a,{huge},b\n"),
            format!("a,\"{huge}"),
            format!("a,\"x\"\"{huge}\"\n"),
        ] {
            let found = split(&text, ',');
            assert!(found.last().is_some_and(Result::is_err), "{found:?}");
            assert_eq!(found, split_by_reference(&text, ','));
        }
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
