//! Python classes and functions for `nps_core::early_warning`.
use nps_core::early_warning::{self as core};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{booleans, floats};
use crate::error::IntoPy;

fn group_dict<'py>(py: Python<'py>, g: &core::GroupChurn) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("customers", g.customers)?;
    d.set_item("churned", g.churned)?;
    d.set_item("rate", g.rate)?;
    d.set_item("low", g.low)?;
    d.set_item("high", g.high)?;
    Ok(d)
}

/// Churn by NPS category and score, with Wilson intervals, the relative risk of
/// detractors against promoters and a chi-square test of independence.
#[pyclass(module = "nps", name = "ChurnByNps", frozen)]
pub struct PyChurnByNps(core::ChurnByNps);

#[pymethods]
impl PyChurnByNps {
    /// Confidence level of the intervals.
    #[getter]
    fn level(&self) -> f64 {
        self.0.level
    }
    /// Detractors (0–6): customers, churned, rate, low, high.
    #[getter]
    fn detractors<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        group_dict(py, &self.0.detractors)
    }
    /// Passives (7–8).
    #[getter]
    fn passives<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        group_dict(py, &self.0.passives)
    }
    /// Promoters (9–10).
    #[getter]
    fn promoters<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        group_dict(py, &self.0.promoters)
    }
    /// One dict per score 0–10.
    #[getter]
    fn by_score<'py>(&self, py: Python<'py>) -> PyResult<Vec<Bound<'py, PyDict>>> {
        self.0.by_score.iter().map(|g| group_dict(py, g)).collect()
    }
    /// Detractors' churn rate over promoters'.
    #[getter]
    fn relative_risk(&self) -> f64 {
        self.0.relative_risk
    }
    /// (low, high) of the Katz log interval of the relative risk.
    #[getter]
    fn relative_risk_interval(&self) -> (f64, f64) {
        (self.0.relative_risk_low, self.0.relative_risk_high)
    }
    /// Pearson's chi-square statistic (category × churn).
    #[getter]
    fn chi_square(&self) -> f64 {
        self.0.chi_square.statistic
    }
    /// Its degrees of freedom.
    #[getter]
    fn chi_square_df(&self) -> u32 {
        self.0.chi_square.df
    }
    /// Its p-value.
    #[getter]
    fn p_value(&self) -> f64 {
        self.0.chi_square.p_value
    }
    /// The churn avoided if `share` of detractors became passives (simple arithmetic on the
    /// observed rates, not a causal estimate).
    fn reduction<'py>(&self, py: Python<'py>, share: f64) -> PyResult<Bound<'py, PyDict>> {
        let r = self.0.reduction(share).py()?;
        let d = PyDict::new(py);
        d.set_item("share", r.share)?;
        d.set_item("customers_moved", r.customers_moved)?;
        d.set_item("churners_avoided", r.churners_avoided)?;
        d.set_item("churn_rate_before", r.churn_rate_before)?;
        d.set_item("churn_rate_after", r.churn_rate_after)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let r = &self.0;
        format!(
            "ChurnByNps(detractors={:.1}%, passives={:.1}%, promoters={:.1}%, relative_risk={:.2} [{:.2}, {:.2}], p_value={:.3e})",
            100.0 * r.detractors.rate,
            100.0 * r.passives.rate,
            100.0 * r.promoters.rate,
            r.relative_risk,
            r.relative_risk_low,
            r.relative_risk_high,
            r.chi_square.p_value
        )
    }
}

/// Churn by NPS answer: `scores` on the 0–10 scale, `churned` whether each customer left
/// within the horizon.
#[pyfunction]
#[pyo3(signature = (scores, churned, level=0.95))]
fn churn_by_nps(
    py: Python<'_>,
    scores: &Bound<'_, PyAny>,
    churned: &Bound<'_, PyAny>,
    level: f64,
) -> PyResult<PyChurnByNps> {
    let scores = floats(scores, "scores")?;
    let churned = booleans(churned, "churned")?;
    Ok(PyChurnByNps(py.detach(|| core::churn_by_nps(&scores, &churned, level)).py()?))
}

