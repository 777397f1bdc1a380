//! Inputs found by the fuzz targets under `fuzz/`, kept as tests.

use parindex_core::{CriteriaSet, Plan};
use parindex_io::InputReader;

const EVERY_RULE: &str = include_str!("../../parindex-core/tests/fixtures/every-rule.toml");

/// A stage named like a cell reference with a dot (`A.1`, `II.5`) became a sheet name that
/// rust_xlsxwriter 0.92 overflowed on while quoting it: the template panicked in a build with
/// overflow checks. The template is written, and reads back with its sheets as stages.
#[test]
fn stage_named_like_a_dotted_cell_reference() {
    for stage in ["A.1", "II.5", "a.b1", "X..12"] {
        let text = EVERY_RULE.replace(
            "stages = [\"self\", \"appraisal\"]",
            &format!("stages = [\"{stage}\", \"appraisal\"]"),
        );
        let set = CriteriaSet::from_toml(&text, "dotted.toml")
            .expect("loads")
            .set;
        let bytes = parindex_io::template_xlsx(&set).expect("template");
        let plan = Plan::new(&set);
        let mut reader = InputReader::new(&plan);
        reader.read_bytes("mau.xlsx", &bytes);
        let inputs = reader.finish().expect("the template reads back");
        assert!(inputs.batch.units().is_empty());
    }
}
