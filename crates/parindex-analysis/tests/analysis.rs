//! The analysis against cases whose answer is known: no uncertainty, an exact binomial
//! probability, and the same numbers on any number of threads.

use parindex_analysis::{Settings, SourceKind, SurveyModel, Uncertainty, analyse};
use parindex_core::{Batch, CriteriaSet, NotApplicable, Plan, Results, Rounding, Ties, shipped};

fn sample_results(id: &str, sample: &str) -> Results {
    let set = shipped::load(id).unwrap_or_else(|e| panic!("{e}")).set;
    let plan = Plan::new(&set);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../criteria/samples")
        .join(sample);
    let inputs = parindex_io::read_inputs(&plan, &[path]).unwrap_or_else(|e| panic!("{e}"));
    let batch = inputs.batch;
    plan.score(&batch).unwrap_or_else(|e| panic!("{e}"))
}

fn settings(replications: usize, threads: usize) -> Settings {
    Settings {
        replications,
        threads,
        seed: 7,
        top: 3,
        sensitivity: false,
        bootstrap: 50,
        ..Settings::default()
    }
}

#[test]
fn without_uncertainty_every_interval_is_the_point_result() {
    for (id, sample) in [
        (
            "binh-thuan-police/commune/2024",
            "binh-thuan-police-commune-2024.csv",
        ),
        (
            "binh-thuan-police/division-procedures/2024",
            "binh-thuan-police-division-procedures-2024.csv",
        ),
    ] {
        let results = sample_results(id, sample);
        let analysis = analyse(&results, &Uncertainty::default(), &settings(20, 2), &|_| {})
            .expect("analysed");
        assert!(analysis.sources.is_empty());
        for (unit, card) in analysis.units.iter().zip(&results.units) {
            let point = card
                .reported_index
                .map(|x| x.to_string().parse::<f64>().expect("f64"));
            let index = unit.index_interval.expect("an index");
            assert_eq!(Some(index.low), point, "{id} {}", unit.unit);
            assert_eq!(index.high, index.low);
            let rank = unit.rank_interval.expect("a rank");
            assert_eq!((rank.low, rank.high), (rank.median, rank.median));
            assert_eq!(
                Some(rank.median),
                card.rank.map(f64::from),
                "{id} {}",
                unit.unit
            );
            let band = results
                .set()
                .bands
                .iter()
                .position(|b| Some(&b.name) == card.band.as_ref());
            let certain: Vec<usize> = unit
                .band_probabilities
                .iter()
                .enumerate()
                .filter(|(_, p)| **p > 0.999)
                .map(|(i, _)| i)
                .collect();
            assert_eq!(
                certain,
                band.into_iter().collect::<Vec<_>>(),
                "{id} {}",
                unit.unit
            );
            let top = if card.rank.is_some_and(|r| r <= 3) {
                1.0
            } else {
                0.0
            };
            assert_eq!(unit.top_probability, top);
        }
    }
}

const TINY: &str = r#"
[set]
format = 1
id = "example/tiny/2024"
title = "Two leaves"
level = "commune"
year = 2024
language = "en"
max = 4

[origin]
authority = "parindex tests"
source = "written for the test suite"
status = "example"

[[node]]
code = "1"
name = "Satisfaction"
max = 2
source = "survey"
[node.rule]
kind = "survey"
mode = "share"
[[node.rule.tier]]
when = "x >= 75"
points = 2
[[node.rule.tier]]
when = "x < 75"
points = 0

[[node]]
code = "2"
name = "Assessed"
max = 2
rule = { kind = "direct", step = 0.5 }
"#;

#[test]
fn two_units_and_one_survey_leaf_match_the_binomial_probability() {
    let set = CriteriaSet::from_toml(TINY, "tiny.toml")
        .unwrap_or_else(|e| panic!("{e}"))
        .set;
    let plan = Plan::new(&set);
    let mut batch = Batch::new(&plan);
    // A: 3 of 4 satisfied (75%: 2 points) and 0 assessed; B: a share typed as a percent (held
    // fixed, 0 points) and 1 assessed. A is first exactly when at least 3 of 4 redrawn
    // respondents are satisfied: P = 0.75⁴ + 4 × 0.75³ × 0.25 = 0.73828125.
    for (unit, share, assessed) in [("A", "3/4", "0"), ("B", "50%", "1")] {
        let u = batch.add_unit(unit, []).expect("unit");
        batch.set_text(u, "1", None, share).expect("share");
        batch.set_text(u, "2", None, assessed).expect("assessed");
    }
    let results = plan.score(&batch).unwrap_or_else(|e| panic!("{e}"));
    let analysis = analyse(
        &results,
        &Uncertainty::survey_only(),
        &settings(20_000, 2),
        &|_| {},
    )
    .expect("analysed");
    assert_eq!((analysis.surveys_redrawn, analysis.surveys_held), (1, 1));
    assert_eq!(
        analysis.units[1].top_probability, 1.0,
        "with top 3, both are in the top"
    );
    let exact = 0.738_281_25;
    let top_one = Settings {
        top: 1,
        ..settings(20_000, 2)
    };
    let in_a = analyse(&results, &Uncertainty::survey_only(), &top_one, &|_| {})
        .expect("analysed")
        .units[0]
        .top_probability;
    // Four standard errors of a proportion near 0.74 over 20,000 draws: 4 × 0.0031.
    assert!((in_a - exact).abs() < 0.0125, "{in_a} vs {exact}");
}