/// A likelihood-to-recommend model (the core of `nps.LtrModel`).
#[pyclass(module = "nps._nps", name = "_LtrModel")]
pub struct PyLtrModel(pub core::LtrModel);

/// The tuple of `detractor_contributions`: (contributions: rows × inputs, baseline,
/// log-odds per row, P(detractor) per row).
pub(crate) type Contributions<'py> =
    (Bound<'py, numpy::PyArray2<f64>>, f64, Bound<'py, numpy::PyArray1<f64>>, Bound<'py, numpy::PyArray1<f64>>);

/// The `#[pymethods]` of a likelihood-to-recommend class: its own methods (given) and
/// those both kinds answer alike, whose cores have the same methods.
macro_rules! ltr_pymethods {
    ($class:ident { $($own:tt)* }) => {
        #[pymethods]
        impl $class {
            $($own)*

            /// P(detractor), P(passive), P(promoter) per row of a table.
            fn predict_proba<'py>(
                &self,
                py: Python<'py>,
                names: Vec<String>,
                columns: &Bound<'py, pyo3::types::PyList>,
            ) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
                let table = $crate::encode::raw_table(names, columns)?;
                let p = py.detach(|| self.0.predict_proba(&table)).py()?;
                Ok(numpy::ToPyArray::to_pyarray(&p, py))
            }

            /// The same for a numeric matrix whose columns are named `names`.
            fn predict_proba_matrix<'py>(
                &self,
                py: Python<'py>,
                x: numpy::PyReadonlyArray2<'py, f64>,
                names: Vec<String>,
            ) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
                let view = x.as_array();
                let p = py.detach(|| self.0.predict_proba_matrix(view, &names)).py()?;
                Ok(numpy::ToPyArray::to_pyarray(&p, py))
            }

            /// (contributions: rows × inputs, baseline, log-odds per row, P(detractor) per
            /// row) of ln(P(detractor) / P(promoter)).
            fn detractor_contributions<'py>(
                &self,
                py: Python<'py>,
                names: Vec<String>,
                columns: &Bound<'py, pyo3::types::PyList>,
            ) -> PyResult<$crate::early_warning::Contributions<'py>> {
                let table = $crate::encode::raw_table(names, columns)?;
                let d = py.detach(|| self.0.detractor_contributions(&table)).py()?;
                Ok($crate::early_warning::detractor_tuple(py, d))
            }

            /// The same for a numeric matrix whose columns are named `names`.
            fn detractor_contributions_matrix<'py>(
                &self,
                py: Python<'py>,
                x: numpy::PyReadonlyArray2<'py, f64>,
                names: Vec<String>,
            ) -> PyResult<$crate::early_warning::Contributions<'py>> {
                let view = x.as_array();
                let d = py.detach(|| self.0.detractor_contributions_matrix(view, &names)).py()?;
                Ok($crate::early_warning::detractor_tuple(py, d))
            }

            /// The named inputs.
            #[getter]
            fn inputs(&self) -> Vec<String> {
                self.0.inputs.clone()
            }

            /// Respondents trained on.
            #[getter]
            fn training_rows(&self) -> usize {
                self.0.training.rows
            }

            fn set_trained_at(&mut self, when: String) {
                self.0.training.trained_at = Some(when);
            }

            fn to_json(&self) -> String {
                self.0.to_json()
            }
        }
    };
}
pub(crate) use ltr_pymethods;

