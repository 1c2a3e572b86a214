//! Intervals for a proportion and for the ratio of two, and Pearson's chi-square test.
use serde::{Deserialize, Serialize};

use super::{normal, special};

/// A two-sided interval at a stated level.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Bounds {
    /// Lower end.
    pub low: f64,
    /// Upper end.
    pub high: f64,
}

/// Wilson's score interval for `successes` out of `n` (Wilson 1927): it stays inside
/// [0, 1] and keeps close to its nominal coverage for small samples and rates near 0 or 1,
/// where the Wald interval fails (Brown, Cai and DasGupta 2001). NaN bounds for `n = 0`.
pub fn wilson(successes: u64, n: u64, level: f64) -> Bounds {
    if n == 0 {
        return Bounds { low: f64::NAN, high: f64::NAN };
    }
    let z = normal::two_sided_z(level);
    let n = n as f64;
    let p = successes as f64 / n;
    let z2 = z * z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = z / (1.0 + z2 / n) * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    Bounds { low: (centre - half).max(0.0), high: (centre + half).min(1.0) }
}

/// The ratio of two proportions, (a / n_a) / (b / n_b), with the Katz log interval
/// exp(ln RR ± z·√(1/a − 1/n_a + 1/b − 1/n_b)) (Katz et al. 1978, as in
/// `scipy.stats.contingency.relative_risk`). The estimate is NaN or infinite when a
/// denominator or `b` is zero, and the interval then spans what it can.
pub fn relative_risk(a: u64, n_a: u64, b: u64, n_b: u64, level: f64) -> (f64, Bounds) {
    let (af, naf, bf, nbf) = (a as f64, n_a as f64, b as f64, n_b as f64);
    let rr = (af / naf) / (bf / nbf);
    if a == 0 || b == 0 || n_a == 0 || n_b == 0 {
        let bounds = if a == 0 && b > 0 {
            Bounds { low: 0.0, high: f64::INFINITY }
        } else {
            Bounds { low: if b == 0 && a > 0 { 0.0 } else { f64::NAN }, high: f64::INFINITY }
        };
        return (rr, bounds);
    }
    let z = normal::two_sided_z(level);
    let se = (1.0 / af - 1.0 / naf + 1.0 / bf - 1.0 / nbf).sqrt();
    (rr, Bounds { low: (rr.ln() - z * se).exp(), high: (rr.ln() + z * se).exp() })
}

/// Pearson's chi-square test of independence on a contingency table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChiSquare {
    /// Σ (observed − expected)² / expected.
    pub statistic: f64,
    /// (rows − 1)(columns − 1), over the rows and columns with a non-zero total.
    pub df: u32,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

/// Pearson's chi-square test of independence on `table` (rows of equal length), without a
/// continuity correction. Rows and columns whose total is zero are left out (they carry
/// no information and would divide by zero). NaN statistic when fewer than two rows or two
/// columns remain.
pub fn chi_square(table: &[Vec<u64>]) -> ChiSquare {
    let cols = table.first().map_or(0, Vec::len);
    let row_totals: Vec<f64> = table.iter().map(|r| r.iter().sum::<u64>() as f64).collect();
    let col_totals: Vec<f64> = (0..cols).map(|j| table.iter().map(|r| r[j]).sum::<u64>() as f64).collect();
    let total: f64 = row_totals.iter().sum();
    let live_rows = row_totals.iter().filter(|&&t| t > 0.0).count();
    let live_cols = col_totals.iter().filter(|&&t| t > 0.0).count();
    if live_rows < 2 || live_cols < 2 {
        return ChiSquare { statistic: f64::NAN, df: 0, p_value: f64::NAN };
    }
    let mut statistic = 0.0;
    for (r, row) in table.iter().enumerate() {
        for (j, &observed) in row.iter().enumerate() {
            let expected = row_totals[r] * col_totals[j] / total;
            if expected > 0.0 {
                statistic += (observed as f64 - expected).powi(2) / expected;
            }
        }
    }
    let df = ((live_rows - 1) * (live_cols - 1)) as u32;
    ChiSquare { statistic, df, p_value: special::gamma_q(df as f64 / 2.0, statistic / 2.0) }
}
