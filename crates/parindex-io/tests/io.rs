//! Readers, writers and templates of parindex-io against the shipped sets.

use std::collections::BTreeMap;

use calamine::{Data, Reader};
use parindex_core::{Plan, shipped};
use parindex_io::{
    InputReader, ResultsDocument, read_inputs, results_schema, results_xlsx, template_xlsx,
};
use rust_xlsxwriter::Workbook;

/// Per unit: id, name, total, reported index, nodes.
type Scored = (
    String,
    Option<String>,
    String,
    Option<String>,
    Vec<parindex_io::NodeResult>,
);

const COMMUNE: &str = "binh-thuan-police/commune/2024";

fn plan(id: &str) -> Plan {
    Plan::new(&shipped::load(id).expect("shipped set").set)
}

fn errors(plan: &Plan, file: &str, bytes: &[u8]) -> Vec<String> {
    let mut reader = InputReader::new(plan);
    reader.read_bytes(file, bytes);
    match reader.finish() {
        Ok(_) => Vec::new(),
        Err(e) => e.problems.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn committed_schema_is_generated_from_the_types() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../schemas/results.schema.json"
    );
    let generated = results_schema();
    if std::env::var_os("PARINDEX_BLESS").is_some() {
        std::fs::write(path, &generated).expect("write schema");
    }
    let committed = std::fs::read_to_string(path).expect("schemas/results.schema.json");
    assert_eq!(
        committed, generated,
        "schemas/results.schema.json is stale: run PARINDEX_BLESS=1 cargo test -p parindex-io"
    );
}

fn sample(plan: &Plan) -> parindex_io::Inputs {
    read_inputs(
        plan,
        &[concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../criteria/samples/binh-thuan-police-commune-2024.csv"
        )],
    )
    .expect("sample reads")
}

#[test]
fn refuses_another_schema_version() {
    let error = ResultsDocument::from_json(r#"{"schema": "parindex-results/2"}"#, "r.json")
        .expect_err("refused");
    assert_eq!(
        error.to_string(),
        "r.json: is a parindex-results/2 document; this parindex reads parindex-results/1"
    );
}

/// Writes a workbook in the template's layout: header at row 5, one sheet per stage.
fn workbook(sheets: &[(&str, Vec<Vec<&str>>)]) -> Vec<u8> {
    let mut wb = Workbook::new();
    for (name, rows) in sheets {
        let ws = wb.add_worksheet();
        ws.set_name(*name).expect("name");
        ws.write_string(0, 0, "title").expect("write");
        for (r, row) in rows.iter().enumerate() {
            for (c, cell) in row.iter().enumerate() {
                let (r, c) = (4 + r as u32, c as u16);
                if let Some(fraction) = cell.strip_prefix('%') {
                    // A percentage typed into Excel: a fraction of 1 in a percent format.
                    let percent = rust_xlsxwriter::Format::new().set_num_format("0.0%");
                    let number = fraction.parse::<f64>().expect("number");
                    ws.write_number_with_format(r, c, number, &percent)
                        .expect("write");
                } else if let Some(number) = cell.strip_prefix('#') {
                    ws.write_number(r, c, number.parse::<f64>().expect("number"))
                        .expect("write");
                } else if !cell.is_empty() {
                    ws.write_string(r, c, *cell).expect("write");
                }
            }
        }
    }
    wb.save_to_buffer().expect("workbook")
}

#[test]
fn xlsx_csv_and_json_give_the_same_scores() {
    let plan = plan(COMMUNE);
    let xlsx = workbook(&[
        (
            "Tự đánh giá",
            vec![
                vec!["unit", "name", "1.1.1", "1.1.4", "1.2.1", "1.1.2"],
                vec!["CAP-01", "Phường Một", "đúng hạn", "%0.875", "11/12", "N/A"],
                vec!["CAX-02", "Xã Hai", "trễ hạn", "#45", "%1", "có"],
            ],
        ),
        (
            "Thẩm định",
            vec![vec!["unit", "1.1.4"], vec!["CAP-01", "#40"]],
        ),
    ]);
    let csv = "unit,name,stage,1.1.1,1.1.4,1.2.1,1.1.2\n\
               CAP-01,Phường Một,self,đúng hạn,87.5%,11/12,N/A\n\
               CAX-02,Xã Hai,Tự đánh giá,trễ hạn,45,100%,có\n\
               CAP-01,,appraisal,,40,,\n";
    let json = r#"{"set": "binh-thuan-police/commune/2024", "units": [
        {"unit": "CAP-01", "name": "Phường Một",
         "values": {"1.1.1": "đúng hạn", "1.1.4": "87.5%", "1.2.1": "11/12", "1.1.2": "N/A"},
         "stages": {"appraisal": {"1.1.4": 40}}},
        {"unit": "CAX-02", "name": "Xã Hai",
         "values": {"1.1.1": "trễ hạn", "1.1.4": 45, "1.2.1": "100%", "1.1.2": true}}
    ]}"#;
    let score = |file: &str, bytes: &[u8]| {
        let mut reader = InputReader::new(&plan);
        reader.read_bytes(file, bytes);
        let inputs = reader.finish().unwrap_or_else(|e| panic!("{file}: {e}"));
        let results = plan.score(&inputs.batch).expect("scores");
        let doc = ResultsDocument::new(&results, &inputs.names);
        doc.units
            .iter()
            .map(|u| {
                (
                    u.unit.clone(),
                    u.name.clone(),
                    u.total.clone(),
                    u.reported_index.clone(),
                    u.nodes.clone(),
                )
            })
            .collect::<Vec<_>>()
    };
    let from_xlsx = score("wards.xlsx", &xlsx);
    let from_csv = score("wards.csv", csv.as_bytes());
    let from_json = score("wards.json", json.as_bytes());
    assert_eq!(from_xlsx, from_csv);
    assert_eq!(from_csv, from_json);
    // 1.1.4: 87.5% at self-assessment, 40% after appraisal: tier x < 50 → 0.
    let node = |units: &[Scored], unit: usize, code: &str| {
        units[unit]
            .4
            .iter()
            .find(|n| n.code == code)
            .map(|n| n.points.clone())
    };
    assert_eq!(node(&from_xlsx, 0, "1.1.4").as_deref(), Some("0"));
    assert_eq!(node(&from_xlsx, 0, "1.1.1").as_deref(), Some("1.5"));
    assert_eq!(node(&from_xlsx, 1, "1.1.4").as_deref(), Some("0"));
    assert_eq!(node(&from_xlsx, 1, "1.2.1").as_deref(), Some("1.5"));
}

