//! Comparing the NPS of two independent samples.
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use super::interval::{adjusted_counts, check_prior, wald_parts};
use super::posterior::{self, NpsPosterior};
use super::tally::Tally;
use crate::error::{check_level, NpsError, Result};
use crate::stats::normal;

/// How to compare two samples.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompareMethod {
    /// Difference of the two NPS with the unpooled standard error
    /// √(SE_A² + SE_B²) (the default).
    #[default]
    Wald,
    /// The same after adding the adjusted-Wald pseudo-counts to each sample: better
    /// behaved for small samples; `diff` is then the difference of adjusted NPS.
    AdjustedWald,
}

impl CompareMethod {
    /// The method's name as used in the bindings.
    pub fn name(&self) -> &'static str {
        match self {
            CompareMethod::Wald => "wald",
            CompareMethod::AdjustedWald => "adjusted_wald",
        }
    }
}

impl FromStr for CompareMethod {
    type Err = NpsError;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "wald" => Ok(CompareMethod::Wald),
            "adjusted_wald" | "adjustedWald" => Ok(CompareMethod::AdjustedWald),
            _ => Err(NpsError::unknown("comparison method", s, &["wald", "adjusted_wald"])),
        }
    }
}

/// The comparison of sample A with sample B, in points.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    /// The method used.
    pub method: CompareMethod,
    /// Confidence level of the interval and of `direction`.
    pub level: f64,
    /// NPS of A minus NPS of B.
    pub diff: f64,
    /// Standard error of the difference.
    pub se: f64,
    /// `diff / se`.
    pub z: f64,
    /// Two-sided p-value of the hypothesis of equal NPS.
    pub p_value: f64,
    /// Lower end of the interval for the difference.
    pub low: f64,
    /// Upper end of the interval for the difference.
    pub high: f64,
    /// +1 when A is significantly higher at `level`, −1 when significantly lower, else 0.
    pub direction: i8,
}

impl Comparison {
    /// Whether the difference is significant at the comparison's level.
    pub fn is_significant(&self) -> bool {
        self.direction != 0
    }
}

/// Compares the NPS of two independent samples: difference, standard error, z, two-sided
/// p-value, interval and direction at `level`.
///
/// ```
/// use nps_core::survey::{compare, CompareMethod, Tally};
/// let a = Tally::from_counts(20, 30, 50).unwrap();
/// let b = Tally::from_counts(30, 30, 40).unwrap();
/// let c = compare(&a, &b, CompareMethod::Wald, 0.95).unwrap();
/// assert!((c.diff - 20.0).abs() < 1e-9 && (c.p_value - 0.0794).abs() < 1e-4);
/// assert_eq!(c.direction, 0);
/// ```
pub fn compare(a: &Tally, b: &Tally, method: CompareMethod, level: f64) -> Result<Comparison> {
    check_level(level)?;
    for (t, name) in [(a, "a"), (b, "b")] {
        if t.n() == 0 || t.total_weight() <= 0.0 {
            return Err(NpsError::Empty { field: format!("tally {name}") });
        }
    }
    let ((na, sa), (nb, sb)) = match method {
        CompareMethod::Wald => ((a.nps(), a.se()), (b.nps(), b.se())),
        CompareMethod::AdjustedWald => {
            (wald_parts(adjusted_counts(a.effective_counts())), wald_parts(adjusted_counts(b.effective_counts())))
        }
    };
    let diff = na - nb;
    let se = (sa * sa + sb * sb).sqrt();
    let z = if se > 0.0 {
        diff / se
    } else if diff == 0.0 {
        0.0
    } else {
        diff.signum() * f64::INFINITY
    };
    let p_value = (2.0 * normal::cdf(-z.abs())).min(1.0);
    let zc = normal::two_sided_z(level);
    let (low, high) = (diff - zc * se, diff + zc * se);
    let direction = if low > 0.0 {
        1
    } else if high < 0.0 {
        -1
    } else {
        0
    };
    Ok(Comparison { method, level, diff, se, z, p_value, low, high, direction })
}

