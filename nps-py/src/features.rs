//! Python functions for `nps_core::features` (the Python layer `nps.features` encodes the
//! columns; this file hands them to the core).
use nps_core::features::{self as core, EventColumns, EventTable, FeatureSet};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{error, IntoPy};

/// The built-in event kinds.
#[pyfunction]
fn _built_in_kinds() -> Vec<&'static str> {
    core::BUILT_IN_KINDS.to_vec()
}

/// The retention preset as JSON definitions.
#[pyfunction]
fn _retention_json() -> &'static str {
    core::RETENTION_JSON
}

fn item<'py, T: FromPyObjectOwned<'py>>(d: &Bound<'py, PyDict>, key: &str) -> PyResult<T> {
    d.get_item(key)?
        .ok_or_else(|| error("INVALID_PARAMETER", format!("events is missing {key}")))?
        .extract()
        .map_err(Into::into)
}

/// Builds the core's event table from the encoded columns.
pub(crate) fn event_table(enc: &Bound<'_, PyDict>, declared: &[String]) -> PyResult<EventTable> {
    let customer: PyReadonlyArray1<u32> = item(enc, "customer")?;
    let time: PyReadonlyArray1<i64> = item(enc, "time")?;
    let kind: PyReadonlyArray1<u32> = item(enc, "kind")?;
    let kind_names: Vec<String> = item(enc, "kind_names")?;
    let value: PyReadonlyArray1<f64> = item(enc, "value")?;
    let duration: PyReadonlyArray1<f64> = item(enc, "duration")?;
    let department: PyReadonlyArray1<u32> = item(enc, "department")?;
    let department_names: Vec<String> = item(enc, "department_names")?;
    let case: PyReadonlyArray1<u32> = item(enc, "case")?;
    let flag: PyReadonlyArray1<u8> = item(enc, "flag")?;
    let kind_names: Vec<&str> = kind_names.iter().map(String::as_str).collect();
    let department_names: Vec<&str> = department_names.iter().map(String::as_str).collect();
    let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
    let slice = |name: &str| error("INVALID_PARAMETER", format!("events column {name} must be contiguous"));
    let columns = EventColumns {
        customer: customer.as_slice().map_err(|_| slice("customer"))?,
        time: time.as_slice().map_err(|_| slice("time"))?,
        kind: kind.as_slice().map_err(|_| slice("kind"))?,
        kind_names: &kind_names,
        value: value.as_slice().map_err(|_| slice("value"))?,
        duration: duration.as_slice().map_err(|_| slice("duration"))?,
        department: department.as_slice().map_err(|_| slice("department"))?,
        department_names: &department_names,
        case: case.as_slice().map_err(|_| slice("case"))?,
        flag: flag.as_slice().map_err(|_| slice("flag"))?,
    };
    enc.py().detach(|| EventTable::new(&columns, &declared)).py()
}

/// Codes and ascending labels for integer ids over a compact range, or None.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn _dense_codes<'py>(
    py: Python<'py>,
    ids: PyReadonlyArray1<'py, i64>,
) -> PyResult<Option<(Bound<'py, PyArray1<u32>>, Bound<'py, PyArray1<i64>>)>> {
    let ids = ids.as_slice().map_err(|_| error("INVALID_PARAMETER", "customer ids must be contiguous".into()))?;
    let codes = py.detach(|| core::dense_integer_codes(ids));
    Ok(codes.map(|(codes, labels)| (codes.into_pyarray(py), labels.into_pyarray(py))))
}

/// Computes features (the retention preset when `definitions` is None) as of `as_of`.
#[pyfunction]
#[allow(clippy::type_complexity)]
fn _compute_features<'py>(
    py: Python<'py>,
    enc: &Bound<'py, PyDict>,
    definitions: Option<&str>,
    as_of: i64,
    declared_kinds: Vec<String>,
) -> PyResult<(Vec<String>, Vec<String>, Bound<'py, PyArray2<f64>>)> {
    let set = match definitions {
        Some(text) => FeatureSet::from_json(text).py()?,
        None => core::retention(),
    };
    let table = event_table(enc, &declared_kinds)?;
    let matrix = py.detach(|| core::compute(&table, &set, as_of)).py()?;
    Ok((matrix.names, matrix.descriptions, PyArray2::from_owned_array(py, matrix.values)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_built_in_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(_retention_json, m)?)?;
    m.add_function(wrap_pyfunction!(_compute_features, m)?)?;
    m.add_function(wrap_pyfunction!(_dense_codes, m)?)?;
    Ok(())
}
