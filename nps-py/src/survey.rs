//! Python classes and functions for `nps_core::survey`.
use nps_core::survey::{
    self as core, CompareMethod, IntervalMethod, MissingPolicy, NonIntegerPolicy, OutOfRangePolicy, Period,
    PlanningShares, ReportOptions, ScoreOptions,
};
use numpy::PyReadonlyArray1;
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::convert::{floats, numbers, with_slice};
use crate::error::{error, IntoPy};

/// An answer scale with its category breaks (default 0–10: detractors 0–6, passives 7–8,
/// promoters 9–10).
#[pyclass(module = "nps", name = "Scale", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyScale(pub core::Scale);

#[pymethods]
impl PyScale {
    #[new]
    #[pyo3(signature = (min=0.0, detractor_max=6.0, passive_max=8.0, max=10.0))]
    fn new(min: f64, detractor_max: f64, passive_max: f64, max: f64) -> PyResult<Self> {
        Ok(PyScale(core::Scale::new(min, detractor_max, passive_max, max).py()?))
    }

    /// A scale from R NPS-package style breaks (b0, b1, b2, b3): detractors in [b0, b1],
    /// passives in (b1, b2], promoters in (b2, b3].
    #[staticmethod]
    fn from_breaks(breaks: Vec<f64>) -> PyResult<Self> {
        Ok(PyScale(core::Scale::from_breaks(&breaks).py()?))
    }

    #[getter]
    fn min(&self) -> f64 {
        self.0.min
    }
    #[getter]
    fn detractor_max(&self) -> f64 {
        self.0.detractor_max
    }
    #[getter]
    fn passive_max(&self) -> f64 {
        self.0.passive_max
    }
    #[getter]
    fn max(&self) -> f64 {
        self.0.max
    }
    /// The four bounds (min, detractor_max, passive_max, max).
    #[getter]
    fn breaks(&self) -> (f64, f64, f64, f64) {
        let b = self.0.breaks();
        (b[0], b[1], b[2], b[3])
    }
    /// The category name ("detractor", "passive" or "promoter") of one answer.
    fn category(&self, score: f64) -> PyResult<&'static str> {
        let t = core::Tally::from_scores(
            &[score],
            &ScoreOptions { scale: self.0, non_integer: NonIntegerPolicy::RightClosed, ..Default::default() },
        )
        .py()?;
        Ok(if t.counts[0] == 1 {
            "detractor"
        } else if t.counts[1] == 1 {
            "passive"
        } else {
            "promoter"
        })
    }
    fn __repr__(&self) -> String {
        let b = self.0.breaks();
        format!("Scale(min={}, detractor_max={}, passive_max={}, max={})", b[0], b[1], b[2], b[3])
    }
    fn __reduce__<'py>(slf: &Bound<'py, Self>) -> (Bound<'py, PyAny>, (f64, f64, f64, f64)) {
        let b = slf.get().0.breaks();
        (slf.get_type().into_any(), (b[0], b[1], b[2], b[3]))
    }
}

/// Reads the scale argument: an `nps.Scale`, four breaks, or None for the default.
fn scale_arg(scale: Option<&Bound<'_, PyAny>>) -> PyResult<core::Scale> {
    match scale {
        None => Ok(core::Scale::default()),
        Some(s) if s.is_none() => Ok(core::Scale::default()),
        Some(s) => {
            if let Ok(sc) = s.cast::<PyScale>() {
                return Ok(sc.get().0);
            }
            let breaks: Vec<f64> = s
                .extract()
                .map_err(|_| error("INVALID_PARAMETER", "scale must be an nps.Scale or four breaks".into()))?;
            core::Scale::from_breaks(&breaks).py()
        }
    }
}

fn score_options(
    scale: Option<&Bound<'_, PyAny>>,
    non_integer: &str,
    missing: &str,
    out_of_range: &str,
) -> PyResult<ScoreOptions> {
    Ok(ScoreOptions {
        scale: scale_arg(scale)?,
        non_integer: non_integer.parse::<NonIntegerPolicy>().py()?,
        missing: missing.parse::<MissingPolicy>().py()?,
        out_of_range: out_of_range.parse::<OutOfRangePolicy>().py()?,
    })
}

