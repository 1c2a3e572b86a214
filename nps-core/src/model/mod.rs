//! Churn scoring: models trained on the features, with the evaluation that goes with them.

mod folds;
mod linalg;
mod logistic;

pub use folds::{cross_validate, stratified_folds};
pub use logistic::{fit_logistic, sigmoid, ClassWeight, ConvergenceReport, LogisticFit, LogisticOptions};