ltr_pymethods!(PyLtrModel {
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (names, columns, scores, sample_weight, specs, c, fit_intercept, tol, max_iter, unseen, standardize))]
    fn fit(
        py: Python<'_>,
        names: Vec<String>,
        columns: &Bound<'_, pyo3::types::PyList>,
        scores: numpy::PyReadonlyArray1<'_, f64>,
        sample_weight: Option<numpy::PyReadonlyArray1<'_, f64>>,
        specs: Vec<(String, String)>,
        c: f64,
        fit_intercept: bool,
        tol: f64,
        max_iter: usize,
        unseen: &str,
        standardize: bool,
    ) -> PyResult<Self> {
        let table = crate::encode::raw_table(names, columns)?;
        let options = crate::model::model_options(
            c,
            fit_intercept,
            tol,
            max_iter,
            nps_core::model::ClassWeight::None,
            unseen,
            standardize,
        )?;
        let specs = crate::encode::specs(specs)?;
        let s = scores.as_slice()?;
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        Ok(PyLtrModel(py.detach(|| core::LtrModel::fit(&table, s, w, &specs, &options)).py()?))
    }

    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x, names, scores, sample_weight, c, fit_intercept, tol, max_iter, unseen, standardize))]
    fn fit_matrix(
        py: Python<'_>,
        x: numpy::PyReadonlyArray2<'_, f64>,
        names: Vec<String>,
        scores: numpy::PyReadonlyArray1<'_, f64>,
        sample_weight: Option<numpy::PyReadonlyArray1<'_, f64>>,
        c: f64,
        fit_intercept: bool,
        tol: f64,
        max_iter: usize,
        unseen: &str,
        standardize: bool,
    ) -> PyResult<Self> {
        let options = crate::model::model_options(
            c,
            fit_intercept,
            tol,
            max_iter,
            nps_core::model::ClassWeight::None,
            unseen,
            standardize,
        )?;
        let (x, s) = (x.as_array(), scores.as_slice()?);
        let w = sample_weight.as_ref().map(|w| w.as_slice()).transpose()?;
        Ok(PyLtrModel(py.detach(|| core::LtrModel::fit_matrix(x, &names, s, w, &options)).py()?))
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyLtrModel(core::LtrModel::from_json(text).py()?))
    }
});

pub(crate) fn detractor_tuple(py: Python<'_>, d: core::DetractorContributions) -> Contributions<'_> {
    use numpy::IntoPyArray;
    (d.contributions.into_pyarray(py), d.baseline, d.log_odds.into_pyarray(py), d.risk.into_pyarray(py))
}

fn predicted_dict<'py>(py: Python<'py>, p: core::PredictedNps) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("n", p.n)?;
    d.set_item("nps", p.nps)?;
    d.set_item("se", p.se)?;
    d.set_item("low", p.low)?;
    d.set_item("high", p.high)?;
    d.set_item("level", p.level)?;
    Ok(d)
}

/// Predicted NPS of a group from its (detractor, passive, promoter) probabilities.
#[pyfunction]
#[pyo3(signature = (proba, trained_on=0, level=0.95, answers=None))]
fn _predicted_nps<'py>(
    py: Python<'py>,
    proba: numpy::PyReadonlyArray2<'py, f64>,
    trained_on: usize,
    level: f64,
    answers: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyDict>> {
    let answers = answers.map(|a| floats(a, "answers")).transpose()?;
    let p = core::blended_nps(proba.as_array(), answers.as_deref(), trained_on, level).py()?;
    predicted_dict(py, p)
}

/// Multiclass log loss, detractor-vs-rest AUC, precision and recall of detractor alerts at
/// `threshold`, and coverage, against 0–10 answers (NaN where none).
#[pyfunction]
#[pyo3(signature = (proba, answers, threshold=0.5))]
fn _evaluate_ltr<'py>(
    py: Python<'py>,
    proba: numpy::PyReadonlyArray2<'py, f64>,
    answers: &Bound<'py, PyAny>,
    threshold: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let answers = floats(answers, "answers")?;
    let e = core::evaluate_ltr(proba.as_array(), &answers, threshold).py()?;
    let d = PyDict::new(py);
    d.set_item("answered", e.answered)?;
    d.set_item("coverage", e.coverage)?;
    d.set_item("log_loss", e.log_loss)?;
    d.set_item("detractor_auc", e.detractor_auc)?;
    d.set_item("threshold", e.threshold)?;
    d.set_item("precision", e.precision)?;
    d.set_item("recall", e.recall)?;
    Ok(d)
}