fn prior_arg(prior: Option<(f64, f64, f64)>) -> Option<[f64; 3]> {
    prior.map(|p| [p.0, p.1, p.2])
}

/// The HTML of a result, built by `nps._html.<builder>` so that every result shows in
/// Jupyter in one style (and text is escaped in one place).
fn repr_html(obj: &Bound<'_, PyAny>, builder: &str) -> PyResult<String> {
    obj.py().import("nps._html")?.getattr(builder)?.call1((obj,))?.extract()
}

/// Counts of detractors, passives and promoters (optionally weighted); merges with `+`.
#[pyclass(module = "nps", name = "Tally", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyTally(pub core::Tally);

#[pymethods]
impl PyTally {
    /// Tallies raw answers (list, numpy array of any numeric dtype, or pandas Series).
    #[staticmethod]
    #[pyo3(signature = (scores, weights=None, *, scale=None, non_integer="error", missing="error", out_of_range="error"))]
    #[allow(clippy::too_many_arguments)]
    fn from_scores(
        py: Python<'_>,
        scores: &Bound<'_, PyAny>,
        weights: Option<&Bound<'_, PyAny>>,
        scale: Option<&Bound<'_, PyAny>>,
        non_integer: &str,
        missing: &str,
        out_of_range: &str,
    ) -> PyResult<Self> {
        let options = score_options(scale, non_integer, missing, out_of_range)?;
        let scores = numbers(scores, "scores")?;
        let weights = match weights {
            Some(w) if !w.is_none() => Some(floats(w, "weights")?),
            _ => None,
        };
        let tally = with_slice!(scores, |s| py.detach(|| match &weights {
            None => core::Tally::from_scores(s, &options),
            Some(w) => core::Tally::from_weighted_scores(s, w, &options),
        }));
        Ok(PyTally(tally.py()?))
    }

    /// A tally from counts already made.
    #[staticmethod]
    fn from_counts(detractors: u64, passives: u64, promoters: u64) -> PyResult<Self> {
        Ok(PyTally(core::Tally::from_counts(detractors, passives, promoters).py()?))
    }

    #[getter]
    fn detractors(&self) -> u64 {
        self.0.counts[0]
    }
    #[getter]
    fn passives(&self) -> u64 {
        self.0.counts[1]
    }
    #[getter]
    fn promoters(&self) -> u64 {
        self.0.counts[2]
    }
    /// (detractors, passives, promoters).
    #[getter]
    fn counts(&self) -> (u64, u64, u64) {
        let c = self.0.counts;
        (c[0], c[1], c[2])
    }
    /// Sums of weights per category (equal to the counts when unweighted).
    #[getter]
    fn weights(&self) -> (f64, f64, f64) {
        let w = self.0.weights;
        (w[0], w[1], w[2])
    }
    #[getter]
    fn n(&self) -> u64 {
        self.0.n()
    }
    #[getter]
    fn skipped(&self) -> u64 {
        self.0.skipped
    }
    /// Answers off the scale left out under `out_of_range="skip"`.
    #[getter]
    fn out_of_range(&self) -> u64 {
        self.0.out_of_range
    }
    #[getter]
    fn total_weight(&self) -> f64 {
        self.0.total_weight()
    }
    #[getter]
    fn is_weighted(&self) -> bool {
        self.0.is_weighted()
    }
    #[getter]
    fn detractor_share(&self) -> f64 {
        self.0.detractor_share()
    }
    #[getter]
    fn passive_share(&self) -> f64 {
        self.0.passive_share()
    }
    #[getter]
    fn promoter_share(&self) -> f64 {
        self.0.promoter_share()
    }
    /// Net Promoter Score in points (−100..100).
    #[getter]
    fn nps(&self) -> f64 {
        self.0.nps()
    }
    /// Variance of the NPS estimate in points² (linearised when weighted).
    #[getter]
    fn variance(&self) -> f64 {
        self.0.variance()
    }
    /// Standard error of the NPS in points.
    #[getter]
    fn se(&self) -> f64 {
        self.0.se()
    }
    /// Kish effective sample size.
    #[getter]
    fn effective_n(&self) -> f64 {
        self.0.effective_n()
    }

