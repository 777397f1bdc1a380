//! `parindex test`: a set checked against units worked out by hand, as a province checks its
//! own transcription.

mod common;

use common::{COMMUNE, parindex};
use predicates::prelude::*;

fn golden() -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../tests/golden/binh-thuan-police/commune/2024/units.toml"),
    )
    .expect("golden units")
}

fn units_file(dir: &tempfile::TempDir, text: &str) -> std::path::PathBuf {
    let path = dir.path().join("units.toml");
    std::fs::write(&path, text).expect("written");
    path
}

#[test]
fn the_shipped_golden_units_match() {
    let dir = tempfile::tempdir().expect("dir");
    parindex()
        .args(["test", COMMUNE])
        .arg(units_file(&dir, &golden()))
        .assert()
        .success()
        .stdout(predicate::str::contains(
            "4 units, 145 figures compared, 0 mismatches",
        ));
}

/// `parindex test` fails on a units file, saying `message`.
fn fails_saying(path: &std::path::Path, message: &str) -> assert_cmd::assert::Assert {
    parindex()
        .args(["test", COMMUNE])
        .arg(path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(message))
}

#[test]
fn a_wrong_figure_is_named_with_its_unit_and_node() {
    let dir = tempfile::tempdir().expect("dir");
    // The hand says 58.5 where the table gives 59.
    let text = golden().replacen("total = \"59\"", "total = \"58.5\"", 1);
    assert_ne!(text, golden());
    fails_saying(
        &units_file(&dir, &text),
        "unit all-max total: the set gives 59, the units file expects 58.5",
    )
    .stderr(predicate::str::contains("1 mismatch"));
}

#[test]
fn a_broken_units_file_is_located() {
    let dir = tempfile::tempdir().expect("dir");
    let path = units_file(&dir, "[[unit]]\nid = \"x\"\nvalues = 3\n");
    fails_saying(&path, "units.toml:3:10: invalid type: integer `3`");
    let unknown = golden().replacen("\"1.1.4\" = \"100%\"", "\"9.9.9\" = \"100%\"", 1);
    fails_saying(
        &units_file(&dir, &unknown),
        "units.toml:8:1: unit all-max: 9.9.9 (self):",
    );
    fails_saying(
        &dir.path().join("khong-co.toml"),
        "khong-co.toml: cannot read:",
    );
}
