//! The reference's quantile bins, a column's shares in them, and the population stability
//! index over shares.
//!
//! Numbers are sorted as `u64` keys whose order is the numbers' order (a radix sort: a
//! million values in a few milliseconds), so that quantiles, the counts per bin and the
//! Kolmogorov–Smirnov statistic all read one sorted array.

/// The share given to a bin that holds no row on one side, so that the PSI stays finite:
/// 1e-4, a hundredth of a percent (no renormalisation: the other shares are kept as they
/// are). A bin empty on both sides adds nothing.
pub const PSI_EPSILON: f64 = 1e-4;

/// The number of quantile bins by default: deciles.
pub const DEFAULT_BINS: usize = 10;

/// The order-preserving key of a number that is not NaN (−0 is read as +0, so that the two
/// zeros tie as they compare equal).
#[inline]
pub(crate) fn key(x: f64) -> u64 {
    let bits = (x + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The number of a key (the inverse of [`key`]).
#[inline]
pub(crate) fn value(k: u64) -> f64 {
    if k >> 63 == 1 {
        f64::from_bits(k & !(1 << 63))
    } else {
        f64::from_bits(!k)
    }
}

/// A column's numbers, sorted, and how many were missing (NaN).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Sorted {
    /// The keys of the numbers that are not NaN, ascending.
    pub keys: Vec<u64>,
    /// NaN values left out.
    pub missing: usize,
}

impl Sorted {
    /// Sorts `values` (NaN counted and left out), read in place with any stride.
    pub fn new<'v>(values: impl Into<ndarray::ArrayView1<'v, f64>>) -> Sorted {
        let values = values.into();
        let mut keys = Vec::with_capacity(values.len());
        keys.extend(values.iter().filter(|v| !v.is_nan()).map(|&v| key(v)));
        let missing = values.len() - keys.len();
        radix_sort(&mut keys);
        Sorted { keys, missing }
    }

    /// All rows, missing included.
    pub fn rows(&self) -> usize {
        self.keys.len() + self.missing
    }

    /// Rows whose number is at most `x`.
    pub fn at_most(&self, x: f64) -> usize {
        let k = key(x);
        self.keys.partition_point(|&v| v <= k)
    }

    /// The `q` quantile of the numbers by linear interpolation between order statistics, as
    /// `numpy.quantile(..., method="linear")` computes it (the same arithmetic, so the same
    /// bits). NaN without numbers.
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.keys.len();
        if n == 0 {
            return f64::NAN;
        }
        // numpy's "linear" method: the virtual index (n − 1)q, its floor and the fraction.
        let index = (n - 1) as f64 * q;
        if index >= (n - 1) as f64 {
            return value(self.keys[n - 1]);
        }
        let below = index.floor().max(0.0);
        let gamma = index - below;
        let lo = below as usize;
        let hi = lo + 1;
        let (a, b) = (value(self.keys[lo]), value(self.keys[hi]));
        lerp(a, b, gamma)
    }
}

/// numpy's `_lerp`: a + (b − a)t, or b − (b − a)(1 − t) from t = ½ on (exact at both ends).
fn lerp(a: f64, b: f64, t: f64) -> f64 {
    let diff = b - a;
    if t >= 0.5 {
        b - diff * (1.0 - t)
    } else {
        a + diff * t
    }
}

/// Bits of a radix sort digit: 256 buckets, eight passes over 64-bit keys (2,048 buckets in
/// six passes scattered each pass over more places than the caches hold: 1.9x slower).
const DIGIT: u32 = 8;
const PASSES: usize = 64usize.div_ceil(DIGIT as usize);

/// Sorts keys by their 8-bit digits, least significant first, skipping a digit every key
/// shares.
fn radix_sort(keys: &mut Vec<u64>) {
    if keys.len() < 512 {
        keys.sort_unstable();
        return;
    }
    let buckets = 1usize << DIGIT;
    let mask = (buckets - 1) as u64;
    let mut counts = vec![0usize; PASSES * buckets];
    for &k in keys.iter() {
        for d in 0..PASSES {
            counts[d * buckets + ((k >> (DIGIT as usize * d)) & mask) as usize] += 1;
        }
    }
    let mut other = vec![0u64; keys.len()];
    for d in 0..PASSES {
        let c = &mut counts[d * buckets..(d + 1) * buckets];
        if c.contains(&keys.len()) {
            continue; // one value of this digit: already in order
        }
        let mut start = 0;
        for n in c.iter_mut() {
            let here = *n;
            *n = start;
            start += here;
        }
        let shift = DIGIT as usize * d;
        for &k in keys.iter() {
            let slot = &mut c[((k >> shift) & mask) as usize];
            other[*slot] = k;
            *slot += 1;
        }
        std::mem::swap(keys, &mut other);
    }
}

