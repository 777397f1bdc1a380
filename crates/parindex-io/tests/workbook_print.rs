//! The results workbook and the template as they print and show in Excel: wrapped headers
//! with room to wrap, landscape A4 pages with the header rows repeated, and numbers that show
//! an integer without a trailing point.

use std::io::Read;

use parindex_core::{Batch, Plan, shipped};

fn parts(bytes: &[u8]) -> Vec<(String, String)> {
    let mut archive = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("a zip");
    (0..archive.len())
        .map(|i| {
            let mut file = archive.by_index(i).expect("a part");
            let mut text = String::new();
            let _ = file.read_to_string(&mut text);
            (file.name().to_owned(), text)
        })
        .collect()
}

fn part<'a>(parts: &'a [(String, String)], name: &str) -> &'a str {
    parts
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, t)| t.as_str())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn the_results_workbook_prints_landscape_with_room_for_its_headers() {
    let set = shipped::load("binh-thuan-police/commune/2024")
        .expect("set")
        .set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    let unit = batch.add_unit("CAP-01", []).expect("unit");
    batch.set_text(unit, "1.1.4", None, "7/9").expect("value");
    let results = plan.score(&batch).expect("scored");
    let bytes = parindex_io::results_xlsx(&results, &Default::default()).expect("workbook");
    let parts = parts(&bytes);
    let styles = part(&parts, "xl/styles.xml");
    assert!(!styles.contains("formatCode=\"0.###\""), "{styles}");
    let sheet = part(&parts, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("orientation=\"landscape\""));
    assert!(sheet.contains("fitToWidth=\"1\"") || sheet.contains("fitToPage=\"1\""));
    assert!(
        sheet.contains("ht=\"45\""),
        "the header row has room to wrap"
    );
    assert!(part(&parts, "xl/workbook.xml").contains("_xlnm.Print_Titles"));
}

#[test]
fn the_template_prints_on_readable_pages_repeating_its_headers() {
    let set = shipped::load("binh-thuan-police/commune/2024")
        .expect("set")
        .set;
    let bytes = parindex_io::template_xlsx(&set).expect("template");
    let parts = parts(&bytes);
    let sheet = part(&parts, "xl/worksheets/sheet1.xml");
    assert!(sheet.contains("orientation=\"landscape\""));
    // Not squeezed onto one page: no fit-to-page.
    assert!(!sheet.contains("fitToPage=\"1\""), "{sheet}");
    assert!(
        sheet.contains("ht=\"120\""),
        "the names row has room to wrap"
    );
    let workbook = part(&parts, "xl/workbook.xml");
    assert!(workbook.contains("_xlnm.Print_Titles"), "{workbook}");
    assert!(
        workbook.contains("$A:$B"),
        "the unit's id and name repeat: {workbook}"
    );
}

#[test]
fn an_area_sheet_gives_its_longest_criterion_name_room_to_show_whole() {
    let set = shipped::load("binh-thuan-police/commune/2024")
        .expect("set")
        .set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    batch.add_unit("CAP-01", []).expect("unit");
    let results = plan.score(&batch).expect("scored");
    let bytes = parindex_io::results_xlsx(&results, &Default::default()).expect("workbook");
    let parts = parts(&bytes);
    // Area 4's name, "CẢI CÁCH HÀNH CHÍNH TRONG NỘI BỘ LỰC LƯỢNG CÔNG AN NHÂN DÂN", heads its
    // 10-character total column; printed by LibreOffice it wraps to 8 lines of 15 points.
    // Sheet 5 is area 4's (after the ranking and areas 1–3).
    let workbook = part(&parts, "xl/workbook.xml");
    let fifth = workbook.split("<sheet ").nth(5).expect("five sheets");
    assert!(fifth.starts_with("name=\"4. CẢI CÁCH"), "{fifth}");
    let sheet = part(&parts, "xl/worksheets/sheet5.xml");
    let row = sheet
        .split("<row ")
        .find(|r| r.starts_with("r=\"4\""))
        .expect("the names row");
    let height: f64 = row
        .split("ht=\"")
        .nth(1)
        .and_then(|h| h.split('"').next())
        .and_then(|h| h.parse().ok())
        .expect("a height");
    assert!((120.0..=409.0).contains(&height), "names row {height} pt");
}
