//! The two-model uplift learner: one churn model on the treated, one on the control group;
//! the uplift of a customer is P(churn | not called) − P(churn | called).
use serde::{Deserialize, Serialize};

use super::learner::{embedded, fit_churn, from_embedded, probability, split_groups, UpliftInputs, UpliftLearner};
use crate::error::Result;
use crate::model::AnyChurnModel;

/// Two churn models, one per group of a logged campaign.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoModel {
    /// Fitted on the treated (called) customers.
    pub treated: AnyChurnModel,
    /// Fitted on the control customers.
    pub control: AnyChurnModel,
}

impl TwoModel {
    /// Fits `learner` on the treated rows and on the control rows of `inputs`, with churn
    /// labels `y` (0/1, 1 = churned) and the assignment `treated` (0/1). Errors: labels or
    /// assignment of another length than the rows, other than 0/1, a group without rows;
    /// then the learner's own (a group with one class only, a bad input).
    pub fn fit(inputs: &UpliftInputs<'_>, y: &[f64], treated: &[f64], learner: &UpliftLearner) -> Result<TwoModel> {
        let (t_rows, c_rows) = split_groups(inputs.rows(), y, treated)?;
        let labels = |rows: &[usize]| rows.iter().map(|&i| y[i]).collect::<Vec<f64>>();
        let treated = fit_churn(learner, inputs, Some(&t_rows), &labels(&t_rows), None)?;
        let control = fit_churn(learner, inputs, Some(&c_rows), &labels(&c_rows), None)?;
        Ok(TwoModel { treated, control })
    }

    /// The predicted uplift in retention of each row: P_control(churn) − P_treated(churn)
    /// (positive: the call saves the customer).
    pub fn predict(&self, inputs: &UpliftInputs<'_>) -> Result<Vec<f64>> {
        let pc = probability(&self.control, inputs)?;
        let pt = probability(&self.treated, inputs)?;
        Ok(pc.iter().zip(&pt).map(|(c, t)| c - t).collect())
    }
}

/// The two models as the uplift model file holds them.
#[derive(Serialize, Deserialize)]
pub(crate) struct TwoModelFile {
    pub treated: serde_json::Value,
    pub control: serde_json::Value,
}

impl TwoModel {
    pub(crate) fn to_file(&self) -> TwoModelFile {
        TwoModelFile { treated: embedded(&self.treated), control: embedded(&self.control) }
    }

    pub(crate) fn from_file(f: &TwoModelFile) -> Result<TwoModel> {
        Ok(TwoModel { treated: from_embedded(&f.treated, "treated")?, control: from_embedded(&f.control, "control")? })
    }
}
