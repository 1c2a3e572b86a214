//! Batch scoring of a numeric matrix: row for row the arithmetic of scoring one customer
//! (encode each input, then b + Σ wⱼeⱼ in column order, then σ), arranged so that it
//! vectorises and runs on every core.
//!
//! Rows are scored sixteen at a time, one SIMD lane per row: a tile of sixteen rows is
//! gathered column by column (in the model's column order) into a small buffer that stays
//! in the L1 cache, and each column's encoding and product are applied to the sixteen lanes
//! at once. Each lane performs exactly the operations of [`ChurnModel::score_cells`](super::ChurnModel::score_cells), in the
//! same order, and IEEE arithmetic gives the same bits whatever the vector width, so batch
//! and single scores agree to the last bit. The common numeric column (no missing value in
//! the tile) takes a straight-line path; a missing value, another kind of column or an
//! error takes the general one.
use ndarray::ArrayView2;

use super::logistic::{sigmoid, sigmoid_lanes};
use crate::encode::{EncodedColumn, TableEncoder, UnseenPolicy};
use crate::error::Result;

/// Rows scored together.
const TILE: usize = 16;

/// Rows read ahead of the one being gathered.
const PREFETCH: usize = 32;

/// Rows per unit of work handed to a thread.
const CHUNK: usize = 8_192;

/// How one source column is scored.
enum ColumnPlan<'m> {
    /// A numeric input: e = (x − center) / scale (the division skipped when scale is 1,
    /// where it is exact), a missing x as `fill`, plus the indicator column.
    Numeric { j: usize, center: f64, scale: f64, fill: f64, indicator: bool, missing_ok: bool },
    /// Any other column, through the encoder value by value.
    Other { j: usize, column: &'m EncodedColumn },
}

/// The probability σ(b + w · encode(row)) of each row of `x`, whose column `index[i]` holds
/// the encoder's source column i (`intercept` and `coef` are a churn model's b and w).
pub(crate) fn probabilities(
    encoder: &TableEncoder,
    coef: &[f64],
    intercept: f64,
    x: ArrayView2<'_, f64>,
    index: &[usize],
) -> Result<Vec<f64>> {
    let mut j = 0;
    let plans: Vec<ColumnPlan<'_>> = encoder
        .columns
        .iter()
        .map(|column| {
            let plan = match column {
                EncodedColumn::Numeric { mean, center, scale, indicator, .. } => ColumnPlan::Numeric {
                    j,
                    center: *center,
                    scale: *scale,
                    fill: (mean - center) / scale,
                    indicator: *indicator,
                    missing_ok: *indicator || encoder.unseen == UnseenPolicy::Ignore,
                },
                column => ColumnPlan::Other { j, column },
            };
            j += column.width();
            plan
        })
        .collect();
    let scorer = Scorer { encoder, coef, intercept, x, index, plans };
    let n = x.nrows();
    let mut out = vec![0.0; n];
    let threads = std::thread::available_parallelism().map_or(1, |t| t.get()).min(8).min(n.div_ceil(CHUNK)).max(1);
    let queue = std::sync::Mutex::new(out.chunks_mut(CHUNK).enumerate());
    let work = || -> Option<(usize, crate::error::NpsError)> {
        let mut tile = vec![0.0; scorer.plans.len() * TILE];
        let mut buf = Vec::new();
        loop {
            let (c, chunk) = queue.lock().expect("no thread panics holding it").next()?;
            if let Err(e) = scorer.chunk(c * CHUNK, chunk, &mut tile, &mut buf) {
                return Some((c, e));
            }
        }
    };
    let mut errors: Vec<(usize, crate::error::NpsError)> = if threads == 1 {
        work().into_iter().collect()
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..threads).map(|_| scope.spawn(work)).collect();
            handles.into_iter().filter_map(|h| h.join().expect("scoring does not panic")).collect()
        })
    };
    // The first error in row order, whichever thread met it.
    errors.sort_by_key(|(c, _)| *c);
    match errors.into_iter().next() {
        Some((_, e)) => Err(e),
        None => Ok(out),
    }
}

struct Scorer<'m, 'x> {
    encoder: &'m TableEncoder,
    coef: &'m [f64],
    intercept: f64,
    x: ArrayView2<'x, f64>,
    index: &'m [usize],
    plans: Vec<ColumnPlan<'m>>,
}

