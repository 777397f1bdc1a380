//! # parindex-io
//!
//! The files of a PAR Index round, around the [`parindex_core`] engine:
//!
//! - **inputs** ([`read_inputs`], [`InputReader`]): wide CSV (one row per unit, one column per
//!   leaf, as the template lays it out), long CSV (`unit, code, value, stage, evidence, note`),
//!   Excel workbooks in the template's layout (one sheet per stage), and JSON; every problem of
//!   every file is reported at its file, line and column, or sheet and cell;
//! - **records** ([`read_completions`], [`read_survey_answers`]): a reform plan's completion
//!   records and raw survey answers, CSV or Excel, each record kept with its place;
//! - **results** ([`ResultsDocument`]): the versioned JSON document `parindex-results/1`, its
//!   JSON Schema, and a reader back into [`parindex_core::YearResults`] for comparisons;
//! - **writers**: a CSV summary, held or streamed ([`summary_csv`],
//!   [`write_summary_csv_with_threads`]), and a terminal table ([`summary_table`]), an
//!   Excel workbook formatted for printing ([`results_xlsx`]), a self-contained HTML report
//!   ([`report_html`]);
//! - **programme targets** ([`read_measured`], [`observations_from_results`], [`targets_html`]):
//!   a typed table of measured values, values taken from results, and the targets report;
//! - **templates** ([`template_xlsx`], [`template_csv`]) for units to fill in;
//! - **import** ([`import_table`]): a printed criteria table, copied into a sheet or a CSV
//!   file, turned into a criteria file skeleton, each rule inferred from the printed guidance
//!   or left as a `# TODO:`;
//! - **bundles** ([`Bundle`]): a published round's set, inputs and results, scored again by
//!   [`Bundle::verify`];
//! - **atomic output** ([`write_atomic`]): a file is written whole or not at all;
//! - **limits** ([`MAX_INPUT_BYTES`] and the others): what one input file may hold, so that a
//!   hostile or broken file gets a clear error instead of exhausting memory.
//!
//! The core never touches a file; this crate never scores.

mod atomic;
mod bundle;
mod csv;
mod error;
mod figures;
mod html;
mod import;
mod input;
mod limits;
mod pool;
mod records;
mod reform_areas;
mod results;
mod round;
mod summary;
mod targets;
mod targets_html;
mod template;
mod xlsx;

pub use atomic::{HOLD_BEFORE_RENAME, OutputFile, Outputs, write_atomic, write_atomic_with};
pub use bundle::{
    BUNDLE_FORMAT, Bundle, BundleError, BundleFile, BundleSet, bundle_results_json, score_files,
};
pub use csv::push_record as csv_record;
pub use error::{InputProblem, IoError, Place, ReadError, cell_name, column_name};

pub use html::{RankIntervals, ReportOptions, SourceIndices, report_html};
pub use import::{
    ImportOptions, Imported, ImportedRow, RowOutcome, import_table, import_table_bytes,
};
pub use input::{
    CellTarget, CellText, CellValue, Grid, INSTRUCTIONS_SHEET, InputReader, Inputs, PercentScale,
    ReadOptions, UnknownPercentScale, read_inputs, stage_label,
};
pub use limits::{
    CELLS_PER_UNIT, MAX_CELL_CHARS, MAX_CELLS, MAX_COLUMNS, MAX_INPUT_BYTES, MAX_PROBLEMS,
    MAX_RESULTS_BYTES, MAX_ROWS, MAX_SCORING_BYTES, MAX_SHARED_STRINGS_BYTES, MAX_UNITS,
    MAX_UNZIPPED_BYTES,
};
pub use records::{
    RecordFiles, Records, read_completions, read_completions_bytes, read_survey_answers,
    read_survey_answers_bytes,
};
pub use reform_areas::{reform_area_csv, reform_area_table};
pub use results::{
    AttributeValue, BandSummary, Derived, NodeResult, NodeSummary, ReformAreaSummary,
    ResultsDocument, SCHEMA, SetSummary, StageTotal, Status, SurveyGroupEntry, TaskEntry,
    UnitReformArea, UnitResult, WarningEntry, decimal, read_crosswalk, results_schema,
    write_results_json, write_results_json_with_threads,
};
pub use round::{RecordSource, RecordSources, Round, RoundError, Scored};
pub use summary::{
    ranking_order, summary_csv, summary_csv_with_threads, summary_table,
    summary_table_with_threads, write_summary_csv_with_threads,
};
pub use targets::{
    observations_from_results, read_measured, read_measured_bytes, targets_csv, targets_json,
    targets_table,
};
pub use targets_html::targets_html;
pub use template::{template_csv, template_xlsx};
pub use xlsx::{detail_sheets, results_xlsx, write_results_xlsx};
