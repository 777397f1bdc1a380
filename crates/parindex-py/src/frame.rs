//! Results → columns for the Python package to turn into pandas or polars frames.
//!
//! A frame crosses as a list of `(name, kind, values)`; `kind` is `text`, `decimal:S:D`
//! (exact decimals with at most S decimals and D integer digits), `float`, `int` or `bool`, so
//! that the Python side can give each column its dtype without guessing.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{BooleanArray, Decimal128Array, Float64Array, Int64Array, StringArray};
use pyo3::prelude::*;
use pyo3::types::{PyList, PyTuple};
use rust_decimal::Decimal;

use crate::arrow::ArrowColumns;
use crate::error::Error;

/// Builds the columns of one frame: Python lists for the package to make a pandas or polars
/// frame of, or, in Arrow mode, Arrow arrays exported through `__arrow_c_stream__`.
pub(crate) struct Frame<'py> {
    py: Python<'py>,
    exact: bool,
    columns: Vec<Bound<'py, PyTuple>>,
    /// Python `Decimal`s already made, by value and scale: results repeat few distinct values,
    /// and making a `Decimal` costs more than finding one.
    decimals: HashMap<[u8; 16], Py<PyAny>>,
    /// In Arrow mode, the columns, and the integer digits a decimal column has room for.
    arrow: Option<(ArrowColumns, u32)>,
}

impl<'py> Frame<'py> {
    /// An empty frame; `exact` chooses `Decimal` (true) or `float` (false) for decimals.
    pub(crate) fn new(py: Python<'py>, exact: bool) -> Self {
        Frame {
            py,
            exact,
            columns: Vec::new(),
            decimals: HashMap::new(),
            arrow: None,
        }
    }

    /// An empty frame of Arrow arrays, with exact decimals as `decimal128` columns that have
    /// room for at least `digits` integer digits.
    pub(crate) fn arrow(py: Python<'py>, digits: u32) -> Self {
        Frame {
            arrow: Some((ArrowColumns::default(), digits)),
            ..Frame::new(py, true)
        }
    }

    /// The frame in Arrow mode as a table exporting `__arrow_c_stream__`.
    pub(crate) fn finish_arrow(self) -> PyResult<Bound<'py, PyAny>> {
        match self.arrow {
            Some((columns, _)) => columns.finish(self.py),
            None => Err(Error::Internal("not an Arrow frame".to_owned()).into()),
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
        if let Some((columns, _)) = &mut self.arrow {
            let array: StringArray = values
                .into_iter()
                .map(|v| v.as_ref().map(|s| s.as_ref().to_owned()))
                .collect();
            columns.push(name, Arc::new(array));
            return Ok(());
        }
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
        if let Some((columns, _)) = &mut self.arrow {
            let array: Int64Array = values.into_iter().collect();
            columns.push(name, Arc::new(array));
            return Ok(());
        }
        let list = PyList::new(self.py, values)?;
        self.push(name, "int", list)
    }

    /// A column of floats: statistics, not points.
    pub(crate) fn float(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<f64>>,
    ) -> PyResult<()> {
        if let Some((columns, _)) = &mut self.arrow {
            let array: Float64Array = values.into_iter().collect();
            columns.push(name, Arc::new(array));
            return Ok(());
        }
        let list = PyList::new(self.py, values)?;
        self.push(name, "float", list)
    }

    /// A column of yes/no.
    pub(crate) fn bool(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = bool>,
    ) -> PyResult<()> {
        if let Some((columns, _)) = &mut self.arrow {
            let array: BooleanArray = values.into_iter().map(Some).collect();
            columns.push(name, Arc::new(array));
            return Ok(());
        }
        let list = PyList::new(self.py, values)?;
        self.push(name, "bool", list)
    }

    /// A column of exact decimals, or floats for plotting.
    pub(crate) fn decimal(
        &mut self,
        name: &str,
        values: impl IntoIterator<Item = Option<Decimal>>,
    ) -> PyResult<()> {
        if let Some((columns, digits)) = &mut self.arrow {
            let array = decimal_array(values.into_iter().collect(), *digits)?;
            columns.push(name, Arc::new(array));
            return Ok(());
        }
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

/// Exact decimals as an Arrow `decimal128` array whose scale is the most decimals of any value
/// and whose precision adds the integer digits needed (at least `digits`), at most 38.
fn decimal_array(values: Vec<Option<Decimal>>, digits: u32) -> PyResult<Decimal128Array> {
    let scale = values
        .iter()
        .flatten()
        .map(|d| d.scale())
        .max()
        .unwrap_or(0);
    let integer = values
        .iter()
        .flatten()
        .map(|d| integer_digits(*d))
        .fold(digits, u32::max);
    let precision = (scale + integer).min(38);
    let rescaled: Vec<Option<i128>> = values
        .into_iter()
        .map(|v| {
            v.map(|d| {
                let shift = 10i128.pow(scale - d.scale());
                d.mantissa() * shift
            })
        })
        .collect();
    let overflow = |e: arrow_schema::ArrowError| Error::Internal(e.to_string());
    let array = Decimal128Array::from(rescaled)
        .with_precision_and_scale(
            u8::try_from(precision).unwrap_or(38),
            i8::try_from(scale).unwrap_or(28),
        )
        .map_err(overflow)?;
    Ok(array)
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
