//! Inputs quantised into at most 255 bins each, once, before boosting: every split is then
//! chosen from per-bin sums of gradients instead of from sorted values.
//!
//! Bin 0 of every input holds its missing values (NaN); a numeric input's values fill bins
//! `1..=k` by upper bound (a value goes to the first bin whose bound it does not exceed, so
//! the split "bins `1..=t`" is exactly `x ≤ upper[t]`); a categorical input's code `c` is
//! bin `c + 1`.
use ndarray::ArrayView2;
use rayon::prelude::*;

use crate::error::{NpsError, Result};

/// Rows binned by one task.
const BIN_BLOCK: usize = 8192;

/// Rows read to choose a numeric input's bin bounds (LightGBM's `bin_construct_sample_cnt`).
const BIN_SAMPLE: usize = 200_000;

/// How one input's values map to bins.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum BinMap {
    /// Bin `j ≥ 1` holds values in `(upper[j − 2], upper[j − 1]]`; the last bound is +∞.
    Numeric { upper: Vec<f64> },
    /// Bin `c + 1` holds code `c`, for `c < categories`.
    Categorical { categories: usize },
}

impl BinMap {
    /// Number of bins, the missing bin included.
    pub(crate) fn bins(&self) -> usize {
        1 + match self {
            BinMap::Numeric { upper } => upper.len(),
            BinMap::Categorical { categories } => *categories,
        }
    }
}

/// Inputs stored side by side in the binned matrix: a row's bins of one group of
/// [`LANES`] inputs sit together, so a pass over a leaf's rows reads one place per row for
/// four histograms (the rows of a deep leaf are scattered; four columns apart would be four
/// cache misses).
pub(crate) const LANES: usize = 4;

/// The training matrix as bins, in groups of [`LANES`] inputs.
#[derive(Debug)]
pub(crate) struct Binned {
    /// Rows.
    pub(crate) rows: usize,
    /// Each input's map.
    pub(crate) maps: Vec<BinMap>,
    /// `bins[g * rows + i][l]`: the bin of row i's input `g * LANES + l` (0 past the last input).
    pub(crate) bins: Vec<[u8; LANES]>,
    /// Rows in each bin, each input's bins after the previous input's (as a histogram's
    /// layout): a histogram of all rows takes its counts from here instead of counting.
    pub(crate) counts: Vec<u32>,
}

impl Binned {
    /// The bins of the inputs `g * LANES..`, one entry per row.
    #[inline]
    pub(crate) fn group(&self, g: usize) -> &[[u8; LANES]] {
        &self.bins[g * self.rows..(g + 1) * self.rows]
    }

    /// The bin of row `i`'s input `f`.
    #[inline]
    pub(crate) fn bin(&self, f: usize, i: usize) -> u8 {
        self.bins[(f / LANES) * self.rows + i][f % LANES]
    }
}

