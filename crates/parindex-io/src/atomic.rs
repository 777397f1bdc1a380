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

/// The environment variable that holds a writer between its temporary file and the rename,
/// for the crash tests: it names a file where the writer records its temporary file, after
/// which the writer waits (at most a minute) to be killed. Unset, it costs one look-up.
pub const HOLD_BEFORE_RENAME: &str = "PARINDEX_HOLD_BEFORE_RENAME";

/// Waits where a crash test asked to hold the writer, so that a kill lands exactly between a
/// complete temporary file and the rename, with no timing involved.
fn hold_before_rename(temp: &Path) {
    let Some(signal) = std::env::var_os(HOLD_BEFORE_RENAME) else {
        return;
    };
    if std::fs::write(&signal, temp.display().to_string()).is_ok() {
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
}

/// Like [`write_atomic`], with the content written by `write` into the temporary file: for
/// outputs too large to hold in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut std::fs::File) -> std::io::Result<()>,
) -> Result<(), IoError> {
    let fail = |source| IoError::File {
        path: path.display().to_string(),
        source,
    };
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".to_owned());
    let temp = dir.join(format!(
        ".{name}.{}.{}.tmp",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        write(&mut file)?;
        file.sync_all()?;
        drop(file);
        hold_before_rename(&temp);
        std::fs::rename(&temp, path)
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&temp);
        return Err(fail(e));
    }
    Ok(())
}
