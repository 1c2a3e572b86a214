//! L2-regularised logistic regression, fitted by Newton's method.
//!
//! The objective is scikit-learn's: C Σ sᵢ ℓ(yᵢ, xᵢ·w + b) + ½‖w‖², with ℓ the log loss,
//! sᵢ the sample weight times the class weight, and the intercept b not penalised. It is
//! smooth and strictly convex, so Newton's method with a backtracking line search reaches
//! the minimum in a handful of iterations, each one pass over the data for the gradient and
//! the Hessian XᵀWX (accumulated in fixed blocks of rows, spread over threads and summed in
//! block order, so the result does not depend on the number of threads) and a Cholesky
//! solve of a (p + 1)-square system.
use ndarray::{s, Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::linalg::cholesky_solve;
use crate::error::{NpsError, Result};

/// Rows per block of the gradient and Hessian sums.
const BLOCK: usize = 4_096;

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
#[inline]
pub fn sigmoid(z: f64) -> f64 {
    if z >= 0.0 {
        1.0 / (1.0 + (-z).exp())
    } else {
        let e = z.exp();
        e / (1.0 + e)
    }
}

/// log(1 + eᶻ) without overflow or loss of precision.
#[inline]
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
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

/// The checks every fit makes: rows present, one label per row, sensible options, finite
/// values (naming row and column).
pub(crate) fn check_fit_inputs(x: ArrayView2<'_, f64>, labels: usize, options: &LogisticOptions) -> Result<()> {
    let n = x.nrows();
    if n == 0 {
        return Err(NpsError::Empty { field: "x".into() });
    }
    if labels != n {
        return Err(NpsError::LengthMismatch {
            field: "y".into(),
            actual: labels,
            other: "x's rows".into(),
            expected: n,
        });
    }
    if !(options.c > 0.0 && options.c.is_finite()) {
        return Err(NpsError::invalid("C", options.c, "a positive, finite number"));
    }
    if options.max_iter == 0 {
        return Err(NpsError::invalid("max_iter", 0, "at least 1"));
    }
    if options.tol.is_nan() || options.tol < 0.0 {
        return Err(NpsError::invalid("tol", options.tol, "a non-negative number"));
    }
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(NpsError::invalid(&format!("x[{i}, {j}]"), row[j], "a finite number"));
        }
    }
    Ok(())
}

/// Checks the inputs of a fit and returns the row weights sᵢ (sample × class weight).
fn row_weights(
    x: ArrayView2<'_, f64>,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<Vec<f64>> {
    check_fit_inputs(x, y.len(), options)?;
    let n = x.nrows();
    let mut counts = [0usize; 2];
    for (index, &v) in y.iter().enumerate() {
        if v == 0.0 || v == 1.0 {
            counts[v as usize] += 1;
        } else if v.is_nan() {
            return Err(NpsError::Missing { field: "y".into(), index });
        } else {
            return Err(NpsError::OutOfRange { field: "y".into(), index, value: v, range: "{0, 1}".into() });
        }
    }
    if let Some(missing) = counts.iter().position(|&c| c == 0) {
        return Err(NpsError::invalid(
            "y",
            format!("only class {}", 1 - missing),
            "both classes 0 and 1 (a churn model needs leavers and stayers)",
        ));
    }
    let class = match options.class_weight {
        ClassWeight::None => [1.0, 1.0],
        ClassWeight::Balanced => [n as f64 / (2.0 * counts[0] as f64), n as f64 / (2.0 * counts[1] as f64)],
        ClassWeight::Custom { negative, positive } => {
            for (name, w) in [("class_weight.negative", negative), ("class_weight.positive", positive)] {
                if !(w >= 0.0 && w.is_finite()) {
                    return Err(NpsError::invalid(name, w, "a non-negative, finite number"));
                }
            }
            [negative, positive]
        }
    };
    let mut s: Vec<f64> = y.iter().map(|&v| class[v as usize]).collect();
    if let Some(w) = sample_weight {
        if w.len() != n {
            return Err(NpsError::LengthMismatch {
                field: "sample_weight".into(),
                actual: w.len(),
                other: "x's rows".into(),
                expected: n,
            });
        }
        for (index, (&wi, si)) in w.iter().zip(s.iter_mut()).enumerate() {
            if wi.is_nan() {
                return Err(NpsError::Missing { field: "sample_weight".into(), index });
            }
            if wi < 0.0 || wi.is_infinite() {
                return Err(NpsError::Negative { field: "sample_weight".into(), index, value: wi });
            }
            *si *= wi;
        }
    }
    if s.iter().sum::<f64>() <= 0.0 {
        return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
    }
    Ok(s)
}

