//! Hostile files under a memory limit: every class of hostile input is refused with its located
//! message by `parindex` running with at most 512 MiB of address space (`prlimit --as`), so a
//! file that made the reader allocate past it would abort the run instead and fail the test.
//! Timings are never asserted.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The address space a run may use: 512 MiB.
const LIMIT: u64 = 512 * 1024 * 1024;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad")
}

/// Runs `parindex ARGS` in `dir` under the memory limit; the exit code and stderr, as an
/// `.expected` file of the corpus holds them.
fn limited(dir: &Path, args: &[&str]) -> String {
    let output = Command::new("prlimit")
        .arg(format!("--as={LIMIT}"))
        .arg("--")
        .arg(assert_cmd::cargo::cargo_bin("parindex"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("prlimit runs (util-linux)");
    let code = output
        .status
        .code()
        .map_or("killed".to_owned(), |c| c.to_string());
    format!("exit {code}\n{}", String::from_utf8_lossy(&output.stderr))
}

/// Scores a file of the corpus under the limit and compares with its expectation.
fn corpus_file(name: &str) {
    let expected = std::fs::read_to_string(
        corpus()
            .join("inputs")
            .join(name)
            .with_extension("expected"),
    )
    .expect("expectation");
    let got = limited(&corpus(), &["score", "set.toml", &format!("inputs/{name}")]);
    assert_eq!(got, expected, "{name}");
}

#[test]
fn legacy_workbooks_that_panic_or_abort_readers_are_refused() {
    // A FAT chain looping on itself and a directory far beyond the file; the same renamed
    // .xlsx; an OpenDocument spreadsheet repeating a row a billion times.
    for name in [
        "xls-looping-fat.xls",
        "xls-renamed.xlsx",
        "ods-repeated-rows.ods",
    ] {
        corpus_file(name);
    }
}

#[test]
fn workbooks_whose_cells_would_be_allocated_without_end_are_refused() {
    for name in [
        // A reference beyond XFD, a row beyond 1,048,576, a merge over the whole sheet.
        "xlsx-far-reference.xlsx",
        "xlsx-row-beyond-excel.xlsx",
        "xlsx-merge-whole-sheet.xlsx",
        // Ten million empty cells, ten million formulas without values, five million merges.
        "xlsx-empty-cells.xlsx",
        "xlsx-formula-cells.xlsx",
        "xlsx-many-merges.xlsx",
        // 80 MB of shared strings from 220 KB, and a 2 MB text run without markup.
        "xlsx-shared-strings-bomb.xlsx",
        "xlsx-endless-text.xlsx",
        "xlsx-formulas-without-values.xlsx",
    ] {
        corpus_file(name);
    }
}

const HEADER: &str = "unit,name,kind,1.1,1.2,1.3,2.1,2.2";

#[test]
fn a_csv_header_of_millions_of_unknown_columns_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    // 20 MB: a header of two million unknown columns.
    let mut text = String::from(HEADER);
    for n in 0..2_000_000 {
        text.push_str(&format!(",x{n}"));
    }
    text.push_str("\nA\n");
    std::fs::write(dir.path().join("wide.csv"), &text).expect("write");
    let set = corpus().join("set.toml");
    let set = set.to_str().expect("path");
    // Refused at the 16,385th field, whose column counts its characters.
    let column = text.match_indices(',').nth(16_383).map(|(i, _)| i + 2);
    assert_eq!(
        limited(dir.path(), &["score", set, "wide.csv"]),
        format!(
            "exit 1\nwide.csv:1:{}: the row has more than 16384 columns, as many as an Excel sheet holds\n1 problem in the input; nothing was scored\n",
            column.expect("field")
        )
    );
    // Within the columns a row may have, every unknown column is a problem: the first 1,000
    // are listed and the others counted.
    let mut text = String::from(HEADER);
    for n in 0..16_000 {
        text.push_str(&format!(",x{n}"));
    }
    text.push_str("\nA\n");
    std::fs::write(dir.path().join("unknown.csv"), &text).expect("write");
    let got = limited(dir.path(), &["score", set, "unknown.csv"]);
    let lines: Vec<&str> = got.lines().collect();
    assert_eq!(lines.len(), 1 + 1_000 + 2, "{}", &got[..500.min(got.len())]);
    assert_eq!(
        lines[1],
        "unknown.csv:1:36: column \"x0\" is not a criterion or an attribute of this set"
    );
    assert_eq!(
        lines[1_001],
        "… and 15000 more problems, not listed (only the first 1000 are)"
    );
    assert_eq!(
        lines[1_002],
        "16000 problems in the input; nothing was scored"
    );
}

#[test]
fn a_json_document_of_millions_of_empty_units_is_refused_at_the_unit_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut text = String::from("{\"units\": [");
    let mut n = 0;
    while text.len() < 32_000_000 {
        text.push_str(&format!("{{\"unit\":\"U{n}\"}},"));
        n += 1;
    }
    text.push_str("{\"unit\":\"last\"}]}\n");
    std::fs::write(dir.path().join("units.json"), &text).expect("write");
    let set = corpus().join("set.toml");
    assert_eq!(
        limited(
            dir.path(),
            &["score", set.to_str().expect("path"), "units.json"]
        ),
        "exit 1\nunits.json: units[100000]: more than 100000 units: a run is limited to 100000; score the units in several runs, or raise the limit (--max-units on the command line, parindex.options.max_units in Python)\n1 problem in the input; nothing was scored\n"
    );
}

