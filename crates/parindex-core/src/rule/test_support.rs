//! What the tests of every rule kind share.

use rust_decimal::Decimal;

use super::{Context, Rule};

/// A decimal from its text.
pub(crate) fn d(text: &str) -> Decimal {
    text.parse().expect("decimal")
}

/// How a rule words a text it reads, on a leaf of `max` points: the explanation, or why the
/// text is refused.
pub(crate) fn explained(rule: &Rule, text: &str, max: &str) -> Result<String, String> {
    let value = rule.parse(text).map_err(String::from)?;
    let outcome = rule
        .evaluate(&value, &Context::with_max(d(max)))
        .map_err(String::from)?;
    Ok(rule.explain(&value, &outcome))
}
