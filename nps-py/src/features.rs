//! Python functions for `nps_core::features` (the Python layer `nps.features` encodes the
//! columns; this file hands them to the core).
use nps_core::features::{self as core, CustomerColumn, EventColumns, EventView, FeatureSet, KindColumn};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::{error, to_py, IntoPy};

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

// -- One customer's history, grown one event at a time (the ticket-time state) -------------

/// The event kinds a history accepts: the built-in ones, then `declared_kinds`.
fn history_kinds(declared_kinds: &[String]) -> Vec<String> {
    let declared: Vec<&str> = declared_kinds.iter().map(String::as_str).collect();
    core::CustomerHistory::new(&declared).kinds().to_vec()
}

/// A feature set compiled once (the retention set when `definitions` is None) for histories
/// with the built-in event kinds plus `declared_kinds`: use one for every customer. Pickles
/// as its arguments (it is compiled again when unpickled).
#[pyclass(module = "nps.features", name = "FeatureEngine", frozen)]
pub struct PyFeatureEngine(pub(crate) core::FeatureEngine, pub(crate) EngineSource);

/// What a `FeatureEngine` was compiled from: its constructor's arguments.
#[derive(Clone)]
pub(crate) struct EngineSource {
    pub(crate) definitions: Option<String>,
    pub(crate) declared_kinds: Vec<String>,
}

impl EngineSource {
    pub(crate) fn compile(&self) -> PyResult<core::FeatureEngine> {
        let set = match &self.definitions {
            Some(text) => FeatureSet::from_json(text).py()?,
            None => core::retention(),
        };
        core::FeatureEngine::new(&set, &history_kinds(&self.declared_kinds)).py()
    }
}

#[pymethods]
impl PyFeatureEngine {
    #[new]
    #[pyo3(signature = (definitions=None, declared_kinds=Vec::new()))]
    fn new(definitions: Option<String>, declared_kinds: Vec<String>) -> PyResult<Self> {
        let source = EngineSource { definitions, declared_kinds };
        Ok(PyFeatureEngine(source.compile()?, source))
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyAny>, (Option<String>, Vec<String>)) {
        let s = &slf.get().1;
        (slf.get_type().into_any(), (s.definitions.clone(), s.declared_kinds.clone()))
    }

    /// Feature names, in the order `CustomerHistory.features` returns them.
    #[getter]
    fn names(&self) -> Vec<String> {
        self.0.names().to_vec()
    }

    /// The aggregates over the events that give what `spark_sql` needs to know of them, as
    /// JSON (a list of {name, expression}; empty when no feature sums). Raises when a feature
    /// is not written as Spark SQL.
    fn spark_sql_ranges(&self) -> PyResult<String> {
        Ok(serde_json::to_string(&self.0.spark_sql_ranges().py()?).expect("plain data serialises"))
    }

    /// The features as of `as_of` (epoch seconds) as Spark SQL steps, given the row of the
    /// `spark_sql_ranges` aggregates as JSON: a JSON object with `events` (a projection),
    /// `aggregates` (grouped by customer) and `steps` (projections), each column a
    /// {name, expression}.
    fn spark_sql(&self, as_of: i64, ranges: &str) -> PyResult<String> {
        let ranges: core::EventRanges = serde_json::from_str(ranges)
            .map_err(|e| to_py(nps_core::NpsError::invalid("ranges", e, "the row of spark_sql_ranges as JSON")))?;
        let sql = self.0.spark_sql(as_of, &ranges).py()?;
        Ok(serde_json::to_string(&sql).expect("plain data serialises"))
    }

    fn __repr__(&self) -> String {
        format!("FeatureEngine({} features)", self.0.names().len())
    }
}

/// One customer's events, added one at a time, with features equal to the batch
/// computation over the same events (in any arrival order: an event older than the latest
/// is taken in its place in time). The state a ticketing service keeps per customer.
#[pyclass(module = "nps.features", name = "CustomerHistory")]
pub struct PyCustomerHistory(pub(crate) core::CustomerHistory);

#[pymethods]
impl PyCustomerHistory {
    #[new]
    #[pyo3(signature = (declared_kinds=Vec::new()))]
    fn new(declared_kinds: Vec<String>) -> Self {
        let declared: Vec<&str> = declared_kinds.iter().map(String::as_str).collect();
        PyCustomerHistory(core::CustomerHistory::new(&declared))
    }

