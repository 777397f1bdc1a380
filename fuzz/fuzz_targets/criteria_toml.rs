//! Any text as a criteria file: loading must return a set or diagnostics, never panic; a set
//! that loads must compile, score a unit with no inputs, explain it, diff against itself, and
//! give its templates (CSV and Excel) and its results (workbook and HTML report), whose sheet
//! names, headers and titles all come from the file.

#![no_main]

use std::collections::BTreeMap;

use libfuzzer_sys::fuzz_target;
use parindex_core::{Batch, CriteriaSet, Plan, diff_sets, rule_to_toml};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let loaded = match CriteriaSet::from_toml(text, "fuzz.toml") {
        Ok(loaded) => loaded,
        Err(error) => {
            assert!(
                !error.diagnostics.is_empty(),
                "an error without a diagnostic"
            );
            let _ = error.to_string();
            return;
        }
    };
    let set = loaded.set;
    for node in &set.nodes {
        if let Some(rule) = &node.rule {
            let _ = rule_to_toml(rule);
        }
    }
    assert!(
        diff_sets(&set, &set).is_empty(),
        "a set differs from itself"
    );
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    let _ = parindex_io::template_csv(&set);
    let _ = parindex_io::template_xlsx(&set);
    if batch.add_unit("U-01", []).is_ok() {
        let names = BTreeMap::new();
        if let Some(results) = parindex_fuzz::score_and_check(&plan, &batch, &names) {
            let _ = parindex_io::results_xlsx(&results, &names);
            let _ = parindex_io::report_html(&results, &parindex_io::ReportOptions::default());
        }
    }
});
