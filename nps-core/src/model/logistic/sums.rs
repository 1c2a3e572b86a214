//! What some rows contribute to the logistic fit at one point: the loss, gradient and
//! Hessian sums of each class, which add across the parts of a table held in several places
//! (see [`super::DistributedFit`]).
use ndarray::{Array2, ArrayView2};

use super::linear;
use super::pass::probability_and_loss;
use crate::error::{NpsError, Result};

/// Rows per Hessian product.
const BLOCK: usize = 512;

/// The sums of a share of the rows at the point (coef, intercept), kept per class so that
/// class weights (even "balanced", which needs every part's counts) apply after merging:
/// for class k, the rows and their total sample weight, Σ wᵢ ℓᵢ, Σ wᵢ (pᵢ − yᵢ) xᵢ and
/// Σ wᵢ pᵢ (1 − pᵢ) xᵢ xᵢᵀ (x with a trailing 1 when the intercept is fitted), and the
/// plain column sums of x. Rows of weight zero are left out, as the fit of a whole table
/// leaves them out.
#[derive(Debug, Clone, PartialEq)]
pub struct LogisticSums {
    /// Columns of x.
    pub columns: usize,
    /// Whether the intercept is fitted (a trailing 1 in the sums).
    pub intercept: bool,
    /// Rows of class 0 and 1.
    pub rows: [f64; 2],
    /// Their total sample weight.
    pub weight: [f64; 2],
    /// Σ wᵢ ℓᵢ per class.
    pub loss: [f64; 2],
    /// Σ wᵢ (pᵢ − yᵢ) xᵢ per class (columns + intercept values each).
    pub gradient: [Vec<f64>; 2],
    /// Σ wᵢ pᵢ (1 − pᵢ) xᵢ xᵢᵀ per class, row-major.
    pub hessian: [Vec<f64>; 2],
    /// Σ xᵢ per column (not weighted).
    pub column_sum: Vec<f64>,
}

impl LogisticSums {
    /// Sums of nothing, to merge parts into.
    pub fn zero(columns: usize, intercept: bool) -> LogisticSums {
        let m = columns + intercept as usize;
        LogisticSums {
            columns,
            intercept,
            rows: [0.0; 2],
            weight: [0.0; 2],
            loss: [0.0; 2],
            gradient: [vec![0.0; m], vec![0.0; m]],
            hessian: [vec![0.0; m * m], vec![0.0; m * m]],
            column_sum: vec![0.0; columns],
        }
    }

    /// The sums of the rows of x (labels y, 0 or 1; optional sample weights) at the point
    /// (coef, intercept). Errors name the row and column: a label other than 0/1, a negative
    /// or NaN weight, a value of x that is not finite, lengths that differ.
    pub fn of(
        x: ArrayView2<'_, f64>,
        y: &[f64],
        sample_weight: Option<&[f64]>,
        coef: &[f64],
        intercept: Option<f64>,
    ) -> Result<LogisticSums> {
        let (n, p) = x.dim();
        let mismatch = |field: &str, actual: usize, other: &str, expected: usize| NpsError::LengthMismatch {
            field: field.into(),
            actual,
            other: other.into(),
            expected,
        };
        if y.len() != n {
            return Err(mismatch("y", y.len(), "x's rows", n));
        }
        if let Some(w) = sample_weight.filter(|w| w.len() != n) {
            return Err(mismatch("sample_weight", w.len(), "x's rows", n));
        }
        if coef.len() != p {
            return Err(mismatch("coef", coef.len(), "x's columns", p));
        }
        let mut sums = LogisticSums::zero(p, intercept.is_some());
        let m = p + sums.intercept as usize;
        let b = intercept.unwrap_or(0.0);
        let mut scaled = [Vec::with_capacity(BLOCK * m), Vec::with_capacity(BLOCK * m)];
        let flush = |scaled: &mut [Vec<f64>; 2], hessian: &mut [Vec<f64>; 2]| {
            for k in 0..2 {
                let rows = scaled[k].len() / m;
                if rows == 0 {
                    continue;
                }
                let z = ArrayView2::from_shape((rows, m), &scaled[k][..]).expect("whole rows");
                let mut h = Array2::<f64>::zeros((m, m));
                ndarray::linalg::general_mat_mul(1.0, &z.t(), &z, 0.0, &mut h);
                for (a, v) in hessian[k].iter_mut().zip(h.iter()) {
                    *a += v;
                }
                scaled[k].clear();
            }
        };
        for (i, row) in x.rows().into_iter().enumerate() {
            let yi = y[i];
            let k = match yi {
                v if v == 0.0 || v == 1.0 => v as usize,
                v if v.is_nan() => return Err(NpsError::Missing { field: "y".into(), index: i }),
                v => {
                    return Err(NpsError::OutOfRange { field: "y".into(), index: i, value: v, range: "{0, 1}".into() })
                }
            };
            let wi = sample_weight.map_or(1.0, |w| w[i]);
            if wi.is_nan() {
                return Err(NpsError::Missing { field: "sample_weight".into(), index: i });
            }
            if wi < 0.0 || wi.is_infinite() {
                return Err(NpsError::Negative { field: "sample_weight".into(), index: i, value: wi });
            }
            if let Some(j) = row.iter().position(|v| !v.is_finite()) {
                return Err(NpsError::invalid(&format!("x[{i}, {j}]"), row[j], "a finite number"));
            }
            if wi == 0.0 {
                continue;
            }
            let (pi, loss) = probability_and_loss(linear(row.iter().copied(), coef, b), yi);
            sums.rows[k] += 1.0;
            sums.weight[k] += wi;
            sums.loss[k] += wi * loss;
            let resid = wi * (pi - yi);
            let root = (wi * pi * (1.0 - pi)).sqrt();
            let g = &mut sums.gradient[k];
            for (j, &v) in row.iter().enumerate() {
                g[j] += resid * v;
                sums.column_sum[j] += v;
                scaled[k].push(root * v);
            }
            if sums.intercept {
                g[p] += resid;
                scaled[k].push(root);
            }
            if scaled[k].len() == BLOCK * m {
                flush(&mut scaled, &mut sums.hessian);
            }
        }
        flush(&mut scaled, &mut sums.hessian);
        Ok(sums)
    }

