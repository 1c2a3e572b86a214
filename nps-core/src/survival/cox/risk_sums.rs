//! The sums over a risk set that Efron's likelihood reads (Σ φ, Σ φ x, Σ φ x xᵀ) and the
//! scores φ = w exp(xᵀβ) they weigh the rows by: the fit's inner loops, by fused
//! multiply-adds, so that the AVX2 paths and the portable code give the same bits.

/// The sums over a set of rows: Σ φ, Σ φ x, Σ φ x xᵀ (upper triangle, packed), with
/// φ = w exp(xᵀβ).
#[derive(Clone)]
pub(super) struct RiskSums {
    pub(super) phi: f64,
    pub(super) phi_x: Vec<f64>,
    pub(super) phi_xx: Vec<f64>,
}

impl RiskSums {
    pub(super) fn zero(d: usize) -> Self {
        RiskSums { phi: 0.0, phi_x: vec![0.0; d], phi_xx: vec![0.0; d * (d + 1) / 2] }
    }

    /// Adds (`sign` = 1) or removes (−1) a row with score `phi`. Each second-moment sum takes
    /// its product by a fused multiply-add: one rounding, and the same result on every
    /// machine (IEEE's fma rounds the exact value), so that [`Self::add_rows_avx2`], which
    /// adds the same products in registers, gives the same bits.
    pub(super) fn add(&mut self, x: &[f64], phi: f64, sign: f64) {
        #[cfg(target_arch = "x86_64")]
        if fused() {
            // SAFETY: the CPU supports AVX2 and FMA, checked on the line above.
            return unsafe { self.add_fused(x, phi, sign) };
        }
        self.add_row(x, phi, sign)
    }

    /// [`Self::add_row`] compiled with FMA instructions (without them, each `mul_add` is a
    /// call into the C library).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn add_fused(&mut self, x: &[f64], phi: f64, sign: f64) {
        self.add_row(x, phi, sign)
    }

    #[inline(always)]
    fn add_row(&mut self, x: &[f64], phi: f64, sign: f64) {
        let phi = sign * phi;
        self.phi += phi;
        // Row a of the packed upper triangle is the slice after rows 0..a: zipped slices, so
        // the compiler sees no bounds to check and vectorises the inner loop.
        let mut rest = &mut self.phi_xx[..];
        for (a, (sum, &xa)) in self.phi_x.iter_mut().zip(x).enumerate() {
            let pa = phi * xa;
            *sum += pa;
            let (row, tail) = rest.split_at_mut(x.len() - a);
            for (acc, &xb) in row.iter_mut().zip(&x[a..]) {
                *acc = pa.mul_add(xb, *acc);
            }
            rest = tail;
        }
    }

    /// Adds the rows of the row-major `x` (`d` columns) with their scores, one after
    /// another, as [`Self::add`] does.
    ///
    /// On a CPU with AVX2 and FMA, [`Self::add_rows_avx2`] holds the sums in registers:
    /// each sum sees the same operations in the same order, so the results are the same to
    /// the bit.
    pub(super) fn add_rows(&mut self, x: &[f64], d: usize, scores: &[f64]) {
        #[cfg(target_arch = "x86_64")]
        if fused() {
            // SAFETY: the CPU supports AVX2 and FMA, checked on the line above.
            return unsafe { self.add_rows_avx2(x, d, scores) };
        }
        self.add_rows_portable(x, d, scores)
    }

    fn add_rows_portable(&mut self, x: &[f64], d: usize, scores: &[f64]) {
        for (i, &phi) in scores.iter().enumerate() {
            self.add_row(&x[i * d..(i + 1) * d], phi, 1.0);
        }
    }

    /// [`Self::add_rows_portable`] with the packed sums held in registers: each tile of four
    /// covariates × eight columns (eight independent sums, enough to keep both FMA units
    /// busy) is summed over a stretch of rows (kept in the cache) before it is stored. Every
    /// sum sees the same products added in the same order as in the portable code, so the
    /// results are the same to the bit; columns left of a tile's covariates are computed and
    /// thrown away so that every tile starts on a whole vector.
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx2,fma")]
    unsafe fn add_rows_avx2(&mut self, x: &[f64], d: usize, scores: &[f64]) {
        /// Rows per stretch: its rows and their products stay in L1.
        const STRETCH: usize = 64;
        let n = scores.len();
        if d == 0 {
            scores.iter().for_each(|phi| self.phi += phi);
            return;
        }
        let padded = d.div_ceil(4) * 4;
        // The sums as a dense d × padded matrix (the packed upper triangle spread out).
        let mut dense = vec![0.0; d * padded];
        let mut k = 0;
        for a in 0..d {
            dense[a * padded + a..a * padded + d].copy_from_slice(&self.phi_xx[k..k + d - a]);
            k += d - a;
        }
        // The products φ_r x_r of the rows of a stretch, laid out as the rows.
        let mut products = vec![0.0; STRETCH * d];
        let mut first = 0;
        while first < n {
            let last = (first + STRETCH).min(n);
            for r in first..last {
                let phi = scores[r];
                self.phi += phi;
                let out = &mut products[(r - first) * d..(r - first + 1) * d];
                for ((o, &v), sum) in out.iter_mut().zip(&x[r * d..(r + 1) * d]).zip(self.phi_x.iter_mut()) {
                    *o = phi * v;
                    *sum += *o;
                }
            }
            let stretch = Stretch { x: &x[first * d..last * d], products: &products, d };
            for a0 in (0..d).step_by(4) {
                // Covariates past the last are the last again: computed twice, stored alike.
                let a = [a0, (a0 + 1).min(d - 1), (a0 + 2).min(d - 1), (a0 + 3).min(d - 1)];
                let mut c = a0;
                while c < padded {
                    // The chunk's last vector is cut when it runs past d.
                    match (c + 4 < padded, c + 8 <= d, c + 4 <= d) {
                        (true, true, _) => stretch.tile::<true, false>(&mut dense, padded, a, c),
                        (true, false, _) => stretch.tile::<true, true>(&mut dense, padded, a, c),
                        (false, _, true) => stretch.tile::<false, false>(&mut dense, padded, a, c),
                        (false, _, false) => stretch.tile::<false, true>(&mut dense, padded, a, c),
                    }
                    c += 8;
                }
            }
            first = last;
        }
        let mut k = 0;
        for a in 0..d {
            self.phi_xx[k..k + d - a].copy_from_slice(&dense[a * padded + a..a * padded + d]);
            k += d - a;
        }
    }

    pub(super) fn add_sums(&mut self, other: &RiskSums) {
        self.phi += other.phi;
        self.phi_x.iter_mut().zip(&other.phi_x).for_each(|(a, b)| *a += b);
        self.phi_xx.iter_mut().zip(&other.phi_xx).for_each(|(a, b)| *a += b);
    }
}

