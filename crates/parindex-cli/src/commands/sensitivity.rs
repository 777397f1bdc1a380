//! `parindex sensitivity`: how sure each rank is, from scoring runs replicated under uncertainty.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::ValueEnum;
use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use parindex_analysis::{Analysis, Settings, SurveyModel, Uncertainty, analyse};
use parindex_core::{Kept, Named, NotApplicable, Rounding, Ties};
use parindex_io::{
    Outputs, RankIntervals, ReportOptions, Scored, SourceIndices, csv_record, report_html,
};
use serde_json::json;

use crate::ScoreFormat;
use crate::output::{Failure, Outcome, Progress, all_cores, check_outputs, extension, out};
use crate::run::{ReadArgs, RecordArgs, load_set, round, score_round};

/// How survey shares are redrawn, or not.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum SurveyArg {
    /// Draw the respondents again from those observed.
    Resample,
    /// Draw the share from its Beta posterior.
    Posterior,
    /// Hold survey shares fixed.
    Off,
}

/// Reads a core enum by its names, which `--help` lists, each with what it does.
fn named<T: Named>(help: fn(T) -> &'static str) -> impl TypedValueParser<Value = T> {
    let values = T::ALL
        .iter()
        .map(move |&v| PossibleValue::new(v.as_str()).help(help(v)));
    PossibleValuesParser::new(values).try_map(|name| name.parse::<T>())
}

fn not_applicable_help(policy: NotApplicable) -> &'static str {
    match policy {
        NotApplicable::ReduceMaximum => "Drop the node and its maximum",
        NotApplicable::FullPoints => "Award its maximum",
        NotApplicable::RescaleToParent => {
            "Scale the applicable children up to the parent's maximum"
        }
    }
}

fn rounding_help(rounding: Rounding) -> &'static str {
    match rounding {
        Rounding::HalfAwayFromZero => "0.125 → 0.13",
        Rounding::HalfEven => "0.125 → 0.12",
        Rounding::Truncate => "0.129 → 0.12",
    }
}

fn ties_help(ties: Ties) -> &'static str {
    match ties {
        Ties::Competition => "1, 2, 2, 4",
        Ties::Dense => "1, 2, 2, 3",
    }
}

/// The options of `parindex sensitivity`.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct SensitivityArgs {
    /// A shipped set id or a criteria .toml file.
    set: String,
    /// Input files, as for `score`.
    #[arg(required = true)]
    inputs: Vec<PathBuf>,
    #[command(flatten)]
    records: RecordArgs,
    #[command(flatten)]
    read: ReadArgs,
    /// Replications.
    #[arg(long, default_value_t = 1000)]
    replications: usize,
    /// The seed: the same seed gives the same numbers, on any number of threads.
    #[arg(long, default_value_t = 2024)]
    seed: u64,
    /// Threads (all cores by default).
    #[arg(long)]
    threads: Option<usize>,
    /// Survey sampling: survey shares with known respondent counts are redrawn.
    #[arg(long, value_enum, default_value_t = SurveyArg::Resample)]
    survey_model: SurveyArg,
    /// Appraisal uncertainty: the probability that a self-assessed leaf moves one outcome
    /// (half down, half up).
    #[arg(long)]
    appraisal: Option<f64>,
    /// A not-applicable policy drawn with the set's own (repeatable).
    #[arg(long, value_parser = named(not_applicable_help))]
    not_applicable: Vec<NotApplicable>,
    /// A rounding mode drawn with the set's own (repeatable).
    #[arg(long, value_parser = named(rounding_help))]
    rounding: Vec<Rounding>,
    /// A tie policy drawn with the set's own (repeatable).
    #[arg(long, value_parser = named(ties_help))]
    ties: Vec<Ties>,
    /// Area weights: each area's maximum is multiplied by a factor within 1 ± this bound.
    #[arg(long)]
    weights: Option<f64>,
    /// The k of "the probability of being in the top k".
    #[arg(long, default_value_t = 10)]
    top: u32,
    /// Estimate first-order and total sensitivity indices of the ranks per source
    /// ((sources + 2) × replications runs).
    #[arg(long)]
    indices: bool,
    /// Output files (repeatable): .csv (one row per unit), .json, or .html (the results
    /// report with the rank-interval chart).
    #[arg(short, long)]
    output: Vec<PathBuf>,
    /// What to print to stdout when no -o is given.
    #[arg(long, value_enum, default_value_t = ScoreFormat::Table)]
    format: ScoreFormat,
}

