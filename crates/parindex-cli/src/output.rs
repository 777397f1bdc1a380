//! What the commands share: failures and exit codes, stdout, progress, warnings and output paths.

use std::io::{IsTerminal, Write};
use std::path::Path;

use parindex_core::Results;

/// A failure, with its exit code; the message is already formatted for stderr.
pub(crate) struct Failure {
    /// The exit code: 1 invalid input or criteria, 2 usage.
    pub(crate) code: u8,
    /// What to print to stderr.
    pub(crate) message: String,
}

impl Failure {
    /// Invalid input or criteria: exit code 1.
    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Failure {
            code: 1,
            message: message.into(),
        }
    }

    /// A usage error: exit code 2.
    pub(crate) fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: 2,
            message: message.into(),
        }
    }
}

impl From<parindex_io::IoError> for Failure {
    fn from(e: parindex_io::IoError) -> Self {
        Failure::invalid(format!("error: {e}"))
    }
}

/// What a command returns.
pub(crate) type Outcome = Result<(), Failure>;

/// Writes `text` to stdout.
pub(crate) fn out(text: &str) -> Outcome {
    let mut stdout = std::io::stdout().lock();
    // A closed pipe (`parindex sets | head`) is not an error worth reporting.
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
    Ok(())
}

/// A path's extension, lowercased; empty when it has none.
pub(crate) fn extension(path: &Path) -> String {
    path.extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default()
}

/// A progress bar on stderr, shown only when stderr is a terminal.
pub(crate) struct Progress(pub(crate) Option<indicatif::ProgressBar>);

impl Progress {
    /// A bar of `steps` steps.
    pub(crate) fn new(steps: u64) -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new(steps);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            bar.set_style(style);
        }
        Progress(Some(bar))
    }

    /// One step more, saying what is being done.
    pub(crate) fn step(&self, message: String) {
        if let Some(bar) = &self.0 {
            bar.set_message(message);
            bar.inc(1);
        }
    }

    /// Moves the bar to `position`.
    pub(crate) fn set(&self, position: u64) {
        if let Some(bar) = &self.0 {
            bar.set_position(position);
        }
    }

    /// Clears the bar.
    pub(crate) fn done(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

/// One thread per core, the default of `--threads`.
pub(crate) fn all_cores() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Prints the first 20 scoring warnings to stderr, each at its place when it has one, and how
/// many more there are.
pub(crate) fn print_warnings(results: &Results) {
    let n = results.warnings.len();
    if n == 0 {
        return;
    }
    let mut stderr = std::io::stderr().lock();
    for w in results.warnings.iter().take(20) {
        let _ = writeln!(stderr, "warning: {w}");
    }
    if n > 20 {
        let _ = writeln!(stderr, "warning: … and {} more", n - 20);
    }
}

/// Whether two paths name the same existing file.
pub(crate) fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// Refuses outputs that are also inputs (`inputs`: every file the run reads), or that are
/// named twice: a run never overwrites what it reads, and writes each output once.
pub(crate) fn check_outputs<'a>(
    outputs: &[std::path::PathBuf],
    inputs: impl IntoIterator<Item = &'a Path>,
) -> Outcome {
    let inputs: Vec<&Path> = inputs.into_iter().collect();
    for (i, output) in outputs.iter().enumerate() {
        if inputs.iter().any(|input| same_path(input, output)) {
            return Err(Failure::usage(format!(
                "error: {} is also an input; inputs are never overwritten",
                output.display()
            )));
        }
        if outputs[..i].iter().any(|o| same_path(o, output)) {
            return Err(Failure::usage(format!(
                "error: {} is given twice as an output",
                output.display()
            )));
        }
    }
    Ok(())
}

/// Whether two paths name the same file: the same existing file, or the same path not yet
/// created (as written, or in the same folder under the same name).
pub(crate) fn same_path(a: &Path, b: &Path) -> bool {
    if same_file(a, b) || a == b {
        return true;
    }
    let resolved = |p: &Path| {
        let parent = p
            .parent()
            .filter(|d| !d.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        parent
            .canonicalize()
            .ok()
            .zip(p.file_name().map(ToOwned::to_owned))
    };
    matches!((resolved(a), resolved(b)), (Some(x), Some(y)) if x == y)
}
