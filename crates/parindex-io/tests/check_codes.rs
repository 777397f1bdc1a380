//! A refused value carries a stable check code naming what its criterion takes, whatever the
//! door, so that a front end can word it in its own language.

use parindex_core::{Plan, shipped};
use parindex_io::{CellValue, Grid, InputReader};

fn refusals(columns: Vec<(&str, CellValue)>) -> Vec<(Option<String>, Option<&'static str>)> {
    let plan = Plan::new(
        &shipped::load("binh-thuan-police/commune/2024")
            .expect("set")
            .set,
    );
    let mut cells = vec![("unit".to_owned(), vec![CellValue::Text("CAP-01".into())])];
    cells.extend(columns.into_iter().map(|(c, v)| (c.to_owned(), vec![v])));
    let mut reader = InputReader::new(&plan);
    reader.read_grid(Grid::from_columns("<rows>", cells).expect("grid"));
    let error = reader.finish().expect_err("refused");
    error
        .problems
        .iter()
        .map(|p| (p.code.clone(), p.check))
        .collect()
}

#[test]
fn each_kind_of_refused_value_has_its_code() {
    let text = |t: &str| CellValue::Text(t.into());
    let got = refusals(vec![
        // 1.1.4 takes a percentage or a ratio; 1.1.2 a printed answer (yes/no); 1.1.1 a
        // date or an outcome (on time, late); 1.5.1 a count.
        ("1.1.4", text("bảy phần chín")),
        ("1.1.2", text("có lẽ")),
        ("1.1.1", text("sớm")),
        ("1.5.1", text("nhiều")),
        ("1.3.1", CellValue::Error("#N/A".to_owned())),
        (
            "1.2.2",
            CellValue::Date {
                year: 2024,
                month: 3,
                day: 1,
            },
        ),
    ]);
    let want = [
        ("1.1.4", "value-percent"),
        ("1.1.2", "value-answer"),
        ("1.1.1", "value-date"),
        ("1.5.1", "value-number"),
        ("1.3.1", "value-excel-error"),
        ("1.2.2", "value-date-cell"),
    ];
    for (code, check) in want {
        assert!(
            got.contains(&(Some(code.to_owned()), Some(check))),
            "{code} should be refused as {check}: {got:?}"
        );
    }
}

#[test]
fn problems_that_are_not_a_refused_value_have_no_code() {
    let plan = Plan::new(
        &shipped::load("binh-thuan-police/commune/2024")
            .expect("set")
            .set,
    );
    let mut reader = InputReader::new(&plan);
    reader.read_bytes("units.csv", b"unit,9.9.9\nCAP-01,1\n");
    let error = reader.finish().expect_err("refused");
    assert!(error.problems.iter().all(|p| p.check.is_none()), "{error}");
}