impl SensitivityArgs {
    fn uncertainty(&self) -> Uncertainty {
        Uncertainty {
            survey: match self.survey_model {
                SurveyArg::Resample => Some(SurveyModel::Resample),
                SurveyArg::Posterior => Some(SurveyModel::Posterior),
                SurveyArg::Off => None,
            },
            appraisal: self.appraisal,
            not_applicable: self.not_applicable.clone(),
            rounding: self.rounding.clone(),
            ties: self.ties.clone(),
            weights: self.weights,
        }
    }
}

/// Replicates the scoring under the uncertainty asked for and writes or prints the intervals.
pub(crate) fn sensitivity(args: &SensitivityArgs) -> Outcome {
    for output in &args.output {
        if !["csv", "json", "html", "htm"].contains(&extension(output).as_str()) {
            return Err(Failure::usage(format!(
                "error: cannot tell the format of {}: name it .csv, .json or .html",
                output.display()
            )));
        }
    }
    let read_from = args
        .inputs
        .iter()
        .map(PathBuf::as_path)
        .chain(args.records.paths().map(PathBuf::as_path))
        .chain(std::iter::once(std::path::Path::new(&args.set)).filter(|p| p.is_file()));
    check_outputs(&args.output, read_from)?;
    let loaded = load_set(&args.set)?;
    let progress = Progress(None);
    let round = round(
        &loaded,
        &args.inputs,
        &args.read,
        &args.records,
        &progress,
        all_cores(),
        None,
        Kept::Every,
    )?;
    let Scored { inputs, results } = score_round(round, &progress)?;
    let uncertainty = args.uncertainty();
    let sources = uncertainty.sources().len();
    let runs = if args.indices && sources > 0 {
        (sources + 2) * args.replications
    } else {
        args.replications
    };
    let progress = Progress::new(runs as u64);
    let settings = Settings {
        replications: args.replications,
        seed: args.seed,
        threads: args
            .threads
            .unwrap_or_else(|| Settings::default().threads)
            .max(1),
        top: args.top,
        sensitivity: args.indices,
        ..Settings::default()
    };
    let analysis = analyse(&results, &uncertainty, &settings, &|done| {
        progress.set(done as u64)
    })
    .map_err(|e| Failure::usage(format!("error: {e}")))?;
    progress.done();
    let names = &inputs.names;
    let mut staged = Outputs::new();
    for output in &args.output {
        let text = match extension(output).as_str() {
            "csv" => csv(&analysis, names),
            "json" => json_document(&analysis, names, &results.provenance.set_id).to_string(),
            _ => report_html(
                &results,
                &ReportOptions {
                    names: names.clone(),
                    rank_intervals: Some(RankIntervals {
                        replications: analysis.replications,
                        sources: analysis
                            .sources
                            .iter()
                            .map(|s| s.name().to_owned())
                            .collect(),
                        units: analysis
                            .units
                            .iter()
                            .filter_map(|u| {
                                u.rank_interval
                                    .map(|r| (u.unit.clone(), r.low, r.median, r.high))
                            })
                            .collect(),
                        indices: analysis
                            .sensitivity
                            .iter()
                            .map(|s| SourceIndices {
                                source: s.source.name().to_owned(),
                                first_order: (
                                    s.first_order,
                                    s.first_order_interval.0,
                                    s.first_order_interval.1,
                                ),
                                total: (s.total, s.total_interval.0, s.total_interval.1),
                            })
                            .collect(),
                    }),
                    ..ReportOptions::default()
                },
            ),
        };
        staged.write(output, text.as_bytes())?;
    }
    staged.commit()?;
    for output in &args.output {
        eprintln!("wrote {}", output.display());
    }
    if args.output.is_empty() {
        let text = match args.format {
            ScoreFormat::Table => table(&analysis),
            ScoreFormat::Csv => csv(&analysis, names),
            ScoreFormat::Json => {
                json_document(&analysis, names, &results.provenance.set_id).to_string() + "\n"
            }
        };
        out(&text)?;
    }
    Ok(())
}

