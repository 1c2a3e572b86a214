//! Python classes and functions for `nps_core::action`: `nps.ActionCatalog`, `nps.Learner`
//! and, in `nps.action`, the control group, off-policy evaluation and uplift.
use std::sync::{Mutex, MutexGuard, TryLockError};

use std::collections::HashMap;

use nps_core::action::{self as core, Factor, FieldValue, Outcome, OutcomeKind};
use numpy::{PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::{error, IntoPy};

/// Past outcomes given as a list of dicts named `name` in errors (`history[2] has no "kind"`).
pub(crate) fn outcome_list<'py>(list: Option<&Bound<'py, PyList>>, name: &str) -> PyResult<Vec<Outcome>> {
    let Some(list) = list else { return Ok(Vec::new()) };
    list.iter()
        .enumerate()
        .map(|(i, o)| {
            let get = |k: &str| -> PyResult<Bound<'py, PyAny>> {
                o.get_item(k).map_err(|_| error("INVALID_PARAMETER", format!("{name}[{i}] has no {k:?}")))
            };
            Ok(Outcome {
                action: get("action")?.extract()?,
                channel: get("channel")?.extract()?,
                group: get("group")?.extract()?,
                time: crate::convert::epoch_seconds(&get("time")?, &format!("{name}[{i}].time"))?,
                kind: OutcomeKind::named(&get("kind")?.extract::<String>()?, &format!("{name}[{i}].kind")).py()?,
            })
        })
        .collect()
}

/// `now` in epoch seconds (any time `nps.survey._epoch_second` reads); None stays None.
fn seconds(now: Option<&Bound<'_, PyAny>>) -> PyResult<Option<i64>> {
    now.filter(|t| !t.is_none()).map(|t| crate::convert::epoch_seconds(t, "now")).transpose()
}

/// The ranked actions as dicts (rank 1 = best, id, label, channel, priority, value).
pub(crate) fn ranked_actions<'py>(py: Python<'py>, actions: &[core::RankedAction]) -> PyResult<Bound<'py, PyList>> {
    let list = PyList::empty(py);
    for (rank, a) in actions.iter().enumerate() {
        let x = PyDict::new(py);
        x.set_item("rank", rank + 1)?;
        x.set_item("id", &*a.id)?;
        x.set_item("label", &*a.label)?;
        x.set_item("channel", &*a.channel)?;
        x.set_item("priority", a.priority)?;
        x.set_item("value", a.value)?;
        list.append(x)?;
    }
    Ok(list)
}

/// One action's fate as a dict: id, status, detail (for a failed condition: its path, the
/// condition and the values it read), priority, condition and seen (None and "" unless a
/// condition removed the action).
pub(crate) fn trace_entry<'py>(py: Python<'py>, entry: &core::TraceEntry) -> PyResult<Bound<'py, PyDict>> {
    let x = PyDict::new(py);
    x.set_item("id", &*entry.id)?;
    x.set_item("status", entry.verdict.status())?;
    x.set_item("detail", entry.detail())?;
    x.set_item("priority", entry.verdict.priority())?;
    x.set_item("condition", entry.condition.as_deref())?;
    x.set_item("seen", &entry.seen)?;
    Ok(x)
}

fn log_entry<'py>(py: Python<'py>, e: &core::DecisionLogEntry) -> PyResult<Bound<'py, PyDict>> {
    let x = PyDict::new(py);
    x.set_item("customer", &e.customer)?;
    x.set_item("action", &e.action)?;
    x.set_item("propensity", e.propensity)?;
    x.set_item("segment", &e.segment)?;
    x.set_item("control", e.control)?;
    x.set_item("time", e.time)?;
    x.set_item("reward", e.reward)?;
    Ok(x)
}

/// Learning which actions work: a Beta-Bernoulli model per action and segment, sampled by
/// Thompson sampling (see docs/actions.md). Plain data: save it with `to_json`.
#[pyclass(module = "nps", name = "Learner")]
pub struct PyLearner(pub(crate) core::Learner);

#[pymethods]
impl PyLearner {
    #[new]
    #[pyo3(signature = (prior=(core::DEFAULT_PRIOR[0], core::DEFAULT_PRIOR[1]), exploration=core::DEFAULT_EXPLORATION, ramp_up=core::DEFAULT_RAMP_UP))]
    fn new(prior: (f64, f64), exploration: f64, ramp_up: u32) -> PyResult<Self> {
        Ok(PyLearner(core::Learner::new([prior.0, prior.1], exploration, ramp_up).py()?))
    }

