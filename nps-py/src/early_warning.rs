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

#[pymethods]
impl PyLtrModel {
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

    fn predict_proba<'py>(
        &self,
        py: Python<'py>,
        names: Vec<String>,
        columns: &Bound<'py, pyo3::types::PyList>,
    ) -> PyResult<Bound<'py, numpy::PyArray2<f64>>> {
        let table = crate::encode::raw_table(names, columns)?;
        let p = py.detach(|| self.0.predict_proba(&table)).py()?;
        Ok(numpy::ToPyArray::to_pyarray(&p, py))
    }

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

    #[getter]
    fn inputs(&self) -> Vec<String> {
        self.0.inputs.clone()
    }

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

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyLtrModel(core::LtrModel::from_json(text).py()?))
    }
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

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_evaluate_ltr, m)?)?;
    m.add_class::<PyChurnByNps>()?;
    m.add_function(wrap_pyfunction!(churn_by_nps, m)?)?;
    m.add_class::<PyLtrModel>()?;
    m.add_function(wrap_pyfunction!(_predicted_nps, m)?)?;
    Ok(())
}
