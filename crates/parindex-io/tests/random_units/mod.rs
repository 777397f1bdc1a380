//! Random units for every shipped set, shared by the tests that compare doors: every kind of
//! value each rule accepts, two stages, attributes and names, from a seed.
#![allow(dead_code, unreachable_pub)]

use parindex_core::{AttributeKind, Plan, Rule, shipped};

/// A small deterministic generator, so that a failing case is reproduced by its seed.
pub struct Lcg(pub u64);

impl Lcg {
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[(self.next() as usize) % items.len()]
    }

    pub fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// Texts an office might write for a rule, valid or not.
pub fn candidates(rule: &Rule) -> Vec<String> {
    let mut texts: Vec<String> = [
        "có",
        "co\u{301}",
        "không",
        "yes",
        "0",
        "1",
        "2",
        "3",
        "5",
        "12",
        "0.5",
        "1.5",
        "50",
        "75",
        "80",
        "87.5",
        "100",
        "87.5%",
        "0.5%",
        "45/50",
        "9/9",
        "7/9",
        "đúng hạn",
        "trễ hạn",
        "15/01/2024",
        "2024-03-31",
        "31/12/2024",
        "85%",
        "17/20",
    ]
    .map(str::to_owned)
    .to_vec();
    for answer in rule.input().answers() {
        texts.push(answer.key.to_string());
        texts.extend(answer.label.map(str::to_owned));
    }
    if let Rule::Branch(branch) = rule {
        for case in &branch.cases {
            texts.extend(candidates(&case.rule));
        }
    }
    texts
}

/// Whether a rule takes a text alone; a branch must take it in every case.
pub fn accepts(rule: &Rule, text: &str, max: rust_decimal::Decimal) -> bool {
    match rule {
        Rule::Branch(branch) => branch.cases.iter().all(|c| accepts(&c.rule, text, max)),
        _ if !rule.scores_alone() => rule.parse(text).is_ok(),
        _ => rule.parse(text).and_then(|v| rule.points(&v, max)).is_ok(),
    }
}

/// One unit's inputs: its id, name, attributes and per stage the text of each leaf given.
#[derive(Debug, Clone)]
pub struct UnitInputs {
    pub id: String,
    pub name: String,
    pub attributes: Vec<(String, String)>,
    /// Per stage, (code, text).
    pub stages: Vec<Vec<(String, String)>>,
}

/// Random units for a plan; with `corrupt`, one cell holds a value its rule refuses.
pub fn units(plan: &Plan, seed: u64, corrupt: bool) -> Vec<UnitInputs> {
    let mut rng = Lcg(seed);
    let set = plan.set();
    let leaves: Vec<_> = set
        .leaves()
        .filter_map(|n| n.rule.as_ref().map(|r| (n, r)))
        .map(|(node, rule)| {
            let valid: Vec<String> = candidates(rule)
                .into_iter()
                .filter(|t| accepts(rule, t, node.max))
                .collect();
            // A relative rule compares with the other units: every unit gives a number.
            let always = matches!(rule, Rule::Relative(_));
            (node.code.clone(), valid, always)
        })
        .collect();
    let count = 2 + (rng.next() % 6) as usize;
    let mut out = Vec::with_capacity(count);
    for u in 0..count {
        let mut attributes = Vec::new();
        for attribute in &set.attributes {
            if rng.chance(80) {
                let value = match attribute.kind {
                    AttributeKind::Bool => rng.pick(&["có", "không"]).to_string(),
                    AttributeKind::Number => rng.pick(&["0", "3", "12.5"]).to_string(),
                    AttributeKind::Text if attribute.values.is_empty() => "nhóm 1".to_owned(),
                    AttributeKind::Text => rng.pick(&attribute.values).clone(),
                };
                attributes.push((attribute.name.clone(), value));
            }
        }
        if rng.chance(15) {
            attributes.push(("ranked".to_owned(), "không".to_owned()));
        }
        let mut stages = vec![Vec::new(); set.policy.stages.len()];
        for (stage, values) in stages.iter_mut().enumerate() {
            // Later stages revise some values only.
            let share = if stage == 0 { 85 } else { 30 };
            for (code, valid, always) in &leaves {
                let always = *always && stage == 0;
                if !always && !rng.chance(share) {
                    continue;
                }
                let text = if !always && (rng.chance(6) || valid.is_empty()) {
                    "N/A".to_owned()
                } else {
                    rng.pick(valid).clone()
                };
                values.push((code.clone(), text));
            }
        }
        out.push(UnitInputs {
            id: format!("U-{u:02}"),
            name: format!("Phường {}", u + 1),
            attributes,
            stages,
        });
    }
    if corrupt {
        let unit = (rng.next() as usize) % out.len();
        // A leaf read on its own: branches and relative rules are read when scoring, where a
        // leaf that does not apply to the unit is never read.
        let alone: Vec<_> = leaves
            .iter()
            .filter(|(code, _, _)| {
                plan.set()
                    .node(code)
                    .and_then(|n| n.rule.as_ref())
                    .is_some_and(Rule::scores_alone)
            })
            .cloned()
            .collect();
        let (code, _, _) = rng.pick(&alone).clone();
        out[unit].stages[0].retain(|(c, _)| *c != code);
        out[unit].stages[0].push((code, "không rõ".to_owned()));
    }
    out
}

