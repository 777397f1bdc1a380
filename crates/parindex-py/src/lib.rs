//! # parindex-py
//!
//! The Python extension `parindex._parindex`: a thin pyo3 layer over `parindex-core`.
//!
//! It converts and forwards, and holds no scoring logic. Python values become the text an
//! office writes ([`convert`]), which the core reads exactly as it reads a CSV cell; a batch
//! is built and scored with the GIL released ([`set`]); results come back as plain columns
//! that the Python package (`python/parindex`) turns into pandas or polars frames ([`frame`],
//! [`results`]). Errors cross in one place ([`error`]), and no panic reaches Python.

mod arrow;
mod convert;
mod error;
mod frame;
mod interrupt;
mod records;
mod reform;
mod results;
mod sensitivity;
mod set;
mod targets;

use pyo3::prelude::*;

/// The compiled half of the `parindex` package.
#[pymodule]
fn _parindex(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", parindex_core::ENGINE_VERSION)?;
    m.add("MAX_INPUT_BYTES", parindex_io::MAX_INPUT_BYTES)?;
    m.add("MAX_SCORING_BYTES", parindex_io::MAX_SCORING_BYTES)?;
    m.add("MAX_UNITS", parindex_io::MAX_UNITS)?;
    m.add_class::<set::PySet>()?;
    m.add_class::<results::Results>()?;
    m.add_class::<sensitivity::Sensitivity>()?;
    m.add_function(wrap_pyfunction!(set::sets, m)?)?;
    m.add_function(wrap_pyfunction!(set::set_memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(set::memory_limit, m)?)?;
    m.add_function(wrap_pyfunction!(set::set_max_units, m)?)?;
    m.add_function(wrap_pyfunction!(set::max_units, m)?)?;
    m.add_function(wrap_pyfunction!(set::load, m)?)?;
    m.add_function(wrap_pyfunction!(set::loads, m)?)?;
    m.add_function(wrap_pyfunction!(set::samples, m)?)?;
    m.add_function(wrap_pyfunction!(set::sample_csv, m)?)?;
    m.add_function(wrap_pyfunction!(results::compare, m)?)?;
    m.add_function(wrap_pyfunction!(reform::compare_reform_areas, m)?)?;
    m.add_function(wrap_pyfunction!(targets::targets, m)?)?;
    Ok(())
}