    /// Records one outcome (accepted or retained: True).
    fn record(&mut self, action: &str, segment: &str, success: bool) {
        self.0.record(action, segment, success);
    }

    /// The posterior mean success rate.
    fn mean(&self, action: &str, segment: &str) -> f64 {
        self.0.mean(action, segment)
    }

    /// The credible interval (low, high) of the success rate at `level`.
    #[pyo3(signature = (action, segment, level = 0.95))]
    fn interval(&self, action: &str, segment: &str, level: f64) -> PyResult<(f64, f64)> {
        let b = self.0.interval(action, segment, level).py()?;
        Ok((b.low, b.high))
    }

    /// (successes, failures) recorded.
    fn counts(&self, action: &str, segment: &str) -> (f64, f64) {
        let [s, f] = self.0.counts(action, segment);
        (s, f)
    }

    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("plain data")
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(PyLearner)
            .map_err(|e| error("INVALID_PARAMETER", format!("learner must be a learner's JSON ({e})")))
    }
}

/// A next-best-action catalogue (rules, levers, contact policies), checked when loaded;
/// pickles as its JSON.
#[pyclass(module = "nps", name = "ActionCatalog", frozen)]
pub struct PyActionCatalog(pub(crate) core::Catalog, Mutex<core::Decider>);

/// The catalogue's decider, or `spare` while another thread decides with it. Never waits:
/// building the result's Python objects can run other Python code, so a thread waiting
/// here with the GIL could stall the one that holds the decider.
fn own_decider<'a>(shared: &'a Mutex<core::Decider>, spare: &'a mut core::Decider) -> DeciderGuard<'a> {
    match shared.try_lock() {
        Ok(guard) => DeciderGuard::Shared(guard),
        Err(TryLockError::Poisoned(e)) => DeciderGuard::Shared(e.into_inner()),
        Err(TryLockError::WouldBlock) => DeciderGuard::Spare(spare),
    }
}

/// What [`own_decider`] lends.
enum DeciderGuard<'a> {
    Shared(MutexGuard<'a, core::Decider>),
    Spare(&'a mut core::Decider),
}

impl std::ops::Deref for DeciderGuard<'_> {
    type Target = core::Decider;
    fn deref(&self) -> &core::Decider {
        match self {
            DeciderGuard::Shared(g) => g,
            DeciderGuard::Spare(d) => d,
        }
    }
}

impl std::ops::DerefMut for DeciderGuard<'_> {
    fn deref_mut(&mut self) -> &mut core::Decider {
        match self {
            DeciderGuard::Shared(g) => g,
            DeciderGuard::Spare(d) => d,
        }
    }
}

fn catalog(c: core::Catalog) -> PyActionCatalog {
    PyActionCatalog(c, Mutex::default())
}

