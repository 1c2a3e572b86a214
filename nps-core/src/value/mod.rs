//! Customer value: how much a customer is worth, and how much of it is at risk.
//!
//! * Non-contractual (purchases, prepaid top-ups): the [`summary`] of each customer's
//!   purchases (frequency, recency, T, monetary value) from the event history; [`BetaGeo`]
//!   (BG/NBD) for future purchases and the probability of being alive; [`GammaGamma`] for
//!   the spend per purchase; [`customer_lifetime_value`] discounted month by month. Equal to
//!   lifetimes' `BetaGeoFitter`, `GammaGammaFitter` and `customer_lifetime_value`.
//! * Contractual (monthly plans): [`ShiftedBetaGeometric`] fitted to cohort survival counts,
//!   with retention rates, survival and the (discounted) expected residual lifetime.
//! * [`value_at_risk`]: P(churn) × residual value per customer, and [`plan_campaign`], the
//!   expected saved value of a retention action given its uplift, cost and acceptance.
//! * [`model_file`]: fitted models as versioned JSON files (`nps.value_model`).

mod beta_geo;
mod fit_summary;
mod gamma_gamma;
mod input;
mod lifetime_value;
pub mod model_file;
pub mod optimize;
mod shifted_beta_geometric;
pub mod summary;
mod value_at_risk;

pub use beta_geo::{BetaGeo, BETA_GEO_PARAMS};
pub use fit_summary::FitSummary;
pub use gamma_gamma::{GammaGamma, GAMMA_GAMMA_PARAMS};
pub use lifetime_value::{
    customer_lifetime_value, discounted_periods, units_per_month, LifetimeValueOptions, LIFETIME_VALUE_UNITS,
};
pub use model_file::{ValueModel, VALUE_MODEL_FORMAT, VALUE_MODEL_VERSION};
pub use shifted_beta_geometric::{ShiftedBetaGeometric, SHIFTED_BETA_GEOMETRIC_PARAMS};
pub use summary::{summary_from_events, summary_from_transactions, RfmSummary, SummaryOptions, TimeUnit, TIME_UNITS};
pub use value_at_risk::{plan_campaign, rank_descending, value_at_risk, CampaignPlan, RetentionAction};
