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

/// Like [`write_atomic`], with the content written by `write` into the temporary file (an
/// [`OutputFile`], which sends a large output to disk while it is written): for outputs too
/// large to hold in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut OutputFile) -> std::io::Result<()>,
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

/// An output's temporary file, as its writer sees it. What is written goes to disk while the
/// rest is written, a few MB at a time, on a thread of its own: a large output (a results
/// document of 10,000 units is 178 MB) is then on disk soon after its last byte is written,
/// rather than only starting to go there.
#[derive(Debug)]
pub struct OutputFile {
    file: std::fs::File,
    /// Bytes written since the last were sent to disk.
    unsynced: u64,
    /// The thread that sends what is written to disk, and where to ask it to.
    syncer: Option<(std::sync::mpsc::Sender<()>, std::thread::JoinHandle<()>)>,
}

impl OutputFile {
    /// Past this many bytes written, they are sent to disk while the rest is written.
    const SYNC_EVERY: u64 = 16 << 20;

    fn new(file: std::fs::File) -> Self {
        OutputFile {
            file,
            unsynced: 0,
            syncer: None,
        }
    }

    /// Asks the syncing thread, started with the first request, to send what is written so far
    /// to disk. A file that cannot be cloned or a thread that cannot start is synced at the
    /// end only.
    fn sync_in_background(&mut self) {
        if self.syncer.is_none() {
            let Ok(clone) = self.file.try_clone() else {
                return;
            };
            let (ask, asked) = std::sync::mpsc::channel::<()>();
            let thread = std::thread::Builder::new()
                .name("output-sync".to_owned())
                .spawn(move || {
                    while asked.recv().is_ok() {
                        // Requests that came meanwhile are answered by the same sync.
                        while asked.try_recv().is_ok() {}
                        // A failure here shows again in the final sync, which is checked.
                        let _ = clone.sync_data();
                    }
                });
            let Ok(thread) = thread else { return };
            self.syncer = Some((ask, thread));
        }
        if let Some((ask, _)) = &self.syncer {
            let _ = ask.send(());
        }
    }

    /// Waits for the syncing thread, then sends the whole file, with its metadata, to disk.
    fn sync_all(mut self) -> std::io::Result<()> {
        if let Some((ask, thread)) = self.syncer.take() {
            drop(ask);
            let _ = thread.join();
        }
        self.file.sync_all()
    }
}

impl Write for OutputFile {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        let written = self.file.write(bytes)?;
        self.unsynced += written as u64;
        if self.unsynced >= Self::SYNC_EVERY {
            self.unsynced = 0;
            self.sync_in_background();
        }
        Ok(written)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.file.flush()
    }
}

impl std::io::Seek for OutputFile {
    fn seek(&mut self, to: std::io::SeekFrom) -> std::io::Result<u64> {
        self.file.seek(to)
    }
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
        write: impl FnOnce(&mut OutputFile) -> std::io::Result<()>,
    ) -> Result<(), IoError> {
        let temp = temporary(path);
        let result = (|| {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&temp)?;
            let mut file = OutputFile::new(file);
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

#[cfg(test)]
mod tests {
    use std::io::{Seek, SeekFrom, Write};

    use super::*;

    /// An output larger than [`OutputFile::SYNC_EVERY`], so sent to disk while it is written,
    /// arrives whole, with a part written again after seeking back (as a workbook's writer
    /// does), and no temporary file is left beside it.
    #[test]
    fn a_large_output_synced_while_written_arrives_whole() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("large.json");
        let piece: Vec<u8> = (0..1 << 20).map(|i| (i % 251) as u8).collect();
        let pieces = 40;
        write_atomic_with(&path, |file| {
            for _ in 0..pieces {
                file.write_all(&piece)?;
            }
            file.seek(SeekFrom::Start(3))?;
            file.write_all(b"head")?;
            file.seek(SeekFrom::End(0))?;
            file.write_all(b"tail")
        })
        .expect("written");
        let mut expected = piece.repeat(pieces);
        expected[3..7].copy_from_slice(b"head");
        expected.extend_from_slice(b"tail");
        assert!(std::fs::read(&path).expect("read back") == expected);
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .expect("listed")
            .map(|entry| entry.expect("entry").file_name())
            .collect();
        assert_eq!(names, ["large.json"]);
    }

    /// A write that fails past the first sync leaves the target as it was, and no temporary
    /// file.
    #[test]
    fn a_large_output_that_fails_leaves_the_target_as_it_was() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("large.json");
        std::fs::write(&path, b"before").expect("written");
        let piece = vec![b'x'; 1 << 20];
        let failed = write_atomic_with(&path, |file| {
            for _ in 0..20 {
                file.write_all(&piece)?;
            }
            Err(std::io::Error::other("the writer failed"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read(&path).expect("read back"), b"before");
        assert_eq!(std::fs::read_dir(dir.path()).expect("listed").count(), 1);
    }
}