    /// Interval for the NPS: method "adjusted_wald" (default), "wald", "score" or "bayes"
    /// (with `prior`, default (1, 1, 1)).
    #[pyo3(signature = (method="adjusted_wald", level=0.95, prior=None))]
    fn interval(
        &self,
        py: Python<'_>,
        method: &str,
        level: f64,
        prior: Option<(f64, f64, f64)>,
    ) -> PyResult<PyInterval> {
        let method = IntervalMethod::parse(method, prior_arg(prior)).py()?;
        let t = self.0;
        Ok(PyInterval(py.detach(|| t.interval(method, level)).py()?))
    }

    /// The tally of the union of two disjoint samples (also `a + b`).
    fn merge(&self, other: &PyTally) -> PyTally {
        PyTally(self.0.merge(&other.0))
    }
    fn __add__(&self, other: &PyTally) -> PyTally {
        self.merge(other)
    }

    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("detractors", self.0.counts[0])?;
        d.set_item("passives", self.0.counts[1])?;
        d.set_item("promoters", self.0.counts[2])?;
        d.set_item("n", self.0.n())?;
        d.set_item("skipped", self.0.skipped)?;
        d.set_item("out_of_range", self.0.out_of_range)?;
        d.set_item("nps", self.0.nps())?;
        d.set_item("se", self.0.se())?;
        d.set_item("effective_n", self.0.effective_n())?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        let c = self.0.counts;
        let w = if self.0.is_weighted() { format!(", effective_n={:.1}", self.0.effective_n()) } else { String::new() };
        format!(
            "Tally(detractors={}, passives={}, promoters={}, nps={:.2}, se={:.2}{w})",
            c[0],
            c[1],
            c[2],
            self.0.nps(),
            self.0.se()
        )
    }

    /// HTML for Jupyter: counts and shares per category, NPS, SE and its interval.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_html(slf.as_any(), "tally")
    }

    #[allow(clippy::type_complexity)]
    fn __reduce__<'py>(
        slf: &Bound<'py, Self>,
    ) -> PyResult<(Bound<'py, PyAny>, ((Vec<u64>, Vec<f64>, Vec<f64>, u64, u64),))> {
        let t = slf.get().0;
        let state = (t.counts.to_vec(), t.weights.to_vec(), t.weights_sq.to_vec(), t.skipped, t.out_of_range);
        Ok((slf.get_type().getattr("_from_state")?, (state,)))
    }

    #[staticmethod]
    #[pyo3(signature = (state))]
    fn _from_state(state: &Bound<'_, PyAny>) -> PyResult<Self> {
        // Pickles made before `out_of_range` was kept hold four fields.
        let state: (Vec<u64>, Vec<f64>, Vec<f64>, u64, u64) = match state.extract() {
            Ok(s) => s,
            Err(_) => {
                let (a, b, c, d): (Vec<u64>, Vec<f64>, Vec<f64>, u64) = state.extract()?;
                (a, b, c, d, 0)
            }
        };
        let bad =
            || error("INVALID_PARAMETER", "tally state must hold three counts, weights and squared weights".into());
        Ok(PyTally(core::Tally {
            counts: state.0.try_into().map_err(|_| bad())?,
            weights: state.1.try_into().map_err(|_| bad())?,
            weights_sq: state.2.try_into().map_err(|_| bad())?,
            skipped: state.3,
            out_of_range: state.4,
        }))
    }
}

/// An interval estimate of the NPS, in points.
#[pyclass(module = "nps", name = "Interval", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyInterval(pub core::Interval);

