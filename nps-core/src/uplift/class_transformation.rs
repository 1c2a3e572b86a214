//! The class-transformation uplift learner (Jaskowski and Jaroszewicz, 2012): one model of
//! the transformed label z = r·t + (1 − r)(1 − t), with r the retention outcome (1 − churn)
//! and t the assignment. z is 1 for a treated customer who stayed and for a control
//! customer who left.
//!
//! With a 50/50 split, P(z = 1 | x) = ½ (P(r | called) + 1 − P(r | not called)), so the
//! uplift in retention is 2 P(z = 1 | x) − 1. With another treated share e the identity
//! fails (P(z = 1) = e·P(r | called) + (1 − e)(1 − P(r | not called))); the fit then
//! weighs treated rows by 1 / (2e) and control rows by 1 / (2(1 − e)), which makes the
//! weighted sample a 50/50 one, and the same formula holds. With e = ½ no weights are
//! used: the classic method exactly.
use serde::{Deserialize, Serialize};

use super::learner::{embedded, fit_churn, from_embedded, probability, split_groups, UpliftInputs, UpliftLearner};
use crate::error::Result;
use crate::model::AnyChurnModel;

/// One model of the transformed label, and the treated share it was corrected for.
#[derive(Debug, Clone, PartialEq)]
pub struct ClassTransformation {
    /// P(z = 1 | inputs).
    pub model: AnyChurnModel,
    /// The treated share of the training campaign (rows weighted to 50/50 when not ½).
    pub treated_share: f64,
}

impl ClassTransformation {
    /// Fits `learner` on the transformed label of churn labels `y` (0/1, 1 = churned) and
    /// the assignment `treated` (0/1). Errors as [`TwoModel::fit`](super::TwoModel::fit).
    pub fn fit(
        inputs: &UpliftInputs<'_>,
        y: &[f64],
        treated: &[f64],
        learner: &UpliftLearner,
    ) -> Result<ClassTransformation> {
        let (t_rows, _) = split_groups(inputs.rows(), y, treated)?;
        let e = t_rows.len() as f64 / y.len() as f64;
        // Treated and retained (y = 0), or control and churned (y = 1).
        let z: Vec<f64> =
            y.iter().zip(treated).map(|(&y, &t)| if (t == 1.0) == (y == 0.0) { 1.0 } else { 0.0 }).collect();
        let weight: Option<Vec<f64>> =
            (e != 0.5).then(|| treated.iter().map(|&t| if t == 1.0 { 0.5 / e } else { 0.5 / (1.0 - e) }).collect());
        let model = fit_churn(learner, inputs, None, &z, weight.as_deref())?;
        Ok(ClassTransformation { model, treated_share: e })
    }

    /// The predicted uplift in retention of each row: 2 P(z = 1) − 1.
    pub fn predict(&self, inputs: &UpliftInputs<'_>) -> Result<Vec<f64>> {
        Ok(probability(&self.model, inputs)?.iter().map(|p| 2.0 * p - 1.0).collect())
    }
}

/// The model as the uplift model file holds it.
#[derive(Serialize, Deserialize)]
pub(crate) struct ClassTransformationFile {
    pub model: serde_json::Value,
    pub treated_share: f64,
}

impl ClassTransformation {
    pub(crate) fn to_file(&self) -> ClassTransformationFile {
        ClassTransformationFile { model: embedded(&self.model), treated_share: self.treated_share }
    }

    pub(crate) fn from_file(f: &ClassTransformationFile) -> Result<ClassTransformation> {
        Ok(ClassTransformation { model: from_embedded(&f.model, "model")?, treated_share: f.treated_share })
    }
}
