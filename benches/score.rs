//! Scoring throughput: 10,000 synthetic units against the police division set with public
//! procedures (92 leaves), including aggregation, index, ranking and bands; self-assessed
//! only, and half of them appraised too.
//!
//! Run with `cargo bench -p parindex-core --bench score`. The plain-Python baseline doing the same
//! work is `benches/baseline_score.py`; the figures are in `benches/README.md`.

use criterion::{Criterion, Throughput, criterion_main};
use parindex_core::{Batch, Plan, Rule, shipped};

#[path = "synthetic.rs"]
mod synthetic;
use synthetic::synthetic_batch;

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
    let appraised = appraised_half(&plan, batch.clone());
    group.bench_function("10k units × 92 leaves, half appraised, all cores", |b| {
        b.iter(|| plan.score(&appraised).expect("scores"))
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

/// The units of `batch`, every other one also appraised by the council on two rows of three,
/// the third left to its self-assessment: a round's second stage.
fn appraised_half(plan: &Plan, mut batch: Batch) -> Batch {
    let stage = plan.set().policy.stages.get(1).cloned();
    let leaves: Vec<(String, &Rule)> = plan
        .set()
        .leaves()
        .filter_map(|n| n.rule.as_ref().map(|r| (n.code.clone(), r)))
        .collect();
    let units = batch.units().len();
    for unit in (0..units).step_by(2) {
        for (i, (code, rule)) in leaves.iter().enumerate() {
            if (unit + i) % 3 == 0 {
                continue;
            }
            let text = rule.input().sample((unit * 92 + i) as u64 * 2_654_435_761);
            batch
                .set_text(unit, code, stage.as_deref(), &text)
                .expect("valid input");
        }
    }
    batch
}

// The macro defines an undocumented function.
#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::scoring);
}
criterion_main!(harness::benches);