/// The `top` rows of highest P(detractor) × value (1 each without `value`), with the
/// `factors` inputs pushing each most towards detractor (`early_warning::detractor_alerts`):
/// (rows, values, expected losses, factor columns per row).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn _detractor_alerts<'py>(
    py: Python<'py>,
    risk: numpy::PyReadonlyArray1<'py, f64>,
    value: Option<numpy::PyReadonlyArray1<'py, f64>>,
    contributions: numpy::PyReadonlyArray2<'py, f64>,
    top: usize,
    factors: usize,
) -> PyResult<(Vec<usize>, Vec<f64>, Vec<f64>, Vec<Vec<usize>>)> {
    let (risk, c) = (risk.as_slice()?, contributions.as_array());
    let value = value.as_ref().map(|v| v.as_slice()).transpose()?;
    let alerts = py.detach(|| core::detractor_alerts(risk, value, c, top, factors)).py()?;
    Ok((
        alerts.iter().map(|a| a.row).collect(),
        alerts.iter().map(|a| a.value).collect(),
        alerts.iter().map(|a| a.expected).collect(),
        alerts.into_iter().map(|a| a.factors).collect(),
    ))
}

/// Per row of `contributions`: the columns of its `k` largest positive entries and of its
/// `k` most negative, as the core ranks factors (`explain::top_indices_into`).
#[pyfunction]
fn _top_factor_indices(
    contributions: numpy::PyReadonlyArray2<'_, f64>,
    k: usize,
) -> (Vec<Vec<usize>>, Vec<Vec<usize>>) {
    let (mut up, mut down) = (Vec::new(), Vec::new());
    let mut row = Vec::new();
    contributions
        .as_array()
        .rows()
        .into_iter()
        .map(|r| {
            row.clear();
            row.extend(r.iter().copied());
            nps_core::explain::top_indices_into(&row, k, &mut up, &mut down);
            (up.clone(), down.clone())
        })
        .unzip()
}

/// The (weighted) share of rows whose most probable category is their 0–10 answer's
/// (`early_warning::ltr_accuracy`: scikit-learn's `score`).
#[pyfunction]
#[pyo3(signature = (proba, answers, weights=None))]
fn _ltr_accuracy(
    py: Python<'_>,
    proba: numpy::PyReadonlyArray2<'_, f64>,
    answers: numpy::PyReadonlyArray1<'_, f64>,
    weights: Option<numpy::PyReadonlyArray1<'_, f64>>,
) -> PyResult<f64> {
    let (proba, answers) = (proba.as_array(), answers.as_slice()?);
    let weights = weights.as_ref().map(|w| w.as_slice()).transpose()?;
    py.detach(|| core::ltr_accuracy(proba, answers, weights)).py()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_evaluate_ltr, m)?)?;
    m.add_function(wrap_pyfunction!(_ltr_accuracy, m)?)?;
    m.add_function(wrap_pyfunction!(_detractor_alerts, m)?)?;
    m.add_function(wrap_pyfunction!(_top_factor_indices, m)?)?;
    m.add_class::<PyChurnByNps>()?;
    m.add_function(wrap_pyfunction!(churn_by_nps, m)?)?;
    m.add_class::<PyLtrModel>()?;
    m.add_function(wrap_pyfunction!(_predicted_nps, m)?)?;
    m.add_class::<PyTicketScorer>()?;
    m.add("SURVEY_ANSWER_FEATURES", core::SURVEY_ANSWER_FEATURES.to_vec())?;
    Ok(())
}

/// The core object behind a Python estimator (`nps.ChurnModel`, `nps.LtrModel`: its
/// `_model`), or the object itself.
fn core_object<'py>(obj: &Bound<'py, PyAny>) -> PyResult<Bound<'py, PyAny>> {
    Ok(if obj.hasattr("_model")? { obj.getattr("_model")? } else { obj.clone() })
}

fn not_fitted(what: &str) -> PyErr {
    crate::error::error("INVALID_PARAMETER", format!("expected a fitted {what}"))
}

fn factor_list(index: &[usize], names: &[String], contributions: &[f64]) -> Vec<(String, f64)> {
    index.iter().map(|&i| (names[i].clone(), contributions[i])).collect()
}

