//! L2-regularised logistic regression, fitted by Newton's method.
//!
//! The objective is scikit-learn's: C Σ sᵢ ℓ(yᵢ, xᵢ·w + b) + ½‖w‖², with ℓ the log loss,
//! sᵢ the sample weight times the class weight, and the intercept b not penalised. It is
//! smooth and strictly convex, so Newton's method with a backtracking line search reaches
//! the minimum in a handful of iterations. Each is one pass over the data, read in place:
//! it tries the full Newton step and, at its end, computes the loss, the gradient and (while
//! far from the minimum) the Hessian XᵀWX, accumulated in fixed blocks of rows handed out to
//! threads and summed in block order, so the result does not depend on the number of threads
//! or on timing; then a Cholesky solve of a (p + 1)-square system. Only a rejected step
//! costs a second pass.
use ndarray::{Array1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

mod checks;
mod distributed;
mod newton;
mod pass;
mod sums;

pub(crate) use checks::{check_fit_inputs, row_weights};
pub use distributed::DistributedFit;
pub(crate) use newton::fit_design;
pub use newton::fit_logistic;
pub use sums::LogisticSums;

/// Weights of the two classes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum ClassWeight {
    /// Every row weighs its sample weight.
    #[default]
    None,
    /// Each class weighs n / (2 nₖ), so both classes weigh the same in total (scikit-learn's
    /// `"balanced"`; the counts are of rows, not of sample weights).
    Balanced,
    /// Explicit weights.
    Custom {
        /// Weight of class 0.
        negative: f64,
        /// Weight of class 1.
        positive: f64,
    },
}

impl std::str::FromStr for ClassWeight {
    type Err = NpsError;

    /// A class weighting by name: `"none"` or `"balanced"` (explicit weights are
    /// [`ClassWeight::Custom`]).
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "none" => Ok(ClassWeight::None),
            "balanced" => Ok(ClassWeight::Balanced),
            other => Err(NpsError::unknown("class_weight", other, &["none", "balanced"])),
        }
    }
}

/// How to fit.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct LogisticOptions {
    /// Inverse regularisation strength, with scikit-learn's meaning: larger is weaker.
    pub c: f64,
    /// Fit an (unpenalised) intercept.
    pub fit_intercept: bool,
    /// Stop when the largest absolute gradient of the objective, divided by C Σ sᵢ (the
    /// scale scikit-learn's solvers test), is at most this.
    pub tol: f64,
    /// At most this many Newton iterations; the fit reports `converged: false` if it stops
    /// there.
    pub max_iter: usize,
    /// Class weights.
    pub class_weight: ClassWeight,
}

impl Default for LogisticOptions {
    fn default() -> Self {
        LogisticOptions { c: 1.0, fit_intercept: true, tol: 1e-8, max_iter: 100, class_weight: ClassWeight::None }
    }
}

/// How the fit ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConvergenceReport {
    /// Newton iterations taken.
    pub iterations: usize,
    /// Largest absolute scaled gradient at the end (see [`LogisticOptions::tol`]).
    pub gradient_norm: f64,
    /// The objective at the end.
    pub objective: f64,
    /// Whether the gradient reached the tolerance.
    pub converged: bool,
    /// The solver used.
    pub solver: String,
}

/// A fitted model: P(y = 1 | x) = σ(b + x·w).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogisticFit {
    /// Coefficients w, one per column of x.
    pub coef: Vec<f64>,
    /// Intercept b (0 without `fit_intercept`).
    pub intercept: f64,
    /// How the fit ended.
    pub report: ConvergenceReport,
}

/// The logistic function, without overflow for any z.
///
/// Its exponential is [`crate::stats::exp::exp`] (Java's `StrictMath.exp`), so that the
/// same steps written in Spark SQL ([`crate::model::ChurnModel::spark_sql`]) give the
/// same bits.
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    // 1 / (1 + e^−z) for z ≥ 0, e^z / (1 + e^z) below: the one exponential is e^−|z|, and
    // only the numerator is chosen by the sign (no branch to mispredict on mixed signs).
    let e = crate::stats::exp::exp(-z.abs());
    let numerator = if z >= 0.0 { 1.0 } else { e };
    numerator / (1.0 + e)
}

/// [`sigmoid`] of each of `N` log-odds, the same bits, with the exponentials taken in one
/// pass ([`exp_lanes`](crate::stats::exp::exp_lanes)).
#[inline(always)]
pub(crate) fn sigmoid_lanes<const N: usize>(z: &[f64; N]) -> [f64; N] {
    let e = crate::stats::exp::exp_lanes(&z.map(|z| -z.abs()));
    let mut p = [0.0; N];
    for l in 0..N {
        let numerator = if z[l] >= 0.0 { 1.0 } else { e[l] };
        p[l] = numerator / (1.0 + e[l]);
    }
    p
}

/// b + x·w for one row, summed in column order (the same order in every language).
#[inline]
pub(crate) fn linear(row: impl Iterator<Item = f64>, coef: &[f64], intercept: f64) -> f64 {
    let mut z = intercept;
    for (x, w) in row.zip(coef) {
        z += x * w;
    }
    z
}

impl LogisticFit {
    /// b + x·w for every row of x.
    pub fn decision_function(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        check_width(x, self.coef.len())?;
        Ok(x.rows().into_iter().map(|r| linear(r.iter().copied(), &self.coef, self.intercept)).collect())
    }

    /// P(y = 1 | x) for every row of x.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        Ok(self.decision_function(x)?.mapv(sigmoid))
    }
}

pub(crate) fn check_width(x: ArrayView2<'_, f64>, width: usize) -> Result<()> {
    if x.ncols() != width {
        return Err(NpsError::LengthMismatch {
            field: "x's columns".into(),
            actual: x.ncols(),
            other: "the model's coefficients".into(),
            expected: width,
        });
    }
    Ok(())
}
