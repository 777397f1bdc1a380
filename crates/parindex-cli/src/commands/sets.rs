//! `parindex sets`: the shipped criteria sets.

use parindex_core::shipped;

use crate::output::{Outcome, out};

/// Lists the shipped sets: id, year, level, status and title.
pub(crate) fn sets() -> Outcome {
    let mut text = String::new();
    let list = shipped::list();
    let width = list
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    text.push_str(&format!(
        "{:width$}  year  {:10}  {:11}  title\n",
        "id", "level", "status"
    ));
    for s in list {
        text.push_str(&format!(
            "{:width$}  {}  {:10}  {:11}  {}\n",
            s.id,
            s.year,
            s.level,
            s.status.as_str(),
            s.title
        ));
    }
    out(&text)
}
