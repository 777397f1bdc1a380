//! A workbook whose sheet XML is written by hand from structured bytes, as a hostile file would
//! be: row and cell references valid, far beyond Excel's last cell, missing, out of order or not
//! references at all; cells of every type attribute, known or not, with values that are or are
//! not what the type says; formulas with and without values, shared over any range; inline and
//! shared strings; number formats that make dates, durations and percentages; merged ranges of
//! any size; the 1904 date system; text runs and entities. Read as an input against a shipped
//! set, and as a survey answers file: a batch that reads is scored, ranked and explained.

#![no_main]

use std::fmt::Write as _;
use std::io::Write as _;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;

#[derive(Debug, Arbitrary)]
struct Input {
    set: u8,
    date1904: bool,
    /// Custom number formats (id 164 on), as format codes.
    formats: Vec<Format>,
    /// Cell formats: a number format id each.
    styles: Vec<u8>,
    strings: Vec<Text>,
    rows: Vec<Row>,
    merges: Vec<(Reference, Reference)>,
    /// Bytes put where the parser does not expect them, after the sheet data.
    trailer: Option<String>,
}

#[derive(Debug, Arbitrary)]
enum Format {
    Date,
    Duration,
    Percent,
    Number,
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Text {
    Word(u8),
    Free(String),
    Entities,
    Long(u16),
}

#[derive(Debug, Arbitrary)]
struct Row {
    reference: Option<RowReference>,
    cells: Vec<Cell>,
}

#[derive(Debug, Arbitrary)]
enum RowReference {
    Number(u32),
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Reference {
    None,
    Cell(u16, u32),
    Far(u8),
    Free(String),
}

#[derive(Debug, Arbitrary)]
struct Cell {
    reference: Reference,
    style: Option<u8>,
    kind: Kind,
    value: Option<Text>,
    formula: Option<Formula>,
}

#[derive(Debug, Arbitrary)]
enum Kind {
    Default,
    Number(f64),
    Shared(u16),
    Str,
    Inline,
    Bool,
    Error,
    Date,
    Unknown(String),
}

#[derive(Debug, Arbitrary)]
enum Formula {
    Plain(String),
    SharedMaster(u8, Reference, Reference),
    SharedChild(u8),
}

const WORDS: &[&str] = &[
    "unit",
    "name",
    "stage",
    "code",
    "value",
    "evidence",
    "item",
    "answer",
    "group",
    "có",
    "không",
    "đúng hạn",
    "N/A",
    "7/9",
    "85%",
    "87.5",
    "0.875",
    "15/01/2024",
    "self",
    "appraisal",
    "Tự đánh giá",
    "Thẩm định",
    "1.1.1",
    "1.1.4",
    "1.2",
    "A",
    "CAP-01",
    "#DIV/0!",
    "1e30",
    "8_7.5",
    "49.99999999999999999999999999999",
];

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn text(t: &Text) -> String {
    match t {
        Text::Word(i) => escape(WORDS[*i as usize % WORDS.len()]),
        Text::Free(s) => escape(s),
        Text::Entities => "&amp;&#x41;&#66;_x000D_&unknown;".to_owned(),
        Text::Long(n) => "x".repeat(usize::from(*n) * 4),
    }
}

fn column(mut n: u32) -> String {
    let mut letters = Vec::new();
    n += 1;
    while n > 0 {
        letters.push(char::from(b'A' + ((n - 1) % 26) as u8));
        n = (n - 1) / 26;
    }
    letters.iter().rev().collect()
}

fn reference(r: &Reference) -> Option<String> {
    match r {
        Reference::None => None,
        Reference::Cell(c, row) => Some(format!("{}{}", column(u32::from(*c) % 20), row % 40 + 1)),
        Reference::Far(k) => Some(
            ["XFD1048576", "XFE1", "ZZZZZZZZZZZZ2", "A0", "A99999999999", "A1048577", "1A", "a1"]
                [*k as usize % 8]
                .to_owned(),
        ),
        Reference::Free(s) => Some(escape(s)),
    }
}

fn sheet(input: &Input) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
    );
    for row in &input.rows {
        match &row.reference {
            Some(RowReference::Number(n)) => {
                let _ = write!(xml, "<row r=\"{}\">", n % 2_000_000);
            }
            Some(RowReference::Free(s)) => {
                let _ = write!(xml, "<row r=\"{}\">", escape(s));
            }
            None => xml.push_str("<row>"),
        }
        for cell in &row.cells {
            xml.push_str("<c");
            if let Some(r) = reference(&cell.reference) {
                let _ = write!(xml, " r=\"{r}\"");
            }
            if let Some(s) = cell.style {
                let _ = write!(xml, " s=\"{s}\"");
            }
            let (t, v) = match &cell.kind {
                Kind::Default => (None, cell.value.as_ref().map(text)),
                Kind::Number(x) => (Some("n"), Some(x.to_string())),
                Kind::Shared(i) => (Some("s"), Some(i.to_string())),
                Kind::Str => (Some("str"), cell.value.as_ref().map(text)),
                Kind::Inline => (Some("inlineStr"), None),
                Kind::Bool => (Some("b"), cell.value.as_ref().map(text)),
                Kind::Error => (Some("e"), cell.value.as_ref().map(text)),
                Kind::Date => (Some("d"), cell.value.as_ref().map(text)),
                Kind::Unknown(t) => {
                    let _ = write!(xml, " t=\"{}\"", escape(t));
                    (None, cell.value.as_ref().map(text))
                }
            };
            if let Some(t) = t {
                let _ = write!(xml, " t=\"{t}\"");
            }
            xml.push('>');
            match &cell.formula {
                Some(Formula::Plain(f)) => {
                    let _ = write!(xml, "<f>{}</f>", escape(f));
                }
                Some(Formula::SharedMaster(si, a, b)) => {
                    let range = format!(
                        "{}:{}",
                        reference(a).unwrap_or_default(),
                        reference(b).unwrap_or_default()
                    );
                    let _ = write!(xml, "<f t=\"shared\" ref=\"{range}\" si=\"{si}\">1+1</f>");
                }
                Some(Formula::SharedChild(si)) => {
                    let _ = write!(xml, "<f t=\"shared\" si=\"{si}\"/>");
                }
                None => {}
            }
            if matches!(cell.kind, Kind::Inline) {
                let inner = cell.value.as_ref().map(text).unwrap_or_default();
                let _ = write!(xml, "<is><r><t>{inner}</t></r><rPh><t>x</t></rPh></is>");
            } else if let Some(v) = v {
                let _ = write!(xml, "<v>{v}</v>");
            }
            xml.push_str("</c>");
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData>");
    if !input.merges.is_empty() {
        xml.push_str("<mergeCells>");
        for (a, b) in &input.merges {
            let range = match (reference(a), reference(b)) {
                (Some(a), Some(b)) => format!("{a}:{b}"),
                (Some(a), None) | (None, Some(a)) => a,
                (None, None) => String::new(),
            };
            let _ = write!(xml, "<mergeCell ref=\"{range}\"/>");
        }
        xml.push_str("</mergeCells>");
    }
    if let Some(trailer) = &input.trailer {
        xml.push_str(trailer);
    }
    xml.push_str("</worksheet>");
    xml
}

fn styles(input: &Input) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><styleSheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><numFmts>",
    );
    for (i, format) in input.formats.iter().enumerate() {
        let code = match format {
            Format::Date => "dd/mm/yyyy".to_owned(),
            Format::Duration => "[h]:mm:ss".to_owned(),
            Format::Percent => "0.0%".to_owned(),
            Format::Number => "#,##0.00".to_owned(),
            Format::Free(s) => escape(s),
        };
        let _ = write!(xml, "<numFmt numFmtId=\"{}\" formatCode=\"{code}\"/>", 164 + i);
    }
    xml.push_str("</numFmts><cellXfs>");
    for style in &input.styles {
        // Built-in formats (0-49) and the custom ones.
        let id = if *style < 200 { u32::from(*style) % 50 } else { 164 + u32::from(*style - 200) };
        let _ = write!(xml, "<xf numFmtId=\"{id}\"/>");
    }
    xml.push_str("</cellXfs></styleSheet>");
    xml
}

