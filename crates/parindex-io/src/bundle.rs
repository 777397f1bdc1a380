//! A published round's bundle: the criteria file, every input and the results they gave, in one
//! JSON document, so that anyone holding it can score the round again and check the results
//! byte for byte (`parindex verify`).
//!
//! ```json
//! {"format": "parindex-bundle/1", "engine": "0.1.0",
//!  "set": {"file": "…", "hash": "…", "text": "…"},
//!  "inputs": [{"file": "units.json", "text": "…"}],
//!  "results": "…", "results_sha256": "…"}
//! ```

use parindex_core::load::content_hash;
use parindex_core::{CriteriaSet, ENGINE_VERSION, Plan};
use serde::{Deserialize, Serialize};

use crate::{ReadOptions, Round, RoundError, Scored, write_results_json_with_threads};

/// The format tag of a bundle.
pub const BUNDLE_FORMAT: &str = "parindex-bundle/1";

/// A file held by a bundle, by the name messages give it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleFile {
    /// The file's name.
    pub file: String,
    /// Its text.
    pub text: String,
}

/// The criteria set of a bundle.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BundleSet {
    /// The criteria file's name.
    pub file: String,
    /// The SHA-256 of its text, as the results' provenance gives it.
    pub hash: String,
    /// Its text.
    pub text: String,
}

/// Everything a published round was scored from, and the results it gave.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bundle {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// The engine version that published it.
    pub engine: String,
    /// The criteria set.
    pub set: BundleSet,
    /// The inputs, read in this order.
    pub inputs: Vec<BundleFile>,
    /// The results document (`parindex-results/1`, with explanations), byte for byte.
    pub results: String,
    /// The SHA-256 of `results`, in hex.
    pub results_sha256: String,
}

/// Why a bundle could not be made or does not verify.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    /// Not a bundle document.
    #[error("{file}: not a parindex bundle: {message}")]
    Format {
        /// The bundle's name.
        file: String,
        /// What is wrong.
        message: String,
    },
    /// The set or the inputs no longer read or score.
    #[error("{0}")]
    Round(#[from] RoundError),
    /// Scoring again gives other results.
    #[error("{0}")]
    Mismatch(String),
}

/// Scores a set's text and inputs as a bundle holds them: the one way that publishing,
/// verifying and a round server's live results score, so that they agree byte for byte.
pub fn score_files(
    set_file: &str,
    set_text: &str,
    inputs: &[BundleFile],
) -> Result<Scored, RoundError> {
    let loaded = CriteriaSet::from_toml(set_text, set_file)?;
    let plan = Plan::new(&loaded.set);
    let mut round = Round::new(&plan, ReadOptions::default());
    for input in inputs {
        round.read_bytes(&input.file, input.text.as_bytes());
    }
    round.score()
}

/// The results document a bundle holds: with explanations, written on one thread.
pub fn bundle_results_json(scored: &Scored) -> String {
    let mut json = Vec::new();
    // Writing to memory cannot fail.
    let _ =
        write_results_json_with_threads(&scored.results, &scored.inputs.names, true, 1, &mut json);
    String::from_utf8_lossy(&json).into_owned()
}

fn score(set: &BundleSet, inputs: &[BundleFile]) -> Result<String, RoundError> {
    Ok(bundle_results_json(&score_files(
        &set.file, &set.text, inputs,
    )?))
}

impl Bundle {
    /// Scores a set's text and its inputs, and bundles them with the results.
    pub fn publish(
        set_file: &str,
        set_text: &str,
        inputs: Vec<BundleFile>,
    ) -> Result<Bundle, BundleError> {
        let set = BundleSet {
            file: set_file.to_owned(),
            hash: content_hash(set_text),
            text: set_text.to_owned(),
        };
        let results = score(&set, &inputs)?;
        Ok(Bundle {
            format: BUNDLE_FORMAT.to_owned(),
            engine: ENGINE_VERSION.to_owned(),
            results_sha256: content_hash(&results),
            set,
            inputs,
            results,
        })
    }

