//! What the core's integration tests share.

/// The `[set]` and `[origin]` tables of a small set written for a test file: id
/// `tests/{name}/2024`, commune level, in English, worth `max` points.
pub(crate) fn header(name: &str, title: &str, max: u32, purpose: &str) -> String {
    format!(
        r#"
[set]
format = 1
id = "tests/{name}/2024"
title = "{title}"
level = "commune"
year = 2024
language = "en"
max = {max}

[origin]
authority = "parindex tests"
source = "written for the {purpose} tests"
status = "example"
"#
    )
}
