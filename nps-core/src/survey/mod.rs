//! Net Promoter Score statistics: tallies, intervals, comparisons, weights, sample sizes,
//! breakdowns and trends.
//!
//! Every NPS, difference, margin and standard error is in points (−100..=100); shares
//! are fractions.

mod breakdown;
mod compare;
mod interval;
mod period;
pub(crate) mod posterior;
mod sample_size;
mod scale;
pub(crate) mod score_interval;
mod tally;
mod validate;

pub use breakdown::{
    breakdown, breakdown_tallies, group_tallies, trend, trend_tallies, ReportOptions, SegmentRow, TrendRow,
};
pub use compare::{compare, prob_greater, CompareMethod, Comparison};
pub use interval::{Interval, IntervalMethod, ADJUSTED_WALD_PSEUDO_COUNTS};
pub use period::{Period, PeriodKey};
pub use sample_size::{sample_size, sample_size_difference, PlanningShares, DEFAULT_POWER};
pub use scale::{Category, MissingPolicy, NonIntegerPolicy, OutOfRangePolicy, Scale, ScoreOptions};
pub use tally::{Score, Tally};
pub use validate::{validate_scores, AnswerProblem, BadAnswer};
