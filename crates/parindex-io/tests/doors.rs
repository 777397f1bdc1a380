//! The doors agree: the same units, written as a wide CSV, a long CSV, a workbook with typed
//! cells, JSON and an in-memory grid (the Python package's door), give the same results
//! document byte for byte, or the same problems at the same unit and criterion.
//!
//! Every shipped set is tried with random units: every kind of value each rule accepts (tier
//! edges, dates, level labels, decomposed Vietnamese, N/A, missing), two stages, attributes
//! and names. A door added to parindex joins this test; the round server's door, which needs a
//! running server, is in `crates/parindex-server/tests/door.rs` and uses the same random units
//! (`random_units/`).

use parindex_core::{Branch, SurveyRule};
use parindex_core::{Plan, Rule, SurveyMode, shipped};
use parindex_io::{
    CellValue, Grid, Place, ReadError, ReadOptions, RecordSource, RecordSources, Round, RoundError,
    stage_label, write_results_json,
};
use proptest::prelude::*;

mod random_units;
use random_units::{Lcg, UnitInputs, csv_line, plans, units, wide_csv, wide_header, wide_rows};

/// Raw survey answers for one survey leaf of the set, when it has one, with that leaf's typed
/// values taken out of the first stage: the same records file goes with every door.
fn survey_answers(plan: &Plan, units: &mut [UnitInputs], seed: u64) -> Option<RecordSources> {
    let mut rng = Lcg(seed ^ 0x5eed);
    let item = plan
        .set()
        .leaves()
        .find(|n| {
            matches!(&n.rule, Some(Rule::Survey(SurveyRule { mode: SurveyMode::Share { .. }, satisfied, .. })) if satisfied.is_empty())
        })?
        .code
        .clone();
    let mut text = String::from("unit,item,answer\n");
    for unit in units.iter_mut() {
        unit.stages[0].retain(|(code, _)| *code != item);
        for _ in 0..(1 + rng.next() % 12) {
            let answer = rng.pick(&["có", "không"]);
            text.push_str(&format!("{},{item},{answer}\n", unit.id));
        }
    }
    Some(RecordSources {
        survey: Some(RecordSource::Bytes(
            "survey.csv".to_owned(),
            text.into_bytes(),
        )),
        ..RecordSources::default()
    })
}

fn long_csv(plan: &Plan, units: &[UnitInputs]) -> String {
    let header = ["unit", "name", "stage", "code", "value"].map(String::from);
    let mut text = csv_line(&header);
    for unit in units {
        let row = |stage: &str, code: &str, value: &str| {
            csv_line(&[&unit.id, &unit.name, stage, code, value].map(|s| s.to_string()))
        };
        let before = text.len();
        for (name, value) in &unit.attributes {
            text.push_str(&row("", name, value));
        }
        for (stage, values) in unit.stages.iter().enumerate() {
            let stage = &plan.set().policy.stages[stage];
            for (code, value) in values {
                text.push_str(&row(stage, code, value));
            }
        }
        if text.len() == before || unit.stages[0].is_empty() {
            // A row that only names the unit, as the wide layout's empty row does.
            text.push_str(&row("", "", ""));
        }
    }
    text
}

/// A text as the typed cell a spreadsheet or a frame would hold: plain decimals as floats,
/// dd/mm/yyyy as dates, everything else as text.
fn typed(text: &str) -> CellValue {
    if text.is_empty() {
        return CellValue::Empty;
    }
    let plain = text.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && !text.starts_with('.')
        && text.len() < 15;
    if plain {
        if let Ok(x) = text.parse::<f64>() {
            return CellValue::Number(x);
        }
    }
    let parts: Vec<&str> = text.split('/').collect();
    if parts.len() == 3 && parts[2].len() == 4 {
        if let (Ok(day), Ok(month), Ok(year)) =
            (parts[0].parse(), parts[1].parse(), parts[2].parse())
        {
            return CellValue::Date { year, month, day };
        }
    }
    CellValue::Text(text.into())
}

