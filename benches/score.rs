//! Scoring throughput: 10,000 synthetic units against the police division set with public
//! procedures (92 leaves), including aggregation, index, ranking and bands.
//!
//! Run with `cargo bench -p parindex-core --bench score`. The plain-Python baseline doing the same
//! work is `benches/baseline_score.py`; the figures are in `benches/README.md`.

use criterion::{Criterion, Throughput, criterion_main};
use parindex_core::{Batch, Measure, Plan, Rule, SurveyMode, shipped};

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
fn synthetic_batch(plan: &Plan, units: usize) -> Batch {
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
            let text = match rule {
                Rule::YesNo { .. } => if r % 5 == 0 { "không" } else { "có" }.to_owned(),
                Rule::Levels { levels } => levels[r as usize % levels.len()].key.clone(),
                Rule::Timeliness { .. } => {
                    ["đúng hạn", "trễ hạn", "không"][r as usize % 3].to_owned()
                }
                Rule::Tiers {
                    measure: Measure::Count,
                    ..
                } => (r % 6).to_string(),
                Rule::Survey {
                    mode: SurveyMode::Share { .. },
                    ..
                } => format!("{}/{}", 40 + r % 61, 100),
                _ => {
                    let den = 10 + r % 40;
                    format!("{}/{den}", den - (r >> 8) % (den / 2 + 1))
                }
            };
            batch
                .set_text(unit, code, None, &text)
                .expect("valid input");
        }
    }
    batch
}

fn scoring(c: &mut Criterion) {
    let set = shipped::load("binh-thuan-police/division-procedures/2024")
        .expect("shipped")
        .set;
    let plan = Plan::new(&set);
    let units = 10_000;
    let batch = synthetic_batch(&plan, units);
    let mut group = c.benchmark_group("score");
    group.sample_size(20);
    group.throughput(Throughput::Elements((units * plan.leaf_count()) as u64));
    group.bench_function("10k units × 92 leaves, one thread", |b| {
        b.iter(|| plan.score_with_threads(&batch, 1).expect("scores"))
    });
    group.bench_function("10k units × 92 leaves, all cores", |b| {
        b.iter(|| plan.score(&batch).expect("scores"))
    });
    group.finish();
    let mut group = c.benchmark_group("read");
    group.sample_size(10);
    group.throughput(Throughput::Elements((units * plan.leaf_count()) as u64));
    group.bench_function("10k units × 92 leaves from text", |b| {
        b.iter(|| synthetic_batch(&plan, units))
    });
    group.finish();
}

// The macro defines an undocumented function.
#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::scoring);
}
criterion_main!(harness::benches);
