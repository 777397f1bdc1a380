//! `parindex verify`: a published bundle scores again to the same bytes; a bundle whose inputs,
//! results or set were changed afterwards does not verify, and says where.

mod common;

use common::parindex;
use parindex_io::{Bundle, BundleFile};
use predicates::prelude::*;

fn bundle() -> Bundle {
    let (file, text) = parindex_core::shipped::text(common::COMMUNE).expect("shipped");
    let units = std::fs::read_to_string(common::sample()).expect("sample");
    Bundle::publish(
        file,
        text,
        vec![BundleFile {
            file: "units.csv".to_owned(),
            text: units,
        }],
    )
    .expect("publishes")
}

fn write(dir: &tempfile::TempDir, bundle: &Bundle) -> std::path::PathBuf {
    let path = dir.path().join("bundle.json");
    std::fs::write(&path, bundle.to_json()).expect("written");
    path
}

#[test]
fn a_published_bundle_verifies() {
    let dir = tempfile::tempdir().expect("dir");
    let path = write(&dir, &bundle());
    parindex()
        .arg("verify")
        .arg(&path)
        .assert()
        .success()
        .stdout(predicate::str::contains("verified: 30 units scored again"))
        .stdout(predicate::str::contains("results identical"));
}

/// `parindex verify` refuses the file at `path`, saying `message`.
fn refused(path: &std::path::Path, message: &str) {
    parindex()
        .arg("verify")
        .arg(path)
        .assert()
        .code(1)
        .stderr(predicate::str::contains(message));
}

#[test]
fn a_changed_bundle_does_not_verify() {
    let dir = tempfile::tempdir().expect("dir");
    let mut changed = bundle();
    // One unit's value changed after publication: the results no longer follow.
    let first_value = changed.inputs[0].text.find(",đúng hạn,").expect("a value");
    changed.inputs[0]
        .text
        .replace_range(first_value..first_value + ",đúng hạn,".len(), ",trễ hạn,");
    refused(
        &write(&dir, &changed),
        "does not verify: the results differ at line",
    );

    // The results edited by hand: a unit's name.
    let mut forged = bundle();
    let published = forged.results.clone();
    forged.results = published.replacen("Công an", "Công an xã", 1);
    assert_ne!(forged.results, published);
    let path = write(&dir, &forged);
    refused(
        &path,
        "the results' SHA-256 is not the one the bundle records",
    );

    std::fs::write(&path, "{\"format\": \"parindex-results/1\"}").expect("written");
    refused(&path, "not a parindex bundle");
    refused(
        &dir.path().join("khong-co.json"),
        "khong-co.json: cannot read:",
    );
}
