//! Arrow interchange: data exported through the Arrow PyCapsule stream interface
//! (`__arrow_c_stream__`: pyarrow tables, polars frames, DuckDB relations, pandas with Arrow
//! dtypes) read into a grid without passing through Python objects, and results exported the
//! same way.
//!
//! As in [`crate::convert`], each value only changes type ([`CellValue`]): the layout and the
//! reading of values are left to `parindex-io`, exactly as for a file. Each Arrow type maps to
//! the cell its Python value would give, so that a frame read through Arrow gives the same
//! results as the same frame read value by value.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::temporal_conversions::{as_datetime, as_datetime_with_timezone};
use arrow_array::timezone::Tz;
use arrow_array::types::{
    Decimal128Type, Decimal256Type, Float16Type, Float32Type, Float64Type, Int8Type, Int16Type,
    Int32Type, Int64Type, TimestampMicrosecondType, TimestampMillisecondType,
    TimestampNanosecondType, TimestampSecondType, UInt8Type, UInt16Type, UInt32Type, UInt64Type,
};
use arrow_array::{Array, ArrayRef, ArrowPrimitiveType, RecordBatch};
use arrow_schema::{DataType, TimeUnit};
use chrono::{Datelike, NaiveDate};
use parindex_io::{CellValue, Grid};
use pyo3::prelude::*;
use pyo3_arrow::{PyRecordBatchReader, PyTable};

use crate::convert::type_name;
use crate::error::Error;

/// Days from 0001-01-01 (chrono's day 1 of the common era) to 1970-01-01.
const UNIX_EPOCH_FROM_CE: i64 = 719_163;

/// Whether a value exports an Arrow stream.
pub(crate) fn exports_arrow(data: &Bound<'_, PyAny>) -> bool {
    data.hasattr("__arrow_c_stream__").unwrap_or(false)
}

/// Reads an object that exports an Arrow stream as a grid; `source` names it in messages.
pub(crate) fn grid_from_arrow(data: &Bound<'_, PyAny>, source: &str) -> Result<Grid, Error> {
    let reader = data.extract::<PyRecordBatchReader>().map_err(|e| {
        Error::Type(format!(
            "a {} that cannot export its Arrow data: {e}",
            type_name(data)
        ))
    })?;
    let reader = reader
        .into_reader()
        .map_err(|e| Error::Type(format!("the Arrow stream cannot be read: {e}")))?;
    let schema = reader.schema();
    let mut columns: Vec<(String, Vec<CellValue>)> = schema
        .fields()
        .iter()
        .map(|f| (f.name().clone(), Vec::new()))
        .collect();
    for batch in reader {
        let batch: RecordBatch =
            batch.map_err(|e| Error::Type(format!("the Arrow stream cannot be read: {e}")))?;
        for ((name, cells), array) in columns.iter_mut().zip(batch.columns()) {
            append_cells(cells, array, name)?;
        }
    }
    let max_units = usize::try_from(crate::set::max_units()).unwrap_or(usize::MAX);
    Ok(Grid::from_columns_for(source, columns, max_units)?)
}

fn primitive<T: ArrowPrimitiveType>(
    cells: &mut Vec<CellValue>,
    array: &ArrayRef,
    cell: impl Fn(T::Native) -> CellValue,
) {
    let values = array.as_primitive::<T>();
    cells.extend((0..values.len()).map(|i| {
        if values.is_null(i) {
            CellValue::Empty
        } else {
            cell(values.value(i))
        }
    }));
}

fn number(x: f64) -> CellValue {
    if x.is_nan() {
        CellValue::Empty
    } else {
        CellValue::Number(x)
    }
}

fn date(day: Option<NaiveDate>) -> CellValue {
    match day {
        Some(day) => CellValue::Date {
            year: day.year(),
            month: day.month(),
            day: day.day(),
        },
        None => CellValue::Empty,
    }
}

fn timestamps<T: ArrowPrimitiveType<Native = i64>>(
    cells: &mut Vec<CellValue>,
    array: &ArrayRef,
    zone: Option<Tz>,
) {
    // A timestamp is read as its day, where it is: in its time zone when it has one.
    primitive::<T>(cells, array, |v| match zone {
        Some(zone) => date(as_datetime_with_timezone::<T>(v, zone).map(|t| t.date_naive())),
        None => date(as_datetime::<T>(v).map(|t| t.date())),
    });
}

