//! The BG/NBD model (Fader, Hardie & Lee 2005, "Counting your customers the easy way") of
//! repeat purchases in a non-contractual setting: while alive, a customer buys at a
//! Poisson rate λ ~ Gamma(r, α); after each purchase she drops out with probability
//! p ~ Beta(a, b). Fitted by maximum likelihood to frequency / recency / T summaries, as
//! lifetimes' `BetaGeoFitter` (same time scaling, penalty and optimum).
#![allow(clippy::needless_range_loop)] // index loops over small matrices and aligned columns read best
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::fit_summary::{standard_errors, FitSummary};
use super::input::{check_finite, check_history, check_horizon, check_penalizer, weights_or_ones};
use super::optimize::minimize;
use crate::error::{NpsError, Result};
use crate::stats::special::{digamma, ln_gamma, ln_hyp2f1, HYP2F1_MAX_TERMS};

/// The parameter names, in order.
pub const BETA_GEO_PARAMS: [&str; 4] = ["r", "alpha", "a", "b"];

/// Rows per parallel chunk of the likelihood (fixed, so sums are the same on any machine).
const CHUNK: usize = 16_384;

/// A fitted BG/NBD model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BetaGeo {
    /// Shape of the Gamma distribution of purchase rates.
    pub r: f64,
    /// Scale of the Gamma distribution of purchase rates, in the data's time unit.
    pub alpha: f64,
    /// First shape of the Beta distribution of drop-out probabilities.
    pub a: f64,
    /// Second shape of the Beta distribution of drop-out probabilities.
    pub b: f64,
    /// How the model was fitted.
    pub fit: FitSummary,
}

/// The data of a fit, scaled as lifetimes scales it (time divided by the largest T).
struct Scaled<'a> {
    frequency: &'a [f64],
    recency: Vec<f64>,
    t: Vec<f64>,
    weights: &'a [f64],
    /// Distinct frequencies with their total weight (for the log-gamma terms).
    distinct: Vec<(f64, f64)>,
    total: f64,
    penalizer_coef: f64,
}

fn distinct_frequencies(frequency: &[f64], weights: &[f64]) -> Vec<(f64, f64)> {
    let mut pairs: Vec<(f64, f64)> = frequency.iter().copied().zip(weights.iter().copied()).collect();
    pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
    let mut out: Vec<(f64, f64)> = Vec::new();
    for (x, w) in pairs {
        match out.last_mut() {
            Some(last) if last.0 == x => last.1 += w,
            _ => out.push((x, w)),
        }
    }
    out
}

/// Sum over rows of the weighted log-likelihood terms that depend on recency and T, with
/// their gradient in (r, α, a, b): the log-sum-exp of A₃ and A₄ of Fader, Hardie & Lee's
/// section 7.
fn row_terms(params: [f64; 4], frequency: &[f64], recency: &[f64], t: &[f64], weights: &[f64]) -> [f64; 5] {
    let [r, alpha, a, b] = params;
    let ln_a = a.ln();
    let chunk = |lo: usize, hi: usize| {
        let mut acc = [0.0; 5];
        for i in lo..hi {
            let (x, w) = (frequency[i], weights[i]);
            if w == 0.0 {
                continue;
            }
            let rx = r + x;
            let ln_at = (alpha + t[i]).ln();
            let a3 = -rx * ln_at;
            if x > 0.0 {
                let ln_ar = (alpha + recency[i]).ln();
                let a4 = ln_a - (b + x - 1.0).ln() - rx * ln_ar;
                let m = a3.max(a4);
                let (e3, e4) = ((a3 - m).exp(), (a4 - m).exp());
                let s = e3 + e4;
                let (p3, p4) = (e3 / s, e4 / s);
                acc[0] += w * (m + s.ln());
                acc[1] += w * (-p3 * ln_at - p4 * ln_ar);
                acc[2] += w * (-p3 * rx / (alpha + t[i]) - p4 * rx / (alpha + recency[i]));
                acc[3] += w * p4 / a;
                acc[4] += w * (-p4 / (b + x - 1.0));
            } else {
                acc[0] += w * a3;
                acc[1] += w * (-ln_at);
                acc[2] += w * (-rx / (alpha + t[i]));
            }
        }
        acc
    };
    let n = frequency.len();
    let parts: Vec<[f64; 5]> = if n > CHUNK {
        (0..n.div_ceil(CHUNK)).into_par_iter().map(|c| chunk(c * CHUNK, ((c + 1) * CHUNK).min(n))).collect()
    } else {
        vec![chunk(0, n)]
    };
    parts.iter().fold([0.0; 5], |mut s, p| {
        for k in 0..5 {
            s[k] += p[k];
        }
        s
    })
}

