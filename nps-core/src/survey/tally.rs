//! Counting answers into detractors, passives and promoters, and the point estimate.
use std::ops::Add;

use serde::{Deserialize, Serialize};

use super::scale::{Category, MissingPolicy, NonIntegerPolicy, OutOfRangePolicy, ScoreOptions};
use crate::error::{check_lengths, NpsError, Result};

/// A numeric type that survey answers can arrive in.
///
/// Integer types take a histogram fast path; floating-point types may carry missing
/// answers as NaN.
pub trait Score: Copy + Send + Sync + 'static {
    /// The answer as `f64` (NaN for a missing answer).
    fn to_f64(self) -> f64;
    /// Whether the type can only hold whole numbers.
    const INTEGRAL: bool;
    /// The answer as `i64` (integer types only; saturating for `u64`).
    fn to_i64(self) -> i64 {
        self.to_f64() as i64
    }
}

macro_rules! integer_score {
    ($($t:ty),*) => {$(
        impl Score for $t {
            const INTEGRAL: bool = true;
            #[inline]
            fn to_f64(self) -> f64 { self as f64 }
            #[inline]
            fn to_i64(self) -> i64 { i64::try_from(self).unwrap_or(i64::MAX) }
        }
    )*};
}
integer_score!(u8, u16, u32, u64, i8, i16, i32, i64);

impl Score for f64 {
    const INTEGRAL: bool = false;
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

impl Score for f32 {
    const INTEGRAL: bool = false;
    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }
}

/// Counts (and optionally weights) of detractors, passives and promoters.
///
/// A tally is the sufficient statistic for every NPS estimate in this crate. Tallies of
/// disjoint parts of a survey [merge](Tally::merge) into the tally of the whole, exactly for
/// unweighted counts, so partitions can be tallied on different machines.
///
/// Arrays are in the order detractor, passive, promoter.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Tally {
    /// Respondents per category.
    pub counts: [u64; 3],
    /// Sum of weights per category (equal to `counts` when unweighted).
    pub weights: [f64; 3],
    /// Sum of squared weights per category (equal to `counts` when unweighted); feeds the
    /// Kish effective sample size and the linearised standard error.
    pub weights_sq: [f64; 3],
    /// Missing answers left out under [`MissingPolicy::Skip`].
    pub skipped: u64,
    /// Answers off the scale left out under [`OutOfRangePolicy::Skip`].
    #[serde(default)]
    pub out_of_range: u64,
}

/// Accumulates answers one at a time with full validation (the general path).
#[derive(Debug, Default, Clone)]
pub(crate) struct Accumulator {
    tally: Tally,
}

impl Accumulator {
    /// Adds the answer at `index` with weight `weight` (already validated).
    #[inline]
    pub(crate) fn push(&mut self, index: usize, score: f64, weight: f64, options: &ScoreOptions) -> Result<()> {
        let scale = &options.scale;
        if score.is_nan() {
            return match options.missing {
                MissingPolicy::Skip => {
                    self.tally.skipped += 1;
                    Ok(())
                }
                MissingPolicy::Error => Err(NpsError::Missing { field: "scores".into(), index }),
            };
        }
        if !(score >= scale.min && score <= scale.max) {
            return match options.out_of_range {
                OutOfRangePolicy::Skip => {
                    self.tally.out_of_range += 1;
                    Ok(())
                }
                OutOfRangePolicy::Error => {
                    Err(NpsError::OutOfRange { field: "scores".into(), index, value: score, range: scale.describe() })
                }
            };
        }
        if options.non_integer == NonIntegerPolicy::Error && score.fract() != 0.0 {
            return Err(NpsError::NonInteger { field: "scores".into(), index, value: score });
        }
        let c = scale.category(score) as usize;
        self.tally.counts[c] += 1;
        self.tally.weights[c] += weight;
        self.tally.weights_sq[c] += weight * weight;
        Ok(())
    }

    pub(crate) fn finish(self) -> Tally {
        self.tally
    }
}

/// Checks a weight: finite and non-negative.
#[inline]
pub(crate) fn check_weight(index: usize, w: f64) -> Result<()> {
    if w.is_nan() {
        Err(NpsError::Missing { field: "weights".into(), index })
    } else if w < 0.0 {
        Err(NpsError::Negative { field: "weights".into(), index, value: w })
    } else if w.is_infinite() {
        Err(NpsError::OutOfRange { field: "weights".into(), index, value: w, range: "finite numbers".into() })
    } else {
        Ok(())
    }
}