fn xlsx(plan: &Plan, units: &[UnitInputs]) -> Vec<u8> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let header = wide_header(plan);
    let rows = wide_rows(plan, units);
    let date_format = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy");
    for name in &plan.set().policy.stages {
        let sheet = workbook.add_worksheet();
        sheet.set_name(stage_label(name)).expect("sheet name");
        // The sheet names the stage: no stage column.
        let columns: Vec<usize> = (0..header.len()).filter(|i| *i != 2).collect();
        for (c, i) in columns.iter().enumerate() {
            sheet
                .write_string(0, c as u16, &header[*i])
                .expect("header");
        }
        for (r, row) in (1u32..).zip(rows.iter().filter(|row| row[2] == *name)) {
            for (c, i) in columns.iter().enumerate() {
                let c = c as u16;
                match typed(&row[*i]) {
                    CellValue::Empty => {}
                    CellValue::Number(x) => {
                        sheet.write_number(r, c, x).expect("number");
                    }
                    CellValue::Date { year, month, day } => {
                        let date = rust_xlsxwriter::ExcelDateTime::from_ymd(
                            year as u16,
                            month as u8,
                            day as u8,
                        )
                        .expect("date");
                        sheet
                            .write_datetime_with_format(r, c, &date, &date_format)
                            .expect("date");
                    }
                    _ => {
                        sheet.write_string(r, c, &row[*i]).expect("text");
                    }
                }
            }
        }
    }
    workbook.save_to_buffer().expect("workbook")
}

fn json(plan: &Plan, units: &[UnitInputs]) -> String {
    let value = |text: &str| match typed(text) {
        CellValue::Number(x) => serde_json::json!(x),
        _ => serde_json::json!(text),
    };
    let units: Vec<serde_json::Value> = units
        .iter()
        .map(|unit| {
            let values: serde_json::Map<String, serde_json::Value> = unit.stages[0]
                .iter()
                .map(|(code, text)| (code.clone(), value(text)))
                .collect();
            let mut stages = serde_json::Map::new();
            for (stage, values) in unit.stages.iter().enumerate().skip(1) {
                if !values.is_empty() {
                    let values: serde_json::Map<String, serde_json::Value> = values
                        .iter()
                        .map(|(code, text)| (code.clone(), value(text)))
                        .collect();
                    stages.insert(plan.set().policy.stages[stage].clone(), values.into());
                }
            }
            let attributes: serde_json::Map<String, serde_json::Value> = unit
                .attributes
                .iter()
                .map(|(name, text)| (name.clone(), serde_json::json!(text)))
                .collect();
            serde_json::json!({
                "unit": unit.id, "name": unit.name, "attributes": attributes,
                "values": values, "stages": stages,
            })
        })
        .collect();
    serde_json::json!({ "set": plan.set().info.id, "units": units }).to_string()
}

/// The grid the Python package hands over for a frame: one column of typed cells per header.
fn frame(plan: &Plan, units: &[UnitInputs]) -> Grid {
    let header = wide_header(plan);
    let rows = wide_rows(plan, units);
    let columns = header
        .iter()
        .enumerate()
        .map(|(i, name)| (name.clone(), rows.iter().map(|r| typed(&r[i])).collect()))
        .collect();
    Grid::from_columns("<DataFrame>", columns).expect("grid")
}

/// The results document's bytes, or each problem as (unit, criterion, data row, message).
type Outcome = Result<String, Vec<(Option<String>, Option<String>, Option<usize>, String)>>;

/// The data row (from 1, below the header) that a problem names, for the doors whose rows are
/// the wide rows: the CSV file's line less its header, the frame's row. Workbooks spread the
/// stages over sheets, and JSON names units: those name no row.
fn row_of(place: &Place) -> Option<usize> {
    match place {
        Place::Line { line, .. } => Some(line - 1),
        Place::Row { row, .. } => Some(*row),
        Place::Cell { .. } | Place::Json(_) | Place::File => None,
    }
}

fn outcome(plan: &Plan, records: &Option<RecordSources>, read: impl FnOnce(&mut Round)) -> Outcome {
    let mut round = Round::new(plan, ReadOptions::default());
    read(&mut round);
    if let Some(records) = records {
        round.set_records(records.clone());
    }
    match round.score() {
        Ok(scored) => {
            let mut bytes = Vec::new();
            write_results_json(&scored.results, &scored.inputs.names, true, &mut bytes)
                .expect("written");
            Ok(String::from_utf8(bytes).expect("UTF-8"))
        }
        Err(RoundError::Input(ReadError { problems, .. })) => Err(problems
            .into_iter()
            .map(|p| (p.unit, p.code, row_of(&p.place), p.message))
            .collect()),
        Err(other) => panic!("not an input problem: {other}"),
    }
}

