//! NPS by segment and by period.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::compare::{compare, CompareMethod, Comparison};
use super::interval::{Interval, IntervalMethod};
use super::period::{Period, PeriodKey};
use super::scale::ScoreOptions;
use super::tally::{check_weight, Accumulator, Score, Tally};
use crate::error::{check_lengths, check_level, NpsError, Result};

/// How the rows of a breakdown or trend are computed.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// How answers are read.
    pub scores: ScoreOptions,
    /// Interval method for each row (adjusted Wald by default).
    pub interval: IntervalMethod,
    /// Test for the change between consecutive periods (Wald by default).
    pub compare: CompareMethod,
    /// Confidence level of intervals and significance flags.
    pub level: f64,
}

impl Default for ReportOptions {
    fn default() -> Self {
        ReportOptions {
            scores: ScoreOptions::default(),
            interval: IntervalMethod::default(),
            compare: CompareMethod::default(),
            level: 0.95,
        }
    }
}

/// One segment of a breakdown.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SegmentRow<K> {
    /// The segment's key.
    pub segment: K,
    /// Its tally (counts, NPS, SE).
    pub tally: Tally,
    /// Its interval; `None` when every answer of the segment was skipped as missing.
    pub interval: Option<Interval>,
}

/// One period of a trend.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrendRow {
    /// The period.
    pub period: PeriodKey,
    /// Its tally (counts, NPS, SE).
    pub tally: Tally,
    /// Its interval; `None` when every answer of the period was skipped as missing.
    pub interval: Option<Interval>,
    /// This period against the previous row (the previous period that has answers);
    /// `None` for the first row.
    pub change: Option<Comparison>,
}

/// Tallies answers grouped by key, in key order: the mergeable part of a breakdown or a
/// trend. A scale-out engine (Spark) tallies each partition with it, merges the tallies of
/// a key (`+`), and computes the rows with [`breakdown_tallies`] or [`trend_tallies`]: the
/// same rows as [`breakdown`] and [`trend`] on all the answers at once (the counts exactly,
/// weighted sums up to the order of addition). Errors: as [`breakdown`], naming the index.
pub fn group_tallies<K: Ord + Clone, T: Score>(
    scores: &[T],
    keys: &[K],
    weights: Option<&[f64]>,
    options: &ScoreOptions,
) -> Result<BTreeMap<K, Tally>> {
    check_lengths("segments", keys.len(), "scores", scores.len())?;
    group(scores, keys.iter().cloned(), weights, options)
}

/// Tallies answers grouped by key, in key order.
fn group<K: Ord + Clone, T: Score>(
    scores: &[T],
    keys: impl Iterator<Item = K>,
    weights: Option<&[f64]>,
    options: &ScoreOptions,
) -> Result<BTreeMap<K, Tally>> {
    if scores.is_empty() {
        return Err(NpsError::Empty { field: "scores".into() });
    }
    if let Some(w) = weights {
        check_lengths("weights", w.len(), "scores", scores.len())?;
    }
    let mut groups: BTreeMap<K, Accumulator> = BTreeMap::new();
    for (i, key) in keys.enumerate() {
        let w = match weights {
            Some(w) => {
                check_weight(i, w[i])?;
                w[i]
            }
            None => 1.0,
        };
        groups.entry(key).or_default().push(i, scores[i].to_f64(), w, options)?;
    }
    Ok(groups.into_iter().map(|(k, a)| (k, a.finish())).collect())
}

fn row_interval(tally: &Tally, options: &ReportOptions) -> Result<Option<Interval>> {
    if tally.n() == 0 || tally.total_weight() <= 0.0 {
        return Ok(None);
    }
    tally.interval(options.interval, options.level).map(Some)
}

/// NPS by segment: one row per distinct key, sorted by key.
///
/// ```
/// use nps_core::survey::{breakdown, ReportOptions};
/// let rows = breakdown(&[9u8, 10, 3, 7], &["web", "web", "shop", "shop"], None, &ReportOptions::default()).unwrap();
/// assert_eq!(rows[0].segment, "shop");
/// assert_eq!(rows[1].tally.nps(), 100.0);
/// ```
pub fn breakdown<K: Ord + Clone, T: Score>(
    scores: &[T],
    segments: &[K],
    weights: Option<&[f64]>,
    options: &ReportOptions,
) -> Result<Vec<SegmentRow<K>>> {
    check_level(options.level)?;
    check_lengths("segments", segments.len(), "scores", scores.len())?;
    breakdown_tallies(group(scores, segments.iter().cloned(), weights, &options.scores)?, options)
}

/// The rows of a breakdown from tallies already grouped by segment (see
/// [`group_tallies`]), in the order given.
pub fn breakdown_tallies<K>(
    groups: impl IntoIterator<Item = (K, Tally)>,
    options: &ReportOptions,
) -> Result<Vec<SegmentRow<K>>> {
    check_level(options.level)?;
    groups
        .into_iter()
        .map(|(segment, tally)| Ok(SegmentRow { segment, interval: row_interval(&tally, options)?, tally }))
        .collect()
}