impl Tally {
    /// The tally with nothing in it: the identity of [`merge`](Tally::merge).
    pub fn empty() -> Self {
        Tally::default()
    }

    /// Tallies raw answers.
    ///
    /// Fails on empty input, and on a missing, out-of-range or (under the strict policy)
    /// fractional answer, naming its index and value.
    ///
    /// ```
    /// use nps_core::survey::{ScoreOptions, Tally};
    /// let t = Tally::from_scores(&[0u8, 7, 7, 9, 9, 9], &ScoreOptions::default()).unwrap();
    /// assert_eq!(t.counts, [1, 2, 3]);
    /// assert!((t.nps() - 100.0 / 3.0).abs() < 1e-12);
    /// ```
    pub fn from_scores<T: Score>(scores: &[T], options: &ScoreOptions) -> Result<Self> {
        if scores.is_empty() {
            return Err(NpsError::Empty { field: "scores".into() });
        }
        let fast = options.scale.is_integral() && options.scale.max - options.scale.min <= 1024.0;
        let tally = if T::INTEGRAL && fast {
            count_integers(scores, options)?
        } else if let Some(t) = fast.then(|| count_whole_floats(scores, options)).flatten() {
            t
        } else {
            let mut acc = Accumulator::default();
            for (i, s) in scores.iter().enumerate() {
                acc.push(i, s.to_f64(), 1.0, options)?;
            }
            acc.finish()
        };
        tally.non_empty()
    }

    /// Tallies answers with non-negative survey weights (one per answer).
    ///
    /// The resulting NPS uses weighted shares; its standard error is the linearised
    /// (Taylor) one and [`effective_n`](Tally::effective_n) is Kish's effective sample size.
    pub fn from_weighted_scores<T: Score>(scores: &[T], weights: &[f64], options: &ScoreOptions) -> Result<Self> {
        if scores.is_empty() {
            return Err(NpsError::Empty { field: "scores".into() });
        }
        check_lengths("weights", weights.len(), "scores", scores.len())?;
        let mut acc = Accumulator::default();
        for (i, (s, w)) in scores.iter().zip(weights).enumerate() {
            check_weight(i, *w)?;
            acc.push(i, s.to_f64(), *w, options)?;
        }
        acc.finish().non_empty()
    }

    /// A tally from counts already made.
    pub fn from_counts(detractors: u64, passives: u64, promoters: u64) -> Result<Self> {
        let counts = [detractors, passives, promoters];
        let w = counts.map(|c| c as f64);
        Tally { counts, weights: w, weights_sq: w, ..Default::default() }.non_empty()
    }

    /// Fails with [`NpsError::Empty`] when nothing (or no weight) was counted.
    fn non_empty(self) -> Result<Self> {
        if self.n() == 0 {
            Err(NpsError::Empty {
                field: match (self.skipped, self.out_of_range) {
                    (0, 0) => "scores".into(),
                    (_, 0) => "scores (after skipping missing answers)".into(),
                    (0, _) => "scores (after skipping answers off the scale)".into(),
                    _ => "scores (after skipping missing answers and answers off the scale)".into(),
                },
            })
        } else if self.total_weight() <= 0.0 {
            Err(NpsError::Empty { field: "weights (they sum to zero)".into() })
        } else {
            Ok(self)
        }
    }

    /// The tally of the union of two disjoint samples.
    pub fn merge(&self, other: &Tally) -> Tally {
        let add = |a: [f64; 3], b: [f64; 3]| [a[0] + b[0], a[1] + b[1], a[2] + b[2]];
        Tally {
            counts: [
                self.counts[0] + other.counts[0],
                self.counts[1] + other.counts[1],
                self.counts[2] + other.counts[2],
            ],
            weights: add(self.weights, other.weights),
            weights_sq: add(self.weights_sq, other.weights_sq),
            skipped: self.skipped + other.skipped,
            out_of_range: self.out_of_range + other.out_of_range,
        }
    }

    /// Number of respondents counted.
    pub fn n(&self) -> u64 {
        self.counts.iter().sum()
    }

    /// Respondents in one category.
    pub fn count(&self, category: Category) -> u64 {
        self.counts[category as usize]
    }

    /// Sum of all weights (`n` when unweighted).
    pub fn total_weight(&self) -> f64 {
        self.weights.iter().sum()
    }

    /// Whether any weight differs from 1 (unit weights give the unweighted answer).
    pub fn is_weighted(&self) -> bool {
        (0..3).any(|c| self.weights[c] != self.counts[c] as f64 || self.weights_sq[c] != self.counts[c] as f64)
    }

