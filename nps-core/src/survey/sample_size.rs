//! How many respondents a survey needs.
use serde::{Deserialize, Serialize};

use crate::error::{check_level, NpsError, Result};
use crate::stats::normal;

/// Expected promoter and detractor shares used to plan a survey.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PlanningShares {
    /// Expected share of promoters (fraction).
    pub promoter: f64,
    /// Expected share of detractors (fraction).
    pub detractor: f64,
}

impl Default for PlanningShares {
    /// The worst case, half promoters and half detractors (σ² = 1), which no survey
    /// can exceed.
    fn default() -> Self {
        PlanningShares { promoter: 0.5, detractor: 0.5 }
    }
}

impl PlanningShares {
    /// Shares checked to be fractions that sum to at most 1.
    pub fn new(promoter: f64, detractor: f64) -> Result<Self> {
        let ok = |x: f64| (0.0..=1.0).contains(&x);
        if !ok(promoter) || !ok(detractor) || promoter + detractor > 1.0 + 1e-12 {
            return Err(NpsError::invalid(
                "planning shares",
                format!("promoter {promoter}, detractor {detractor}"),
                "fractions in [0, 1] summing to at most 1",
            ));
        }
        Ok(PlanningShares { promoter, detractor })
    }

    /// Variance of one answer on the −1/0/+1 scale.
    pub fn unit_variance(&self) -> f64 {
        let d = self.promoter - self.detractor;
        self.promoter + self.detractor - d * d
    }
}

fn positive(name: &str, value: f64) -> Result<()> {
    if value.is_finite() && value > 0.0 {
        Ok(())
    } else {
        Err(NpsError::invalid(name, value, "a positive number of points"))
    }
}

/// Respondents needed so that the NPS is known within ± `margin` points at `level`:
/// n₀ = z² σ² / m², with the finite-population correction n = n₀ / (1 + (n₀ − 1)/N)
/// when `population` is given, rounded up.
///
/// ```
/// use nps_core::survey::{sample_size, PlanningShares};
/// assert_eq!(sample_size(5.0, 0.95, PlanningShares::default(), None).unwrap(), 1537);
/// ```
pub fn sample_size(margin: f64, level: f64, shares: PlanningShares, population: Option<u64>) -> Result<u64> {
    positive("margin", margin)?;
    check_level(level)?;
    let shares = PlanningShares::new(shares.promoter, shares.detractor)?;
    let z = normal::two_sided_z(level);
    let m = margin / 100.0;
    let mut n = z * z * shares.unit_variance() / (m * m);
    if let Some(big_n) = population {
        if big_n == 0 {
            return Err(NpsError::invalid("population", 0, "at least 1"));
        }
        n /= 1.0 + (n - 1.0) / big_n as f64;
    }
    Ok(ceil_count(n))
}

/// The power of [`sample_size_difference`] by default: a real difference is found four
/// times in five.
pub const DEFAULT_POWER: f64 = 0.8;

/// Respondents needed in each of two groups to detect a true difference of
/// `difference` points with probability `power`, in a two-sided test at `level`:
/// n = (z_{α/2} + z_β)² (σ_A² + σ_B²) / δ².
pub fn sample_size_difference(
    difference: f64,
    level: f64,
    power: f64,
    a: PlanningShares,
    b: PlanningShares,
) -> Result<u64> {
    positive("difference", difference)?;
    check_level(level)?;
    if !(power > 0.0 && power < 1.0) {
        return Err(NpsError::invalid("power", power, "strictly between 0 and 1"));
    }
    let (a, b) = (PlanningShares::new(a.promoter, a.detractor)?, PlanningShares::new(b.promoter, b.detractor)?);
    let z = normal::two_sided_z(level) + normal::quantile(power);
    let d = difference / 100.0;
    Ok(ceil_count(z * z * (a.unit_variance() + b.unit_variance()) / (d * d)))
}

/// Rounds up, forgiving floating-point noise just above a whole number.
fn ceil_count(n: f64) -> u64 {
    let r = n.round();
    if (n - r).abs() < 1e-9 * r.max(1.0) {
        r.max(1.0) as u64
    } else {
        n.ceil().max(1.0) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn published_sizes() {
        let w = PlanningShares::default();
        assert_eq!(sample_size(5.0, 0.95, w, None).unwrap(), 1537);
        assert_eq!(sample_size(10.0, 0.95, w, None).unwrap(), 385);
        // Finite population: 1536.58 / (1 + 1535.58 / 2000) = 869.1.
        assert_eq!(sample_size(5.0, 0.95, w, Some(2000)).unwrap(), 870);
        // Shares 50 % promoters, 20 % detractors: σ² = 0.61.
        let s = PlanningShares::new(0.5, 0.2).unwrap();
        assert_eq!(sample_size(5.0, 0.95, s, None).unwrap(), 938);
        // (1.959964 + 0.841621)² · 2 / 0.1² = 1569.7.
        assert_eq!(sample_size_difference(10.0, 0.95, 0.8, w, w).unwrap(), 1570);
    }

    #[test]
    fn bad_parameters() {
        let w = PlanningShares::default();
        assert!(sample_size(0.0, 0.95, w, None).is_err());
        assert!(sample_size(5.0, 1.0, w, None).is_err());
        assert!(sample_size(5.0, 0.95, w, Some(0)).is_err());
        assert!(PlanningShares::new(0.7, 0.5).is_err());
        assert!(sample_size_difference(5.0, 0.95, 1.0, w, w).is_err());
    }
}
