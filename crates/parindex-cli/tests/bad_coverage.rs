//! Every check of the loader has a file in the bad-input corpus whose expected message names
//! it, so that a check added without a bad file (and its message) fails here.

use std::path::Path;

use parindex_core::Check;

#[test]
fn every_check_has_a_bad_file() {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad/criteria");
    let mut expected = String::new();
    for entry in std::fs::read_dir(&folder).expect("the corpus").flatten() {
        if entry.path().extension().is_some_and(|e| e == "expected") {
            expected.push_str(&std::fs::read_to_string(entry.path()).expect("readable"));
        }
    }
    let missing: Vec<&str> = Check::ALL
        .iter()
        .map(|check| check.as_str())
        .filter(|name| {
            !expected.contains(&format!("error[{name}]"))
                && !expected.contains(&format!("warning[{name}]"))
        })
        .collect();
    assert!(
        missing.is_empty(),
        "checks without a file in tests/bad/criteria: {}",
        missing.join(", ")
    );
}