/// The one call at ticket time: add the event to a customer's history, recompute the
/// features, score churn, attribute it, estimate detractor risk (with an LTR model) and
/// rank the next best actions, with the numbers of the separate calls.
///
/// Pickles as the core scorer's file (`to_json`: the engine's definitions, the models' and
/// the catalogue's files), the customer record and the options, built again when
/// unpickled: the same tickets to the bit.
#[pyclass(module = "nps", name = "TicketScorer")]
pub struct PyTicketScorer {
    inner: core::TicketScorer,
    customer: nps_core::action::Customer,
    options: core::TicketOptions<'static>,
    layout: core::TicketLayout,
    ticket: core::Ticket,
}

/// A customer's fields by name (None = missing) as the catalogue's fields read them.
fn fields(fields: Option<&Bound<'_, PyDict>>) -> PyResult<Vec<(String, nps_core::action::FieldValue)>> {
    match fields {
        None => Ok(Vec::new()),
        Some(d) => d
            .iter()
            .map(|(k, v)| {
                let name: String = k.extract()?;
                let value = crate::convert::field_value(&v, &name)?;
                Ok((name, value))
            })
            .collect(),
    }
}

fn record(
    catalog: &nps_core::action::Catalog,
    values: &[(String, nps_core::action::FieldValue)],
) -> PyResult<nps_core::action::Customer> {
    let named: Vec<(&str, nps_core::action::FieldValue)> =
        values.iter().map(|(n, v)| (n.as_str(), v.clone())).collect();
    catalog.customer(&named).py()
}

/// The pickled state of a `TicketScorer`: (the scorer's file, the customer record as JSON,
/// top factors, top actions).
type ScorerState = (String, String, usize, usize);

#[pymethods]
impl PyTicketScorer {
    /// `engine` a `nps.features.FeatureEngine`, `churn` a fitted `nps.ChurnModel` or
    /// `nps.BoostedChurnModel` whose inputs are features, `catalog` an `nps.ActionCatalog`, `ltr` an optional fitted
    /// `nps.LtrModel` or `nps.BoostedLtrModel` (adds detractor risk), `customer` the record the rules read for
    /// fields no feature provides (number fields named like a feature take its value when
    /// defined).
    #[new]
    #[pyo3(signature = (engine, churn, catalog, ltr=None, customer=None, top_factors=nps_core::explain::DEFAULT_TOP_FACTORS, top_actions=nps_core::action::DEFAULT_TOP))]
    fn new(
        engine: &crate::features::PyFeatureEngine,
        churn: &Bound<'_, PyAny>,
        catalog: &crate::action::PyActionCatalog,
        ltr: Option<&Bound<'_, PyAny>>,
        customer: Option<&Bound<'_, PyDict>>,
        top_factors: usize,
        top_actions: usize,
    ) -> PyResult<Self> {
        let churn = core_object(churn)?;
        let churn: nps_core::model::AnyChurnModel = if let Ok(m) = churn.cast::<crate::model::PyChurnModel>() {
            m.borrow().0.clone().into()
        } else {
            churn
                .cast::<crate::boosted::PyBoostedChurnModel>()
                .map_err(|_| not_fitted("nps.ChurnModel or nps.BoostedChurnModel"))?
                .borrow()
                .0
                .clone()
                .into()
        };
        let ltr = match ltr {
            Some(l) if !l.is_none() => {
                let l = core_object(l)?;
                Some(if let Ok(m) = l.cast::<PyLtrModel>() {
                    m.borrow().0.clone().into()
                } else {
                    l.cast::<crate::boosted_ltr::PyBoostedLtrModel>()
                        .map_err(|_| not_fitted("nps.LtrModel or nps.BoostedLtrModel"))?
                        .borrow()
                        .0
                        .clone()
                        .into()
                })
            }
            _ => None,
        };
        let customer = record(&catalog.0, &fields(customer)?)?;
        let inner = core::TicketScorer::new(engine.0.clone(), churn, ltr, catalog.0.clone()).py()?;
        Ok(PyTicketScorer::build(inner, customer, top_factors, top_actions))
    }

    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> PyResult<(Bound<'py, PyAny>, (ScorerState,))> {
        let me = slf.borrow();
        let customer = serde_json::to_string(&me.customer).expect("plain data");
        let state = (me.inner.to_json(), customer, me.options.top_factors, me.options.top_actions);
        Ok((slf.get_type().getattr("_from_state")?, (state,)))
    }

