//! Every shipped set loads, with warnings only for what it acknowledges, and every shipped
//! file is stored in Unicode NFC.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use parindex_core::text::nfc;
use parindex_core::{Check, NodeKind, Severity, shipped};

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

#[test]
fn every_scored_leaf_of_every_shipped_set_is_in_a_reform_area() {
    for info in shipped::list() {
        let set = shipped::load(&info.id)
            .unwrap_or_else(|e| panic!("{}: {e}", info.id))
            .set;
        let blocks: Vec<&str> = set
            .areas()
            .filter(|a| a.kind != NodeKind::Scored)
            .map(|a| a.code.as_str())
            .collect();
        for leaf in set.leaves() {
            let area = leaf.code.split('.').next().unwrap_or_default();
            if blocks.contains(&area) {
                continue;
            }
            assert!(
                set.reform_area(&leaf.code).is_some(),
                "{}: {} is in no reform area",
                info.id,
                leaf.code
            );
        }
        // Every reform area's maxima and the areas' maxima account for the same points.
        let parts: rust_decimal::Decimal = set.reform_area_parts().iter().map(|p| p.2).sum();
        assert_eq!(parts, set.info.max, "{}", info.id);
    }
}

/// The first text of `text` that is not in Unicode NFC: its line and column, and the line.
fn first_not_nfc(text: &str) -> Option<(usize, usize, &str)> {
    text.lines().enumerate().find_map(|(i, line)| {
        let composed = nfc(line);
        let column = line
            .chars()
            .zip(composed.chars())
            .take_while(|(a, b)| a == b)
            .count()
            + 1;
        matches!(composed, Cow::Owned(_)).then_some((i + 1, column, line))
    })
}

#[test]
fn every_shipped_file_is_stored_in_nfc() {
    // The embedded criteria files, and the criteria and plan files as they are in the tree
    // (the plans, and the samples, are not embedded).
    let mut found = Vec::new();
    for (path, text) in shipped::files() {
        if let Some((line, column, written)) = first_not_nfc(text) {
            found.push(format!("criteria/{path}:{line}:{column}: {written:?}"));
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    for folder in ["criteria", "plans", "programmes"] {
        collect(&root.join(folder), &mut files);
    }
    assert!(
        files
            .iter()
            .any(|f| f.ends_with("plans/2018/quang-ngai-city.toml")),
        "the plans are found"
    );
    for file in &files {
        let text = std::fs::read_to_string(file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        if let Some((line, column, written)) = first_not_nfc(&text) {
            let name = file.strip_prefix(&root).unwrap_or(file).display();
            found.push(format!("{name}:{line}:{column}: {written:?}"));
        }
    }
    // An embedded file is found twice, embedded and in the tree.
    found.sort();
    found.dedup();
    assert!(
        found.is_empty(),
        "not in Unicode NFC (convert with unicodedata.normalize(\"NFC\", text)):\n{}",
        found.join("\n")
    );
}

/// The `.toml` and `.csv` files under `folder`, at any depth.
fn collect(folder: &Path, files: &mut Vec<PathBuf>) {
    let entries = std::fs::read_dir(folder).unwrap_or_else(|e| panic!("{folder:?}: {e}"));
    for entry in entries {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            collect(&path, files);
        } else if path.extension().is_some_and(|e| e == "toml" || e == "csv") {
            files.push(path);
        }
    }
}
