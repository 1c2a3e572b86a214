//! Python functions for `nps_core::synth`: columns out as numpy arrays; `nps.synth` builds
//! the DataFrames.
use nps_core::synth::{self as core, BaseConfig, CampaignConfig};
use numpy::{IntoPyArray, PyArray1};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::error::IntoPy;

/// Generates a synthetic customer base; returns a dict of columns.
#[pyfunction]
#[pyo3(signature = (customers, seed, as_of, history_days, horizon_days, respond_rate))]
fn _synth_customers<'py>(
    py: Python<'py>,
    customers: usize,
    seed: u64,
    as_of: i64,
    history_days: u32,
    horizon_days: u32,
    respond_rate: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let config = BaseConfig { customers, seed, as_of, history_days, horizon_days, respond_rate };
    let base = py.detach(|| core::customers(&config)).py()?;
    base_dict(py, base)
}

/// Generates the base as of a later date with drift (see `nps_core::synth::drifted_customers`):
/// the dict of `_synth_customers` with `drifted_kinds`, `network_hit`, `as_of` and
/// `drift_from`. `as_of` None: the default drifted date; `drift_from` None: the default
/// days before `as_of`.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (customers, seed, as_of, history_days, horizon_days, respond_rate, drift_from, price_change, network_share, network_churn_effect))]
fn _synth_drifted<'py>(
    py: Python<'py>,
    customers: usize,
    seed: u64,
    as_of: Option<i64>,
    history_days: u32,
    horizon_days: u32,
    respond_rate: f64,
    drift_from: Option<i64>,
    price_change: f64,
    network_share: f64,
    network_churn_effect: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let default = core::DriftConfig::default();
    let as_of = as_of.unwrap_or(default.base.as_of);
    let base = BaseConfig { customers, seed, as_of, history_days, horizon_days, respond_rate };
    let config = core::DriftConfig {
        base,
        drift_from: drift_from.unwrap_or(as_of - core::DRIFT_DAYS_BEFORE_AS_OF * 86_400),
        price_change,
        network_share,
        network_churn_effect,
    };
    let drifted = py.detach(|| core::drifted_customers(&config)).py()?;
    let d = base_dict(py, drifted.base)?;
    d.set_item("drifted_kinds", drifted.drifted_kinds)?;
    d.set_item("network_hit", PyArray1::from_iter(py, drifted.network_hit.iter().copied()))?;
    d.set_item("as_of", as_of)?;
    d.set_item("drift_from", config.drift_from)?;
    Ok(d)
}

fn base_dict(py: Python<'_>, base: core::SyntheticBase) -> PyResult<Bound<'_, PyDict>> {
    let d = PyDict::new(py);
    let ev = base.events;
    d.set_item("customer", ev.customer.into_pyarray(py))?;
    d.set_item("time", ev.time.into_pyarray(py))?;
    d.set_item("kind", ev.kind.into_pyarray(py))?;
    d.set_item("kinds", ev.kinds)?;
    d.set_item("value", ev.value.into_pyarray(py))?;
    d.set_item("duration", ev.duration.into_pyarray(py))?;
    d.set_item("department", ev.department.into_pyarray(py))?;
    d.set_item("departments", ev.departments)?;
    d.set_item("case", ev.case.into_pyarray(py))?;
    d.set_item("flag", ev.flag.into_pyarray(py))?;
    d.set_item("customer_ids", base.customer_ids)?;
    d.set_item("plan", base.plan.into_pyarray(py))?;
    d.set_item("plans", core::PLANS.to_vec())?;
    d.set_item("segment", base.segment.into_pyarray(py))?;
    d.set_item("segments", core::SEGMENTS.to_vec())?;
    d.set_item("churned", PyArray1::from_iter(py, base.churned.iter().copied()))?;
    let churn_time: Vec<i64> = base.churn_time.iter().map(|t| t.unwrap_or(i64::MIN)).collect();
    d.set_item("churn_time", churn_time.into_pyarray(py))?;
    d.set_item("churn_probability", base.churn_probability.into_pyarray(py))?;
    d.set_item("true_score", base.true_score.into_pyarray(py))?;
    d.set_item("survey_customer", base.surveys.customer.into_pyarray(py))?;
    d.set_item("survey_time", base.surveys.time.into_pyarray(py))?;
    d.set_item("survey_score", base.surveys.score.into_pyarray(py))?;
    d.set_item("drivers", base.drivers.into_pyarray(py))?;
    d.set_item("driver_names", core::DRIVERS.to_vec())?;
    Ok(d)
}

/// Runs a campaign on the generated base of the same arguments; returns a dict of columns.
#[pyfunction]
#[allow(clippy::too_many_arguments)]
#[pyo3(signature = (customers, seed, as_of, history_days, horizon_days, respond_rate, campaign_seed, treated_share))]
fn _synth_campaign<'py>(
    py: Python<'py>,
    customers: usize,
    seed: u64,
    as_of: i64,
    history_days: u32,
    horizon_days: u32,
    respond_rate: f64,
    campaign_seed: u64,
    treated_share: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let config = BaseConfig { customers, seed, as_of, history_days, horizon_days, respond_rate };
    let campaign = CampaignConfig { seed: campaign_seed, treated_share };
    let c = py.detach(|| core::customers(&config).and_then(|base| core::campaign(&base, &campaign))).py()?;
    let d = PyDict::new(py);
    d.set_item("treated", PyArray1::from_iter(py, c.treated.iter().copied()))?;
    d.set_item("churned", PyArray1::from_iter(py, c.churned.iter().copied()))?;
    d.set_item("customer_type", c.customer_type.into_pyarray(py))?;
    d.set_item("customer_types", core::CUSTOMER_TYPES.to_vec())?;
    d.set_item("churn_if_control", c.churn_if_control.into_pyarray(py))?;
    d.set_item("churn_if_treated", c.churn_if_treated.into_pyarray(py))?;
    d.set_item("true_uplift", c.true_uplift.into_pyarray(py))?;
    Ok(d)
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_synth_customers, m)?)?;
    m.add_function(wrap_pyfunction!(_synth_campaign, m)?)?;
    m.add("SYNTH_DEFAULT_CAMPAIGN_SEED", core::DEFAULT_CAMPAIGN_SEED)?;
    m.add("SYNTH_DEFAULT_TREATED_SHARE", core::DEFAULT_TREATED_SHARE)?;
    m.add_function(wrap_pyfunction!(_synth_drifted, m)?)?;
    m.add("SYNTH_PRICE_CHANGE", core::DEFAULT_PRICE_CHANGE)?;
    m.add("SYNTH_NETWORK_SHARE", core::DEFAULT_NETWORK_SHARE)?;
    m.add("SYNTH_NETWORK_CHURN_EFFECT", core::DEFAULT_NETWORK_CHURN_EFFECT)?;
    Ok(())
}
