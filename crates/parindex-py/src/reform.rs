//! Results by reform area, as columns: each unit's sub-index per reform area, and two results
//! compared by reform area.

use parindex_core::{Results as CoreResults, compare_reform_areas as compare_areas};
use pyo3::prelude::*;
use pyo3::types::PyList;

use crate::convert::type_name;
use crate::error::{Error, guard_py};
use crate::frame::Frame;
use crate::results::Results;

/// One row per unit and reform area of the set, in input and vocabulary order.
pub(crate) fn unit_frame<'py>(
    py: Python<'py>,
    results: &CoreResults,
    exact: bool,
) -> PyResult<Bound<'py, PyList>> {
    let rows: Vec<(&str, parindex_core::ReformAreaScore)> = results
        .units
        .iter()
        .flat_map(|u| u.reform_areas().into_iter().map(|a| (u.unit.as_str(), a)))
        .collect();
    let mut frame = Frame::new(py, exact);
    frame.text("unit", rows.iter().map(|(u, _)| Some(*u)))?;
    frame.text("area", rows.iter().map(|(_, a)| Some(a.area.as_str())))?;
    frame.text("name", rows.iter().map(|(_, a)| Some(a.area.name_vi())))?;
    frame.text("name_en", rows.iter().map(|(_, a)| Some(a.area.name_en())))?;
    frame.decimal("points", rows.iter().map(|(_, a)| Some(a.points)))?;
    frame.decimal("max", rows.iter().map(|(_, a)| Some(a.max)))?;
    frame.decimal(
        "lost",
        rows.iter()
            .map(|(_, a)| Some((a.max - a.points).max(rust_decimal::Decimal::ZERO))),
    )?;
    frame.decimal("index", rows.iter().map(|(_, a)| a.reported_index))?;
    frame.decimal("index_exact", rows.iter().map(|(_, a)| a.index))?;
    frame.finish()
}

/// Compares two runs' results by reform area: one row per reform area of either, with the
/// units, mean, lowest and highest sub-index of each and the change in the mean. The two may
/// be different sets, or one year and the next, whatever their codes.
#[pyfunction]
#[pyo3(signature = (before, after, exact = true))]
pub(crate) fn compare_reform_areas<'py>(
    py: Python<'py>,
    before: &Bound<'py, PyAny>,
    after: &Bound<'py, PyAny>,
    exact: bool,
) -> PyResult<Bound<'py, PyList>> {
    let cast = |value: &Bound<'py, PyAny>| {
        value.cast::<Results>().cloned().map_err(|_| {
            PyErr::from(Error::Type(format!(
                "compare() takes two Results, not a {}",
                type_name(value)
            )))
        })
    };
    let (before, after) = (cast(before)?, cast(after)?);
    let (before, after) = (before.get().core(), after.get().core());
    guard_py(|| {
        let scale = after.set().policy.scale;
        let compared = compare_areas(&before.year_view(), &after.year_view(), scale);
        let areas = &compared.areas;
        let mut frame = Frame::new(py, exact);
        frame.text("area", areas.iter().map(|a| Some(a.area.as_str())))?;
        frame.text("name", areas.iter().map(|a| Some(a.area.name_vi())))?;
        let count = |n: usize| i64::try_from(n).ok();
        frame.int("units_before", areas.iter().map(|a| count(a.before.units)))?;
        frame.decimal("mean_before", areas.iter().map(|a| a.before.mean))?;
        frame.decimal("min_before", areas.iter().map(|a| a.before.min))?;
        frame.decimal("max_before", areas.iter().map(|a| a.before.max))?;
        frame.int("units_after", areas.iter().map(|a| count(a.after.units)))?;
        frame.decimal("mean_after", areas.iter().map(|a| a.after.mean))?;
        frame.decimal("min_after", areas.iter().map(|a| a.after.min))?;
        frame.decimal("max_after", areas.iter().map(|a| a.after.max))?;
        frame.decimal("change", areas.iter().map(|a| a.change))?;
        frame.finish()
    })
}
