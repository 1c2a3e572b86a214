//! The design matrix of a fit, read in place: the caller's matrix as it is, or with each
//! column standardised on the fly, so that fitting never writes an encoded copy of a large
//! matrix (on 1,000,000 × 50 that copy cost as much as the fit).
use ndarray::{s, ArrayView2, ArrayViewMut2};

/// Rows of a design matrix, handed out a block at a time as one row-major slice.
pub(crate) struct Design<'a> {
    x: ArrayView2<'a, f64>,
    /// Per column, (center, scale): the value is (x − center) / scale, exactly as the
    /// encoder computes it. `None`: x as it is.
    affine: Option<(Vec<f64>, Vec<f64>)>,
}

impl<'a> Design<'a> {
    /// The matrix as it is.
    pub(crate) fn new(x: ArrayView2<'a, f64>) -> Self {
        Design { x, affine: None }
    }

    /// Column j read as (x − center[j]) / scale[j]. Columns that are the identity (center
    /// +0, scale 1) cost nothing; if all are, the matrix is read in place.
    pub(crate) fn standardized(x: ArrayView2<'a, f64>, center: Vec<f64>, scale: Vec<f64>) -> Self {
        debug_assert!(center.len() == x.ncols() && scale.len() == x.ncols());
        let identity = center.iter().all(|c| c.to_bits() == 0) && scale.iter().all(|&s| s == 1.0);
        Design { x, affine: (!identity).then_some((center, scale)) }
    }

    pub(crate) fn nrows(&self) -> usize {
        self.x.nrows()
    }

    pub(crate) fn ncols(&self) -> usize {
        self.x.ncols()
    }

    /// Rows r0..r1, row-major: in place when the matrix is row-major and needs no
    /// standardising, else written into `buf`.
    pub(crate) fn rows<'b>(&'b self, r0: usize, r1: usize, buf: &'b mut Vec<f64>) -> &'b [f64] {
        let block = self.x.slice(s![r0..r1, ..]);
        let p = self.x.ncols();
        let in_place = block.to_slice();
        if let (None, Some(rows)) = (&self.affine, in_place) {
            return rows;
        }
        buf.clear();
        buf.resize((r1 - r0) * p, 0.0);
        match (&self.affine, in_place) {
            (Some((center, scale)), Some(rows)) => {
                for (i, o) in buf.chunks_exact_mut(p.max(1)).enumerate().take(r1 - r0) {
                    let x = &rows[i * p..(i + 1) * p];
                    for (((o, &x), c), s) in o.iter_mut().zip(x).zip(center).zip(scale) {
                        *o = (x - c) / s;
                    }
                }
            }
            (affine, _) => {
                ArrayViewMut2::from_shape((r1 - r0, p), &mut buf[..]).expect("sized above").assign(&block);
                if let Some((center, scale)) = affine {
                    for o in buf.chunks_exact_mut(p.max(1)) {
                        for ((o, c), s) in o.iter_mut().zip(center).zip(scale) {
                            *o = (*o - c) / s;
                        }
                    }
                }
            }
        }
        buf
    }

    /// The first value (row-major) that is not finite: (row, column, value).
    pub(crate) fn first_non_finite(&self) -> Option<(usize, usize, f64)> {
        let mut buf = Vec::new();
        let p = self.ncols();
        const STEP: usize = 1_024;
        for r0 in (0..self.nrows()).step_by(STEP) {
            let r1 = (r0 + STEP).min(self.nrows());
            let rows = self.rows(r0, r1, &mut buf);
            if let Some(at) = rows.iter().position(|v| !v.is_finite()) {
                return Some((r0 + at / p, at % p, rows[at]));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn reads_rows_in_place_or_standardised_in_any_layout() {
        let x = array![[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]];
        let mut buf = Vec::new();
        let d = Design::new(x.view());
        assert_eq!(d.rows(1, 3, &mut buf), &[3.0, 4.0, 5.0, 6.0]);
        let xt = x.t().to_owned();
        let f = Design::new(xt.t());
        assert_eq!(f.rows(0, 2, &mut buf), &[1.0, 2.0, 3.0, 4.0]);
        let d = Design::standardized(x.view(), vec![1.0, 0.0], vec![2.0, 1.0]);
        assert_eq!(d.rows(0, 3, &mut buf), &[0.0, 2.0, 1.0, 4.0, 2.0, 6.0]);
        let f = Design::standardized(xt.t(), vec![1.0, 0.0], vec![2.0, 1.0]);
        assert_eq!(f.rows(1, 3, &mut buf), &[1.0, 4.0, 2.0, 6.0]);
        assert_eq!(d.first_non_finite(), None);
        let mut y = x.clone();
        y[[2, 1]] = f64::NAN;
        assert!(matches!(Design::new(y.view()).first_non_finite(), Some((2, 1, v)) if v.is_nan()));
    }
}
