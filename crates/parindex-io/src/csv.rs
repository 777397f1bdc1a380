//! A small CSV reader that keeps the line and column of every field, and CSV escaping.

use crate::limits::{MAX_CELLS, MAX_ROWS, cell_too_long};

/// One field and where it starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Field {
    pub(crate) text: String,
    /// 1-based line.
    pub(crate) line: usize,
    /// 1-based column, in characters.
    pub(crate) column: usize,
}

/// Splits CSV text into records of fields (RFC 4180: `"` quotes, `""` inside quotes).
/// The delimiter is `,`, or `;` when the first line has semicolons and no comma (CSV saved by
/// Excel in locales whose list separator is `;`). A field longer than [`crate::MAX_CELL_CHARS`],
/// more than [`MAX_ROWS`] records or [`MAX_CELLS`] fields are refused where they start.
pub(crate) fn parse(text: &str) -> Result<Vec<Vec<Field>>, (usize, usize, String)> {
    let first_line = text.lines().next().unwrap_or("");
    let delimiter = if !first_line.contains(',') && first_line.contains(';') {
        ';'
    } else {
        ','
    };
    let mut records = Vec::new();
    let mut record: Vec<Field> = Vec::new();
    let mut field = String::new();
    let (mut line, mut column) = (1usize, 1usize);
    let (mut start_line, mut start_column) = (1usize, 1usize);
    let mut quoted = false;
    let mut in_quotes = false;
    let mut chars = text.chars().peekable();
    let mut at_field_start = true;
    let mut cells = 0usize;
    // Checks a finished field and the counts before it is kept.
    let check = |field: &str, line: usize, column: usize, cells: usize, records: usize| {
        if let Some(message) = cell_too_long(field) {
            return Err((line, column, message));
        }
        if cells >= MAX_CELLS {
            let message = format!("the file has more than {MAX_CELLS} cells, the limit");
            return Err((line, column, message));
        }
        if records >= MAX_ROWS {
            let message = format!("the file has more than {MAX_ROWS} rows, the limit");
            return Err((line, column, message));
        }
        Ok(())
    };
    while let Some(c) = chars.next() {
        if at_field_start {
            start_line = line;
            start_column = column;
            at_field_start = false;
            if c == '"' {
                quoted = true;
                in_quotes = true;
                column += 1;
                continue;
            }
        }
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    chars.next();
                    field.push('"');
                    column += 2;
                } else {
                    in_quotes = false;
                    column += 1;
                }
            } else {
                field.push(c);
                if c == '\n' {
                    line += 1;
                    column = 1;
                } else {
                    column += 1;
                }
            }
            continue;
        }
        match c {
            c if c == delimiter => {
                check(&field, start_line, start_column, cells, records.len())?;
                cells += 1;
                record.push(Field {
                    text: std::mem::take(&mut field),
                    line: start_line,
                    column: start_column,
                });
                quoted = false;
                at_field_start = true;
                column += 1;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => {
                check(&field, start_line, start_column, cells, records.len())?;
                cells += 1;
                record.push(Field {
                    text: std::mem::take(&mut field),
                    line: start_line,
                    column: start_column,
                });
                records.push(std::mem::take(&mut record));
                quoted = false;
                at_field_start = true;
                line += 1;
                column = 1;
            }
            c => {
                if quoted {
                    return Err((
                        line,
                        column,
                        "text after a closing quote: a quoted field must end at a delimiter"
                            .to_owned(),
                    ));
                }
                field.push(c);
                column += 1;
            }
        }
    }
    if in_quotes {
        return Err((
            start_line,
            start_column,
            "a quoted field is never closed".to_owned(),
        ));
    }
    if !at_field_start || !record.is_empty() {
        check(&field, start_line, start_column, cells, records.len())?;
        record.push(Field {
            text: field,
            line: start_line,
            column: start_column,
        });
        records.push(record);
    }
    Ok(records)
}

/// Quotes a field when it needs it.
pub(crate) fn escape(field: &str) -> std::borrow::Cow<'_, str> {
    if field.contains([',', '"', '\n', '\r']) || field.starts_with(' ') || field.ends_with(' ') {
        std::borrow::Cow::Owned(format!("\"{}\"", field.replace('"', "\"\"")))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// Appends one record and a line end.
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
}
