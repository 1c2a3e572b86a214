//! Early warning: likelihood to recommend for the customers who never answer, and what
//! survey answers say about churn.

mod churn_link;
mod ltr_model;

pub use churn_link::{churn_by_nps, ChurnByNps, ChurnReduction, GroupChurn};
pub use ltr_model::{
    blended_nps, evaluate_ltr, predicted_nps, LtrEvaluation, LtrModel, LtrTraining, PredictedNps, CATEGORIES,
    LTR_FORMAT, LTR_VERSION,
};
