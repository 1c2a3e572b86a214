//! What a model file keeps for monitoring and retraining beside the model itself: the
//! reference summary recorded at fit, a recalibration and the lineage. One struct,
//! flattened into every model kind's file (`#[serde(flatten)]`: the same three optional
//! fields at the top level of the file), so that the logistic and the boosted model share
//! its checks and its changes.
use serde::{Deserialize, Serialize};

use super::{Lineage, PromotionDecision, Recalibration, ReferenceSummary};
use crate::error::Result;
use crate::model::MONITORED_MODEL_VERSION;

/// The monitoring part of a model file (all absent in files written before version 3).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelMonitoring {
    /// The reference summary of the training inputs and score (the probability before any
    /// recalibration, as the input [`super::SCORE_INPUT`]), recorded at fit: what a model's
    /// `drift` compares a later window with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_summary: Option<ReferenceSummary>,
    /// A recalibration applied to every probability the model returns; explanations
    /// (contributions, log-odds) stay on the raw score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recalibration: Option<Recalibration>,
    /// Where the model comes from and what was decided about it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lineage: Option<Lineage>,
}

impl ModelMonitoring {
    /// Nothing kept: the file keeps its kind's plain version.
    pub fn is_empty(&self) -> bool {
        self.reference_summary.is_none() && self.recalibration.is_none() && self.lineage.is_none()
    }

    /// The version of a file with this monitoring part: `plain` (the model kind's own
    /// version) when nothing is kept, else [`MONITORED_MODEL_VERSION`].
    pub fn file_version(&self, plain: u32) -> u32 {
        if self.is_empty() {
            plain
        } else {
            MONITORED_MODEL_VERSION
        }
    }

    /// Checks each part that is there (as a model file is checked on load).
    pub fn validate(&self) -> Result<()> {
        if let Some(r) = &self.reference_summary {
            r.validate()?;
        }
        if let Some(r) = &self.recalibration {
            r.validate()?;
        }
        if let Some(l) = &self.lineage {
            l.validate()?;
        }
        Ok(())
    }

    /// Replaces the three parts, checked first (nothing changes on an error).
    pub fn set(&mut self, monitoring: ModelMonitoring) -> Result<()> {
        monitoring.validate()?;
        *self = monitoring;
        Ok(())
    }

    /// Fits a recalibration (`method` `"platt"` or `"isotonic"`, see
    /// [`Recalibration::fit`]) of the model's raw probabilities `p` of recent customers to
    /// their outcomes `y`, and keeps it: from then on the model returns calibrated
    /// probabilities. Errors: an unknown method, the fit's input errors.
    pub fn recalibrate(&mut self, method: &str, y: &[f64], p: &[f64]) -> Result<()> {
        self.recalibration = Some(Recalibration::fit(method, y, p, None)?);
        Ok(())
    }

    /// Records a champion-and-challenger decision taken with this model as the challenger
    /// (see [`Lineage::record`]).
    pub fn record_decision(&mut self, decision: &PromotionDecision) {
        self.lineage.get_or_insert_with(Lineage::default).record(decision);
    }
}