#[pymethods]
impl PyActionCatalog {
    /// Loads a catalogue from JSON; errors name the JSON path.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(catalog(core::Catalog::from_json(text).py()?))
    }

    /// The shipped telco retention playbook.
    #[staticmethod]
    fn playbook() -> Self {
        catalog(core::playbook())
    }

    /// Reads a catalogue file (JSON, as `from_json` reads it; errors name the JSON path), as
    /// `ChurnModel.load` reads a model file. `path`: a str or a `pathlib.Path`.
    #[staticmethod]
    fn load(path: std::path::PathBuf) -> PyResult<Self> {
        let text = std::fs::read_to_string(&path)?;
        core::Catalog::from_json(&text)
            .map(catalog)
            .map_err(|e| crate::error::to_py(e.within(&format!("catalogue file {}", path.display()))))
    }

    /// The catalogue as JSON text, as `from_json` reads it.
    fn to_json(&self) -> String {
        serde_json::to_string(&self.0).expect("plain data")
    }

    /// Pickles as the catalogue's JSON (loaded again when unpickled).
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (String,))> {
        Ok((slf.get_type().getattr("from_json")?, (slf.get().to_json(),)))
    }

    /// The customer fields the rules read, with their types.
    #[getter]
    fn fields(&self) -> Vec<(String, &'static str)> {
        self.0.fields().iter().map(|(n, t)| (n.clone(), t.name())).collect()
    }

    /// The factors the rules may refer to.
    #[getter]
    fn factors(&self) -> Vec<String> {
        self.0.factors().to_vec()
    }

    /// Action ids, in catalogue order.
    #[getter]
    fn actions(&self) -> Vec<String> {
        self.0.actions().iter().map(|a| a.id.to_string()).collect()
    }

    /// Campaign segments: customers grouped by score band and top factor, with size, mean
    /// score and the action the rules pick first most often (`actions[i]` None when none).
    /// A list of dicts, largest segment first.
    fn campaign_segments<'py>(
        &self,
        py: Python<'py>,
        scores: &Bound<'py, PyAny>,
        top_factors: Vec<String>,
        actions: Vec<Option<String>>,
    ) -> PyResult<Bound<'py, PyList>> {
        let scores = crate::convert::floats(scores, "scores")?;
        let factors: Vec<&str> = top_factors.iter().map(String::as_str).collect();
        let actions: Vec<Option<&str>> = actions.iter().map(|a| a.as_deref()).collect();
        let segments = self.0.campaign_segments(&scores, &factors, &actions).py()?;
        let out = PyList::empty(py);
        for g in segments {
            let d = PyDict::new(py);
            d.set_item("band", g.band)?;
            d.set_item("top_factor", g.top_factor)?;
            d.set_item("customers", g.customers)?;
            d.set_item("mean_score", g.mean_score)?;
            d.set_item("action", g.action)?;
            d.set_item("action_share", g.action_share)?;
            out.append(d)?;
        }
        Ok(out)
    }

    /// Ranks the actions for one customer: `customer` maps field names to values (None or
    /// NaN = missing: a comparison on it is false), `score` is the churn score 0–100 or
    /// `probability` the churn probability 0–1 (exactly one of them; a score strictly
    /// between 0 and 1 is refused as a likely probability), `factors` maps factor names the
    /// catalogue declares to their log-odds contributions (an unknown name is an error
    /// listing the declared ones), `history` lists past outcomes as dicts (action, channel,
    /// group, time, kind), `now` is the time of the decision. Times are epoch seconds, a
    /// datetime, a numpy datetime64, a pandas Timestamp or an ISO 8601 string. `now` is
    /// required with a history (the contact policies count the outcomes within a window
    /// before it) and with a `customer_id` (the log entry records it); otherwise nothing reads
    /// it. Returns a `Decision` (a dict) with `actions` (the top ones, best first) and `trace`
    /// (every action: status, detail).
    ///
    /// With a `learner`, each action's propensity is a Thompson draw for `segment` from a
    /// random source seeded with `seed`. With a `customer_id`, the decision is logged: the
    /// result's `log` holds the entry (customer, action, propensity, segment, control, time,
    /// reward None), the propensity estimated from `draws` Monte Carlo rounds when learning;
    /// a customer in the control group (`control_share` of customers, by a hash of the id
    /// and `control_salt`) gets no action.
    ///
    /// With `ignore_extra=True`, customer fields and factors the catalogue does not declare
    /// are left out instead of being errors (say, a whole row of model inputs and its full
    /// explanation): the top factors are then ranked among the declared ones.
    ///
    /// `mapping` renames model inputs to the catalogue's names (`{"tenure": "tenure_months"}`),
    /// in the customer's fields and in the factors alike.
    ///
    /// `uplift` ranks by uplift × value instead of value: a dict of action id → the
    /// customer's predicted uplift for that action (the gain in retention probability,
    /// -1..1, as an `nps.uplift` model predicts it), one for every action of the catalogue.
    /// An action's priority is multiplied by its uplift; an action whose uplift is not
    /// positive is removed (status `no_uplift`). Not with a `learner`.
    ///
    /// Over a pandas DataFrame (one row per customer): see `nps.action.decide_frame`, which
    /// this calls (`score`/`probability` a column name or one value per row, `factors` a
    /// frame of contributions, `uplift` a frame of uplifts, one column per action); it
    /// returns a DataFrame of the ranked actions.
    #[pyo3(signature = (customer, score=None, factors=None, history=None, now=None, top=core::DEFAULT_TOP, learner=None, segment="",
                        seed=core::DEFAULT_SEED, customer_id=None, control_share=0.0, control_salt="", draws=core::PROPENSITY_DRAWS,
                        probability=None, ignore_extra=false, mapping=None, uplift=None))]
    #[allow(clippy::too_many_arguments)]
    fn decide<'py>(
        slf: &Bound<'py, Self>,
        py: Python<'py>,
        customer: &Bound<'py, PyAny>,
        score: Option<&Bound<'py, PyAny>>,
        factors: Option<&Bound<'py, PyAny>>,
        history: Option<&Bound<'py, PyList>>,
        now: Option<&Bound<'py, PyAny>>,
        top: usize,
        learner: Option<PyRef<'py, PyLearner>>,
        segment: &str,
        seed: u64,
        customer_id: Option<&str>,
        control_share: f64,
        control_salt: &str,
        draws: usize,
        probability: Option<&Bound<'py, PyAny>>,
        ignore_extra: bool,
        mapping: Option<HashMap<String, String>>,
        uplift: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let uplift = uplift.filter(|u| !u.is_none());
        let Ok(customer) = customer.cast::<PyDict>() else {
            // A table of customers: the batch path, in Python (pandas in, pandas out).
            let per_customer = [
                ("history", history.is_some()),
                ("learner", learner.is_some()),
                ("customer_id", customer_id.is_some()),
                ("now", now.is_some_and(|t| !t.is_none())),
            ];
            if let Some((name, _)) = per_customer.iter().find(|(_, given)| *given) {
                return Err(error(
                    "INVALID_PARAMETER",
                    format!("{name} is for one customer (a dict); a table of customers is decided without contact histories, learning or a log"),
                ));
            }
            let kwargs = PyDict::new(py);
            kwargs.set_item("score", score)?;
            kwargs.set_item("probability", probability)?;
            kwargs.set_item("factors", factors)?;
            kwargs.set_item("top", top)?;
            kwargs.set_item("ignore_extra", ignore_extra)?;
            kwargs.set_item("mapping", mapping)?;
            kwargs.set_item("uplift", uplift)?;
            return py.import("nps.action")?.getattr("decide_frame")?.call((slf, customer), Some(&kwargs));
        };
        let this = slf.get();
        let number = |v: Option<&Bound<'py, PyAny>>, name: &str| -> PyResult<Option<f64>> {
            v.filter(|v| !v.is_none())
                .map(|v| {
                    v.extract::<f64>().map_err(|_| {
                        error("INVALID_PARAMETER", format!("{name} must be a number for one customer, got {}", show(v)))
                    })
                })
                .transpose()
        };
        let factors: Vec<Factor> = match factors {
            None => Vec::new(),
            Some(d) if d.is_none() => Vec::new(),
            Some(d) => d
                .cast::<PyDict>()
                .map_err(|_| {
                    error(
                        "INVALID_PARAMETER",
                        format!(
                            "factors must be a dict of factor name -> contribution for one customer, got {}",
                            show(d)
                        ),
                    )
                })?
                .iter()
                .map(|(k, v)| -> PyResult<Factor> {
                    let name: String = k.extract()?;
                    let contribution = v.extract().map_err(|_| {
                        error(
                            "INVALID_PARAMETER",
                            format!("factors[{name:?}] must be a number (a log-odds contribution), got {}", show(&v)),
                        )
                    })?;
                    Ok(Factor { name, contribution })
                })
                .collect::<PyResult<_>>()?,
        };
        let request = core::DecideRequest {
            score: number(score, "score")?,
            probability: number(probability, "probability")?,
            factors,
            history: outcome_list(history, "history")?,
            now: seconds(now)?,
            top,
            segment: segment.to_string(),
            seed,
            customer_id: customer_id.map(str::to_string),
            control_share,
            control_salt: control_salt.to_string(),
            draws,
            ignore_extra,
            mapping: mapping.unwrap_or_default(),
            uplift: match uplift {
                None => HashMap::new(),
                Some(u) => u.extract().map_err(|_| {
                    error(
                        "INVALID_PARAMETER",
                        format!(
                            "uplift must be a dict of action id -> predicted uplift for one customer, got {}",
                            show(u)
                        ),
                    )
                })?,
            },
        };
        let fields = fields(customer)?;
        let fields: Vec<(&str, FieldValue)> = fields.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        let mut spare = core::Decider::default();
        let mut decider = own_decider(&this.1, &mut spare);
        let log = decider.decide_request(&this.0, &fields, &request, learner.as_ref().map(|l| &l.0)).py()?;
        let d = decider.decision();
        let dict = PyDict::new(py);
        let actions = ranked_actions(py, &d.actions)?;
        let trace = PyList::empty(py);
        for t in &d.trace {
            trace.append(trace_entry(py, t)?)?;
        }
        dict.set_item("actions", actions)?;
        dict.set_item("trace", trace)?;
        if let Some(e) = log {
            dict.set_item("log", log_entry(py, &e)?)?;
        }
        drop(decider);
        // `nps.action.Decision`: the same dict, shown as a table in Jupyter.
        py.import("nps.action")?.getattr("Decision")?.call1((dict,))
    }

    /// The batch decision `decide_frame` calls: `values` one numeric record per row
    /// (`encode`'s layout), the churn `score` (0–100) or `probability` (0–1) of each row,
    /// `contributions` one row per customer in `factors` order (or None), `rows` the row
    /// labels for errors. Returns (catalogue indices, priorities), `top` per row (-1 and NaN
    /// where fewer actions passed).
    /// `uplift` (or None) holds one row per customer of predicted uplifts in `actions` order.
    #[pyo3(signature = (values, rows, score=None, probability=None, contributions=None, top=core::DEFAULT_TOP, uplift=None))]
    #[allow(clippy::too_many_arguments, clippy::type_complexity)]
    fn _decide_rows<'py>(
        &self,
        py: Python<'py>,
        values: PyReadonlyArray2<'py, f64>,
        rows: Vec<String>,
        score: Option<PyReadonlyArray1<'py, f64>>,
        probability: Option<PyReadonlyArray1<'py, f64>>,
        contributions: Option<PyReadonlyArray2<'py, f64>>,
        top: usize,
        uplift: Option<PyReadonlyArray2<'py, f64>>,
    ) -> PyResult<(Bound<'py, PyArray2<i64>>, Bound<'py, PyArray2<f64>>)> {
        let n = rows.len();
        let name = |i: usize| format!("row {:?}", rows[i]);
        let per_row = |a: &Option<PyReadonlyArray1<'py, f64>>, what: &str| -> PyResult<Option<Vec<f64>>> {
            let Some(a) = a else { return Ok(None) };
            let v = a.as_slice()?.to_vec();
            if v.len() != n {
                return Err(crate::error::to_py(nps_core::NpsError::LengthMismatch {
                    field: what.into(),
                    actual: v.len(),
                    other: "the rows".into(),
                    expected: n,
                }));
            }
            Ok(Some(v))
        };
        let (given_scores, given_probabilities) = (per_row(&score, "score")?, per_row(&probability, "probability")?);
        let scores = (0..n)
            .map(|i| {
                let s = given_scores.as_ref().map(|v| v[i]);
                let p = given_probabilities.as_ref().map(|v| v[i]);
                core::churn_score(s, p).map_err(|e| e.within(&name(i)))
            })
            .collect::<nps_core::Result<Vec<f64>>>()
            .py()?;
        let values = values.as_array().as_standard_layout().into_owned();
        let contributions = contributions.map(|c| c.as_array().as_standard_layout().into_owned());
        let (values, contributions) = (values.as_slice().expect("standard layout"), contributions.as_ref());
        let contributions = contributions.map_or(&[][..], |c| c.as_slice().expect("standard layout"));
        let uplift = uplift.map(|u| u.as_array().as_standard_layout().into_owned());
        let uplift = uplift.as_ref().map_or(&[][..], |u| u.as_slice().expect("standard layout"));
        let catalog = &self.0;
        let ranked = py.detach(|| catalog.decide_rows(values, &scores, contributions, uplift, top, &name)).py()?;
        let mut index = numpy::ndarray::Array2::<i64>::from_elem((n, top), -1);
        let mut priority = numpy::ndarray::Array2::<f64>::from_elem((n, top), f64::NAN);
        for (i, r) in ranked.iter().enumerate() {
            for (j, c) in r.iter().enumerate() {
                index[[i, j]] = c.index as i64;
                priority[[i, j]] = c.priority;
            }
        }
        Ok((PyArray2::from_owned_array(py, index), PyArray2::from_owned_array(py, priority)))
    }

    /// The code of a string value of `field` in the numeric record of `decide_values` (any
    /// string no rule mentions has the same code).
    fn text_code(&self, field: &str, text: &str) -> PyResult<f64> {
        Ok(self.0.text_code(self.slot(field)?, text))
    }

    /// A customer (field name → value, None = missing) as the numeric record
    /// `decide_values` reads, a float64 array in `fields` order: numbers as they are, bools
    /// 0/1, strings as their `text_code`, NaN missing.
    fn encode<'py>(&self, py: Python<'py>, customer: &Bound<'py, PyDict>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let record = self.record(customer)?;
        let mut values = Vec::new();
        self.0.encode(&record, &mut values).py()?;
        Ok(PyArray1::from_vec(py, values))
    }

    /// The fast path of `decide`: the customer as a numeric record (`encode`), factor
    /// contributions as an array in `factors` order (NaN: not given), the actions returned as
    /// catalogue indices (ids: `catalog.actions[i]`) with their priorities, and the trace only
    /// with `trace=True`. Same decision as `decide` (`now` required with a history; `score`
    /// or `probability` as there). Returns a dict {"actions": [int], "priorities": [float]}
    /// (+ "trace").
    #[pyo3(signature = (values, score=None, contributions=None, history=None, now=None, top=core::DEFAULT_TOP, trace=false, learner=None,
                        segment="", seed=core::DEFAULT_SEED, probability=None))]
    #[allow(clippy::too_many_arguments)]
    fn decide_values<'py>(
        &self,
        py: Python<'py>,
        values: &Bound<'py, PyAny>,
        score: Option<f64>,
        contributions: Option<&Bound<'py, PyAny>>,
        history: Option<&Bound<'py, PyList>>,
        now: Option<&Bound<'py, PyAny>>,
        top: usize,
        trace: bool,
        learner: Option<PyRef<'py, PyLearner>>,
        segment: &str,
        seed: u64,
        probability: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let values = crate::convert::floats(values, "values")?;
        let contributions = match contributions {
            None => Vec::new(),
            Some(c) => crate::convert::floats(c, "contributions")?,
        };
        let request = core::ValuesRequest {
            score,
            probability,
            history: outcome_list(history, "history")?,
            now: seconds(now)?,
            top,
            trace,
            segment: segment.to_string(),
            seed,
        };
        let mut spare = core::Decider::default();
        let mut decider = own_decider(&self.1, &mut spare);
        decider.decide_values(&self.0, &values, &contributions, &request, learner.as_ref().map(|l| &l.0)).py()?;
        let ranked = decider.ranked();
        let out = PyDict::new(py);
        out.set_item("actions", ranked.iter().map(|c| c.index).collect::<Vec<_>>())?;
        out.set_item("priorities", ranked.iter().map(|c| c.priority).collect::<Vec<_>>())?;
        if trace {
            let list = PyList::empty(py);
            for e in decider.trace() {
                list.append(trace_entry(py, e)?)?;
            }
            out.set_item("trace", list)?;
        }
        Ok(out)
    }
}