/// Every door's outcome for the same units.
fn through_every_door(
    plan: &Plan,
    units: &[UnitInputs],
    records: &Option<RecordSources>,
) -> Vec<(&'static str, Outcome)> {
    let wide = wide_csv(plan, units);
    let long = long_csv(plan, units);
    let book = xlsx(plan, units);
    let json = json(plan, units);
    let r = records;
    vec![
        (
            "wide CSV",
            outcome(plan, r, |r| r.read_bytes("units.csv", wide.as_bytes())),
        ),
        (
            "frame",
            outcome(plan, r, |r| r.read_grid(frame(plan, units))),
        ),
        (
            "long CSV",
            outcome(plan, r, |r| r.read_bytes("units.csv", long.as_bytes())),
        ),
        (
            "xlsx",
            outcome(plan, r, |r| r.read_bytes("units.xlsx", &book)),
        ),
        (
            "JSON",
            outcome(plan, r, |r| r.read_bytes("units.json", json.as_bytes())),
        ),
    ]
}

/// Two outcomes agree: the same document, or the same problems at the same unit and
/// criterion. (Rows are compared between the file and the frame, whose rows are the same.)
fn agree(a: &Outcome, b: &Outcome) -> bool {
    match (a, b) {
        (Ok(x), Ok(y)) => x == y,
        (Err(x), Err(y)) => {
            x.len() == y.len()
                && x.iter()
                    .zip(y)
                    .all(|(p, q)| (&p.0, &p.1, &p.3) == (&q.0, &q.1, &q.3))
        }
        _ => false,
    }
}

fn assert_doors_agree(
    plan: &Plan,
    units: &[UnitInputs],
    records: &Option<RecordSources>,
) -> Result<Outcome, TestCaseError> {
    let outcomes = through_every_door(plan, units, records);
    let (first, expected) = &outcomes[0];
    // The frame names the same rows as the file, always.
    prop_assert_eq!(
        &outcomes[1].1,
        expected,
        "the frame and the CSV file disagree"
    );
    for (door, got) in &outcomes[1..] {
        if !agree(got, expected) {
            // Where the two first differ, rather than two whole documents.
            let (a, b) = (format!("{expected:?}"), format!("{got:?}"));
            let at = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
            let context = |t: &str| {
                t.chars()
                    .skip(at.saturating_sub(200))
                    .take(400)
                    .collect::<String>()
            };
            prop_assert!(
                false,
                "{} and {} disagree for {}:\n{}: …{}…\n{}: …{}…",
                door,
                first,
                plan.set().info.id,
                first,
                context(&a),
                door,
                context(&b)
            );
        }
    }
    Ok(expected.clone())
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 12,
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn every_door_gives_the_same_results(seed in any::<u64>()) {
        for plan in plans() {
            let mut units = units(&plan, seed, false);
            let records = if seed % 2 == 0 { survey_answers(&plan, &mut units, seed) } else { None };
            let outcome = assert_doors_agree(&plan, &units, &records)?;
            // The document is a real result, not an agreement on a refusal.
            prop_assert!(outcome.is_ok(), "{}: {:?}", plan.set().info.id, outcome);
        }
    }

    #[test]
    fn every_door_refuses_the_same_cell(seed in any::<u64>()) {
        for plan in plans() {
            let units = units(&plan, seed, true);
            let outcome = assert_doors_agree(&plan, &units, &None)?;
            prop_assert!(outcome.is_err(), "{}: a refused value was accepted", plan.set().info.id);
        }
    }
}

/// Units laid out in a wide CSV file, for the regression tests below.
fn score_csv(plan: &Plan, text: &str) -> Outcome {
    outcome(plan, &None, |r| r.read_bytes("units.csv", text.as_bytes()))
}

fn score_grid(plan: &Plan, columns: Vec<(&str, Vec<CellValue>)>) -> Outcome {
    let columns = columns
        .into_iter()
        .map(|(name, cells)| (name.to_owned(), cells))
        .collect();
    let grid = Grid::from_columns("<rows>", columns).expect("grid");
    outcome(plan, &None, |r| r.read_grid(grid))
}

fn text(t: &str) -> CellValue {
    CellValue::Text(t.into())
}

fn commune() -> Plan {
    Plan::new(
        &shipped::load("binh-thuan-police/commune/2024")
            .expect("shipped")
            .set,
    )
}

