//! `parindex targets`: a programme's targets in a year, each met, on track, behind or without
//! data, from results, the year's records and typed tables of measured values.

use std::path::{Path, PathBuf};

use parindex_core::programme::{Observation, Programme};
use parindex_core::records::ReformPlan;
use parindex_io::{
    ResultsDocument, observations_from_results, read_completions, read_measured, targets_csv,
    targets_html, targets_json, targets_table, write_atomic,
};

use crate::ScoreFormat;
use crate::output::{Failure, Outcome, extension, out, same_file};
use crate::run::input_failure;

/// What `parindex targets` is given.
#[derive(Debug, Clone, clap::Args)]
pub(crate) struct TargetsArgs {
    /// The programme file (.toml): its targets, each with a reform area, a comparator and
    /// value, a deadline and a population (docs/records.md).
    programme: PathBuf,
    /// The year to report.
    #[arg(long)]
    year: i32,
    /// Measured values: results documents (.json from `parindex score -o`) for targets that
    /// declare a `measure` of a node or reform area, and typed tables (.csv or .xlsx: target,
    /// year, unit, value, source) for any target.
    #[arg(long, num_args = 1..)]
    measured: Vec<PathBuf>,
    /// The year's reform plan (.toml), for targets measured by one of its tasks.
    #[arg(long, requires = "completions")]
    plan: Option<PathBuf>,
    /// The plan's completion records (.csv or .xlsx: unit, task, done).
    #[arg(long, requires = "plan")]
    completions: Option<PathBuf>,
    /// Files to write (repeatable): .html (the targets page), .csv or .json.
    #[arg(short, long)]
    output: Vec<PathBuf>,
    /// What to print to stdout when no -o is given.
    #[arg(long, value_enum, default_value_t = ScoreFormat::Table)]
    format: ScoreFormat,
}

/// Reads the programme and every measured value, and reports the targets of the year.
pub(crate) fn targets(args: &TargetsArgs) -> Outcome {
    for output in &args.output {
        if !["html", "htm", "csv", "json"].contains(&extension(output).as_str()) {
            return Err(Failure::usage(format!(
                "error: cannot tell the format of {}: name it .html, .csv or .json",
                output.display()
            )));
        }
        let mut inputs = std::iter::once(&args.programme)
            .chain(&args.measured)
            .chain(&args.plan)
            .chain(&args.completions);
        if inputs.any(|i| same_file(i, output)) {
            return Err(Failure::usage(format!(
                "error: {} is also an input; inputs are never overwritten",
                output.display()
            )));
        }
    }
    let programme =
        Programme::from_path(&args.programme).map_err(|e| Failure::invalid(e.to_string()))?;
    let mut observations: Vec<Observation> = Vec::new();
    for path in &args.measured {
        observations.extend(measured(&programme, path)?);
    }
    if let (Some(plan), Some(completions)) = (&args.plan, &args.completions) {
        let plan = ReformPlan::from_path(plan).map_err(|e| Failure::invalid(e.to_string()))?;
        let records = read_completions(completions).map_err(input_failure)?;
        let from_plan = programme
            .observations_from_plan(&plan, &records.items)
            .map_err(|e| Failure::invalid(format!("error: {e}")))?;
        observations.extend(from_plan);
    }
    let reports = programme.report(args.year, &observations);
    let mut rendered = Vec::new();
    for output in &args.output {
        let text = match extension(output).as_str() {
            "csv" => targets_csv(&programme, &reports),
            "json" => targets_json(&programme, args.year, &reports),
            _ => targets_html(&programme, args.year, &reports),
        };
        rendered.push((output, text));
    }
    for (output, text) in &rendered {
        write_atomic(output, text.as_bytes())?;
        eprintln!(
            "wrote {} ({} targets of {} in {})",
            output.display(),
            reports.len(),
            programme.id,
            args.year
        );
    }
    if args.output.is_empty() {
        let text = match args.format {
            ScoreFormat::Table => targets_table(&programme, args.year, &reports),
            ScoreFormat::Csv => targets_csv(&programme, &reports),
            ScoreFormat::Json => targets_json(&programme, args.year, &reports),
        };
        out(&text)?;
    }
    Ok(())
}

/// The observations of one `--measured` file: a results document, or a typed table.
fn measured(programme: &Programme, path: &Path) -> Result<Vec<Observation>, Failure> {
    if extension(path) == "json" {
        let document = ResultsDocument::read(path)?;
        let file = path.display().to_string();
        return Ok(observations_from_results(programme, &document, &file));
    }
    read_measured(programme, path)
        .map(|records| records.items)
        .map_err(input_failure)
}
