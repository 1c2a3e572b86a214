//! Survival analysis: when customers leave. Kaplan–Meier estimates (overall and per segment,
//! e.g. by NPS category), the log-rank test between segments, and Cox proportional hazards
//! models with per-customer survival curves and the probability of churning within a
//! horizon. The numbers are equal to lifelines' (`KaplanMeierFitter`, `logrank_test`,
//! `multivariate_logrank_test`, `CoxPHFitter`). The survival data of a customer base as of a
//! date come from the event history: [`crate::features::survival_data`].
pub mod cox;
pub mod data;
mod dense;
pub mod kaplan_meier;
pub mod log_rank;
pub mod segments;

pub use cox::predict::CoxCustomers;
pub use cox::{BaselineHazard, CoefficientSummary, CoxInput, CoxModel, CoxOptions};
pub use data::SurvivalData;
pub use kaplan_meier::{KaplanMeier, SurvivalTable, DEFAULT_ALPHA};
pub use log_rank::{log_rank_test, multivariate_log_rank_test, LogRankTest};
pub use segments::{kaplan_meier_by_segment, SegmentSurvival};
