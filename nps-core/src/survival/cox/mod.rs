//! Cox proportional hazards: Efron's partial likelihood fitted by Newton's method
//! ([`fit`]), Breslow's baseline ([`baseline`]), Harrell's concordance, per-customer survival
//! curves and the probability of churning within a horizon ([`predict`]), and the model file
//! ([`model_file`]). The conventions (covariates centred at their means, the L2 penalty
//! on the standardised coefficients, the baseline's risk sets and interpolation) are
//! lifelines' `CoxPHFitter`'s, so the numbers are equal to it.
use serde::{Deserialize, Serialize};

use crate::stats::normal;

pub mod baseline;
pub(crate) mod concordance;
mod efron;
pub mod fit;
pub mod model_file;
pub mod predict;
mod risk_sums;

pub use baseline::BaselineHazard;
pub use fit::{CoxInput, CoxOptions};

/// A fitted Cox proportional hazards model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoxModel {
    /// The covariates, in the order of the coefficients.
    pub covariates: Vec<String>,
    /// The coefficients (log hazard ratios per unit of each covariate).
    pub coefficients: Vec<f64>,
    /// Their standard errors.
    pub standard_errors: Vec<f64>,
    /// The covariance matrix of the coefficients (row-major).
    pub variance: Vec<f64>,
    /// The covariates' training means (the baseline is a customer at the means).
    pub means: Vec<f64>,
    /// The covariates' training standard deviations (the penalty's scale).
    pub scales: Vec<f64>,
    /// The partial log-likelihood at the coefficients (less the penalty, if any).
    pub log_likelihood: f64,
    /// The partial log-likelihood with every coefficient 0.
    pub log_likelihood_null: f64,
    /// Harrell's concordance index on the training data.
    pub concordance: f64,
    /// The L2 penalty.
    pub penalizer: f64,
    /// Intervals are at level 1 − alpha.
    pub alpha: f64,
    /// Training customers.
    pub observations: usize,
    /// Total weight of the training events.
    pub events: f64,
    /// Newton steps taken.
    pub iterations: usize,
    /// The baseline hazard, per stratum.
    pub baseline: BaselineHazard,
    /// The names of the columns whose values make a customer's stratum, when a binding fits
    /// from a table (so that a loaded model finds them in a table to predict for).
    #[serde(default)]
    pub strata_columns: Vec<String>,
}

/// One row of a model's summary (lifelines' `summary` columns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoefficientSummary {
    /// The covariate.
    pub covariate: String,
    /// `coef`.
    pub coef: f64,
    /// `exp(coef)`: the hazard ratio.
    pub hazard_ratio: f64,
    /// `se(coef)`.
    pub se: f64,
    /// `coef lower 95%` (at the model's alpha).
    pub coef_lower: f64,
    /// `coef upper 95%`.
    pub coef_upper: f64,
    /// `exp(coef) lower 95%`.
    pub hazard_ratio_lower: f64,
    /// `exp(coef) upper 95%`.
    pub hazard_ratio_upper: f64,
    /// `z`: coef / se.
    pub z: f64,
    /// `p`: two-sided p-value of the Wald test.
    pub p: f64,
}

impl CoxModel {
    /// The summary table: one row per covariate.
    pub fn summary(&self) -> Vec<CoefficientSummary> {
        let z = normal::quantile(1.0 - self.alpha / 2.0);
        self.covariates
            .iter()
            .enumerate()
            .map(|(j, name)| {
                let (coef, se) = (self.coefficients[j], self.standard_errors[j]);
                let hazard_ratio = coef.exp();
                let wald = coef / se;
                CoefficientSummary {
                    covariate: name.clone(),
                    coef,
                    hazard_ratio,
                    se,
                    coef_lower: coef - z * se,
                    coef_upper: coef + z * se,
                    hazard_ratio_lower: hazard_ratio * (-z * se).exp(),
                    hazard_ratio_upper: hazard_ratio * (z * se).exp(),
                    z: wald,
                    p: super::log_rank::chi_square_sf(wald * wald, 1.0),
                }
            })
            .collect()
    }
}