    /// Adds one event: `time` in epoch seconds or a datetime; errors (`nps.NpsError`) name
    /// the field and value (unknown kind, negative duration, non-finite value, a survey
    /// answer that is not a whole number on 0-10).
    #[pyo3(signature = (time, kind, value=None, duration=None, department=None, case=None, flag=None))]
    #[allow(clippy::too_many_arguments)]
    fn push(
        &mut self,
        time: &Bound<'_, PyAny>,
        kind: &str,
        value: Option<f64>,
        duration: Option<f64>,
        department: Option<&str>,
        case: Option<&Bound<'_, PyAny>>,
        flag: Option<bool>,
    ) -> PyResult<()> {
        let event = history_event(time, kind, value, duration, department, case, flag, self.0.len())?;
        self.0.push(&event.as_event()).py()
    }

    /// The features as of `as_of` (epoch seconds or a datetime), in `engine.names` order: a
    /// float array (NaN where a feature is undefined).
    fn features<'py>(
        &self,
        py: Python<'py>,
        engine: &PyFeatureEngine,
        as_of: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let as_of = crate::convert::epoch_seconds(as_of, "as_of")?;
        Ok(self.0.features(&engine.0, as_of).py()?.into_pyarray(py))
    }

    /// The time (epoch seconds) of the latest event, None when empty.
    #[getter]
    fn last_time(&self) -> Option<i64> {
        self.0.last_time()
    }

    /// The event kinds the history accepts.
    #[getter]
    fn kinds(&self) -> Vec<String> {
        self.0.kinds().to_vec()
    }

    fn __len__(&self) -> usize {
        self.0.len()
    }

    /// Removes the events added after the history held `length` of them (the latest added),
    /// so that it is as it was then; a `length` at or above `len(history)` changes nothing.
    fn truncate(&mut self, length: usize) {
        self.0.truncate(length);
    }

    /// The history as JSON (the declared kinds and every event, in the order added), to
    /// keep a customer's state across restarts; `CustomerHistory.from_json` reads it back.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// A history written by `to_json`; every event is checked again as it is added, so a
    /// damaged file raises `nps.NpsError` naming the event.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyCustomerHistory(core::CustomerHistory::from_json(text).py()?))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((slf.get_type().getattr("from_json")?, (slf.borrow().0.to_json(),)))
    }

    fn __repr__(&self) -> String {
        format!("CustomerHistory({} events)", self.0.len())
    }
}

/// An event with owned strings, as Python passes it.
pub(crate) struct OwnedEvent {
    time: i64,
    kind: String,
    value: Option<f64>,
    duration: Option<f64>,
    department: Option<String>,
    case: Option<String>,
    flag: Option<bool>,
}

impl OwnedEvent {
    pub(crate) fn time(&self) -> i64 {
        self.time
    }

    pub(crate) fn as_event(&self) -> core::Event<'_> {
        core::Event {
            time: self.time,
            kind: &self.kind,
            value: self.value,
            duration: self.duration,
            department: self.department.as_deref(),
            case: self.case.as_deref(),
            flag: self.flag,
        }
    }
}

/// Converts one event's arguments (a NaN value or duration is none; a case id may be any
/// int or str).
#[allow(clippy::too_many_arguments)]
pub(crate) fn history_event(
    time: &Bound<'_, PyAny>,
    kind: &str,
    value: Option<f64>,
    duration: Option<f64>,
    department: Option<&str>,
    case: Option<&Bound<'_, PyAny>>,
    flag: Option<bool>,
    index: usize,
) -> PyResult<OwnedEvent> {
    let case = match case {
        None => None,
        Some(c) if c.is_none() => None,
        Some(c) => Some(c.str()?.to_string()),
    };
    Ok(OwnedEvent {
        time: crate::convert::epoch_seconds(time, &format!("time (event {index})"))?,
        kind: kind.to_string(),
        value: value.filter(|v| !v.is_nan()),
        duration: duration.filter(|v| !v.is_nan()),
        department: department.map(str::to_string),
        case,
        flag,
    })
}

/// Registers the history classes (called from `lib.rs`).
pub(crate) fn register_history(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFeatureEngine>()?;
    m.add_class::<PyCustomerHistory>()?;
    Ok(())
}