#[pymethods]
impl PyInterval {
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method.name()
    }
    #[getter]
    fn level(&self) -> f64 {
        self.0.level
    }
    #[getter]
    fn low(&self) -> f64 {
        self.0.low
    }
    #[getter]
    fn high(&self) -> f64 {
        self.0.high
    }
    #[getter]
    fn center(&self) -> f64 {
        self.0.center
    }
    #[getter]
    fn se(&self) -> f64 {
        self.0.se
    }
    /// Half the width in points.
    #[getter]
    fn margin(&self) -> f64 {
        self.0.margin()
    }
    /// The interval cut to [−100, 100] for display.
    fn clipped(&self) -> PyInterval {
        PyInterval(self.0.clipped())
    }
    fn contains(&self, value: f64) -> bool {
        self.0.contains(value)
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("method", self.0.method.name())?;
        d.set_item("level", self.0.level)?;
        d.set_item("low", self.0.low)?;
        d.set_item("high", self.0.high)?;
        d.set_item("center", self.0.center)?;
        d.set_item("se", self.0.se)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let i = &self.0;
        format!(
            "Interval(method='{}', level={}, low={:.2}, high={:.2}, center={:.2}, se={:.2})",
            i.method.name(),
            i.level,
            i.low,
            i.high,
            i.center,
            i.se
        )
    }
}

/// The comparison of two samples' NPS (A minus B), in points.
#[pyclass(module = "nps", name = "Comparison", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyComparison(pub core::Comparison);

#[pymethods]
impl PyComparison {
    #[getter]
    fn method(&self) -> &'static str {
        self.0.method.name()
    }
    #[getter]
    fn level(&self) -> f64 {
        self.0.level
    }
    #[getter]
    fn diff(&self) -> f64 {
        self.0.diff
    }
    #[getter]
    fn se(&self) -> f64 {
        self.0.se
    }
    #[getter]
    fn z(&self) -> f64 {
        self.0.z
    }
    #[getter]
    fn p_value(&self) -> f64 {
        self.0.p_value
    }
    #[getter]
    fn low(&self) -> f64 {
        self.0.low
    }
    #[getter]
    fn high(&self) -> f64 {
        self.0.high
    }
    /// +1 when A is significantly higher, −1 when significantly lower, else 0.
    #[getter]
    fn direction(&self) -> i8 {
        self.0.direction
    }
    #[getter]
    fn is_significant(&self) -> bool {
        self.0.is_significant()
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let c = &self.0;
        let d = PyDict::new(py);
        d.set_item("method", c.method.name())?;
        d.set_item("level", c.level)?;
        d.set_item("diff", c.diff)?;
        d.set_item("se", c.se)?;
        d.set_item("z", c.z)?;
        d.set_item("p_value", c.p_value)?;
        d.set_item("low", c.low)?;
        d.set_item("high", c.high)?;
        d.set_item("direction", c.direction)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        let c = &self.0;
        format!(
            "Comparison(method='{}', diff={:.2}, se={:.2}, z={:.3}, p_value={:.4}, low={:.2}, high={:.2}, direction={})",
            c.method.name(), c.diff, c.se, c.z, c.p_value, c.low, c.high, c.direction
        )
    }
    /// HTML for Jupyter: the difference, its SE, z, p-value, interval and verdict.
    fn _repr_html_(slf: &Bound<'_, Self>) -> PyResult<String> {
        repr_html(slf.as_any(), "comparison")
    }
}

/// Planned promoter and detractor shares (fractions) for sample-size calculations.
#[pyclass(module = "nps", name = "PlanningShares", frozen, eq, from_py_object)]
#[derive(Clone, PartialEq)]
pub struct PyPlanningShares(pub PlanningShares);

#[pymethods]
impl PyPlanningShares {
    #[new]
    #[pyo3(signature = (promoter=0.5, detractor=0.5))]
    fn new(promoter: f64, detractor: f64) -> PyResult<Self> {
        Ok(PyPlanningShares(PlanningShares::new(promoter, detractor).py()?))
    }
    #[getter]
    fn promoter(&self) -> f64 {
        self.0.promoter
    }
    #[getter]
    fn detractor(&self) -> f64 {
        self.0.detractor
    }
    fn __repr__(&self) -> String {
        format!("PlanningShares(promoter={}, detractor={})", self.0.promoter, self.0.detractor)
    }
}

fn shares_arg(s: Option<PyRef<'_, PyPlanningShares>>) -> PlanningShares {
    s.map(|s| s.0).unwrap_or_default()
}

/// Compares A with B: difference, SE, z, two-sided p-value, interval and direction.
#[pyfunction]
#[pyo3(signature = (a, b, method="wald", level=0.95))]
fn compare(a: &PyTally, b: &PyTally, method: &str, level: f64) -> PyResult<PyComparison> {
    let method = method.parse::<CompareMethod>().py()?;
    Ok(PyComparison(core::compare(&a.0, &b.0, method, level).py()?))
}

