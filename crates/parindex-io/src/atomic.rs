//! Atomic output: a file is written whole or not at all.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::error::IoError;

static COUNTER: AtomicU64 = AtomicU64::new(0);

/// Writes `bytes` to `path` atomically: to a temporary file in the same directory, flushed to
/// disk, then renamed over `path`. If anything fails, `path` is untouched (an existing file
/// keeps its content) and the temporary file is removed.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let out = dir.path().join("results.json");
/// parindex_io::write_atomic(&out, b"{}\n")?;
/// assert_eq!(std::fs::read(&out)?, b"{}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    write_atomic_with(path, |file| file.write_all(bytes))
}

/// Like [`write_atomic`], with the content written by `write` into the temporary file: for
/// outputs too large to hold in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), IoError> {
    let mut outputs = Outputs::new();
    outputs.write_with(path, write)?;
    outputs.commit()
}

/// The environment variable that holds a writer between its complete temporary files and the
/// renames, for the crash tests: it names a file where the writer records its first temporary
/// file, after which the writer waits (at most a minute) to be killed. Unset, it costs one
/// look-up.
pub const HOLD_BEFORE_RENAME: &str = "PARINDEX_HOLD_BEFORE_RENAME";

/// Waits where a crash test asked to hold the writer, so that a kill lands exactly between
/// complete temporary files and the renames, with no timing involved.
fn hold_before_rename(temp: &Path) {
    let Some(signal) = std::env::var_os(HOLD_BEFORE_RENAME) else {
        return;
    };
    if std::fs::write(&signal, temp.display().to_string()).is_ok() {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// The temporary file beside `path` that it is written to first.
fn temporary(path: &Path) -> PathBuf {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ))
}

/// The outputs of one run, written all or nothing: each is written whole to a temporary file
/// beside its target and flushed to disk, and only when every one is written are they renamed
/// over their targets. A run that fails before [`Outputs::commit`] (or drops the value) leaves
/// every target as it was and removes its temporary files.
///
/// ```
/// let dir = tempfile::tempdir()?;
/// let (a, b) = (dir.path().join("a.csv"), dir.path().join("b.json"));
/// let mut outputs = parindex_io::Outputs::new();
/// outputs.write(&a, b"unit\n")?;
/// outputs.write(&b, b"{}\n")?;
/// assert!(!a.exists(), "nothing is in place before the commit");
/// outputs.commit()?;
/// assert_eq!(std::fs::read(&b)?, b"{}\n");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Default)]
pub struct Outputs {
    /// Temporary file and target, in the order written.
    staged: Vec<(PathBuf, PathBuf)>,
}

impl Outputs {
    /// No outputs yet.
    pub fn new() -> Self {
        Outputs::default()
    }

    /// Writes `bytes` for `path` into its temporary file.
    pub fn write(&mut self, path: &Path, bytes: &[u8]) -> Result<(), IoError> {
        self.write_with(path, |file| file.write_all(bytes))
    }

    /// Writes the content for `path` into its temporary file with `write`: for outputs too
    /// large to hold in memory.
    pub fn write_with(
        &mut self,
        path: &Path,
        write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
    ) -> Result<(), IoError> {
        let temp = temporary(path);
        let result = (|| {
            let mut file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            write(&mut file)?;
            file.sync_all()
        })();
        match result {
            Ok(()) => {
                self.staged.push((temp, path.to_path_buf()));
                Ok(())
            }
            Err(source) => {
                let _ = std::fs::remove_file(&temp);
                Err(IoError::File {
                    path: path.display().to_string(),
                    source,
                })
            }
        }
    }

    /// Renames every output over its target. Only a failure of the renaming itself (in the
    /// target's own folder) can leave some outputs replaced and others not; then the others
    /// keep their previous content and their temporary files are removed.
    pub fn commit(mut self) -> Result<(), IoError> {
        let staged = std::mem::take(&mut self.staged);
        if let Some((temp, _)) = staged.first() {
            hold_before_rename(temp);
        }
        let mut failure = None;
        for (temp, target) in staged {
            if failure.is_some() {
                let _ = std::fs::remove_file(&temp);
                continue;
            }
            if let Err(source) = std::fs::rename(&temp, &target) {
                let _ = std::fs::remove_file(&temp);
                failure = Some(IoError::File {
                    path: target.display().to_string(),
                    source,
                });
            }
        }
        failure.map_or(Ok(()), Err)
    }
}

impl Drop for Outputs {
    fn drop(&mut self) {
        for (temp, _) in &self.staged {
            let _ = std::fs::remove_file(temp);
        }
    }
}
