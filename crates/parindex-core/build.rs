//! Embeds every criteria set under `criteria/<year>/` into the library.

use std::fs;
use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default());
    let criteria = manifest.join("../../criteria");
    println!("cargo:rerun-if-changed={}", criteria.display());
    let mut files = Vec::new();
    collect(&criteria, &mut files);
    files.sort();
    let mut out = String::from(
        "/// The shipped sets' files: path under `criteria/`, and text.\npub(crate) static FILES: &[(&str, &str)] = &[\n",
    );
    for file in &files {
        println!("cargo:rerun-if-changed={}", file.display());
        let relative = file
            .strip_prefix(&criteria)
            .unwrap_or(file)
            .display()
            .to_string();
        let absolute = fs::canonicalize(file).unwrap_or_else(|_| file.clone());
        out.push_str(&format!(
            "    ({relative:?}, include_str!({:?})),\n",
            absolute.display().to_string()
        ));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").unwrap_or_default()).join("shipped_sets.rs");
    if let Err(e) = fs::write(&dest, out) {
        panic!("cannot write {}: {e}", dest.display());
    }
}

/// The `.toml` files one level below `criteria/`: `criteria/<year>/<name>.toml`.
fn collect(criteria: &Path, files: &mut Vec<PathBuf>) {
    let Ok(years) = fs::read_dir(criteria) else {
        return;
    };
    for year in years.flatten() {
        let path = year.path();
        if !path.is_dir() {
            continue;
        }
        println!("cargo:rerun-if-changed={}", path.display());
        let Ok(entries) = fs::read_dir(&path) else {
            continue;
        };
        for entry in entries.flatten() {
            let file = entry.path();
            if file.extension().is_some_and(|e| e == "toml") {
                files.push(file);
            }
        }
    }
}
