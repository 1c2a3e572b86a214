//! Champion against challenger on the same labelled window: the evidence (each model's
//! AUC, top-decile lift and Brier score, DeLong's paired test), the promotion rule and the
//! recorded decision.
//!
//! The rule ([`PromotionRule`], defaults named below) promotes the challenger when
//!
//! 1. **it ranks better**: its AUC is higher and DeLong's one-sided p-value (challenger
//!    better) is below `alpha` (0.05); or
//! 2. **it ranks no worse and is better calibrated**: its AUC is at most `auc_margin`
//!    (0.005) below the champion's, the champion is not significantly better (one-sided
//!    p-value of the champion being better at least `alpha`), and its Brier score is lower
//!    by at least `brier_margin` (0.001).
//!
//! Otherwise the champion stays. Either way the decision holds the evidence and the
//! reason in words, and serialises to JSON for a log.
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::delong::{delong_test, DelongTest};
use crate::error::{NpsError, Result};
use crate::metrics::{brier, lift_table};
use crate::stats::normal;

/// The one-sided significance level of the AUC comparison.
pub const DEFAULT_PROMOTION_ALPHA: f64 = 0.05;
/// How far below the champion's AUC a better-calibrated challenger's may be.
pub const DEFAULT_AUC_MARGIN: f64 = 0.005;
/// How much lower a better-calibrated challenger's Brier score must be.
pub const DEFAULT_BRIER_MARGIN: f64 = 0.001;
/// Bins of the lift (deciles): the top-decile lift is the first bin's.
pub const DEFAULT_PROMOTION_LIFT_BINS: usize = 10;

/// The promotion rule's thresholds (see the module's text).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct PromotionRule {
    /// One-sided significance level ([`DEFAULT_PROMOTION_ALPHA`]).
    pub alpha: f64,
    /// [`DEFAULT_AUC_MARGIN`].
    pub auc_margin: f64,
    /// [`DEFAULT_BRIER_MARGIN`].
    pub brier_margin: f64,
    /// [`DEFAULT_PROMOTION_LIFT_BINS`].
    pub lift_bins: usize,
}

impl Default for PromotionRule {
    fn default() -> Self {
        PromotionRule {
            alpha: DEFAULT_PROMOTION_ALPHA,
            auc_margin: DEFAULT_AUC_MARGIN,
            brier_margin: DEFAULT_BRIER_MARGIN,
            lift_bins: DEFAULT_PROMOTION_LIFT_BINS,
        }
    }
}

impl PromotionRule {
    /// Checks the thresholds.
    pub fn check(&self) -> Result<()> {
        if !(self.alpha > 0.0 && self.alpha < 1.0) {
            return Err(NpsError::invalid("alpha", self.alpha, "between 0 and 1"));
        }
        if !(self.auc_margin >= 0.0 && self.auc_margin.is_finite()) {
            return Err(NpsError::invalid("auc_margin", self.auc_margin, "a finite number at least 0"));
        }
        if !(self.brier_margin >= 0.0 && self.brier_margin.is_finite()) {
            return Err(NpsError::invalid("brier_margin", self.brier_margin, "a finite number at least 0"));
        }
        if self.lift_bins == 0 {
            return Err(NpsError::invalid("lift_bins", 0, "at least 1"));
        }
        Ok(())
    }
}

/// One model's numbers on the window.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ModelEvidence {
    /// ROC AUC.
    pub auc: f64,
    /// Lift of the top bin (decile) by score.
    pub top_lift: f64,
    /// Brier score of the probabilities.
    pub brier: f64,
    /// Mean probability.
    pub mean_predicted: f64,
}

