//! What the end-to-end tests share: the command and the shipped files they run on.

#![allow(dead_code, unreachable_pub)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// The shipped commune set.
pub const COMMUNE: &str = "binh-thuan-police/commune/2024";

/// The `parindex` binary of this build.
pub fn parindex() -> Command {
    Command::cargo_bin("parindex").expect("binary")
}

/// The commune sample batch.
pub fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../criteria/samples/binh-thuan-police-commune-2024.csv")
}
