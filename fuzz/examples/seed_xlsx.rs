//! Writes filled workbooks to seed the `input_xlsx` target: each wide CSV given becomes a
//! workbook with one sheet named after the first stage, numbers written as number cells,
//! percentages as number cells formatted as percent. Files after `--date` also get a date in
//! cell F2, where Excel would have turned a typed ratio into one.
//!
//! cargo run --example seed_xlsx -- OUT_DIR FILE.csv... [--date FILE.csv...]

use std::path::Path;

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

/// Splits a CSV text into records; quoted fields may hold commas and doubled quotes.
fn records(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let mut fields = Vec::new();
        let mut field = String::new();
        let mut quoted = false;
        let mut chars = line.chars().peekable();
        while let Some(c) = chars.next() {
            match (c, quoted) {
                ('"', true) if chars.peek() == Some(&'"') => {
                    field.push('"');
                    chars.next();
                }
                ('"', _) => quoted = !quoted,
                (',', false) => fields.push(std::mem::take(&mut field)),
                (c, _) => field.push(c),
            }
        }
        fields.push(field);
        rows.push(fields);
    }
    rows
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (out, files) = args
        .split_first()
        .ok_or("usage: seed_xlsx OUT_DIR FILE.csv... [--date FILE.csv...]")?;
    let percent = Format::new().set_num_format("0.0%");
    let date = Format::new().set_num_format("dd/mm/yyyy");
    let mut with_date = false;
    for file in files {
        if file == "--date" {
            with_date = true;
            continue;
        }
        let text = std::fs::read_to_string(file)?;
        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet().set_name("Tự đánh giá")?;
        for (r, record) in records(&text).iter().enumerate() {
            let row = u32::try_from(r)?;
            for (c, value) in record.iter().enumerate() {
                let col = u16::try_from(c)?;
                if let Ok(x) = value.parse::<f64>() {
                    sheet.write_number(row, col, x)?;
                } else if let Some(x) = value.strip_suffix('%').and_then(|v| v.parse::<f64>().ok())
                {
                    sheet.write_number_with_format(row, col, x / 100.0, &percent)?;
                } else if !value.is_empty() {
                    sheet.write_string(row, col, value)?;
                }
            }
        }
        if with_date {
            // A date where a unit typed a ratio: Excel's own mistake, refused with a message.
            let when = ExcelDateTime::from_ymd(2024, 6, 5)?;
            sheet.write_datetime_with_format(1, 5, &when, &date)?;
        }
        let stem = Path::new(file).file_stem().ok_or("no file name")?;
        let target = Path::new(out).join(format!("{}.xlsx", stem.to_string_lossy()));
        workbook.save(&target)?;
        println!("wrote {}", target.display());
    }
    Ok(())
}
