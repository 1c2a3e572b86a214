//! Multinomial (softmax) logistic regression with an L2 penalty, fitted by Newton's method:
//! the model behind likelihood-to-recommend predictions (detractor, passive, promoter).
//!
//! The objective is scikit-learn's for `LogisticRegression` with more than two classes:
//! C Σ sᵢ ℓᵢ + ½ Σₖ ‖wₖ‖², ℓᵢ = −ln P(yᵢ | xᵢ), P(k | x) = softmax(bₖ + x·wₖ), intercepts
//! not penalised. Probabilities do not change when the same constant is added to every
//! intercept; a vanishing ridge on the intercepts picks the solution whose intercepts sum
//! to zero without moving any probability.
use ndarray::{s, Array1, Array2, ArrayView2, Axis};
use serde::{Deserialize, Serialize};

use super::linalg::cholesky_solve;
use super::logistic::{ConvergenceReport, LogisticOptions};
use crate::error::{NpsError, Result};

/// A fitted multinomial model: one coefficient row and intercept per class.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MultinomialFit {
    /// Coefficients, one row per class.
    pub coef: Vec<Vec<f64>>,
    /// Intercepts, one per class (they sum to zero).
    pub intercept: Vec<f64>,
    /// How the fit ended.
    pub report: ConvergenceReport,
}

/// Class probabilities of one row from its linear scores (in place), without overflow.
pub fn softmax_in_place(z: &mut [f64]) {
    let max = z.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for v in z.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    for v in z.iter_mut() {
        *v /= sum;
    }
}

/// The linear score of each class for one row, summed in column order: `out[k]` =
/// `intercept[k]` + row · `coef[k]`.
pub fn class_scores(coef: &[Vec<f64>], intercept: &[f64], row: impl Iterator<Item = f64> + Clone, out: &mut [f64]) {
    for (k, o) in out.iter_mut().enumerate() {
        *o = super::logistic::linear(row.clone(), &coef[k], intercept[k]);
    }
}

/// P(class | x) for every row of `x` (rows × classes) under coefficients `coef` (one row
/// per class) and `intercept`.
pub fn class_probabilities(coef: &[Vec<f64>], intercept: &[f64], x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
    super::logistic::check_width(x, coef[0].len())?;
    let mut out = Array2::zeros((x.nrows(), coef.len()));
    for (r, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
        let o = o.as_slice_mut().expect("rows of a new array are contiguous");
        class_scores(coef, intercept, r.iter().copied(), o);
        softmax_in_place(o);
    }
    Ok(out)
}

impl MultinomialFit {
    /// P(class | x) for every row: rows × classes.
    pub fn predict_proba(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        class_probabilities(&self.coef, &self.intercept, x)
    }
}