impl ModelEvidence {
    /// The numbers as a metrics map (`auc`, `top_lift`, `brier`, `mean_predicted`, `rows`).
    pub fn as_metrics(&self, rows: usize) -> BTreeMap<String, f64> {
        [
            ("auc", self.auc),
            ("top_lift", self.top_lift),
            ("brier", self.brier),
            ("mean_predicted", self.mean_predicted),
            ("rows", rows as f64),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect()
    }
}

/// A recorded champion-and-challenger decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromotionDecision {
    /// Whether the challenger replaces the champion.
    pub promote: bool,
    /// Which clause decided: `"better_auc"`, `"better_calibrated"` or `"champion_stays"`.
    pub clause: String,
    /// The reason in words, with the numbers.
    pub reason: String,
    /// The champion's id (see [`super::model_id`]), or what the caller named it.
    pub champion_id: String,
    /// The challenger's id.
    pub challenger_id: String,
    /// Rows of the window.
    pub rows: usize,
    /// Churners among them.
    pub events: usize,
    /// The champion's numbers.
    pub champion: ModelEvidence,
    /// The challenger's numbers.
    pub challenger: ModelEvidence,
    /// DeLong's paired test, A the challenger and B the champion (`difference` is the
    /// challenger's AUC minus the champion's).
    pub delong: DelongTest,
    /// One-sided p-value of the challenger ranking better: 1 − Φ(z) (DeLong's z).
    pub p_challenger_better: f64,
    /// One-sided p-value of the champion ranking better: Φ(z).
    pub p_champion_better: f64,
    /// Challenger's top-decile lift minus the champion's.
    pub lift_difference: f64,
    /// Challenger's Brier score minus the champion's (negative: better calibrated).
    pub brier_difference: f64,
    /// The thresholds applied.
    pub rule: PromotionRule,
    /// When it was decided, as the caller wrote it (ISO 8601 by convention).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
}

impl PromotionDecision {
    /// As JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a decision serialises")
    }

    /// Reads one back.
    pub fn from_json(text: &str) -> Result<PromotionDecision> {
        serde_json::from_str(text).map_err(|e| NpsError::invalid("promotion decision", e, "a saved decision"))
    }
}

fn evidence(y: &[f64], p: &[f64], lift_bins: usize) -> Result<ModelEvidence> {
    let lift = lift_table(y, p, lift_bins)?;
    Ok(ModelEvidence {
        auc: crate::metrics::roc_auc(y, p, None)?,
        top_lift: lift.rows[0].lift,
        brier: brier(y, p, None)?,
        mean_predicted: p.iter().sum::<f64>() / p.len() as f64,
    })
}