#[test]
fn template_reads_back_with_no_units_and_has_its_sheets() {
    let plan = plan("hai-phong/official/2025");
    let bytes = template_xlsx(plan.set()).expect("template");
    let mut wb =
        calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.clone())).expect("opens");
    assert_eq!(
        wb.sheet_names(),
        ["Tự đánh giá", "manager", "authority", "Hướng dẫn"]
    );
    let range = wb.worksheet_range("Tự đánh giá").expect("sheet");
    assert_eq!(range.get_value((4, 0)), Some(&Data::String("unit".into())));
    let first_leaf = plan.leaf_codes().next().expect("a leaf").to_owned();
    let header: Vec<String> = (0..range.width() as u32)
        .filter_map(|c| range.get_value((4, c)).map(ToString::to_string))
        .collect();
    assert!(header.contains(&first_leaf), "{header:?}");
    let mut reader = InputReader::new(&plan);
    reader.read_bytes("mau.xlsx", &bytes);
    assert_eq!(
        reader
            .finish()
            .expect("an empty template is valid")
            .batch
            .units()
            .len(),
        0
    );
}

#[test]
fn results_workbook_reads_back_cell_by_cell() {
    let plan = plan(COMMUNE);
    let inputs = sample(&plan);
    let results = plan.score(&inputs.batch).expect("scores");
    let bytes = results_xlsx(&results, &inputs.names).expect("workbook");
    assert_eq!(
        bytes,
        results_xlsx(&results, &inputs.names).expect("again"),
        "deterministic"
    );
    let mut wb = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes)).expect("opens");
    let names = wb.sheet_names();
    assert_eq!(names[0], "Xếp hạng");
    assert!(names.contains(&"Chi tiết".to_owned()));
    assert!(names.contains(&"Chênh lệch giai đoạn".to_owned()));
    assert!(names.contains(&"Cảnh báo".to_owned()));
    assert!(names.contains(&"Lĩnh vực CCHC".to_owned()));
    assert_eq!(names.len(), 5 + 7, "{names:?}");
    let ranking = wb.worksheet_range("Xếp hạng").expect("ranking");
    let headers: Vec<String> = (0..7)
        .map(|c| {
            ranking
                .get_value((3, c))
                .map(ToString::to_string)
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(
        headers,
        [
            "Hạng",
            "Mã đơn vị",
            "Tên đơn vị",
            "Điểm đạt",
            "Điểm tối đa",
            "Chỉ số",
            "Xếp loại"
        ]
    );
    for (r, card) in parindex_io::ranking_order(&results).iter().enumerate() {
        let row = 4 + r as u32;
        assert_eq!(
            ranking.get_value((row, 0)),
            Some(&Data::Float(f64::from(card.rank.expect("ranked"))))
        );
        assert_eq!(
            ranking.get_value((row, 1)),
            Some(&Data::String(card.unit.clone()))
        );
        assert_eq!(
            ranking.get_value((row, 2)).map(ToString::to_string),
            inputs.names.get(&card.unit).cloned()
        );
        let total: f64 = card.total.to_string().parse().expect("f64");
        assert_eq!(ranking.get_value((row, 3)), Some(&Data::Float(total)));
        let index: f64 = card
            .reported_index
            .expect("index")
            .to_string()
            .parse()
            .expect("f64");
        assert_eq!(ranking.get_value((row, 5)), Some(&Data::Float(index)));
        let band = ranking
            .get_value((row, 6))
            .map(ToString::to_string)
            .unwrap_or_default();
        assert!(
            band.starts_with(card.band.as_deref().expect("band")),
            "{band}"
        );
    }
    let detail = wb.worksheet_range("Chi tiết").expect("detail");
    assert_eq!(detail.height(), 1 + 30 * plan.set().nodes.len());
    let first = &results.units[0];
    let line = first.explain().lines.into_iter().nth(2).expect("a line");
    assert_eq!(
        detail.get_value((3, 0)),
        Some(&Data::String(first.unit.clone()))
    );
    assert_eq!(
        detail.get_value((3, 1)),
        Some(&Data::String(line.code.clone()))
    );
    assert_eq!(
        detail.get_value((3, 9)),
        Some(&Data::String(line.reason.clone()))
    );
    let warnings = wb.worksheet_range("Cảnh báo").expect("warnings");
    assert_eq!(warnings.height(), 1 + results.warnings.len());
}

// One test per kind of bad input file, each with the message the user sees.

#[test]
fn bad_value_in_a_csv_cell() {
    let plan = plan(COMMUNE);
    assert_eq!(
        errors(
            &plan,
            "wards.csv",
            "unit,1.1.4,1.1.2\nCAP-01,\"1,500%\",maybe\n".as_bytes()
        ),
        [
            "wards.csv:2:8: 1.1.4: \"1,500%\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)",
            "wards.csv:2:17: 1.1.2: \"maybe\" is not yes or no (write có/không, yes/no or 1/0)",
        ]
    );
}

#[test]
fn bad_value_in_a_workbook_cell() {
    let plan = plan(COMMUNE);
    let rows = vec![
        vec!["unit", "name", "1.1.1", "1.1.2", "1.1.3", "1.1.4"],
        vec!["CAP-01", "", "đúng hạn", "có", "có", "1,500%"],
    ];
    let bytes = workbook(&[("Tự đánh giá", rows)]);
    assert_eq!(
        errors(&plan, "wards.xlsx", &bytes),
        [
            "wards.xlsx: sheet \"Tự đánh giá\", cell F6 (1.1.4): \"1,500%\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)"
        ]
    );
}

#[test]
fn unknown_code_and_parent_code_columns() {
    let plan = plan(COMMUNE);
    assert_eq!(
        errors(
            &plan,
            "wards.csv",
            "unit,9.9.9,1.1\nCAP-01,có,1\n".as_bytes()
        ),
        [
            "wards.csv:1:6: column \"9.9.9\" is not a criterion or an attribute of this set",
            "wards.csv:1:12: column \"1.1\" is scored from its sub-criteria; give values for those",
        ]
    );
}

#[test]
fn duplicate_unit() {
    let plan = plan(COMMUNE);
    assert_eq!(
        errors(
            &plan,
            "wards.csv",
            "unit,1.1.2\nCAP-01,có\nCAP-01,không\n".as_bytes()
        ),
        ["wards.csv:3:1: unit \"CAP-01\" appears twice at stage self (first at wards.csv:2)"]
    );
}

#[test]
fn bad_encoding() {
    let plan = plan(COMMUNE);
    // "có" in Windows-1258 is 0x63 0xF3.
    assert_eq!(
        errors(&plan, "wards.csv", b"unit,1.1.2\nCAP-01,c\xF3\n"),
        [
            "wards.csv:2:9: not UTF-8 text (perhaps Windows-1258 or TCVN3): save the file as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")"
        ]
    );
    assert_eq!(
        errors(&plan, "wards.csv", b"\xFF\xFEu\x00"),
        ["wards.csv: is UTF-16 text: save it as UTF-8 (in Excel: \"CSV UTF-8 (Comma delimited)\")"]
    );
    // A byte-order mark is fine.
    assert!(
        errors(
            &plan,
            "wards.csv",
            "\u{feff}unit,1.1.2\nCAP-01,có\n".as_bytes()
        )
        .is_empty()
    );
}

