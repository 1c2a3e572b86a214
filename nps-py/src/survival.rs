//! Python classes for `nps_core::survival`: the core of `nps.survival` (Kaplan–Meier, the
//! log-rank tests, the Cox model). Arrays cross as numpy, read in place; fits release the GIL.
use nps_core::survival::{self as core, CoxCustomers, CoxInput, CoxOptions, SurvivalData};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2, ToPyArray};
use pyo3::prelude::*;

use crate::error::IntoPy;

type Floats<'py> = PyReadonlyArray1<'py, f64>;
type Flags<'py> = PyReadonlyArray1<'py, bool>;

/// A fitted Kaplan–Meier estimate (see `nps.survival.KaplanMeier`).
#[pyclass(module = "nps._nps", name = "_KaplanMeier", frozen)]
pub struct PyKaplanMeier(pub core::KaplanMeier);

#[pymethods]
impl PyKaplanMeier {
    /// Fits the estimate.
    #[staticmethod]
    #[pyo3(signature = (durations, events, entry, weights, alpha))]
    fn fit(
        py: Python<'_>,
        durations: Floats<'_>,
        events: Option<Flags<'_>>,
        entry: Option<Floats<'_>>,
        weights: Option<Floats<'_>>,
        alpha: f64,
    ) -> PyResult<Self> {
        let durations = durations.as_slice()?;
        let events = events.as_ref().map(|e| e.as_slice()).transpose()?;
        let entry = entry.as_ref().map(|e| e.as_slice()).transpose()?;
        let weights = weights.as_ref().map(|w| w.as_slice()).transpose()?;
        let data = SurvivalData { durations, events, entry, weights };
        Ok(PyKaplanMeier(py.detach(|| core::KaplanMeier::fit(&data, alpha)).py()?))
    }

    /// The life table: (time, removed, observed, censored, entrance, at_risk).
    fn table<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyArray1<f64>>> {
        let t = &self.0.table;
        [&t.time, &t.removed, &t.observed, &t.censored, &t.entrance, &t.at_risk]
            .iter()
            .map(|v| v.to_pyarray(py))
            .collect()
    }

    /// (survival, lower, upper, greenwood) at each time.
    fn curves<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyArray1<f64>>> {
        [&self.0.survival, &self.0.lower, &self.0.upper, &self.0.greenwood].iter().map(|v| v.to_pyarray(py)).collect()
    }

    #[getter]
    fn alpha(&self) -> f64 {
        self.0.alpha
    }

    #[getter]
    fn events(&self) -> f64 {
        self.0.events
    }

    /// The median survival time (inf if never reached); an error without events.
    fn median(&self) -> PyResult<f64> {
        self.0.median().py()
    }

    /// The median's confidence interval.
    fn median_interval(&self) -> PyResult<(f64, f64)> {
        self.0.median_interval().py()
    }

    /// Survival at each of `times`.
    fn survival_at<'py>(&self, py: Python<'py>, times: Floats<'py>) -> PyResult<Bound<'py, PyArray1<f64>>> {
        Ok(self.0.survival_at(times.as_slice()?).py()?.into_pyarray(py))
    }
}

/// One Kaplan–Meier estimate per segment: [(label, customers, estimate)].
#[pyfunction]
#[pyo3(signature = (durations, events, entry, weights, segments, alpha))]
fn kaplan_meier_by_segment(
    py: Python<'_>,
    durations: Floats<'_>,
    events: Option<Flags<'_>>,
    entry: Option<Floats<'_>>,
    weights: Option<Floats<'_>>,
    segments: Vec<String>,
    alpha: f64,
) -> PyResult<Vec<(String, usize, PyKaplanMeier)>> {
    let durations = durations.as_slice()?;
    let events = events.as_ref().map(|e| e.as_slice()).transpose()?;
    let entry = entry.as_ref().map(|e| e.as_slice()).transpose()?;
    let weights = weights.as_ref().map(|w| w.as_slice()).transpose()?;
    let data = SurvivalData { durations, events, entry, weights };
    let parts = py.detach(|| core::kaplan_meier_by_segment(&data, &segments, alpha)).py()?;
    Ok(parts.into_iter().map(|p| (p.segment, p.customers, PyKaplanMeier(p.estimate))).collect())
}

type LogRankTuple = (Vec<String>, Vec<f64>, Vec<f64>, f64, usize, f64);

fn log_rank_tuple(t: core::LogRankTest) -> LogRankTuple {
    (t.groups, t.observed, t.expected, t.test_statistic, t.degrees_of_freedom, t.p_value)
}