    /// A scorer from its pickled state (see `__reduce__`).
    #[staticmethod]
    fn _from_state(state: ScorerState) -> PyResult<Self> {
        let (scorer, customer, top_factors, top_actions) = state;
        let inner = core::TicketScorer::from_json(&scorer).py()?;
        let customer = serde_json::from_str(&customer).map_err(|e| {
            crate::error::error("INVALID_PARAMETER", format!("customer must be a customer record ({e})"))
        })?;
        Ok(PyTicketScorer::build(inner, customer, top_factors, top_actions))
    }

    /// The scorer's file: the feature definitions and kinds, the models' files and the
    /// catalogue, as JSON (`TicketScorer.from_json` reads it back; the customer record and
    /// the options are arguments of `from_json`, not part of the file).
    fn to_json(&self) -> String {
        self.inner.to_json()
    }

    /// A scorer from its file (`to_json`), checked part by part; `customer`, `top_factors`
    /// and `top_actions` as in the constructor.
    #[staticmethod]
    #[pyo3(signature = (text, customer=None, top_factors=nps_core::explain::DEFAULT_TOP_FACTORS, top_actions=nps_core::action::DEFAULT_TOP))]
    fn from_json(
        text: &str,
        customer: Option<&Bound<'_, PyDict>>,
        top_factors: usize,
        top_actions: usize,
    ) -> PyResult<Self> {
        let inner = core::TicketScorer::from_json(text).py()?;
        let customer = record(inner.catalog(), &fields(customer)?)?;
        Ok(PyTicketScorer::build(inner, customer, top_factors, top_actions))
    }

    /// Feature names, in the order of the `features` a ticket returns with `details=True`.
    #[getter]
    fn feature_names(&self) -> Vec<String> {
        self.inner.feature_names().to_vec()
    }

    /// The churn model's inputs.
    #[getter]
    fn inputs(&self) -> Vec<String> {
        self.inner.inputs().to_vec()
    }

    /// The LTR model's inputs (empty without one).
    #[getter]
    fn ltr_inputs(&self) -> Vec<String> {
        self.inner.ltr_inputs().to_vec()
    }