/// Posterior probability that A's NPS exceeds B's (Dirichlet posteriors, `prior`).
#[pyfunction]
#[pyo3(signature = (a, b, prior=(1.0, 1.0, 1.0)))]
fn prob_greater(py: Python<'_>, a: &PyTally, b: &PyTally, prior: (f64, f64, f64)) -> PyResult<f64> {
    let (a, b) = (a.0, b.0);
    py.detach(|| core::prob_greater(&a, &b, [prior.0, prior.1, prior.2])).py()
}

/// Respondents needed for a margin of ± `margin` points at `level`.
#[pyfunction]
#[pyo3(signature = (margin, level=0.95, shares=None, population=None))]
fn sample_size(
    margin: f64,
    level: f64,
    shares: Option<PyRef<'_, PyPlanningShares>>,
    population: Option<u64>,
) -> PyResult<u64> {
    core::sample_size(margin, level, shares_arg(shares), population).py()
}

/// Respondents needed per group to detect a difference of `difference` points.
#[pyfunction]
#[pyo3(signature = (difference, level=0.95, power=0.8, shares_a=None, shares_b=None))]
fn sample_size_difference(
    difference: f64,
    level: f64,
    power: f64,
    shares_a: Option<PyRef<'_, PyPlanningShares>>,
    shares_b: Option<PyRef<'_, PyPlanningShares>>,
) -> PyResult<u64> {
    core::sample_size_difference(difference, level, power, shares_arg(shares_a), shares_arg(shares_b)).py()
}

#[allow(clippy::too_many_arguments)]
fn report_options(
    scale: Option<&Bound<'_, PyAny>>,
    non_integer: &str,
    missing: &str,
    out_of_range: &str,
    method: &str,
    prior: Option<(f64, f64, f64)>,
    compare: &str,
    level: f64,
) -> PyResult<ReportOptions> {
    Ok(ReportOptions {
        scores: score_options(scale, non_integer, missing, out_of_range)?,
        interval: IntervalMethod::parse(method, prior_arg(prior)).py()?,
        compare: compare.parse::<CompareMethod>().py()?,
        level,
    })
}

fn optional_weights(weights: Option<&Bound<'_, PyAny>>) -> PyResult<Option<Vec<f64>>> {
    match weights {
        Some(w) if !w.is_none() => Ok(Some(floats(w, "weights")?)),
        _ => Ok(None),
    }
}

/// Columns shared by breakdown and trend rows.
#[derive(Default)]
struct Columns {
    n: Vec<u64>,
    detractors: Vec<u64>,
    passives: Vec<u64>,
    promoters: Vec<u64>,
    skipped: Vec<u64>,
    out_of_range: Vec<u64>,
    nps: Vec<f64>,
    se: Vec<f64>,
    low: Vec<f64>,
    high: Vec<f64>,
}

impl Columns {
    fn push(&mut self, t: &core::Tally, i: Option<&core::Interval>) {
        self.n.push(t.n());
        self.detractors.push(t.counts[0]);
        self.passives.push(t.counts[1]);
        self.promoters.push(t.counts[2]);
        self.skipped.push(t.skipped);
        self.out_of_range.push(t.out_of_range);
        self.nps.push(t.nps());
        self.se.push(t.se());
        self.low.push(i.map_or(f64::NAN, |i| i.low));
        self.high.push(i.map_or(f64::NAN, |i| i.high));
    }

    fn into_dict<'py>(self, d: &Bound<'py, PyDict>) -> PyResult<()> {
        d.set_item("n", self.n)?;
        d.set_item("detractors", self.detractors)?;
        d.set_item("passives", self.passives)?;
        d.set_item("promoters", self.promoters)?;
        d.set_item("skipped", self.skipped)?;
        d.set_item("out_of_range", self.out_of_range)?;
        d.set_item("nps", self.nps)?;
        d.set_item("se", self.se)?;
        d.set_item("low", self.low)?;
        d.set_item("high", self.high)?;
        Ok(())
    }
}