fn number(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        format!("{}", (x * 1e4).round() / 1e4)
    }
}

fn csv(analysis: &Analysis, names: &std::collections::BTreeMap<String, String>) -> String {
    let mut header = vec![
        "unit".to_owned(),
        "name".to_owned(),
        "index".to_owned(),
        "index_p5".to_owned(),
        "index_median".to_owned(),
        "index_p95".to_owned(),
        "rank".to_owned(),
        "rank_p5".to_owned(),
        "rank_median".to_owned(),
        "rank_p95".to_owned(),
        format!("p_top_{}", analysis.top),
    ];
    header.extend(analysis.bands.iter().map(|b| format!("p_band_{b}")));
    for source in &analysis.sources {
        header.push(format!("s1_{}", source.name()));
        header.push(format!("st_{}", source.name()));
    }
    let mut text = String::new();
    csv_record(&mut text, &header);
    for u in &analysis.units {
        let interval = |i: Option<parindex_analysis::Interval>| match i {
            Some(i) => [number(i.low), number(i.median), number(i.high)],
            None => [String::new(), String::new(), String::new()],
        };
        let mut row = vec![
            u.unit.clone(),
            names.get(&u.unit).cloned().unwrap_or_default(),
            u.index.map(number).unwrap_or_default(),
        ];
        row.extend(interval(u.index_interval));
        row.push(u.rank.map(|r| r.to_string()).unwrap_or_default());
        row.extend(interval(u.rank_interval));
        row.push(number(u.top_probability));
        row.extend(u.band_probabilities.iter().map(|p| number(*p)));
        for (first, total) in &u.sensitivity {
            row.push(number(*first));
            row.push(number(*total));
        }
        csv_record(&mut text, &row);
    }
    text
}

fn table(analysis: &Analysis) -> String {
    let mut t = String::new();
    let sources: Vec<&str> = analysis.sources.iter().map(|s| s.name()).collect();
    let _ = writeln!(
        t,
        "{} replications (seed {}), sources: {}",
        analysis.replications,
        analysis.seed,
        if sources.is_empty() {
            "none".to_owned()
        } else {
            sources.join(", ")
        }
    );
    let _ = writeln!(
        t,
        "rank  {:<22} {:>7}  {:>17}  {:>13}  {:>7}  most likely band",
        "unit",
        "index",
        "index 5–95%",
        "rank 5–95%",
        format!("top {}", analysis.top),
    );
    let mut order: Vec<&parindex_analysis::UnitUncertainty> = analysis.units.iter().collect();
    order.sort_by_key(|u| (u.rank.is_none(), u.rank, u.unit.clone()));
    for u in order {
        let band = u
            .band_probabilities
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, p)| format!("{} ({:.0}%)", analysis.bands[i], p * 100.0))
            .unwrap_or_default();
        let _ = writeln!(
            t,
            "{:>4}  {:<22} {:>7}  {:>17}  {:>13}  {:>6.0}%  {}",
            u.rank.map(|r| r.to_string()).unwrap_or_else(|| "–".into()),
            u.unit,
            u.index.map(|i| format!("{i:.2}")).unwrap_or_default(),
            u.index_interval
                .map(|i| format!("{:.2}–{:.2}", i.low, i.high))
                .unwrap_or_default(),
            u.rank_interval
                .map(|r| format!("{:.0}–{:.0}", r.low, r.high))
                .unwrap_or_default(),
            u.top_probability * 100.0,
            band
        );
    }
    if !analysis.sensitivity.is_empty() {
        let _ = writeln!(
            t,
            "\nsensitivity of the ranks (first-order, total; 95% bootstrap):"
        );
        for s in &analysis.sensitivity {
            let _ = writeln!(
                t,
                "  {:<10} S = {:.3} [{:.3}, {:.3}]   ST = {:.3} [{:.3}, {:.3}]",
                s.source.name(),
                s.first_order,
                s.first_order_interval.0,
                s.first_order_interval.1,
                s.total,
                s.total_interval.0,
                s.total_interval.1
            );
        }
    }
    let c = analysis.convergence;
    let _ = writeln!(
        t,
        "\nconvergence: {:.1}% of units moved their 5% or 95% rank by more than one place (1% of the units, beyond 100) between {} and {} replications{}; {}",
        c.rank_interval_shift * 100.0,
        analysis.replications / 2,
        analysis.replications,
        if analysis.sensitivity.is_empty() {
            String::new()
        } else {
            format!("; widest index interval {:.3}", c.widest_index_interval)
        },
        if c.converged {
            "converged"
        } else {
            "more replications advised"
        }
    );
    if analysis.surveys_held > 0 {
        let _ = writeln!(
            t,
            "{} survey values were held fixed: typed as percents, their respondents are unknown (type 17/20)",
            analysis.surveys_held
        );
    }
    t
}