/// The log-rank test between groups: (groups, observed, expected, statistic, df, p).
#[pyfunction]
#[pyo3(signature = (durations, events, weights, groups))]
fn multivariate_log_rank_test(
    py: Python<'_>,
    durations: Floats<'_>,
    events: Option<Flags<'_>>,
    weights: Option<Floats<'_>>,
    groups: Vec<String>,
) -> PyResult<LogRankTuple> {
    let durations = durations.as_slice()?;
    let events = events.as_ref().map(|e| e.as_slice()).transpose()?;
    let weights = weights.as_ref().map(|w| w.as_slice()).transpose()?;
    let data = SurvivalData { durations, events, entry: None, weights };
    Ok(log_rank_tuple(py.detach(|| core::multivariate_log_rank_test(&data, &groups)).py()?))
}

/// The log-rank test between two groups A and B.
#[pyfunction]
#[pyo3(signature = (durations_a, durations_b, events_a, events_b, weights_a, weights_b))]
fn log_rank_test(
    py: Python<'_>,
    durations_a: Floats<'_>,
    durations_b: Floats<'_>,
    events_a: Option<Flags<'_>>,
    events_b: Option<Flags<'_>>,
    weights_a: Option<Floats<'_>>,
    weights_b: Option<Floats<'_>>,
) -> PyResult<LogRankTuple> {
    let a = SurvivalData {
        durations: durations_a.as_slice()?,
        events: events_a.as_ref().map(|e| e.as_slice()).transpose()?,
        entry: None,
        weights: weights_a.as_ref().map(|w| w.as_slice()).transpose()?,
    };
    let b = SurvivalData {
        durations: durations_b.as_slice()?,
        events: events_b.as_ref().map(|e| e.as_slice()).transpose()?,
        entry: None,
        weights: weights_b.as_ref().map(|w| w.as_slice()).transpose()?,
    };
    Ok(log_rank_tuple(py.detach(|| core::log_rank_test(&a, &b)).py()?))
}

/// A fitted Cox model (see `nps.survival.CoxModel`).
#[pyclass(module = "nps._nps", name = "_CoxModel", frozen)]
pub struct PyCoxModel(pub core::CoxModel);

#[pymethods]
impl PyCoxModel {
    /// Fits the model on a float64 matrix whose columns are `covariates`.
    #[staticmethod]
    #[allow(clippy::too_many_arguments)]
    #[pyo3(signature = (x, covariates, durations, events, entry, weights, strata, strata_columns, penalizer, alpha))]
    fn fit(
        py: Python<'_>,
        x: PyReadonlyArray2<'_, f64>,
        covariates: Vec<String>,
        durations: Floats<'_>,
        events: Option<Flags<'_>>,
        entry: Option<Floats<'_>>,
        weights: Option<Floats<'_>>,
        strata: Option<Vec<String>>,
        strata_columns: Vec<String>,
        penalizer: f64,
        alpha: f64,
    ) -> PyResult<Self> {
        let data = SurvivalData {
            durations: durations.as_slice()?,
            events: events.as_ref().map(|e| e.as_slice()).transpose()?,
            entry: entry.as_ref().map(|e| e.as_slice()).transpose()?,
            weights: weights.as_ref().map(|w| w.as_slice()).transpose()?,
        };
        let input = CoxInput { x: x.as_array(), covariates: &covariates, data, strata: strata.as_deref() };
        let options = CoxOptions { penalizer, alpha, ..CoxOptions::default() };
        let mut model = py.detach(|| core::CoxModel::fit(&input, &options)).py()?;
        model.strata_columns = strata_columns;
        Ok(PyCoxModel(model))
    }