/// NPS by segment code; the Python layer maps codes back to labels. Returns a dict of
/// columns with `code` first.
#[pyfunction]
#[pyo3(signature = (scores, codes, weights, scale, non_integer, missing, out_of_range, method, prior, level))]
#[allow(clippy::too_many_arguments)]
fn _breakdown<'py>(
    py: Python<'py>,
    scores: &Bound<'py, PyAny>,
    codes: PyReadonlyArray1<'py, i64>,
    weights: Option<&Bound<'py, PyAny>>,
    scale: Option<&Bound<'py, PyAny>>,
    non_integer: &str,
    missing: &str,
    out_of_range: &str,
    method: &str,
    prior: Option<(f64, f64, f64)>,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let options = report_options(scale, non_integer, missing, out_of_range, method, prior, "wald", level)?;
    let scores = numbers(scores, "scores")?;
    let weights = optional_weights(weights)?;
    let codes = codes.as_slice().map_err(|_| error("INVALID_PARAMETER", "segment codes must be contiguous".into()))?;
    let rows = with_slice!(scores, |s| py.detach(|| core::breakdown(s, codes, weights.as_deref(), &options))).py()?;
    breakdown_columns(py, &rows)
}

/// NPS by period; `timestamps` are seconds since the Unix epoch (UTC). Returns a dict of
/// columns.
#[pyfunction]
#[pyo3(signature = (scores, timestamps, period, weights, scale, non_integer, missing, out_of_range, method, prior, compare, level))]
#[allow(clippy::too_many_arguments)]
fn _trend<'py>(
    py: Python<'py>,
    scores: &Bound<'py, PyAny>,
    timestamps: PyReadonlyArray1<'py, i64>,
    period: &str,
    weights: Option<&Bound<'py, PyAny>>,
    scale: Option<&Bound<'py, PyAny>>,
    non_integer: &str,
    missing: &str,
    out_of_range: &str,
    method: &str,
    prior: Option<(f64, f64, f64)>,
    compare: &str,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let options = report_options(scale, non_integer, missing, out_of_range, method, prior, compare, level)?;
    let period = period.parse::<Period>().py()?;
    let scores = numbers(scores, "scores")?;
    let weights = optional_weights(weights)?;
    let ts = timestamps.as_slice().map_err(|_| error("INVALID_PARAMETER", "timestamps must be contiguous".into()))?;
    let rows = with_slice!(scores, |s| py.detach(|| core::trend(s, ts, period, weights.as_deref(), &options))).py()?;
    trend_columns(py, &rows)
}

/// A breakdown's rows as a dict of columns (`code`: the segment code of each row).
fn breakdown_columns<'py, K: IntoPyObject<'py> + Copy>(
    py: Python<'py>,
    rows: &[core::SegmentRow<K>],
) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("code", rows.iter().map(|r| r.segment).collect::<Vec<_>>())?;
    let mut cols = Columns::default();
    for r in rows {
        cols.push(&r.tally, r.interval.as_ref());
    }
    cols.into_dict(&d)?;
    Ok(d)
}

/// A trend's rows as a dict of columns.
fn trend_columns<'py>(py: Python<'py>, rows: &[core::TrendRow]) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("period", rows.iter().map(|r| r.period.label()).collect::<Vec<_>>())?;
    d.set_item("start", rows.iter().map(|r| r.period.start).collect::<Vec<_>>())?;
    let mut cols = Columns::default();
    for r in rows {
        cols.push(&r.tally, r.interval.as_ref());
    }
    cols.into_dict(&d)?;
    let change = |f: fn(&core::Comparison) -> f64| {
        rows.iter().map(|r| r.change.as_ref().map_or(f64::NAN, f)).collect::<Vec<_>>()
    };
    d.set_item("diff", change(|c| c.diff))?;
    d.set_item("diff_se", change(|c| c.se))?;
    d.set_item("p_value", change(|c| c.p_value))?;
    d.set_item("direction", rows.iter().map(|r| r.change.as_ref().map_or(0, |c| c.direction)).collect::<Vec<_>>())?;
    Ok(d)
}