    /// Weighted shares of the three categories, as fractions summing to 1.
    pub fn shares(&self) -> [f64; 3] {
        let w = self.total_weight();
        self.weights.map(|x| x / w)
    }

    /// Share of detractors (fraction).
    pub fn detractor_share(&self) -> f64 {
        self.shares()[0]
    }

    /// Share of passives (fraction).
    pub fn passive_share(&self) -> f64 {
        self.shares()[1]
    }

    /// Share of promoters (fraction).
    pub fn promoter_share(&self) -> f64 {
        self.shares()[2]
    }

    /// Net Promoter Score in points: 100 × (promoter share − detractor share).
    /// NaN for an empty tally.
    pub fn nps(&self) -> f64 {
        let s = self.shares();
        100.0 * (s[2] - s[0])
    }

    /// Variance of one answer on the −1/0/+1 scale, σ² = pP + pD − (pP − pD)² (a fraction).
    pub fn unit_variance(&self) -> f64 {
        let s = self.shares();
        let d = s[2] - s[0];
        (s[2] + s[0] - d * d).max(0.0)
    }

    /// Kish's effective sample size (ΣW)² / ΣW² (equal to `n` when unweighted).
    pub fn effective_n(&self) -> f64 {
        if !self.is_weighted() {
            return self.n() as f64;
        }
        let w = self.total_weight();
        w * w / self.weights_sq.iter().sum::<f64>()
    }

    /// Variance of the NPS estimate in points².
    ///
    /// Unweighted: 100² σ²/n. Weighted: the linearised (Taylor) variance of the ratio
    /// estimator, 100² Σ w²(y − ȳ)² / (Σ w)², which reduces to the unweighted formula for
    /// unit weights.
    pub fn variance(&self) -> f64 {
        if !self.is_weighted() {
            return 1e4 * self.unit_variance() / self.n() as f64;
        }
        let w = self.total_weight();
        let ybar = (self.weights[2] - self.weights[0]) / w;
        let y = [-1.0, 0.0, 1.0];
        let ss: f64 = (0..3).map(|c| self.weights_sq[c] * (y[c] - ybar) * (y[c] - ybar)).sum();
        1e4 * ss / (w * w)
    }

    /// Standard error of the NPS estimate in points.
    pub fn se(&self) -> f64 {
        self.variance().sqrt()
    }

    /// Category counts for the interval methods: the raw counts when unweighted, and
    /// shares × effective sample size when weighted.
    pub(crate) fn effective_counts(&self) -> [f64; 3] {
        if !self.is_weighted() {
            return self.counts.map(|c| c as f64);
        }
        let n = self.effective_n();
        self.shares().map(|s| s * n)
    }
}

impl Add for Tally {
    type Output = Tally;
    fn add(self, rhs: Tally) -> Tally {
        self.merge(&rhs)
    }
}

/// Histogram path for integer answers on an integer scale.
fn count_integers<T: Score>(scores: &[T], options: &ScoreOptions) -> Result<Tally> {
    let scale = &options.scale;
    let (lo, hi) = (scale.min as i64, scale.max as i64);
    let mut hist = vec![0u64; (hi - lo + 1) as usize];
    let mut skipped = 0u64;
    if std::any::TypeId::of::<T>() == std::any::TypeId::of::<u8>() && lo >= 0 && hi <= 255 {
        // One-byte answers (the common storage of survey scores): a full 256-bin histogram
        // with no branch in the loop, four interleaved tables so that runs of one value do
        // not serialise on one counter. The range is checked on the histogram afterwards.
        let mut tables = [[0u64; 256]; 4];
        let mut chunks = scores.chunks_exact(4);
        for c in &mut chunks {
            tables[0][c[0].to_i64() as usize & 0xff] += 1;
            tables[1][c[1].to_i64() as usize & 0xff] += 1;
            tables[2][c[2].to_i64() as usize & 0xff] += 1;
            tables[3][c[3].to_i64() as usize & 0xff] += 1;
        }
        for s in chunks.remainder() {
            tables[0][s.to_i64() as usize & 0xff] += 1;
        }
        for value in 0..256i64 {
            let total: u64 = tables.iter().map(|t| t[value as usize]).sum();
            if total == 0 {
                continue;
            }
            if !(lo..=hi).contains(&value) {
                match options.out_of_range {
                    OutOfRangePolicy::Skip => {
                        skipped += total;
                        continue;
                    }
                    OutOfRangePolicy::Error => return Err(first_out_of_range(scores, options)),
                }
            }
            hist[(value - lo) as usize] += total;
        }
    } else {
        let span = (hi - lo) as u64;
        for (i, s) in scores.iter().enumerate() {
            let k = s.to_i64().wrapping_sub(lo) as u64;
            if k > span {
                match options.out_of_range {
                    OutOfRangePolicy::Skip => {
                        skipped += 1;
                        continue;
                    }
                    OutOfRangePolicy::Error => return Err(out_of_range(i, s.to_f64(), options)),
                }
            }
            hist[k as usize] += 1;
        }
    }
    let mut tally = tally_from_histogram(&hist, options);
    tally.out_of_range = skipped;
    Ok(tally)
}