/// The columns of the wide layout: unit, name, stage, attributes, leaves.
pub fn wide_header(plan: &Plan) -> Vec<String> {
    let mut header: Vec<String> = ["unit", "name", "stage", "ranked"]
        .map(String::from)
        .to_vec();
    header.extend(plan.set().attributes.iter().map(|a| a.name.clone()));
    header.extend(plan.leaf_codes().map(str::to_owned));
    header
}

/// The wide rows: one per unit and stage with values (the first stage always).
pub fn wide_rows(plan: &Plan, units: &[UnitInputs]) -> Vec<Vec<String>> {
    let header = wide_header(plan);
    let mut rows = Vec::new();
    for unit in units {
        for (stage, values) in unit.stages.iter().enumerate() {
            if stage > 0 && values.is_empty() {
                continue;
            }
            let mut row = vec![String::new(); header.len()];
            row[0] = unit.id.clone();
            row[2] = plan.set().policy.stages[stage].clone();
            if stage == 0 {
                row[1] = unit.name.clone();
                for (name, value) in &unit.attributes {
                    if let Some(i) = header.iter().position(|h| h == name) {
                        row[i] = value.clone();
                    }
                }
            }
            for (code, text) in values {
                if let Some(i) = header.iter().position(|h| h == code) {
                    row[i] = text.clone();
                }
            }
            rows.push(row);
        }
    }
    rows
}

pub fn csv_line(fields: &[String]) -> String {
    let mut line = String::new();
    parindex_io::csv_record(&mut line, fields);
    line
}

pub fn wide_csv(plan: &Plan, units: &[UnitInputs]) -> String {
    let mut text = csv_line(&wide_header(plan));
    for row in wide_rows(plan, units) {
        text.push_str(&csv_line(&row));
    }
    text
}

/// Every shipped set, and a set with one leaf of every rule kind (branches and relative rules
/// among them).
pub fn plans() -> Vec<Plan> {
    let mut plans: Vec<Plan> = shipped::list()
        .iter()
        .map(|info| Plan::new(&shipped::load(&info.id).expect("shipped").set))
        .collect();
    let every_rule = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../parindex-core/tests/fixtures/every-rule.toml"
    );
    let loaded = parindex_core::CriteriaSet::from_path(std::path::Path::new(every_rule));
    plans.push(Plan::new(
        &loaded.expect("the every-rule fixture loads").set,
    ));
    plans
}
