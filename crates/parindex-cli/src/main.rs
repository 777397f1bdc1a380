//! `parindex`: the PAR Index (Chỉ số cải cách hành chính) annual round from the command line.
//!
//! Exit codes: 0 success; 1 invalid input or criteria (every problem is printed to stderr as
//! `file:line:column: message`, or `file: sheet "…", cell F12 (code): message`); 2 usage.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod commands;
mod output;
mod run;

use clap::{Parser, Subcommand, ValueEnum};

use crate::commands::{
    compare, compare_areas, demo, diff, explain, golden_test, import, score, sensitivity, serve,
    sets, show, targets, template, validate, verify,
};
use crate::output::all_cores;
use crate::run::{ReadArgs, RecordArgs};

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
        /// Check the files as inputs for this set instead of as criteria files: they are read
        /// together and scored, as `score` would, so that everything `score` would refuse is
        /// refused here, at its place.
        #[arg(long)]
        set: Option<String>,
        #[command(flatten)]
        read: ReadArgs,
        #[command(flatten)]
        records: RecordArgs,
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
    /// Turn a printed criteria table (.csv or .xlsx: code, name, max, guidance, notes columns)
    /// into a criteria file skeleton.
    ///
    /// Each leaf's rule is inferred from its printed guidance ("Đạt 100%: 2 điểm; dưới 80%: 0",
    /// "issued on time → 1 | not issued → 0"); a rule_type column, if any, chooses the kind. Rows
    /// that cannot be inferred, and sums that do not add up, are marked `# TODO:` in the file,
    /// which loads once none is left. Without -o (or with -o -) the file goes to stdout.
    Import {
        /// The table: .csv (UTF-8, comma or semicolon) or .xlsx.
        table: PathBuf,
        /// The criteria file to write (.toml); `-` for stdout.
        #[arg(short, long)]
        output: Option<PathBuf>,
        #[command(flatten)]
        args: import::ImportArgs,
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
        /// With the table or CSV on stdout: per unit its total and area points (`area`), or
        /// its sub-index per reform area of the PAR programme (`reform-area`).
        #[arg(long, value_enum, default_value_t = By::Area)]
        by: By,
        /// Last year's results (.json): the change since then in the HTML report, and the year
        /// before of the rows that compare a unit with its own (`trend`).
        #[arg(long)]
        previous: Option<PathBuf>,
        /// Area codes renumbered since last year: a CSV with columns before,after.
        #[arg(long)]
        crosswalk: Option<PathBuf>,
        /// Leave the measurement seen and the reason out of each node of the JSON document
        /// (much smaller for large runs; `parindex explain` gives them for one unit).
        #[arg(long)]
        lean: bool,
        /// Threads for reading, scoring and writing (default: one per core). The results
        /// are the same, byte for byte, for any number.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..))]
        threads: Option<u16>,
        #[command(flatten)]
        read: ReadArgs,
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
        read: ReadArgs,
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
    ///
    /// With `--by reform-area`, per reform area of the PAR programme: the units, mean, lowest
    /// and highest sub-index of each, and the change in the mean; then each unit in both. No
    /// crosswalk is needed, and the two may be different sets (a department set and a commune
    /// set of one province).
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
        /// Compare the sets' own areas, matched by code (`area`), or the reform areas of the
        /// PAR programme (`reform-area`).
        #[arg(long, value_enum)]
        by: Option<By>,
    },
    /// How sure is each rank? Replicate the scoring under the uncertainty of survey samples,
    /// appraisal, methodological choices and area weights, and report each unit's 5–95%
    /// index and rank intervals, band and top-k probabilities, and (with --indices) which
    /// source moves the ranks most. See docs/sensitivity.md.
    Sensitivity(Box<sensitivity::SensitivityArgs>),
    /// Report a reform programme's targets in a year: each one met, on track, behind or
    /// without data, with the value measured and where it came from, and for values per unit
    /// the share of units that meet it. Measured values come from results documents, the
    /// year's reform plan and its completion records, and typed tables. See docs/records.md.
    Targets(Box<targets::TargetsArgs>),
    /// Score the embedded sample batch (synthetic, 30 commune police units) and write a report,
    /// a workbook and the JSON into a new folder under the current directory.
    Demo,
    /// Run the round online: units self-assess with evidence, the council appraises, the office
    /// publishes (docs/server.md). Listens on 127.0.0.1:8080 with a SQLite database in
    /// ./parindex-data/, and prints the office's admin password on first start.
    Serve(serve::ServeArgs),
    /// Check a set against units worked out by hand from its printed table (the format of
    /// tests/golden/…/units.toml): every figure that disagrees is printed with its unit and
    /// node, and the exit is non-zero.
    Test {
        /// A shipped set id or a criteria .toml file.
        set: String,
        /// The units file (.toml).
        units: PathBuf,
    },
    /// Score a published round's bundle again and check that its results are byte for byte
    /// those it holds.
    Verify {
        /// The bundle (.json), as `GET /api/rounds/{round}/bundle` gives it.
        bundle: std::path::PathBuf,
    },
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub(crate) enum ShowFormat {
    Text,
    Json,
}

/// What results are broken down by.
#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum By {
    /// The set's own areas, by code.
    Area,
    /// The reform areas of the PAR programme.
    ReformArea,
}

#[derive(Debug, Clone, Copy, ValueEnum, PartialEq, Eq)]
pub(crate) enum ScoreFormat {
    Table,
    Csv,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Sets => sets::sets(),
        Command::Show { set, format } => show::show(&set, format),
        Command::Validate {
            files,
            set,
            read,
            records,
        } => validate::validate(&files, set.as_deref(), &read, &records),
        Command::Template { set, output } => template::template(&set, &output),
        Command::Import {
            table,
            output,
            args,
        } => import::import(&table, output.as_deref(), &args),
        Command::Score {
            set,
            inputs,
            output,
            format,
            by,
            previous,
            crosswalk,
            lean,
            read,
            records,
            threads,
        } => score::score(
            &set,
            &inputs,
            &read,
            &records,
            &output,
            (format, by),
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
            read,
            records,
        } => explain::explain(&set, &inputs, &read, &records, &unit, format),
        Command::Diff { set_a, set_b } => diff::diff(&set_a, &set_b),
        Command::Compare {
            results_a,
            results_b,
            crosswalk,
            format,
            by: Some(By::ReformArea),
        } => match crosswalk {
            Some(_) => Err(output::Failure::usage(
                "error: --by reform-area needs no --crosswalk: each set says which reform area each of its rows is in",
            )),
            None => compare_areas::compare_reform_areas_of(&results_a, &results_b, format),
        },
        Command::Compare {
            results_a,
            results_b,
            crosswalk,
            format,
            by: _,
        } => compare::compare_results(&results_a, &results_b, crosswalk.as_deref(), format),
        Command::Sensitivity(args) => sensitivity::sensitivity(&args),
        Command::Targets(args) => targets::targets(&args),
        Command::Demo => demo::demo(),
        Command::Serve(args) => serve::serve(&args),
        Command::Verify { bundle } => verify::verify(&bundle),
        Command::Test { set, units } => golden_test::golden_test(&set, &units),
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