/// Posterior probability that A's NPS exceeds B's, with independent Dirichlet posteriors
/// built from each tally (effective counts when weighted) and the same `prior`
/// (`[1, 1, 1]` is uniform). Computed by deterministic numerical integration.
///
/// ```
/// use nps_core::survey::{prob_greater, Tally};
/// let a = Tally::from_counts(20, 30, 50).unwrap();
/// let b = Tally::from_counts(30, 30, 40).unwrap();
/// let p = prob_greater(&a, &b, [1.0, 1.0, 1.0]).unwrap();
/// assert!((p - 0.958).abs() < 0.002);
/// ```
pub fn prob_greater(a: &Tally, b: &Tally, prior: [f64; 3]) -> Result<f64> {
    check_prior(prior)?;
    for (t, name) in [(a, "a"), (b, "b")] {
        if t.n() == 0 || t.total_weight() <= 0.0 {
            return Err(NpsError::Empty { field: format!("tally {name}") });
        }
    }
    let pa = NpsPosterior::new(a.effective_counts(), prior);
    let pb = NpsPosterior::new(b.effective_counts(), prior);
    Ok(posterior::prob_greater(&pa, &pb))
}

#[cfg(test)]
mod tests {
    use super::*;
    use approx::assert_abs_diff_eq;

    #[test]
    fn published_comparison() {
        let a = Tally::from_counts(20, 30, 50).unwrap();
        let b = Tally::from_counts(30, 30, 40).unwrap();
        let c = compare(&a, &b, CompareMethod::Wald, 0.95).unwrap();
        assert_abs_diff_eq!(c.diff, 20.0, epsilon = 1e-9);
        assert_abs_diff_eq!(c.se, 11.4018, epsilon = 1e-4);
        assert_abs_diff_eq!(c.z, 1.7541, epsilon = 1e-4);
        assert_abs_diff_eq!(c.p_value, 0.0794, epsilon = 1e-4);
        assert_eq!(c.direction, 0);
        let c90 = compare(&a, &b, CompareMethod::Wald, 0.90).unwrap();
        assert_eq!(c90.direction, 1);
        let r = compare(&b, &a, CompareMethod::Wald, 0.90).unwrap();
        assert_eq!(r.direction, -1);
        assert_abs_diff_eq!(r.p_value, c.p_value, epsilon = 1e-15);
        let p = prob_greater(&a, &b, [1.0; 3]).unwrap();
        assert_abs_diff_eq!(p, 0.958, epsilon = 0.002);
        assert_abs_diff_eq!(prob_greater(&b, &a, [1.0; 3]).unwrap(), 1.0 - p, epsilon = 1e-6);
    }

    #[test]
    fn adjusted_variant() {
        let a = Tally::from_counts(20, 30, 50).unwrap();
        let b = Tally::from_counts(30, 30, 40).unwrap();
        let c = compare(&a, &b, CompareMethod::AdjustedWald, 0.95).unwrap();
        // Adjusted NPS: (50.75 − 20.75)/103 and (40.75 − 30.75)/103.
        assert_abs_diff_eq!(c.diff, 100.0 * 20.0 / 103.0, epsilon = 1e-9);
        assert!(c.se < 11.4018);
    }

    #[test]
    fn degenerate_and_bad() {
        let a = Tally::from_counts(0, 0, 5).unwrap();
        let c = compare(&a, &a, CompareMethod::Wald, 0.95).unwrap();
        assert_eq!((c.z, c.p_value, c.direction), (0.0, 1.0, 0));
        assert!(compare(&a, &a, CompareMethod::Wald, 1.0).is_err());
        assert!(compare(&a, &Tally::empty(), CompareMethod::Wald, 0.95).is_err());
        assert!(prob_greater(&a, &a, [0.0, 1.0, 1.0]).is_err());
    }
}
