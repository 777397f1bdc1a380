//! Any text as a criteria file: loading must return a set or diagnostics, never panic; a set
//! that loads must compile, score a unit with no inputs, explain it and diff against itself.

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
    if batch.add_unit("U-01", []).is_ok() {
        parindex_fuzz::score_and_check(&plan, &batch, &BTreeMap::new());
    }
});
