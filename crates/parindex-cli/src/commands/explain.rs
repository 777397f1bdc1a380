//! `parindex explain`: where one unit won and lost its points, node by node.

use std::path::PathBuf;

use parindex_core::Kept;
use parindex_io::{ResultsDocument, Scored, decimal, stage_label};

use crate::ShowFormat;
use crate::output::{Failure, Outcome, Progress, all_cores, out};
use crate::run::{ReadArgs, RecordArgs, load_set, round, score_round};

/// Prints where one unit won and lost its points.
pub(crate) fn explain(
    set: &str,
    inputs: &[PathBuf],
    read: &ReadArgs,
    records: &RecordArgs,
    unit: &str,
    format: ShowFormat,
) -> Outcome {
    let loaded = load_set(set)?;
    let progress = Progress(None);
    let round = round(
        &loaded,
        inputs,
        read,
        records,
        &progress,
        all_cores(),
        None,
        Kept::Every,
    )?;
    let Scored { inputs, results } = score_round(round, &progress)?;
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
