//! Errors crossing into Python: one enum, one mapping function, one panic guard.
//!
//! The exception classes live in `parindex/_errors.py` so that Python code can subclass, pickle
//! and document them like any other; this module imports them when it raises.

use std::panic::{AssertUnwindSafe, catch_unwind};

use parindex_core::{CriteriaError, Diagnostic};
use parindex_io::{IoError, Place, ReadError, RoundError};
use pyo3::exceptions::{PyKeyboardInterrupt, PyOSError, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyList, PyType};

/// Everything that can go wrong in the bindings, before it becomes a Python exception.
#[derive(Debug)]
pub(crate) enum Error {
    /// A criteria file that does not load.
    Criteria(CriteriaError),
    /// An argument of the wrong Python type.
    Type(String),
    /// A unit or key that is not there.
    Key(String),
    /// An argument of the right type but out of range.
    Value(String),
    /// Input files that cannot be read.
    Read(ReadError),
    /// An output that cannot be written, or a results file that cannot be read.
    Io(IoError),
    /// A request beyond a limit, such as an analysis too large for memory.
    Limit(String),
    /// A long call stopped by an interrupt (Ctrl-C); says how far it got.
    Interrupted(String),
    /// A bug: a Rust panic caught at the boundary.
    Internal(String),
}

/// An input problem and where it is.
#[derive(Debug)]
struct InputFailure {
    /// What is wrong.
    pub(crate) message: String,
    /// The file, when the data came from one.
    pub(crate) path: Option<String>,
    /// The line of the file, or the 1-based row of in-memory data.
    pub(crate) line: Option<usize>,
    /// The 1-based column.
    pub(crate) column: Option<usize>,
    /// The leaf or attribute concerned.
    pub(crate) code: Option<String>,
    /// The unit concerned.
    pub(crate) unit: Option<String>,
    /// The sheet, for a workbook.
    pub(crate) sheet: Option<String>,
    /// Every problem of a scoring run: unit, code, message.
    pub(crate) problems: Vec<(String, String, String)>,
}

impl From<CriteriaError> for Error {
    fn from(error: CriteriaError) -> Self {
        Error::Criteria(error)
    }
}

impl From<ReadError> for Error {
    fn from(error: ReadError) -> Self {
        Error::Read(error)
    }
}

impl From<RoundError> for Error {
    fn from(error: RoundError) -> Self {
        match error {
            RoundError::Criteria(error) => Error::Criteria(error),
            RoundError::Input(error) => Error::Read(error),
        }
    }
}

impl From<IoError> for Error {
    fn from(error: IoError) -> Self {
        Error::Io(error)
    }
}

impl From<Error> for PyErr {
    fn from(error: Error) -> Self {
        Python::attach(|py| to_py_err(py, error))
    }
}

static ERRORS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The `parindex._errors` module.
fn errors_module(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    ERRORS
        .get_or_try_init(py, || {
            py.import("parindex._errors").map(|m| m.into_any().unbind())
        })
        .map(|m| m.bind(py))
}

/// A class of `parindex._errors` by name.
fn error_class<'py>(py: Python<'py>, name: &str) -> PyResult<Bound<'py, PyType>> {
    Ok(errors_module(py)?.getattr(name)?.cast_into::<PyType>()?)
}

/// A diagnostic as a `parindex.Diagnostic`.
pub(crate) fn diagnostic_to_py<'py>(
    py: Python<'py>,
    diagnostic: &Diagnostic,
) -> PyResult<Bound<'py, PyAny>> {
    let kwargs = PyDict::new(py);
    let known = |n: usize| (n > 0).then_some(n);
    kwargs.set_item("severity", diagnostic.severity.as_str())?;
    kwargs.set_item("check", diagnostic.check.as_str())?;
    kwargs.set_item("path", &diagnostic.location.file)?;
    kwargs.set_item("line", known(diagnostic.location.line))?;
    kwargs.set_item("column", known(diagnostic.location.column))?;
    kwargs.set_item("code", diagnostic.code.as_deref())?;
    kwargs.set_item("message", &diagnostic.message)?;
    error_class(py, "Diagnostic")?.call((), Some(&kwargs))
}

