//! What every value model's maximum-likelihood fit reports beside its parameters: the
//! log-likelihood, the standard errors (lifetimes' convention) and how the fit went.
use serde::{Deserialize, Serialize};

use super::optimize::{inverse, Minimum};

/// How a value model was fitted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitSummary {
    /// Total log-likelihood of the data at the parameters (without the penalty), in the
    /// data's own time unit. NaN (`null` in the model file) for a model of given parameters.
    #[serde(deserialize_with = "null_as_nan")]
    pub log_likelihood: f64,
    /// Standard error of each parameter (in the model's parameter order): the parameter
    /// times the square root of the diagonal of the inverse Hessian of the mean negative
    /// log-likelihood in log-parameters, over the number of customers (lifetimes'
    /// `standard_errors_`). NaN (`null` in the model file) when the Hessian is singular or
    /// the model was not fitted.
    #[serde(deserialize_with = "nulls_as_nan")]
    pub standard_errors: Vec<f64>,
    /// Customers fitted (the sum of the weights).
    pub customers: f64,
    /// The L2 penalty on the parameters (lifetimes' `penalizer_coef`).
    pub penalizer_coef: f64,
    /// Quasi-Newton iterations taken.
    pub iterations: usize,
}

/// A number of a model file, `null` for NaN (JSON has no NaN; serde writes it as `null`).
fn null_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Ok(Option::<f64>::deserialize(d)?.unwrap_or(f64::NAN))
}

/// Numbers of a model file, `null` for NaN.
fn nulls_as_nan<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    Ok(Vec::<Option<f64>>::deserialize(d)?.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
}

/// Standard errors of `params` from a minimum of the mean negative log-likelihood over
/// log-parameters, fitted on `customers`.
pub(crate) fn standard_errors(params: &[f64], minimum: &Minimum, customers: f64) -> Vec<f64> {
    match inverse(&minimum.hessian) {
        Some(inv) => params.iter().enumerate().map(|(i, p)| p * (inv[i][i] / customers).sqrt()).collect(),
        None => vec![f64::NAN; params.len()],
    }
}