#[test]
fn results_documents_and_crosswalks_are_limited_before_they_are_read() {
    let dir = tempfile::tempdir().expect("tempdir");
    // Sparse files: their size is known at once, and nothing of them is read.
    let big = std::fs::File::create(dir.path().join("big.json")).expect("create");
    big.set_len(3 << 30).expect("sparse file");
    assert_eq!(
        limited(dir.path(), &["compare", "big.json", "big.json"]),
        "exit 1\nerror: big.json: is 3221225472 bytes; results documents are limited to 268435456 bytes (256 MiB)\n"
    );
    let set = corpus().join("set.toml");
    let set = set.to_str().expect("path");
    std::fs::write(
        dir.path().join("units.csv"),
        format!("{HEADER}\nA,x,ward,có,87.5,15/01/2024,3,2\n"),
    )
    .expect("write");
    assert_eq!(
        limited(dir.path(), &["score", set, "units.csv", "-o", "last.json"]),
        "exit 0\nwrote last.json (1 unit)\n"
    );
    let crosswalk = std::fs::File::create(dir.path().join("cw.csv")).expect("create");
    crosswalk.set_len(1 << 30).expect("sparse file");
    assert_eq!(
        limited(
            dir.path(),
            &["compare", "last.json", "last.json", "--crosswalk", "cw.csv"]
        ),
        "exit 1\nerror: cw.csv: is 1073741824 bytes; input files are limited to 33554432 bytes (32 MiB): split the units over several files\n"
    );
}

#[test]
fn records_files_are_read_by_the_same_bounded_readers() {
    let dir = tempfile::tempdir().expect("tempdir");
    let set = corpus().join("set.toml");
    let set = set.to_str().expect("path");
    std::fs::write(
        dir.path().join("units.csv"),
        format!("{HEADER}\nA,x,ward,có,87.5,15/01/2024,3,2\n"),
    )
    .expect("write");
    for (name, message) in [
        (
            "inputs/xls-renamed.xlsx",
            "survey.xlsx: is an Excel 97–2003 workbook (.xls), or a workbook protected by a password: these are not read; open it in Excel or LibreOffice and save it as an Excel workbook (.xlsx) without a password",
        ),
        (
            "records/survey-empty-cells.xlsx",
            "survey.xlsx: sheet \"Phiếu\", cell HML612: more than 10000000 cells: the inputs of a run are limited to 10000000 (every cell counts, empty, formula and merged cells too); split the units over several runs",
        ),
    ] {
        std::fs::copy(corpus().join(name), dir.path().join("survey.xlsx")).expect("copy");
        assert_eq!(
            limited(
                dir.path(),
                &["score", set, "units.csv", "--survey", "survey.xlsx"]
            ),
            format!("exit 1\n{message}\n1 problem in the input; nothing was scored\n"),
            "{name}"
        );
    }
}

#[test]
fn json_objects_and_arrays_are_held_to_the_columns_of_a_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let values: Vec<String> = (0..20_000).map(|n| format!("\"x{n}\": \"1\"")).collect();
    let text = format!(
        "{{\"units\": [{{\"unit\": \"A\", \"values\": {{{}}}}}]}}\n",
        values.join(", ")
    );
    std::fs::write(dir.path().join("wide.json"), &text).expect("write");
    let column = text.find("\"x16384\"").map(|i| i + "\"x16384\"".len());
    let set = corpus().join("set.toml");
    assert_eq!(
        limited(
            dir.path(),
            &["score", set.to_str().expect("path"), "wide.json"]
        ),
        format!(
            "exit 1\nwide.json:1:{}: not valid JSON: an object of more than 16384 keys; a unit has at most one value per criterion at line 1 column {0}\n1 problem in the input; nothing was scored\n",
            column.expect("key")
        )
    );
}
