//! The options and records passed to `score`: how percentages are read, a plan file, and the
//! bytes of completion and survey answer files, for the round to read like the command line's.

use std::path::PathBuf;

use parindex_io::{ReadOptions, RecordSource, RecordSources};

use crate::error::Error;

/// A records file as Python hands it over: the name to report it by (its extension picks CSV
/// or Excel) and its bytes.
pub(crate) type NamedBytes = (String, Vec<u8>);

/// The records given to `score`; each is optional.
pub(crate) fn record_sources(
    plan: Option<PathBuf>,
    completions: Option<NamedBytes>,
    survey: Option<NamedBytes>,
    stage: Option<String>,
) -> RecordSources {
    let bytes = |(name, bytes): NamedBytes| RecordSource::Bytes(name, bytes);
    RecordSources {
        plan,
        completions: completions.map(bytes),
        survey: survey.map(bytes),
        stage,
    }
}

/// The reading options named by `percents=`.
pub(crate) fn read_options(percents: &str) -> Result<ReadOptions, Error> {
    let percents = percents
        .parse()
        .map_err(|e: parindex_io::UnknownPercentScale| Error::Value(e.to_string()))?;
    Ok(ReadOptions { percents })
}