#[test]
fn a_fraction_on_a_percent_criterion_is_refused_not_read_as_under_one_percent() {
    let plan = commune();
    let refused = score_grid(
        &plan,
        vec![
            ("unit", vec![text("A")]),
            ("1.1.4", vec![CellValue::Number(0.875)]),
        ],
    );
    let problems = refused.expect_err("0.875 is ambiguous");
    assert_eq!(problems[0].1.as_deref(), Some("1.1.4"));
    assert!(
        problems[0].3.starts_with("\"0.875\" is ambiguous: write 87.5% if it is a fraction of 1, or 0.875% if it is under one percent"),
        "{}",
        problems[0].3
    );
    // Declared once, the scale reads the fraction as the percentage it is.
    let declared = |cell: CellValue| {
        let grid = Grid::from_columns(
            "<rows>",
            vec![
                ("unit".to_owned(), vec![text("A")]),
                ("1.1.4".to_owned(), vec![cell]),
            ],
        )
        .expect("grid");
        let mut round = Round::new(
            &plan,
            ReadOptions {
                percents: parindex_io::PercentScale::Fraction,
            },
        );
        round.read_grid(grid);
        round.score().map(|s| s.results.units[0].points("1.1.4"))
    };
    let as_percent = score_csv(&plan, "unit,1.1.4\nA,87.5%\n").expect("scores");
    let fraction = declared(CellValue::Number(0.875)).expect("scores");
    assert!(as_percent.contains("\"seen\":\"87.5\""), "{as_percent}");
    assert_eq!(fraction, declared(text("87.5%")).expect("scores"));
}

#[test]
fn a_float_artefact_is_read_as_excel_shows_it() {
    let plan = commune();
    let artefact = score_grid(
        &plan,
        vec![
            ("unit", vec![text("A")]),
            ("1.2.1", vec![CellValue::Number(100.0 * (0.1 + 0.2) + 57.0)]),
        ],
    );
    let typed = score_csv(&plan, "unit,1.2.1\nA,87\n");
    assert_eq!(artefact, typed);
}

#[test]
fn decomposed_vietnamese_reads_as_composed() {
    let plan = commune();
    let composed = score_csv(&plan, "unit,1.1.2,1.1.1\nA,có,đúng hạn\n");
    let decomposed = score_csv(
        &plan,
        "unit,1.1.2,1.1.1\nA,co\u{301},đu\u{301}ng ha\u{323}n\n",
    );
    assert!(composed.is_ok(), "{composed:?}");
    assert_eq!(composed, decomposed);
}

#[test]
fn the_four_cases_where_the_python_reader_disagreed() {
    let plan = commune();
    // Evidence given as a file name counts as attached, in a file and in memory.
    let file = score_csv(&plan, "unit,code,value,evidence\nA,1.1.2,có,x.pdf\n");
    let rows = score_grid(
        &plan,
        vec![
            ("unit", vec![text("A")]),
            ("code", vec![text("1.1.2")]),
            ("value", vec![text("có")]),
            ("evidence", vec![text("x.pdf")]),
        ],
    );
    assert!(file.is_ok(), "{file:?}");
    assert_eq!(file, rows);
    // A stage named by its Vietnamese label.
    let file = score_csv(&plan, "unit,stage,1.1.2\nA,Thẩm định,có\n");
    let rows = score_grid(
        &plan,
        vec![
            ("unit", vec![text("A")]),
            ("stage", vec![text("Thẩm định")]),
            ("1.1.2", vec![text("có")]),
        ],
    );
    assert!(file.is_ok(), "{file:?}");
    assert_eq!(file, rows);
    // A header written `Unit`.
    let file = score_csv(&plan, "Unit,1.1.2\nA,có\n");
    let rows = score_grid(
        &plan,
        vec![("Unit", vec![text("A")]), ("1.1.2", vec![text("có")])],
    );
    assert!(file.is_ok(), "{file:?}");
    assert_eq!(file, rows);
    // A `ranked` column in the long layout: an attribute column, accepted by both.
    let file = score_csv(
        &plan,
        "unit,code,value,ranked\nA,1.1.2,có,không\nB,1.1.2,có,\n",
    );
    let rows = score_grid(
        &plan,
        vec![
            ("unit", vec![text("A"), text("B")]),
            ("code", vec![text("1.1.2"), text("1.1.2")]),
            ("value", vec![text("có"), text("có")]),
            ("ranked", vec![text("không"), CellValue::Empty]),
        ],
    );
    let document = file.clone().expect("scores");
    assert!(
        document.contains("\"rank\":null"),
        "A is not ranked: {document}"
    );
    assert_eq!(file, rows);
}