/// Compares the champion's probabilities with the challenger's on the same labelled rows
/// (`y` 0/1) and applies `rule`. The ids name the models in the decision. Errors: the
/// metrics' (lengths, NaN, probabilities outside [0, 1], one class only), bad thresholds.
pub fn compare_scores(
    y: &[f64],
    champion: &[f64],
    challenger: &[f64],
    champion_id: &str,
    challenger_id: &str,
    rule: &PromotionRule,
) -> Result<PromotionDecision> {
    rule.check()?;
    for (field, p) in [("champion", champion), ("challenger", challenger)] {
        if p.len() != y.len() {
            return Err(NpsError::LengthMismatch {
                field: field.into(),
                actual: p.len(),
                other: "y".into(),
                expected: y.len(),
            });
        }
        if let Some(i) = p.iter().position(|v| !(0.0..=1.0).contains(v)) {
            return Err(NpsError::OutOfRange { field: field.into(), index: i, value: p[i], range: "[0, 1]".into() });
        }
    }
    let delong = delong_test(y, challenger, champion)?;
    let (a, b) = (evidence(y, champion, rule.lift_bins)?, evidence(y, challenger, rule.lift_bins)?);
    let (p_better, p_worse) = if delong.se > 0.0 {
        (normal::sf(delong.z), normal::cdf(delong.z))
    } else if delong.difference > 0.0 {
        (0.0, 1.0)
    } else if delong.difference < 0.0 {
        (1.0, 0.0)
    } else {
        (1.0, 1.0)
    };
    let brier_difference = b.brier - a.brier;
    let (promote, clause, reason) = if delong.difference > 0.0 && p_better < rule.alpha {
        (
            true,
            "better_auc",
            format!(
                "the challenger ranks better: AUC {:.4} against {:.4} (+{:.4}), one-sided DeLong p = {:.3e} < {}",
                b.auc, a.auc, delong.difference, p_better, rule.alpha
            ),
        )
    } else if delong.difference >= -rule.auc_margin && p_worse >= rule.alpha && brier_difference <= -rule.brier_margin {
        (
            true,
            "better_calibrated",
            format!(
                "the challenger ranks no worse (AUC {:.4} against {:.4}, within {}) and is better calibrated: Brier {:.4} against {:.4} ({:+.4})",
                b.auc, a.auc, rule.auc_margin, b.brier, a.brier, brier_difference
            ),
        )
    } else {
        (
            false,
            "champion_stays",
            format!(
                "the champion stays: AUC {:.4} against the challenger's {:.4} (one-sided p of the challenger ranking better {:.3e}, alpha {}), Brier {:.4} against {:.4} (a better-calibrated challenger needs {} lower)",
                a.auc, b.auc, p_better, rule.alpha, a.brier, b.brier, rule.brier_margin
            ),
        )
    };
    Ok(PromotionDecision {
        promote,
        clause: clause.into(),
        reason,
        champion_id: champion_id.into(),
        challenger_id: challenger_id.into(),
        rows: y.len(),
        events: y.iter().filter(|&&v| v == 1.0).count(),
        champion: a,
        challenger: b,
        delong,
        p_challenger_better: p_better,
        p_champion_better: p_worse,
        lift_difference: b.top_lift - a.top_lift,
        brier_difference,
        rule: *rule,
        decided_at: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        // 400 rows: the challenger sees the outcome through little noise, the champion
        // through much more.
        let mut rng = crate::rng::Rng::new(11);
        let (mut y, mut a, mut b) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..400 {
            let yi = if rng.bernoulli(0.3) { 1.0 } else { 0.0 };
            let s =
                |noise: f64, rng: &mut crate::rng::Rng| 1.0 / (1.0 + (-(2.0 * yi - 1.0 + noise * rng.normal())).exp());
            a.push(s(3.0, &mut rng));
            b.push(s(0.8, &mut rng));
            y.push(yi);
        }
        (y, a, b)
    }

    #[test]
    fn a_better_ranking_challenger_is_promoted() {
        let (y, a, b) = window();
        let d = compare_scores(&y, &a, &b, "champ", "chall", &PromotionRule::default()).unwrap();
        assert!(d.promote && d.clause == "better_auc", "{}", d.reason);
        assert!(d.challenger.auc > d.champion.auc && d.p_challenger_better < 0.05);
        assert!((d.p_challenger_better + d.p_champion_better - 1.0).abs() < 1e-12);
        assert_eq!(d.delong.difference, d.challenger.auc - d.champion.auc);
        // The other way round the champion stays.
        let d = compare_scores(&y, &b, &a, "champ", "chall", &PromotionRule::default()).unwrap();
        assert!(!d.promote && d.clause == "champion_stays");
        assert_eq!(PromotionDecision::from_json(&d.to_json()).unwrap(), d);
    }

    #[test]
    fn the_same_ranking_better_calibrated_is_promoted() {
        let (y, _, b) = window();
        // A monotone distortion keeps the ranking (same AUC) and worsens calibration.
        let worse: Vec<f64> = b.iter().map(|p| p * 0.5).collect();
        let d = compare_scores(&y, &worse, &b, "champ", "chall", &PromotionRule::default()).unwrap();
        assert_eq!(d.delong.difference, 0.0);
        assert!(d.promote && d.clause == "better_calibrated", "{}", d.reason);
        let d = compare_scores(&y, &b, &worse, "champ", "chall", &PromotionRule::default()).unwrap();
        assert!(!d.promote);
    }

    #[test]
    fn bad_input_names_the_field() {
        let (y, a, b) = window();
        let e = compare_scores(&y, &a[..10], &b, "a", "b", &PromotionRule::default()).unwrap_err();
        assert_eq!(e.code(), "LENGTH_MISMATCH");
        assert!(e.to_string().contains("champion"));
        let rule = PromotionRule { alpha: 2.0, ..Default::default() };
        assert!(compare_scores(&y, &a, &b, "a", "b", &rule).unwrap_err().to_string().contains("alpha"));
    }
}