/// Fits the model to labels `y` in 0..`classes`. Errors name the field, row and value:
/// empty x, mismatched lengths, NaN or infinite values, a label out of range, a class with
/// no row, negative weights, C not positive. Class weights apply to binary models only and
/// are refused here.
pub fn fit_multinomial(
    x: ArrayView2<'_, f64>,
    y: &[usize],
    classes: usize,
    sample_weight: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<MultinomialFit> {
    super::logistic::check_fit_inputs(x, y.len(), options)?;
    let (n, p) = x.dim();
    if classes < 2 {
        return Err(NpsError::invalid("classes", classes, "at least 2"));
    }
    if options.class_weight != super::ClassWeight::None {
        return Err(NpsError::invalid("class_weight", "set", "none for a multinomial model (use sample weights)"));
    }
    let mut counts = vec![0usize; classes];
    for (index, &c) in y.iter().enumerate() {
        if c >= classes {
            return Err(NpsError::OutOfRange {
                field: "y".into(),
                index,
                value: c as f64,
                range: format!("the classes 0..{classes}"),
            });
        }
        counts[c] += 1;
    }
    if let Some(empty) = counts.iter().position(|&c| c == 0) {
        return Err(NpsError::invalid("y", format!("no row of class {empty}"), "every class present"));
    }
    let s: Vec<f64> = match sample_weight {
        None => vec![1.0; n],
        Some(w) => {
            if w.len() != n {
                return Err(NpsError::LengthMismatch {
                    field: "sample_weight".into(),
                    actual: w.len(),
                    other: "x's rows".into(),
                    expected: n,
                });
            }
            if let Some(i) = w.iter().position(|v| !(*v >= 0.0 && v.is_finite())) {
                return Err(NpsError::Negative { field: "sample_weight".into(), index: i, value: w[i] });
            }
            w.to_vec()
        }
    };
    let c = options.c;
    let scale = c * s.iter().sum::<f64>();
    if scale <= 0.0 {
        return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
    }
    let k = classes;
    let q = p + 1; // parameters per class: coefficients, then the intercept
    let m = k * q;
    let mut theta = vec![0.0; m];
    // Probabilities and objective at theta.
    let evaluate = |theta: &[f64]| -> (Array2<f64>, f64) {
        let mut prob = Array2::<f64>::zeros((n, k));
        let mut loss = 0.0;
        for (i, (r, mut pr)) in x.rows().into_iter().zip(prob.rows_mut()).enumerate() {
            let pr = pr.as_slice_mut().expect("contiguous");
            for (kk, v) in pr.iter_mut().enumerate() {
                let w = &theta[kk * q..kk * q + p];
                *v = super::logistic::linear(r.iter().copied(), w, theta[kk * q + p]);
            }
            let max = pr.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let log_sum = max + pr.iter().map(|v| (v - max).exp()).sum::<f64>().ln();
            loss += s[i] * (log_sum - pr[y[i]]);
            softmax_in_place(pr);
        }
        let penalty: f64 = (0..k).map(|kk| theta[kk * q..kk * q + p].iter().map(|v| v * v).sum::<f64>()).sum();
        (prob, c * loss + 0.5 * penalty)
    };
    let (mut prob, mut f) = evaluate(&theta);
    let mut report = ConvergenceReport {
        iterations: 0,
        gradient_norm: f64::INFINITY,
        objective: f,
        converged: false,
        solver: "newton-cholesky".into(),
    };
    let xt = {
        let mut xt = Array2::<f64>::ones((n, q));
        xt.slice_mut(s![.., ..p]).assign(&x);
        xt
    };
    for iteration in 0..=options.max_iter {
        // Gradient.
        let mut g = vec![0.0; m];
        for i in 0..n {
            for kk in 0..k {
                let r = c * s[i] * (prob[[i, kk]] - (y[i] == kk) as u8 as f64);
                for j in 0..q {
                    g[kk * q + j] += r * xt[[i, j]];
                }
            }
        }
        for kk in 0..k {
            for j in 0..p {
                g[kk * q + j] += theta[kk * q + j];
            }
        }
        report.iterations = iteration;
        report.gradient_norm = g.iter().fold(0.0f64, |a, v| a.max(v.abs())) / scale;
        report.objective = f;
        if report.gradient_norm <= options.tol {
            report.converged = true;
            break;
        }
        if iteration == options.max_iter {
            break;
        }
        // Hessian blocks: C Σ sᵢ Pᵢₖ(δₖₗ − Pᵢₗ) x̃ᵢx̃ᵢᵀ.
        let mut h = Array2::<f64>::zeros((m, m));
        for kk in 0..k {
            for ll in kk..k {
                let v: Array1<f64> =
                    (0..n).map(|i| c * s[i] * prob[[i, kk]] * ((kk == ll) as u8 as f64 - prob[[i, ll]])).collect();
                let weighted = &xt * &v.view().insert_axis(Axis(1));
                let block = weighted.t().dot(&xt);
                h.slice_mut(s![kk * q..(kk + 1) * q, ll * q..(ll + 1) * q]).assign(&block);
                if ll != kk {
                    h.slice_mut(s![ll * q..(ll + 1) * q, kk * q..(kk + 1) * q]).assign(&block.t());
                }
            }
        }
        for kk in 0..k {
            for j in 0..p {
                h[[kk * q + j, kk * q + j]] += 1.0;
            }
            // The vanishing ridge on the intercepts (see the module docs).
            h[[kk * q + p, kk * q + p]] += 1e-10 * scale;
        }
        let neg = Array1::from_iter(g.iter().map(|v| -v));
        let step = cholesky_solve(&h, &neg).unwrap_or(neg);
        let slope: f64 = g.iter().zip(step.iter()).map(|(a, b)| a * b).sum();
        let mut t = 1.0;
        loop {
            let trial: Vec<f64> = theta.iter().zip(step.iter()).map(|(a, d)| a + t * d).collect();
            let (p_new, f_new) = evaluate(&trial);
            if f_new <= f + 1e-4 * t * slope || -slope <= 1e-12 * (1.0 + f.abs()) || t < 1e-12 {
                if f_new <= f || -slope <= 1e-12 * (1.0 + f.abs()) {
                    theta = trial;
                    prob = p_new;
                    f = f_new;
                }
                break;
            }
            t *= 0.5;
        }
        if t < 1e-12 {
            report.iterations = iteration + 1;
            break;
        }
    }
    // Centre the intercepts (probabilities are unchanged).
    let mean_b = (0..k).map(|kk| theta[kk * q + p]).sum::<f64>() / k as f64;
    Ok(MultinomialFit {
        coef: (0..k).map(|kk| theta[kk * q..kk * q + p].to_vec()).collect(),
        intercept: (0..k).map(|kk| theta[kk * q + p] - mean_b).collect(),
        report,
    })
}
