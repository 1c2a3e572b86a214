//! The log-rank test of equal survival between groups of customers (two or more), as
//! lifelines' `logrank_test` and `multivariate_logrank_test`: observed and expected events
//! per group, the chi-square statistic on k − 1 degrees of freedom and its p-value.
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};
use crate::stats::special;

use super::data::{check_length, label_codes, SurvivalData};
use super::dense;

/// The result of a log-rank test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LogRankTest {
    /// The groups, in label order.
    pub groups: Vec<String>,
    /// Events observed in each group.
    pub observed: Vec<f64>,
    /// Events expected in each group if every group had the same survival.
    pub expected: Vec<f64>,
    /// The chi-square statistic.
    pub test_statistic: f64,
    /// Its degrees of freedom: the number of groups − 1.
    pub degrees_of_freedom: usize,
    /// P(chi-square ≥ statistic) under equal survival.
    pub p_value: f64,
}

/// The log-rank test between two groups (`a` and `b`, labelled "A" and "B").
pub fn log_rank_test(a: &SurvivalData<'_>, b: &SurvivalData<'_>) -> Result<LogRankTest> {
    a.check().map_err(|e| e.within("group A"))?;
    b.check().map_err(|e| e.within("group B"))?;
    let join = |x: Option<&[bool]>, y: Option<&[bool]>, nx: usize, ny: usize| -> Vec<bool> {
        let mut v = x.map_or(vec![true; nx], <[bool]>::to_vec);
        v.extend(y.map_or(vec![true; ny], <[bool]>::to_vec));
        v
    };
    let durations: Vec<f64> = a.durations.iter().chain(b.durations).copied().collect();
    let events = join(a.events, b.events, a.len(), b.len());
    let weights: Option<Vec<f64>> = (a.weights.is_some() || b.weights.is_some())
        .then(|| (0..a.len()).map(|i| a.weight(i)).chain((0..b.len()).map(|i| b.weight(i))).collect());
    let groups: Vec<&str> = std::iter::repeat_n("A", a.len()).chain(std::iter::repeat_n("B", b.len())).collect();
    if a.entry.is_some() || b.entry.is_some() {
        return Err(no_entry());
    }
    let data = SurvivalData { durations: &durations, events: Some(&events), entry: None, weights: weights.as_deref() };
    multivariate_log_rank_test(&data, &groups)
}

fn no_entry() -> NpsError {
    NpsError::invalid("entry", "given", "none (the log-rank test compares customers observed from time 0)")
}

/// The log-rank test between the groups of `groups` (aligned with the data, two or more
/// distinct labels).
pub fn multivariate_log_rank_test<S: AsRef<str>>(data: &SurvivalData<'_>, groups: &[S]) -> Result<LogRankTest> {
    data.check()?;
    if data.entry.is_some() {
        return Err(no_entry());
    }
    check_length("groups", Some(groups.len()), data.len())?;
    let (labels, codes) = label_codes(groups);
    let k = labels.len();
    if k < 2 {
        return Err(NpsError::invalid("groups", format!("{k} distinct group"), "at least 2 distinct groups"));
    }
    let mut order: Vec<usize> = (0..data.len()).collect();
    order.sort_unstable_by(|&i, &j| data.durations[i].total_cmp(&data.durations[j]));
    let mut at_risk = vec![0.0; k];
    for i in 0..data.len() {
        at_risk[codes[i]] += data.weight(i);
    }
    let (mut observed, mut expected, mut variance) = (vec![0.0; k], vec![0.0; k], vec![0.0; k * k]);
    let (mut removed, mut deaths) = (vec![0.0; k], vec![0.0; k]);
    let mut start = 0;
    while start < order.len() {
        let t = data.durations[order[start]];
        let mut end = start;
        while end < order.len() && data.durations[order[end]] == t {
            let i = order[end];
            removed[codes[i]] += data.weight(i);
            if data.event(i) {
                deaths[codes[i]] += data.weight(i);
            }
            end += 1;
        }
        let n: f64 = at_risk.iter().sum();
        let d: f64 = deaths.iter().sum();
        if d > 0.0 {
            let spread = if n > 1.0 { (n - d) / (n - 1.0) } else { 1.0 };
            let factor = spread * d / (n * n);
            for g in 0..k {
                observed[g] += deaths[g];
                expected[g] += at_risk[g] * d / n;
                for h in 0..k {
                    let same = if g == h { n } else { 0.0 };
                    variance[g * k + h] += factor * at_risk[g] * (same - at_risk[h]);
                }
            }
        }
        for g in 0..k {
            at_risk[g] -= removed[g];
            removed[g] = 0.0;
            deaths[g] = 0.0;
        }
        start = end;
    }
    // The statistic on the first k − 1 groups (the k-th is determined by them).
    let m = k - 1;
    let v: Vec<f64> = (0..m).flat_map(|g| (0..m).map(move |h| (g, h))).map(|(g, h)| variance[g * k + h]).collect();
    let z: Vec<f64> = (0..m).map(|g| observed[g] - expected[g]).collect();
    let l = dense::cholesky(&v, m).map_err(|g| {
        NpsError::invalid(
            "groups",
            format!("group {:?}", labels[g]),
            "groups whose events vary (a group with no customer at risk at any event time has no variance)",
        )
    })?;
    let solved = dense::cholesky_solve(&l, m, &z);
    let test_statistic: f64 = z.iter().zip(&solved).map(|(a, b)| a * b).sum();
    Ok(LogRankTest {
        groups: labels,
        observed,
        expected,
        test_statistic,
        degrees_of_freedom: m,
        p_value: chi_square_sf(test_statistic, m as f64),
    })
}

/// P(X ≥ x) for a chi-square variable with `df` degrees of freedom.
pub(crate) fn chi_square_sf(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else {
        special::gamma_q(df / 2.0, x / 2.0)
    }
}
