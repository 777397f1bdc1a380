//! Every shipped set loads, with warnings only for what it acknowledges.

use parindex_core::{Check, Severity, shipped};

#[test]
fn every_shipped_set_loads() {
    let files = shipped::files();
    assert!(files.len() >= 4, "the four transcribed sets are embedded");
    for (path, _) in files {
        let id = shipped::list()
            .into_iter()
            .find(|s| s.path == *path)
            .map(|s| s.id);
        let id = id.unwrap_or_else(|| {
            let (_, text) = files.iter().find(|(p, _)| p == path).expect("listed");
            let error =
                parindex_core::CriteriaSet::from_toml(text, path).expect_err("failed to list");
            panic!("{path} does not load:\n{error}")
        });
        let loaded = shipped::load(&id).unwrap_or_else(|e| panic!("{id}:\n{e}"));
        for warning in &loaded.warnings {
            assert_eq!(warning.severity, Severity::Warning);
            assert!(
                matches!(warning.check, Check::Renumbered | Check::SourceNote)
                    || warning.message.contains("(acknowledged: "),
                "{warning}"
            );
        }
    }
}