/// Chooses each input's bins from `x` (rows × inputs; NaN missing) and bins every value.
/// `categories[f]` is `Some(k)` for a categorical input with codes `0..k`. Errors: a code
/// that is negative, fractional or not below `k`, an infinite value, naming row and input
/// (the first input, then the first row, with one).
pub(crate) fn bin_matrix(
    x: ArrayView2<'_, f64>,
    categories: &[Option<usize>],
    max_bin: usize,
    seed: u64,
) -> Result<Binned> {
    let (rows, inputs) = x.dim();
    // The numeric inputs' values in the sample, gathered a row at a time (the matrix is
    // usually row-major), then each input's bounds on its own thread.
    let sample = sample_rows(rows, seed);
    let numeric: Vec<usize> = (0..inputs).filter(|&f| categories[f].is_none()).collect();
    let mut values: Vec<Vec<f64>> = vec![Vec::with_capacity(sample.as_ref().map_or(rows, Vec::len)); numeric.len()];
    let mut gather = |i: usize| {
        for (v, &f) in values.iter_mut().zip(&numeric) {
            let x = x[[i, f]];
            if x.is_finite() {
                v.push(x);
            }
        }
    };
    match &sample {
        Some(s) => s.iter().for_each(|&i| gather(i)),
        None => (0..rows).for_each(gather),
    }
    let mut bounds = values.into_par_iter().map(|v| numeric_bounds(v, max_bin)).collect::<Vec<_>>().into_iter();
    let maps: Vec<BinMap> = categories
        .iter()
        .map(|c| match c {
            Some(k) => BinMap::Categorical { categories: *k },
            None => BinMap::Numeric { upper: bounds.next().expect("one per numeric input") },
        })
        .collect();
    // Every value binned, a block of rows per task (whole rows read, each group's block
    // written); each block's first bad value kept.
    let finders: Vec<BinFinder> = maps.iter().map(BinFinder::new).collect();
    let groups = inputs.div_ceil(LANES);
    let mut bins = vec![[0u8; LANES]; rows * groups];
    let mut blocks: Vec<Vec<&mut [[u8; LANES]]>> = (0..rows.div_ceil(BIN_BLOCK)).map(|_| Vec::new()).collect();
    for group in bins.chunks_mut(rows.max(1)) {
        for (b, part) in group.chunks_mut(BIN_BLOCK).enumerate() {
            blocks[b].push(part);
        }
    }
    let offsets: Vec<usize> = maps
        .iter()
        .scan(0, |at, m| {
            let o = *at;
            *at += m.bins();
            Some(o)
        })
        .collect();
    let total_bins = maps.iter().map(BinMap::bins).sum();
    let parts = blocks
        .into_par_iter()
        .enumerate()
        .map(|(b, mut out)| {
            let mut bad: Option<(usize, usize)> = None;
            let mut counts = vec![0u32; total_bins];
            let mut row = vec![0.0; inputs];
            for k in 0..out.first().map_or(0, |o| o.len()) {
                let i = b * BIN_BLOCK + k;
                let values = match x.as_slice() {
                    Some(all) => &all[i * inputs..(i + 1) * inputs],
                    None => {
                        row.iter_mut().zip(x.row(i)).for_each(|(a, &v)| *a = v);
                        &row[..]
                    }
                };
                for (f, (finder, &v)) in finders.iter().zip(values).enumerate() {
                    let (bin, ok) = finder.bin(v);
                    out[f / LANES][k][f % LANES] = bin;
                    counts[offsets[f] + bin as usize] += 1;
                    if !ok && bad.is_none_or(|(bf, _)| f < bf) {
                        bad = Some((f, i));
                    }
                }
            }
            (bad, counts)
        })
        .collect::<Vec<_>>();
    let mut counts = vec![0u32; total_bins];
    for (_, part) in &parts {
        counts.iter_mut().zip(part).for_each(|(c, p)| *c += p);
    }
    // The first bad input (its first bad row).
    if let Some((f, i)) = parts.iter().filter_map(|p| p.0).min() {
        let v = x[[i, f]];
        return Err(match categories[f] {
            Some(k) => NpsError::invalid(
                &format!("x[{i}, {f}]"),
                v,
                &format!("a category code in 0..{k} (or NaN for missing)"),
            ),
            None => NpsError::invalid(&format!("x[{i}, {f}]"), v, "a finite number or NaN (missing)"),
        });
    }
    Ok(Binned { rows, maps, bins, counts })
}

/// A map made fast to apply to many values: a numeric input's bounds padded to 256 with +∞
/// for a search of eight fixed steps without branches.
enum BinFinder {
    Numeric { bounds: Box<[f64; 256]>, last: u8 },
    Categorical { categories: f64 },
}

impl BinFinder {
    fn new(map: &BinMap) -> BinFinder {
        match map {
            BinMap::Numeric { upper } => {
                let mut bounds = Box::new([f64::INFINITY; 256]);
                bounds[..upper.len()].copy_from_slice(upper);
                BinFinder::Numeric { bounds, last: upper.len() as u8 }
            }
            BinMap::Categorical { categories } => BinFinder::Categorical { categories: *categories as f64 },
        }
    }

    /// The bin of `x` (bin 0 for NaN) and whether `x` is a valid value for the input.
    #[inline]
    fn bin(&self, x: f64) -> (u8, bool) {
        if x.is_nan() {
            return (0, true);
        }
        match self {
            BinFinder::Numeric { bounds, last } => {
                // How many bounds are below x (a partition point).
                let mut base = 0usize;
                for step in [128, 64, 32, 16, 8, 4, 2, 1] {
                    base += step * (bounds[(base + step - 1) & 255] < x) as usize;
                }
                ((1 + base).min(*last as usize) as u8, !x.is_infinite())
            }
            BinFinder::Categorical { categories } => {
                let ok = x >= 0.0 && x.fract() == 0.0 && x < *categories;
                ((x as usize + 1) as u8, ok)
            }
        }
    }
}

