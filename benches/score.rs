//! Scoring throughput: 10,000 synthetic units against the police division set with public
//! procedures (92 leaves), including aggregation, index, ranking and bands.
//!
//! Run with `cargo bench -p parindex-core --bench score`. The plain-Python baseline doing the same
//! work is `benches/baseline_score.py`; the figures are in `benches/README.md`.

use criterion::{Criterion, Throughput, criterion_main};
use parindex_core::{Plan, shipped};

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