/// Histogram path for floating-point answers that are all whole numbers on the scale (the
/// common case); `None` sends anything else (NaN, fractions, out of range) to the general
/// path, which applies the policies and reports the first offending answer.
fn count_whole_floats<T: Score>(scores: &[T], options: &ScoreOptions) -> Option<Tally> {
    let scale = &options.scale;
    let lo = scale.min;
    let mut hist = vec![0u64; (scale.max - lo) as usize + 1];
    for s in scores {
        let k = s.to_f64() - lo;
        // A round trip through an integer tests wholeness without a libm call; NaN fails it.
        let i = k as i64;
        if i as f64 != k || i < 0 || i as usize >= hist.len() {
            return None;
        }
        hist[i as usize] += 1;
    }
    Some(tally_from_histogram(&hist, options))
}

fn tally_from_histogram(hist: &[u64], options: &ScoreOptions) -> Tally {
    let scale = &options.scale;
    let mut counts = [0u64; 3];
    for (k, h) in hist.iter().enumerate() {
        counts[scale.category(scale.min + k as f64) as usize] += h;
    }
    let w = counts.map(|c| c as f64);
    Tally { counts, weights: w, weights_sq: w, ..Default::default() }
}

fn out_of_range(index: usize, value: f64, options: &ScoreOptions) -> NpsError {
    NpsError::OutOfRange { field: "scores".into(), index, value, range: options.scale.describe() }
}

