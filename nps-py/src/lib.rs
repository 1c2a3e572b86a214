//! Python bindings of `nps-core`, imported as `nps`. Each module here mirrors one module of
//! the core; conversion and errors live in `convert` and `error`.
use pyo3::prelude::*;

mod action;
mod boosted;
mod boosted_ltr;
mod convert;
mod early_warning;
mod encode;
mod error;
mod features;
mod metrics;
mod model;
mod monitor;
mod store;
mod survey;
mod survival;
mod synth;
mod uplift;
mod value;

/// A panic inside a binding call, for the test that proves a panic never crosses into
/// Python (`tests/python/test_hostile.py`): pyo3 turns it into `pyo3_runtime.PanicException`
/// at the boundary, as it does for every function. Not part of the API.
#[pyfunction]
fn _panic_for_test() {
    panic!("a deliberate panic, for the FFI boundary test")
}

#[pymodule]
fn _nps(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    // The core's defaults, for the Python signatures that restate them (`top=DEFAULT_TOP_FACTORS`).
    m.add("DEFAULT_TOP_FACTORS", nps_core::explain::DEFAULT_TOP_FACTORS)?;
    m.add("DEFAULT_TOP_ACTIONS", nps_core::action::DEFAULT_TOP)?;
    m.add("DEFAULT_ALERTS", nps_core::early_warning::DEFAULT_ALERTS)?;
    m.add("DEFAULT_LEVEL", nps_core::stats::DEFAULT_LEVEL)?;
    m.add("DEFAULT_ALPHA", nps_core::stats::DEFAULT_ALPHA)?;
    m.add("DEFAULT_INTERVAL_METHOD", nps_core::survey::IntervalMethod::default().name())?;
    m.add("DEFAULT_COMPARE_METHOD", nps_core::survey::CompareMethod::default().name())?;
    m.add("DEFAULT_POWER", nps_core::survey::DEFAULT_POWER)?;
    m.add("DEFAULT_RECALIBRATION", nps_core::monitor::DEFAULT_RECALIBRATION)?;
    error::register(m)?;
    action::register(m)?;
    survey::register(m)?;
    features::register(m)?;
    features::register_history(m)?;
    early_warning::register(m)?;
    encode::register(m)?;
    metrics::register(m)?;
    model::register(m)?;
    boosted::register(m)?;
    boosted_ltr::register(m)?;
    synth::register(m)?;
    value::register(m)?;
    survival::register(m)?;
    monitor::register(m)?;
    uplift::register(m)?;
    store::register(m)?;
    Ok(())
}
