//! Python classes and functions for `nps_core::value`: the core of `nps.value` (the
//! lifetimes-style classes with pandas in and out are in `nps/value.py`). Fits release the
//! GIL; every number comes from the core.
use nps_core::value::{
    customer_lifetime_value, plan_campaign, summary_from_transactions, value_at_risk, BetaGeo, FitSummary, GammaGamma,
    LifetimeValueOptions, RetentionAction, ShiftedBetaGeometric, SummaryOptions, TimeUnit,
};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::prelude::*;

use crate::convert::floats;
use crate::error::IntoPy;

type Array<'py> = Bound<'py, PyArray1<f64>>;

fn optional_floats(obj: Option<&Bound<'_, PyAny>>, field: &str) -> PyResult<Option<Vec<f64>>> {
    obj.filter(|o| !o.is_none()).map(|o| floats(o, field)).transpose()
}

/// How a value model was fitted (the core's `FitSummary`), shared by the three models.
#[pyclass(module = "nps._nps", name = "_FitSummary", frozen)]
pub struct PyFitSummary(FitSummary);

#[pymethods]
impl PyFitSummary {
    #[getter]
    fn log_likelihood(&self) -> f64 {
        self.0.log_likelihood
    }

    #[getter]
    fn standard_errors(&self) -> Vec<f64> {
        self.0.standard_errors.clone()
    }

    #[getter]
    fn customers(&self) -> f64 {
        self.0.customers
    }

    #[getter]
    fn penalizer_coef(&self) -> f64 {
        self.0.penalizer_coef
    }

    #[getter]
    fn iterations(&self) -> usize {
        self.0.iterations
    }
}

/// A fitted BG/NBD model (see `nps.value.BetaGeo`).
#[pyclass(module = "nps._nps", name = "_BetaGeo")]
pub struct PyBetaGeo(pub BetaGeo);

#[pymethods]
impl PyBetaGeo {
    #[staticmethod]
    #[pyo3(signature = (frequency, recency, t, weights, penalizer_coef))]
    fn fit(
        py: Python<'_>,
        frequency: &Bound<'_, PyAny>,
        recency: &Bound<'_, PyAny>,
        t: &Bound<'_, PyAny>,
        weights: Option<&Bound<'_, PyAny>>,
        penalizer_coef: f64,
    ) -> PyResult<Self> {
        let (f, r, t) = (floats(frequency, "frequency")?, floats(recency, "recency")?, floats(t, "T")?);
        let w = optional_floats(weights, "weights")?;
        Ok(PyBetaGeo(py.detach(|| BetaGeo::fit(&f, &r, &t, w.as_deref(), penalizer_coef)).py()?))
    }

    #[staticmethod]
    fn from_params(r: f64, alpha: f64, a: f64, b: f64) -> PyResult<Self> {
        Ok(PyBetaGeo(BetaGeo::from_params(r, alpha, a, b).py()?))
    }

    #[getter]
    fn params(&self) -> Vec<f64> {
        self.0.params().to_vec()
    }

    #[getter]
    fn fit_summary(&self) -> PyFitSummary {
        PyFitSummary(self.0.fit.clone())
    }

    fn conditional_expected<'py>(
        &self,
        py: Python<'py>,
        t: f64,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        age: &Bound<'py, PyAny>,
    ) -> PyResult<Array<'py>> {
        let (f, r, a) = (floats(frequency, "frequency")?, floats(recency, "recency")?, floats(age, "T")?);
        let out = py.detach(|| self.0.conditional_expected_number_of_purchases_up_to_time(t, &f, &r, &a)).py()?;
        Ok(out.into_pyarray(py))
    }

    fn probability_alive<'py>(
        &self,
        py: Python<'py>,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        age: &Bound<'py, PyAny>,
    ) -> PyResult<Array<'py>> {
        let (f, r, a) = (floats(frequency, "frequency")?, floats(recency, "recency")?, floats(age, "T")?);
        Ok(self.0.conditional_probability_alive(&f, &r, &a).py()?.into_pyarray(py))
    }

    fn expected_new<'py>(&self, py: Python<'py>, t: &Bound<'py, PyAny>) -> PyResult<Array<'py>> {
        let t = floats(t, "t")?;
        Ok(self.0.expected_number_of_purchases_up_to_time(&t).py()?.into_pyarray(py))
    }

    #[pyo3(signature = (frequency, recency, age, weights=None))]
    fn log_likelihood_of(
        &self,
        frequency: &Bound<'_, PyAny>,
        recency: &Bound<'_, PyAny>,
        age: &Bound<'_, PyAny>,
        weights: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<f64> {
        let (f, r, a) = (floats(frequency, "frequency")?, floats(recency, "recency")?, floats(age, "T")?);
        let w = optional_floats(weights, "weights")?;
        self.0.log_likelihood(&f, &r, &a, w.as_deref()).py()
    }

    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyBetaGeo(BetaGeo::from_json(text).py()?))
    }
}

