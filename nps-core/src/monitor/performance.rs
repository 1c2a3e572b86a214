//! Performance over time: as outcomes arrive, per period (month, cohort) the ranking
//! (ROC AUC with DeLong's interval, top-decile lift), the probabilities' quality (Brier
//! score, calibration in the large, calibration slope) and a flag when calibration drifts.
use std::collections::{BTreeMap, HashMap};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::delong::{auc_interval, DEFAULT_LEVEL};
use super::recalibration::PlattScaling;
use crate::error::{check_level, NpsError, Result};
use crate::metrics::{brier, check, lift_table};
use crate::stats::normal;

/// The absolute difference between observed and predicted rate from which a significant
/// difference flags calibration drift by default (two percentage points).
pub const DEFAULT_CITL_TOLERANCE: f64 = 0.02;

/// The calibration slope below which a significant departure from 1 flags drift by
/// default.
pub const DEFAULT_SLOPE_LOW: f64 = 0.8;

/// The calibration slope above which a significant departure from 1 flags drift by
/// default.
pub const DEFAULT_SLOPE_HIGH: f64 = 1.25;

pub use crate::stats::DEFAULT_ALPHA;

/// The number of score bins of the lift by default (deciles: the top-decile lift).
pub const DEFAULT_LIFT_BINS: usize = 10;

/// How performance is measured and when calibration drift is flagged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PerformanceOptions {
    /// Confidence level of the AUC interval ([`DEFAULT_LEVEL`]).
    pub level: f64,
    /// Bins of the lift ([`DEFAULT_LIFT_BINS`]); `top_lift` is the first bin's.
    pub lift_bins: usize,
    /// Significance level of the two calibration tests ([`DEFAULT_ALPHA`]).
    pub alpha: f64,
    /// |observed − predicted| from which a significant difference is drift
    /// ([`DEFAULT_CITL_TOLERANCE`]).
    pub citl_tolerance: f64,
    /// Slope below which a slope significantly different from 1 is drift ([`DEFAULT_SLOPE_LOW`]).
    pub slope_low: f64,
    /// Slope above which a slope significantly different from 1 is drift ([`DEFAULT_SLOPE_HIGH`]).
    pub slope_high: f64,
}

impl Default for PerformanceOptions {
    fn default() -> Self {
        PerformanceOptions {
            level: DEFAULT_LEVEL,
            lift_bins: DEFAULT_LIFT_BINS,
            alpha: DEFAULT_ALPHA,
            citl_tolerance: DEFAULT_CITL_TOLERANCE,
            slope_low: DEFAULT_SLOPE_LOW,
            slope_high: DEFAULT_SLOPE_HIGH,
        }
    }
}

/// One period's performance. A number that is undefined for the period (the AUC of a
/// period with fewer than two rows of a class, the lift of one with fewer rows than bins or
/// no positive, the slope of one class) is `None`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PeriodPerformance {
    /// The period's label.
    pub period: String,
    /// Rows.
    pub count: usize,
    /// Positive outcomes (churners).
    pub events: usize,
    /// events / count: the observed rate.
    pub event_rate: f64,
    /// Mean predicted probability.
    pub mean_predicted: f64,
    /// event_rate − mean_predicted (calibration in the large; positive: the model
    /// under-predicts).
    pub calibration_in_the_large: f64,
    /// (Σy − Σp) / √Σp(1 − p): the difference in standard errors under the model.
    pub citl_z: Option<f64>,
    /// ROC AUC.
    pub auc: Option<f64>,
    /// DeLong's standard error of the AUC.
    pub auc_se: Option<f64>,
    /// Lower end of the AUC's interval.
    pub auc_lower: Option<f64>,
    /// Upper end.
    pub auc_upper: Option<f64>,
    /// Lift of the top bin (the top decile by default).
    pub top_lift: Option<f64>,
    /// Brier score.
    pub brier: f64,
    /// Intercept of the logistic regression of y on logit(p).
    pub calibration_intercept: Option<f64>,
    /// Its slope: the calibration slope (1 when calibrated; below 1: overconfident).
    pub calibration_slope: Option<f64>,
    /// Standard error of the slope.
    pub calibration_slope_se: Option<f64>,
    /// Calibration drift: |citl_z| beyond the two-sided critical value of `alpha` and
    /// |calibration_in_the_large| ≥ `citl_tolerance`; or the slope significantly different
    /// from 1 (|slope − 1|/se beyond it) and outside [`slope_low`, `slope_high`].
    pub calibration_drift: bool,
}