/// A customer's fields by name as the core reads them (None or NaN = missing).
fn fields(customer: &Bound<'_, PyDict>) -> PyResult<Vec<(String, FieldValue)>> {
    customer
        .iter()
        .map(|(k, v)| {
            let name: String = k.extract()?;
            let value = crate::convert::field_value(&v, &name)?;
            Ok((name, value))
        })
        .collect()
}

/// A Python value as a message shows it (its repr, cut short).
fn show(v: &Bound<'_, PyAny>) -> String {
    let r = v.repr().map(|r| r.to_string()).unwrap_or_else(|_| "?".into());
    if r.chars().count() > 60 {
        format!("{}…", r.chars().take(57).collect::<String>())
    } else {
        r
    }
}

impl PyActionCatalog {
    /// A customer record from a dict of fields by name.
    fn record(&self, customer: &Bound<'_, PyDict>) -> PyResult<core::Customer> {
        let fields = fields(customer)?;
        let named: Vec<(&str, FieldValue)> = fields.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        self.0.customer(&named).py()
    }

    /// The slot of a field, or an error listing the fields.
    fn slot(&self, field: &str) -> PyResult<usize> {
        self.0.field_index(field).ok_or_else(|| {
            let known: Vec<&str> = self.0.fields().iter().map(|(n, _)| n.as_str()).collect();
            crate::error::to_py(nps_core::NpsError::unknown("field", field, &known))
        })
    }
}

