//! DeLong's variance of the ROC AUC (DeLong, DeLong & Clarke-Pearson 1988, Biometrics 44,
//! 837–845): an interval for one score's AUC and the paired test of two scores' AUCs on
//! the same rows, from the placement values computed by midranks (Sun & Xu 2014) in
//! O(n log n).
use serde::{Deserialize, Serialize};

use crate::error::{check_level, NpsError, Result};
use crate::metrics::{check, roc_auc};
use crate::stats::normal;

pub use crate::stats::DEFAULT_LEVEL;

/// The ROC AUC with DeLong's standard error and interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct AucInterval {
    /// The AUC (scikit-learn's `roc_auc_score`, ties counting one half).
    pub auc: f64,
    /// DeLong's standard error.
    pub se: f64,
    /// auc − z·se, clipped to [0, 1] (as pROC's `ci.auc(method = "delong")`).
    pub lower: f64,
    /// auc + z·se, clipped to [0, 1].
    pub upper: f64,
    /// The confidence level.
    pub level: f64,
}

/// DeLong's paired test of two scores' AUCs on the same rows.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DelongTest {
    /// AUC of score A.
    pub auc_a: f64,
    /// AUC of score B.
    pub auc_b: f64,
    /// auc_a − auc_b.
    pub difference: f64,
    /// Standard error of the difference (the two AUCs' covariance included).
    pub se: f64,
    /// difference / se.
    pub z: f64,
    /// Two-sided p-value, 2(1 − Φ(|z|)).
    pub p_value: f64,
}

/// Midranks (1-based, ties sharing their mean rank) of `values`.
pub(crate) fn midranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_unstable_by(|&a, &b| values[a].total_cmp(&values[b]).then(a.cmp(&b)));
    let mut ranks = vec![0.0; values.len()];
    let mut i = 0;
    while i < order.len() {
        let mut j = i;
        while j + 1 < order.len() && values[order[j + 1]] == values[order[i]] {
            j += 1;
        }
        let rank = (i + j) as f64 / 2.0 + 1.0;
        for &k in &order[i..=j] {
            ranks[k] = rank;
        }
        i = j + 1;
    }
    ranks
}

/// The placement values of one score: for each positive the share of negatives it beats
/// (ties one half), and for each negative the share of positives that beat it.
pub(crate) struct Placements {
    pub positives: Vec<f64>,
    pub negatives: Vec<f64>,
}

