//! Python functions for `nps_core::features` (the Python layer `nps.features` encodes the
//! columns; this file hands them to the core).
use nps_core::features::{self as core, CustomerColumn, EventColumns, EventTable, EventView, FeatureSet, KindColumn};
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

/// One of two forms of a column.
enum Either<L, R> {
    Left(L),
    Right(R),
}

/// The encoded columns (see `nps.features._encode`), borrowed from numpy.
struct Encoded<'py> {
    /// Codes (uint32), or int64 ids numbered from `customer_first`.
    customer: Either<PyReadonlyArray1<'py, u32>, (PyReadonlyArray1<'py, i64>, i64)>,
    time: PyReadonlyArray1<'py, i64>,
    ticks_per_second: i64,
    /// Codes as uint32 or as uint8.
    kind: Either<PyReadonlyArray1<'py, u32>, PyReadonlyArray1<'py, u8>>,
    kind_names: Vec<String>,
    value: PyReadonlyArray1<'py, f64>,
    duration: PyReadonlyArray1<'py, f64>,
    department: PyReadonlyArray1<'py, u32>,
    department_names: Vec<String>,
    case: PyReadonlyArray1<'py, u32>,
    flag: PyReadonlyArray1<'py, u8>,
}

impl<'py> Encoded<'py> {
    fn new(enc: &Bound<'py, PyDict>) -> PyResult<Self> {
        let customer = match enc.get_item("customer_first")? {
            Some(first) => Either::Right((item(enc, "customer")?, first.extract()?)),
            None => Either::Left(item(enc, "customer")?),
        };
        let kind = match item::<PyReadonlyArray1<'py, u8>>(enc, "kind") {
            Ok(bytes) => Either::Right(bytes),
            Err(_) => Either::Left(item(enc, "kind")?),
        };
        Ok(Encoded {
            customer,
            time: item(enc, "time")?,
            ticks_per_second: match enc.get_item("time_ticks")? {
                Some(t) => t.extract()?,
                None => 1,
            },
            kind,
            kind_names: item(enc, "kind_names")?,
            value: item(enc, "value")?,
            duration: item(enc, "duration")?,
            department: item(enc, "department")?,
            department_names: item(enc, "department_names")?,
            case: item(enc, "case")?,
            flag: item(enc, "flag")?,
        })
    }

    /// Calls `f` with the columns as slices (names as `&str`; the customer and kind columns
    /// apart, in the forms numpy holds them).
    fn with_columns<R>(
        &self,
        f: impl FnOnce(&EventColumns<'_>, CustomerColumn<'_>, KindColumn<'_>) -> PyResult<R>,
    ) -> PyResult<R> {
        let kind_names: Vec<&str> = self.kind_names.iter().map(String::as_str).collect();
        let department_names: Vec<&str> = self.department_names.iter().map(String::as_str).collect();
        let slice = |name: &str| error("INVALID_PARAMETER", format!("events column {name} must be contiguous"));
        let customer = match &self.customer {
            Either::Left(codes) => CustomerColumn::Codes(codes.as_slice().map_err(|_| slice("customer"))?),
            Either::Right((ids, first)) => {
                CustomerColumn::Offsets { ids: ids.as_slice().map_err(|_| slice("customer"))?, first: *first }
            }
        };
        let kind = match &self.kind {
            Either::Left(codes) => KindColumn::Codes(codes.as_slice().map_err(|_| slice("kind"))?),
            Either::Right(bytes) => KindColumn::Bytes(bytes.as_slice().map_err(|_| slice("kind"))?),
        };
        let columns = EventColumns {
            time: self.time.as_slice().map_err(|_| slice("time"))?,
            kind_names: &kind_names,
            value: self.value.as_slice().map_err(|_| slice("value"))?,
            duration: self.duration.as_slice().map_err(|_| slice("duration"))?,
            department: self.department.as_slice().map_err(|_| slice("department"))?,
            department_names: &department_names,
            case: self.case.as_slice().map_err(|_| slice("case"))?,
            flag: self.flag.as_slice().map_err(|_| slice("flag"))?,
            ..Default::default()
        };
        f(&columns, customer, kind)
    }
}

/// Builds the core's event table from the encoded columns (a copy, with times in seconds).
#[allow(dead_code)] // kept for bindings that need an owned table
pub(crate) fn event_table(enc: &Bound<'_, PyDict>, declared: &[String]) -> PyResult<EventTable> {
    let encoded = Encoded::new(enc)?;
    let declared: Vec<&str> = declared.iter().map(String::as_str).collect();
    encoded.with_columns(|columns, customer, kind| {
        let ticks = encoded.ticks_per_second;
        enc.py()
            .detach(|| EventView::with_columns(columns, customer, kind, &declared, ticks).map(|v| v.to_table()))
            .py()
    })
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

/// `(first, last)` of integer ids when every id between them occurs, or None.
#[pyfunction]
fn _dense_range(py: Python<'_>, ids: PyReadonlyArray1<'_, i64>) -> PyResult<Option<(i64, i64)>> {
    let ids = ids.as_slice().map_err(|_| error("INVALID_PARAMETER", "customer ids must be contiguous".into()))?;
    Ok(py.detach(|| core::dense_integer_range(ids)))
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
    // The core reads numpy's memory in place (no copy of the columns) without the GIL.
    let encoded = Encoded::new(enc)?;
    let declared: Vec<&str> = declared_kinds.iter().map(String::as_str).collect();
    let matrix = encoded.with_columns(|columns, customer, kind| {
        py.detach(|| {
            let view = EventView::with_columns(columns, customer, kind, &declared, encoded.ticks_per_second)?;
            core::compute_view(&view, &set, as_of)
        })
        .py()
    })?;
    Ok((matrix.names, matrix.descriptions, PyArray2::from_owned_array(py, matrix.values)))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_built_in_kinds, m)?)?;
    m.add_function(wrap_pyfunction!(_retention_json, m)?)?;
    m.add_function(wrap_pyfunction!(_compute_features, m)?)?;
    m.add_function(wrap_pyfunction!(_dense_codes, m)?)?;
    m.add_function(wrap_pyfunction!(_dense_range, m)?)?;
    Ok(())
}
