//! Python values → the text an office writes, column by column, while attached to Python.
//!
//! The Python package hands every kind of input (pandas, polars, dicts, a CSV file) over as one
//! mapping of column name → list of cells. Here each cell becomes text or missing; reading the
//! text is left to the core, exactly as for a CSV file.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::error::{Error, InputFailure};

/// Input data as text cells, detached from Python.
#[derive(Debug)]
pub(crate) struct Table {
    /// Column names, in order.
    pub(crate) names: Vec<String>,
    /// Per column, per row: the cell's text, or `None` when empty.
    pub(crate) cells: Vec<Vec<Option<String>>>,
    /// How many rows.
    pub(crate) rows: usize,
    /// The file the data came from.
    pub(crate) path: Option<String>,
    /// The line of the first data row in the file, or 1 for in-memory data.
    pub(crate) first_line: usize,
}

impl Table {
    /// The position of a column by name.
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|n| n == name)
    }

    /// An input problem located at a row (0-based) and column (0-based).
    pub(crate) fn failure(
        &self,
        row: Option<usize>,
        column: Option<usize>,
        message: String,
    ) -> Box<InputFailure> {
        Box::new(InputFailure {
            message,
            path: self.path.clone(),
            line: row.map(|r| r + self.first_line),
            column: column.map(|c| c + 1),
            ..InputFailure::default()
        })
    }
}

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// Reads a mapping of column name → sequence of cells.
pub(crate) fn table_from_py(
    data: &Bound<'_, PyAny>,
    path: Option<String>,
    first_line: usize,
) -> Result<Table, Error> {
    let py = data.py();
    let mapping = data.cast::<PyDict>().map_err(|_| {
        Error::Type(format!(
            "expected a dict of column name → list of cells, got {}",
            type_name(data)
        ))
    })?;
    let mut table = Table {
        names: Vec::with_capacity(mapping.len()),
        cells: Vec::with_capacity(mapping.len()),
        rows: 0,
        path,
        first_line,
    };
    for (index, (name, values)) in mapping.iter().enumerate() {
        let name = name
            .cast::<PyString>()
            .map_err(|_| {
                Error::Type(format!(
                    "column names must be text; column {} is named by a {}",
                    index + 1,
                    type_name(&name)
                ))
            })?
            .to_str()
            .map_err(|e| Error::Type(e.to_string()))?
            .trim()
            .to_owned();
        let cells = column_cells(py, &name, &values)?;
        if index == 0 {
            table.rows = cells.len();
        } else if cells.len() != table.rows {
            let message = format!(
                "column \"{name}\" has {} values but the first column has {}",
                cells.len(),
                table.rows
            );
            return Err(Error::Input(table.failure(None, Some(index), message)));
        }
        if table.names.contains(&name) {
            let message = format!("column \"{name}\" appears twice");
            return Err(Error::Input(table.failure(None, Some(index), message)));
        }
        table.names.push(name);
        table.cells.push(cells);
    }
    Ok(table)
}

fn column_cells(
    py: Python<'_>,
    name: &str,
    values: &Bound<'_, PyAny>,
) -> Result<Vec<Option<String>>, Error> {
    let convert = |row: usize, value: Bound<'_, PyAny>| cell_text(py, &value, name, row);
    if let Ok(list) = values.cast::<PyList>() {
        return list
            .iter()
            .enumerate()
            .map(|(row, v)| convert(row, v))
            .collect();
    }
    if let Ok(tuple) = values.cast::<PyTuple>() {
        return tuple
            .iter()
            .enumerate()
            .map(|(row, v)| convert(row, v))
            .collect();
    }
    Err(Error::Type(format!(
        "column \"{name}\" must be a list of cells, got {}",
        type_name(values)
    )))
}

/// One cell as text: `None` for an empty cell, `N/A` stays text for the core to read.
fn cell_text(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    column: &str,
    row: usize,
) -> Result<Option<String>, Error> {
    if value.is_none() {
        return Ok(None);
    }
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_str().map_err(|e| Error::Type(e.to_string()))?;
        return Ok((!text.trim().is_empty()).then(|| text.to_owned()));
    }
    if value.is_instance_of::<PyBool>() {
        return Ok(Some(if value.is_truthy().unwrap_or(false) {
            "yes".to_owned()
        } else {
            "no".to_owned()
        }));
    }
    if value.is_instance_of::<PyInt>() {
        return Ok(Some(str_of(value)?));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        return Ok(float_text(float.value()));
    }
    let wrong_type = || {
        Error::Type(format!(
            "column \"{column}\", row {}: a {} cannot be a cell; give text, a number, a bool, a \
             date or None",
            row + 1,
            type_name(value)
        ))
    };
    let decimal = DECIMAL
        .import(py, "decimal", "Decimal")
        .map_err(|e| Error::Type(e.to_string()))?;
    if value.is_instance(decimal).unwrap_or(false) {
        let is_nan = value
            .call_method0("is_nan")
            .and_then(|b| b.is_truthy())
            .unwrap_or(false);
        return if is_nan {
            Ok(None)
        } else {
            Ok(Some(str_of(value)?))
        };
    }
    let date = DATE
        .import(py, "datetime", "date")
        .map_err(|e| Error::Type(e.to_string()))?;
    if value.is_instance(date).unwrap_or(false) {
        let part = |name: &str| -> Result<i64, Error> {
            value
                .getattr(name)
                .and_then(|v| v.extract::<i64>())
                .map_err(|_| wrong_type())
        };
        return Ok(Some(format!(
            "{:04}-{:02}-{:02}",
            part("year")?,
            part("month")?,
            part("day")?
        )));
    }
    // pandas' and polars' missing markers, and NumPy scalars, without importing either.
    let class = value.get_type();
    let class_name = class.name().map(|n| n.to_string()).unwrap_or_default();
    if matches!(class_name.as_str(), "NAType" | "NaTType") {
        return Ok(None);
    }
    let module = class.module().map(|m| m.to_string()).unwrap_or_default();
    if module == "numpy" {
        if let Ok(item) = value.call_method0("item") {
            if !item.get_type().is(&class) {
                return cell_text(py, &item, column, row);
            }
        }
    }
    Err(wrong_type())
}

/// A float as an office would have typed it: `2.0` is `2` (a count read through a float
/// column with gaps), `93.5` stays `93.5`; NaN is an empty cell.
fn float_text(x: f64) -> Option<String> {
    if x.is_nan() {
        return None;
    }
    if x.is_finite() && x.fract() == 0.0 && x.abs() < 1e15 {
        // Exact: a whole float below 2^53 converts to i64 without loss.
        #[allow(clippy::cast_possible_truncation)]
        return Some(format!("{}", x as i64));
    }
    // Rust prints the shortest text that reads back as the same float, as Python's repr does.
    Some(format!("{x}"))
}

fn str_of(value: &Bound<'_, PyAny>) -> Result<String, Error> {
    value
        .str()
        .and_then(|s| s.to_str().map(str::to_owned))
        .map_err(|e| Error::Type(e.to_string()))
}

/// The Python type name of a value, for messages.
pub(crate) fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "value".to_owned())
}

#[cfg(test)]
mod tests {
    use super::float_text;

    #[test]
    fn floats_read_as_typed() {
        assert_eq!(float_text(2.0).as_deref(), Some("2"));
        assert_eq!(float_text(93.5).as_deref(), Some("93.5"));
        assert_eq!(float_text(0.1).as_deref(), Some("0.1"));
        assert_eq!(float_text(f64::NAN), None);
        assert_eq!(float_text(f64::INFINITY).as_deref(), Some("inf"));
    }
}