/// Whether a customer is in the control group (which gets no action): a stable hash of
/// `salt` and the id, the same in every session and language; `share` of customers are in.
#[pyfunction]
#[pyo3(signature = (customer_id, share, salt=""))]
fn in_control_group(customer_id: &str, share: f64, salt: &str) -> PyResult<bool> {
    core::in_control_group(customer_id, share, salt).py()
}

/// Off-policy estimates of the mean reward a new policy would have earned on a decision
/// log: `log` is a list of logged decisions (dicts with `action` (None: no action),
/// `propensity` in (0, 1] and `reward`, as `decide(customer_id=...)` logs them once the
/// reward is known), `target[i]` the new policy's action for decision i (None: no action),
/// `q_target`/`q_logged` a reward model's predictions for the target's and the logged
/// action (for the doubly robust estimate). Returns {"n", "matches", "ips", "snips",
/// "doubly_robust"}.
#[pyfunction]
fn off_policy<'py>(
    py: Python<'py>,
    log: &Bound<'py, PyList>,
    target: Vec<Option<String>>,
    q_target: &Bound<'py, PyAny>,
    q_logged: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyDict>> {
    let entries = log
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let get = |k: &str| -> PyResult<Bound<'py, PyAny>> {
                d.get_item(k).map_err(|_| error("INVALID_PARAMETER", format!("log[{i}] has no {k:?}")))
            };
            let optional = |k: &str| d.get_item(k).ok();
            Ok(core::DecisionLogEntry {
                customer: optional("customer").map(|v| v.extract()).transpose()?.unwrap_or_default(),
                action: get("action")?.extract()?,
                propensity: get("propensity")?.extract()?,
                segment: optional("segment").map(|v| v.extract()).transpose()?.unwrap_or_default(),
                control: optional("control").map(|v| v.extract()).transpose()?.unwrap_or(false),
                time: optional("time").map(|v| v.extract()).transpose()?.unwrap_or(0),
                reward: get("reward")?.extract::<Option<f64>>()?,
            })
        })
        .collect::<PyResult<Vec<_>>>()?;
    let target: Vec<Option<&str>> = target.iter().map(|t| t.as_deref()).collect();
    let q_target = crate::convert::floats(q_target, "q_target")?;
    let q_logged = crate::convert::floats(q_logged, "q_logged")?;
    let e = core::off_policy(&entries, &target, &q_target, &q_logged).py()?;
    let out = PyDict::new(py);
    out.set_item("n", e.n)?;
    out.set_item("matches", e.matches)?;
    out.set_item("ips", e.ips)?;
    out.set_item("snips", e.snips)?;
    out.set_item("doubly_robust", e.doubly_robust)?;
    Ok(out)
}