/// The mergeable state of a tally, as one row of floats: the counts, weights and squared
/// weights of the three categories, then skipped and out of range (counts are exact in
/// f64 up to 2^53).
const STATE_WIDTH: usize = 11;

fn state_row(t: &core::Tally) -> [f64; STATE_WIDTH] {
    let c = t.counts.map(|c| c as f64);
    [
        c[0],
        c[1],
        c[2],
        t.weights[0],
        t.weights[1],
        t.weights[2],
        t.weights_sq[0],
        t.weights_sq[1],
        t.weights_sq[2],
        t.skipped as f64,
        t.out_of_range as f64,
    ]
}

fn tally_of(row: &[f64], index: usize) -> PyResult<core::Tally> {
    let count = |x: f64, what: &str| -> PyResult<u64> {
        if x >= 0.0 && x.fract() == 0.0 && x < 9.007_199_254_740_992e15 {
            Ok(x as u64)
        } else {
            Err(crate::error::to_py(nps_core::NpsError::invalid(&format!("states[{index}] {what}"), x, "a count")))
        }
    };
    Ok(core::Tally {
        counts: [count(row[0], "detractors")?, count(row[1], "passives")?, count(row[2], "promoters")?],
        weights: [row[3], row[4], row[5]],
        weights_sq: [row[6], row[7], row[8]],
        skipped: count(row[9], "skipped")?,
        out_of_range: count(row[10], "out_of_range")?,
    })
}

fn tallies_of(states: &numpy::PyReadonlyArray2<'_, f64>) -> PyResult<Vec<core::Tally>> {
    let a = states.as_array();
    if a.ncols() != STATE_WIDTH {
        return Err(crate::error::to_py(nps_core::NpsError::invalid(
            "states",
            format!("{} columns", a.ncols()),
            &format!("{STATE_WIDTH} columns (the tally states _tally_groups gives)"),
        )));
    }
    a.rows().into_iter().enumerate().map(|(i, r)| tally_of(&r.to_vec(), i)).collect()
}

/// The answers tallied by group code, for a scale-out engine to merge (see
/// `nps_core::survey::group_tallies`): (the codes that occur, in order; one state row of
/// 11 floats each).
#[pyfunction]
#[pyo3(signature = (scores, codes, weights, scale, non_integer, missing, out_of_range))]
#[allow(clippy::too_many_arguments, clippy::type_complexity)]
fn _tally_groups<'py>(
    py: Python<'py>,
    scores: &Bound<'py, PyAny>,
    codes: PyReadonlyArray1<'py, i64>,
    weights: Option<&Bound<'py, PyAny>>,
    scale: Option<&Bound<'py, PyAny>>,
    non_integer: &str,
    missing: &str,
    out_of_range: &str,
) -> PyResult<(Bound<'py, numpy::PyArray1<i64>>, Bound<'py, numpy::PyArray2<f64>>)> {
    let options = score_options(scale, non_integer, missing, out_of_range)?;
    let scores = numbers(scores, "scores")?;
    let weights = optional_weights(weights)?;
    let codes = codes.as_slice().map_err(|_| error("INVALID_PARAMETER", "segment codes must be contiguous".into()))?;
    let groups =
        with_slice!(scores, |s| py.detach(|| core::group_tallies(s, codes, weights.as_deref(), &options))).py()?;
    let keys: Vec<i64> = groups.keys().copied().collect();
    let mut states = numpy::ndarray::Array2::<f64>::zeros((groups.len(), STATE_WIDTH));
    for (mut row, t) in states.rows_mut().into_iter().zip(groups.values()) {
        row.assign(&numpy::ndarray::ArrayView1::from(&state_row(t)));
    }
    Ok((numpy::PyArray1::from_vec(py, keys), numpy::PyArray2::from_owned_array(py, states)))
}

/// `_breakdown`'s columns from merged tally states (one row per segment, in the order
/// given; `code` is the row number).
#[pyfunction]
#[pyo3(signature = (states, method, prior, level))]
fn _breakdown_tallies<'py>(
    py: Python<'py>,
    states: numpy::PyReadonlyArray2<'py, f64>,
    method: &str,
    prior: Option<(f64, f64, f64)>,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let options = report_options(None, "error", "error", "error", method, prior, "wald", level)?;
    let tallies = tallies_of(&states)?;
    let rows = core::breakdown_tallies(tallies.into_iter().enumerate(), &options).py()?;
    breakdown_columns(py, &rows)
}

