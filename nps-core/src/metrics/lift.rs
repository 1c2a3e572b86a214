//! Lift and cumulative gain by bins of descending score (deciles by default).
use serde::{Deserialize, Serialize};

use super::check;
use crate::error::{NpsError, Result};

/// One bin of the lift table.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LiftRow {
    /// Bin number, 1 = highest scores.
    pub bin: usize,
    /// Customers in the bin.
    pub customers: usize,
    /// Positives (churners) in the bin.
    pub positives: usize,
    /// Positive rate in the bin.
    pub rate: f64,
    /// Rate over the base rate: how many times better than random the bin is.
    pub lift: f64,
    /// Customers in this and the higher bins.
    pub cumulative_customers: usize,
    /// Positives in this and the higher bins.
    pub cumulative_positives: usize,
    /// Share of all positives captured by this and the higher bins (the gain curve).
    pub cumulative_gain: f64,
    /// Cumulative rate over the base rate.
    pub cumulative_lift: f64,
}

/// The lift table and the base rate it is relative to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftTable {
    /// Positives over customers.
    pub base_rate: f64,
    /// Bins, highest scores first; `rows[0].lift` is the top-decile lift with 10 bins.
    pub rows: Vec<LiftRow>,
}

/// Ranks customers by descending score (ties in input order) and cuts the ranking into
/// `bins` bins as `numpy.array_split` does: the first n mod bins bins hold one more.
/// Errors: no positive, `bins` zero or above the number of customers.
pub fn lift_table(y: &[f64], score: &[f64], bins: usize) -> Result<LiftTable> {
    check(y, score, None, false)?;
    let n = y.len();
    if bins == 0 || bins > n {
        return Err(NpsError::invalid("bins", bins, &format!("between 1 and the {n} customers")));
    }
    let total: usize = y.iter().filter(|&&v| v == 1.0).count();
    if total == 0 {
        return Err(NpsError::invalid("y", "no positive", "at least one positive (lift is relative to the base rate)"));
    }
    let base_rate = total as f64 / n as f64;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    let (size, extra) = (n / bins, n % bins);
    let mut rows = Vec::with_capacity(bins);
    let (mut start, mut cum_n, mut cum_p) = (0, 0, 0);
    for b in 0..bins {
        let len = size + usize::from(b < extra);
        let positives = order[start..start + len].iter().filter(|&&i| y[i] == 1.0).count();
        start += len;
        cum_n += len;
        cum_p += positives;
        let rate = positives as f64 / len as f64;
        let cum_rate = cum_p as f64 / cum_n as f64;
        rows.push(LiftRow {
            bin: b + 1,
            customers: len,
            positives,
            rate,
            lift: rate / base_rate,
            cumulative_customers: cum_n,
            cumulative_positives: cum_p,
            cumulative_gain: cum_p as f64 / total as f64,
            cumulative_lift: cum_rate / base_rate,
        });
    }
    Ok(LiftTable { base_rate, rows })
}