#[test]
fn validate_refuses_what_score_refuses_with_its_place() {
    let plans = plans();
    let Some(plan) = plans.last() else {
        return;
    };
    // A value the branch's rules refuse is only found when scoring, where the unit's
    // attributes pick the case; the problem is still located at its cell.
    let branch = plan
        .set()
        .leaves()
        .find(|n| matches!(n.rule, Some(Rule::Branch(Branch { .. }))))
        .map(|n| n.code.clone())
        .expect("the fixture has a branch");
    let text = format!("unit,kind,has_plan,{branch}\nA,ward,có,11/10\n");
    for check in [true, false] {
        let mut round = Round::new(plan, ReadOptions::default());
        round.read_bytes("units.csv", text.as_bytes());
        let error = if check {
            round.validate().map(|_| ()).expect_err("refused")
        } else {
            round.score().map(|_| ()).expect_err("refused")
        };
        assert_eq!(
            error.to_string(),
            format!("units.csv:2:11: {branch}: unit A: \"11/10\" is outside 0–100%")
        );
    }
}

#[test]
fn a_value_in_a_printed_tier_gap_is_refused_at_its_place_by_every_door() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../tests/bad/criteria/tier-gap.toml"
    ))
    .expect("the corpus file")
        + "\n[[acknowledge]]\ncode = \"1.2\"\ncheck = \"tier-gap\"\nnote = \"Printed with a gap.\"\n";
    let loaded = parindex_core::CriteriaSet::from_toml(&text, "gap.toml").expect("acknowledged");
    let plan = Plan::new(&loaded.set);
    let refused = |file: &str, bytes: &[u8]| {
        let mut round = Round::new(&plan, ReadOptions::default());
        round.read_bytes(file, bytes);
        round
            .validate()
            .map(|_| ())
            .expect_err("in the gap")
            .to_string()
    };
    let csv = refused("units.csv", b"unit,1.2\nA,55\n");
    let json = refused(
        "units.json",
        br#"{"units": [{"unit": "A", "values": {"1.2": 55}}]}"#,
    );
    assert!(csv.starts_with("units.csv:2:3: 1.2: "), "{csv}");
    assert!(json.starts_with("units.json: unit A, 1.2: "), "{json}");
    assert_eq!(
        csv["units.csv:2:3: ".len()..],
        json["units.json: unit A, ".len()..]
    );
    assert!(csv.contains("55"), "{csv}");
}

/// Rows are read on several threads in blocks; what is read, and every problem in its order,
/// is the same as on one thread: for every shipped set and the set of every rule kind, over
/// enough units that blocks are shared out, clean, and with refused cells and a unit given
/// twice among them.
#[test]
fn reading_on_several_threads_gives_what_one_thread_gives() {
    for (p, plan) in plans().iter().enumerate() {
        let id = &plan.set().info.id;
        let many = |corrupt: bool| {
            let mut all = Vec::new();
            for seed in 0..150u64 {
                let seed = seed * 7919 + p as u64;
                for mut unit in units(plan, seed, corrupt && seed % 37 == 5) {
                    unit.id = format!("U-{seed:06}-{}", unit.id);
                    all.push(unit);
                }
            }
            all
        };
        let read = |text: &str, threads: usize| {
            outcome(plan, &None, |round| {
                round.set_threads(threads);
                round.read_bytes("units.csv", text.as_bytes());
            })
        };
        let clean = wide_csv(plan, &many(false));
        let scored = read(&clean, 1);
        assert!(scored.is_ok(), "{id}: {scored:?}");
        assert_eq!(scored, read(&clean, 2), "{id}");
        let units = many(true);
        let mut broken = wide_csv(plan, &units);
        // A unit given twice, far down the file.
        broken.push_str(&csv_line(&wide_rows(plan, &units[..1])[0]));
        let refused = read(&broken, 1);
        assert!(
            matches!(&refused, Err(problems) if problems.len() > 2),
            "{id}: {refused:?}"
        );
        assert_eq!(refused, read(&broken, 2), "{id}");
        assert_eq!(refused, read(&broken, 3), "{id}");
    }
}
