//! An `.xlsx` workbook, read from its package with zip and quick-xml, within bounds.
//!
//! A workbook is a zip archive of XML parts. Every part is read as a stream, never whole, and
//! everything a part could make the reader hold or do is bounded before it is done:
//!
//! - the archive's parts are counted from its directory before it is opened, and all parts
//!   together may unzip to at most [`MAX_UNZIPPED_BYTES`];
//! - no run of text or markup between two `<` or `>` may be longer than a mebibyte, so that
//!   the XML reader never buffers more;
//! - shared strings are held in one buffer of at most [`MAX_SHARED_STRINGS_BYTES`], at most
//!   [`MAX_CELLS`] of them;
//! - every cell reference is checked against Excel's last cell, `XFD1048576`, before it is
//!   used, and cells must come in order, so that a sheet is read one row at a time;
//! - every cell (empty, formula, merged) counts against the caller's cell budget.
//!
//! Cells are typed as Excel saved them: shared and inline strings, numbers (dates and
//! percentages by their number format, in the workbook's 1900 or 1904 date system), booleans,
//! errors, and formulas through the value saved with them. No formula is evaluated and nothing
//! outside the archive is followed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::io::{BufReader, Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;
use zip::read::ZipFile;

use super::cell::{date_of_serial, float_to_decimal};
use super::{CellValue, GridCell, Loc};
use crate::error::cell_name;
use crate::limits::{
    MAX_CELLS, MAX_COLUMNS, MAX_ROWS, MAX_SHARED_STRINGS_BYTES, MAX_UNZIPPED_BYTES, cell_too_long,
};

/// The most parts a workbook's archive may hold.
const MAX_PARTS: u64 = 10_000;

/// The longest run of bytes between two `<` or `>` of a part.
const MAX_RUN: usize = 1024 * 1024;

/// The most cell formats (`cellXfs`) a workbook may declare; Excel allows 64,000.
const MAX_STYLES: usize = 100_000;

/// The number of days between the 1904 and the 1900 date systems' day zero.
const DAYS_1904: f64 = 1_462.0;

/// How a cell format shows a number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shown {
    Number,
    Date,
    Duration,
    Percent,
}

/// A sheet of the workbook, in the workbook's order.
#[derive(Debug, Clone)]
pub(crate) struct Sheet {
    /// The sheet's name, as its tab shows it.
    pub(crate) name: String,
    /// Whether the sheet is shown (not hidden or very hidden).
    pub(crate) visible: bool,
    /// Whether it is a worksheet (not a chart or dialog sheet).
    pub(crate) worksheet: bool,
    /// The part holding it.
    path: Option<String>,
}

/// What the sheets of a workbook share: strings, formats and the date system.
#[derive(Debug, Default)]
struct Book {
    /// All shared strings, one after another; `ends[i]` is where string `i` ends.
    strings: String,
    ends: Vec<u32>,
    /// How each cell format (`s` of a cell) shows numbers.
    styles: Vec<Shown>,
    /// Whether dates count days from 1904 (old Mac Excel) instead of 1900.
    date1904: bool,
}

impl Book {
    fn string(&self, index: usize) -> Option<&str> {
        let end = *self.ends.get(index)? as usize;
        let start = match index {
            0 => 0,
            _ => *self.ends.get(index - 1)? as usize,
        };
        self.strings.get(start..end)
    }
}

/// An opened workbook.
pub(crate) struct Workbook<'b> {
    zip: ZipArchive<Cursor<&'b [u8]>>,
    /// Bytes unzipped so far, over every part.
    unzipped: u64,
    book: Book,
    /// The sheets, in order.
    pub(crate) sheets: Vec<Sheet>,
}

/// What kind of file the bytes are, from their content.
fn sniff(bytes: &[u8]) -> Result<(), String> {
    const OLE: [u8; 8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    if bytes.starts_with(&OLE) {
        return Err(
            "is an Excel 97–2003 workbook (.xls), or a workbook protected by a password: these are not read; open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx) without a password".to_owned(),
        );
    }
    if !bytes.starts_with(b"PK") {
        return Err("is not an Excel workbook (.xlsx): save it from Excel or LibreOffice as an Excel workbook, or give the units as CSV".to_owned());
    }
    Ok(())
}

/// The number of parts an archive's directory declares, read from its end record.
fn declared_parts(bytes: &[u8]) -> Option<u64> {
    // The end record is 22 bytes and a comment of at most 65,535 follows it.
    let tail = bytes.len().saturating_sub(22 + 65_535);
    let at = (tail..bytes.len().saturating_sub(21))
        .rev()
        .find(|&i| bytes[i..].starts_with(&[0x50, 0x4B, 0x05, 0x06]))?;
    let count = u16::from_le_bytes([bytes[at + 10], bytes[at + 11]]);
    Some(u64::from(count))
}

/// A part of the archive as it unzips, counted against the workbook's budget.
struct Part<'a, R: Read> {
    inner: R,
    unzipped: &'a mut u64,
    run: usize,
}

