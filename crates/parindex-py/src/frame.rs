//! Results → columns for the Python package to turn into pandas or polars frames.
//!
//! A frame crosses as a list of `(name, kind, values)`; `kind` is `text`, `decimal:S:D`
//! (exact decimals with at most S decimals and D integer digits), `float`, `int` or `bool`, so
//! that the Python side can give each column its dtype without guessing.

use std::collections::HashMap;

use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use rust_decimal::Decimal;

/// Builds the columns of one frame.
pub(crate) struct Frame<'py> {
    py: Python<'py>,
    exact: bool,
    columns: Vec<Bound<'py, PyTuple>>,
    /// Python `Decimal`s already made, by value and scale: results repeat few distinct values,
    /// and making a `Decimal` costs more than finding one.
    decimals: HashMap<[u8; 16], Py<PyAny>>,
}

impl<'py> Frame<'py> {
    /// An empty frame; `exact` chooses `Decimal` (true) or `float` (false) for decimals.
    pub(crate) fn new(py: Python<'py>, exact: bool) -> Self {
        Frame {
            py,
            exact,
            columns: Vec::new(),
            decimals: HashMap::new(),
        }
    }

    fn push(&mut self, name: &str, kind: &str, values: Bound<'py, PyList>) -> PyResult<()> {
        let column = PyTuple::new(
            self.py,
            [
                name.into_pyobject(self.py)?.into_any(),
                kind.into_pyobject(self.py)?.into_any(),
                values.into_any(),
            ],
        )?;
        self.columns.push(column);
        Ok(())
    }

    /// A column of text.
    pub(crate) fn text<S: AsRef<str>>(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<S>>,
    ) -> PyResult<()> {
        let list = PyList::new(
            self.py,
            values
                .into_iter()
                .map(|v| v.as_ref().map(|s| s.as_ref().to_owned())),
        )?;
        self.push(name, "text", list)
    }

    /// A column of whole numbers.
    pub(crate) fn int(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<i64>>,
    ) -> PyResult<()> {
        let list = PyList::new(self.py, values)?;
        self.push(name, "int", list)
    }

    /// A column of floats: statistics, not points.
    pub(crate) fn float(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> PyResult<()> {
        let list = PyList::new(self.py, values)?;
        self.push(name, "float", list)
    }

    /// A column of yes/no.
    pub(crate) fn bool(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = bool>,
    ) -> PyResult<()> {
        let list = PyList::new(self.py, values)?;
        self.push(name, "bool", list)
    }

    /// A column of exact decimals, or floats for plotting.
    pub(crate) fn decimal(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<Decimal>>,
    ) -> PyResult<()> {
        if !self.exact {
            let list = PyList::new(self.py, values.into_iter().map(|v| v.and_then(to_float)))?;
            return self.push(name, "float", list);
        }
        let mut items: Vec<Option<Bound<'py, PyAny>>> = Vec::new();
        let (mut scale, mut digits) = (0u32, 1u32);
        for value in values {
            items.push(match value {
                None => None,
                Some(d) => {
                    scale = scale.max(d.scale());
                    digits = digits.max(integer_digits(d));
                    Some(self.decimal_object(d)?)
                }
            });
        }
        let list = PyList::new(self.py, items)?;
        // The scale and integer digits that hold every value exactly: the Python side makes
        // the column's Arrow `decimal128` (or polars `Decimal`) type from them.
        self.push(name, &format!("decimal:{scale}:{digits}"), list)
    }

    fn decimal_object(&mut self, d: Decimal) -> PyResult<Bound<'py, PyAny>> {
        let key = d.serialize();
        if let Some(object) = self.decimals.get(&key) {
            return Ok(object.bind(self.py).clone());
        }
        let object = d.into_pyobject(self.py)?;
        self.decimals.insert(key, object.clone().unbind());
        Ok(object)
    }

    /// The columns, as a list of `(name, kind, values)`.
    pub(crate) fn finish(self) -> PyResult<Bound<'py, PyList>> {
        PyList::new(self.py, self.columns)
    }
}

/// The digits before the decimal point (at least 1).
fn integer_digits(d: Decimal) -> u32 {
    let whole = d.trunc().abs().mantissa();
    let mut digits = 1;
    let mut rest = whole / 10;
    while rest > 0 {
        digits += 1;
        rest /= 10;
    }
    digits
}

/// The float nearest to a decimal: read from its digits, which rounds correctly (converting
/// the mantissa and scale arithmetically can be off by one unit in the last place).
fn to_float(d: Decimal) -> Option<f64> {
    d.to_string().parse().ok()
}
