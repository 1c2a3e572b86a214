//! The Kaplan–Meier estimate of the survival function, with right censoring, delayed entry
//! (left truncation) and weights; Greenwood's variance, log-log ("exponential Greenwood")
//! confidence intervals, the median survival time and its interval. The conventions are
//! lifelines' `KaplanMeierFitter`'s, so the numbers are equal to it.
use serde::{Deserialize, Serialize};

use crate::error::{check_level, NpsError, Result};
use crate::stats::normal;

use super::data::{SurvivalData, TimeTally};

pub use crate::stats::DEFAULT_ALPHA;

/// The life table behind an estimate: one row per distinct time (every duration, every entry
/// time, and 0 when every customer enters at 0), weighted counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct SurvivalTable {
    /// The distinct times, increasing.
    pub time: Vec<f64>,
    /// Customers whose observation ends at the time (events and censored).
    pub removed: Vec<f64>,
    /// Events at the time.
    pub observed: Vec<f64>,
    /// Censored at the time.
    pub censored: Vec<f64>,
    /// Customers entering the observation at the time.
    pub entrance: Vec<f64>,
    /// Customers at risk at the time (entered by then, not removed before).
    pub at_risk: Vec<f64>,
}

/// A fitted Kaplan–Meier estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KaplanMeier {
    /// The counts at each time.
    pub table: SurvivalTable,
    /// The estimated survival at each of `table.time` (a step function, right-continuous).
    pub survival: Vec<f64>,
    /// Greenwood's sum Σ d / (n (n − d)) up to each time: Var(log S) (lifelines'
    /// `_cumulative_sq_`).
    pub greenwood: Vec<f64>,
    /// Lower bound of the log-log confidence interval at each time.
    pub lower: Vec<f64>,
    /// Upper bound.
    pub upper: Vec<f64>,
    /// The intervals are at level 1 − alpha.
    pub alpha: f64,
    /// Total weight of the events.
    pub events: f64,
}

impl KaplanMeier {
    /// Fits the estimate at confidence level 1 − `alpha` (lifelines' default 0.05).
    pub fn fit(data: &SurvivalData<'_>, alpha: f64) -> Result<Self> {
        // The life table checks the data as it counts them (SurvivalData::check).
        let table = life_table(data)?;
        if !(alpha > 0.0 && alpha < 1.0) {
            return Err(NpsError::invalid("alpha", alpha, "strictly between 0 and 1"));
        }
        check_level(1.0 - alpha)?;
        let n = table.time.len();
        let (mut log_survival, mut greenwood) = (Vec::with_capacity(n), Vec::with_capacity(n));
        let (mut log_s, mut var) = (0.0f64, 0.0f64);
        for k in 0..n {
            // Entrants at a time join after its events (except at the first time), as
            // lifelines counts them.
            let population = if k == 0 { table.at_risk[k] } else { table.at_risk[k] - table.entrance[k] };
            let deaths = table.observed[k];
            if population > 0.0 {
                log_s += (population - deaths).ln() - population.ln();
                let term = deaths / (population * (population - deaths));
                if term.is_finite() {
                    var += term;
                }
            }
            log_survival.push(log_s);
            greenwood.push(var);
        }
        let z = normal::quantile(1.0 - alpha / 2.0);
        let bound = |v: f64, var: f64, sign: f64| {
            let b = (-((-v).ln() + sign * z * var.sqrt() / v).exp()).exp();
            if b.is_nan() {
                1.0
            } else {
                b
            }
        };
        let lower = log_survival.iter().zip(&greenwood).map(|(&v, &g)| bound(v, g, -1.0)).collect();
        let upper = log_survival.iter().zip(&greenwood).map(|(&v, &g)| bound(v, g, 1.0)).collect();
        let events = table.observed.iter().sum();
        Ok(KaplanMeier {
            survival: log_survival.iter().map(|v| v.exp()).collect(),
            table,
            greenwood,
            lower,
            upper,
            alpha,
            events,
        })
    }

    /// The survival at each of `times` (the step function: its value at the last table time
    /// at or before `t`; 1 before the first).
    pub fn survival_at(&self, times: &[f64]) -> Result<Vec<f64>> {
        step_values(&self.table.time, &self.survival, times)
    }

    /// The median survival time: the first time at which the survival is at or below 0.5,
    /// infinite when it never gets there. An error when there is no event at all.
    pub fn median(&self) -> Result<f64> {
        self.check_events()?;
        Ok(first_time_at_or_below(&self.table.time, &self.survival, 0.5))
    }

    /// The confidence interval of the median survival time (the medians of the lower and
    /// upper bound curves, lifelines' `median_survival_times(confidence_interval_)`).
    pub fn median_interval(&self) -> Result<(f64, f64)> {
        self.check_events()?;
        Ok((
            first_time_at_or_below(&self.table.time, &self.lower, 0.5),
            first_time_at_or_below(&self.table.time, &self.upper, 0.5),
        ))
    }

    fn check_events(&self) -> Result<()> {
        if self.events > 0.0 {
            Ok(())
        } else {
            Err(NpsError::invalid(
                "event_observed",
                "no events",
                "at least one event for a median survival time (every customer is censored)",
            ))
        }
    }
}

/// The life table of the data.
fn life_table(data: &SurvivalData<'_>) -> Result<SurvivalTable> {
    let TimeTally { time, removed, observed, entrance } = TimeTally::of(data)?;
    let censored = removed.iter().zip(&observed).map(|(r, o)| r - o).collect();
    let (mut at_risk, mut entered, mut left) = (Vec::with_capacity(time.len()), 0.0, 0.0);
    for (e, r) in entrance.iter().zip(&removed) {
        entered += e;
        at_risk.push(entered - left);
        left += r;
    }
    Ok(SurvivalTable { time, removed, observed, censored, entrance, at_risk })
}

/// The value of a right-continuous step function (`values` from each of `steps` on) at each
/// of `times`; 1 before the first step.
pub(crate) fn step_values(steps: &[f64], values: &[f64], times: &[f64]) -> Result<Vec<f64>> {
    times
        .iter()
        .enumerate()
        .map(|(i, &t)| {
            if t.is_nan() {
                return Err(NpsError::Missing { field: "times".into(), index: i });
            }
            let k = steps.partition_point(|&s| s <= t);
            Ok(if k == 0 { 1.0 } else { values[k - 1] })
        })
        .collect()
}

/// The first of `times` at which `curve` is at or below `q`; infinite if it never is.
pub(crate) fn first_time_at_or_below(times: &[f64], curve: &[f64], q: f64) -> f64 {
    curve.iter().position(|&s| s <= q).map_or(f64::INFINITY, |k| times[k])
}
