//! Synthetic units for the benchmarks: plausible inputs for every leaf, drawn by a fixed
//! generator so that every run scores the same units.

use parindex_core::{Batch, Plan, Rule};

/// A small deterministic generator, so that every run scores the same units.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u32 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) as u32
    }
}

/// Plausible inputs for every leaf of every unit, as an office would write them.
pub(crate) fn synthetic_batch(plan: &Plan, units: usize) -> Batch {
    let mut rng = Lcg(2024);
    let mut batch = Batch::new(plan);
    let leaves: Vec<(&str, &Rule)> = plan
        .set()
        .leaves()
        .filter_map(|n| n.rule.as_ref().map(|r| (n.code.as_str(), r)))
        .collect();
    for u in 0..units {
        let unit = batch.add_unit(&format!("U{u:05}"), []).expect("new unit");
        for (code, rule) in &leaves {
            let r = rng.next();
            let text = rule.input().sample(u64::from(r));
            batch
                .set_text(unit, code, None, &text)
                .expect("valid input");
        }
    }
    batch
}
