//! Doc examples are what users copy: none of them unwraps or expects. They use `?` and end
//! with `# Ok::<(), Box<dyn std::error::Error>>(())`.

use std::path::{Path, PathBuf};

fn sources(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn no_doc_example_unwraps() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in std::fs::read_dir(&crates)
        .expect("the crates folder")
        .flatten()
    {
        sources(&krate.path().join("src"), &mut files);
    }
    assert!(files.len() > 20, "the workspace's sources were found");
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("readable");
        // Inside a fenced block, and whether it is Rust.
        let mut block: Option<bool> = None;
        for (n, line) in text.lines().enumerate() {
            let trimmed = line.trim_start();
            let Some(doc) = trimmed
                .strip_prefix("///")
                .or_else(|| trimmed.strip_prefix("//!"))
            else {
                continue;
            };
            let doc = doc.trim_start();
            if doc.starts_with("```") {
                let lang = doc.trim_start_matches('`');
                block = match block {
                    Some(_) => None,
                    None => Some(lang.is_empty() || lang.starts_with("rust")),
                };
                continue;
            }
            if block == Some(true) && (doc.contains(".unwrap()") || doc.contains(".expect(")) {
                found.push(format!("{}:{}: {}", file.display(), n + 1, doc));
            }
        }
    }
    assert!(
        found.is_empty(),
        "doc examples that unwrap:\n{}",
        found.join("\n")
    );
}
