//! `parindex demo`: score the embedded sample batch and write its report, workbook and JSON.

use std::path::PathBuf;

use parindex_core::Plan;
use parindex_io::{
    ReadOptions, ReportOptions, ResultsDocument, Round, Scored, report_html, results_xlsx,
    summary_table, write_atomic,
};

use crate::output::{Failure, Outcome, out, print_warnings};
use crate::run::{load_set, round_failure};

/// The embedded sample batch the demo scores (synthetic figures; see criteria/samples/README.md).
const DEMO_CSV: &str =
    include_str!("../../../../criteria/samples/binh-thuan-police-commune-2024.csv");
const DEMO_FILE: &str = "binh-thuan-police-commune-2024.csv";
const DEMO_SET: &str = "binh-thuan-police/commune/2024";

/// Scores the embedded sample batch and writes its report, workbook and JSON.
pub(crate) fn demo() -> Outcome {
    let loaded = load_set(DEMO_SET)?;
    let plan = Plan::new(&loaded.set);
    let mut round = Round::new(&plan, ReadOptions::default());
    round.read_bytes(DEMO_FILE, DEMO_CSV.as_bytes());
    let Scored { inputs, results } = round.score().map_err(round_failure)?;
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
