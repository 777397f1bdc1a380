//! A programme's targets in a year, as columns: the programme file and the measured values are
//! read by the core and `parindex-io`, as the command line reads them.

use std::path::PathBuf;

use parindex_core::programme::{Measured, Observation, Programme};
use parindex_core::records::ReformPlan;
use parindex_io::{
    ResultsDocument, observations_from_results, read_completions_bytes, read_measured_bytes,
};
use pyo3::prelude::*;
use pyo3::types::PyList;
use rust_decimal::Decimal;

use crate::convert::type_name;
use crate::error::{Error, guard_py};
use crate::frame::Frame;
use crate::records::NamedBytes;
use crate::results::Results;

/// Each target of the programme file in `year`: met, on track, behind or no data, from the
/// measured values of `results` (runs scored in this session), `documents` (results
/// documents written by `parindex score`), `tables` (typed tables as `(name, bytes)`) and the
/// year's `plan` with its `completions`.
#[pyfunction]
#[pyo3(signature = (programme, year, results = Vec::new(), documents = Vec::new(), tables = Vec::new(), plan = None, completions = None, exact = true))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn targets<'py>(
    py: Python<'py>,
    programme: PathBuf,
    year: i32,
    results: Vec<Bound<'py, PyAny>>,
    documents: Vec<PathBuf>,
    tables: Vec<NamedBytes>,
    plan: Option<PathBuf>,
    completions: Option<NamedBytes>,
    exact: bool,
) -> PyResult<Bound<'py, PyList>> {
    let programme = Programme::from_path(&programme).map_err(Error::from)?;
    let mut observations: Vec<Observation> = Vec::new();
    for value in &results {
        let run = value.cast::<Results>().map_err(|_| {
            Error::Type(format!(
                "measured= takes Results, paths, DataFrames or lists of dicts, not a {}",
                type_name(value)
            ))
        })?;
        let core = run.get().core();
        let document = ResultsDocument::new(core, &Default::default());
        let name = format!("results of {}", core.provenance.set_id);
        observations.extend(observations_from_results(&programme, &document, &name));
    }
    for path in &documents {
        let document = ResultsDocument::read(path).map_err(Error::from)?;
        let name = path.display().to_string();
        observations.extend(observations_from_results(&programme, &document, &name));
    }
    for (name, bytes) in &tables {
        let records = read_measured_bytes(&programme, name, bytes).map_err(Error::from)?;
        observations.extend(records.items);
    }
    match (plan, completions) {
        (Some(plan), Some((name, bytes))) => {
            let plan = ReformPlan::from_path(&plan).map_err(Error::from)?;
            let records = read_completions_bytes(&name, &bytes).map_err(Error::from)?;
            let found = programme
                .observations_from_plan(&plan, &records.items)
                .map_err(Error::Value)?;
            observations.extend(found);
        }
        (None, None) => {}
        _ => {
            let message = "plan= and completions= go together: the plan and its completion records";
            return Err(Error::Value(message.to_owned()).into());
        }
    }
    let reports = programme.report(year, &observations);
    guard_py(|| {
        let rows: Vec<_> = reports
            .iter()
            .filter_map(|r| {
                programme
                    .targets
                    .iter()
                    .find(|t| t.id == r.target)
                    .map(|t| (t, r))
            })
            .collect();
        let mut frame = Frame::new(py, exact);
        frame.text("target", rows.iter().map(|(t, _)| Some(&t.id)))?;
        frame.text("area", rows.iter().map(|(t, _)| Some(t.area.as_str())))?;
        frame.text("indicator", rows.iter().map(|(t, _)| Some(&t.indicator)))?;
        frame.text(
            "indicator_en",
            rows.iter().map(|(t, _)| t.indicator_en.as_ref()),
        )?;
        frame.text(
            "comparator",
            rows.iter().map(|(t, _)| Some(t.comparator.as_str())),
        )?;
        frame.text("value", rows.iter().map(|(t, _)| Some(t.value.to_string())))?;
        frame.text("unit", rows.iter().map(|(t, _)| Some(t.unit.as_str())))?;
        frame.int(
            "due",
            rows.iter().map(|(t, _)| t.due(&programme).map(i64::from)),
        )?;
        frame.text("population", rows.iter().map(|(t, _)| Some(&t.population)))?;
        frame.int("year", rows.iter().map(|(_, r)| Some(i64::from(r.year))))?;
        frame.text("status", rows.iter().map(|(_, r)| Some(r.status.as_str())))?;
        frame.text(
            "measured",
            rows.iter()
                .map(|(_, r)| (!r.shown.is_empty()).then_some(&r.shown)),
        )?;
        frame.decimal(
            "measured_value",
            rows.iter().map(|(_, r)| match r.value {
                Some(Measured::Number(n)) => Some(n),
                _ => None,
            }),
        )?;
        let count = |n: usize| i64::try_from(n).ok();
        frame.int(
            "units_meeting",
            rows.iter().map(|(_, r)| r.units.and_then(|u| count(u.0))),
        )?;
        frame.int(
            "units",
            rows.iter().map(|(_, r)| r.units.and_then(|u| count(u.1))),
        )?;
        frame.decimal(
            "share_meeting",
            rows.iter().map(|(_, r)| {
                r.units
                    .filter(|u| u.1 > 0)
                    .map(|(m, n)| Decimal::from(m) * Decimal::ONE_HUNDRED / Decimal::from(n))
            }),
        )?;
        frame.decimal("expected", rows.iter().map(|(_, r)| r.expected))?;
        frame.text("source", rows.iter().map(|(_, r)| Some(r.from.join("; "))))?;
        frame.text("reason", rows.iter().map(|(_, r)| Some(&r.reason)))?;
        frame.finish()
    })
}