    /// Reads a bundle document; `file` names it in messages.
    pub fn from_json(text: &str, file: &str) -> Result<Bundle, BundleError> {
        let format = |message: String| BundleError::Format {
            file: file.to_owned(),
            message,
        };
        let bundle: Bundle = serde_json::from_str(text).map_err(|e| format(e.to_string()))?;
        if bundle.format != BUNDLE_FORMAT {
            return Err(format(format!(
                "its format is \"{}\", not \"{BUNDLE_FORMAT}\"",
                bundle.format
            )));
        }
        Ok(bundle)
    }

    /// The bundle as a JSON document.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default() + "\n"
    }

    /// Scores the bundle's inputs again and checks that the set, the engine and the results are
    /// exactly those it holds. Returns the number of units.
    pub fn verify(&self) -> Result<usize, BundleError> {
        let mismatch = |m: String| Err(BundleError::Mismatch(m));
        let hash = content_hash(&self.set.text);
        if hash != self.set.hash {
            return mismatch(format!(
                "the criteria file's text has SHA-256 {hash}, but the bundle says {}",
                self.set.hash
            ));
        }
        if content_hash(&self.results) != self.results_sha256 {
            return mismatch("the results' SHA-256 is not the one the bundle records".to_owned());
        }
        if self.engine != ENGINE_VERSION {
            return mismatch(format!(
                "the bundle was published by engine {}, and this is engine {ENGINE_VERSION}: verify it with that version",
                self.engine
            ));
        }
        let again = score(&self.set, &self.inputs)?;
        if let Some((line, (published, now))) = self
            .results
            .lines()
            .zip(again.lines())
            .enumerate()
            .find(|(_, (a, b))| a != b)
        {
            return mismatch(format!(
                "the results differ at line {}: published {published:?}, scored again {now:?}",
                line + 1
            ));
        }
        if again.len() != self.results.len() {
            return mismatch(format!(
                "the results differ in length: published {} bytes, scored again {}",
                self.results.len(),
                again.len()
            ));
        }
        Ok(units_in(&again))
    }
}

/// The number of units of a results document.
fn units_in(results: &str) -> usize {
    serde_json::from_str::<serde_json::Value>(results)
        .ok()
        .and_then(|v| v.get("units").and_then(|u| u.as_array()).map(Vec::len))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Bundle {
        let (file, text) =
            parindex_core::shipped::text("binh-thuan-police/commune/2024").expect("a shipped set");
        let inputs = vec![BundleFile {
            file: "units.json".to_owned(),
            text: r#"{"units": [{"unit": "CAP-01", "values": {"1.1.4": "7/9"}},
                               {"unit": "CAP-02", "values": {"1.1.4": "9/9"}}]}"#
                .to_owned(),
        }];
        Bundle::publish(file, text, inputs).expect("publishes")
    }

    #[test]
    fn a_bundle_verifies_after_a_round_trip() {
        let bundle = sample();
        let read = Bundle::from_json(&bundle.to_json(), "b.json").expect("reads");
        assert_eq!(read, bundle);
        assert_eq!(read.verify().expect("verifies"), 2);
    }

    #[test]
    fn a_changed_input_or_result_is_caught() {
        let mut bundle = sample();
        bundle.inputs[0].text = bundle.inputs[0].text.replace("7/9", "8/9");
        let e = bundle.verify().expect_err("changed input");
        assert!(
            e.to_string().starts_with("the results differ at line"),
            "{e}"
        );

        let mut bundle = sample();
        bundle.results = bundle.results.replacen("CAP-02", "CAP-03", 1);
        let e = bundle.verify().expect_err("changed results");
        assert!(e.to_string().contains("SHA-256 is not the one"), "{e}");

        let mut bundle = sample();
        bundle.set.text.push_str("\n# edited\n");
        let e = bundle.verify().expect_err("changed set");
        assert!(
            e.to_string()
                .starts_with("the criteria file's text has SHA-256"),
            "{e}"
        );
    }

    #[test]
    fn other_documents_are_refused() {
        let e = Bundle::from_json(r#"{"format": "other"}"#, "x.json").expect_err("refused");
        assert!(
            e.to_string().starts_with("x.json: not a parindex bundle"),
            "{e}"
        );
    }
}
