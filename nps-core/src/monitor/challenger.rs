//! Champion and challenger as fitted models of any kind the library scores: each scores
//! the latest labelled window, [`compare_scores`] decides, and a promotion is written
//! into the challenger's lineage (parent = the champion's id, metrics at promotion).
use super::decision::{compare_scores, PromotionDecision, PromotionRule};
use crate::encode::RawTable;
use crate::error::Result;
use crate::model::AnyChurnModel;

/// The probability a model returns for each row of `table` (its recalibration applied
/// when it has one).
pub fn model_probabilities(model: &AnyChurnModel, table: &RawTable) -> Result<Vec<f64>> {
    Ok(match model {
        AnyChurnModel::Logistic(m) => m.predict_proba(table)?.to_vec(),
        AnyChurnModel::Boosted(m) => m.predict_proba(table)?.to_vec(),
    })
}

/// The id of a model of either kind (see [`super::model_id`]).
pub fn any_model_id(model: &AnyChurnModel) -> String {
    match model {
        AnyChurnModel::Logistic(m) => m.id(),
        AnyChurnModel::Boosted(m) => m.id(),
    }
}

/// Records a decision in the lineage of a model of either kind (see [`Lineage::record`](super::Lineage::record)).
pub fn record_decision(model: &mut AnyChurnModel, decision: &PromotionDecision) {
    match model {
        AnyChurnModel::Logistic(m) => m.monitoring.record_decision(decision),
        AnyChurnModel::Boosted(m) => m.monitoring.record_decision(decision),
    }
}

/// Scores the latest labelled window (`table`, `y` 0/1) with the champion and the
/// challenger, compares them ([`compare_scores`], the models named by their ids) and
/// records the decision in the challenger's lineage (see [`super::Lineage::record`]: when it
/// promotes, the champion becomes the parent). `decided_at` is kept as written.
pub fn challenge(
    champion: &AnyChurnModel,
    challenger: &mut AnyChurnModel,
    table: &RawTable,
    y: &[f64],
    rule: &PromotionRule,
    decided_at: Option<&str>,
) -> Result<PromotionDecision> {
    let (a, b) = (model_probabilities(champion, table)?, model_probabilities(challenger, table)?);
    let mut decision = compare_scores(y, &a, &b, &any_model_id(champion), &any_model_id(challenger), rule)?;
    decision.decided_at = decided_at.map(str::to_string);
    record_decision(challenger, &decision);
    Ok(decision)
}
