//! Python class for `nps_core::action`: `nps.ActionCatalog`.
use nps_core::action::{self as core, Factor, FieldValue, Outcome, OutcomeKind};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::error::{error, IntoPy};

pub(crate) fn field_value(v: &Bound<'_, PyAny>, name: &str) -> PyResult<FieldValue> {
    if v.is_none() {
        return Ok(FieldValue::Missing);
    }
    if let Ok(b) = v.cast::<pyo3::types::PyBool>() {
        return Ok(FieldValue::Bool(b.is_true()));
    }
    if let Ok(x) = v.extract::<f64>() {
        return Ok(if x.is_nan() { FieldValue::Missing } else { FieldValue::Number(x) });
    }
    if let Ok(s) = v.extract::<String>() {
        return Ok(FieldValue::Text(s));
    }
    Err(error("INVALID_PARAMETER", format!("customer field {name:?} must be a number, a string, a bool or None")))
}

pub(crate) fn outcome_kind(s: &str) -> PyResult<OutcomeKind> {
    Ok(match s {
        "presented" => OutcomeKind::Presented,
        "accepted" => OutcomeKind::Accepted,
        "rejected" => OutcomeKind::Rejected,
        "ignored" => OutcomeKind::Ignored,
        other => {
            return Err(error(
                "UNKNOWN_VALUE",
                format!("outcome kind {other:?} is not one of: presented, accepted, rejected, ignored"),
            ))
        }
    })
}

/// Learning which actions work: a Beta-Bernoulli model per action and segment, sampled by
/// Thompson sampling (see docs/actions.md). Plain data: save it with `to_json`.
#[pyclass(module = "nps", name = "Learner")]
pub struct PyLearner(core::Learner);

#[pymethods]
impl PyLearner {
    #[new]
    #[pyo3(signature = (prior=(1.0, 1.0), exploration=0.05, ramp_up=5))]
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

/// A next-best-action catalogue (rules, levers, contact policies), checked when loaded.
#[pyclass(module = "nps", name = "ActionCatalog", frozen)]
pub struct PyActionCatalog(pub(crate) core::Catalog);

#[pymethods]
impl PyActionCatalog {
    /// Loads a catalogue from JSON; errors name the JSON path.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyActionCatalog(core::Catalog::from_json(text).py()?))
    }

    /// The shipped telco retention playbook.
    #[staticmethod]
    fn playbook() -> Self {
        PyActionCatalog(core::playbook())
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

    /// Ranks the actions for one customer: `customer` maps field names to values (None =
    /// missing), `score` is the churn score 0–100, `factors` maps factor names to their
    /// log-odds contributions, `history` lists past outcomes as dicts (action, channel,
    /// group, time in epoch seconds, kind), `now` is epoch seconds. Returns a dict with
    /// `actions` (the top ones, best first) and `trace` (every action: status, detail).
    ///
    /// With a `learner`, each action's propensity is a Thompson draw for `segment` from a
    /// random source seeded with `seed`.
    #[pyo3(signature = (customer, score, factors=None, history=None, now=0, top=3, learner=None, segment="", seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn decide<'py>(
        &self,
        py: Python<'py>,
        customer: &Bound<'py, PyDict>,
        score: f64,
        factors: Option<&Bound<'py, PyDict>>,
        history: Option<&Bound<'py, PyList>>,
        now: i64,
        top: usize,
        learner: Option<PyRef<'py, PyLearner>>,
        segment: &str,
        seed: u64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let fields: Vec<(String, FieldValue)> = customer
            .iter()
            .map(|(k, v)| {
                let name: String = k.extract()?;
                let value = field_value(&v, &name)?;
                Ok((name, value))
            })
            .collect::<PyResult<_>>()?;
        let named: Vec<(&str, FieldValue)> = fields.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
        let record = self.0.customer(&named).py()?;
        let factors: Vec<Factor> = match factors {
            None => Vec::new(),
            Some(d) => d
                .iter()
                .map(|(k, v)| Ok(Factor { name: k.extract()?, contribution: v.extract()? }))
                .collect::<PyResult<_>>()?,
        };
        let history: Vec<Outcome> = match history {
            None => Vec::new(),
            Some(list) => list
                .iter()
                .map(|o| {
                    let get = |k: &str| -> PyResult<Bound<'py, PyAny>> {
                        o.get_item(k).map_err(|_| error("INVALID_PARAMETER", format!("history entry has no {k:?}")))
                    };
                    Ok(Outcome {
                        action: get("action")?.extract()?,
                        channel: get("channel")?.extract()?,
                        group: get("group")?.extract()?,
                        time: get("time")?.extract()?,
                        kind: outcome_kind(&get("kind")?.extract::<String>()?)?,
                    })
                })
                .collect::<PyResult<_>>()?,
        };
        let d = match learner {
            None => {
                let options = core::DecideOptions { top_n: top, ..Default::default() };
                self.0.decide(&record, score, &factors, &history, now, &options)
            }
            Some(l) => {
                let mut rng = nps_core::synth::Rng::new(seed);
                self.0.decide_learning(&record, score, &factors, &history, now, top, &l.0, segment, &mut rng)
            }
        }
        .py()?;
        let out = PyDict::new(py);
        let actions = PyList::empty(py);
        for (rank, a) in d.actions.iter().enumerate() {
            let x = PyDict::new(py);
            x.set_item("rank", rank + 1)?;
            x.set_item("id", &*a.id)?;
            x.set_item("label", &*a.label)?;
            x.set_item("channel", &*a.channel)?;
            x.set_item("priority", a.priority)?;
            x.set_item("value", a.value)?;
            actions.append(x)?;
        }
        let trace = PyList::empty(py);
        for t in &d.trace {
            let x = PyDict::new(py);
            x.set_item("id", &*t.id)?;
            x.set_item("status", t.verdict.status())?;
            x.set_item("detail", t.verdict.detail())?;
            x.set_item("priority", t.verdict.priority())?;
            trace.append(x)?;
        }
        out.set_item("actions", actions)?;
        out.set_item("trace", trace)?;
        Ok(out)
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyActionCatalog>()?;
    m.add_class::<PyLearner>()?;
    Ok(())
}