impl PerformanceOptions {
    fn check(&self) -> Result<()> {
        check_level(self.level)?;
        if self.lift_bins == 0 {
            return Err(NpsError::invalid("lift_bins", 0, "at least 1"));
        }
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(NpsError::invalid("alpha", self.alpha, "strictly between 0 and 1"));
        }
        if !(self.citl_tolerance >= 0.0 && self.citl_tolerance.is_finite()) {
            return Err(NpsError::invalid("citl_tolerance", self.citl_tolerance, "a non-negative number"));
        }
        if !(self.slope_low <= 1.0 && self.slope_high >= 1.0) {
            return Err(NpsError::invalid(
                "slope_low",
                format!("{}..{}", self.slope_low, self.slope_high),
                "slope_low ≤ 1 ≤ slope_high",
            ));
        }
        Ok(())
    }
}

fn one_period(period: &str, y: &[f64], p: &[f64], o: &PerformanceOptions) -> Result<PeriodPerformance> {
    let count = y.len();
    let events = y.iter().filter(|&&v| v == 1.0).count();
    let event_rate = events as f64 / count as f64;
    let mean_predicted = p.iter().sum::<f64>() / count as f64;
    let variance: f64 = p.iter().map(|q| q * (1.0 - q)).sum();
    let citl_z = (variance > 0.0).then(|| (y.iter().sum::<f64>() - p.iter().sum::<f64>()) / variance.sqrt());
    let auc = (events >= 2 && count - events >= 2).then(|| auc_interval(y, p, o.level)).transpose()?;
    let top_lift = (count >= o.lift_bins && events > 0)
        .then(|| lift_table(y, p, o.lift_bins).map(|t| t.rows[0].lift))
        .transpose()?;
    // A slope only where the fit converges (not for a constant p or separable outcomes).
    let platt =
        (events > 0 && events < count).then(|| PlattScaling::fit(y, p, None)).transpose()?.filter(|m| m.converged);
    let z = normal::two_sided_z(1.0 - o.alpha);
    let citl = event_rate - mean_predicted;
    let citl_drift = citl_z.is_some_and(|cz| cz.abs() > z) && citl.abs() >= o.citl_tolerance;
    let slope_drift = platt.is_some_and(|m| {
        m.slope_se.is_finite()
            && ((m.slope - 1.0) / m.slope_se).abs() > z
            && !(o.slope_low..=o.slope_high).contains(&m.slope)
    });
    Ok(PeriodPerformance {
        period: period.to_string(),
        count,
        events,
        event_rate,
        mean_predicted,
        calibration_in_the_large: citl,
        citl_z,
        auc: auc.map(|a| a.auc),
        auc_se: auc.map(|a| a.se),
        auc_lower: auc.map(|a| a.lower),
        auc_upper: auc.map(|a| a.upper),
        top_lift,
        brier: brier(y, p, None)?,
        calibration_intercept: platt.map(|m| m.intercept),
        calibration_slope: platt.map(|m| m.slope),
        calibration_slope_se: platt.map(|m| m.slope_se).filter(|s| s.is_finite()),
        calibration_drift: citl_drift || slope_drift,
    })
}