/// Total log-likelihood and its gradient in (r, α, a, b).
fn log_likelihood_and_gradient(
    params: [f64; 4],
    frequency: &[f64],
    recency: &[f64],
    t: &[f64],
    weights: &[f64],
    distinct: &[(f64, f64)],
) -> (f64, [f64; 4]) {
    let [r, alpha, a, b] = params;
    let rows = row_terms(params, frequency, recency, t, weights);
    let total: f64 = distinct.iter().map(|d| d.1).sum();
    let mut ll = rows[0] + total * r * alpha.ln();
    let mut grad = [rows[1] + total * alpha.ln(), rows[2] + total * r / alpha, rows[3], rows[4]];
    let (lg_r, lg_ab, lg_b) = (ln_gamma(r), ln_gamma(a + b), ln_gamma(b));
    let (dg_r, dg_ab, dg_b) = (digamma(r), digamma(a + b), digamma(b));
    for &(x, w) in distinct {
        if w == 0.0 {
            continue;
        }
        ll += w * (ln_gamma(r + x) - lg_r + lg_ab + ln_gamma(b + x) - lg_b - ln_gamma(a + b + x));
        let dg_abx = digamma(a + b + x);
        grad[0] += w * (digamma(r + x) - dg_r);
        grad[2] += w * (dg_ab - dg_abx);
        grad[3] += w * (dg_ab + digamma(b + x) - dg_b - dg_abx);
    }
    (ll, grad)
}

impl Scaled<'_> {
    /// Mean negative log-likelihood plus the penalty, and its gradient, in log-parameters.
    fn objective(&self, log_params: &[f64]) -> (f64, Vec<f64>) {
        let p = [log_params[0].exp(), log_params[1].exp(), log_params[2].exp(), log_params[3].exp()];
        let (ll, g) =
            log_likelihood_and_gradient(p, self.frequency, &self.recency, &self.t, self.weights, &self.distinct);
        let penalty: f64 = p.iter().map(|v| v * v).sum::<f64>() * self.penalizer_coef;
        let value = -ll / self.total + penalty;
        let grad = (0..4).map(|k| p[k] * (-g[k] / self.total) + 2.0 * self.penalizer_coef * p[k] * p[k]).collect();
        (value, grad)
    }
}

impl BetaGeo {
    /// Fits the model to each customer's `frequency` (repeat purchases), `recency` and `t`
    /// (age, T), optionally weighted (customers sharing a history), with an L2 penalty
    /// `penalizer_coef` on the parameters (lifetimes' `penalizer_coef`, applied as
    /// lifetimes applies it: to α in time scaled by the largest T).
    pub fn fit(
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        weights: Option<&[f64]>,
        penalizer_coef: f64,
    ) -> Result<Self> {
        check_history(frequency, recency, t)?;
        check_penalizer(penalizer_coef)?;
        if frequency.is_empty() {
            return Err(NpsError::Empty { field: "frequency".into() });
        }
        let weights = weights_or_ones(weights, frequency.len())?;
        let largest = t.iter().fold(0.0f64, |m, &v| m.max(v));
        if largest <= 0.0 {
            return Err(NpsError::invalid("T", largest, "a positive largest customer age (every T is 0)"));
        }
        let scale = 1.0 / largest;
        let scaled = Scaled {
            frequency,
            recency: recency.iter().map(|v| v * scale).collect(),
            t: t.iter().map(|v| v * scale).collect(),
            weights: &weights,
            distinct: distinct_frequencies(frequency, &weights),
            total: weights.iter().sum(),
            penalizer_coef,
        };
        // lifetimes starts every log-parameter at 0.1.
        let minimum = minimize(|x: &[f64]| scaled.objective(x), &[0.1; 4], "BG/NBD", &BETA_GEO_PARAMS)?;
        let p: Vec<f64> = minimum.x.iter().map(|v| v.exp()).collect();
        let (r, alpha, a, b) = (p[0], p[1] / scale, p[2], p[3]);
        let mut errors = standard_errors(&p, &minimum, scaled.total);
        errors[1] /= scale;
        let fit = FitSummary {
            log_likelihood: f64::NAN,
            standard_errors: errors,
            customers: scaled.total,
            penalizer_coef,
            iterations: minimum.iterations,
        };
        let mut model = BetaGeo { r, alpha, a, b, fit };
        model.fit.log_likelihood = model.log_likelihood(frequency, recency, t, Some(&weights))?;
        Ok(model)
    }

    /// The model of given parameters (no fit), e.g. published ones.
    pub fn from_params(r: f64, alpha: f64, a: f64, b: f64) -> Result<Self> {
        for (name, v) in BETA_GEO_PARAMS.iter().zip([r, alpha, a, b]) {
            if !(v.is_finite() && v > 0.0) {
                return Err(NpsError::invalid(name, v, "a finite number > 0"));
            }
        }
        let fit = FitSummary {
            log_likelihood: f64::NAN,
            standard_errors: vec![f64::NAN; 4],
            customers: 0.0,
            penalizer_coef: 0.0,
            iterations: 0,
        };
        Ok(BetaGeo { r, alpha, a, b, fit })
    }

    /// The parameters in [`BETA_GEO_PARAMS`] order.
    pub fn params(&self) -> [f64; 4] {
        [self.r, self.alpha, self.a, self.b]
    }