    /// Reads a model file.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyCoxModel(core::CoxModel::from_json(text).py()?))
    }

    /// The model file.
    fn to_json(&self) -> String {
        self.0.to_json()
    }

    /// The summary columns: (coef, exp(coef), se, coef lower, coef upper, exp lower, exp
    /// upper, z, p).
    fn summary<'py>(&self, py: Python<'py>) -> Vec<Bound<'py, PyArray1<f64>>> {
        let rows = self.0.summary();
        let column = |f: fn(&core::CoefficientSummary) -> f64| rows.iter().map(f).collect::<Vec<f64>>();
        [
            column(|r| r.coef),
            column(|r| r.hazard_ratio),
            column(|r| r.se),
            column(|r| r.coef_lower),
            column(|r| r.coef_upper),
            column(|r| r.hazard_ratio_lower),
            column(|r| r.hazard_ratio_upper),
            column(|r| r.z),
            column(|r| r.p),
        ]
        .into_iter()
        .map(|c| c.into_pyarray(py))
        .collect()
    }

    #[getter]
    fn covariates(&self) -> Vec<String> {
        self.0.covariates.clone()
    }

    #[getter]
    fn means<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.0.means.to_pyarray(py)
    }

    #[getter]
    fn variance<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let d = self.0.covariates.len();
        let v = numpy::ndarray::Array2::from_shape_vec((d, d), self.0.variance.clone())
            .map_err(|e| crate::error::error("INVALID_PARAMETER", e.to_string()))?;
        Ok(v.into_pyarray(py))
    }

    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.0.log_likelihood
    }

    #[getter]
    fn log_likelihood_null(&self) -> f64 {
        self.0.log_likelihood_null
    }

    #[getter]
    fn concordance(&self) -> f64 {
        self.0.concordance
    }

    #[getter]
    fn penalizer(&self) -> f64 {
        self.0.penalizer
    }

    #[getter]
    fn alpha(&self) -> f64 {
        self.0.alpha
    }

    #[getter]
    fn observations(&self) -> usize {
        self.0.observations
    }

    #[getter]
    fn events(&self) -> f64 {
        self.0.events
    }

    #[getter]
    fn iterations(&self) -> usize {
        self.0.iterations
    }

    #[getter]
    fn baseline_times<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.0.baseline.times.to_pyarray(py)
    }

    #[getter]
    fn strata_columns(&self) -> Vec<String> {
        self.0.strata_columns.clone()
    }

    #[getter]
    fn baseline_strata(&self) -> Vec<String> {
        self.0.baseline.strata.clone()
    }

    /// Per stratum: (hazard, cumulative hazard) at the baseline times.
    #[allow(clippy::type_complexity)]
    fn baseline<'py>(&self, py: Python<'py>) -> Vec<(Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>)> {
        let b = &self.0.baseline;
        b.hazard.iter().zip(&b.cumulative_hazard).map(|(h, c)| (h.to_pyarray(py), c.to_pyarray(py))).collect()
    }

    /// The log partial hazard of each row.
    fn log_partial_hazard<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let view = x.as_array();
        Ok(py.detach(|| self.0.log_partial_hazard(view)).py()?.into_pyarray(py))
    }

    /// Survival of each customer at each time (customers × times).
    #[pyo3(signature = (x, strata, times, conditional_after))]
    fn survival_function<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        strata: Option<Vec<String>>,
        times: Floats<'py>,
        conditional_after: Option<Floats<'py>>,
    ) -> PyResult<Bound<'py, PyArray2<f64>>> {
        let after = conditional_after.as_ref().map(|c| c.as_slice()).transpose()?;
        let customers = CoxCustomers { x: x.as_array(), strata: strata.as_deref(), conditional_after: after };
        let times = times.as_slice()?;
        Ok(py.detach(|| self.0.survival_function(&customers, times)).py()?.into_pyarray(py))
    }

    /// P(churn within `horizon`) of each customer.
    #[pyo3(signature = (x, strata, horizon, conditional_after))]
    fn churn_within<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        strata: Option<Vec<String>>,
        horizon: f64,
        conditional_after: Option<Floats<'py>>,
    ) -> PyResult<Bound<'py, PyArray1<f64>>> {
        let after = conditional_after.as_ref().map(|c| c.as_slice()).transpose()?;
        let customers = CoxCustomers { x: x.as_array(), strata: strata.as_deref(), conditional_after: after };
        Ok(py.detach(|| self.0.churn_within(&customers, horizon)).py()?.into_pyarray(py))
    }
}

type SurvivalColumns<'py> =
    (Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<f64>>, Bound<'py, PyArray1<bool>>);

/// Survival data from an encoded event history (customer codes, epoch seconds, kind codes):
/// (start, churn time: epoch seconds, NaN for none; tenure in days; churned).
#[pyfunction]
#[pyo3(signature = (customer, time, kind, kind_names, as_of))]
fn _survival_data<'py>(
    py: Python<'py>,
    customer: PyReadonlyArray1<'py, u32>,
    time: PyReadonlyArray1<'py, i64>,
    kind: PyReadonlyArray1<'py, u32>,
    kind_names: Vec<String>,
    as_of: i64,
) -> PyResult<SurvivalColumns<'py>> {
    use nps_core::features::{survival_data, EventColumns, EventView, BUILT_IN_KINDS};
    let names: Vec<&str> = kind_names.iter().map(String::as_str).collect();
    let declared: Vec<&str> = names.iter().copied().filter(|k| !BUILT_IN_KINDS.contains(k)).collect();
    let columns = EventColumns {
        customer: customer.as_slice()?,
        time: time.as_slice()?,
        kind: kind.as_slice()?,
        kind_names: &names,
        ..Default::default()
    };
    let s = py.detach(|| EventView::new(&columns, &declared, 1).map(|view| survival_data(&view, as_of))).py()?;
    let seconds = |v: &[Option<i64>]| v.iter().map(|t| t.map_or(f64::NAN, |t| t as f64)).collect::<Vec<f64>>();
    Ok((
        seconds(&s.start).into_pyarray(py),
        seconds(&s.churn_time).into_pyarray(py),
        s.tenure_days.into_pyarray(py),
        s.churned.into_pyarray(py),
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_survival_data, m)?)?;
    m.add_class::<PyKaplanMeier>()?;
    m.add_class::<PyCoxModel>()?;
    m.add_function(wrap_pyfunction!(kaplan_meier_by_segment, m)?)?;
    m.add_function(wrap_pyfunction!(multivariate_log_rank_test, m)?)?;
    m.add_function(wrap_pyfunction!(log_rank_test, m)?)?;
    Ok(())
}