/// The one place where a binding error becomes a Python exception.
pub(crate) fn to_py_err(py: Python<'_>, error: Error) -> PyErr {
    let built = match error {
        Error::Type(message) => return PyTypeError::new_err(message),
        // Both a KeyError and a ParindexError, see `parindex._errors.NotFoundError`.
        Error::Key(message) => {
            error_class(py, "NotFoundError").and_then(|class| class.call1((message,)))
        }
        Error::Value(message) => return PyValueError::new_err(message),
        Error::Criteria(error) => criteria_exception(py, &error),
        Error::Read(error) => input_exception(py, read_failure(error)),
        Error::Io(IoError::File { path, source }) => {
            return PyOSError::new_err((
                source.raw_os_error().unwrap_or(0),
                source.to_string(),
                path,
            ));
        }
        Error::Io(error) => {
            error_class(py, "ParindexError").and_then(|class| class.call1((error.to_string(),)))
        }
        Error::Limit(message) => {
            error_class(py, "ParindexError").and_then(|class| class.call1((message,)))
        }
        Error::Interrupted(message) => return PyKeyboardInterrupt::new_err(message),
        Error::Internal(message) => error_class(py, "ParindexError").and_then(|class| {
            class.call1((format!(
                "internal error in parindex (a bug; please report it): {message}"
            ),))
        }),
    };
    match built {
        Ok(exception) => PyErr::from_value(exception),
        // The package's Python half is missing (the extension imported on its own): still
        // raise a ValueError, as the package's exceptions are.
        Err(import_error) => PyValueError::new_err(import_error.to_string()),
    }
}

fn criteria_exception<'py>(py: Python<'py>, error: &CriteriaError) -> PyResult<Bound<'py, PyAny>> {
    let first = error.errors().next().or(error.diagnostics.first());
    let kwargs = PyDict::new(py);
    let known = |n: usize| (n > 0).then_some(n);
    kwargs.set_item("path", first.map(|d| d.location.file.as_str()))?;
    kwargs.set_item("line", first.and_then(|d| known(d.location.line)))?;
    kwargs.set_item("column", first.and_then(|d| known(d.location.column)))?;
    kwargs.set_item("code", first.and_then(|d| d.code.as_deref()))?;
    let diagnostics = error
        .diagnostics
        .iter()
        .map(|d| diagnostic_to_py(py, d))
        .collect::<PyResult<Vec<_>>>()?;
    kwargs.set_item("diagnostics", PyList::new(py, diagnostics)?)?;
    error_class(py, "CriteriaError")?.call((error.to_string(),), Some(&kwargs))
}

/// A file reader's problems as one input failure, located at the first problem.
fn read_failure(error: ReadError) -> InputFailure {
    let message = error.to_string();
    let first = error.problems.first();
    let (line, column, sheet) = match first.map(|p| &p.place) {
        Some(Place::Line { line, column }) => (Some(*line), Some(*column), None),
        Some(Place::Row { row, column }) => ((*row > 0).then_some(*row), Some(*column), None),
        Some(Place::Cell { sheet, cell }) => {
            let (line, column) = cell_position(cell);
            (line, column, Some(sheet.clone()))
        }
        _ => (None, None, None),
    };
    InputFailure {
        message,
        // In-memory data has no path.
        path: first
            .filter(|p| !matches!(p.place, Place::Row { .. }))
            .map(|p| p.file.clone()),
        line,
        column,
        code: first.and_then(|p| p.code.clone()),
        unit: first.and_then(|p| p.unit.clone()),
        sheet,
        problems: error
            .problems
            .iter()
            .map(|p| {
                (
                    p.unit.clone().unwrap_or_default(),
                    p.code.clone().unwrap_or_default(),
                    p.to_string(),
                )
            })
            .collect(),
    }
}

/// An Excel cell name as 1-based row and column: `F12` → (12, 6).
fn cell_position(cell: &str) -> (Option<usize>, Option<usize>) {
    let letters: String = cell.chars().take_while(char::is_ascii_alphabetic).collect();
    let row = cell[letters.len()..].parse().ok();
    let column = letters.chars().try_fold(0usize, |n, c| {
        n.checked_mul(26)?
            .checked_add(usize::from(c.to_ascii_uppercase() as u8 - b'A' + 1))
    });
    (row, column)
}

fn input_exception(py: Python<'_>, failure: InputFailure) -> PyResult<Bound<'_, PyAny>> {
    let kwargs = PyDict::new(py);
    kwargs.set_item("path", failure.path)?;
    kwargs.set_item("line", failure.line)?;
    kwargs.set_item("column", failure.column)?;
    kwargs.set_item("code", failure.code)?;
    kwargs.set_item("unit", failure.unit)?;
    kwargs.set_item("sheet", failure.sheet)?;
    kwargs.set_item("problems", failure.problems)?;
    error_class(py, "InputError")?.call((failure.message,), Some(&kwargs))
}

/// Runs `f`, turning a panic into [`Error::Internal`]: no `PanicException` reaches Python.
pub(crate) fn guard<T>(f: impl FnOnce() -> Result<T, Error>) -> Result<T, Error> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_error(payload)))
}

/// Like [`guard`], for code that already returns a Python result.
pub(crate) fn guard_py<T>(f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|payload| Err(panic_error(payload).into()))
}

fn panic_error(payload: Box<dyn std::any::Any + Send>) -> Error {
    let message = payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_owned());
    Error::Internal(message)
}
