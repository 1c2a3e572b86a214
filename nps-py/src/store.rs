//! `nps.Store`: the durable store of `nps-store` for Python (mirrors `nps-node/src/store.rs`).
//! Rows cross as the store's JSON records (the Python layer in `nps/store.py` turns them into
//! dicts and frames); every check and every write is the store's.
use std::sync::Mutex;

use nps_store as core;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::action::PyLearner;
use crate::error::{error, IntoPy};

/// Parses one of the store's records from JSON, naming what it is on an error.
fn record<T: serde::de::DeserializeOwned>(text: &str, what: &str) -> PyResult<T> {
    serde_json::from_str(text).map_err(|e| error("INVALID_PARAMETER", format!("{what}: {e}")))
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).expect("plain data")
}

/// A store file, open (see `nps_store::Store`). One connection, used by one thread at a time.
#[pyclass(module = "nps", name = "_Store", frozen)]
pub struct PyStore(Mutex<core::Store>);

impl PyStore {
    fn with<T>(&self, f: impl FnOnce(&mut core::Store) -> nps_core::Result<T>) -> PyResult<T> {
        let mut store = self.0.lock().unwrap_or_else(|p| p.into_inner());
        f(&mut store).py()
    }
}

#[pymethods]
impl PyStore {
    #[new]
    fn new(py: Python<'_>, path: std::path::PathBuf) -> PyResult<Self> {
        Ok(PyStore(Mutex::new(py.detach(|| core::Store::open(&path)).py()?)))
    }

    #[getter]
    fn path(&self) -> PyResult<String> {
        self.with(|s| Ok(s.path().display().to_string()))
    }

    /// Writes a batch (the store's `Batch` JSON; `learner` separately) in one transaction.
    #[pyo3(signature = (batch, learner=None))]
    fn commit(&self, py: Python<'_>, batch: &str, learner: Option<PyRef<'_, PyLearner>>) -> PyResult<()> {
        let mut b: core::Batch = record(batch, "batch")?;
        b.learner = learner.map(|l| l.0.clone());
        py.detach(|| self.with(|s| s.commit(&b)))
    }

    fn append_events(&self, py: Python<'_>, events: &str) -> PyResult<()> {
        let events: Vec<core::StoredEvent> = record(events, "events")?;
        py.detach(|| self.with(|s| s.append_events(&events)))
    }

    fn record_decision(&self, py: Python<'_>, decision: &str) -> PyResult<i64> {
        let d = record(decision, "decision")?;
        py.detach(|| self.with(|s| s.record_decision(&d)))
    }

    fn set_reward(&self, py: Python<'_>, id: i64, reward: f64) -> PyResult<()> {
        py.detach(|| self.with(|s| s.set_reward(id, reward)))
    }

    fn record_outcome(&self, py: Python<'_>, outcome: &str) -> PyResult<()> {
        let o = record(outcome, "outcome")?;
        py.detach(|| self.with(|s| s.record_outcome(&o)))
    }

    fn set_fields(&self, py: Python<'_>, fields: &str) -> PyResult<()> {
        let f = record(fields, "fields")?;
        py.detach(|| self.with(|s| s.set_fields(&f)))
    }

    fn save_learner(&self, py: Python<'_>, name: &str, learner: PyRef<'_, PyLearner>) -> PyResult<()> {
        let l = learner.0.clone();
        py.detach(|| self.with(|s| s.save_learner(name, &l)))
    }

    fn load_learner(&self, name: &str) -> PyResult<Option<PyLearner>> {
        Ok(self.with(|s| s.load_learner(name))?.map(PyLearner))
    }

    /// The events (JSON list) of one customer, or of everyone.
    #[pyo3(signature = (customer=None))]
    fn events(&self, py: Python<'_>, customer: Option<&str>) -> PyResult<String> {
        py.detach(|| {
            self.with(|s| match customer {
                Some(c) => s.events(c),
                None => s.all_events(),
            })
        })
        .map(|e| json(&e))
    }

    fn customers(&self) -> PyResult<Vec<String>> {
        self.with(|s| s.customers())
    }

    /// The decisions (JSON list of [id, entry]).
    fn decisions(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.with(|s| s.decisions())).map(|d| json(&d))
    }

    fn outcomes(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.with(|s| s.outcomes())).map(|o| json(&o))
    }

    fn fields(&self) -> PyResult<String> {
        self.with(|s| s.fields()).map(|f| json(&f))
    }

    fn counts<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let counts = self.with(|s| s.counts())?;
        let d = PyDict::new(py);
        for (t, n) in core::TABLES.iter().zip(counts) {
            d.set_item(*t, n)?;
        }
        Ok(d)
    }

    /// The snapshot document (JSON).
    fn snapshot(&self, py: Python<'_>) -> PyResult<String> {
        py.detach(|| self.with(|s| s.snapshot())).map(|s| s.to_json())
    }

    /// Replaces everything by a snapshot document (checked first).
    fn restore(&self, py: Python<'_>, snapshot: &str) -> PyResult<()> {
        let snap = core::Snapshot::from_json(snapshot).py()?;
        py.detach(|| self.with(|s| s.restore(&snap)))
    }

    /// `base` with every stored outcome replayed.
    fn rebuild_learner(&self, base: PyRef<'_, PyLearner>) -> PyResult<PyLearner> {
        let outcomes = self.with(|s| s.outcomes())?;
        Ok(PyLearner(core::rebuild_learner(base.0.clone(), &outcomes)))
    }
}

/// Writes `text` to `path` atomically (temporary file, fsync, rename).
#[pyfunction]
fn _write_atomic(py: Python<'_>, path: std::path::PathBuf, text: &str) -> PyResult<()> {
    py.detach(|| core::write_atomic(&path, text.as_bytes())).py()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyStore>()?;
    m.add_function(wrap_pyfunction!(_write_atomic, m)?)?;
    m.add("STORE_TABLES", core::TABLES.to_vec())?;
    m.add("DEFAULT_LEARNER", core::DEFAULT_LEARNER)?;
    Ok(())
}