#[test]
fn the_same_seed_gives_the_same_numbers_on_any_number_of_threads() {
    let results = sample_results(
        "binh-thuan-police/division-procedures/2024",
        "binh-thuan-police-division-procedures-2024.csv",
    );
    let uncertainty = Uncertainty {
        survey: Some(SurveyModel::Resample),
        appraisal: Some(0.2),
        not_applicable: vec![NotApplicable::FullPoints],
        rounding: vec![Rounding::Truncate],
        ties: vec![Ties::Dense],
        weights: Some(0.2),
    };
    let run = |threads: usize| {
        let s = Settings {
            sensitivity: true,
            ..settings(64, threads)
        };
        analyse(&results, &uncertainty, &s, &|_| {}).expect("analysed")
    };
    let one = run(1);
    assert_eq!(one.sources.len(), 4);
    assert_eq!(one.runs, 64 * 6);
    for threads in [2, 3, 8] {
        assert_eq!(run(threads), one, "{threads} threads");
    }
    let other_seed = analyse(
        &results,
        &uncertainty,
        &Settings {
            seed: 8,
            sensitivity: true,
            ..settings(64, 2)
        },
        &|_| {},
    )
    .expect("analysed");
    assert_ne!(other_seed, one);
}

#[test]
fn one_source_alone_explains_all_the_rank_variance() {
    let results = sample_results(
        "binh-thuan-police/division-procedures/2024",
        "binh-thuan-police-division-procedures-2024.csv",
    );
    let uncertainty = Uncertainty {
        appraisal: Some(0.3),
        ..Uncertainty::default()
    };
    let s = Settings {
        sensitivity: true,
        ..settings(400, 2)
    };
    let analysis = analyse(&results, &uncertainty, &s, &|_| {}).expect("analysed");
    let [source] = analysis.sensitivity.as_slice() else {
        panic!("one source");
    };
    assert_eq!(source.source, SourceKind::Appraisal);
    // With a single source, A_B is B: Jansen's first-order estimate is exactly 1, and the
    // total one, Σ (f(A) − f(B))² ÷ 2N ÷ V, is 1 in expectation.
    assert!((source.first_order - 1.0).abs() < 1e-9, "{source:?}");
    assert!((source.total - 1.0).abs() < 0.05, "{source:?}");
    assert!(
        source.total_interval.0 <= 1.0 && 1.0 <= source.total_interval.1,
        "{source:?}"
    );
    assert!(analysis.units.iter().any(|u| {
        let r = u.rank_interval.expect("ranked");
        r.high > r.low
    }));
}

fn commune_sample() -> Results {
    sample_results(
        "binh-thuan-police/commune/2024",
        "binh-thuan-police-commune-2024.csv",
    )
}

#[test]
fn rank_intervals_are_whole_ranks() {
    let results = commune_sample();
    let uncertainty = Uncertainty {
        appraisal: Some(0.2),
        ..Uncertainty::survey_only()
    };
    let analysis = analyse(&results, &uncertainty, &settings(101, 2), &|_| {}).expect("analysed");
    let mut moved = 0;
    for unit in &analysis.units {
        let Some(rank) = unit.rank_interval else {
            continue;
        };
        for bound in [rank.low, rank.median, rank.high] {
            assert_eq!(bound.fract(), 0.0, "{}: {rank:?}", unit.unit);
            assert!(bound >= 1.0);
        }
        moved += usize::from(rank.low < rank.high);
    }
    assert!(moved > 0, "some rank moves under this uncertainty");
}

#[test]
fn an_analysis_too_large_for_memory_is_refused_before_allocating_with_the_estimate() {
    let results = commune_sample();
    for replications in [1_000_000_000_000, usize::MAX] {
        let settings = Settings {
            replications,
            sensitivity: true,
            ..settings(2, 2)
        };
        let uncertainty = Uncertainty {
            appraisal: Some(0.1),
            ..Uncertainty::survey_only()
        };
        let error = analyse(&results, &uncertainty, &settings, &|_| {})
            .expect_err("refused")
            .to_string();
        assert!(
            error.contains("would take about") && error.contains("more than the limit of 4.0 GiB"),
            "{error}"
        );
        assert!(error.contains("ask for at most"), "{error}");
    }
    let error = analyse(
        &results,
        &Uncertainty::survey_only(),
        &Settings {
            memory_limit: 1 << 20,
            ..settings(100_000, 1)
        },
        &|_| {},
    )
    .expect_err("refused")
    .to_string();
    let units = results.units.len();
    assert!(
        error.starts_with(&format!("100000 runs of {units} units would take about ")),
        "{error}"
    );
    // The advice is itself within the limit, and one more replication is not.
    let most: usize = error
        .rsplit("at most ")
        .next()
        .and_then(|s| s.split(' ').next())
        .and_then(|s| s.parse().ok())
        .expect("a number");
    let fits = |n| parindex_analysis::memory_estimate(units, n, 1, false).expect("fits");
    assert!(fits(most) <= 1 << 20 && fits(most + 1) > 1 << 20, "{most}");
}

#[test]
fn a_cancelled_analysis_stops_with_the_runs_done() {
    let results = commune_sample();
    let cancel = std::sync::atomic::AtomicBool::new(false);
    let outcome = parindex_analysis::analyse_cancellable(
        &results,
        &Uncertainty::survey_only(),
        &settings(1000, 2),
        &|done| {
            if done == 10 {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
            }
        },
        &cancel,
    );
    match outcome {
        Err(parindex_analysis::AnalysisError::Cancelled { done, runs }) => {
            assert_eq!(runs, 1000);
            assert!((10..1000).contains(&done), "{done}");
        }
        other => panic!("not cancelled: {other:?}"),
    }
}
