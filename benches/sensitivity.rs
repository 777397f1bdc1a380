//! Rank uncertainty: 1,000 replications of 5,000 synthetic units against the police division
//! set with public procedures (92 leaves), with survey sampling (respondents redrawn) and
//! appraisal uncertainty (a leaf moves one outcome with probability 0.1).
//!
//! Run with `cargo bench -p parindex-analysis --bench sensitivity`. The plain numpy version of
//! the same Monte Carlo is `benches/baseline_sensitivity.py`; figures in `benches/README.md`.

use criterion::{Criterion, criterion_main};
use parindex_analysis::{Settings, SurveyModel, Uncertainty, analyse};
use parindex_core::{Plan, shipped};

#[path = "synthetic.rs"]
mod synthetic;
use synthetic::synthetic_batch;

fn replications(c: &mut Criterion) {
    let set = shipped::load("binh-thuan-police/division-procedures/2024")
        .expect("shipped")
        .set;
    let plan = Plan::new(&set);
    let batch = synthetic_batch(&plan, 5_000);
    let results = plan.score(&batch).expect("scores");
    let uncertainty = Uncertainty {
        survey: Some(SurveyModel::Resample),
        appraisal: Some(0.1),
        ..Uncertainty::default()
    };
    let mut group = c.benchmark_group("sensitivity");
    group.sample_size(10);
    for threads in [1, 2] {
        let settings = Settings {
            replications: 1_000,
            threads,
            ..Settings::default()
        };
        group.bench_function(
            format!("1,000 replications × 5,000 units, {threads} thread(s)"),
            |b| b.iter(|| analyse(&results, &uncertainty, &settings, &|_| {}).expect("analyses")),
        );
    }
    let settings = Settings {
        replications: 1_000,
        sensitivity: true,
        ..Settings::default()
    };
    group.bench_function(
        "with sensitivity indices (4 × 1,000 runs), 2 threads",
        |b| b.iter(|| analyse(&results, &uncertainty, &settings, &|_| {}).expect("analyses")),
    );
    group.finish();
}

// The macro defines an undocumented function.
#[allow(missing_docs)]
mod harness {
    criterion::criterion_group!(benches, super::replications);
}
criterion_main!(harness::benches);
