//! `parindex`: the PAR Index (Chỉ số cải cách hành chính) annual round from the command line.
//!
//! Exit codes: 0 success; 1 invalid input or criteria (every problem is printed to stderr as
//! `file:line:column: message`, or `file: sheet "…", cell F12 (code): message`); 2 usage.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod output;
mod run;
mod sensitivity;

use clap::{Parser, Subcommand, ValueEnum};
use parindex_core::{CriteriaSet, Plan, Severity, compare, diff_sets, rule_to_toml, shipped};
use parindex_io::{
    InputReader, ReportOptions, ResultsDocument, decimal, read_crosswalk, report_html,
    results_xlsx, stage_label, summary_csv, summary_table, template_csv, template_xlsx,
    write_atomic, write_atomic_with, write_results_json_with_threads,
};

use crate::output::{
    Failure, Outcome, Progress, all_cores, extension, out, print_warnings, same_file,
};
use crate::run::{RecordArgs, load_set, read_and_score};

/// The embedded sample batch the demo scores (synthetic figures; see criteria/samples/README.md).
const DEMO_CSV: &str = include_str!("../../../criteria/samples/binh-thuan-police-commune-2024.csv");
const DEMO_FILE: &str = "binh-thuan-police-commune-2024.csv";
const DEMO_SET: &str = "binh-thuan-police/commune/2024";