fn shared_strings(input: &Input) -> String {
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\">",
    );
    for s in &input.strings {
        let _ = write!(xml, "<si><t>{}</t></si>", text(s));
    }
    xml.push_str("</sst>");
    xml
}

fn workbook(input: &Input) -> Vec<u8> {
    let pr = if input.date1904 { "<workbookPr date1904=\"1\"/>" } else { "<workbookPr/>" };
    let parts = [
        ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".to_owned()),
        ("xl/workbook.xml", format!("<?xml version=\"1.0\"?><workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">{pr}<sheets><sheet name=\"Tự đánh giá\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")),
        ("xl/_rels/workbook.xml.rels", "<?xml version=\"1.0\"?><Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" Type=\"worksheet\" Target=\"worksheets/sheet1.xml\"/></Relationships>".to_owned()),
        ("xl/styles.xml", styles(input)),
        ("xl/sharedStrings.xml", shared_strings(input)),
        ("xl/worksheets/sheet1.xml", sheet(input)),
    ];
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored);
    for (name, content) in parts {
        if zip.start_file(name, options).is_err() || zip.write_all(content.as_bytes()).is_err() {
            return Vec::new();
        }
    }
    zip.finish().map(|c| c.into_inner()).unwrap_or_default()
}

fuzz_target!(|input: Input| {
    let bytes = workbook(&input);
    let plans = parindex_fuzz::plans();
    let plan = &plans[input.set as usize % plans.len()];
    parindex_fuzz::read_and_score(plan, "x.xlsx", &bytes);
    if let Err(error) = parindex_io::read_survey_answers_bytes("survey.xlsx", &bytes) {
        assert!(!error.problems.is_empty(), "an error without a problem");
        let _ = error.to_string();
    }
});
