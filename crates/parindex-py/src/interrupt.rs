//! Long calls that honour Ctrl-C: the work runs on a thread of its own, detached from Python,
//! while the calling thread looks at Python's signals every few tens of milliseconds and, on
//! an interrupt, asks the work to stop and raises the interrupt.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use pyo3::prelude::*;

use crate::error::{Error, guard};

/// How often the calling thread looks at Python's signals.
const POLL: Duration = Duration::from_millis(50);

/// Runs `work` detached from Python; `work` should stop soon after the flag it is given is
/// set, returning [`Error::Interrupted`]. A signal handler's exception (`KeyboardInterrupt`
/// for Ctrl-C) is raised as soon as the work has stopped, with a note saying how far it got.
pub(crate) fn interruptible<T: Send>(
    py: Python<'_>,
    work: impl FnOnce(&AtomicBool) -> Result<T, Error> + Send,
) -> PyResult<T> {
    let cancel = AtomicBool::new(false);
    let outcome = py.detach(|| {
        std::thread::scope(|scope| {
            let (sender, receiver) = mpsc::channel();
            let cancel = &cancel;
            scope.spawn(move || {
                // A closed channel means the caller has gone: nothing to report to.
                let _ = sender.send(guard(|| work(cancel)));
            });
            let mut interrupt: Option<PyErr> = None;
            loop {
                match receiver.recv_timeout(POLL) {
                    Ok(result) => return (result, interrupt),
                    Err(mpsc::RecvTimeoutError::Timeout) => {
                        if interrupt.is_none() {
                            if let Err(signal) = Python::attach(|py| py.check_signals()) {
                                cancel.store(true, Ordering::Relaxed);
                                interrupt = Some(signal);
                            }
                        }
                    }
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        return (
                            Err(Error::Internal("the worker thread stopped".to_owned())),
                            interrupt,
                        );
                    }
                }
            }
        })
    });
    match outcome {
        (result, Some(signal)) => {
            if let Err(Error::Interrupted(how_far)) = result {
                // The note is a courtesy: the interrupt is raised whether or not it is added.
                let _ = signal.value(py).call_method1("add_note", (how_far,));
            }
            Err(signal)
        }
        (result, None) => result.map_err(Into::into),
    }
}

/// Runs `work`, which cannot stop midway (one scoring call), on a thread of its own, detached
/// from Python. On an interrupt it returns at once, raising the interrupt with a note, and
/// leaves the work to finish on its own and its result to be dropped: a notebook gets its
/// prompt back within a fraction of a second either way.
pub(crate) fn abandonable<T: Send + 'static>(
    py: Python<'_>,
    what: &str,
    work: impl FnOnce() -> Result<T, Error> + Send + 'static,
) -> PyResult<T> {
    let (sender, receiver) = mpsc::channel();
    std::thread::Builder::new()
        .name("parindex".to_owned())
        .spawn(move || {
            // A closed channel means the caller has gone: the result is not wanted.
            let _ = sender.send(guard(work));
        })
        .map_err(|e| Error::Internal(format!("cannot start a thread: {e}")))?;
    let outcome: PyResult<Result<T, Error>> = py.detach(move || {
        loop {
            match receiver.recv_timeout(POLL) {
                Ok(result) => return Ok(result),
                Err(mpsc::RecvTimeoutError::Timeout) => Python::attach(|py| py.check_signals())?,
                Err(mpsc::RecvTimeoutError::Disconnected) => {
                    return Ok(Err(Error::Internal("the worker thread stopped".to_owned())));
                }
            }
        }
    });
    match outcome {
        Ok(result) => result.map_err(Into::into),
        Err(signal) => {
            // The note is a courtesy: the interrupt is raised whether or not it is added.
            let _ = signal.value(py).call_method1(
                "add_note",
                (format!(
                    "{what} was abandoned; it finishes in the background, unused"
                ),),
            );
            Err(signal)
        }
    }
}