#[derive(Parser, Debug)]
#[command(
    name = "parindex",
    version,
    about = "Score, rank and report the PAR Index (Chỉ số cải cách hành chính) from its criteria sets",
    long_about = "Score, rank and report the PAR Index (Chỉ số cải cách hành chính).\n\n\
A SET is the id of a shipped criteria set (see `parindex sets`) or the path of a criteria .toml file.\n\
Inputs are filled templates (.xlsx, .csv), long-layout CSV files (unit, code, value, stage, evidence, note) or JSON.\n\n\
Exit codes: 0 success; 1 invalid input or criteria (every problem is printed to stderr); 2 usage error.",
    after_help = "The annual round: parindex template SET -o mau.xlsx → units fill it in → parindex score SET mau.xlsx -o ket-qua.xlsx -o bao-cao.html → parindex compare 2024.json 2025.json.\nTry `parindex demo`."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// List the shipped criteria sets: id, year, level, status and title.
    Sets,
    /// Print a set's tree: codes, names, maxima and rules.
    Show {
        /// A shipped set id or a criteria .toml file.
        set: String,
        /// Text for people, JSON for programs.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
    },
    /// Check criteria files (.toml, or shipped ids), or input files against a set with --set.
    ///
    /// Prints every error and warning as `file:line:column: message`. Exits 0 when every file
    /// is valid (warnings allowed), 1 otherwise.
    Validate {
        /// Criteria .toml files or shipped ids; with --set, input files (.csv, .xlsx, .json).
        #[arg(required = true)]
        files: Vec<String>,
        /// Check the files as inputs for this set instead of as criteria files.
        #[arg(long)]
        set: Option<String>,
    },
    /// Write an input template for a set: .xlsx (one sheet per stage, with data validation and
    /// instructions in Vietnamese) or .csv.
    Template {
        /// A shipped set id or a criteria .toml file.
        set: String,
        /// The template to write: its extension (.xlsx or .csv) picks the format.
        #[arg(short, long)]
        output: PathBuf,
    },
    /// Score units, rank and classify them, and write the results.
    ///
    /// Several inputs may be given: e.g. the self-assessment and the appraisal. Without -o the
    /// ranking goes to stdout. Each -o file's extension picks its writer: .xlsx (a workbook for
    /// printing), .html (the report), .csv (the summary), .json (the parindex-results/1
    /// document). Nothing is written unless every input is valid.
    Score {
        /// A shipped set id or a criteria .toml file.
        set: String,
        /// Input files: .xlsx, .csv (wide or long layout) or .json.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// Output files (repeatable): .xlsx, .html, .csv or .json.
        #[arg(short, long)]
        output: Vec<PathBuf>,
        /// What to print to stdout when no -o is given.
        #[arg(long, value_enum, default_value_t = ScoreFormat::Table)]
        format: ScoreFormat,
        /// Last year's results (.json), for the change since then in the HTML report.
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Area codes renumbered since last year: a CSV with columns before,after.
        #[arg(long)]
        crosswalk: Option<PathBuf>,
        /// Leave the measurement seen and the reason out of each node of the JSON document
        /// (much smaller for large runs; `parindex explain` gives them for one unit).
        #[arg(long)]
        lean: bool,
        /// Threads for scoring and writing JSON (default: one per core). The results are the
        /// same, byte for byte, for any number.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Show, node by node, where a unit won and lost its points.
    Explain {
        /// A shipped set id or a criteria .toml file.
        set: String,
        /// Input files, as for `score`.
        #[arg(required = true)]
        inputs: Vec<PathBuf>,
        /// The unit's id.
        #[arg(long)]
        unit: String,
        /// Text for people, JSON for programs.
        #[arg(long, value_enum, default_value_t = ShowFormat::Text)]
        format: ShowFormat,
        #[command(flatten)]
        records: RecordArgs,
    },
    /// Show what changed between two sets: rows added, removed, moved, renamed, new maxima and
    /// rules.
    Diff {
        /// The older set.
        set_a: String,
        /// The newer set.
        set_b: String,
    },
    /// Compare two results documents (.json from `score -o`): per unit, the change in index and
    /// in rank, and per area the change in sub-index (the maxima may differ between years).
    Compare {
        /// The older results (.json).
        results_a: PathBuf,
        /// The newer results (.json).
        results_b: PathBuf,
        /// Area codes renumbered between the two: a CSV with columns before,after.
        #[arg(long)]
        crosswalk: Option<PathBuf>,
        /// Table for people, CSV or JSON for programs.
        #[arg(long, value_enum, default_value_t = ScoreFormat::Table)]
        format: ScoreFormat,
    },
    /// How sure is each rank? Replicate the scoring under the uncertainty of survey samples,
    /// appraisal, methodological choices and area weights, and report each unit's 5–95%
    /// index and rank intervals, band and top-k probabilities, and (with --indices) which
    /// source moves the ranks most. See docs/sensitivity.md.
    Sensitivity(Box<sensitivity::SensitivityArgs>),
    /// Score the embedded sample batch (synthetic, 30 commune police units) and write a report,
    /// a workbook and the JSON into a new folder under the current directory.
    Demo,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum ShowFormat {
    Text,
    Json,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
enum ScoreFormat {
    Table,
    Csv,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sets => sets(),
        Command::Show { set, format } => show(&set, format),
        Command::Validate { files, set } => validate(&files, set.as_deref()),
        Command::Template { set, output } => template(&set, &output),
        Command::Score {
            set,
            inputs,
            output,
            format,
            previous,
            crosswalk,
            lean,
            records,
            threads,
        } => score(
            &set,
            &inputs,
            &records,
            &output,
            format,
            previous.as_deref(),
            crosswalk.as_deref(),
            lean,
            threads.map_or_else(all_cores, usize::from),
        ),
        Command::Explain {
            set,
            inputs,
            unit,
            format,
            records,
        } => explain(&set, &inputs, &records, &unit, format),
        Command::Diff { set_a, set_b } => diff(&set_a, &set_b),
        Command::Compare {
            results_a,
            results_b,
            crosswalk,
            format,
        } => compare_results(&results_a, &results_b, crosswalk.as_deref(), format),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Demo => demo(),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            let mut stderr = std::io::stderr().lock();
            let _ = writeln!(stderr, "{}", failure.message.trim_end());
            ExitCode::from(failure.code)
        }
    }
}

fn sets() -> Outcome {
    let mut text = String::new();
    let list = shipped::list();
    let width = list
        .iter()
        .map(|s| s.id.chars().count())
        .max()
        .unwrap_or(2)
        .max(2);
    text.push_str(&format!(
        "{:width$}  year  {:10}  {:11}  title\n",
        "id", "level", "status"
    ));
    for s in list {
        text.push_str(&format!(
            "{:width$}  {}  {:10}  {:11}  {}\n",
            s.id,
            s.year,
            s.level,
            s.status.as_str(),
            s.title
        ));
    }
    out(&text)
}