    /// Adds another part's sums (at the same point) to these.
    pub fn merge(&mut self, other: &LogisticSums) -> Result<()> {
        if (other.columns, other.intercept) != (self.columns, self.intercept) {
            return Err(NpsError::invalid(
                "sums",
                format!("{} columns{}", other.columns, if other.intercept { " and an intercept" } else { "" }),
                &format!("sums of {} columns{}", self.columns, if self.intercept { " and an intercept" } else { "" }),
            ));
        }
        let add = |a: &mut [f64], b: &[f64]| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        for k in 0..2 {
            self.rows[k] += other.rows[k];
            self.weight[k] += other.weight[k];
            self.loss[k] += other.loss[k];
            add(&mut self.gradient[k], &other.gradient[k]);
            add(&mut self.hessian[k], &other.hessian[k]);
        }
        add(&mut self.column_sum, &other.column_sum);
        Ok(())
    }

    /// The sums as one vector (rows, weights, losses, gradients, Hessians, column sums),
    /// to travel between processes; [`Self::from_vec`] reads it back.
    pub fn to_vec(&self) -> Vec<f64> {
        let mut v = Vec::with_capacity(self.len());
        v.extend(self.rows);
        v.extend(self.weight);
        v.extend(self.loss);
        for k in 0..2 {
            v.extend(&self.gradient[k]);
        }
        for k in 0..2 {
            v.extend(&self.hessian[k]);
        }
        v.extend(&self.column_sum);
        v
    }

    /// Reads [`Self::to_vec`]'s vector for `columns` columns, with or without an intercept.
    pub fn from_vec(columns: usize, intercept: bool, v: &[f64]) -> Result<LogisticSums> {
        let mut sums = LogisticSums::zero(columns, intercept);
        if v.len() != sums.len() {
            return Err(NpsError::LengthMismatch {
                field: "sums".into(),
                actual: v.len(),
                other: format!("the sums of {columns} columns"),
                expected: sums.len(),
            });
        }
        let m = columns + intercept as usize;
        let mut at = 0;
        let mut take = |len: usize| {
            at += len;
            &v[at - len..at]
        };
        sums.rows.copy_from_slice(take(2));
        sums.weight.copy_from_slice(take(2));
        sums.loss.copy_from_slice(take(2));
        for k in 0..2 {
            sums.gradient[k].copy_from_slice(take(m));
        }
        for k in 0..2 {
            sums.hessian[k].copy_from_slice(take(m * m));
        }
        sums.column_sum.copy_from_slice(take(columns));
        Ok(sums)
    }

    fn len(&self) -> usize {
        let m = self.columns + self.intercept as usize;
        6 + 2 * m + 2 * m * m + self.columns
    }
}
