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
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::design::Design;
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
    // 1 / (1 + e^−z) for z ≥ 0, e^z / (1 + e^z) below: the one exponential is e^−|z|, and
    // only the numerator is chosen by the sign (no branch to mispredict on mixed signs).
    let e = (-z.abs()).exp();
    let numerator = if z >= 0.0 { 1.0 } else { e };
    numerator / (1.0 + e)
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
    check_fit_options(x.nrows(), labels, options)?;
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(NpsError::invalid(&format!("x[{i}, {j}]"), row[j], "a finite number"));
        }
    }
    Ok(())
}

/// [`check_fit_inputs`] but for the values of x (which the logistic fit checks in its
/// first pass over them).
fn check_fit_options(n: usize, labels: usize, options: &LogisticOptions) -> Result<()> {
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
    Ok(())
}

/// Checks the labels and weights of a fit (of n rows) and returns the row weights sᵢ
/// (sample × class weight).
pub(crate) fn row_weights(
    n: usize,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    class_weight: ClassWeight,
) -> Result<Vec<f64>> {
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
    let class = match class_weight {
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

/// Σ term(r) over rows 0..n: summed within fixed blocks of rows on several threads, then
/// over blocks in order, so the result does not depend on the number of threads.
fn block_sum(n: usize, term: impl Fn(usize) -> f64 + Sync) -> f64 {
    let blocks = n.div_ceil(BLOCK);
    let mut sums = vec![0.0; blocks];
    let threads = threads_for(blocks);
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

/// Threads for `blocks` blocks of work: the machine's cores, at most 8.
fn threads_for(blocks: usize) -> usize {
    std::thread::available_parallelism().map_or(1, |t| t.get()).min(8).min(blocks).max(1)
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

/// A step tried in a pass: z moves to z + X dw + db (written to `z_new`, the move to `xd`).
struct Trial<'a> {
    dw: &'a [f64],
    db: f64,
    xd: &'a mut [f64],
    z_new: &'a mut [f64],
}

/// The fixed parts of a fit's passes over the rows.
struct Problem<'a, 'x> {
    x: &'a Design<'x>,
    y: &'a [f64],
    s: &'a [f64],
    c: f64,
    intercept: bool,
}

/// What a pass over the rows gives, at the log-odds it ends at.
struct PassResult {
    /// The gradient of C Σ sᵢ ℓᵢ (without the penalty).
    gradient: Vec<f64>,
    /// Σ sᵢ ℓᵢ.
    loss: f64,
    /// The Hessian of C Σ sᵢ ℓᵢ, if asked for.
    hessian: Option<Array2<f64>>,
    /// Σ xᵢ per column, if asked for.
    column_sum: Option<Vec<f64>>,
}

impl PassResult {
    fn finite(&self) -> bool {
        self.loss.is_finite() && self.gradient.iter().all(|v| v.is_finite())
    }
}

/// One block's share of a pass.
struct BlockResult {
    gradient: Vec<f64>,
    loss: f64,
    hessian: Option<Vec<f64>>,
    column_sum: Option<Vec<f64>>,
}

/// A trial step in one block: (dw, db, the block's share of xd, of z_new).
type StepOutputs<'a> = (&'a [f64], f64, &'a mut [f64], &'a mut [f64]);

/// Rows per Hessian product inside a block: the f32 rows (51 columns: 100 KB) stay in cache.
const SUB: usize = 512;

impl Problem<'_, '_> {
    /// One pass over the rows, at log-odds z (or, with a trial step, at z + X d): the
    /// loss, the gradient and, if asked, the Hessian and the column sums. Blocks of rows are
    /// handed out to threads as they free up and their sums added in block order, so the
    /// result does not depend on the number of threads or on timing.
    fn pass(&self, z: &[f64], trial: Option<Trial<'_>>, rows: HessianRows, column_sum: bool) -> PassResult {
        let (n, p) = (self.x.nrows(), self.x.ncols());
        let m = p + self.intercept as usize;
        let blocks = n.div_ceil(BLOCK);
        let sample = rows == HessianRows::Sample && blocks >= 64;
        let (dw, db) = trial.as_ref().map_or((&[][..], 0.0), |t| (t.dw, t.db));
        type Outputs<'o> = Option<(&'o mut [f64], &'o mut [f64])>;
        let outputs: Vec<(usize, Outputs<'_>)> = match trial {
            Some(t) => t.xd.chunks_mut(BLOCK).zip(t.z_new.chunks_mut(BLOCK)).map(Some).enumerate().collect(),
            None => (0..blocks).map(|k| (k, None)).collect(),
        };
        let queue = std::sync::Mutex::new(outputs.into_iter());
        let work = || {
            let mut done = Vec::new();
            let mut buf = Vec::new();
            let mut zbuf = Vec::new();
            loop {
                let Some((k, out)) = queue.lock().expect("no thread panics holding it").next() else { break };
                let with_hessian = rows != HessianRows::None && (!sample || k.is_multiple_of(4));
                let step = out.map(|(xd, z_new)| (dw, db, xd, z_new));
                done.push((k, self.block(k, z, step, with_hessian, column_sum, &mut buf, &mut zbuf)));
            }
            done
        };
        let threads = threads_for(blocks);
        let mut parts: Vec<(usize, BlockResult)> = if threads == 1 {
            work()
        } else {
            std::thread::scope(|scope| {
                let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
                handles.into_iter().flat_map(|h| h.join().expect("a block computation does not panic")).collect()
            })
        };
        parts.sort_unstable_by_key(|(k, _)| *k);
        let mut gradient = vec![0.0; m];
        let mut loss = 0.0;
        let mut h = (rows != HessianRows::None).then(|| Array2::<f64>::zeros((m, m)));
        let mut sums = column_sum.then(|| vec![0.0; p]);
        let mut hessian_rows = 0;
        for (k, part) in parts {
            for (a, b) in gradient.iter_mut().zip(&part.gradient) {
                *a += b;
            }
            loss += part.loss;
            if let (Some(h), Some(hb)) = (h.as_mut(), part.hessian) {
                for (a, b) in h.iter_mut().zip(&hb) {
                    *a += b;
                }
                hessian_rows += BLOCK.min(n - k * BLOCK);
            }
            if let (Some(sums), Some(sb)) = (sums.as_mut(), part.column_sum) {
                for (a, b) in sums.iter_mut().zip(&sb) {
                    *a += b;
                }
            }
        }
        if let Some(h) = h.as_mut() {
            if sample {
                *h *= n as f64 / hessian_rows as f64;
            }
            // Symmetrise exactly (the products are symmetric up to rounding).
            for i in 0..m {
                for j in 0..i {
                    let v = 0.5 * (h[[i, j]] + h[[j, i]]);
                    h[[i, j]] = v;
                    h[[j, i]] = v;
                }
            }
        }
        PassResult { gradient, loss, hessian: h, column_sum: sums }
    }

    /// Block k's share of a pass (rows k·BLOCK..), row by row in order.
    #[allow(clippy::too_many_arguments)]
    fn block(
        &self,
        k: usize,
        z: &[f64],
        mut step: Option<StepOutputs<'_>>,
        with_hessian: bool,
        column_sum: bool,
        buf: &mut Vec<f64>,
        zbuf: &mut Vec<f32>,
    ) -> BlockResult {
        let (n, p) = (self.x.nrows(), self.x.ncols());
        let m = p + self.intercept as usize;
        let (r0, r1) = (k * BLOCK, ((k + 1) * BLOCK).min(n));
        let (y, s, c) = (self.y, self.s, self.c);
        let mut g = vec![0.0; m];
        let mut loss = 0.0;
        let mut sums = column_sum.then(|| vec![0.0; p]);
        let mut h = with_hessian.then(|| vec![0.0; m * m]);
        let mut h32 = ndarray::Array2::<f32>::zeros((m, m));
        for a in (r0..r1).step_by(SUB) {
            let e = (a + SUB).min(r1);
            let rows = self.x.rows(a, e, buf);
            if with_hessian {
                zbuf.clear();
                zbuf.resize((e - a) * m, 0.0);
            }
            for i in 0..e - a {
                let r = a + i;
                let row = &rows[i * p..(i + 1) * p];
                let zr = match step.as_mut() {
                    Some((dw, db, xd, z_new)) => {
                        let d = dot(row, dw) + *db;
                        xd[r - r0] = d;
                        z_new[r - r0] = z[r] + d;
                        z[r] + d
                    }
                    None => z[r],
                };
                let (pi, l) = probability_and_loss(zr, y[r]);
                loss += s[r] * l;
                let resid = c * s[r] * (pi - y[r]);
                for (gj, xj) in g[..p].iter_mut().zip(row) {
                    *gj += resid * xj;
                }
                if self.intercept {
                    g[p] += resid;
                }
                if let Some(sums) = sums.as_mut() {
                    for (sj, xj) in sums.iter_mut().zip(row) {
                        *sj += xj;
                    }
                }
                if with_hessian {
                    // The Hessian only steers the steps (the gradient, in f64, decides where
                    // they end), so it is accumulated in f32: half the memory traffic, twice
                    // the arithmetic rate.
                    let root = (c * s[r] * pi * (1.0 - pi)).sqrt();
                    let zr = &mut zbuf[i * m..(i + 1) * m];
                    for (zj, xj) in zr.iter_mut().zip(row) {
                        *zj = (root * xj) as f32;
                    }
                    if self.intercept {
                        zr[p] = root as f32;
                    }
                }
            }
            if let Some(h) = h.as_mut() {
                let zv = ArrayView2::from_shape((e - a, m), &zbuf[..]).expect("sized above");
                ndarray::linalg::general_mat_mul(1.0, &zv.t(), &zv, 0.0, &mut h32);
                for (a, b) in h.iter_mut().zip(h32.iter()) {
                    *a += f64::from(*b);
                }
            }
        }
        BlockResult { gradient: g, loss, hessian: h, column_sum: sums }
    }
}

/// σ(z) and the log loss log(1 + eᶻ) − y z, with one exponential. log(1 + e) for the
/// e = e^−|z| ≤ 1 is off by at most 1e-16 absolute: nothing in a sum over rows, and half
/// the cost of log1p.
#[inline]
fn probability_and_loss(z: f64, y: f64) -> (f64, f64) {
    let e = (-z.abs()).exp();
    let p = if z >= 0.0 { 1.0 / (1.0 + e) } else { e / (1.0 + e) };
    (p, z.max(0.0) + (1.0 + e).ln() - y * z)
}

/// Σ aᵢbᵢ in eight interleaved partial sums (so it vectorises), then the tail in order.
#[inline]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut acc = [0.0; 8];
    let (ca, cb) = (a.chunks_exact(8), b.chunks_exact(8));
    let (ta, tb) = (ca.remainder(), cb.remainder());
    for (x, w) in ca.zip(cb) {
        for k in 0..8 {
            acc[k] += x[k] * w[k];
        }
    }
    let mut sum = ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
    for (x, w) in ta.iter().zip(tb) {
        sum += x * w;
    }
    sum
}