fn show(set: &str, format: ShowFormat) -> Outcome {
    let loaded = load_set(set)?;
    let set = &loaded.set;
    match format {
        ShowFormat::Text => {
            let mut text = format!(
                "{}\n{} · {} · {} · max {} · stages {}\n",
                set.info.title,
                set.info.id,
                set.info.year,
                set.info.level,
                decimal(set.info.max),
                set.policy.stages.join(" → ")
            );
            text.push_str(&format!("hash {}\n", set.content_hash));
            if !set.bands.is_empty() {
                let bands: Vec<String> = set
                    .bands
                    .iter()
                    .map(|b| format!("{} ({})", b.name, b.when))
                    .collect();
                text.push_str(&format!("bands {}\n", bands.join(", ")));
            }
            text.push('\n');
            for node in &set.nodes {
                let indent = "  ".repeat(node.depth());
                text.push_str(&format!(
                    "{indent}{} {} [{}]",
                    node.code,
                    node.name,
                    decimal(node.max)
                ));
                if let Some(rule) = &node.rule {
                    text.push_str(&format!("  {}", rule_to_toml(rule)));
                }
                text.push('\n');
            }
            out(&text)
        }
        ShowFormat::Json => {
            let nodes: Vec<serde_json::Value> = set
                .nodes
                .iter()
                .map(|n| {
                    serde_json::json!({
                        "code": n.code,
                        "name": n.name,
                        "name_en": n.name_en,
                        "max": decimal(n.max),
                        "parent": n.parent_code(),
                        "leaf": n.rule.is_some(),
                        "rule": n.rule.as_ref().map(rule_to_toml),
                        "rule_kind": n.rule.as_ref().map(|r| r.kind().as_str()),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "id": set.info.id,
                "title": set.info.title,
                "year": set.info.year,
                "level": set.info.level,
                "max": decimal(set.info.max),
                "content_hash": set.content_hash,
                "status": set.origin.status.as_str(),
                "stages": set.policy.stages,
                "attributes": set.attributes.iter().map(|a| a.name.clone()).collect::<Vec<_>>(),
                "bands": set.bands.iter().map(|b| serde_json::json!({"name": b.name, "label": b.label, "when": b.when.to_string()})).collect::<Vec<_>>(),
                "nodes": nodes,
            });
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            out(&text)
        }
    }
}

fn validate(files: &[String], set: Option<&str>) -> Outcome {
    let mut invalid = false;
    let mut text = String::new();
    let mut stderr_text = String::new();
    if let Some(set) = set {
        let loaded = load_set(set)?;
        let plan = Plan::new(&loaded.set);
        for file in files {
            let mut reader = InputReader::new(&plan);
            reader.read_path(Path::new(file));
            match reader.finish() {
                Ok(inputs) => text.push_str(&format!(
                    "{file}: valid: {} units for {}\n",
                    inputs.batch.units().len(),
                    plan.set().info.id
                )),
                Err(e) => {
                    invalid = true;
                    stderr_text.push_str(&format!("{e}\n"));
                }
            }
        }
    } else {
        for file in files {
            let path = Path::new(file);
            let result = if path.exists() || file.ends_with(".toml") {
                CriteriaSet::from_path(path)
            } else {
                shipped::load(file)
            };
            match result {
                Ok(loaded) => {
                    for d in &loaded.warnings {
                        stderr_text.push_str(&format!("{d}\n"));
                    }
                    text.push_str(&format!(
                        "{file}: valid ({} nodes, {} warnings)\n",
                        loaded.set.nodes.len(),
                        loaded.warnings.len()
                    ));
                }
                Err(e) => {
                    invalid = true;
                    for d in &e.diagnostics {
                        stderr_text.push_str(&format!("{d}\n"));
                    }
                    let errors = e
                        .diagnostics
                        .iter()
                        .filter(|d| d.severity == Severity::Error)
                        .count();
                    stderr_text.push_str(&format!("{file}: invalid ({errors} errors)\n"));
                }
            }
        }
    }
    out(&text)?;
    if invalid {
        Err(Failure::invalid(stderr_text))
    } else {
        if !stderr_text.is_empty() {
            eprint!("{stderr_text}");
        }
        Ok(())
    }
}

fn template(set: &str, output: &Path) -> Outcome {
    let bytes = match extension(output).as_str() {
        "xlsx" => {
            let loaded = load_set(set)?;
            template_xlsx(&loaded.set)?
        }
        "csv" => {
            let loaded = load_set(set)?;
            template_csv(&loaded.set).into_bytes()
        }
        other => {
            return Err(Failure::usage(format!(
                "error: cannot write a template as \".{other}\": name the output .xlsx or .csv"
            )));
        }
    };
    write_atomic(output, &bytes)?;
    eprintln!("wrote {}", output.display());
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn score(
    set: &str,
    inputs: &[PathBuf],
    records: &RecordArgs,
    outputs: &[PathBuf],
    format: ScoreFormat,
    previous: Option<&Path>,
    crosswalk: Option<&Path>,
    lean: bool,
    threads: usize,
) -> Outcome {
    for output in outputs {
        if !["xlsx", "html", "htm", "csv", "json"].contains(&extension(output).as_str()) {
            return Err(Failure::usage(format!(
                "error: cannot tell the format of {}: name it .xlsx, .html, .csv or .json",
                output.display()
            )));
        }
        if inputs.iter().any(|i| same_file(i, output)) {
            return Err(Failure::usage(format!(
                "error: {} is also an input; inputs are never overwritten",
                output.display()
            )));
        }
    }
    let loaded = load_set(set)?;
    let plan = Plan::new(&loaded.set);
    let progress = Progress::new(inputs.len() as u64 + 1 + outputs.len() as u64);
    let (inputs, results) = read_and_score(&plan, inputs, records, &progress, threads)?;
    let previous_year = match previous {
        Some(path) => Some(ResultsDocument::read(path)?.year_view()?),
        None => None,
    };
    let crosswalk = match crosswalk {
        Some(path) => read_crosswalk(path)?,
        None => BTreeMap::new(),
    };
    // Every output is rendered before any is written: a failed run writes nothing. The JSON
    // document, which can be large, is streamed into its temporary file instead, last.
    let mut rendered = Vec::with_capacity(outputs.len());
    for output in outputs {
        progress.step(format!("writing {}", output.display()));
        let bytes = match extension(output).as_str() {
            "json" => continue,
            "xlsx" => results_xlsx(&results, &inputs.names)?,
            "html" | "htm" => report_html(
                &results,
                &ReportOptions {
                    names: inputs.names.clone(),
                    previous: previous_year.as_ref(),
                    crosswalk: crosswalk.clone(),
                    rank_intervals: None,
                },
            )
            .into_bytes(),
            _ => summary_csv(&results, &inputs.names).into_bytes(),
        };
        rendered.push((output, bytes));
    }
    for (output, bytes) in &rendered {
        write_atomic(output, bytes)?;
    }
    for output in outputs.iter().filter(|o| extension(o) == "json") {
        write_atomic_with(output, |file| {
            write_results_json_with_threads(&results, &inputs.names, !lean, threads, file)
        })?;
    }
    progress.done();
    print_warnings(&results);
    if outputs.is_empty() {
        let text = match format {
            ScoreFormat::Table => summary_table(&results, &inputs.names),
            ScoreFormat::Csv => summary_csv(&results, &inputs.names),
            ScoreFormat::Json => {
                let stdout = std::io::stdout().lock();
                let _ = write_results_json_with_threads(
                    &results,
                    &inputs.names,
                    !lean,
                    threads,
                    stdout,
                );
                String::new()
            }
        };
        out(&text)?;
    } else {
        for output in outputs {
            eprintln!("wrote {} ({} units)", output.display(), results.units.len());
        }
    }
    Ok(())
}

fn explain(
    set: &str,
    inputs: &[PathBuf],
    records: &RecordArgs,
    unit: &str,
    format: ShowFormat,
) -> Outcome {
    let loaded = load_set(set)?;
    let plan = Plan::new(&loaded.set);
    let (inputs, results) = read_and_score(&plan, inputs, records, &Progress(None), all_cores())?;
    let Some(card) = results.unit(unit) else {
        let known: Vec<&str> = results
            .units
            .iter()
            .take(10)
            .map(|u| u.unit.as_str())
            .collect();
        return Err(Failure::invalid(format!(
            "error: no unit \"{unit}\" in the input (units: {}{})",
            known.join(", "),
            if results.units.len() > 10 {
                ", …"
            } else {
                ""
            }
        )));
    };
    match format {
        ShowFormat::Json => {
            let doc = ResultsDocument::new(&results, &inputs.names);
            let entry = doc.units.iter().find(|u| u.unit == card.unit);
            let mut text = serde_json::to_string_pretty(&entry).unwrap_or_default();
            text.push('\n');
            out(&text)
        }
        ShowFormat::Text => {
            let explanation = card.explain();
            let mut text = String::new();
            if let Some(name) = inputs.names.get(&card.unit) {
                text.push_str(&format!("{name}\n"));
            }
            text.push_str(&explanation.to_string());
            let losses = explanation.losses();
            if !losses.is_empty() {
                text.push_str("\nWhere the points were lost, most first:\n");
                for line in losses {
                    let stage = line
                        .stage
                        .as_deref()
                        .map(|s| format!(" [{}]", stage_label(s)))
                        .unwrap_or_default();
                    text.push_str(&format!(
                        "  -{} {} {}{stage}: {}\n",
                        decimal(line.lost),
                        line.code,
                        line.name,
                        line.reason
                    ));
                }
            }
            out(&text)
        }
    }
}

fn diff(a: &str, b: &str) -> Outcome {
    let old = load_set(a)?.set;
    let new = load_set(b)?.set;
    let changes = diff_sets(&old, &new);
    let mut text = format!(
        "{} → {}: {} change{}\n",
        old.info.id,
        new.info.id,
        changes.len(),
        if changes.len() == 1 { "" } else { "s" }
    );
    if old.info.max != new.info.max {
        text.push_str(&format!(
            "~ total max {} → {}\n",
            decimal(old.info.max),
            decimal(new.info.max)
        ));
    }
    for change in &changes {
        text.push_str(&format!("{change}\n"));
    }
    out(&text)
}

fn compare_results(a: &Path, b: &Path, crosswalk: Option<&Path>, format: ScoreFormat) -> Outcome {
    let before_doc = ResultsDocument::read(a)?;
    let after_doc = ResultsDocument::read(b)?;
    let before = before_doc.year_view()?;
    let after = after_doc.year_view()?;
    let crosswalk = match crosswalk {
        Some(path) => read_crosswalk(path)?,
        None => BTreeMap::new(),
    };
    let scale = after_doc
        .set
        .scale
        .parse()
        .unwrap_or(rust_decimal::Decimal::ONE_HUNDRED);
    let changes = compare(&before, &after, &crosswalk, scale);
    let show = |x: Option<rust_decimal::Decimal>| x.map(|v| v.to_string()).unwrap_or_default();
    let signed = |x: Option<rust_decimal::Decimal>| {
        x.map(|v| {
            if v > rust_decimal::Decimal::ZERO {
                format!("+{v}")
            } else {
                v.to_string()
            }
        })
        .unwrap_or_default()
    };
    let area_codes: Vec<String> = changes
        .first()
        .map(|c| c.areas.iter().map(|a| a.code.clone()).collect())
        .unwrap_or_default();
    let mut header: Vec<String> = [
        "unit",
        "index_before",
        "index_after",
        "index_change",
        "rank_before",
        "rank_after",
        "rank_change",
    ]
    .map(String::from)
    .to_vec();
    header.extend(area_codes.iter().map(|c| format!("area_{c}_change")));
    let rows: Vec<Vec<String>> = changes
        .iter()
        .map(|c| {
            let mut row = vec![
                c.unit.clone(),
                show(c.index_before),
                show(c.index_after),
                signed(c.index_change),
                c.rank_before.map(|r| r.to_string()).unwrap_or_default(),
                c.rank_after.map(|r| r.to_string()).unwrap_or_default(),
                c.rank_change.map(|r| format!("{r:+}")).unwrap_or_default(),
            ];
            row.extend(c.areas.iter().map(|a| signed(a.change)));
            row
        })
        .collect();
    let text = match format {
        ScoreFormat::Json => {
            let units: Vec<serde_json::Value> = changes
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "unit": c.unit,
                        "index_before": c.index_before.map(|x| x.to_string()),
                        "index_after": c.index_after.map(|x| x.to_string()),
                        "index_change": c.index_change.map(|x| x.to_string()),
                        "rank_before": c.rank_before,
                        "rank_after": c.rank_after,
                        "rank_change": c.rank_change,
                        "areas": c.areas.iter().map(|a| serde_json::json!({
                            "code": a.code, "name": a.name,
                            "before": a.before.map(|x| x.to_string()),
                            "after": a.after.map(|x| x.to_string()),
                            "change": a.change.map(|x| x.to_string()),
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let doc = serde_json::json!({
                "before": {"set": before.set_id, "year": before.year},
                "after": {"set": after.set_id, "year": after.year},
                "units": units,
            });
            let mut t = serde_json::to_string_pretty(&doc).unwrap_or_default();
            t.push('\n');
            t
        }
        ScoreFormat::Csv => {
            let mut t = String::new();
            for row in std::iter::once(&header).chain(rows.iter()) {
                let fields: Vec<String> = row
                    .iter()
                    .map(|f| {
                        if f.contains([',', '"']) {
                            format!("\"{}\"", f.replace('"', "\"\""))
                        } else {
                            f.clone()
                        }
                    })
                    .collect();
                t.push_str(&fields.join(","));
                t.push('\n');
            }
            t
        }
        ScoreFormat::Table => {
            let mut t = format!(
                "{} ({}) → {} ({}); area changes are in sub-index points (0–{})\n",
                before.set_id,
                before.year,
                after.set_id,
                after.year,
                decimal(scale)
            );
            let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
            for row in &rows {
                for (i, f) in row.iter().enumerate() {
                    widths[i] = widths[i].max(f.chars().count());
                }
            }
            for row in std::iter::once(&header).chain(rows.iter()) {
                let cells: Vec<String> = row
                    .iter()
                    .enumerate()
                    .map(|(i, f)| {
                        if i == 0 {
                            format!("{f:<w$}", w = widths[i])
                        } else {
                            format!("{f:>w$}", w = widths[i])
                        }
                    })
                    .collect();
                t.push_str(cells.join("  ").trim_end());
                t.push('\n');
            }
            let missing: Vec<&str> = before
                .units
                .iter()
                .filter(|u| !after.units.iter().any(|n| n.unit == u.unit))
                .map(|u| u.unit.as_str())
                .collect();
            if !missing.is_empty() {
                t.push_str(&format!(
                    "not in the newer results: {}\n",
                    missing.join(", ")
                ));
            }
            t
        }
    };
    out(&text)
}

fn demo() -> Outcome {
    let loaded = load_set(DEMO_SET)?;
    let plan = Plan::new(&loaded.set);
    let mut reader = InputReader::new(&plan);
    reader.read_bytes(DEMO_FILE, DEMO_CSV.as_bytes());
    let inputs = reader
        .finish()
        .map_err(|e| Failure::invalid(format!("{e}")))?;
    let results = plan
        .score(&inputs.batch)
        .map_err(|e| Failure::invalid(e.to_string()))?;
    let files: Vec<(&str, Vec<u8>)> = vec![
        (
            "report.html",
            report_html(
                &results,
                &ReportOptions {
                    names: inputs.names.clone(),
                    ..ReportOptions::default()
                },
            )
            .into_bytes(),
        ),
        ("results.xlsx", results_xlsx(&results, &inputs.names)?),
        (
            "results.json",
            ResultsDocument::new(&results, &inputs.names)
                .to_json()
                .into_bytes(),
        ),
    ];
    let mut dir = PathBuf::from("parindex-demo");
    let mut n = 2;
    while dir.exists() {
        dir = PathBuf::from(format!("parindex-demo-{n}"));
        n += 1;
    }
    std::fs::create_dir(&dir)
        .map_err(|e| Failure::invalid(format!("error: {}: {e}", dir.display())))?;
    for (name, bytes) in &files {
        if let Err(e) = write_atomic(&dir.join(name), bytes) {
            for (written, _) in &files {
                let _ = std::fs::remove_file(dir.join(written));
            }
            let _ = std::fs::remove_dir(&dir);
            return Err(e.into());
        }
    }
    let mut text = format!(
        "{} — synthetic sample batch ({} units; invented figures, see criteria/samples/README.md)\n\n",
        plan.set().info.title,
        results.units.len()
    );
    text.push_str(&summary_table(&results, &inputs.names));
    text.push_str(&format!(
        "\nwrote {0}/report.html, {0}/results.xlsx and {0}/results.json\n",
        dir.display()
    ));
    out(&text)?;
    print_warnings(&results);
    Ok(())
}
