//! What a fitted Cox model says about customers: partial hazards, survival curves and the
//! probability of churning within a horizon, optionally conditional on the tenure a
//! customer has already reached. As lifelines: the baseline cumulative hazard is
//! interpolated linearly between the training durations, and conditional on tenure `s`
//! the cumulative hazard at `t` is `H(s + t) − H(s)` (never below 0).
use ndarray::{Array2, ArrayView2};

use crate::error::{NpsError, Result};

use super::CoxModel;

/// The customers to predict for.
#[derive(Debug, Clone, Copy)]
pub struct CoxCustomers<'a> {
    /// Covariates: one row per customer, columns in the model's `covariates` order.
    pub x: ArrayView2<'a, f64>,
    /// Each customer's stratum (required when the model has strata).
    pub strata: Option<&'a [String]>,
    /// Tenure already reached by each customer, if any.
    pub conditional_after: Option<&'a [f64]>,
}

impl CoxModel {
    /// The log partial hazard (x − mean)ᵀβ of each row.
    pub fn log_partial_hazard(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        let (n, d) = x.dim();
        if d != self.covariates.len() {
            return Err(NpsError::LengthMismatch {
                field: "x (columns)".into(),
                actual: d,
                other: "the model's covariates".into(),
                expected: self.covariates.len(),
            });
        }
        let mut out = Vec::with_capacity(n);
        for (i, row) in x.rows().into_iter().enumerate() {
            let mut s = 0.0;
            for (j, v) in row.iter().enumerate() {
                if v.is_nan() {
                    return Err(NpsError::Missing { field: format!("covariate {:?}", self.covariates[j]), index: i });
                }
                s += (v - self.means[j]) * self.coefficients[j];
            }
            out.push(s);
        }
        Ok(out)
    }

    /// The partial hazard exp((x − mean)ᵀβ) of each row.
    pub fn partial_hazard(&self, x: ArrayView2<'_, f64>) -> Result<Vec<f64>> {
        Ok(self.log_partial_hazard(x)?.into_iter().map(f64::exp).collect())
    }

    /// Each customer's cumulative hazard at each of `times` (customers × times).
    pub fn cumulative_hazard(&self, customers: &CoxCustomers<'_>, times: &[f64]) -> Result<Array2<f64>> {
        let hazard = self.partial_hazard(customers.x)?;
        let n = hazard.len();
        let strata = self.stratum_indices(customers.strata, n)?;
        if let Some(s) = customers.conditional_after {
            crate::survival::data::check_length("conditional_after", Some(s.len()), n)?;
            crate::survival::data::check_times("conditional_after", s)?;
        }
        crate::survival::data::check_times("times", times)?;
        let mut out = Array2::zeros((n, times.len()));
        for i in 0..n {
            let s = strata[i];
            let after = customers.conditional_after.map(|c| c[i]);
            let start = after.map_or(0.0, |a| self.baseline.cumulative_hazard_at(s, a));
            for (k, &t) in times.iter().enumerate() {
                let h = match after {
                    Some(a) => (self.baseline.cumulative_hazard_at(s, t + a) - start).max(0.0),
                    None => self.baseline.cumulative_hazard_at(s, t),
                };
                out[[i, k]] = h * hazard[i];
            }
        }
        Ok(out)
    }

    /// Each customer's survival at each of `times` (customers × times), lifelines'
    /// `predict_survival_function`.
    pub fn survival_function(&self, customers: &CoxCustomers<'_>, times: &[f64]) -> Result<Array2<f64>> {
        Ok(self.cumulative_hazard(customers, times)?.mapv(|h| (-h).exp()))
    }

    /// Each customer's probability of churning within `horizon` (from now: after the tenure
    /// in `conditional_after`, if given), 1 − S(horizon).
    pub fn churn_within(&self, customers: &CoxCustomers<'_>, horizon: f64) -> Result<Vec<f64>> {
        if !(horizon >= 0.0 && horizon.is_finite()) {
            return Err(NpsError::invalid("horizon", horizon, "a finite number ≥ 0"));
        }
        let h = self.cumulative_hazard(customers, &[horizon])?;
        Ok(h.column(0).iter().map(|v| -(-v).exp_m1()).collect())
    }

    /// The training timeline (every distinct training duration): the default times of a
    /// survival curve.
    pub fn timeline(&self) -> &[f64] {
        &self.baseline.times
    }

    fn stratum_indices(&self, strata: Option<&[String]>, n: usize) -> Result<Vec<usize>> {
        let known = &self.baseline.strata;
        match (strata, known.is_empty()) {
            (_, true) => Ok(vec![0; n]),
            (None, false) => Err(NpsError::invalid(
                "strata",
                "none",
                &format!("each customer's stratum (the model has strata {})", known.join(", ")),
            )),
            (Some(s), false) => {
                crate::survival::data::check_length("strata", Some(s.len()), n)?;
                s.iter()
                    .enumerate()
                    .map(|(i, label)| {
                        known.iter().position(|k| k == label).ok_or_else(|| {
                            let names: Vec<&str> = known.iter().map(String::as_str).collect();
                            NpsError::unknown(&format!("strata[{i}]"), label, &names)
                        })
                    })
                    .collect()
            }
        }
    }
}