#[test]
fn missing_unit_column() {
    let plan = plan(COMMUNE);
    assert_eq!(
        errors(&plan, "wards.csv", "id,1.1.2\nCAP-01,có\n".as_bytes()),
        [
            "wards.csv:1:1: no \"unit\" column: the header row must name the column of unit ids \"unit\", then the criteria codes"
        ]
    );
}

#[test]
fn unknown_stage() {
    let plan = plan(COMMUNE);
    assert_eq!(
        errors(
            &plan,
            "wards.csv",
            "unit,stage,1.1.2\nCAP-01,review,có\n".as_bytes()
        ),
        [
            "wards.csv:2:8: \"review\" is not a stage of this set (self (Tự đánh giá), appraisal (Thẩm định))"
        ]
    );
    let rows = || vec![vec!["unit", "1.1.2"], vec!["CAP-01", "có"]];
    let bytes = workbook(&[("Tự đánh giá", rows()), ("Sheet2", rows())]);
    assert_eq!(
        errors(&plan, "wards.xlsx", &bytes),
        [
            "wards.xlsx: sheet \"Sheet2\" is not a stage of this set: name each sheet after its stage (\"Tự đánh giá\", \"Thẩm định\"), or add a \"stage\" column"
        ]
    );
}

#[test]
fn long_layout_problems() {
    let plan = plan(COMMUNE);
    let text = "unit,code,value,stage,evidence,note\n\
                CAP-01,1.1.2,có,self,QĐ 12/2024,\n\
                CAP-01,1.1.2,không,self,,\n\
                CAP-01,7.7,có,self,,\n";
    assert_eq!(
        errors(&plan, "long.csv", text.as_bytes()),
        [
            "long.csv:3:8: 1.1.2: unit \"CAP-01\" has a second value for 1.1.2 at stage self (first at long.csv:2)",
            "long.csv:4:8: \"7.7\" is not a criterion or an attribute of this set",
        ]
    );
}