    /// One ticket: adds the event (`time` epoch seconds or a datetime, `kind`, ...) to
    /// `history` and scores as of `now` (default: one second after the event). Returns a
    /// dict: probability, score (100 × P(churn)), log_odds, baseline, raising and lowering
    /// ([(input, contribution, value, typical)], as `ChurnModel.explain` reads them),
    /// detractor (None without an LTR model; else probability, passive, promoter, log_odds,
    /// baseline, raising and lowering as [(input, contribution)]), actions (dicts: rank, id,
    /// label, channel, priority, value), and with `trace=True` every action's fate, with
    /// `details=True` the features and every input's contribution.
    ///
    /// With a `learner` (an `nps.Learner`), the actions are ranked as `ActionCatalog.decide`
    /// ranks them with one: each action's propensity a Thompson draw for `segment`, seeded
    /// with `seed`.
    ///
    /// Errors before the event is added: an event not before `now`, a survey answer that
    /// is not a whole 0-10, an unknown kind.
    #[pyo3(signature = (history, time, kind, value=None, duration=None, department=None, case=None, flag=None, now=None, customer=None, outcomes=None, trace=false, details=false, learner=None, segment="", seed=0))]
    #[allow(clippy::too_many_arguments)]
    fn ticket<'py>(
        &mut self,
        py: Python<'py>,
        mut history: PyRefMut<'py, crate::features::PyCustomerHistory>,
        time: &Bound<'py, PyAny>,
        kind: &str,
        value: Option<f64>,
        duration: Option<f64>,
        department: Option<&str>,
        case: Option<&Bound<'py, PyAny>>,
        flag: Option<bool>,
        now: Option<&Bound<'py, PyAny>>,
        customer: Option<&Bound<'py, PyDict>>,
        outcomes: Option<&Bound<'py, pyo3::types::PyList>>,
        trace: bool,
        details: bool,
        learner: Option<PyRef<'py, crate::action::PyLearner>>,
        segment: &str,
        seed: u64,
    ) -> PyResult<Bound<'py, PyDict>> {
        let own = customer.map(|c| record(self.inner.catalog(), &fields(Some(c))?)).transpose()?;
        let outcomes = crate::action::outcome_list(outcomes, "outcomes")?;
        let event =
            crate::features::history_event(time, kind, value, duration, department, case, flag, history.0.len())?;
        let mut draws = Vec::new();
        if let Some(l) = &learner {
            l.0.draws_into(self.inner.catalog(), segment, &mut nps_core::synth::Rng::new(seed), &mut draws);
        }
        let propensity = learner.is_some().then_some(&draws[..]);
        self.score(&mut history, &event, now, own.as_ref(), &outcomes, propensity)?;
        ticket_dict(py, &self.inner, &self.ticket, trace, details)
    }

    /// Where each number lies in the array `ticket_values` returns (a dict of offsets:
    /// `out[layout["probability"]]`, the raising factors' input indices from
    /// `out[layout["raising"]]`, ...; the lists have `top_factors` or `top_actions` slots).
    #[getter]
    fn values_layout<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        let json = serde_json::to_value(self.layout).expect("plain data");
        for (k, v) in json.as_object().expect("a struct") {
            d.set_item(k, v.as_u64().expect("offsets are whole"))?;
        }
        Ok(d)
    }

    /// The compact form of `ticket` (as `decide_values` is of `decide`): the same ticket
    /// with the scorer's customer record and no past outcomes, as one float64 array laid
    /// out as `values_layout` says (factors as indices into `inputs` / `ltr_inputs`,
    /// actions as indices into the catalogue's `actions`; -1 and NaN in unused slots).
    /// Written into `out` when given (a float64 array of `values_layout["length"]`),
    /// which is returned.
    #[pyo3(signature = (history, time, kind, value=None, duration=None, department=None, case=None, flag=None, now=None, out=None))]
    #[allow(clippy::too_many_arguments)]
    fn ticket_values<'py>(
        &mut self,
        py: Python<'py>,
        mut history: PyRefMut<'py, crate::features::PyCustomerHistory>,
        time: &Bound<'py, PyAny>,
        kind: &str,
        value: Option<f64>,
        duration: Option<f64>,
        department: Option<&str>,
        case: Option<&Bound<'py, PyAny>>,
        flag: Option<bool>,
        now: Option<&Bound<'py, PyAny>>,
        out: Option<Bound<'py, numpy::PyArray1<f64>>>,
    ) -> PyResult<Bound<'py, numpy::PyArray1<f64>>> {
        let out = match out {
            Some(o) => o,
            None => numpy::PyArray1::zeros(py, self.layout.length, false),
        };
        let mut rw = numpy::PyArrayMethods::try_readwrite(&out)
            .map_err(|e| crate::error::error("INVALID_PARAMETER", format!("out: {e}")))?;
        let slice = rw
            .as_slice_mut()
            .map_err(|_| crate::error::error("INVALID_PARAMETER", "out must be contiguous".to_string()))?;
        self.layout.check_out(slice.len()).py()?; // before the event is added
        let event =
            crate::features::history_event(time, kind, value, duration, department, case, flag, history.0.len())?;
        self.score(&mut history, &event, now, None, &[], None)?;
        self.ticket.write_values(&self.layout, slice).py()?;
        drop(rw);
        Ok(out)
    }

    fn __repr__(&self) -> String {
        format!(
            "TicketScorer({} features, {} churn inputs, {} LTR inputs, {} actions)",
            self.inner.feature_names().len(),
            self.inner.inputs().len(),
            self.inner.ltr_inputs().len(),
            self.inner.catalog().actions().len()
        )
    }
}

