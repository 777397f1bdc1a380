//! `parindex template`: an input template for a set, .xlsx or .csv.

use std::path::Path;

use parindex_io::{template_csv, template_xlsx, write_atomic};

use crate::output::{Failure, Outcome, check_outputs, extension};
use crate::run::load_set;

/// Writes an input template for a set; the extension picks the format.
pub(crate) fn template(set: &str, output: &Path) -> Outcome {
    let set_file = std::iter::once(Path::new(set)).filter(|p| p.is_file());
    check_outputs(&[output.to_path_buf()], set_file)?;
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
