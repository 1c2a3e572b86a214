//! Early warning: what survey answers say about churn, and (to come) likelihood to
//! recommend for the customers who never answer.

mod churn_link;

pub use churn_link::{churn_by_nps, ChurnByNps, ChurnReduction, GroupChurn};
