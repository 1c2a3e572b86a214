//! The Gamma-Gamma model of spend per transaction (Fader, Hardie & Lee 2005, "RFM and
//! CLV"; Fader & Hardie, note 025): a customer's transaction values are Gamma(p, ν)
//! around her mean, ν ~ Gamma(q, v) across customers. Fitted by maximum likelihood to the
//! repeat customers' frequency and mean spend, as lifetimes' `GammaGammaFitter`.
#![allow(clippy::needless_range_loop)] // index loops over small matrices and aligned columns read best
use serde::{Deserialize, Serialize};

use super::fit_summary::{standard_errors, FitSummary};
use super::input::{check_finite, check_penalizer, weights_or_ones};
use super::optimize::minimize;
use crate::error::check_lengths;
use crate::error::{NpsError, Result};
use crate::stats::special::{digamma, ln_gamma};

/// The parameter names, in order.
pub const GAMMA_GAMMA_PARAMS: [&str; 3] = ["p", "q", "v"];

/// A fitted Gamma-Gamma model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GammaGamma {
    /// Shape of each customer's transaction values.
    pub p: f64,
    /// Shape of the Gamma distribution of customers' rate parameters.
    pub q: f64,
    /// Scale of the Gamma distribution of customers' rate parameters.
    pub v: f64,
    /// How the model was fitted.
    pub fit: FitSummary,
}

/// Checks repeat customers' frequencies (whole, > 0) and mean spends (> 0).
fn check_spend(frequency: &[f64], monetary_value: &[f64]) -> Result<()> {
    check_lengths("monetary_value", monetary_value.len(), "frequency", frequency.len())?;
    check_finite("frequency", frequency)?;
    check_finite("monetary_value", monetary_value)?;
    for (i, &x) in frequency.iter().enumerate() {
        if x < 0.0 {
            return Err(NpsError::Negative { field: "frequency".into(), index: i, value: x });
        }
        if x == 0.0 || x.fract() != 0.0 {
            return Err(NpsError::OutOfRange {
                field: "frequency".into(),
                index: i,
                value: x,
                range: "whole numbers >= 1 (fit the Gamma-Gamma model on customers with repeat purchases)".into(),
            });
        }
        if monetary_value[i] <= 0.0 {
            return Err(NpsError::OutOfRange {
                field: "monetary_value".into(),
                index: i,
                value: monetary_value[i],
                range: "positive mean spends (> 0)".into(),
            });
        }
    }
    Ok(())
}

struct Data {
    /// Per row: frequency, ln m, x ln x, x m, weight.
    x: Vec<f64>,
    ln_m: Vec<f64>,
    x_ln_x: Vec<f64>,
    xm: Vec<f64>,
    w: Vec<f64>,
    /// Distinct frequencies with their total weight.
    distinct: Vec<(f64, f64)>,
    total: f64,
}

impl Data {
    fn new(frequency: &[f64], monetary_value: &[f64], weights: Vec<f64>) -> Self {
        let mut pairs: Vec<(f64, f64)> = frequency.iter().copied().zip(weights.iter().copied()).collect();
        pairs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let mut distinct: Vec<(f64, f64)> = Vec::new();
        for (x, w) in pairs {
            match distinct.last_mut() {
                Some(last) if last.0 == x => last.1 += w,
                _ => distinct.push((x, w)),
            }
        }
        Data {
            x: frequency.to_vec(),
            ln_m: monetary_value.iter().map(|m| m.ln()).collect(),
            x_ln_x: frequency.iter().map(|x| x * x.ln()).collect(),
            xm: frequency.iter().zip(monetary_value).map(|(x, m)| x * m).collect(),
            total: weights.iter().sum(),
            w: weights,
            distinct,
        }
    }

    /// Total log-likelihood and its gradient in (p, q, v).
    fn log_likelihood(&self, p: f64, q: f64, v: f64) -> (f64, [f64; 3]) {
        let (ln_v, lg_q, dg_q) = (v.ln(), ln_gamma(q), digamma(q));
        let mut ll = self.total * (q * ln_v - lg_q);
        let mut g = [0.0, self.total * (ln_v - dg_q), self.total * q / v];
        for &(x, w) in &self.distinct {
            let px = p * x;
            ll += w * (ln_gamma(px + q) - ln_gamma(px));
            let dg_pxq = digamma(px + q);
            g[0] += w * x * (dg_pxq - digamma(px));
            g[1] += w * dg_pxq;
        }
        for i in 0..self.x.len() {
            let (x, w) = (self.x[i], self.w[i]);
            if w == 0.0 {
                continue;
            }
            let px = p * x;
            let ln_xmv = (self.xm[i] + v).ln();
            ll += w * ((px - 1.0) * self.ln_m[i] + p * self.x_ln_x[i] - (px + q) * ln_xmv);
            g[0] += w * (x * self.ln_m[i] + self.x_ln_x[i] - x * ln_xmv);
            g[1] += w * (-ln_xmv);
            g[2] += w * (-(px + q) / (self.xm[i] + v));
        }
        (ll, g)
    }
}

