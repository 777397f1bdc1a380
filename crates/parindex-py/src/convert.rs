//! Python values → the cells of a grid, column by column, while attached to Python.
//!
//! The Python package hands every kind of in-memory input (pandas, polars, a list of rows, a
//! dict of columns) over as one mapping of column name → list of cells. Here each cell only
//! changes type ([`CellValue`]); the layout and the reading of values are left to
//! `parindex-io`, exactly as for a file.

use parindex_io::{CellValue, Grid};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType};

use crate::error::Error;

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();
static DATE: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A mapping of column name → sequence of cells, or an object exporting an Arrow stream
/// ([`crate::arrow`]), as a grid; `source` names the data in messages (`<DataFrame>`,
/// `<rows>`).
pub(crate) fn grid_from_py(data: &Bound<'_, PyAny>, source: &str) -> Result<Grid, Error> {
    let py = data.py();
    // Arrow data (pyarrow, polars, DuckDB…) is read column by column, without Python objects.
    if !data.is_instance_of::<PyDict>() && crate::arrow::exports_arrow(data) {
        return crate::arrow::grid_from_arrow(data, source);
    }
    // A dict, or a list of (name, cells) pairs when a frame repeats a column name.
    let pairs: Vec<(Bound<'_, PyAny>, Bound<'_, PyAny>)> =
        if let Ok(mapping) = data.cast::<PyDict>() {
            mapping.iter().collect()
        } else if let Ok(list) = data.cast::<PyList>() {
            list.iter()
                .map(|pair| pair.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>())
                .collect::<PyResult<_>>()
                .map_err(|_| Error::Type("expected (column name, cells) pairs".to_owned()))?
        } else {
            return Err(Error::Type(format!(
                "expected a dict of column name → list of cells, got {}",
                type_name(data)
            )));
        };
    let mut columns = Vec::with_capacity(pairs.len());
    for (index, (name, values)) in pairs.into_iter().enumerate() {
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
            .to_owned();
        let cells = column_cells(py, &name, &values)?;
        columns.push((name, cells));
    }
    let max_units = usize::try_from(crate::set::max_units()).unwrap_or(usize::MAX);
    Ok(Grid::from_columns_for(source, columns, max_units)?)
}

fn column_cells(
    py: Python<'_>,
    name: &str,
    values: &Bound<'_, PyAny>,
) -> Result<Vec<CellValue>, Error> {
    let convert = |row: usize, value: Bound<'_, PyAny>| cell_value(py, &value, name, row);
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

/// One Python value as a cell: `None`, NaN and pandas' or polars' missing markers are empty.
fn cell_value(
    py: Python<'_>,
    value: &Bound<'_, PyAny>,
    column: &str,
    row: usize,
) -> Result<CellValue, Error> {
    if value.is_none() {
        return Ok(CellValue::Empty);
    }
    if let Ok(text) = value.cast::<PyString>() {
        let text = text.to_str().map_err(|e| Error::Type(e.to_string()))?;
        return Ok(CellValue::Text(text.into()));
    }
    if value.is_instance_of::<PyBool>() {
        return Ok(CellValue::Bool(value.is_truthy().unwrap_or(false)));
    }
    if value.is_instance_of::<PyInt>() {
        // Exact, at any size: an int is never a binary float.
        return Ok(CellValue::Text(str_of(value)?.into()));
    }
    if let Ok(float) = value.cast::<PyFloat>() {
        let x = float.value();
        return Ok(if x.is_nan() {
            CellValue::Empty
        } else {
            CellValue::Number(x)
        });
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
        // A Decimal is exact: read as written, like text.
        return if is_nan {
            Ok(CellValue::Empty)
        } else {
            Ok(CellValue::Text(str_of(value)?.into()))
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
        let (year, month, day) = (part("year")?, part("month")?, part("day")?);
        return Ok(CellValue::Date {
            year: i32::try_from(year).map_err(|_| wrong_type())?,
            month: u32::try_from(month).map_err(|_| wrong_type())?,
            day: u32::try_from(day).map_err(|_| wrong_type())?,
        });
    }
    // pandas' and polars' missing markers, and NumPy scalars, without importing either.
    let class = value.get_type();
    let class_name = class.name().map(|n| n.to_string()).unwrap_or_default();
    if matches!(class_name.as_str(), "NAType" | "NaTType") {
        return Ok(CellValue::Empty);
    }
    let module = class.module().map(|m| m.to_string()).unwrap_or_default();
    if module == "numpy" {
        if let Ok(item) = value.call_method0("item") {
            if !item.get_type().is(&class) {
                return cell_value(py, &item, column, row);
            }
        }
    }
    Err(wrong_type())
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
