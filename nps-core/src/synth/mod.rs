//! Seeded, deterministic synthetic data for demos, tests and benchmarks.
//!
//! The same seed gives the same data on every platform and in every language.

mod campaign;
mod customers;
mod drift;
mod survey;

pub use crate::rng::Rng;
pub use campaign::{
    campaign, CampaignConfig, SyntheticCampaign, CUSTOMER_TYPES, DEFAULT_CAMPAIGN_SEED, DEFAULT_TREATED_SHARE,
    PERSUADABLE_SAVE, SLEEPING_DOG_CHURN, SLEEPING_DOG_DAYS,
};
pub use customers::{
    customers, BaseConfig, SurveyAnswers, SyntheticBase, CONTRACT_TERM_DAYS, DEPARTMENTS, DRIVERS, PLANS,
    RENEWAL_WINDOW_DAYS, SEGMENTS, SHOCK_AND_CONTACTS,
};
pub use drift::{
    drifted_customers, DriftConfig, DriftedBase, DEFAULT_NETWORK_CHURN_EFFECT, DEFAULT_NETWORK_SHARE,
    DEFAULT_PRICE_CHANGE, DRIFT_DAYS_BEFORE_AS_OF, DRIFT_DAYS_LATER,
};
pub use survey::{survey, SurveyConfig, SyntheticSurvey, SURVEY_SEGMENTS};
