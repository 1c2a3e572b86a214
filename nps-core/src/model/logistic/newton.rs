//! The fit: Newton's method with a backtracking line search, each iteration one pass over
//! the rows (see the module documentation of [`super`]).
use ndarray::{Array1, Array2, ArrayView2};

use super::checks::{check_fit_options, row_weights};
use super::pass::{block_sum, probability_and_loss, HessianRows, Problem, Trial};
use super::{ConvergenceReport, LogisticFit, LogisticOptions};
use crate::error::{NpsError, Result};
use crate::model::design::Design;
use crate::model::linalg::cholesky_solve;

/// Fits the model. Errors name the field, row, column and value: empty x, mismatched
/// lengths, a NaN or infinite value, a label other than 0/1, a single class, a negative or
/// NaN weight, all weights zero, C not positive. A constant column is fine (the penalty
/// keeps its coefficient finite). Not reaching the tolerance within `max_iter` is not an
/// error: the report says `converged: false`.
///
/// x is read in place in any layout (row-major is fastest); no copy of it is made.
pub fn fit_logistic(
    x: ArrayView2<'_, f64>,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<LogisticFit> {
    Ok(fit_design(&Design::new(x), y, sample_weight, options)?.0)
}

/// [`fit_logistic`] on a design matrix read in place; also returns the mean of each
/// column (summed in the first pass over the rows, at no extra cost).
pub(crate) fn fit_design(
    x: &Design<'_>,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<(LogisticFit, Vec<f64>)> {
    let (n, p) = (x.nrows(), x.ncols());
    check_fit_options(n, y.len(), options)?;
    let s = row_weights(n, y, sample_weight, options.class_weight)?;
    let c = options.c;
    let m = p + options.fit_intercept as usize;
    let scale = c * s.iter().sum::<f64>();
    let problem = Problem { x, y, s: &s, c, intercept: options.fit_intercept };
    let mut w = vec![0.0; p];
    // Start from the intercept-only model: one Newton iteration saved on unbalanced data.
    let mut b = if options.fit_intercept {
        let positive: f64 = y.iter().zip(&s).map(|(yi, si)| yi * si).sum();
        let total: f64 = s.iter().sum();
        (positive / (total - positive)).ln()
    } else {
        0.0
    };
    let mut z = vec![b; n];
    let objective = |loss: f64, w: &[f64]| c * loss + 0.5 * w.iter().map(|v| v * v).sum::<f64>();
    // Far from the minimum, the Hessian of a quarter of the blocks (scaled up) steers as
    // well as the full one.
    let mut state = problem.pass(&z, None, HessianRows::Sample, true);
    if !state.finite() {
        // Some value of x is not finite (a NaN or an infinity makes the gradient so).
        if let Some((i, j, v)) = x.first_non_finite() {
            return Err(NpsError::invalid(&format!("x[{i}, {j}]"), v, "a finite number"));
        }
    }
    let column_mean: Vec<f64> = state.column_sum.take().expect("asked for").iter().map(|v| v / n as f64).collect();
    let mut f = objective(state.loss, &w);
    let mut report = ConvergenceReport {
        iterations: 0,
        gradient_norm: f64::INFINITY,
        objective: f,
        converged: false,
        solver: "newton-cholesky".into(),
    };
    // The Hessian is recomputed while the gradient falls slowly and reused once it falls
    // fast: near the minimum it barely changes, and a pass without it costs a fraction.
    let mut hessian: Option<Array2<f64>> = None;
    let (mut xd, mut z_new) = (vec![0.0; n], vec![0.0; n]);
    for iteration in 0..=options.max_iter {
        let mut g = std::mem::take(&mut state.gradient);
        for j in 0..p {
            g[j] += w[j];
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
        if let Some(mut h) = state.hessian.take() {
            for j in 0..p {
                h[[j, j]] += 1.0;
            }
            hessian = Some(h);
        }
        let g = Array1::from(g);
        let step = newton_step(hessian.as_ref().expect("the first pass computes one"), &g);
        if report.gradient_norm > 1e-3 {
            hessian = None; // still far: a fresh Hessian next time
        }
        // What the next pass accumulates of the Hessian.
        let next_rows = match (iteration + 1 < options.max_iter && hessian.is_none(), report.gradient_norm > 1e-2) {
            (false, _) => HessianRows::None,
            (true, true) => HessianRows::Sample,
            (true, false) => HessianRows::All,
        };
        let (dw, db) = (&step.as_slice().expect("a new array")[..p], if m > p { step[p] } else { 0.0 });
        let slope: f64 = g.iter().zip(step.iter()).map(|(a, b)| a * b).sum();
        // The full Newton step is tried in the same pass over x that computes the gradient
        // (and Hessian) at its end, so an accepted step costs one pass, not two.
        let trial = problem.pass(&z, Some(Trial { dw, db, xd: &mut xd, z_new: &mut z_new }), next_rows, false);
        let w_full: Vec<f64> = w.iter().zip(dw).map(|(a, d)| a + d).collect();
        let f_full = objective(trial.loss, &w_full);
        // Within rounding of the minimum, the objective cannot tell better from worse: take
        // the full Newton step, which converges quadratically there.
        let rounding = -slope <= 1e-12 * (1.0 + f.abs());
        if rounding || f_full <= f + 1e-4 * slope {
            std::mem::swap(&mut z, &mut z_new);
            (w, b, f, state) = (w_full, b + db, f_full, trial);
            continue;
        }
        // Backtracking (Armijo) line search along the step: z moves by t · X d, already known.
        let mut t = 0.5;
        loop {
            let w_t: Vec<f64> = w.iter().zip(dw).map(|(a, d)| a + t * d).collect();
            let loss = block_sum(n, |r| s[r] * probability_and_loss(z[r] + t * xd[r], y[r]).1);
            let f_t = objective(loss, &w_t);
            if f_t <= f + 1e-4 * t * slope || t < 1e-12 {
                if f_t <= f {
                    for (zr, d) in z.iter_mut().zip(&xd) {
                        *zr += t * d;
                    }
                    (w, f) = (w_t, f_t);
                    if m > p {
                        b += t * db;
                    }
                }
                break;
            }
            t *= 0.5;
        }
        if t < 1e-12 {
            // No decrease along the Newton direction: the minimum is reached to working
            // precision.
            report.iterations = iteration + 1;
            report.objective = f;
            report.converged = report.gradient_norm <= options.tol.max(1e-12);
            break;
        }
        state = problem.pass(&z, None, next_rows, false);
    }
    Ok((LogisticFit { coef: w, intercept: b, report }, column_mean))
}

/// The Newton direction −H⁻¹g; if H is not numerically positive definite (a separable
/// problem drives the weights to zero), a tiny ridge is added, and as a last resort the
/// steepest-descent direction is taken.
pub(super) fn newton_step(h: &Array2<f64>, g: &Array1<f64>) -> Array1<f64> {
    let neg = g.mapv(|v| -v);
    if let Some(d) = cholesky_solve(h, &neg) {
        return d;
    }
    let ridge = 1e-10 * h.diag().iter().fold(1.0f64, |a, v| a.max(v.abs()));
    let mut h = h.clone();
    for j in 0..h.nrows() {
        h[[j, j]] += ridge;
    }
    cholesky_solve(&h, &neg).unwrap_or(neg)
}
