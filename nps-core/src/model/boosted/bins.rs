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

    /// The bin of a value.
    #[inline]
    pub(crate) fn bin(&self, x: f64) -> u8 {
        if x.is_nan() {
            return 0;
        }
        match self {
            BinMap::Numeric { upper } => (1 + upper.partition_point(|&u| u < x)).min(upper.len()) as u8,
            BinMap::Categorical { .. } => (x as usize + 1) as u8,
        }
    }
}

/// The training matrix as bins, one column after another.
#[derive(Debug)]
pub(crate) struct Binned {
    /// Rows.
    pub(crate) rows: usize,
    /// Each input's map.
    pub(crate) maps: Vec<BinMap>,
    /// `bins[f * rows + i]`: the bin of row i's input f.
    pub(crate) bins: Vec<u8>,
}

impl Binned {
    /// The bins of input `f`, one per row.
    #[inline]
    pub(crate) fn column(&self, f: usize) -> &[u8] {
        &self.bins[f * self.rows..(f + 1) * self.rows]
    }
}

/// Chooses each input's bins from `x` (rows × inputs; NaN missing) and bins every value.
/// `categories[f]` is `Some(k)` for a categorical input with codes `0..k`. Errors: a code
/// that is negative, fractional or not below `k`, an infinite value, naming row and input.
pub(crate) fn bin_matrix(
    x: ArrayView2<'_, f64>,
    categories: &[Option<usize>],
    max_bin: usize,
    seed: u64,
) -> Result<Binned> {
    let (rows, inputs) = x.dim();
    let sample = sample_rows(rows, seed);
    let maps: Vec<BinMap> = (0..inputs)
        .into_par_iter()
        .map(|f| {
            let column = x.column(f);
            if let Some((i, v)) = column.iter().enumerate().find(|(_, v)| v.is_infinite()) {
                return Err(NpsError::invalid(&format!("x[{i}, {f}]"), v, "a finite number or NaN (missing)"));
            }
            match categories[f] {
                Some(k) => {
                    if let Some((i, v)) = column
                        .iter()
                        .enumerate()
                        .find(|(_, v)| !v.is_nan() && (**v < 0.0 || v.fract() != 0.0 || **v >= k as f64))
                    {
                        return Err(NpsError::invalid(
                            &format!("x[{i}, {f}]"),
                            v,
                            &format!("a category code in 0..{k} (or NaN for missing)"),
                        ));
                    }
                    Ok(BinMap::Categorical { categories: k })
                }
                None => {
                    let values: Vec<f64> = match &sample {
                        Some(s) => s.iter().map(|&i| column[i]).filter(|v| !v.is_nan()).collect(),
                        None => column.iter().copied().filter(|v| !v.is_nan()).collect(),
                    };
                    Ok(BinMap::Numeric { upper: numeric_bounds(values, max_bin) })
                }
            }
        })
        .collect::<Result<_>>()?;
    let mut bins = vec![0u8; rows * inputs];
    bins.par_chunks_mut(rows.max(1)).zip(maps.par_iter()).enumerate().for_each(|(f, (out, map))| {
        for (o, &v) in out.iter_mut().zip(x.column(f).iter()) {
            *o = map.bin(v);
        }
    });
    Ok(Binned { rows, maps, bins })
}

/// A seeded sample of row indices (sorted) when there are more rows than [`BIN_SAMPLE`].
fn sample_rows(rows: usize, seed: u64) -> Option<Vec<usize>> {
    if rows <= BIN_SAMPLE {
        return None;
    }
    // Selection sampling (Knuth's algorithm S): exactly BIN_SAMPLE rows, in order.
    let mut rng = crate::synth::Rng::new(seed ^ 0xB1_5A_4D);
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
        assert_eq!([1.0, 1.5, 1.6, 2.0, 3.0, 99.0, f64::NAN].map(|x| map.bin(x)), [1, 1, 2, 2, 3, 3, 0]);
    }

    #[test]
    fn many_values_are_cut_at_quantiles() {
        let values: Vec<f64> = (0..10_000).map(|i| i as f64).collect();
        let upper = numeric_bounds(values.clone(), 10);
        assert_eq!(upper.len(), 10);
        let map = BinMap::Numeric { upper };
        let mut counts = [0usize; 11];
        for v in values {
            counts[map.bin(v) as usize] += 1;
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