/// Whether the CPU has AVX2 and FMA (the sums' fast paths).
#[cfg(target_arch = "x86_64")]
fn fused() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

/// Rows (`x`, row-major) and their products φ_r x_r, for [`RiskSums::add_rows_avx2`].
#[cfg(target_arch = "x86_64")]
struct Stretch<'a> {
    x: &'a [f64],
    products: &'a [f64],
    d: usize,
}

#[cfg(target_arch = "x86_64")]
impl Stretch<'_> {
    /// Adds to the dense sums of covariates `a` the columns `c..c + 4` (and `c + 4..c + 8`
    /// when `TWO`) summed over the stretch's rows; when `CUT`, the last vector's columns at
    /// or past `d` are not read (and come out as garbage the caller does not keep).
    #[inline(always)]
    unsafe fn tile<const TWO: bool, const CUT: bool>(&self, dense: &mut [f64], padded: usize, a: [usize; 4], c: usize) {
        use std::arch::x86_64::*;
        let d = self.d;
        let lane = |l: usize| if c + 4 * usize::from(TWO) + l < d { -1i64 } else { 0 };
        let mask = _mm256_setr_epi64x(lane(0), lane(1), lane(2), lane(3));
        let last = |p: *const f64| if CUT { _mm256_maskload_pd(p, mask) } else { _mm256_loadu_pd(p) };
        let at = |a: usize, c: usize| a * padded + c;
        let mut sums = [[_mm256_setzero_pd(); 2]; 4];
        for (s, &a) in sums.iter_mut().zip(&a) {
            s[0] = _mm256_loadu_pd(dense.as_ptr().add(at(a, c)));
            if TWO {
                s[1] = _mm256_loadu_pd(dense.as_ptr().add(at(a, c + 4)));
            }
        }
        let (x, products) = (self.x.as_ptr(), self.products.as_ptr());
        for r in 0..self.x.len() / d {
            let row = x.add(r * d + c);
            let low = if TWO { _mm256_loadu_pd(row) } else { last(row) };
            let high = if TWO { last(row.add(4)) } else { low };
            for (s, &a) in sums.iter_mut().zip(&a) {
                let p = _mm256_broadcast_sd(&*products.add(r * d + a));
                s[0] = _mm256_fmadd_pd(p, low, s[0]);
                if TWO {
                    s[1] = _mm256_fmadd_pd(p, high, s[1]);
                }
            }
        }
        for (s, &a) in sums.iter().zip(&a) {
            _mm256_storeu_pd(dense.as_mut_ptr().add(at(a, c)), s[0]);
            if TWO {
                _mm256_storeu_pd(dense.as_mut_ptr().add(at(a, c + 4)), s[1]);
            }
        }
    }
}