/// Appends the cells of one Arrow array, each as the cell its Python value would give: text
/// as text, integers and decimals exactly as their digits, floats as numbers (NaN empty),
/// booleans, dates (and timestamps, by their day), nulls empty.
fn append_cells(cells: &mut Vec<CellValue>, array: &ArrayRef, name: &str) -> Result<(), Error> {
    let text = |s: &str| CellValue::Text(s.into());
    match array.data_type() {
        DataType::Null => cells.extend((0..array.len()).map(|_| CellValue::Empty)),
        DataType::Utf8 => {
            let values = array.as_string::<i32>();
            cells.extend(values.iter().map(|v| v.map_or(CellValue::Empty, text)));
        }
        DataType::LargeUtf8 => {
            let values = array.as_string::<i64>();
            cells.extend(values.iter().map(|v| v.map_or(CellValue::Empty, text)));
        }
        DataType::Utf8View => {
            let values = array.as_string_view();
            cells.extend(values.iter().map(|v| v.map_or(CellValue::Empty, text)));
        }
        DataType::Boolean => {
            let values = array.as_boolean();
            cells.extend(
                values
                    .iter()
                    .map(|v| v.map_or(CellValue::Empty, CellValue::Bool)),
            );
        }
        DataType::Int8 => primitive::<Int8Type>(cells, array, |v| text(&v.to_string())),
        DataType::Int16 => primitive::<Int16Type>(cells, array, |v| text(&v.to_string())),
        DataType::Int32 => primitive::<Int32Type>(cells, array, |v| text(&v.to_string())),
        DataType::Int64 => primitive::<Int64Type>(cells, array, |v| text(&v.to_string())),
        DataType::UInt8 => primitive::<UInt8Type>(cells, array, |v| text(&v.to_string())),
        DataType::UInt16 => primitive::<UInt16Type>(cells, array, |v| text(&v.to_string())),
        DataType::UInt32 => primitive::<UInt32Type>(cells, array, |v| text(&v.to_string())),
        DataType::UInt64 => primitive::<UInt64Type>(cells, array, |v| text(&v.to_string())),
        DataType::Float16 => primitive::<Float16Type>(cells, array, |v| number(v.to_f64())),
        DataType::Float32 => primitive::<Float32Type>(cells, array, |v| number(f64::from(v))),
        DataType::Float64 => primitive::<Float64Type>(cells, array, number),
        DataType::Decimal128(_, _) => {
            let values = array.as_primitive::<Decimal128Type>();
            cells.extend((0..values.len()).map(|i| {
                if values.is_null(i) {
                    CellValue::Empty
                } else {
                    CellValue::Text(values.value_as_string(i).into())
                }
            }));
        }
        DataType::Decimal256(_, _) => {
            let values = array.as_primitive::<Decimal256Type>();
            cells.extend((0..values.len()).map(|i| {
                if values.is_null(i) {
                    CellValue::Empty
                } else {
                    CellValue::Text(values.value_as_string(i).into())
                }
            }));
        }
        DataType::Date32 => {
            let values = array.as_primitive::<arrow_array::types::Date32Type>();
            cells.extend(values.iter().map(|v| match v {
                Some(days) => date(NaiveDate::from_num_days_from_ce_opt(
                    i32::try_from(i64::from(days) + UNIX_EPOCH_FROM_CE).unwrap_or(i32::MIN),
                )),
                None => CellValue::Empty,
            }));
        }
        DataType::Date64 => {
            let values = array.as_primitive::<arrow_array::types::Date64Type>();
            cells.extend(values.iter().map(|v| {
                match v {
                    Some(ms) => date(
                        i32::try_from(ms.div_euclid(86_400_000) + UNIX_EPOCH_FROM_CE)
                            .ok()
                            .and_then(NaiveDate::from_num_days_from_ce_opt),
                    ),
                    None => CellValue::Empty,
                }
            }));
        }
        DataType::Timestamp(unit, zone) => {
            let zone = match zone {
                Some(zone) => Some(zone.parse::<Tz>().map_err(|e| {
                    Error::Type(format!("column \"{name}\": time zone {zone}: {e}"))
                })?),
                None => None,
            };
            match unit {
                TimeUnit::Second => timestamps::<TimestampSecondType>(cells, array, zone),
                TimeUnit::Millisecond => {
                    timestamps::<TimestampMillisecondType>(cells, array, zone);
                }
                TimeUnit::Microsecond => {
                    timestamps::<TimestampMicrosecondType>(cells, array, zone);
                }
                TimeUnit::Nanosecond => timestamps::<TimestampNanosecondType>(cells, array, zone),
            }
        }
        DataType::Dictionary(_, _) => {
            // A categorical column: its values once, then one per row by key.
            let dictionary = array.as_any_dictionary();
            let mut values = Vec::new();
            append_cells(&mut values, dictionary.values(), name)?;
            let keys = dictionary.normalized_keys();
            cells.extend(keys.iter().enumerate().map(|(row, key)| {
                if array.is_null(row) {
                    CellValue::Empty
                } else {
                    values.get(*key).cloned().unwrap_or(CellValue::Empty)
                }
            }));
        }
        other => {
            return Err(Error::Type(format!(
                "column \"{name}\": Arrow type {other} cannot be a cell; give text, numbers, \
                 booleans, dates or decimals"
            )));
        }
    }
    Ok(())
}