/// The JSON document `parindex-sensitivity/1`.
fn json_document(
    analysis: &Analysis,
    names: &std::collections::BTreeMap<String, String>,
    set: &str,
) -> serde_json::Value {
    let interval = |i: Option<parindex_analysis::Interval>| {
        i.map(|i| json!({"p5": i.low, "median": i.median, "p95": i.high}))
    };
    let finite = |x: f64| {
        if x.is_nan() {
            serde_json::Value::Null
        } else {
            json!(x)
        }
    };
    json!({
        "schema": "parindex-sensitivity/1",
        "set": set,
        "replications": analysis.replications,
        "runs": analysis.runs,
        "seed": analysis.seed,
        "top": analysis.top,
        "sources": analysis.sources.iter().map(|s| s.name()).collect::<Vec<_>>(),
        "bands": analysis.bands,
        "surveys_redrawn": analysis.surveys_redrawn,
        "surveys_held": analysis.surveys_held,
        "perturbable_leaves": analysis.perturbable_leaves,
        "convergence": {
            "rank_interval_shift": analysis.convergence.rank_interval_shift,
            "widest_index_interval": analysis.convergence.widest_index_interval,
            "converged": analysis.convergence.converged,
        },
        "sensitivity": analysis.sensitivity.iter().map(|s| json!({
            "source": s.source.name(),
            "first_order": finite(s.first_order),
            "first_order_interval": [finite(s.first_order_interval.0), finite(s.first_order_interval.1)],
            "total": finite(s.total),
            "total_interval": [finite(s.total_interval.0), finite(s.total_interval.1)],
        })).collect::<Vec<_>>(),
        "units": analysis.units.iter().map(|u| json!({
            "unit": u.unit,
            "name": names.get(&u.unit),
            "index": u.index,
            "rank": u.rank,
            "band": u.band,
            "index_interval": interval(u.index_interval),
            "rank_interval": interval(u.rank_interval),
            "band_probabilities": analysis.bands.iter().zip(&u.band_probabilities)
                .map(|(b, p)| (b.clone(), json!(p))).collect::<serde_json::Map<_, _>>(),
            "top_probability": u.top_probability,
            "sensitivity": analysis.sources.iter().zip(&u.sensitivity)
                .map(|(s, (first, total))| (s.name().to_owned(), json!({"first_order": finite(*first), "total": finite(*total)})))
                .collect::<serde_json::Map<_, _>>(),
        })).collect::<Vec<_>>(),
    })
}