/// Fills `out` with the scores φ = w exp(xᵀβ) of the rows of `x` (row-major, one column per
/// coefficient) with their `weights` (1 without), the same to the bit on every machine.
pub(crate) fn fill_scores(x: &[f64], weights: Option<&[f64]>, beta: &[f64], out: &mut [f64]) {
    #[cfg(target_arch = "x86_64")]
    if fused() {
        // SAFETY: the CPU supports AVX2 and FMA, checked on the line above.
        return unsafe { fill_scores_fused(x, weights, beta, out) };
    }
    fill_scores_portable(x, weights, beta, out)
}

/// [`fill_scores_portable`] compiled with FMA instructions.
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fill_scores_fused(x: &[f64], weights: Option<&[f64]>, beta: &[f64], out: &mut [f64]) {
    fill_scores_portable(x, weights, beta, out)
}

#[inline(always)]
fn fill_scores_portable(x: &[f64], weights: Option<&[f64]>, beta: &[f64], out: &mut [f64]) {
    let d = beta.len();
    for (i, s) in out.iter_mut().enumerate() {
        let w = weights.map_or(1.0, |w| w[i]);
        *s = w * dot(&x[i * d..(i + 1) * d], beta).exp();
    }
}

/// aᵀb in four running sums of fused multiply-adds (one vector instruction each on a CPU
/// with AVX2 and FMA, and four chains rather than one), then the rest.
#[inline(always)]
pub(super) fn dot(a: &[f64], b: &[f64]) -> f64 {
    let mut lanes = [0.0; 4];
    let (whole_a, whole_b) = (a.chunks_exact(4), b.chunks_exact(4));
    let (rest_a, rest_b) = (whole_a.remainder(), whole_b.remainder());
    for (a, b) in whole_a.zip(whole_b) {
        for k in 0..4 {
            lanes[k] = a[k].mul_add(b[k], lanes[k]);
        }
    }
    let mut sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
    for (a, b) in rest_a.iter().zip(rest_b) {
        sum = a.mul_add(*b, sum);
    }
    sum
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// The AVX2 sums and scores equal the portable ones (whose `mul_add` is the C library's
    /// `fma` here) to the bit, for any number of covariates (whole vectors, cut ones, covariates past a
    /// multiple of four) and of rows (a stretch and a part), starting from sums that are not
    /// zero.
    #[cfg(target_arch = "x86_64")]
    #[test]
    fn avx2_sums_equal_the_portable_ones_to_the_bit() {
        if !fused() {
            return;
        }
        let mut rng = Rng::new(11);
        for d in [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 20, 21] {
            for rows in [0, 1, 3, 4, 5, 63, 64, 65, 130, 257] {
                let x: Vec<f64> = (0..rows * d).map(|_| rng.normal()).collect();
                let scores: Vec<f64> = (0..rows).map(|_| rng.uniform() * 3.0).collect();
                let mut start = RiskSums::zero(d);
                start.add(&(0..d).map(|_| rng.normal()).collect::<Vec<_>>(), 0.7, 1.0);
                let (mut portable, mut avx2) = (start.clone(), start);
                portable.add_rows_portable(&x, d, &scores);
                // SAFETY: the CPU supports AVX2 and FMA, checked above.
                unsafe { avx2.add_rows_avx2(&x, d, &scores) };
                let bits = |s: &RiskSums| {
                    std::iter::once(s.phi)
                        .chain(s.phi_x.iter().copied())
                        .chain(s.phi_xx.iter().copied())
                        .map(f64::to_bits)
                        .collect::<Vec<_>>()
                };
                assert_eq!(bits(&portable), bits(&avx2), "d = {d}, rows = {rows}");
                let beta: Vec<f64> = (0..d).map(|_| rng.normal() * 0.3).collect();
                let (mut portable, mut fused) = (vec![0.0; rows], vec![0.0; rows]);
                fill_scores_portable(&x, Some(&scores), &beta, &mut portable);
                // SAFETY: as above.
                unsafe { fill_scores_fused(&x, Some(&scores), &beta, &mut fused) };
                let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&portable), bits(&fused), "scores, d = {d}, rows = {rows}");
            }
        }
    }
}