/// A fitted Gamma-Gamma model (see `nps.value.GammaGamma`).
#[pyclass(module = "nps._nps", name = "_GammaGamma")]
pub struct PyGammaGamma(pub GammaGamma);

#[pymethods]
impl PyGammaGamma {
    #[staticmethod]
    #[pyo3(signature = (frequency, monetary_value, weights, penalizer_coef))]
    fn fit(
        py: Python<'_>,
        frequency: &Bound<'_, PyAny>,
        monetary_value: &Bound<'_, PyAny>,
        weights: Option<&Bound<'_, PyAny>>,
        penalizer_coef: f64,
    ) -> PyResult<Self> {
        let (f, m) = (floats(frequency, "frequency")?, floats(monetary_value, "monetary_value")?);
        let w = optional_floats(weights, "weights")?;
        Ok(PyGammaGamma(py.detach(|| GammaGamma::fit(&f, &m, w.as_deref(), penalizer_coef)).py()?))
    }

    #[staticmethod]
    fn from_params(p: f64, q: f64, v: f64) -> PyResult<Self> {
        Ok(PyGammaGamma(GammaGamma::from_params(p, q, v).py()?))
    }

    #[getter]
    fn params(&self) -> Vec<f64> {
        self.0.params().to_vec()
    }

    #[getter]
    fn fit_summary(&self) -> PyFitSummary {
        PyFitSummary(self.0.fit.clone())
    }

    fn expected_average_profit<'py>(
        &self,
        py: Python<'py>,
        frequency: &Bound<'py, PyAny>,
        monetary_value: &Bound<'py, PyAny>,
    ) -> PyResult<Array<'py>> {
        let (f, m) = (floats(frequency, "frequency")?, floats(monetary_value, "monetary_value")?);
        Ok(self.0.conditional_expected_average_profit(&f, &m).py()?.into_pyarray(py))
    }

    #[allow(clippy::too_many_arguments)]
    fn customer_lifetime_value<'py>(
        &self,
        py: Python<'py>,
        purchases: &PyBetaGeo,
        frequency: &Bound<'py, PyAny>,
        recency: &Bound<'py, PyAny>,
        age: &Bound<'py, PyAny>,
        monetary_value: &Bound<'py, PyAny>,
        months: u32,
        discount_rate: f64,
        freq: String,
    ) -> PyResult<Array<'py>> {
        let (f, r, a) = (floats(frequency, "frequency")?, floats(recency, "recency")?, floats(age, "T")?);
        let m = floats(monetary_value, "monetary_value")?;
        let options = LifetimeValueOptions { months, discount_rate, freq };
        let out = py.detach(|| customer_lifetime_value(&purchases.0, &self.0, &f, &r, &a, &m, &options)).py()?;
        Ok(out.into_pyarray(py))
    }

    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyGammaGamma(GammaGamma::from_json(text).py()?))
    }
}

/// A fitted shifted-beta-geometric model (see `nps.value.ShiftedBetaGeometric`).
#[pyclass(module = "nps._nps", name = "_ShiftedBetaGeometric")]
pub struct PyShiftedBetaGeometric(pub ShiftedBetaGeometric);

#[pymethods]
impl PyShiftedBetaGeometric {
    #[staticmethod]
    fn fit(py: Python<'_>, cohorts: Vec<Bound<'_, PyAny>>) -> PyResult<Self> {
        let single = cohorts.len() == 1;
        let cohorts: Vec<Vec<f64>> = cohorts
            .iter()
            .enumerate()
            .map(|(i, c)| floats(c, &if single { "survivors".to_string() } else { format!("cohorts[{i}]") }))
            .collect::<PyResult<_>>()?;
        let slices: Vec<&[f64]> = cohorts.iter().map(Vec::as_slice).collect();
        Ok(PyShiftedBetaGeometric(py.detach(|| ShiftedBetaGeometric::fit_cohorts(&slices)).py()?))
    }

    #[staticmethod]
    fn from_params(alpha: f64, beta: f64) -> PyResult<Self> {
        Ok(PyShiftedBetaGeometric(ShiftedBetaGeometric::from_params(alpha, beta).py()?))
    }

    #[getter]
    fn params(&self) -> Vec<f64> {
        vec![self.0.alpha, self.0.beta]
    }

    #[getter]
    fn fit_summary(&self) -> PyFitSummary {
        PyFitSummary(self.0.fit.clone())
    }