/// NPS by period: one row per period that has answers, in time order, each compared with
/// the row before it. `timestamps` are seconds since the Unix epoch (UTC).
pub fn trend<T: Score>(
    scores: &[T],
    timestamps: &[i64],
    period: Period,
    weights: Option<&[f64]>,
    options: &ReportOptions,
) -> Result<Vec<TrendRow>> {
    check_level(options.level)?;
    check_lengths("timestamps", timestamps.len(), "scores", scores.len())?;
    trend_tallies(group(scores, timestamps.iter().map(|t| period.key(*t)), weights, &options.scores)?, options)
}

/// The rows of a trend from tallies already grouped by period (see [`group_tallies`] with
/// [`Period::key`] of each answer's time), each compared with the row before it.
pub fn trend_tallies(groups: BTreeMap<PeriodKey, Tally>, options: &ReportOptions) -> Result<Vec<TrendRow>> {
    check_level(options.level)?;
    let mut rows: Vec<TrendRow> = Vec::with_capacity(groups.len());
    for (key, tally) in groups {
        let previous = rows.iter().rev().find(|r| r.interval.is_some()).map(|r| r.tally);
        let change = match (previous, tally.n() > 0 && tally.total_weight() > 0.0) {
            (Some(prev), true) => Some(compare(&tally, &prev, options.compare, options.level)?),
            _ => None,
        };
        rows.push(TrendRow { period: key, interval: row_interval(&tally, options)?, tally, change });
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::survey::MissingPolicy;

    const DAY: i64 = 86_400;

    #[test]
    fn segments_in_key_order_with_intervals() {
        let scores = [9u8, 10, 3, 7, 9, 0];
        let seg = ["b", "b", "a", "a", "b", "c"];
        let rows = breakdown(&scores, &seg, None, &ReportOptions::default()).unwrap();
        let keys: Vec<&str> = rows.iter().map(|r| r.segment).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(rows[0].tally.counts, [1, 1, 0]);
        assert_eq!(rows[1].tally.counts, [0, 0, 3]);
        let whole = Tally::from_scores(&scores, &ScoreOptions::default()).unwrap();
        let merged = rows.iter().fold(Tally::empty(), |acc, r| acc + r.tally);
        assert_eq!(merged, whole);
        let expect = rows[2].tally.interval(IntervalMethod::AdjustedWald, 0.95).unwrap();
        assert_eq!(rows[2].interval.unwrap(), expect);
    }

    #[test]
    fn trend_compares_consecutive_periods() {
        // January: (20, 30, 50); February: (30, 30, 40), as in the published comparison.
        let mut scores = vec![];
        let mut ts = vec![];
        for (month_start, counts) in [(0i64, [20, 30, 50]), (31 * DAY, [30, 30, 40])] {
            for (score, count) in [(0u8, counts[0]), (7, counts[1]), (10, counts[2])] {
                for k in 0..count {
                    scores.push(score);
                    ts.push(month_start + k as i64 * 3_600);
                }
            }
        }
        let rows = trend(&scores, &ts, Period::Month, None, &ReportOptions::default()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].period.label(), "1970-01");
        assert!(rows[0].change.is_none());
        let c = rows[1].change.unwrap();
        assert!((c.diff + 20.0).abs() < 1e-9 && (c.p_value - 0.0794).abs() < 1e-4);
    }

    #[test]
    fn all_missing_segment_has_no_interval() {
        let o = ReportOptions {
            scores: ScoreOptions { missing: MissingPolicy::Skip, ..Default::default() },
            ..Default::default()
        };
        let rows = breakdown(&[9.0, f64::NAN], &[1, 2], None, &o).unwrap();
        assert!(rows[1].interval.is_none());
        assert_eq!(rows[1].tally.skipped, 1);
    }

    #[test]
    fn bad_input() {
        let o = ReportOptions::default();
        assert_eq!(breakdown(&[9u8], &[1, 2], None, &o).unwrap_err().code(), "LENGTH_MISMATCH");
        assert_eq!(breakdown::<i32, u8>(&[], &[], None, &o).unwrap_err().code(), "EMPTY");
        assert_eq!(trend(&[9u8, 11], &[0, 0], Period::Day, None, &o).unwrap_err().code(), "OUT_OF_RANGE");
        assert_eq!(trend(&[9u8], &[0], Period::Day, Some(&[f64::NAN]), &o).unwrap_err().code(), "MISSING_VALUE");
        let bad = ReportOptions { level: 1.0, ..o };
        assert!(trend(&[9u8], &[0], Period::Day, None, &bad).is_err());
    }
}