/// A seeded sample of row indices (sorted) when there are more rows than [`BIN_SAMPLE`].
fn sample_rows(rows: usize, seed: u64) -> Option<Vec<usize>> {
    if rows <= BIN_SAMPLE {
        return None;
    }
    // Selection sampling (Knuth's algorithm S): exactly BIN_SAMPLE rows, in order.
    let mut rng = crate::rng::Rng::new(seed ^ 0xB1_5A_4D);
    let mut out = Vec::with_capacity(BIN_SAMPLE);
    for i in 0..rows {
        let need = BIN_SAMPLE - out.len();
        if need == 0 {
            break;
        }
        if (rng.below((rows - i) as u64) as usize) < need {
            out.push(i);
        }
    }
    Some(out)
}

/// Upper bounds for at most `max_bin` bins of the (non-missing) values: between every two
/// distinct values when there are few, else cut at the quantiles, each bound halfway
/// between the last value of a bin and the first of the next (as LightGBM does, so that a
/// threshold is never a training value itself). The last bound is +∞.
pub(crate) fn numeric_bounds(mut values: Vec<f64>, max_bin: usize) -> Vec<f64> {
    values.sort_unstable_by(f64::total_cmp);
    let mut distinct: Vec<(f64, usize)> = Vec::new();
    for v in values.iter().copied() {
        match distinct.last_mut() {
            Some((last, n)) if *last == v => *n += 1,
            _ => distinct.push((v, 1)),
        }
    }
    let mut upper = Vec::new();
    if distinct.len() <= max_bin {
        for w in distinct.windows(2) {
            upper.push(midpoint(w[0].0, w[1].0));
        }
    } else {
        let total = values.len() as f64;
        let mut seen = 0usize;
        for (k, w) in distinct.windows(2).enumerate() {
            seen += w[0].1;
            let wanted = (upper.len() + 1) as f64 * total / max_bin as f64;
            let left = distinct.len() - 1 - k;
            if (seen as f64 >= wanted || left <= max_bin - 1 - upper.len()) && upper.len() + 1 < max_bin {
                upper.push(midpoint(w[0].0, w[1].0));
            }
        }
    }
    upper.push(f64::INFINITY);
    upper
}

/// A bound strictly between `a < b` (their midpoint, or `a` itself when they are adjacent
/// floating-point numbers).
fn midpoint(a: f64, b: f64) -> f64 {
    let m = a + (b - a) / 2.0;
    if m < b {
        m
    } else {
        a
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn few_values_get_a_bin_each_and_bounds_between_them() {
        let upper = numeric_bounds(vec![3.0, 1.0, 2.0, 2.0, 1.0], 255);
        assert_eq!(upper, vec![1.5, 2.5, f64::INFINITY]);
        let map = BinMap::Numeric { upper };
        assert_eq!(
            [1.0, 1.5, 1.6, 2.0, 3.0, 99.0, f64::NAN].map(|x| BinFinder::new(&map).bin(x).0),
            [1, 1, 2, 2, 3, 3, 0]
        );
    }

    #[test]
    fn many_values_are_cut_at_quantiles() {
        let values: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        let upper = numeric_bounds(values.clone(), 10);
        assert_eq!(upper.len(), 10);
        let map = BinMap::Numeric { upper };
        let mut counts = [0usize; 11];
        for v in values {
            counts[BinFinder::new(&map).bin(v).0 as usize] += 1;
        }
        assert_eq!(counts[0], 0);
        assert!(counts[1..].iter().all(|&c| c == 1000), "{counts:?}");
    }

    #[test]
    fn bad_codes_and_infinities_are_named() {
        let x = ndarray::array![[0.0, 1.0], [2.0, f64::NAN], [1.0, 3.0]];
        let e = bin_matrix(x.view(), &[Some(2), None], 255, 0).unwrap_err().to_string();
        assert!(e.contains("x[1, 0]") && e.contains("0..2"), "{e}");
        let x = ndarray::array![[0.0, f64::INFINITY]];
        let e = bin_matrix(x.view(), &[None, None], 255, 0).unwrap_err().to_string();
        assert!(e.contains("x[0, 1]"), "{e}");
    }
}