    fn survival<'py>(&self, py: Python<'py>, periods: u32) -> Array<'py> {
        self.0.survival(periods).into_pyarray(py)
    }

    fn churn_probability<'py>(&self, py: Python<'py>, periods: u32) -> Array<'py> {
        self.0.churn_probability(periods).into_pyarray(py)
    }

    fn retention_rate(&self, t: u32) -> f64 {
        self.0.retention_rate(t)
    }

    fn expected_remaining_lifetime(&self, renewals: u32) -> f64 {
        self.0.expected_remaining_lifetime(renewals)
    }

    fn discounted_expected_residual_lifetime(&self, discount_rate: f64, renewals: u32) -> PyResult<f64> {
        self.0.discounted_expected_residual_lifetime(discount_rate, renewals).py()
    }

    fn to_json(&self) -> String {
        self.0.to_json()
    }

    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        Ok(PyShiftedBetaGeometric(ShiftedBetaGeometric::from_json(text).py()?))
    }
}

/// The RFM summary of transactions: (customer codes, frequency, recency, T, monetary value).
#[pyfunction]
#[pyo3(signature = (customer, time, amount, observation_end, freq, freq_multiplier, include_first_transaction))]
#[allow(clippy::type_complexity, clippy::too_many_arguments)]
fn _value_summary<'py>(
    py: Python<'py>,
    customer: PyReadonlyArray1<'py, u32>,
    time: PyReadonlyArray1<'py, i64>,
    amount: Option<PyReadonlyArray1<'py, f64>>,
    observation_end: Option<i64>,
    freq: &str,
    freq_multiplier: f64,
    include_first_transaction: bool,
) -> PyResult<(Bound<'py, PyArray1<u32>>, Array<'py>, Array<'py>, Array<'py>, Array<'py>)> {
    let options = SummaryOptions {
        observation_end,
        unit: TimeUnit::parse(freq).py()?,
        freq_multiplier,
        include_first_transaction,
    };
    let (c, t) = (customer.as_slice()?, time.as_slice()?);
    let a = amount.as_ref().map(|a| a.as_slice()).transpose()?;
    let s = py.detach(|| summary_from_transactions(c, t, a, &options)).py()?;
    Ok((
        s.customer.into_pyarray(py),
        s.frequency.into_pyarray(py),
        s.recency.into_pyarray(py),
        s.t.into_pyarray(py),
        s.monetary_value.into_pyarray(py),
    ))
}

/// P(churn) × residual value per customer.
#[pyfunction]
fn _value_at_risk<'py>(
    py: Python<'py>,
    churn_probability: &Bound<'py, PyAny>,
    residual_value: &Bound<'py, PyAny>,
) -> PyResult<Array<'py>> {
    let p = floats(churn_probability, "churn_probability")?;
    let v = floats(residual_value, "residual_value")?;
    Ok(value_at_risk(&p, &v).py()?.into_pyarray(py))
}

/// The campaign arithmetic: (value at risk, saved value, net value, order, worth
/// contacting, total net value).
#[pyfunction]
#[allow(clippy::type_complexity)]
fn _plan_campaign<'py>(
    py: Python<'py>,
    churn_probability: &Bound<'py, PyAny>,
    residual_value: &Bound<'py, PyAny>,
    uplift: f64,
    cost: f64,
    acceptance_rate: f64,
) -> PyResult<(Array<'py>, Array<'py>, Array<'py>, Vec<usize>, usize, f64)> {
    let p = floats(churn_probability, "churn_probability")?;
    let v = floats(residual_value, "residual_value")?;
    let plan = plan_campaign(&p, &v, &RetentionAction { uplift, cost, acceptance_rate }).py()?;
    Ok((
        plan.value_at_risk.into_pyarray(py),
        plan.saved_value.into_pyarray(py),
        plan.net_value.into_pyarray(py),
        plan.order,
        plan.worth_contacting,
        plan.total_net_value,
    ))
}

/// Σ_{k=1..periods} (1 + discount_rate)^-k.
#[pyfunction]
fn discounted_periods(periods: u32, discount_rate: f64) -> PyResult<f64> {
    nps_core::value::discounted_periods(periods, discount_rate).py()
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyFitSummary>()?;
    m.add_class::<PyBetaGeo>()?;
    m.add_class::<PyGammaGamma>()?;
    m.add_class::<PyShiftedBetaGeometric>()?;
    m.add_function(wrap_pyfunction!(_value_summary, m)?)?;
    m.add_function(wrap_pyfunction!(_value_at_risk, m)?)?;
    m.add_function(wrap_pyfunction!(_plan_campaign, m)?)?;
    m.add_function(wrap_pyfunction!(discounted_periods, m)?)?;
    Ok(())
}
