//! Early warning: likelihood to recommend for the customers who never answer, what survey
//! answers say about churn, and one call that scores a customer at the moment of a ticket.

mod alerts;
mod any_ltr_model;
mod boosted_ltr;
mod churn_link;
mod detractor_risk;
mod ltr_model;
mod ticket;
mod ticket_file;

pub use alerts::{detractor_alerts, DetractorAlert, DEFAULT_ALERTS};
pub use any_ltr_model::{AnyLtrModel, LtrScorer, LtrScratch};
pub use boosted_ltr::{BoostedLtrModel, BoostedLtrScratch, BoostedLtrTraining, BOOSTED_LTR_VERSION};
pub use churn_link::{churn_by_nps, ChurnByNps, ChurnReduction, GroupChurn};
pub use detractor_risk::{DetractorContributions, DetractorRisk};
pub use ltr_model::{
    blended_nps, evaluate_ltr, ltr_accuracy, predicted_nps, LtrEvaluation, LtrModel, LtrTraining, PredictedNps,
    CATEGORIES, LTR_FORMAT, LTR_VERSION, SURVEY_ANSWER_FEATURES,
};
pub use ticket::{Ticket, TicketLayout, TicketOptions, TicketScorer};
pub use ticket_file::{TICKET_SCORER_FORMAT, TICKET_SCORER_VERSION};