/// Why a part's reading stopped; the reader reports these words.
const TOO_LARGE: &str = "unzips to more than the limit";
const RUN_TOO_LONG: &str = "has a run of text longer than the limit";

impl<R: Read> Read for Part<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        *self.unzipped = self.unzipped.saturating_add(n as u64);
        if *self.unzipped > MAX_UNZIPPED_BYTES {
            return Err(std::io::Error::other(TOO_LARGE));
        }
        let read = &buf[..n];
        match read.iter().rposition(|b| *b == b'<' || *b == b'>') {
            Some(last) => {
                let longest_inside = read[..last]
                    .split(|b| *b == b'<' || *b == b'>')
                    .map(<[u8]>::len)
                    .max()
                    .unwrap_or(0);
                let first = read
                    .iter()
                    .position(|b| *b == b'<' || *b == b'>')
                    .unwrap_or(0);
                if self.run + first > MAX_RUN || longest_inside > MAX_RUN {
                    return Err(std::io::Error::other(RUN_TOO_LONG));
                }
                self.run = n - last - 1;
            }
            None => {
                self.run += n;
                if self.run > MAX_RUN {
                    return Err(std::io::Error::other(RUN_TOO_LONG));
                }
            }
        }
        Ok(n)
    }
}

type PartReader<'a, 'b> = Reader<BufReader<Part<'a, ZipFile<'a, Cursor<&'b [u8]>>>>>;

/// An XML reader of a part, or `None` when the archive has no such part.
fn part<'a, 'b>(
    zip: &'a mut ZipArchive<Cursor<&'b [u8]>>,
    unzipped: &'a mut u64,
    name: &str,
) -> Result<Option<PartReader<'a, 'b>>, String> {
    // Package names are case-insensitive.
    let lower = name.to_ascii_lowercase();
    let found = zip.index_for_name(name).or_else(|| {
        let actual = zip
            .file_names()
            .find(|n| n.to_ascii_lowercase() == lower)?
            .to_owned();
        zip.index_for_name(&actual)
    });
    let Some(index) = found else {
        return Ok(None);
    };
    let file = zip
        .by_index(index)
        .map_err(|e| format!("cannot read the part {name} of the workbook: {e}"))?;
    let mut reader = Reader::from_reader(BufReader::new(Part {
        inner: file,
        unzipped,
        run: 0,
    }));
    let config = reader.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    Ok(Some(reader))
}

/// The message for an XML or archive error while reading a part.
fn xml_error(name: &str, error: &quick_xml::Error) -> String {
    let text = error.to_string();
    if text.contains(TOO_LARGE) {
        format!(
            "the workbook unzips to more than {MAX_UNZIPPED_BYTES} bytes, the limit (reached in {name})"
        )
    } else if text.contains(RUN_TOO_LONG) {
        format!(
            "{name} has a run of more than {MAX_RUN} bytes without markup: not a workbook Excel writes"
        )
    } else {
        format!("{name} is not well-formed XML: {text}")
    }
}

/// The value of an attribute, unescaped.
fn attribute(element: &BytesStart<'_>, key: &[u8]) -> Option<String> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .and_then(|a| {
            let raw = std::str::from_utf8(&a.value).ok()?;
            quick_xml::escape::unescape(raw)
                .ok()
                .map(|v| v.into_owned())
        })
}

/// An attribute's raw bytes.
fn raw_attribute<'e>(element: &'e BytesStart<'_>, key: &[u8]) -> Option<Cow<'e, [u8]>> {
    element
        .attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == key)
        .map(|a| a.value)
}

/// Appends an entity reference (`&amp;`, `&#xA0;`) to text; an unknown one is kept as written.
fn push_reference(text: &mut String, reference: &quick_xml::events::BytesRef<'_>) {
    let name = reference.decode().unwrap_or_default();
    match quick_xml::escape::resolve_xml_entity(&name) {
        Some(resolved) => text.push_str(resolved),
        None => match reference.resolve_char_ref() {
            Ok(Some(c)) => text.push(c),
            _ => {
                text.push('&');
                text.push_str(&name);
                text.push(';');
            }
        },
    }
}