/// The inner edges of `bins` quantile bins of the numbers: the `k / bins` quantiles for
/// k = 1..bins, repeated edges kept once (a value that fills several quantiles makes one
/// bin of them). Bins are closed on the right: a number x falls in bin `#{edges < x}`,
/// `numpy.searchsorted(edges, x, side="left")`.
pub(crate) fn quantile_edges(sorted: &Sorted, bins: usize) -> Vec<f64> {
    let mut edges: Vec<f64> = Vec::with_capacity(bins.saturating_sub(1));
    if sorted.keys.is_empty() {
        return edges;
    }
    for k in 1..bins {
        let e = sorted.quantile(k as f64 / bins as f64);
        if edges.last() != Some(&e) {
            edges.push(e);
        }
    }
    edges
}

/// Shares of all rows (missing included) in the bins closed on the right at `edges`, then
/// the missing share last: `edges.len() + 2` numbers that sum to 1.
pub(crate) fn shares(sorted: &Sorted, edges: &[f64]) -> Vec<f64> {
    let rows = sorted.rows() as f64;
    let mut out = Vec::with_capacity(edges.len() + 2);
    let mut before = 0;
    for &e in edges {
        let upto = sorted.at_most(e);
        out.push((upto - before) as f64 / rows);
        before = upto;
    }
    out.push((sorted.keys.len() - before) as f64 / rows);
    out.push(sorted.missing as f64 / rows);
    out
}

/// The population stability index Σ (c − r) ln(c / r) over aligned shares, a zero share
/// read as [`PSI_EPSILON`] (a bin empty on both sides adds nothing). Never negative.
pub fn psi(reference: &[f64], current: &[f64]) -> f64 {
    reference
        .iter()
        .zip(current)
        .map(|(&r, &c)| {
            let r = if r == 0.0 { PSI_EPSILON } else { r };
            let c = if c == 0.0 { PSI_EPSILON } else { c };
            (c - r) * (c / r).ln()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_keep_the_order_of_numbers() {
        let xs = [f64::NEG_INFINITY, -3.5, -1e-300, -0.0, 0.0, 1e-300, 2.0, f64::INFINITY];
        for w in xs.windows(2) {
            assert!(key(w[0]) <= key(w[1]), "{} {}", w[0], w[1]);
            assert_eq!(value(key(w[1])), w[1]);
        }
        assert_eq!(key(-0.0), key(0.0));
    }

    #[test]
    fn radix_sort_sorts() {
        let mut s = 12345u64;
        let xs: Vec<f64> = (0..5000)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.3) * 1e3
            })
            .collect();
        let sorted = Sorted::new(&xs);
        let mut want = xs.clone();
        want.sort_by(f64::total_cmp);
        assert_eq!(sorted.keys.iter().map(|&k| value(k)).collect::<Vec<_>>(), want);
    }

    #[test]
    fn quantiles_as_numpy() {
        // numpy.quantile([1, 2, 3, 4, 10], [0.1, 0.5, 0.9]) = [1.4, 3.0, 7.6]
        let s = Sorted::new(&[4.0, 1.0, f64::NAN, 10.0, 3.0, 2.0]);
        assert_eq!(s.missing, 1);
        assert!((s.quantile(0.1) - 1.4).abs() < 1e-15);
        assert_eq!(s.quantile(0.5), 3.0);
        assert!((s.quantile(0.9) - 7.6).abs() < 1e-15);
    }

    #[test]
    fn shares_and_psi() {
        let s = Sorted::new(&[1.0, 2.0, 2.0, 3.0, f64::NAN]);
        let sh = shares(&s, &[1.0, 2.0]);
        assert_eq!(sh, vec![0.2, 0.4, 0.2, 0.2]);
        assert_eq!(psi(&sh, &sh), 0.0);
        let other = [0.0, 0.5, 0.5, 0.0];
        let want = (PSI_EPSILON - 0.2) * (PSI_EPSILON / 0.2).ln()
            + 0.1 * (0.5f64 / 0.4).ln()
            + 0.3 * (0.5f64 / 0.2).ln()
            + (PSI_EPSILON - 0.2) * (PSI_EPSILON / 0.2).ln();
        assert!((psi(&sh, &other) - want).abs() < 1e-15);
    }
}
