//! `parindex import`: a printed criteria table (.csv or .xlsx) turned into a criteria file
//! skeleton, each rule inferred from the printed guidance or left as a `# TODO:`.

use std::path::{Path, PathBuf};

use parindex_io::{ImportOptions, import_table, write_atomic};

use crate::output::{Failure, Outcome, check_outputs, extension, out};

/// What `parindex import` is given besides the table and the output.
#[derive(Debug, Clone, Default, clap::Args)]
pub(crate) struct ImportArgs {
    /// The sheet of a workbook to read (default: the first visible sheet).
    #[arg(long)]
    sheet: Option<String>,
    /// The set's id, `authority/level/year` (default: from the file's name).
    #[arg(long)]
    id: Option<String>,
    /// The table's title.
    #[arg(long)]
    title: Option<String>,
    /// Who issued the table.
    #[arg(long)]
    authority: Option<String>,
    /// The level of the units scored: commune, ward, commune-ward, division, department,
    /// district, province, ministry or official.
    #[arg(long)]
    level: Option<String>,
    /// The year scored (default: a year in the file's name).
    #[arg(long)]
    year: Option<i32>,
}

/// Imports `table` and writes the criteria file to `output`, or to stdout when it is `None`
/// or `-`.
pub(crate) fn import(table: &Path, output: Option<&Path>, args: &ImportArgs) -> Outcome {
    let output = output.filter(|o| o.as_os_str() != "-");
    if let Some(output) = output {
        if extension(output) != "toml" {
            return Err(Failure::usage(format!(
                "error: {} is no criteria file: name the output .toml",
                output.display()
            )));
        }
        check_outputs(&[PathBuf::from(output)], [table])?;
    }
    let options = ImportOptions {
        sheet: args.sheet.clone(),
        id: args.id.clone(),
        title: args.title.clone(),
        authority: args.authority.clone(),
        level: args.level.clone(),
        year: args.year,
        date: None,
    };
    let imported = import_table(table, &options).map_err(|e| {
        let n = e.count();
        Failure::invalid(format!(
            "{e}\n{n} problem{} in the table; nothing was written",
            if n == 1 { "" } else { "s" }
        ))
    })?;
    let summary = format!(
        "{} leaves: {} with a rule inferred, {} TODO; {} more to resolve before the file loads",
        imported.inferred + imported.todo,
        imported.inferred,
        imported.todo,
        imported.to_check
    );
    match output {
        Some(output) => {
            write_atomic(output, imported.toml.as_bytes())?;
            eprintln!("wrote {}: {summary}", output.display());
        }
        None => {
            out(&imported.toml)?;
            eprintln!("{summary}");
        }
    }
    Ok(())
}
