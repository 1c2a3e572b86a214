//! Breslow's baseline hazard of a fitted Cox model, per stratum, at the covariates' means
//! (lifelines' centring: a customer's partial hazard is exp((x − mean)ᵀβ)). As lifelines, the
//! risk set at `t` is every customer of the stratum whose duration is at least `t`, and the
//! hazard of a stratum is 0 at the times of the other strata, so every stratum's cumulative
//! hazard is a step on one timeline.
use serde::{Deserialize, Serialize};

use crate::survival::data::distinct_times;

/// The baseline of a fitted Cox model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineHazard {
    /// Every distinct duration of the training data, increasing.
    pub times: Vec<f64>,
    /// The strata's labels, in order (empty without strata).
    pub strata: Vec<String>,
    /// For each stratum (one without strata), the hazard at each of `times`.
    pub hazard: Vec<Vec<f64>>,
    /// For each stratum, the cumulative hazard at each of `times`.
    pub cumulative_hazard: Vec<Vec<f64>>,
}

impl BaselineHazard {
    /// Breslow's estimate from the training data: `partial_hazard` is exp((x − mean)ᵀβ)
    /// per row, `rows_by_stratum` the rows of each stratum.
    pub(crate) fn breslow(
        durations: &[f64],
        events: &[bool],
        weights: &[f64],
        partial_hazard: &[f64],
        strata: Vec<String>,
        rows_by_stratum: &[Vec<usize>],
    ) -> BaselineHazard {
        let (times, rank) = distinct_times(durations.iter().copied(), durations.len());
        let mut hazard = Vec::with_capacity(rows_by_stratum.len());
        let mut cumulative_hazard = Vec::with_capacity(rows_by_stratum.len());
        for rows in rows_by_stratum {
            let (mut risk, mut deaths, mut present) =
                (vec![0.0; times.len()], vec![0.0; times.len()], vec![false; times.len()]);
            for &i in rows {
                let k = rank[i] as usize;
                risk[k] += weights[i] * partial_hazard[i];
                if events[i] {
                    deaths[k] += weights[i];
                }
                present[k] = true;
            }
            // Risk sets: sums from the last time down.
            let mut running = 0.0;
            for k in (0..times.len()).rev() {
                running += risk[k];
                risk[k] = running;
            }
            let h: Vec<f64> = (0..times.len()).map(|k| if present[k] { deaths[k] / risk[k] } else { 0.0 }).collect();
            let mut total = 0.0;
            cumulative_hazard.push(
                h.iter()
                    .map(|v| {
                        total += v;
                        total
                    })
                    .collect(),
            );
            hazard.push(h);
        }
        BaselineHazard { times, strata, hazard, cumulative_hazard }
    }

    /// The baseline survival of stratum `s` at each of `times`: exp(−cumulative hazard).
    pub fn survival(&self, s: usize) -> Vec<f64> {
        self.cumulative_hazard[s].iter().map(|h| (-h).exp()).collect()
    }

    /// The cumulative hazard of stratum `s` at `t`, interpolated linearly between the
    /// timeline's points and constant beyond its ends (lifelines' `interpolate_at_times`,
    /// numpy's `interp`).
    pub fn cumulative_hazard_at(&self, s: usize, t: f64) -> f64 {
        let (x, y) = (&self.times, &self.cumulative_hazard[s]);
        let n = x.len();
        if t <= x[0] {
            return y[0];
        }
        if t >= x[n - 1] {
            return y[n - 1];
        }
        let k = x.partition_point(|&v| v <= t);
        let (x0, x1, y0, y1) = (x[k - 1], x[k], y[k - 1], y[k]);
        if t == x0 {
            return y0;
        }
        let slope = (y1 - y0) / (x1 - x0);
        slope * (t - x0) + y0
    }
}
