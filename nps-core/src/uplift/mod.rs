//! Uplift: who is *saved* by an action, not who is at risk, learnt from logged campaigns
//! with a random control group.
//!
//! * Evaluation, as scikit-uplift defines it: [`qini_curve`], [`uplift_curve`],
//!   [`qini_coefficient`] (`qini_auc_score`, with the un-normalised area), [`uplift_at`]
//!   (`uplift_at_k`, overall or by group), and [`saved_per_contacts`] (customers and value
//!   saved per 1,000 contacts, measured) or [`expected_saved`] (as a model predicts it).
//!   Outcomes are counted as retention (see [`Outcome`]): customers saved come out positive
//!   when the action helps.
//! * Learners, on the library's churn models ([`UpliftLearner`]: logistic or boosted
//!   trees): [`TwoModel`] and [`ClassTransformation`], in one versioned file
//!   ([`UpliftModel`], `nps.uplift_model`).
//! * Targeting: [`rank_by_uplift`], predicted uplift × value instead of risk × value.
//!
//! [`crate::synth::campaign`] generates a campaign whose effect differs by customer type,
//! with the true uplift of every customer.

mod class_transformation;
mod learner;
mod model_file;
mod outcome;
mod qini;
mod saved;
mod targeting;
mod two_model;

pub use class_transformation::ClassTransformation;
pub use learner::{UpliftInputs, UpliftLearner, DEFAULT_UPLIFT_LEARNER, UPLIFT_LEARNERS};
pub use model_file::{UpliftModel, UPLIFT_KINDS, UPLIFT_MODEL_FORMAT, UPLIFT_MODEL_VERSION};
pub use outcome::{Outcome, OUTCOMES};
pub use qini::{
    qini_coefficient, qini_curve, uplift_at, uplift_curve, QiniCoefficient, UpliftCurve, UpliftStrategy,
    UPLIFT_STRATEGIES,
};
pub use saved::{expected_saved, saved_per_contacts, SavedPerContacts, DEFAULT_CONTACTS};
pub use targeting::{rank_by_uplift, UpliftPlan};
pub use two_model::TwoModel;