impl Scorer<'_, '_> {
    /// Rows first.. of `out`, with the vector instructions of the machine (AVX2 where
    /// present: the lanes' arithmetic, and so every bit, is the same at any width).
    fn chunk(&self, first: usize, out: &mut [f64], tile: &mut [f64], buf: &mut Vec<f64>) -> Result<()> {
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2.
            return unsafe { self.chunk_avx2(first, out, tile, buf) };
        }
        self.chunk_portable(first, out, tile, buf)
    }

    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2")]
    unsafe fn chunk_avx2(&self, first: usize, out: &mut [f64], tile: &mut [f64], buf: &mut Vec<f64>) -> Result<()> {
        self.chunk_portable(first, out, tile, buf)
    }

    #[inline(always)]
    fn chunk_portable(&self, first: usize, out: &mut [f64], tile: &mut [f64], buf: &mut Vec<f64>) -> Result<()> {
        for (t, o) in out.chunks_mut(TILE).enumerate() {
            let r0 = first + t * TILE;
            self.gather(r0, o.len(), tile);
            if self.tile(r0, o, tile, buf).is_none() {
                self.rows(r0, o, buf)?;
            }
        }
        Ok(())
    }

    /// The tile of rows r0..r0 + rows, source column i in tile[i·TILE..], zeros past the
    /// last row. The matrix is read in memory order (row by row when rows are contiguous),
    /// which the hardware prefetches.
    #[inline(always)]
    fn gather(&self, r0: usize, rows: usize, tile: &mut [f64]) {
        let (rs, cs) = (self.x.strides()[0], self.x.strides()[1]);
        if rows < TILE {
            tile.fill(0.0);
        }
        if cs.unsigned_abs() <= rs.unsigned_abs() {
            for k in 0..rows {
                let row = self.x.row(r0 + k);
                self.prefetch(r0 + k + PREFETCH);
                for (i, &c) in self.index.iter().enumerate() {
                    // SAFETY: c < ncols (checked by matrix_index).
                    tile[i * TILE + k] = unsafe { *row.uget(c) };
                }
            }
        } else {
            for (i, &c) in self.index.iter().enumerate() {
                let column = self.x.column(c);
                for k in 0..rows {
                    // SAFETY: r0 + k < nrows (the tile lies inside the matrix).
                    tile[i * TILE + k] = unsafe { *column.uget(r0 + k) };
                }
            }
        }
    }

    /// Asks for row r of a row-major matrix to be brought into cache (a hint; nothing
    /// past the last row).
    #[inline(always)]
    fn prefetch(&self, r: usize) {
        #[cfg(target_arch = "x86_64")]
        if r < self.x.nrows() && self.x.strides()[1] == 1 {
            let row = self.x.row(r);
            let bytes = self.x.ncols() * std::mem::size_of::<f64>();
            for offset in (0..bytes).step_by(64) {
                // SAFETY: a prefetch hint within row r, which exists.
                unsafe {
                    let at = (row.as_ptr() as *const i8).add(offset);
                    std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(at);
                }
            }
        }
    }

    /// Scores a gathered tile; `None` if some value needs the general path (a missing or
    /// infinite value where it is an error), which also names it.
    #[inline(always)]
    fn tile(&self, r0: usize, out: &mut [f64], tile: &[f64], buf: &mut Vec<f64>) -> Option<()> {
        let coef = self.coef;
        let mut z = [self.intercept; TILE];
        for (i, plan) in self.plans.iter().enumerate() {
            let v: &[f64; TILE] = tile[i * TILE..(i + 1) * TILE].try_into().expect("a tile");
            match *plan {
                ColumnPlan::Numeric { j, center, scale, fill, indicator, missing_ok } => {
                    let w = coef[j];
                    // x · 0 is ±0 for a finite x and NaN otherwise.
                    let mut probe = [0.0; 4];
                    for x in v.chunks_exact(4) {
                        for l in 0..4 {
                            probe[l] += x[l] * 0.0;
                        }
                    }
                    if (probe[0] + probe[1]) + (probe[2] + probe[3]) == 0.0 {
                        if scale == 1.0 {
                            for (z, &x) in z.iter_mut().zip(v) {
                                *z += (x - center) * w;
                            }
                        } else {
                            for (z, &x) in z.iter_mut().zip(v) {
                                *z += (x - center) / scale * w;
                            }
                        }
                        if indicator {
                            let w1 = coef[j + 1];
                            for z in z.iter_mut() {
                                *z += 0.0 * w1;
                            }
                        }
                    } else {
                        if !missing_ok || v.iter().any(|x| x.is_infinite()) {
                            return None;
                        }
                        for (z, &x) in z.iter_mut().zip(v) {
                            let missing = x.is_nan();
                            let e = if missing { fill } else { (x - center) / scale };
                            *z += e * w;
                            if indicator {
                                *z += missing as u8 as f64 * coef[j + 1];
                            }
                        }
                    }
                }
                ColumnPlan::Other { j, column } => {
                    let w = column.width();
                    buf.resize(w.max(buf.len()), 0.0);
                    for (k, z) in z.iter_mut().enumerate().take(out.len()) {
                        self.encoder.encode_number(column, v[k], r0 + k, &mut buf[..w]).ok()?;
                        for (e, w) in buf[..w].iter().zip(&coef[j..j + w]) {
                            *z += e * w;
                        }
                    }
                }
            }
        }
        for (o, p) in out.iter_mut().zip(sigmoid_lanes(&z)) {
            *o = p;
        }
        Some(())
    }

    /// The general path, one row at a time: [`ChurnModel::score_cells`](super::ChurnModel::score_cells)'s arithmetic on
    /// the encoder's values, with its errors (naming the row).
    fn rows(&self, r0: usize, out: &mut [f64], buf: &mut Vec<f64>) -> Result<()> {
        let coef = self.coef;
        for (k, o) in out.iter_mut().enumerate() {
            let mut z = self.intercept;
            let row = self.x.row(r0 + k);
            for ((column, &c), plan) in self.encoder.columns.iter().zip(self.index).zip(&self.plans) {
                let (ColumnPlan::Numeric { j, .. } | ColumnPlan::Other { j, .. }) = *plan;
                let w = column.width();
                buf.resize(w.max(buf.len()), 0.0);
                self.encoder.encode_number(column, row[c], r0 + k, &mut buf[..w])?;
                for (e, w) in buf[..w].iter().zip(&coef[j..j + w]) {
                    z += e * w;
                }
            }
            *o = sigmoid(z);
        }
        Ok(())
    }
}
