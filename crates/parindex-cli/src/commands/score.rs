//! `parindex score`: score, rank and classify units, and write the results.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use parindex_io::{
    Outputs, ReportOptions, ResultsDocument, Scored, detail_sheets, read_crosswalk,
    reform_area_csv, reform_area_table, report_html, summary_csv_with_threads,
    summary_table_with_threads, write_results_json_with_threads, write_results_xlsx,
    write_summary_csv_with_threads,
};

use crate::output::{Failure, Outcome, Progress, check_outputs, extension, out, print_warnings};
use crate::run::{ReadArgs, RecordArgs, load_set, round, score_round};
use crate::{By, ScoreFormat};
use parindex_core::Kept;
use parindex_core::text::plural;

/// Scores the inputs and writes the results, or prints the ranking.
#[allow(clippy::too_many_arguments)]
pub(crate) fn score(
    set: &str,
    inputs: &[PathBuf],
    read: &ReadArgs,
    records: &RecordArgs,
    outputs: &[PathBuf],
    (format, by): (ScoreFormat, By),
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
    }
    let read_from = inputs
        .iter()
        .map(PathBuf::as_path)
        .chain(records.paths().map(PathBuf::as_path))
        .chain(previous)
        .chain(crosswalk)
        .chain(std::iter::once(Path::new(set)).filter(|p| p.is_file()));
    check_outputs(outputs, read_from)?;
    let loaded = load_set(set)?;
    let progress = Progress::new(inputs.len() as u64 + 1 + outputs.len() as u64);
    // Last year's results: compared with in the report, and the year before of the rules that
    // compare a unit with its own (`trend`).
    let previous_document = match previous {
        Some(path) => Some(ResultsDocument::read(path)?),
        None => None,
    };
    // The summary reads only the areas' results: a run that writes nothing else keeps only
    // theirs, and so a fraction of the memory.
    let summary_only = if outputs.is_empty() {
        matches!(
            (format, by),
            (ScoreFormat::Table | ScoreFormat::Csv, By::Area)
        )
    } else {
        outputs.iter().all(|o| extension(o) == "csv")
    };
    let this_round = round(
        &loaded,
        inputs,
        read,
        records,
        &progress,
        threads,
        previous_document.as_ref(),
        if summary_only {
            Kept::Areas
        } else {
            Kept::Every
        },
    )?;
    let Scored { inputs, results } = score_round(this_round, &progress)?;
    let previous_year = match &previous_document {
        Some(document) => Some(document.year_view()?),
        None => None,
    };
    let crosswalk = match crosswalk {
        Some(path) => read_crosswalk(path)?,
        None => BTreeMap::new(),
    };
    // Every output goes to its temporary file first, the large ones streamed into it; only
    // when all are written are they renamed into place, so that a failed run leaves every
    // output as it was.
    let mut staged = Outputs::new();
    for output in outputs {
        progress.step(format!("writing {}", output.display()));
        match extension(output).as_str() {
            "html" | "htm" => {
                let options = ReportOptions {
                    names: inputs.names.clone(),
                    previous: previous_year.as_ref(),
                    crosswalk: crosswalk.clone(),
                    rank_intervals: None,
                };
                staged.write(output, report_html(&results, &options).as_bytes())?;
            }
            "xlsx" => staged.write_with(output, |file| {
                write_results_xlsx(&results, &inputs.names, file).map_err(std::io::Error::other)
            })?,
            "json" => staged.write_with(output, |file| {
                write_results_json_with_threads(&results, &inputs.names, !lean, threads, file)
            })?,
            _ => staged.write_with(output, |file| {
                write_summary_csv_with_threads(&results, &inputs.names, threads, file)
            })?,
        }
    }
    staged.commit()?;
    progress.done();
    let sheets = detail_sheets(&results);
    if sheets > 1 && outputs.iter().any(|o| extension(o) == "xlsx") {
        eprintln!(
            "note: the workbook's detail has more rows than a sheet holds (1048576): it runs over {sheets} sheets, Chi tiết 1 to Chi tiết {sheets}"
        );
    }
    print_warnings(&results);
    if outputs.is_empty() {
        let text = match (format, by) {
            (ScoreFormat::Table, By::ReformArea) => reform_area_table(&results, &inputs.names),
            (ScoreFormat::Csv, By::ReformArea) => reform_area_csv(&results, &inputs.names),
            (ScoreFormat::Table, By::Area) => {
                summary_table_with_threads(&results, &inputs.names, threads)
            }
            (ScoreFormat::Csv, By::Area) => {
                summary_csv_with_threads(&results, &inputs.names, threads)
            }
            (ScoreFormat::Json, _) => {
                let _ = write_results_json_with_threads(
                    &results,
                    &inputs.names,
                    !lean,
                    threads,
                    unbuffered_stdout(),
                );
                String::new()
            }
        };
        out(&text)?;
    } else {
        for output in outputs {
            eprintln!(
                "wrote {} ({})",
                output.display(),
                plural(results.units.len(), "unit")
            );
        }
    }
    // The process ends next and its memory goes back whole: freeing every unit's values one
    // by one first would only cost time.
    std::mem::forget((results, inputs));
    Ok(())
}

/// Standard output for a large document: the file it is, written to directly. Rust's own
/// standard output looks for a line's end in everything written to it, and the document, one
/// line of 178 MB for 10,000 units, is written in large parts that have none.
fn unbuffered_stdout() -> Box<dyn std::io::Write> {
    #[cfg(unix)]
    {
        use std::os::fd::AsFd;
        if let Ok(fd) = std::io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(std::io::stdout().lock())
}
