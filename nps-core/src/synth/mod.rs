//! Seeded, deterministic synthetic data for demos, tests and benchmarks.
//!
//! The same seed gives the same data on every platform and in every language.

mod customers;
mod rng;
mod survey;

pub use customers::{customers, BaseConfig, SurveyAnswers, SyntheticBase, DEPARTMENTS, DRIVERS, PLANS, SEGMENTS};
pub use rng::Rng;
pub use survey::{survey, SurveyConfig, SyntheticSurvey, SURVEY_SEGMENTS};