    /// Total log-likelihood of histories at the model's parameters (no penalty), weighted.
    pub fn log_likelihood(
        &self,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
        weights: Option<&[f64]>,
    ) -> Result<f64> {
        check_history(frequency, recency, t)?;
        let weights = weights_or_ones(weights, frequency.len())?;
        let distinct = distinct_frequencies(frequency, &weights);
        Ok(log_likelihood_and_gradient(self.params(), frequency, recency, t, &weights, &distinct).0)
    }

    /// Expected repeat purchases in the next `horizon` time units of each customer with
    /// history (frequency, recency, T) (equation 10 of Fader, Hardie & Lee 2005).
    pub fn conditional_expected_number_of_purchases_up_to_time(
        &self,
        horizon: f64,
        frequency: &[f64],
        recency: &[f64],
        t: &[f64],
    ) -> Result<Vec<f64>> {
        check_horizon("t", horizon)?;
        check_history(frequency, recency, t)?;
        let expected: Vec<f64> = (0..frequency.len())
            .into_par_iter()
            .with_min_len(4_096)
            .map(|i| self.expected_purchases_one(horizon, frequency[i], recency[i], t[i]))
            .collect();
        series_reached(expected, "t", horizon)
    }

    /// [`BetaGeo::conditional_expected_number_of_purchases_up_to_time`] of one customer,
    /// unchecked: NaN when the horizon is too long for the hypergeometric series.
    pub(crate) fn expected_purchases_one(&self, horizon: f64, x: f64, tx: f64, age: f64) -> f64 {
        let [r, alpha, a, b] = self.params();
        if horizon == 0.0 {
            return 0.0;
        }
        let z = horizon / (alpha + age + horizon);
        // ₂F₁ · ((α + T) / (α + T + t))^(r + x) through logarithms: for a frequent buyer the
        // first is too large for a number and the second too small.
        let ln_hyp = ln_hyp2f1(r + x, b + x, a + b + x - 1.0, z);
        let first = (a + b + x - 1.0) / (a - 1.0);
        let second = 1.0 - (ln_hyp + (r + x) * ((alpha + age) / (alpha + age + horizon)).ln()).exp();
        let denominator =
            if x > 0.0 { 1.0 + a / (b + x - 1.0) * ((alpha + age) / (alpha + tx)).powf(r + x) } else { 1.0 };
        first * second / denominator
    }

    /// The probability that each customer with history (frequency, recency, T) is still
    /// alive (Fader, Hardie & Lee, note 021): 1 without repeat purchases.
    pub fn conditional_probability_alive(&self, frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<Vec<f64>> {
        check_history(frequency, recency, t)?;
        Ok((0..frequency.len()).map(|i| self.probability_alive_one(frequency[i], recency[i], t[i])).collect())
    }

    pub(crate) fn probability_alive_one(&self, x: f64, tx: f64, age: f64) -> f64 {
        if x == 0.0 {
            return 1.0;
        }
        let [r, alpha, a, b] = self.params();
        let log_div = (r + x) * ((alpha + age) / (alpha + tx)).ln() + (a / (b + x - 1.0)).ln();
        1.0 / (1.0 + log_div.exp())
    }

    /// Expected repeat purchases of a new customer in her first `horizon` time units, for
    /// each horizon (equation 9 of Fader, Hardie & Lee 2005).
    pub fn expected_number_of_purchases_up_to_time(&self, horizons: &[f64]) -> Result<Vec<f64>> {
        check_finite("t", horizons)?;
        if let Some(i) = horizons.iter().position(|&h| h < 0.0) {
            return Err(NpsError::Negative { field: "t".into(), index: i, value: horizons[i] });
        }
        let [r, alpha, a, b] = self.params();
        let mut expected = Vec::with_capacity(horizons.len());
        for (i, &h) in horizons.iter().enumerate() {
            if h == 0.0 {
                expected.push(0.0);
                continue;
            }
            let ln_hyp = ln_hyp2f1(r, b, a + b - 1.0, h / (alpha + h));
            if ln_hyp.is_nan() {
                return Err(beyond_the_series(&format!("t[{i}]"), h, None));
            }
            expected.push((a + b - 1.0) / (a - 1.0) * (1.0 - (ln_hyp + r * (alpha / (alpha + h)).ln()).exp()));
        }
        Ok(expected)
    }
}

/// `values`, or the error naming the first customer whose value the hypergeometric series
/// could not reach (NaN) at the horizon `field` = `horizon`.
pub(crate) fn series_reached(values: Vec<f64>, field: &str, horizon: impl std::fmt::Display) -> Result<Vec<f64>> {
    match values.iter().position(|v| v.is_nan()) {
        None => Ok(values),
        Some(i) => Err(beyond_the_series(field, horizon, Some(i))),
    }
}

/// The error of a horizon too long for the hypergeometric series (of customer `customer`).
fn beyond_the_series(field: &str, horizon: impl std::fmt::Display, customer: Option<usize>) -> NpsError {
    let whose = customer.map_or(String::new(), |i| format!(" for customer {i}"));
    NpsError::invalid(
        field,
        horizon,
        &format!(
            "a shorter horizon{whose}: this one is so far beyond alpha + T (10^4 to 10^5 times it) that the hypergeometric series behind it takes more than {HYP2F1_MAX_TERMS} terms"
        ),
    )
}
