//! One pass over the rows: the loss, the gradient and the Hessian of the log loss at some
//! log-odds, summed in fixed blocks of rows on several threads, in block order.
use ndarray::{Array2, ArrayView2};

use crate::model::design::Design;

/// Rows per block of the gradient and Hessian sums.
const BLOCK: usize = 4_096;

/// Σ term(r) over rows 0..n: summed within fixed blocks of rows on several threads, then
/// over blocks in order, so the result does not depend on the number of threads.
pub(super) fn block_sum(n: usize, term: impl Fn(usize) -> f64 + Sync) -> f64 {
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

/// Which rows the Hessian is accumulated over.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum HessianRows {
    None,
    /// Every fourth block, scaled by the ratio of rows (only with at least 64 blocks).
    Sample,
    All,
}

/// A step tried in a pass: z moves to z + X dw + db (written to `z_new`, the move to `xd`).
pub(super) struct Trial<'a> {
    pub(super) dw: &'a [f64],
    pub(super) db: f64,
    pub(super) xd: &'a mut [f64],
    pub(super) z_new: &'a mut [f64],
}

/// The fixed parts of a fit's passes over the rows.
pub(super) struct Problem<'a, 'x> {
    pub(super) x: &'a Design<'x>,
    pub(super) y: &'a [f64],
    pub(super) s: &'a [f64],
    pub(super) c: f64,
    pub(super) intercept: bool,
}

/// What a pass over the rows gives, at the log-odds it ends at.
pub(super) struct PassResult {
    /// The gradient of C Σ sᵢ ℓᵢ (without the penalty).
    pub(super) gradient: Vec<f64>,
    /// Σ sᵢ ℓᵢ.
    pub(super) loss: f64,
    /// The Hessian of C Σ sᵢ ℓᵢ, if asked for.
    pub(super) hessian: Option<Array2<f64>>,
    /// Σ xᵢ per column, if asked for.
    pub(super) column_sum: Option<Vec<f64>>,
}

impl PassResult {
    pub(super) fn finite(&self) -> bool {
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
    pub(super) fn pass(&self, z: &[f64], trial: Option<Trial<'_>>, rows: HessianRows, column_sum: bool) -> PassResult {
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
pub(super) fn probability_and_loss(z: f64, y: f64) -> (f64, f64) {
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
