//! Churn scoring: models trained on the features, with the evaluation that goes with them.

mod batch;
pub mod boosted;
mod churn_model;
mod churn_scorer;
mod design;
mod explanation;
mod file_header;
mod folds;
mod linalg;
mod logistic;
mod multinomial;
mod spark_sql;

pub(crate) use churn_model::zero_weight_rows_left_out;
pub use churn_model::{ChurnModel, ChurnModelOptions, TrainingInfo, MODEL_VERSION};
pub use churn_scorer::{AnyChurnModel, ChurnScorer, ScorerScratch};
pub use explanation::{Explanation, FactorValue, InputProfile, ReadableFactor, Share};
pub(crate) use file_header::check_file_header;
pub use file_header::{MODEL_FORMAT, MONITORED_MODEL_VERSION};
pub use folds::{cross_validate, stratified_folds};
pub use logistic::{
    fit_logistic, sigmoid, ClassWeight, ConvergenceReport, DistributedFit, LogisticFit, LogisticOptions, LogisticSums,
};
pub use multinomial::{class_probabilities, class_scores, fit_multinomial, softmax_in_place, MultinomialFit};
pub use spark_sql::SparkSql;
