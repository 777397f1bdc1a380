//! A well-formed workbook built from structured bytes, read against a shipped set: sheets named
//! after stages or anything, a header of `unit`, `stage`, `name`, leaf codes, attributes or free
//! text, and cells of every kind Excel stores (text, numbers including huge, tiny and
//! non-finite ones, booleans, dates and times, formulas with cached results, blanks). Random
//! bytes rarely get past the zip container (`input_xlsx`); this target reaches the reading of
//! cells. A batch that reads is scored, ranked and explained.

#![no_main]

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use parindex_core::Plan;
use rust_xlsxwriter::{ExcelDateTime, Format, Formula, Workbook};

#[derive(Debug, Arbitrary)]
struct Input {
    set: u8,
    sheets: Vec<Sheet>,
}

#[derive(Debug, Arbitrary)]
struct Sheet {
    name: SheetName,
    /// Rows left blank above the header.
    offset: u8,
    /// Columns left blank before the first.
    indent: u8,
    header: Vec<Head>,
    rows: Vec<Vec<Cell>>,
}

#[derive(Debug, Arbitrary)]
enum SheetName {
    Stage(u8),
    Label(u8),
    Instructions,
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Head {
    Unit,
    Stage,
    Name,
    Code,
    Value,
    Evidence,
    Leaf(u16),
    Attribute(u8),
    Free(String),
}

#[derive(Debug, Arbitrary)]
enum Cell {
    Blank,
    Text(String),
    Word(u8),
    Number(f64),
    Integer(i32),
    Percent(u16),
    Bool(bool),
    Date(u16, u8, u8),
    DateTime(u16, u8, u8, u8, u8),
    Time(u8, u8),
    Formula(f64),
    LeafCode(u16),
    Unit(u8),
}

const WORDS: &[&str] = &[
    "có",
    "không",
    "đúng hạn",
    "trễ hạn",
    "N/A",
    "KAD",
    "50-plus",
    "full",
    "7/9",
    "85%",
    "85,5%",
    "yes",
    "no",
    "x",
    "",
    " ",
    "#N/A",
    "self",
    "appraisal",
    "Tự đánh giá",
    "Thẩm định",
];

fn sheet_name(name: &SheetName, plan: &Plan) -> String {
    let stages = &plan.set().policy.stages;
    // Characters Excel refuses in sheet names are dropped, and so is `.`: rust_xlsxwriter 0.92
    // overflows (a panic with overflow checks) quoting a name such as `I.5`, which looks to
    // it like a cell reference. The reader, not the writer, is under test here.
    let clean = |s: &str| -> String {
        let s: String = s
            .chars()
            .filter(|c| !"[]:*?/\\'.".contains(*c))
            .take(31)
            .collect();
        if s.trim().is_empty() {
            "Sheet".to_owned()
        } else {
            s
        }
    };
    match name {
        SheetName::Stage(i) => stages[usize::from(*i) % stages.len()].clone(),
        SheetName::Label(i) => {
            parindex_io::stage_label(&stages[usize::from(*i) % stages.len()]).to_owned()
        }
        SheetName::Instructions => parindex_io::INSTRUCTIONS_SHEET.to_owned(),
        SheetName::Free(s) => clean(s),
    }
}

fn build(plan: &Plan, input: &Input) -> Option<Vec<u8>> {
    let set = plan.set();
    let leaves: Vec<&str> = plan.leaf_codes().collect();
    let leaf = |i: u16| leaves.get(usize::from(i) % leaves.len().max(1)).copied();
    let mut workbook = Workbook::new();
    let date_format = Format::new().set_num_format("dd/mm/yyyy");
    let percent_format = Format::new().set_num_format("0.0%");
    let mut used = std::collections::HashSet::new();
    for sheet in input.sheets.iter().take(4) {
        let name = sheet_name(&sheet.name, plan);
        if !used.insert(name.to_lowercase()) {
            continue;
        }
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(&name).ok()?;
        let row0 = u32::from(sheet.offset % 24);
        let col0 = u16::from(sheet.indent % 4);
        for (c, head) in sheet.header.iter().take(48).enumerate() {
            let col = col0 + u16::try_from(c).ok()?;
            let text = match head {
                Head::Unit => "unit".to_owned(),
                Head::Stage => "stage".to_owned(),
                Head::Name => "name".to_owned(),
                Head::Code => "code".to_owned(),
                Head::Value => "value".to_owned(),
                Head::Evidence => "evidence".to_owned(),
                Head::Leaf(i) => leaf(*i).unwrap_or("1.1").to_owned(),
                Head::Attribute(i) => set
                    .attributes
                    .get(usize::from(*i) % (set.attributes.len() + 1))
                    .map_or("ranked".to_owned(), |a| a.name.clone()),
                Head::Free(s) => s.clone(),
            };
            worksheet.write_string(row0, col, text).ok()?;
        }
        for (r, cells) in sheet.rows.iter().take(32).enumerate() {
            let row = row0 + 1 + u32::try_from(r).ok()?;
            for (c, cell) in cells.iter().take(48).enumerate() {
                let col = col0 + u16::try_from(c).ok()?;
                // A value rust_xlsxwriter refuses (a date out of range…) is left blank.
                let _ = match cell {
                    Cell::Blank => continue,
                    Cell::Text(s) => worksheet.write_string(row, col, s),
                    Cell::Word(i) => {
                        worksheet.write_string(row, col, WORDS[usize::from(*i) % WORDS.len()])
                    }
                    Cell::Number(x) => worksheet.write_number(row, col, *x),
                    Cell::Integer(n) => worksheet.write_number(row, col, f64::from(*n)),
                    Cell::Percent(p) => worksheet.write_number_with_format(
                        row,
                        col,
                        f64::from(*p) / 1000.0,
                        &percent_format,
                    ),
                    Cell::Bool(b) => worksheet.write_boolean(row, col, *b),
                    Cell::Date(y, m, d) => match ExcelDateTime::from_ymd(*y, *m, *d) {
                        Ok(when) => {
                            worksheet.write_datetime_with_format(row, col, &when, &date_format)
                        }
                        Err(e) => Err(e),
                    },
                    Cell::DateTime(y, m, d, h, min) => {
                        match ExcelDateTime::from_ymd(*y, *m, *d)
                            .and_then(|t| t.and_hms(u16::from(*h), *min, 0))
                        {
                            Ok(when) => worksheet.write_datetime(row, col, &when),
                            Err(e) => Err(e),
                        }
                    }
                    Cell::Time(h, min) => match ExcelDateTime::from_hms(u16::from(*h), *min, 0) {
                        Ok(when) => worksheet.write_datetime(row, col, &when),
                        Err(e) => Err(e),
                    },
                    Cell::Formula(x) => worksheet.write_formula(
                        row,
                        col,
                        Formula::new("=1+1").set_result(x.to_string()),
                    ),
                    Cell::LeafCode(i) => worksheet.write_string(row, col, leaf(*i).unwrap_or("")),
                    Cell::Unit(i) => worksheet.write_string(row, col, format!("U-{i:02}")),
                };
            }
        }
    }
    workbook.save_to_buffer().ok()
}

fuzz_target!(|input: Input| {
    let plans = parindex_fuzz::plans();
    let plan = &plans[usize::from(input.set) % plans.len()];
    if let Some(bytes) = build(plan, &input) {
        parindex_fuzz::read_and_score(plan, "x.xlsx", &bytes);
    }
});
