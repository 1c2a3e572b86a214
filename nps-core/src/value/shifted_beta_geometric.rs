//! The shifted-beta-geometric (sBG) model of contract renewals (Fader & Hardie 2007, "How to
//! project customer retention"): at the end of each period a customer renews with her own
//! constant probability 1 − θ, θ ~ Beta(α, β) across customers. Fitted by maximum
//! likelihood to cohort survival counts; projects retention rates, survival, and a
//! customer's remaining lifetime, plain and discounted (DERL, Fader & Hardie 2010,
//! "Customer-base valuation in a contractual setting").
#![allow(clippy::needless_range_loop)] // index loops over small matrices and aligned columns read best
use serde::{Deserialize, Serialize};

use super::fit_summary::{standard_errors, FitSummary};
use super::optimize::minimize;
use crate::error::{NpsError, Result};
use crate::stats::special::{hyp2f1, HYP2F1_MAX_TERMS};

/// The parameter names, in order.
pub const SHIFTED_BETA_GEOMETRIC_PARAMS: [&str; 2] = ["alpha", "beta"];

/// A fitted sBG model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShiftedBetaGeometric {
    /// First shape of the Beta distribution of churn probabilities.
    pub alpha: f64,
    /// Second shape of the Beta distribution of churn probabilities.
    pub beta: f64,
    /// How the model was fitted.
    pub fit: FitSummary,
}

/// Checks cohort survival counts: at least two, finite, ≥ 0, the first positive, none
/// above the one before.
fn check_cohort(field: &str, survivors: &[f64]) -> Result<()> {
    if survivors.len() < 2 {
        return Err(NpsError::invalid(
            field,
            format!("{} count(s)", survivors.len()),
            "the cohort's size then the customers still active at the end of at least one period",
        ));
    }
    super::input::check_finite(field, survivors)?;
    if let Some(i) = survivors.iter().position(|&s| s < 0.0) {
        return Err(NpsError::Negative { field: field.into(), index: i, value: survivors[i] });
    }
    if survivors[0] <= 0.0 {
        return Err(NpsError::OutOfRange {
            field: field.into(),
            index: 0,
            value: survivors[0],
            range: "positive cohort sizes".into(),
        });
    }
    for i in 1..survivors.len() {
        if survivors[i] > survivors[i - 1] {
            return Err(NpsError::OutOfRange {
                field: field.into(),
                index: i,
                value: survivors[i],
                range: format!(
                    "0..={} (a cohort only shrinks: {field}[{}] = {})",
                    survivors[i - 1],
                    i - 1,
                    survivors[i - 1]
                ),
            });
        }
    }
    Ok(())
}

/// ln P(T = t) for t = 1..=periods and ln S(periods), with their gradients in (α, β).
struct Terms {
    ln_p: Vec<f64>,
    d_p: Vec<[f64; 2]>,
    ln_s: f64,
    d_s: [f64; 2],
}

fn terms(alpha: f64, beta: f64, periods: usize) -> Terms {
    // P(T = 1) = α/(α + β); P(T = t) = P(T = t − 1) (β + t − 2)/(α + β + t − 1);
    // S(t) = S(t − 1) (β + t − 1)/(α + β + t − 1). In logs, with derivatives.
    let mut ln_p = Vec::with_capacity(periods);
    let mut d_p = Vec::with_capacity(periods);
    let mut lp = alpha.ln() - (alpha + beta).ln();
    let mut dp = [1.0 / alpha - 1.0 / (alpha + beta), -1.0 / (alpha + beta)];
    let (mut ls, mut ds) = (0.0, [0.0, 0.0]);
    for t in 1..=periods {
        let tf = t as f64;
        if t > 1 {
            lp += (beta + tf - 2.0).ln() - (alpha + beta + tf - 1.0).ln();
            dp[0] -= 1.0 / (alpha + beta + tf - 1.0);
            dp[1] += 1.0 / (beta + tf - 2.0) - 1.0 / (alpha + beta + tf - 1.0);
        }
        ln_p.push(lp);
        d_p.push(dp);
        ls += (beta + tf - 1.0).ln() - (alpha + beta + tf - 1.0).ln();
        ds[0] -= 1.0 / (alpha + beta + tf - 1.0);
        ds[1] += 1.0 / (beta + tf - 1.0) - 1.0 / (alpha + beta + tf - 1.0);
    }
    Terms { ln_p, d_p, ln_s: ls, d_s: ds }
}

/// Log-likelihood of cohorts and its gradient in (α, β).
fn log_likelihood(alpha: f64, beta: f64, cohorts: &[&[f64]]) -> (f64, [f64; 2]) {
    let (mut ll, mut g) = (0.0, [0.0, 0.0]);
    for survivors in cohorts {
        let periods = survivors.len() - 1;
        let tm = terms(alpha, beta, periods);
        for t in 1..=periods {
            let lost = survivors[t - 1] - survivors[t];
            if lost > 0.0 {
                ll += lost * tm.ln_p[t - 1];
                g[0] += lost * tm.d_p[t - 1][0];
                g[1] += lost * tm.d_p[t - 1][1];
            }
        }
        let alive = survivors[periods];
        if alive > 0.0 {
            ll += alive * tm.ln_s;
            g[0] += alive * tm.d_s[0];
            g[1] += alive * tm.d_s[1];
        }
    }
    (ll, g)
}

impl ShiftedBetaGeometric {
    /// Fits the model to one cohort: `survivors[0]` customers at the start, `survivors[t]`
    /// still active at the end of period t (a renewal at each period's end).
    pub fn fit(survivors: &[f64]) -> Result<Self> {
        Self::fit_cohorts(&[survivors])
    }