/// Excel's escapes of control characters in text: `_x000D_` is a carriage return.
fn unescape_excel(text: &str) -> Cow<'_, str> {
    if !text.contains("_x00") {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("_x00") {
        let (before, from) = rest.split_at(at);
        out.push_str(before);
        let code = from
            .get(4..6)
            .filter(|_| from.as_bytes().get(6) == Some(&b'_'))
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match code {
            Some(c) => {
                out.push(char::from(c));
                rest = &from[7..];
            }
            None => {
                out.push('_');
                rest = &from[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// `B12` → (11, 1): a cell reference within Excel's limits (XFD, 1,048,576), or `None`.
pub(crate) fn cell_position(reference: &[u8]) -> Option<(u32, u32)> {
    let split = reference.iter().position(u8::is_ascii_digit)?;
    let (letters, digits) = reference.split_at(split);
    if letters.is_empty() || letters.len() > 3 || digits.is_empty() || digits.len() > 7 {
        return None;
    }
    let mut column = 0u32;
    for c in letters {
        if !c.is_ascii_alphabetic() {
            return None;
        }
        column = column * 26 + u32::from(c.to_ascii_uppercase() - b'A' + 1);
    }
    let mut row = 0u32;
    for d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        row = row * 10 + u32::from(d - b'0');
    }
    if column as usize > MAX_COLUMNS || row == 0 || row as usize > MAX_ROWS {
        return None;
    }
    Some((row - 1, column - 1))
}

/// A row reference (`r` of a row): 1 to 1,048,576.
fn row_position(reference: &[u8]) -> Option<u32> {
    if reference.is_empty() || reference.len() > 7 || !reference.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let row: u32 = std::str::from_utf8(reference).ok()?.parse().ok()?;
    (row >= 1 && row as usize <= MAX_ROWS).then(|| row - 1)
}

/// Whether a number format code shows a percentage: a `%` outside quotes and brackets.
fn is_percent_code(code: &str) -> bool {
    let (mut quoted, mut bracket, mut escaped) = (false, false, false);
    for c in code.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            '[' if !quoted => bracket = true,
            ']' if !quoted => bracket = false,
            '%' if !quoted && !bracket => return true,
            _ => {}
        }
    }
    false
}

/// How a custom number format code shows a number: a date or time, a duration (`[h]:mm`),
/// a percentage, or a plain number. Only the first section (before `;`) counts.
fn shown_by_code(code: &str) -> Shown {
    let (mut escaped, mut quoted, mut brackets) = (false, false, 0u32);
    let (mut previous, mut hms, mut ampm) = (' ', false, false);
    for c in code.chars() {
        match (c, escaped, quoted, ampm, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\', ..) => escaped = true,
            ('"', _, true, _, _) => quoted = false,
            (_, _, true, _, _) => {}
            ('"', ..) => quoted = true,
            (';', ..) => break,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Shown::Duration,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ampm = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Shown::Date,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Shown::Date;
            }
            _ => {
                if !(hms && c.eq_ignore_ascii_case(&previous)) {
                    hms = previous == '[' && matches!(c, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        previous = c;
    }
    if is_percent_code(code) {
        Shown::Percent
    } else {
        Shown::Number
    }
}

/// How a built-in number format shows a number.
fn shown_by_id(id: u32) -> Shown {
    match id {
        9 | 10 => Shown::Percent,
        14..=22 | 45 | 47 => Shown::Date,
        46 => Shown::Duration,
        _ => Shown::Number,
    }
}

impl<'b> Workbook<'b> {
    /// Opens a workbook: its directory, sheets, formats and shared strings.
    pub(crate) fn open(bytes: &'b [u8]) -> Result<Self, String> {
        sniff(bytes)?;
        if declared_parts(bytes).is_some_and(|n| n > MAX_PARTS) {
            return Err(format!(
                "the workbook's archive has more than {MAX_PARTS} parts: not a workbook Excel writes"
            ));
        }
        let zip = ZipArchive::new(Cursor::new(bytes))
            .map_err(|e| format!("cannot read the workbook: {e}"))?;
        if zip.len() as u64 > MAX_PARTS {
            return Err(format!(
                "the workbook's archive has more than {MAX_PARTS} parts: not a workbook Excel writes"
            ));
        }
        let is_ods = zip
            .file_names()
            .any(|n| n == "content.xml" || n == "mimetype")
            && zip.index_for_name("xl/workbook.xml").is_none();
        if is_ods {
            return Err("is an OpenDocument spreadsheet (.ods): these are not read; open it in LibreOffice and save it as an Excel workbook (.xlsx), or give the units as CSV".to_owned());
        }
        let mut workbook = Workbook {
            zip,
            unzipped: 0,
            book: Book::default(),
            sheets: Vec::new(),
        };
        workbook.read_sheets()?;
        workbook.read_styles()?;
        workbook.read_strings()?;
        Ok(workbook)
    }

    fn read_sheets(&mut self) -> Result<(), String> {
        let mut targets = HashMap::new();
        let name = "xl/_rels/workbook.xml.rels";
        if let Some(mut xml) = part(&mut self.zip, &mut self.unzipped, name)? {
            let mut buf = Vec::new();
            loop {
                match xml.read_event_into(&mut buf) {
                    Ok(Event::Start(e) | Event::Empty(e))
                        if e.local_name().as_ref() == b"Relationship" =>
                    {
                        if let (Some(id), Some(target)) =
                            (attribute(&e, b"Id"), attribute(&e, b"Target"))
                        {
                            if targets.len() < MAX_PARTS as usize {
                                targets.insert(id, target);
                            }
                        }
                    }
                    Ok(Event::Eof) => break,
                    Err(e) => return Err(xml_error(name, &e)),
                    Ok(_) => {}
                }
                buf.clear();
            }
        }
        let name = "xl/workbook.xml";
        let Some(mut xml) = part(&mut self.zip, &mut self.unzipped, name)? else {
            return Err("is not an Excel workbook: it has no xl/workbook.xml".to_owned());
        };
        let mut buf = Vec::new();
        loop {
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e) | Event::Empty(e)) => match e.local_name().as_ref() {
                    b"sheet" => {
                        if self.sheets.len() >= MAX_PARTS as usize {
                            return Err(format!("the workbook has more than {MAX_PARTS} sheets"));
                        }
                        let name = attribute(&e, b"name").unwrap_or_default();
                        let visible = attribute(&e, b"state").is_none_or(|s| s == "visible");
                        let path =
                            attribute(&e, b"id")
                                .and_then(|id| targets.get(&id))
                                .map(|target| match target.strip_prefix('/') {
                                    Some(absolute) => absolute.to_owned(),
                                    None if target.starts_with("xl/") => target.clone(),
                                    None => format!("xl/{target}"),
                                });
                        let worksheet = path
                            .as_deref()
                            .is_some_and(|p| p.split('/').nth(1) == Some("worksheets"));
                        self.sheets.push(Sheet {
                            name,
                            visible,
                            worksheet,
                            path,
                        });
                    }
                    b"workbookPr" => {
                        self.book.date1904 = attribute(&e, b"date1904")
                            .is_some_and(|v| v == "1" || v.eq_ignore_ascii_case("true"));
                    }
                    _ => {}
                },
                Ok(Event::Eof) => break,
                Err(e) => return Err(xml_error(name, &e)),
                Ok(_) => {}
            }
            buf.clear();
        }
        Ok(())
    }

    fn read_styles(&mut self) -> Result<(), String> {
        let name = "xl/styles.xml";
        let Some(mut xml) = part(&mut self.zip, &mut self.unzipped, name)? else {
            return Ok(());
        };
        let mut formats: HashMap<u32, Shown> = HashMap::new();
        let mut in_cell_xfs = false;
        let mut buf = Vec::new();
        loop {
            let event = xml.read_event_into(&mut buf);
            let (element, empty) = match event {
                Ok(Event::Start(e)) => (e, false),
                Ok(Event::Empty(e)) => (e, true),
                Ok(Event::End(e)) => {
                    if e.local_name().as_ref() == b"cellXfs" {
                        in_cell_xfs = false;
                    }
                    buf.clear();
                    continue;
                }
                Ok(Event::Eof) => break,
                Err(e) => return Err(xml_error(name, &e)),
                Ok(_) => {
                    buf.clear();
                    continue;
                }
            };
            match element.local_name().as_ref() {
                b"numFmt" => {
                    let id = attribute(&element, b"numFmtId").and_then(|i| i.parse().ok());
                    let code = attribute(&element, b"formatCode").unwrap_or_default();
                    if let Some(id) = id.filter(|_| !code.is_empty()) {
                        if formats.len() < MAX_STYLES {
                            formats.insert(id, shown_by_code(&code));
                        }
                    }
                }
                b"cellXfs" => in_cell_xfs = !empty,
                b"xf" if in_cell_xfs => {
                    if self.book.styles.len() >= MAX_STYLES {
                        return Err(format!(
                            "the workbook declares more than {MAX_STYLES} cell formats: not a workbook Excel writes"
                        ));
                    }
                    let shown = attribute(&element, b"numFmtId")
                        .and_then(|i| i.parse::<u32>().ok())
                        .map_or(Shown::Number, |id| {
                            formats.get(&id).copied().unwrap_or_else(|| shown_by_id(id))
                        });
                    self.book.styles.push(shown);
                }
                _ => {}
            }
            buf.clear();
        }
        Ok(())
    }

    fn read_strings(&mut self) -> Result<(), String> {
        let name = "xl/sharedStrings.xml";
        let Some(mut xml) = part(&mut self.zip, &mut self.unzipped, name)? else {
            return Ok(());
        };
        let book = &mut self.book;
        let mut buf = Vec::new();
        let (mut in_si, mut in_t, mut phonetic) = (false, false, false);
        let too_many = || {
            format!(
                "the workbook's shared strings are more than {MAX_SHARED_STRINGS_BYTES} bytes or {MAX_CELLS} strings, the limit"
            )
        };
        let push = |book: &mut Book, text: &str| -> Result<(), String> {
            if book.strings.len() + text.len() > MAX_SHARED_STRINGS_BYTES
                || book.ends.len() >= MAX_CELLS
            {
                return Err(too_many());
            }
            book.strings.push_str(&unescape_excel(text));
            book.ends
                .push(u32::try_from(book.strings.len()).map_err(|_| too_many())?);
            Ok(())
        };
        let mut current = String::new();
        loop {
            match xml.read_event_into(&mut buf) {
                Ok(Event::Start(e)) => match e.local_name().as_ref() {
                    b"si" => {
                        in_si = true;
                        current.clear();
                    }
                    b"t" if in_si && !phonetic => in_t = true,
                    b"rPh" => phonetic = true,
                    _ => {}
                },
                Ok(Event::Empty(e)) if e.local_name().as_ref() == b"si" => push(book, "")?,
                Ok(Event::End(e)) => match e.local_name().as_ref() {
                    b"si" if in_si => {
                        in_si = false;
                        in_t = false;
                        push(book, &current)?;
                    }
                    b"t" => in_t = false,
                    b"rPh" => phonetic = false,
                    _ => {}
                },
                Ok(Event::Text(t)) if in_t => {
                    current.push_str(&t.xml10_content().unwrap_or_default());
                    if current.len() > MAX_SHARED_STRINGS_BYTES {
                        return Err(too_many());
                    }
                }
                Ok(Event::CData(t)) if in_t => {
                    current.push_str(&t.decode().unwrap_or_default());
                    if current.len() > MAX_SHARED_STRINGS_BYTES {
                        return Err(too_many());
                    }
                }
                Ok(Event::GeneralRef(r)) if in_t => push_reference(&mut current, &r),
                Ok(Event::Eof) => break,
                Err(e) => return Err(xml_error(name, &e)),
                Ok(_) => {}
            }
            buf.clear();
        }
        Ok(())
    }

    /// The rows of a sheet, read one at a time, each cell counted against `budget`, what is
    /// left of the run's cell limit: `limit` for the inputs of a run, whose unit limit raises
    /// it, `None` for the year's records, whose budget is [`MAX_CELLS`].
    pub(crate) fn rows(
        &mut self,
        sheet: usize,
        budget: usize,
        limit: Option<usize>,
    ) -> Result<SheetRows<'_, 'b>, String> {
        let Workbook {
            zip,
            unzipped,
            book,
            sheets,
        } = self;
        let info = sheets.get(sheet).ok_or("no such sheet")?;
        let path = info
            .path
            .as_deref()
            .ok_or_else(|| format!("sheet \"{}\" has no part in the workbook", info.name))?;
        let xml = part(zip, unzipped, path)?
            .ok_or_else(|| format!("sheet \"{}\" has no part in the workbook", info.name))?;
        Ok(SheetRows {
            xml,
            path: path.to_owned(),
            book,
            buf: Vec::new(),
            in_data: false,
            ended: false,
            row: 0,
            column: 0,
            last: None,
            budget,
            limit,
            cells: 0,
            current: None,
            problems: Vec::new(),
            more_problems: 0,
            merges: Vec::new(),
            table: None,
            fault: None,
        })
    }
}

/// The rows of a sheet, one at a time: each row is its cells from column A, empty cells in the
/// gaps. Reading stops at the first fault (a reference beyond Excel's last cell, cells out of
/// order, broken XML, a spent budget), which [`SheetRows::fault`] then gives.
pub(crate) struct SheetRows<'w, 'b> {
    xml: PartReader<'w, 'b>,
    path: String,
    book: &'w Book,
    buf: Vec<u8>,
    in_data: bool,
    ended: bool,
    /// The row of the next cell without a reference, and its column.
    row: u32,
    column: u32,
    /// The last cell read, to keep cells in order.
    last: Option<(u32, u32)>,
    /// Cells that may still be read, the run's limit they are left of (`None` for the
    /// records' fixed [`MAX_CELLS`]), and cells read.
    budget: usize,
    limit: Option<usize>,
    cells: usize,
    /// The row being gathered.
    current: Option<(u32, Vec<GridCell>)>,
    /// Problems of single cells: row, column, message (at most [`crate::MAX_PROBLEMS`]).
    pub(crate) problems: Vec<(u32, u32, String)>,
    /// Problems of single cells beyond those kept.
    pub(crate) more_problems: usize,
    /// Merged ranges: first row, first column, last row, last column (at most
    /// [`crate::MAX_PROBLEMS`] of those in the table; the others are counted in
    /// `more_problems`).
    pub(crate) merges: Vec<(u32, u32, u32, u32)>,
    /// The table's header row and last column, once known: problems outside are not kept.
    table: Option<(u32, u32)>,
    fault: Option<(Option<(u32, u32)>, String)>,
}

impl SheetRows<'_, '_> {
    /// The refusal of a cell beyond the budget, with the run's limit.
    fn too_many_cells(&self) -> String {
        crate::limits::too_many_cells(self.limit.unwrap_or(MAX_CELLS), self.limit.is_some())
    }

    /// Cells read, empty, formula and merged cells included.
    pub(crate) fn cells(&self) -> usize {
        self.cells
    }

    /// What stopped the reading, with the cell it was found at when there is one.
    pub(crate) fn fault(&self) -> Option<&(Option<(u32, u32)>, String)> {
        self.fault.as_ref()
    }

    /// Reads the rest of the sheet after its rows: the merged ranges.
    pub(crate) fn finish(&mut self) {
        while self.fault.is_none() && !self.ended {
            if self.next_event().is_none() {
                break;
            }
        }
    }

    fn stop(&mut self, at: Option<(u32, u32)>, message: String) -> Option<Vec<GridCell>> {
        self.fault = Some((at, message));
        self.ended = true;
        None
    }

    /// Keeps the problem of a cell within the table (see [`SheetRows::table`]), or only
    /// counts it beyond [`crate::MAX_PROBLEMS`]; the message is made only when kept.
    fn cell_problem(&mut self, row: u32, column: u32, message: impl FnOnce() -> String) {
        if let Some((header, last)) = self.table {
            if row < header || column > last {
                return;
            }
        }
        if self.problems.len() < crate::limits::MAX_PROBLEMS {
            self.problems.push((row, column, message()));
        } else {
            self.more_problems += 1;
        }
    }

    /// Keeps only the problems of cells from row `header` down and up to column `last`: those
    /// of the table, not of titles or notes around it.
    pub(crate) fn table(&mut self, header: u32, last: u32) {
        self.table = Some((header, last));
    }

    fn count(&mut self, n: usize) -> bool {
        self.cells = self.cells.saturating_add(n);
        self.cells <= self.budget
    }

    /// Reads events up to the next complete row; `None` at the end of the sheet data.
    fn next_event(&mut self) -> Option<Vec<GridCell>> {
        // The buffer is moved out while an event borrows it.
        let mut buf = std::mem::take(&mut self.buf);
        let row = self.next_event_in(&mut buf);
        self.buf = buf;
        row
    }

    fn next_event_in(&mut self, buf: &mut Vec<u8>) -> Option<Vec<GridCell>> {
        loop {
            buf.clear();
            let event = match self.xml.read_event_into(buf) {
                Ok(event) => event,
                Err(e) => {
                    let message = xml_error(&self.path, &e);
                    return self.stop(None, message);
                }
            };
            match event {
                Event::Eof => {
                    self.ended = true;
                    return self.current.take().map(|(_, cells)| cells);
                }
                Event::Start(e) if e.local_name().as_ref() == b"sheetData" => {
                    self.in_data = true;
                }
                Event::End(e) if e.local_name().as_ref() == b"sheetData" => {
                    self.in_data = false;
                    if let Some((_, cells)) = self.current.take() {
                        return Some(cells);
                    }
                }
                Event::Start(ref e) | Event::Empty(ref e)
                    if self.in_data && e.local_name().as_ref() == b"row" =>
                {
                    if let Some(r) = raw_attribute(e, b"r") {
                        match row_position(&r) {
                            Some(row) => self.row = row,
                            None => {
                                let message = format!(
                                    "the row number \"{}\" is beyond Excel's last row {MAX_ROWS}, or not a row number",
                                    String::from_utf8_lossy(&r)
                                );
                                return self.stop(None, message);
                            }
                        }
                    }
                    self.column = 0;
                    if matches!(event, Event::Empty(_)) {
                        self.row = self.row.saturating_add(1);
                    }
                }
                Event::End(e) if self.in_data && e.local_name().as_ref() == b"row" => {
                    self.row = self.row.saturating_add(1);
                    self.column = 0;
                }
                Event::Start(ref e) | Event::Empty(ref e)
                    if self.in_data && e.local_name().as_ref() == b"c" =>
                {
                    let empty = matches!(event, Event::Empty(_));
                    let position = match raw_attribute(e, b"r") {
                        Some(r) => match cell_position(&r) {
                            Some(p) => p,
                            None => {
                                let after = self
                                    .last
                                    .map(|(r, c)| format!(" (after cell {})", cell_name(r, c)))
                                    .unwrap_or_default();
                                let message = format!(
                                    "the cell reference \"{}\"{after} is beyond Excel's last cell XFD1048576, or not a cell reference",
                                    String::from_utf8_lossy(&r)
                                );
                                return self.stop(None, message);
                            }
                        },
                        None => (self.row, self.column),
                    };
                    if position.1 as usize >= MAX_COLUMNS || position.0 as usize >= MAX_ROWS {
                        return self.stop(
                            self.last,
                            "a cell beyond Excel's last cell XFD1048576".to_owned(),
                        );
                    }
                    if self.last.is_some_and(|last| position <= last) {
                        let message = format!(
                            "cell {} comes after cell {}: the cells are out of order, which Excel never writes; open the file in Excel and save it again",
                            cell_name(position.0, position.1),
                            self.last.map_or(String::new(), |(r, c)| cell_name(r, c))
                        );
                        return self.stop(Some(position), message);
                    }
                    if !self.count(1) {
                        return self.stop(Some(position), self.too_many_cells());
                    }
                    self.last = Some(position);
                    self.row = position.0;
                    self.column = position.1 + 1;
                    let value = if empty {
                        CellValue::Empty
                    } else {
                        match self.cell_value(e, position) {
                            Ok(value) => value,
                            Err(message) => return self.stop(Some(position), message),
                        }
                    };
                    let finished = match &self.current {
                        Some((row, _)) if *row != position.0 => self.current.take(),
                        _ => None,
                    };
                    let (_, cells) = self.current.get_or_insert_with(|| (position.0, Vec::new()));
                    let mut next = u32::try_from(cells.len()).unwrap_or(u32::MAX);
                    while next < position.1 {
                        cells.push(GridCell {
                            value: CellValue::Empty,
                            loc: Loc::Cell(position.0, next),
                        });
                        next += 1;
                    }
                    cells.push(GridCell {
                        value,
                        loc: Loc::Cell(position.0, position.1),
                    });
                    if let Some((_, cells)) = finished {
                        return Some(cells);
                    }
                }
                Event::Start(e) | Event::Empty(e)
                    if !self.in_data && e.local_name().as_ref() == b"mergeCell" =>
                {
                    let Some(reference) = raw_attribute(&e, b"ref") else {
                        continue;
                    };
                    let mut ends = reference.split(|b| *b == b':');
                    let first = ends.next().and_then(cell_position);
                    let last = ends.next().map_or(first, cell_position);
                    let (Some(first), Some(last)) = (first, last) else {
                        let message = format!(
                            "the merged range \"{}\" is beyond Excel's last cell XFD1048576, or not a range",
                            String::from_utf8_lossy(&reference)
                        );
                        return self.stop(None, message);
                    };
                    let (top, bottom) = (first.0.min(last.0), first.0.max(last.0));
                    let (left, right) = (first.1.min(last.1), first.1.max(last.1));
                    let area = (bottom - top + 1) as usize * (right - left + 1) as usize;
                    if !self.count(area) {
                        return self.stop(Some((top, left)), self.too_many_cells());
                    }
                    match self.table {
                        Some((header, last)) if top < header || left > last => {}
                        _ if self.merges.len() >= crate::limits::MAX_PROBLEMS => {
                            self.more_problems += 1;
                        }
                        _ => self.merges.push((top, left, bottom, right)),
                    }
                }
                _ => {}
            }
        }
    }

    /// The value of a cell whose start tag is `c`, reading up to its end tag.
    fn cell_value(&mut self, c: &BytesStart<'_>, at: (u32, u32)) -> Result<CellValue, String> {
        let kind = raw_attribute(c, b"t").map(|t| t.into_owned());
        let style = raw_attribute(c, b"s")
            .and_then(|s| std::str::from_utf8(&s).ok()?.parse::<usize>().ok());
        let (mut value, mut inline, mut formula): (Option<String>, Option<String>, Option<String>) =
            (None, None, None);
        let mut into: Option<u8> = None;
        let mut phonetic = false;
        let mut buf = Vec::new();
        loop {
            buf.clear();
            let event = self
                .xml
                .read_event_into(&mut buf)
                .map_err(|e| xml_error(&self.path, &e))?;
            match event {
                Event::Start(e) => match e.local_name().as_ref() {
                    b"v" => {
                        into = Some(b'v');
                        value.get_or_insert_with(String::new);
                    }
                    b"f" => {
                        into = Some(b'f');
                        formula.get_or_insert_with(String::new);
                    }
                    b"is" => {
                        inline.get_or_insert_with(String::new);
                    }
                    b"t" if inline.is_some() && !phonetic => into = Some(b't'),
                    b"rPh" => phonetic = true,
                    _ => {}
                },
                Event::Empty(e) => match e.local_name().as_ref() {
                    b"f" => {
                        formula.get_or_insert_with(String::new);
                    }
                    b"v" => {
                        value.get_or_insert_with(String::new);
                    }
                    b"is" => {
                        inline.get_or_insert_with(String::new);
                    }
                    _ => {}
                },
                Event::End(e) => match e.local_name().as_ref() {
                    b"c" => break,
                    b"v" | b"f" | b"t" => into = None,
                    b"rPh" => phonetic = false,
                    _ => {}
                },
                Event::Text(t) => {
                    let text = t.xml10_content().unwrap_or_default();
                    let target = match into {
                        Some(b'v') => value.as_mut(),
                        Some(b'f') => formula.as_mut(),
                        Some(b't') => inline.as_mut(),
                        _ => None,
                    };
                    if let Some(target) = target {
                        target.push_str(&text);
                        if target.len() > crate::limits::MAX_CELL_CHARS * 8 {
                            return Err(cell_too_long(target).unwrap_or_default());
                        }
                    }
                }
                Event::GeneralRef(r) => {
                    let target = match into {
                        Some(b'v') => value.as_mut(),
                        Some(b'f') => formula.as_mut(),
                        Some(b't') => inline.as_mut(),
                        _ => None,
                    };
                    if let Some(target) = target {
                        push_reference(target, &r);
                    }
                }
                Event::Eof => return Err(format!("{} ends inside a cell", self.path)),
                _ => {}
            }
        }
        let (row, column) = at;
        let v = value.unwrap_or_default();
        let cell = match kind.as_deref() {
            Some(b"s") => {
                let index = v.trim().parse::<usize>().ok();
                match index.and_then(|i| self.book.string(i)) {
                    Some(text) => CellValue::Text(text.into()),
                    None => {
                        return Err(format!(
                            "the cell refers to shared string \"{v}\", which the workbook does not have"
                        ));
                    }
                }
            }
            Some(b"inlineStr") => CellValue::Text(
                unescape_excel(&inline.unwrap_or_default())
                    .into_owned()
                    .into(),
            ),
            Some(b"str") => CellValue::Text(unescape_excel(&v).into_owned().into()),
            Some(b"b") => {
                if v.is_empty() {
                    CellValue::Empty
                } else {
                    CellValue::Bool(v.trim() != "0")
                }
            }
            Some(b"e") => CellValue::Error(v),
            Some(b"d") => CellValue::Text(v.into()),
            Some(b"n") | None => {
                if v.is_empty() {
                    CellValue::Empty
                } else {
                    match v.trim().parse::<f64>() {
                        Ok(x) => self.number(x, style),
                        Err(_) if kind.is_none() => CellValue::Text(v.into()),
                        Err(_) => {
                            return Err(format!(
                                "the number cell holds \"{v}\", which is not a number"
                            ));
                        }
                    }
                }
            }
            Some(other) => {
                return Err(format!(
                    "the cell has the unknown type t=\"{}\"",
                    String::from_utf8_lossy(other)
                ));
            }
        };
        if let CellValue::Text(text) = &cell {
            if let Some(message) = cell_too_long(text) {
                self.cell_problem(row, column, || message);
                return Ok(CellValue::Empty);
            }
        }
        if let Some(formula) = formula {
            // An empty value is what a program that does not calculate saves, and what a
            // formula giving "" saves: neither is a value to score.
            if cell.is_empty() {
                let message = || {
                    if formula.is_empty() {
                        "the formula of this cell has no value saved with it: if it was never calculated, open the file in Excel and save it; if it gives an empty text, leave the cell empty".to_owned()
                    } else {
                        format!(
                            "the formula ={formula} has no value saved with it: if it was never calculated, open the file in Excel and save it; if it gives an empty text, leave the cell empty"
                        )
                    }
                };
                self.cell_problem(row, column, message);
            }
        }
        Ok(cell)
    }

    /// A number cell, as its format shows it.
    fn number(&self, x: f64, style: Option<usize>) -> CellValue {
        let shown = style
            .and_then(|s| self.book.styles.get(s).copied())
            .unwrap_or(Shown::Number);
        match shown {
            Shown::Date => {
                let serial = if self.book.date1904 { x + DAYS_1904 } else { x };
                match date_of_serial(serial) {
                    Some((year, month, day)) => CellValue::Date { year, month, day },
                    None => CellValue::Number(serial),
                }
            }
            Shown::Percent => shown_as_percent(x),
            Shown::Duration | Shown::Number => CellValue::Number(x),
        }
    }
}

impl Iterator for SheetRows<'_, '_> {
    type Item = Vec<GridCell>;

    fn next(&mut self) -> Option<Vec<GridCell>> {
        if self.ended {
            return self.current.take().map(|(_, cells)| cells);
        }
        self.next_event()
    }
}

/// A number in a percent-formatted cell, as Excel shows it: 0.875 → `87.5%`.
fn shown_as_percent(x: f64) -> CellValue {
    match float_to_decimal(x).and_then(|d| d.checked_mul(rust_decimal::Decimal::ONE_HUNDRED)) {
        Some(percent) => CellValue::Text(format!("{}%", percent.normalize()).into()),
        None => CellValue::Number(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_codes() {
        assert!(is_percent_code("0.0%"));
        assert!(is_percent_code("0%;[Red]-0%"));
        assert!(!is_percent_code("0.0\"%\""));
        assert!(!is_percent_code("0.0\\%"));
        assert!(!is_percent_code("[$%-409]0.0"));
        assert!(!is_percent_code("dd/mm/yyyy"));
    }

    #[test]
    fn date_codes() {
        assert_eq!(shown_by_code("dd/mm/yyyy"), Shown::Date);
        assert_eq!(shown_by_code("DD/MM/YY"), Shown::Date);
        assert_eq!(shown_by_code("[h]:mm:ss"), Shown::Duration);
        assert_eq!(shown_by_code("0.0%"), Shown::Percent);
        assert_eq!(shown_by_code("#,##0.0####\" YMD\""), Shown::Number);
        assert_eq!(shown_by_code("\\Y000000"), Shown::Number);
        assert_eq!(shown_by_id(14), Shown::Date);
        assert_eq!(shown_by_id(10), Shown::Percent);
    }

    #[test]
    fn cell_references() {
        assert_eq!(cell_position(b"A1"), Some((0, 0)));
        assert_eq!(cell_position(b"B12"), Some((11, 1)));
        assert_eq!(cell_position(b"XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_position(b"XFE1"), None);
        assert_eq!(cell_position(b"A1048577"), None);
        assert_eq!(cell_position(b"ZZZZZZZZZZZZ2"), None);
        assert_eq!(cell_position(b"A99999999999999999999"), None);
        assert_eq!(cell_position(b"A0"), None);
        assert_eq!(cell_position(b"1A"), None);
    }

    #[test]
    fn excel_escapes() {
        assert_eq!(unescape_excel("a_x000D_b"), "a\rb");
        assert_eq!(unescape_excel("_x00"), "_x00");
        assert_eq!(unescape_excel("_x00ZZ_"), "_x00ZZ_");
    }
}
