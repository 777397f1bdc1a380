//! Golden vectors: units scored by hand from the official tables (`tests/golden/<set id>/`),
//! compared exactly with the engine by the same code as `parindex test`
//! ([`parindex_core::golden`]).

use std::path::{Path, PathBuf};

use parindex_core::golden::GoldenFile;
use parindex_core::shipped;

fn golden_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/golden")
}

fn units_files(dir: &Path, found: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("golden folder").flatten() {
        let path = entry.path();
        if path.is_dir() {
            units_files(&path, found);
        } else if path.file_name().is_some_and(|n| n == "units.toml") {
            found.push(path);
        }
    }
}

#[test]
fn golden_vectors_match_the_hand_worked_results() {
    let mut files = Vec::new();
    units_files(&golden_root(), &mut files);
    // Every shipped set has its golden vectors, worked out by hand: a new set without them fails.
    let with_vectors: std::collections::BTreeSet<String> = files
        .iter()
        .filter_map(|f| f.parent()?.strip_prefix(golden_root()).ok())
        .map(|p| p.display().to_string())
        .collect();
    for shipped_set in shipped::list() {
        assert!(
            with_vectors.contains(&shipped_set.id),
            "{} has no golden vectors in tests/golden/{}/units.toml",
            shipped_set.id,
            shipped_set.id
        );
    }
    let mut failures = Vec::new();
    let mut checks = 0;
    for file in files {
        let id = file
            .parent()
            .and_then(|p| p.strip_prefix(golden_root()).ok())
            .map(|p| p.display().to_string())
            .expect("set id from the path");
        let text = std::fs::read_to_string(&file).expect("readable");
        let name = file.display().to_string();
        let golden = GoldenFile::from_toml(&text, &name).unwrap_or_else(|e| panic!("{e}"));
        assert!(golden.unit.len() >= 3, "{id}: at least three golden units");
        let set = shipped::load(&id)
            .unwrap_or_else(|e| panic!("{id}: {e}"))
            .set;
        let report = golden.check(&set, &name).unwrap_or_else(|e| panic!("{e}"));
        checks += report.checks;
        failures.extend(report.mismatches.iter().map(|m| {
            format!(
                "{id} {} {}: engine {}, hand {}",
                m.unit, m.what, m.engine, m.expected
            )
        }));
    }
    assert!(checks > 100, "only {checks} figures compared");
    assert!(
        failures.is_empty(),
        "{} mismatches:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