/// Fits the model. Errors name the field, row, column and value: empty x, mismatched
/// lengths, a NaN or infinite value, a label other than 0/1, a single class, a negative or
/// NaN weight, all weights zero, C not positive. A constant column is fine (the penalty
/// keeps its coefficient finite). Not reaching the tolerance within `max_iter` is not an
/// error: the report says `converged: false`.
pub fn fit_logistic(
    x: ArrayView2<'_, f64>,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    options: &LogisticOptions,
) -> Result<LogisticFit> {
    let s = row_weights(x, y, sample_weight, options)?;
    let (n, p) = x.dim();
    let c = options.c;
    let m = p + options.fit_intercept as usize;
    let scale = c * s.iter().sum::<f64>();
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
    let objective = |z: &[f64], w: &[f64]| -> f64 {
        let loss = block_sum(n, |r| s[r] * (softplus(z[r]) - y[r] * z[r]));
        c * loss + 0.5 * w.iter().map(|v| v * v).sum::<f64>()
    };
    let mut f = objective(&z, &w);
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
    for iteration in 0..=options.max_iter {
        let fresh = iteration < options.max_iter && hessian.is_none();
        // Far from the minimum, the Hessian of a quarter of the blocks (scaled up) steers as
        // well as the full one.
        let hessian_rows = match (fresh, report.gradient_norm > 1e-2) {
            (false, _) => HessianRows::None,
            (true, true) => HessianRows::Sample,
            (true, false) => HessianRows::All,
        };
        let (mut g, h) = gradient_and_hessian(x, y, &s, &z, c, options.fit_intercept, hessian_rows);
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
        if fresh {
            let mut h = h;
            for j in 0..p {
                h[[j, j]] += 1.0;
            }
            hessian = Some(h);
        }
        let step = newton_step(hessian.as_ref().expect("computed above"), &g);
        if report.gradient_norm > 1e-3 {
            hessian = None; // still far: a fresh Hessian next time
        }
        // Backtracking (Armijo) line search along the step; z moves by t · X d.
        let (dw, db) = (step.slice(s![..p]).to_vec(), if m > p { step[p] } else { 0.0 });
        let xd = matvec(x, &dw, db);
        let slope: f64 = g.iter().zip(step.iter()).map(|(a, b)| a * b).sum();
        let mut t = 1.0;
        let (mut z_new, mut w_new) = (vec![0.0; n], vec![0.0; p]);
        if -slope <= 1e-12 * (1.0 + f.abs()) {
            // Within rounding of the minimum, the objective cannot tell better from worse:
            // take the full Newton step, which converges quadratically there.
            for i in 0..n {
                z[i] += xd[i];
            }
            for j in 0..p {
                w[j] += step[j];
            }
            b += db;
            f = objective(&z, &w);
            continue;
        }
        loop {
            for i in 0..n {
                z_new[i] = z[i] + t * xd[i];
            }
            for j in 0..p {
                w_new[j] = w[j] + t * step[j];
            }
            let f_new = objective(&z_new, &w_new);
            if f_new <= f + 1e-4 * t * slope || t < 1e-12 {
                if f_new <= f {
                    std::mem::swap(&mut z, &mut z_new);
                    std::mem::swap(&mut w, &mut w_new);
                    if m > p {
                        b += t * step[p];
                    }
                    f = f_new;
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
    }
    Ok(LogisticFit { coef: w, intercept: b, report })
}

/// Σ term(r) over rows 0..n: summed within fixed blocks of rows on several threads, then
/// over blocks in order, so the result does not depend on the number of threads.
fn block_sum(n: usize, term: impl Fn(usize) -> f64 + Sync) -> f64 {
    let blocks = n.div_ceil(BLOCK);
    let mut sums = vec![0.0; blocks];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8).min(blocks).max(1);
    let per = blocks.div_ceil(threads);
    std::thread::scope(|scope| {
        for (t, chunk) in sums.chunks_mut(per).enumerate() {
            let term = &term;
            scope.spawn(move || {
                for (i, out) in chunk.iter_mut().enumerate() {
                    let k = t * per + i;
                    *out = (k * BLOCK..((k + 1) * BLOCK).min(n)).map(term).sum();
                }
            });
        }
    });
    sums.iter().sum()
}

/// b + X w for every row, in fixed blocks of rows spread over threads.
fn matvec(x: ArrayView2<'_, f64>, w: &[f64], b: f64) -> Vec<f64> {
    let n = x.nrows();
    let mut out = vec![0.0; n];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8).min(n.div_ceil(BLOCK)).max(1);
    let per = n.div_ceil(threads);
    std::thread::scope(|scope| {
        for (k, chunk) in out.chunks_mut(per).enumerate() {
            let rows = x.slice(s![k * per..k * per + chunk.len(), ..]);
            scope.spawn(move || {
                for (o, r) in chunk.iter_mut().zip(rows.rows()) {
                    *o = match r.as_slice() {
                        Some(r) => linear(r.iter().copied(), w, b),
                        None => linear(r.iter().copied(), w, b),
                    };
                }
            });
        }
    });
    out
}

/// The Newton direction −H⁻¹g; if H is not numerically positive definite (a separable
/// problem drives the weights to zero), a tiny ridge is added, and as a last resort the
/// steepest-descent direction is taken.
fn newton_step(h: &Array2<f64>, g: &Array1<f64>) -> Array1<f64> {
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

/// Which rows the Hessian is accumulated over.
#[derive(Clone, Copy, PartialEq)]
enum HessianRows {
    None,
    /// Every fourth block, scaled by the ratio of rows (only with at least 64 blocks).
    Sample,
    All,
}

/// The gradient of C Σ sᵢ ℓᵢ (without the penalty) and, if asked, its Hessian
/// (lower triangle filled, then mirrored), summed over fixed blocks of rows in block order.
fn gradient_and_hessian(
    x: ArrayView2<'_, f64>,
    y: &[f64],
    s: &[f64],
    z: &[f64],
    c: f64,
    intercept: bool,
    rows: HessianRows,
) -> (Array1<f64>, Array2<f64>) {
    let (n, p) = x.dim();
    let m = p + intercept as usize;
    let blocks = n.div_ceil(BLOCK);
    let sample = rows == HessianRows::Sample && blocks >= 64;
    let block = |k: usize| -> (Array1<f64>, Option<Array2<f64>>) {
        let with_hessian = rows != HessianRows::None && (!sample || k.is_multiple_of(4));
        let (r0, r1) = (k * BLOCK, ((k + 1) * BLOCK).min(n));
        let xb = x.slice(s![r0..r1, ..]);
        let mut g = Array1::<f64>::zeros(m);
        // The Hessian only steers the steps (the gradient, in f64, decides where they end),
        // so it is accumulated in f32: half the memory traffic, twice the arithmetic rate.
        let mut zrows = if with_hessian { Array2::<f32>::zeros((r1 - r0, m)) } else { Array2::zeros((0, m)) };
        for (i, row) in xb.rows().into_iter().enumerate() {
            let r = r0 + i;
            let pi = sigmoid(z[r]);
            let resid = c * s[r] * (pi - y[r]);
            for (gj, xj) in g.iter_mut().zip(row.iter()) {
                *gj += resid * xj;
            }
            if intercept {
                g[p] += resid;
            }
            if with_hessian {
                let root = (c * s[r] * pi * (1.0 - pi)).sqrt();
                let mut zr = zrows.row_mut(i);
                for (zj, xj) in zr.iter_mut().zip(row.iter()) {
                    *zj = (root * xj) as f32;
                }
                if intercept {
                    zr[p] = root as f32;
                }
            }
        }
        let h = with_hessian.then(|| zrows.t().dot(&zrows).mapv(f64::from));
        (g, h)
    };
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8).min(blocks).max(1);
    let parts: Vec<(Array1<f64>, Option<Array2<f64>>)> = if threads == 1 {
        (0..blocks).map(block).collect()
    } else {
        let per = blocks.div_ceil(threads);
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads)
                .map(|t| {
                    let block = &block;
                    scope.spawn(move || (t * per..((t + 1) * per).min(blocks)).map(block).collect::<Vec<_>>())
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().expect("a block computation does not panic")).collect()
        })
    };
    let mut g = Array1::<f64>::zeros(m);
    let mut h = Array2::<f64>::zeros((m, m));
    let mut hessian_rows = 0;
    for (k, (gb, hb)) in parts.into_iter().enumerate() {
        g += &gb;
        if let Some(hb) = hb {
            h += &hb;
            hessian_rows += BLOCK.min(n - k * BLOCK);
        }
    }
    if sample {
        h *= n as f64 / hessian_rows as f64;
    }
    // Symmetrise exactly (the block products are symmetric up to rounding).
    for i in 0..m {
        for j in 0..i {
            let v = 0.5 * (h[[i, j]] + h[[j, i]]);
            h[[i, j]] = v;
            h[[j, i]] = v;
        }
    }
    (g, h)
}