pub(crate) fn placements(y: &[f64], score: &[f64]) -> Placements {
    let pos: Vec<f64> = y.iter().zip(score).filter(|(&y, _)| y == 1.0).map(|(_, &s)| s).collect();
    let neg: Vec<f64> = y.iter().zip(score).filter(|(&y, _)| y != 1.0).map(|(_, &s)| s).collect();
    let (m, n) = (pos.len() as f64, neg.len() as f64);
    let all = midranks(score);
    let (rp, rn) = (midranks(&pos), midranks(&neg));
    let (mut ip, mut ineg) = (0, 0);
    let mut positives = Vec::with_capacity(pos.len());
    let mut negatives = Vec::with_capacity(neg.len());
    for (i, &yi) in y.iter().enumerate() {
        if yi == 1.0 {
            positives.push((all[i] - rp[ip]) / n);
            ip += 1;
        } else {
            negatives.push(1.0 - (all[i] - rn[ineg]) / m);
            ineg += 1;
        }
    }
    Placements { positives, negatives }
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Σ (aᵢ − ā)(bᵢ − b̄) / (k − 1).
fn covariance(a: &[f64], b: &[f64]) -> f64 {
    let (ma, mb) = (mean(a), mean(b));
    a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum::<f64>() / (a.len() - 1) as f64
}

/// DeLong's covariance of the AUCs of two scores' placements: S₁₀/m + S₀₁/n.
pub(crate) fn auc_covariance(a: &Placements, b: &Placements) -> f64 {
    covariance(&a.positives, &b.positives) / a.positives.len() as f64
        + covariance(&a.negatives, &b.negatives) / a.negatives.len() as f64
}

/// Checks labels and a score, and that each class has two rows (the variance divides by
/// m − 1 and n − 1).
fn check_classes(y: &[f64], score: &[f64], field: &str) -> Result<()> {
    check(y, score, None, false).map_err(|e| match e {
        NpsError::Missing { field: f, index } if f == "score" => NpsError::Missing { field: field.into(), index },
        NpsError::OutOfRange { field: f, index, value, range } if f == "score" => {
            NpsError::OutOfRange { field: field.into(), index, value, range }
        }
        NpsError::LengthMismatch { field: f, actual, other, expected } if f == "score" => {
            NpsError::LengthMismatch { field: field.into(), actual, other, expected }
        }
        e => e,
    })?;
    let m = y.iter().filter(|&&v| v == 1.0).count();
    let n = y.len() - m;
    if m < 2 || n < 2 {
        return Err(NpsError::invalid(
            "y",
            format!("{m} positives and {n} negatives"),
            "at least two of each class (DeLong's variance)",
        ));
    }
    Ok(())
}

/// The AUC of `score` with DeLong's standard error and a `level` interval. Errors: the
/// metrics' input errors, fewer than two rows of a class, a level outside (0, 1).
pub fn auc_interval(y: &[f64], score: &[f64], level: f64) -> Result<AucInterval> {
    check_level(level)?;
    check_classes(y, score, "score")?;
    let auc = roc_auc(y, score, None)?;
    let pl = placements(y, score);
    Ok(interval(auc, auc_covariance(&pl, &pl), level))
}

pub(crate) fn interval(auc: f64, variance: f64, level: f64) -> AucInterval {
    let se = variance.max(0.0).sqrt();
    let z = normal::two_sided_z(level);
    AucInterval { auc, se, lower: (auc - z * se).clamp(0.0, 1.0), upper: (auc + z * se).clamp(0.0, 1.0), level }
}

/// DeLong's paired test of the AUCs of `score_a` and `score_b` on the same rows (`y`):
/// the difference, its standard error (from both variances and their covariance), z and
/// the two-sided p-value. Errors name the score (`score_a[3] is missing`).
pub fn delong_test(y: &[f64], score_a: &[f64], score_b: &[f64]) -> Result<DelongTest> {
    check_classes(y, score_a, "score_a")?;
    check_classes(y, score_b, "score_b")?;
    let (auc_a, auc_b) = (roc_auc(y, score_a, None)?, roc_auc(y, score_b, None)?);
    let (a, b) = (placements(y, score_a), placements(y, score_b));
    let variance = auc_covariance(&a, &a) + auc_covariance(&b, &b) - 2.0 * auc_covariance(&a, &b);
    let se = variance.max(0.0).sqrt();
    let difference = auc_a - auc_b;
    let z = if se > 0.0 {
        difference / se
    } else if difference == 0.0 {
        0.0
    } else {
        f64::INFINITY.copysign(difference)
    };
    Ok(DelongTest { auc_a, auc_b, difference, se, z, p_value: (2.0 * normal::sf(z.abs())).min(1.0) })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Hanley & McNeil (1982, Radiology 143, 29–36), Table 1: 109 CT images rated 1
    /// (definitely normal) to 5 (definitely abnormal); 58 normal: 33, 6, 6, 11, 2; 51
    /// abnormal: 3, 2, 2, 11, 33.
    pub(crate) fn hanley_mcneil() -> (Vec<f64>, Vec<f64>) {
        let (mut y, mut s) = (Vec::new(), Vec::new());
        for (rating, (normal, abnormal)) in [(33, 3), (6, 2), (6, 2), (11, 11), (2, 33)].into_iter().enumerate() {
            for _ in 0..normal {
                y.push(0.0);
                s.push(rating as f64 + 1.0);
            }
            for _ in 0..abnormal {
                y.push(1.0);
                s.push(rating as f64 + 1.0);
            }
        }
        (y, s)
    }

    #[test]
    fn hanley_mcneil_as_published() {
        // Stata's manual ([R] roctab, example 1, on these data; its standard error is
        // DeLong's): area 0.8932, std. err. 0.0307, 95% interval 0.83295 to 0.95339.
        let (y, s) = hanley_mcneil();
        let r = auc_interval(&y, &s, 0.95).unwrap();
        assert!((r.auc - 0.8932).abs() < 5e-5, "{r:?}");
        assert!((r.se - 0.0307).abs() < 5e-5, "{r:?}");
        assert!((r.lower - 0.83295).abs() < 5e-6, "{r:?}");
        assert!((r.upper - 0.95339).abs() < 5e-6, "{r:?}");
    }

    /// Placements by their definition, pair by pair.
    fn brute(y: &[f64], s: &[f64]) -> (Vec<f64>, Vec<f64>) {
        let psi = |x: f64, z: f64| {
            if x > z {
                1.0
            } else if x == z {
                0.5
            } else {
                0.0
            }
        };
        let pos: Vec<f64> = (0..y.len()).filter(|&i| y[i] == 1.0).map(|i| s[i]).collect();
        let neg: Vec<f64> = (0..y.len()).filter(|&i| y[i] == 0.0).map(|i| s[i]).collect();
        let v10 = pos.iter().map(|&x| neg.iter().map(|&z| psi(x, z)).sum::<f64>() / neg.len() as f64).collect();
        let v01 = neg.iter().map(|&z| pos.iter().map(|&x| psi(x, z)).sum::<f64>() / pos.len() as f64).collect();
        (v10, v01)
    }

    #[test]
    fn placements_equal_the_definition() {
        let y = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 1.0, 0.0];
        let s = [0.9, 0.3, 0.3, 0.5, 0.1, 0.8, 0.5, 0.5, 0.2, 0.95];
        let p = placements(&y, &s);
        let (v10, v01) = brute(&y, &s);
        for (a, b) in p.positives.iter().zip(&v10).chain(p.negatives.iter().zip(&v01)) {
            assert!((a - b).abs() < 1e-15);
        }
        assert!((mean(&p.positives) - roc_auc(&y, &s, None).unwrap()).abs() < 1e-15);
    }

    #[test]
    fn a_score_against_itself() {
        let (y, s) = hanley_mcneil();
        let t = delong_test(&y, &s, &s).unwrap();
        assert_eq!((t.difference, t.z, t.p_value), (0.0, 0.0, 1.0));
        let e = delong_test(&y, &s, &s[1..]).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
        assert!(e.to_string().starts_with("score_b"), "{e}");
    }
}
