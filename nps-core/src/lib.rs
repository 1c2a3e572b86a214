//! # nps-core
//!
//! Customer-retention analytics as plain functions over plain data.
//!
//! * [`survey`]: Net Promoter Score statistics (tallies, intervals, tests, weights,
//!   breakdowns and trends).
//! * [`features`]: churn features from raw event histories, as of a date.
//! * [`early_warning`]: likelihood to recommend for those who never answer; NPS and churn.
//! * [`encode`]: tabular data (CSV, one row per customer) to a model's matrix.
//! * [`explain`]: factor attribution, exact for linear models and tree ensembles (TreeSHAP).
//! * [`metrics`]: ROC AUC, average precision, log loss, Brier, lift, calibration.
//! * [`monitor`]: drift of inputs and score, performance over time (DeLong), recalibration.
//! * [`model`]: churn scoring (logistic regression, gradient-boosted trees, models read
//!   from LightGBM and XGBoost, cross-validation).
//! * [`action`]: next-best-action rules, contact policies and arbitration.
//! * [`value`]: customer value (BG/NBD, Gamma-Gamma, lifetime value, shifted-beta-geometric
//!   retention) and value at risk.
//! * [`uplift`]: who is saved by an action: Qini curves, uplift at k, two-model and
//!   class-transformation learners, targeting by uplift × value.
//! * [`survival`]: when customers leave: Kaplan–Meier, the log-rank test, Cox models.
//! * [`synth`]: seeded synthetic data for demos, tests and benchmarks.
//! * [`stats`]: the distributions and special functions those statistics stand on.
//!
//! Every public number is in NPS points (−100..=100) unless its name says otherwise
//! (`*_share` is a fraction in 0..=1).

#![warn(missing_docs)]

pub mod action;
mod decimal_text;
mod disjoint;
pub mod early_warning;
pub mod encode;
pub mod error;
pub mod explain;
pub mod features;
mod json_path;
pub mod metrics;
pub mod model;
pub mod monitor;
mod pages;
mod rng;
mod spark_sql_text;
pub mod stats;
pub mod survey;
pub mod survival;
pub mod synth;
pub mod uplift;
pub mod value;

pub use error::{NpsError, Result};

/// The Rust examples of the guides in `docs/` run as doctests.
#[cfg(doctest)]
mod guides {
    #[doc = include_str!("../../docs/index.md")]
    struct Tour;

    #[doc = include_str!("../../docs/nps.md")]
    struct Nps;

    #[doc = include_str!("../../docs/features.md")]
    struct Features;

    #[doc = include_str!("../../docs/early-warning.md")]
    struct EarlyWarning;

    #[doc = include_str!("../../docs/scoring.md")]
    struct Scoring;

    #[doc = include_str!("../../docs/actions.md")]
    struct Actions;

    #[doc = include_str!("../../docs/explain.md")]
    struct Explain;

    #[doc = include_str!("../../docs/value.md")]
    struct Value;
    #[doc = include_str!("../../docs/survival.md")]
    struct Survival;

    #[doc = include_str!("../../docs/monitoring.md")]
    struct Monitoring;

    #[doc = include_str!("../../docs/uplift.md")]
    struct Uplift;
}