/// `_trend`'s columns from merged tally states by period start (epoch seconds, as
/// `_period_starts` gives them).
#[pyfunction]
#[pyo3(signature = (starts, states, period, method, prior, compare, level))]
#[allow(clippy::too_many_arguments)]
fn _trend_tallies<'py>(
    py: Python<'py>,
    starts: Vec<i64>,
    states: numpy::PyReadonlyArray2<'py, f64>,
    period: &str,
    method: &str,
    prior: Option<(f64, f64, f64)>,
    compare: &str,
    level: f64,
) -> PyResult<Bound<'py, PyDict>> {
    let options = report_options(None, "error", "error", "error", method, prior, compare, level)?;
    let period = period.parse::<Period>().py()?;
    let tallies = tallies_of(&states)?;
    if starts.len() != tallies.len() {
        return Err(crate::error::to_py(nps_core::NpsError::LengthMismatch {
            field: "starts".into(),
            actual: starts.len(),
            other: "states".into(),
            expected: tallies.len(),
        }));
    }
    let mut groups = std::collections::BTreeMap::new();
    for (start, t) in starts.iter().zip(tallies) {
        let merged = groups.entry(period.key(*start)).or_insert_with(core::Tally::empty);
        *merged = *merged + t;
    }
    let rows = core::trend_tallies(groups, &options).py()?;
    trend_columns(py, &rows)
}

/// The start (epoch seconds, UTC) of the period of each time.
#[pyfunction]
fn _period_starts<'py>(
    py: Python<'py>,
    seconds: PyReadonlyArray1<'py, i64>,
    period: &str,
) -> PyResult<Bound<'py, numpy::PyArray1<i64>>> {
    let period = period.parse::<Period>().py()?;
    let starts: Vec<i64> = seconds.as_array().iter().map(|t| period.key(*t).start).collect();
    Ok(numpy::PyArray1::from_vec(py, starts))
}

/// Every bad answer: (positions, values, problems, messages), see
/// `nps_core::survey::validate_scores`.
#[pyfunction]
#[pyo3(signature = (scores, scale, non_integer))]
#[allow(clippy::type_complexity)]
fn _validate_scores(
    py: Python<'_>,
    scores: &Bound<'_, PyAny>,
    scale: Option<&Bound<'_, PyAny>>,
    non_integer: &str,
) -> PyResult<(Vec<usize>, Vec<f64>, Vec<&'static str>, Vec<String>)> {
    let options = score_options(scale, non_integer, "error", "error")?;
    let scores = numbers(scores, "scores")?;
    let bad = with_slice!(scores, |s| py.detach(|| core::validate_scores(s, &options)));
    Ok((
        bad.iter().map(|b| b.index).collect(),
        bad.iter().map(|b| b.value).collect(),
        bad.iter().map(|b| b.problem.as_str()).collect(),
        bad.iter().map(|b| b.error(&options).to_string()).collect(),
    ))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_validate_scores, m)?)?;
    m.add_class::<PyScale>()?;
    m.add_class::<PyTally>()?;
    m.add_class::<PyInterval>()?;
    m.add_class::<PyComparison>()?;
    m.add_class::<PyPlanningShares>()?;
    m.add_function(wrap_pyfunction!(compare, m)?)?;
    m.add_function(wrap_pyfunction!(prob_greater, m)?)?;
    m.add_function(wrap_pyfunction!(sample_size, m)?)?;
    m.add_function(wrap_pyfunction!(sample_size_difference, m)?)?;
    m.add_function(wrap_pyfunction!(_breakdown, m)?)?;
    m.add_function(wrap_pyfunction!(_trend, m)?)?;
    m.add_function(wrap_pyfunction!(_tally_groups, m)?)?;
    m.add_function(wrap_pyfunction!(_breakdown_tallies, m)?)?;
    m.add_function(wrap_pyfunction!(_trend_tallies, m)?)?;
    m.add_function(wrap_pyfunction!(_period_starts, m)?)?;
    Ok(())
}