/// Performance per period: `y` the outcomes (0/1), `p` the probabilities the model gave,
/// `period` each row's period label. Periods come in `order` when given (a label not in it
/// is an error; periods of it without rows are left out), sorted by label otherwise.
/// Errors: the metrics' input errors (empty, NaN, p outside [0, 1]), lengths, an unknown
/// period, a period named twice in `order`, bad options.
pub fn performance(
    y: &[f64],
    p: &[f64],
    period: &[String],
    order: Option<&[String]>,
    options: &PerformanceOptions,
) -> Result<Vec<PeriodPerformance>> {
    options.check()?;
    check(y, p, None, true)?;
    if period.len() != y.len() {
        return Err(NpsError::LengthMismatch {
            field: "period".into(),
            actual: period.len(),
            other: "y".into(),
            expected: y.len(),
        });
    }
    let labels: Vec<&str> = match order {
        Some(order) => {
            let mut seen = HashMap::new();
            for (i, label) in order.iter().enumerate() {
                if seen.insert(label.as_str(), i).is_some() {
                    return Err(NpsError::invalid("order", format!("{label:?} twice"), "each period once"));
                }
            }
            let known: Vec<&str> = order.iter().map(|s| s.as_str()).collect();
            if let Some(i) = period.iter().position(|l| !seen.contains_key(l.as_str())) {
                return Err(NpsError::unknown_closest(&format!("period[{i}]"), &period[i], &known));
            }
            known
        }
        None => period.iter().map(|s| s.as_str()).collect::<std::collections::BTreeSet<_>>().into_iter().collect(),
    };
    let mut rows: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, l) in period.iter().enumerate() {
        rows.entry(l.as_str()).or_default().push(i);
    }
    labels
        .par_iter()
        .filter_map(|&l| rows.get(l).map(|r| (l, r)))
        .map(|(l, r)| {
            let yy: Vec<f64> = r.iter().map(|&i| y[i]).collect();
            let pp: Vec<f64> = r.iter().map(|&i| p[i]).collect();
            one_period(l, &yy, &pp, options)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn periods_in_order_with_undefined_numbers_left_none() {
        let y = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let p = [0.8, 0.1, 0.6, 0.4, 0.2, 0.3, 0.5];
        let period = labels(&["b", "b", "b", "b", "a", "a", "c"]);
        let out = performance(&y, &p, &period, None, &PerformanceOptions::default()).unwrap();
        assert_eq!(out.iter().map(|r| r.period.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
        let b = &out[1];
        assert_eq!((b.count, b.events), (4, 2));
        assert_eq!(b.auc, Some(1.0));
        assert!(out[0].auc.is_none() && out[2].calibration_slope.is_none());
        assert!((b.brier - (0.04 + 0.01 + 0.16 + 0.16) / 4.0).abs() < 1e-15);
        let order = labels(&["c", "b", "a"]);
        let out = performance(&y, &p, &period, Some(&order), &PerformanceOptions::default()).unwrap();
        assert_eq!(out[0].period, "c");
        let e = performance(&y, &p, &period, Some(&order[..2]), &PerformanceOptions::default()).unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_VALUE");
        assert!(e.to_string().contains("period[4]"), "{e}");
    }

    #[test]
    fn miscalibration_is_flagged() {
        // 2,000 rows predicted 0.1 of which 30 % churn: calibration in the large is off.
        let n = 2000;
        let y: Vec<f64> = (0..n).map(|i| if i % 10 < 3 { 1.0 } else { 0.0 }).collect();
        let p: Vec<f64> = (0..n).map(|i| 0.05 + 0.1 * ((i % 7) as f64) / 6.0).collect();
        let period = vec!["m".to_string(); n];
        let out = performance(&y, &p, &period, None, &PerformanceOptions::default()).unwrap();
        assert!(out[0].calibration_drift);
        // Probabilities equal to the rate: no flag.
        let p = vec![0.3; n];
        let out = performance(&y, &p, &period, None, &PerformanceOptions::default()).unwrap();
        assert!(!out[0].calibration_drift, "{:?}", out[0]);
    }
}