impl PyTicketScorer {
    fn build(
        inner: core::TicketScorer,
        customer: nps_core::action::Customer,
        top_factors: usize,
        top_actions: usize,
    ) -> Self {
        let options = core::TicketOptions { top_factors, top_actions, propensity: None };
        PyTicketScorer {
            inner,
            customer,
            options,
            layout: core::TicketLayout::new(&options),
            ticket: core::Ticket::default(),
        }
    }

    /// Adds `event` to `history` and scores it into `self.ticket` as of `now` (default: one
    /// second after the event) for `customer` (default: the scorer's) and `outcomes`, with
    /// the actions' `propensity` when the decision learns.
    fn score(
        &mut self,
        history: &mut crate::features::PyCustomerHistory,
        event: &crate::features::OwnedEvent,
        now: Option<&Bound<'_, PyAny>>,
        customer: Option<&nps_core::action::Customer>,
        outcomes: &[nps_core::action::Outcome],
        propensity: Option<&[f64]>,
    ) -> PyResult<()> {
        let now = match now {
            Some(t) if !t.is_none() => crate::convert::epoch_seconds(t, "now")?,
            _ => event.time().saturating_add(1),
        };
        let customer = customer.unwrap_or(&self.customer);
        let options = core::TicketOptions { propensity, ..self.options };
        self.inner
            .score_into(&mut history.0, &event.as_event(), now, customer, outcomes, &options, &mut self.ticket)
            .py()
    }
}

fn ticket_dict<'py>(
    py: Python<'py>,
    scorer: &core::TicketScorer,
    t: &core::Ticket,
    trace: bool,
    details: bool,
) -> PyResult<Bound<'py, PyDict>> {
    use numpy::ToPyArray;
    let d = PyDict::new(py);
    d.set_item("probability", t.probability)?;
    d.set_item("score", t.score)?;
    d.set_item("log_odds", t.log_odds)?;
    d.set_item("baseline", t.baseline)?;
    // (name, contribution, value, typical), as the churn model's explanation gives them
    // (the values as Python numbers; the inputs of a ticket are features, numbers).
    type Readable = (String, f64, Py<PyAny>, Py<PyAny>);
    let readable = |idx: &[usize]| -> PyResult<Vec<Readable>> {
        idx.iter()
            .map(|&i| {
                let (name, contribution, value, typical, _) =
                    crate::model::factor_tuple(py, scorer.readable_factor(t, i))?;
                Ok((name, contribution, value, typical))
            })
            .collect()
    };
    d.set_item("raising", readable(&t.raising)?)?;
    d.set_item("lowering", readable(&t.lowering)?)?;
    match &t.detractor {
        None => d.set_item("detractor", py.None())?,
        Some(r) => {
            let x = PyDict::new(py);
            x.set_item("probability", r.probabilities[0])?;
            x.set_item("passive", r.probabilities[1])?;
            x.set_item("promoter", r.probabilities[2])?;
            x.set_item("log_odds", r.log_odds)?;
            x.set_item("baseline", r.baseline)?;
            x.set_item("raising", factor_list(&t.detractor_raising, scorer.ltr_inputs(), &r.contributions))?;
            x.set_item("lowering", factor_list(&t.detractor_lowering, scorer.ltr_inputs(), &r.contributions))?;
            if details {
                x.set_item("contributions", r.contributions.to_pyarray(py))?;
            }
            d.set_item("detractor", x)?;
        }
    }
    d.set_item("actions", crate::action::ranked_actions(py, &t.decision.actions)?)?;
    if trace {
        let list = pyo3::types::PyList::empty(py);
        for e in &t.decision.trace {
            list.append(crate::action::trace_entry(py, e)?)?;
        }
        d.set_item("trace", list)?;
    }
    if details {
        d.set_item("features", t.features.to_pyarray(py))?;
        d.set_item("contributions", t.contributions.to_pyarray(py))?;
    }
    Ok(d)
}
