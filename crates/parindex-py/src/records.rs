//! The year's records passed to `score`: a plan file and the bytes of completion and survey
//! answer files, read by the same readers as the command line's.

use std::path::PathBuf;

use parindex_core::records::ReformPlan;
use parindex_io::{RecordFiles, read_completions_bytes, read_survey_answers_bytes};

use crate::error::Error;

/// A records file as Python hands it over: the name to report it by (its extension picks CSV
/// or Excel) and its bytes.
pub(crate) type NamedBytes = (String, Vec<u8>);

/// Reads the records given to `score`; each is optional.
pub(crate) fn record_files(
    plan: Option<PathBuf>,
    completions: Option<NamedBytes>,
    survey: Option<NamedBytes>,
    stage: Option<String>,
) -> Result<RecordFiles, Error> {
    Ok(RecordFiles {
        plan: plan.map(|p| ReformPlan::from_path(&p)).transpose()?,
        completions: completions
            .map(|(name, bytes)| read_completions_bytes(&name, &bytes))
            .transpose()?,
        survey: survey
            .map(|(name, bytes)| read_survey_answers_bytes(&name, &bytes))
            .transpose()?,
        stage,
    })
}