    /// Fits one (α, β) to several cohorts, each observed for its own number of periods
    /// (Fader & Hardie's pooled estimate).
    pub fn fit_cohorts(cohorts: &[&[f64]]) -> Result<Self> {
        if cohorts.is_empty() {
            return Err(NpsError::Empty { field: "cohorts".into() });
        }
        for (c, survivors) in cohorts.iter().enumerate() {
            let field = if cohorts.len() == 1 { "survivors".to_string() } else { format!("cohorts[{c}]") };
            check_cohort(&field, survivors)?;
        }
        let total: f64 = cohorts.iter().map(|s| s[0]).sum();
        let objective = |lp: &[f64]| {
            let (alpha, beta) = (lp[0].exp(), lp[1].exp());
            let (ll, g) = log_likelihood(alpha, beta, cohorts);
            (-ll / total, vec![-alpha * g[0] / total, -beta * g[1] / total])
        };
        // The paper's Solver start (α = β = 1).
        let minimum = minimize(objective, &[0.0, 0.0], "shifted-beta-geometric", &SHIFTED_BETA_GEOMETRIC_PARAMS)?;
        let (alpha, beta) = (minimum.x[0].exp(), minimum.x[1].exp());
        let fit = FitSummary {
            log_likelihood: log_likelihood(alpha, beta, cohorts).0,
            standard_errors: standard_errors(&[alpha, beta], &minimum, total),
            customers: total,
            penalizer_coef: 0.0,
            iterations: minimum.iterations,
        };
        Ok(ShiftedBetaGeometric { alpha, beta, fit })
    }

    /// The model of given parameters (no fit), e.g. published ones.
    pub fn from_params(alpha: f64, beta: f64) -> Result<Self> {
        for (name, v) in SHIFTED_BETA_GEOMETRIC_PARAMS.iter().zip([alpha, beta]) {
            if !(v.is_finite() && v > 0.0) {
                return Err(NpsError::invalid(name, v, "a finite number > 0"));
            }
        }
        let fit = FitSummary {
            log_likelihood: f64::NAN,
            standard_errors: vec![f64::NAN; 2],
            customers: 0.0,
            penalizer_coef: 0.0,
            iterations: 0,
        };
        Ok(ShiftedBetaGeometric { alpha, beta, fit })
    }

    /// Log-likelihood of cohorts' survival counts at the model's parameters.
    pub fn log_likelihood(&self, survivors: &[f64]) -> Result<f64> {
        check_cohort("survivors", survivors)?;
        Ok(log_likelihood(self.alpha, self.beta, &[survivors]).0)
    }

    /// The retention rate of period t ≥ 1: the share of those active at the end of period
    /// t − 1 who renew at the end of period t, (β + t − 1)/(α + β + t − 1).
    pub fn retention_rate(&self, t: u32) -> f64 {
        if t == 0 {
            return 1.0;
        }
        let t = f64::from(t);
        (self.beta + t - 1.0) / (self.alpha + self.beta + t - 1.0)
    }

    /// S(t) for t = 0..=periods: the share of a new cohort still active at the end of each
    /// period, B(α, β + t)/B(α, β).
    pub fn survival(&self, periods: u32) -> Vec<f64> {
        let mut s = Vec::with_capacity(periods as usize + 1);
        let mut current = 1.0;
        s.push(current);
        for t in 1..=periods {
            current *= self.retention_rate(t);
            s.push(current);
        }
        s
    }

    /// P(T = t) for t = 1..=periods: the share of a new cohort lost at the end of period t.
    pub fn churn_probability(&self, periods: u32) -> Vec<f64> {
        let s = self.survival(periods);
        s.windows(2).map(|w| w[0] - w[1]).collect()
    }

    /// Expected periods still to be paid by a customer who has renewed `renewals` times,
    /// counted from her next renewal decision: Σ_{t ≥ n} S(t)/S(n − 1) with
    /// n = renewals + 1, which is (β + n − 1)/(α − 1) for α > 1 and infinite otherwise
    /// (the Beta mass near θ = 0 holds customers who never leave).
    pub fn expected_remaining_lifetime(&self, renewals: u32) -> f64 {
        if self.alpha <= 1.0 {
            return f64::INFINITY;
        }
        (self.beta + f64::from(renewals)) / (self.alpha - 1.0)
    }

    /// The discounted expected residual lifetime (DERL, Fader & Hardie 2010) of a customer
    /// who has renewed `renewals` = n − 1 times, just before her n-th renewal decision: the
    /// payments still expected, each discounted at `discount_rate` per period from the next
    /// one (undiscounted):
    /// Σ_{t ≥ n} S(t)/S(n − 1)/(1 + d)^{t − n} = (β + n − 1)/(α + β + n − 1)
    /// ₂F₁(1, β + n; α + β + n; 1/(1 + d)). Multiply by the margin per period for a value.
    pub fn discounted_expected_residual_lifetime(&self, discount_rate: f64, renewals: u32) -> Result<f64> {
        if !(discount_rate.is_finite() && discount_rate > 0.0) {
            return Err(NpsError::invalid("discount_rate", discount_rate, "a finite rate > 0"));
        }
        let n = f64::from(renewals) + 1.0;
        let (alpha, beta) = (self.alpha, self.beta);
        let hyp = hyp2f1(1.0, beta + n, alpha + beta + n, 1.0 / (1.0 + discount_rate));
        if hyp.is_nan() {
            return Err(NpsError::invalid(
                "discount_rate",
                discount_rate,
                &format!(
                    "a rate of at least about 1e-5 (closer to 0, the hypergeometric series behind it takes more than {HYP2F1_MAX_TERMS} terms)"
                ),
            ));
        }
        Ok((beta + n - 1.0) / (alpha + beta + n - 1.0) * hyp)
    }
}