/// Columns built as Arrow arrays, for [`crate::frame::Frame`]'s Arrow mode.
#[derive(Default)]
pub(crate) struct ArrowColumns {
    fields: Vec<arrow_schema::Field>,
    arrays: Vec<ArrayRef>,
}

impl ArrowColumns {
    /// Adds a column.
    pub(crate) fn push(&mut self, name: &str, array: ArrayRef) {
        self.fields.push(arrow_schema::Field::new(
            name,
            array.data_type().clone(),
            true,
        ));
        self.arrays.push(array);
    }

    /// The columns as an Arrow table that exports `__arrow_c_stream__`.
    pub(crate) fn finish(self, py: Python<'_>) -> PyResult<Bound<'_, PyAny>> {
        let schema = Arc::new(arrow_schema::Schema::new(self.fields));
        let batch = RecordBatch::try_new(schema.clone(), self.arrays)
            .map_err(|e| Error::Internal(e.to_string()))?;
        let table = PyTable::try_new(vec![batch], schema)?;
        Ok(Bound::new(py, table)?.into_any())
    }
}

/// Rank keys read back from Arrow data holding the columns of `Results.ranking()` (unit,
/// group, ranked, rank_on, then `tie_<code>` per tie-breaker of the set), for
/// [`parindex_core::rank_keys`].
pub(crate) fn rank_keys_from_arrow(
    data: &Bound<'_, PyAny>,
    tie_breakers: &[String],
) -> Result<Vec<parindex_core::RankKey>, Error> {
    let reader = data
        .extract::<PyRecordBatchReader>()
        .map_err(|e| Error::Type(format!("rank() takes Arrow data: {e}")))?
        .into_reader()
        .map_err(|e| Error::Type(format!("the Arrow stream cannot be read: {e}")))?;
    let mut names = vec!["rank_on".to_owned()];
    names.extend(tie_breakers.iter().map(|c| format!("tie_{c}")));
    let mut keys = Vec::new();
    for batch in reader {
        let batch =
            batch.map_err(|e| Error::Type(format!("the Arrow stream cannot be read: {e}")))?;
        let column = |name: &str| {
            batch.column_by_name(name).ok_or_else(|| {
                Error::Value(format!(
                    "the ranking has no column \"{name}\": give the columns of \
                     Results.ranking()"
                ))
            })
        };
        let mut cells: Vec<Vec<CellValue>> = Vec::new();
        for name in ["unit", "group", "ranked"]
            .iter()
            .map(|s| (*s).to_owned())
            .chain(names.iter().cloned())
        {
            let mut values = Vec::with_capacity(batch.num_rows());
            append_cells(&mut values, column(&name)?, &name)?;
            cells.push(values);
        }
        for row in 0..batch.num_rows() {
            let text = |c: &CellValue| match c {
                CellValue::Text(t) => Some(t.to_string()),
                _ => None,
            };
            let unit = text(&cells[0][row])
                .ok_or_else(|| Error::Value(format!("row {}: no unit", row + 1)))?;
            let ranked = matches!(cells[2][row], CellValue::Bool(true));
            let mut key = Vec::with_capacity(names.len());
            for values in &cells[3..] {
                key.push(match &values[row] {
                    CellValue::Empty => rust_decimal::Decimal::MIN,
                    CellValue::Text(t) => t.parse().map_err(|_| {
                        Error::Value(format!("row {}: \"{t}\" is not a decimal", row + 1))
                    })?,
                    other => {
                        return Err(Error::Value(format!(
                            "row {}: a ranking key must be a decimal, not {other:?}",
                            row + 1
                        )));
                    }
                });
            }
            keys.push(parindex_core::RankKey {
                unit,
                group: text(&cells[1][row]),
                ranked,
                key,
            });
        }
    }
    Ok(keys)
}