/// Retention uplift of treated customers over the control group (booleans or 0/1:
/// retained), with a Wald interval at `level`. Returns {"treated_rate", "control_rate",
/// "uplift", "low", "high"}.
#[pyfunction]
#[pyo3(signature = (treated_retained, control_retained, level=0.95))]
fn uplift<'py>(
    py: Python<'py>,
    treated_retained: &Bound<'py, PyAny>,
    control_retained: &Bound<'py, PyAny>,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let t = crate::convert::booleans(treated_retained, "treated_retained")?;
    let c = crate::convert::booleans(control_retained, "control_retained")?;
    let u = core::uplift(&t, &c, level).py()?;
    let out = PyDict::new(py);
    out.set_item("treated_rate", u.treated_rate)?;
    out.set_item("control_rate", u.control_rate)?;
    out.set_item("uplift", u.uplift)?;
    out.set_item("low", u.low)?;
    out.set_item("high", u.high)?;
    Ok(out)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyActionCatalog>()?;
    m.add_class::<PyLearner>()?;
    m.add_function(wrap_pyfunction!(in_control_group, m)?)?;
    m.add_function(wrap_pyfunction!(off_policy, m)?)?;
    m.add_function(wrap_pyfunction!(uplift, m)?)?;
    m.add("PROPENSITY_DRAWS", core::PROPENSITY_DRAWS)?;
    Ok(())
}