fn first_out_of_range<T: Score>(scores: &[T], options: &ScoreOptions) -> NpsError {
    let s = &options.scale;
    let i = scores.iter().position(|x| !(x.to_f64() >= s.min && x.to_f64() <= s.max)).unwrap_or(0);
    out_of_range(i, scores[i].to_f64(), options)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::Scale;
    use approx::assert_relative_eq;

    fn opts() -> ScoreOptions {
        ScoreOptions::default()
    }

    #[test]
    fn published_values() {
        let t = Tally::from_scores(&[0u8, 7, 7, 9, 9, 9], &opts()).unwrap();
        assert_relative_eq!(t.nps(), 100.0 / 3.0, epsilon = 1e-12);
        assert_relative_eq!(t.unit_variance(), 5.0 / 9.0, epsilon = 1e-12);
        assert_relative_eq!(t.se(), 30.42903, epsilon = 1e-5);
        let t = Tally::from_scores(&[1i32, 9], &opts()).unwrap();
        assert_eq!(t.nps(), 0.0);
        assert_relative_eq!(t.se(), 70.71068, epsilon = 1e-5);
        let t = Tally::from_scores(&[7.0f64, 9.0], &opts()).unwrap();
        assert_relative_eq!(t.nps(), 50.0, epsilon = 1e-12);
        assert_relative_eq!(t.se(), 35.35534, epsilon = 1e-5);
        let t = Tally::from_scores(&[0u16, 7, 9], &opts()).unwrap();
        assert_relative_eq!(t.se(), 47.14045, epsilon = 1e-5);
        let t = Tally::from_scores(&[10i64, 9, 9, 8, 7, 6], &opts()).unwrap();
        assert_eq!(t.counts, [1, 2, 3]);
        let t = Tally::from_scores(&(0u8..=10).collect::<Vec<_>>(), &opts()).unwrap();
        assert_relative_eq!(t.nps(), -500.0 / 11.0, epsilon = 1e-12);
    }

    #[test]
    fn custom_breaks() {
        let o = ScoreOptions { scale: Scale::from_breaks(&[0.0, 6.0, 8.0, 15.0]).unwrap(), ..opts() };
        let scores: Vec<i32> = (1..=15).collect();
        let t = Tally::from_scores(&scores, &o).unwrap();
        assert_eq!(t.counts, [6, 2, 7]);
        assert_relative_eq!(t.nps(), 100.0 / 15.0, epsilon = 1e-12);
        assert_relative_eq!(t.unit_variance(), 0.862222, epsilon = 1e-6);
    }

    #[test]
    fn every_type_agrees() {
        let v = [3u8, 7, 9, 10, 0, 8, 8, 9];
        let a = Tally::from_scores(&v, &opts()).unwrap();
        assert_eq!(a, Tally::from_scores(&v.map(|x| x as i8), &opts()).unwrap());
        assert_eq!(a, Tally::from_scores(&v.map(|x| x as u64), &opts()).unwrap());
        assert_eq!(a, Tally::from_scores(&v.map(|x| x as f32), &opts()).unwrap());
        assert_eq!(a, Tally::from_scores(&v.map(|x| x as f64), &opts()).unwrap());
    }

    #[test]
    fn bad_input_names_index_and_value() {
        let e = Tally::from_scores(&[5u8, 9, 11], &opts()).unwrap_err();
        assert_eq!(
            e,
            NpsError::OutOfRange { field: "scores".into(), index: 2, value: 11.0, range: "the scale 0..=10".into() }
        );
        let e = Tally::from_scores(&[5i8, -1], &opts()).unwrap_err();
        assert!(matches!(e, NpsError::OutOfRange { index: 1, value, .. } if value == -1.0));
        let e = Tally::from_scores(&[5i32, 200], &opts()).unwrap_err();
        assert!(matches!(e, NpsError::OutOfRange { index: 1, .. }));
        let e = Tally::from_scores(&[5.0, 6.5], &opts()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "scores[1] = 6.5 is not a whole number (set the non-integer policy to `right_closed` to bin it)"
        );
        let e = Tally::from_scores(&[5.0, f64::NAN], &opts()).unwrap_err();
        assert_eq!(e.to_string(), "scores[1] is missing (NaN)");
        let e = Tally::from_scores::<u8>(&[], &opts()).unwrap_err();
        assert_eq!(e.code(), "EMPTY");
        let e = Tally::from_weighted_scores(&[5u8, 9], &[1.0], &opts()).unwrap_err();
        assert_eq!(e.to_string(), "weights has 1 elements but scores has 2");
        let e = Tally::from_weighted_scores(&[5u8, 9], &[1.0, -2.0], &opts()).unwrap_err();
        assert_eq!(e.to_string(), "weights[1] = -2 is negative");
        assert_eq!(Tally::from_counts(0, 0, 0).unwrap_err().code(), "EMPTY");
    }

    #[test]
    fn policies() {
        let o = ScoreOptions { non_integer: NonIntegerPolicy::RightClosed, missing: MissingPolicy::Skip, ..opts() };
        let t = Tally::from_scores(&[6.5, 8.5, 6.0, f64::NAN, 10.0], &o).unwrap();
        assert_eq!(t.counts, [1, 1, 2]);
        assert_eq!(t.skipped, 1);
        assert_eq!(t.n(), 4);
        let e = Tally::from_scores(&[f64::NAN, f64::NAN], &o).unwrap_err();
        assert_eq!(e.to_string(), "scores (after skipping missing answers) is empty");
        // Out of range is an error under every policy.
        assert!(Tally::from_scores(&[10.5], &o).is_err());
    }

    #[test]
    fn weighted() {
        let t = Tally::from_weighted_scores(&[0u8, 9, 10, 7], &[2.0, 1.0, 1.0, 4.0], &opts()).unwrap();
        assert_relative_eq!(t.nps(), 0.0, epsilon = 1e-12);
        assert_relative_eq!(t.effective_n(), 64.0 / 22.0, epsilon = 1e-12);
        // Linearised variance: Σ w²(y-ȳ)² / W² with ȳ = 0: (4 + 1 + 1) / 64.
        assert_relative_eq!(t.variance(), 1e4 * 6.0 / 64.0, epsilon = 1e-9);
        let unit = Tally::from_weighted_scores(&[0u8, 9, 10, 7], &[1.0; 4], &opts()).unwrap();
        assert_eq!(unit, Tally::from_scores(&[0u8, 9, 10, 7], &opts()).unwrap());
    }

    #[test]
    fn merge_adds() {
        let a = Tally::from_counts(1, 2, 3).unwrap();
        let b = Tally::from_counts(4, 5, 6).unwrap();
        assert_eq!((a + b).counts, [5, 7, 9]);
        assert_eq!(a.merge(&Tally::empty()), a);
    }
}
