//! NPS and churn: how often detractors, passives and promoters leave within a horizon.
//!
//! Operators that measured it found that customers with very low scores leave far more
//! often. This puts numbers on it from survey answers and churn outcomes: churn rate by
//! category and by score with Wilson intervals, the relative risk of detractors against
//! promoters (Katz log interval), Pearson's chi-square test of independence, and the churn
//! a programme would avoid if a share of detractors became passives.
use serde::{Deserialize, Serialize};

use crate::error::{check_level, NpsError, Result};
use crate::stats::proportion::{chi_square, relative_risk, wilson, ChiSquare};

/// Churn in one group of customers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct GroupChurn {
    /// Customers in the group.
    pub customers: u64,
    /// Of whom left within the horizon.
    pub churned: u64,
    /// `churned / customers` (NaN for an empty group).
    pub rate: f64,
    /// Lower end of the Wilson interval for the rate.
    pub low: f64,
    /// Upper end of the Wilson interval.
    pub high: f64,
}

impl GroupChurn {
    fn new(customers: u64, churned: u64, level: f64) -> Self {
        let b = wilson(churned, customers, level);
        let rate = if customers == 0 { f64::NAN } else { churned as f64 / customers as f64 };
        GroupChurn { customers, churned, rate, low: b.low, high: b.high }
    }
}

/// Churn by NPS category and score, with the tests that say whether the link is real.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChurnByNps {
    /// Confidence level of every interval.
    pub level: f64,
    /// Scores 0–6.
    pub detractors: GroupChurn,
    /// Scores 7–8.
    pub passives: GroupChurn,
    /// Scores 9–10.
    pub promoters: GroupChurn,
    /// One group per score, 0 to 10.
    pub by_score: Vec<GroupChurn>,
    /// Detractors' churn rate over promoters'.
    pub relative_risk: f64,
    /// Lower end of its Katz log interval.
    pub relative_risk_low: f64,
    /// Upper end.
    pub relative_risk_high: f64,
    /// Pearson's chi-square test of independence of category (3 rows) and churn (2 columns).
    pub chi_square: ChiSquare,
}

/// What moving a share of detractors to passives would do to churn, by simple arithmetic:
/// the moved customers are assumed to leave at the passives' observed rate. It is a
/// what-if on observed rates, not a causal estimate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChurnReduction {
    /// Share of detractors moved.
    pub share: f64,
    /// Detractors moved (share × detractors).
    pub customers_moved: f64,
    /// Churners avoided: moved × (detractor rate − passive rate); NaN when no passive answered
    /// (their rate is unknown).
    pub churners_avoided: f64,
    /// Churn rate of all answering customers now.
    pub churn_rate_before: f64,
    /// And after the move.
    pub churn_rate_after: f64,
}

impl ChurnByNps {
    /// The churn avoided if `share` (0–1) of detractors became passives.
    pub fn reduction(&self, share: f64) -> Result<ChurnReduction> {
        if !(0.0..=1.0).contains(&share) {
            return Err(NpsError::invalid("share", share, "between 0 and 1"));
        }
        let (d, p) = (&self.detractors, &self.passives);
        let customers = (d.customers + p.customers + self.promoters.customers) as f64;
        let churned = (d.churned + p.churned + self.promoters.churned) as f64;
        let moved = share * d.customers as f64;
        let gap = if d.customers == 0 { 0.0 } else { d.rate - p.rate };
        let avoided = moved * gap;
        Ok(ChurnReduction {
            share,
            customers_moved: moved,
            churners_avoided: avoided,
            churn_rate_before: churned / customers,
            churn_rate_after: (churned - avoided) / customers,
        })
    }
}

/// A 0–10 survey answer as a whole number; NaN, out-of-scale and fractional answers are
/// errors naming `scores[index]` and the value.
pub(super) fn whole_answer(score: f64, index: usize) -> Result<usize> {
    if score.is_nan() {
        return Err(NpsError::Missing { field: "scores".into(), index });
    }
    if !(0.0..=10.0).contains(&score) {
        return Err(NpsError::OutOfRange {
            field: "scores".into(),
            index,
            value: score,
            range: "the scale 0..=10".into(),
        });
    }
    if score.fract() != 0.0 {
        return Err(NpsError::NonInteger { field: "scores".into(), index, value: score });
    }
    Ok(score as usize)
}

/// Churn by NPS answer. `scores` are answers on the 0–10 scale (whole numbers), `churned`
/// whether each customer left within the horizon; `level` is the confidence level (0.95).
///
/// Errors name the index and value: empty input, mismatched lengths, a NaN, fractional or
/// out-of-scale score.
pub fn churn_by_nps(scores: &[f64], churned: &[bool], level: f64) -> Result<ChurnByNps> {
    check_level(level)?;
    if scores.is_empty() {
        return Err(NpsError::Empty { field: "scores".into() });
    }
    if churned.len() != scores.len() {
        return Err(NpsError::LengthMismatch {
            field: "churned".into(),
            actual: churned.len(),
            other: "scores".into(),
            expected: scores.len(),
        });
    }
    let mut table = [[0u64; 2]; 11];
    for (index, (&s, &c)) in scores.iter().zip(churned).enumerate() {
        table[whole_answer(s, index)?][c as usize] += 1;
    }
    let group = |scores: std::ops::RangeInclusive<usize>| {
        let (stay, leave) = table[scores].iter().fold((0, 0), |(a, b), r| (a + r[0], b + r[1]));
        (stay + leave, leave)
    };
    let (nd, cd) = group(0..=6);
    let (np, cp) = group(7..=8);
    let (nq, cq) = group(9..=10);
    let (rr, rr_bounds) = relative_risk(cd, nd, cq, nq, level);
    let chi = chi_square(&[vec![nd - cd, cd], vec![np - cp, cp], vec![nq - cq, cq]]);
    Ok(ChurnByNps {
        level,
        detractors: GroupChurn::new(nd, cd, level),
        passives: GroupChurn::new(np, cp, level),
        promoters: GroupChurn::new(nq, cq, level),
        by_score: table.iter().map(|r| GroupChurn::new(r[0] + r[1], r[1], level)).collect(),
        relative_risk: rr,
        relative_risk_low: rr_bounds.low,
        relative_risk_high: rr_bounds.high,
        chi_square: chi,
    })
}
