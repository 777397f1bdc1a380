//! A batch for a shipped set built from structured bytes: units with attributes, and values
//! given as text per leaf and stage, as an office writes them (numbers, percentages, ratios,
//! dates, yes/no, level keys, N/A) or as arbitrary text. Values the rules refuse are skipped;
//! the rest is scored, ranked and explained, and no node outside a bonus or penalty block may
//! leave `[0, applicable maximum]`.

#![no_main]

use std::collections::BTreeMap;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use parindex_core::{AttributeKind, Plan, Rule};

#[derive(Debug, Arbitrary)]
struct Input {
    set: u8,
    units: Vec<UnitSpec>,
}

#[derive(Debug, Arbitrary)]
struct UnitSpec {
    id: Id,
    attributes: Vec<(u8, Text)>,
    values: Vec<(u16, u8, Text)>,
    evidence: Vec<(u16, u8, bool)>,
}

#[derive(Debug, Arbitrary)]
enum Id {
    Numbered(u8),
    Free(String),
}

/// The text of a value, shaped like what offices write, or free.
#[derive(Debug, Arbitrary)]
enum Text {
    Free(String),
    Integer(i64),
    Decimal(i64, u8),
    Percent(i64, u8),
    Ratio(i64, i64),
    Date(u8, u8, u16),
    Bool(bool),
    NotApplicable,
    /// The n-th level key (or allowed attribute value) of the leaf.
    Choice(u8),
    Timeliness(u8),
    SurveyCounts(Vec<(u8, u16)>),
    Huge(bool),
}

fn decimal_text(mantissa: i64, scale: u8) -> String {
    let scale = u32::from(scale % 30);
    rust_decimal::Decimal::try_from_i128_with_scale(i128::from(mantissa), scale)
        .map(|d| d.to_string())
        .unwrap_or_else(|_| mantissa.to_string())
}

fn render(text: &Text, choices: &[String]) -> String {
    match text {
        Text::Free(s) => s.clone(),
        Text::Integer(n) => n.to_string(),
        Text::Decimal(m, s) => decimal_text(*m, *s),
        Text::Percent(m, s) => format!("{}%", decimal_text(*m, *s)),
        Text::Ratio(a, b) => format!("{a}/{b}"),
        Text::Date(d, m, y) => format!("{d:02}/{m:02}/{y:04}"),
        Text::Bool(b) => if *b { "có" } else { "không" }.to_owned(),
        Text::NotApplicable => "N/A".to_owned(),
        Text::Choice(i) if !choices.is_empty() => choices[usize::from(*i) % choices.len()].clone(),
        Text::Choice(i) => i.to_string(),
        Text::Timeliness(i) => {
            ["đúng hạn", "trễ hạn", "không", "on-time", "late"][usize::from(*i) % 5].to_owned()
        }
        Text::SurveyCounts(counts) => counts
            .iter()
            .map(|(o, c)| format!("{}={c}", char::from(b'A' + o % 6)))
            .collect::<Vec<_>>()
            .join(" "),
        Text::Huge(negative) => {
            let digits = "79228162514264337593543950335";
            if *negative {
                format!("-{digits}")
            } else {
                digits.to_owned()
            }
        }
    }
}

/// The keys of the printed answers a rule takes (levels, yes or no, outcomes).
fn answer_keys(rule: Option<&Rule>) -> Vec<String> {
    rule.map(|r| {
        r.input()
            .answers()
            .iter()
            .map(|a| a.key.to_string())
            .collect()
    })
    .unwrap_or_default()
}

fn build_and_score(plan: &Plan, input: &Input) {
    let set = plan.set();
    let leaves: Vec<&str> = plan.leaf_codes().collect();
    let stages = &set.policy.stages;
    let mut batch = parindex_core::Batch::new(plan);
    for spec in input.units.iter().take(64) {
        let id = match &spec.id {
            Id::Numbered(n) => format!("U-{n:03}"),
            Id::Free(s) => s.clone(),
        };
        let Ok(unit) = batch.add_unit(&id, []) else {
            continue;
        };
        for (which, text) in &spec.attributes {
            let names = set.attributes.len() + 1;
            let index = usize::from(*which) % names;
            let (name, choices) = match set.attributes.get(index) {
                Some(a) if a.kind == AttributeKind::Text => (a.name.as_str(), a.values.clone()),
                Some(a) => (a.name.as_str(), Vec::new()),
                None => ("ranked", Vec::new()),
            };
            let _ = batch.set_attribute_text(unit, name, &render(text, &choices));
        }
        if leaves.is_empty() {
            continue;
        }
        for (leaf, stage, text) in &spec.values {
            let code = leaves[usize::from(*leaf) % leaves.len()];
            let stage = &stages[usize::from(*stage) % stages.len()];
            let rule = plan
                .node_index(code)
                .and_then(|n| set.nodes[n].rule.as_ref());
            let rendered = render(text, &answer_keys(rule));
            let _ = batch.set_text(unit, code, Some(stage), &rendered);
        }
        for (leaf, stage, attached) in &spec.evidence {
            let code = leaves[usize::from(*leaf) % leaves.len()];
            let stage = &stages[usize::from(*stage) % stages.len()];
            let _ = batch.set_evidence(unit, code, Some(stage), *attached);
        }
    }
    parindex_fuzz::score_and_check(plan, &batch, &BTreeMap::new());
}

fuzz_target!(|input: Input| {
    let plans = parindex_fuzz::plans();
    let plan = &plans[usize::from(input.set) % plans.len()];
    build_and_score(plan, &input);
});