#[test]
fn excel_turns_ratios_into_dates_and_errors_are_refused() {
    let plan = plan(COMMUNE);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Tự đánh giá").expect("name");
    ws.write_string(0, 0, "unit").expect("w");
    ws.write_string(0, 1, "1.2.1").expect("w");
    ws.write_string(1, 0, "CAP-01").expect("w");
    let date = rust_xlsxwriter::ExcelDateTime::from_ymd(2024, 6, 5).expect("date");
    let format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    ws.write_datetime_with_format(1, 1, &date, &format)
        .expect("w");
    let bytes = wb.save_to_buffer().expect("saves");
    assert_eq!(
        errors(&plan, "wards.xlsx", &bytes),
        [
            "wards.xlsx: sheet \"Tự đánh giá\", cell B2 (1.2.1): Excel turned this cell into the date 05/06/2024: if it is a ratio such as 5/6, type it as text ('5/6) or as a percentage"
        ]
    );
}

#[test]
fn every_problem_of_a_file_in_one_run() {
    let plan = plan(COMMUNE);
    let text = "unit,1.1.2,1.1.4\nA,maybe,\nB,,120\n,có,\nA,có,\n";
    assert_eq!(errors(&plan, "w.csv", text.as_bytes()).len(), 4);
}

#[test]
fn json_input_problems() {
    let plan = plan(COMMUNE);
    assert_eq!(
        errors(&plan, "w.json", br#"{"units": [{"unit": "A", "values": {"1.1.4": "1,500%"}, "stages": {"review": {}}}]}"#),
        [
            "w.json: unit A: \"review\" is not a stage of this set (self (Tự đánh giá), appraisal (Thẩm định))",
            "w.json: unit A, 1.1.4: \"1,500%\" could be 1.500 or 1500: write it with a decimal point (1.500) or without a separator (1500)",
        ]
    );
    assert_eq!(
        errors(&plan, "w.json", b"{\"units\": [\n  {\"unit\": }\n]}"),
        ["w.json:2:12: not valid JSON: expected value at line 2 column 12"]
    );
}

#[test]
fn names_are_kept() {
    let plan = plan(COMMUNE);
    let inputs = sample(&plan);
    assert_eq!(
        inputs.names.get("CAP-PHU-THUY").map(String::as_str),
        Some("Công an phường Phú Thủy")
    );
    let _: &BTreeMap<String, String> = &inputs.names;
}

/// A set of one area and `leaves` yes-no leaves.
fn wide_set(leaves: usize) -> parindex_core::CriteriaSet {
    let mut text = format!(
        "[set]\nformat = 1\nid = \"tests/wide/2024\"\ntitle = \"Wide\"\nlevel = \"commune\"\nyear = 2024\nlanguage = \"en\"\nmax = {leaves}\n[origin]\nauthority = \"parindex tests\"\nsource = \"generated\"\nstatus = \"example\"\n[[node]]\ncode = \"1\"\nname = \"All\"\nmax = {leaves}\n"
    );
    for n in 1..=leaves {
        text.push_str(&format!(
            "[[node]]\ncode = \"1.{n}\"\nname = \"Row {n}\"\nmax = 1\nrule = {{ kind = \"yes-no\" }}\n"
        ));
    }
    parindex_core::CriteriaSet::from_toml(&text, "wide.toml")
        .expect("loads")
        .set
}

#[test]
fn a_detail_longer_than_a_sheet_runs_over_more_sheets() {
    let set = wide_set(1_999);
    let plan = parindex_core::Plan::new(&set);
    let mut batch = parindex_core::Batch::new(&plan);
    // 524 units of 2,000 nodes fit in the 1,048,575 rows below the header; 525 do not.
    for n in 0..524 {
        batch.add_unit(&format!("U{n}"), []).expect("unit");
    }
    assert_eq!(
        parindex_io::detail_sheets(&plan.score(&batch).expect("scores")),
        1
    );
    batch.add_unit("U524", []).expect("unit");
    assert_eq!(
        parindex_io::detail_sheets(&plan.score(&batch).expect("scores")),
        2
    );
}

#[test]
fn the_summary_is_the_same_on_any_number_of_threads() {
    // The division sample's units, copied under new ids past the count from which the summary
    // is written on several threads, with names, so that every column is filled.
    let plan = plan("binh-thuan-police/division-procedures/2024");
    let sample = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../criteria/samples/binh-thuan-police-division-procedures-2024.csv"
    ))
    .expect("sample");
    let mut lines = sample.lines();
    let mut text = format!("{}\n", lines.next().expect("header"));
    let rows: Vec<&str> = lines.filter(|l| !l.trim().is_empty()).collect();
    let copies = 5000 / rows.len() + 1;
    for k in 0..copies {
        for row in &rows {
            let (unit, rest) = row.split_once(',').expect("a unit id");
            text.push_str(&format!("{unit}-{k},{rest}\n"));
        }
    }
    let mut reader = InputReader::new(&plan);
    reader.read_bytes("units.csv", text.as_bytes());
    let inputs = reader.finish().expect("reads");
    let results = plan.score(&inputs.batch).expect("scores");
    assert!(results.units.len() >= 5000);
    let csv = parindex_io::summary_csv(&results, &inputs.names);
    let table = parindex_io::summary_table(&results, &inputs.names);
    assert_eq!(csv.lines().count(), results.units.len() + 1);
    for threads in [2, 3, 8] {
        let many = parindex_io::summary_csv_with_threads(&results, &inputs.names, threads);
        assert!(many == csv, "the CSV on {threads} threads differs");
        let many = parindex_io::summary_table_with_threads(&results, &inputs.names, threads);
        assert!(many == table, "the table on {threads} threads differs");
        let mut written = Vec::new();
        parindex_io::write_summary_csv_with_threads(&results, &inputs.names, threads, &mut written)
            .expect("written to memory");
        assert!(
            written == csv.as_bytes(),
            "the CSV written on {threads} threads differs"
        );
    }
    // A writer that fails part way stops the rows and gives its error.
    struct Full(usize);
    impl std::io::Write for Full {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            if self.0 == 0 {
                return Err(std::io::Error::other("the disk is full"));
            }
            self.0 -= 1;
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let error = parindex_io::write_summary_csv_with_threads(&results, &inputs.names, 2, Full(1))
        .expect_err("the second part fails");
    assert_eq!(error.to_string(), "the disk is full");
}