impl GammaGamma {
    /// Fits the model to repeat customers' `frequency` (≥ 1) and `monetary_value` (mean
    /// spend of the repeat purchases, > 0), optionally weighted, with lifetimes' L2 penalty.
    pub fn fit(
        frequency: &[f64],
        monetary_value: &[f64],
        weights: Option<&[f64]>,
        penalizer_coef: f64,
    ) -> Result<Self> {
        check_spend(frequency, monetary_value)?;
        check_penalizer(penalizer_coef)?;
        if frequency.is_empty() {
            return Err(NpsError::Empty { field: "frequency".into() });
        }
        let weights = weights_or_ones(weights, frequency.len())?;
        let data = Data::new(frequency, monetary_value, weights);
        let objective = |lp: &[f64]| {
            let (p, q, v) = (lp[0].exp(), lp[1].exp(), lp[2].exp());
            let (ll, g) = data.log_likelihood(p, q, v);
            let params = [p, q, v];
            let penalty = penalizer_coef * params.iter().map(|x| x * x).sum::<f64>();
            let grad = (0..3).map(|k| params[k] * (-g[k] / data.total) + 2.0 * penalizer_coef * params[k] * params[k]);
            (-ll / data.total + penalty, grad.collect())
        };
        let minimum = minimize(objective, &[0.1; 3], "Gamma-Gamma", &GAMMA_GAMMA_PARAMS)?;
        let params: Vec<f64> = minimum.x.iter().map(|v| v.exp()).collect();
        let (p, q, v) = (params[0], params[1], params[2]);
        let fit = FitSummary {
            log_likelihood: data.log_likelihood(p, q, v).0,
            standard_errors: standard_errors(&params, &minimum, data.total),
            customers: data.total,
            penalizer_coef,
            iterations: minimum.iterations,
        };
        Ok(GammaGamma { p, q, v, fit })
    }

    /// The model of given parameters (no fit).
    pub fn from_params(p: f64, q: f64, v: f64) -> Result<Self> {
        for (name, x) in GAMMA_GAMMA_PARAMS.iter().zip([p, q, v]) {
            if !(x.is_finite() && x > 0.0) {
                return Err(NpsError::invalid(name, x, "a finite number > 0"));
            }
        }
        let fit = FitSummary {
            log_likelihood: f64::NAN,
            standard_errors: vec![f64::NAN; 3],
            customers: 0.0,
            penalizer_coef: 0.0,
            iterations: 0,
        };
        Ok(GammaGamma { p, q, v, fit })
    }

    /// The parameters in [`GAMMA_GAMMA_PARAMS`] order.
    pub fn params(&self) -> [f64; 3] {
        [self.p, self.q, self.v]
    }

    /// Total log-likelihood of repeat customers' spends at the model's parameters.
    pub fn log_likelihood(&self, frequency: &[f64], monetary_value: &[f64], weights: Option<&[f64]>) -> Result<f64> {
        check_spend(frequency, monetary_value)?;
        let weights = weights_or_ones(weights, frequency.len())?;
        Ok(Data::new(frequency, monetary_value, weights).log_likelihood(self.p, self.q, self.v).0)
    }

    /// The expected mean spend per transaction of each customer (equation 5 of note 025): a
    /// weighted average of the population mean v p / (q − 1) and her own mean spend, the
    /// more her own the more repeat purchases she made (the population mean at frequency
    /// 0). Needs q > 1.
    pub fn conditional_expected_average_profit(&self, frequency: &[f64], monetary_value: &[f64]) -> Result<Vec<f64>> {
        check_lengths("monetary_value", monetary_value.len(), "frequency", frequency.len())?;
        check_finite("frequency", frequency)?;
        check_finite("monetary_value", monetary_value)?;
        if let Some(i) = frequency.iter().position(|&x| x < 0.0) {
            return Err(NpsError::Negative { field: "frequency".into(), index: i, value: frequency[i] });
        }
        Ok(frequency.iter().zip(monetary_value).map(|(&x, &m)| self.expected_spend_one(x, m)).collect())
    }

    pub(crate) fn expected_spend_one(&self, x: f64, m: f64) -> f64 {
        let (p, q, v) = (self.p, self.q, self.v);
        let weight = p * x / (p * x + q - 1.0);
        let population_mean = v * p / (q - 1.0);
        (1.0 - weight) * population_mean + weight * m
    }
}
