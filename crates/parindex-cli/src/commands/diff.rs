//! `parindex diff`: what changed between two sets.

use parindex_core::diff_sets;
use parindex_io::decimal;

use crate::output::{Outcome, out};
use crate::run::load_set;

/// Prints what changed between two sets.
pub(crate) fn diff(a: &str, b: &str) -> Outcome {
    let old = load_set(a)?.set;
    let new = load_set(b)?.set;
    let changes = diff_sets(&old, &new);
    let mut text = format!(
        "{} → {}: {} change{}\n",
        old.info.id,
        new.info.id,
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    if old.info.max != new.info.max {
        text.push_str(&format!(
            "~ total max {} → {}\n",
            decimal(old.info.max),
            decimal(new.info.max)
        ));
    }
    for change in &changes {
        text.push_str(&format!("{change}\n"));
    }
    out(&text)
}
