//! Node functions for `nps_core::early_warning`.
use napi::bindgen_prelude::Either;
use napi_derive::napi;
use nps_core::early_warning::{self as core};

use crate::convert::{booleans, floats, NumericArray};
use crate::error::{IntoNapi, Result};

/// Churn in one group of customers, with the Wilson interval of its rate.
#[napi(object)]
pub struct GroupChurn {
    pub customers: u32,
    pub churned: u32,
    /// NaN for an empty group.
    pub rate: f64,
    pub low: f64,
    pub high: f64,
}

impl From<&core::GroupChurn> for GroupChurn {
    fn from(g: &core::GroupChurn) -> Self {
        GroupChurn { customers: g.customers as u32, churned: g.churned as u32, rate: g.rate, low: g.low, high: g.high }
    }
}

/// What moving a share of detractors to passives would do (simple arithmetic on the
/// observed rates, not a causal estimate).
#[napi(object)]
pub struct ChurnReduction {
    pub share: f64,
    pub customers_moved: f64,
    pub churners_avoided: f64,
    pub churn_rate_before: f64,
    pub churn_rate_after: f64,
}

/// Churn by NPS category and score.
#[napi(object)]
pub struct ChurnByNps {
    pub level: f64,
    pub detractors: GroupChurn,
    pub passives: GroupChurn,
    pub promoters: GroupChurn,
    /// One group per score 0–10.
    pub by_score: Vec<GroupChurn>,
    /// Detractors' churn rate over promoters', with its Katz log interval.
    pub relative_risk: f64,
    pub relative_risk_low: f64,
    pub relative_risk_high: f64,
    /// Pearson's chi-square test of independence (category × churn).
    pub chi_square: f64,
    pub chi_square_df: u32,
    pub p_value: f64,
    /// The what-if for `options.reductionShare` (default 0.25) of detractors.
    pub reduction: ChurnReduction,
}

/// Options of `churnByNps`.
#[napi(object)]
#[derive(Default)]
pub struct ChurnByNpsOptions {
    /// Confidence level (0.95).
    pub level: Option<f64>,
    /// Share of detractors in the what-if (0.25).
    pub reduction_share: Option<f64>,
}

/// Churn by NPS answer: `scores` on the 0–10 scale, `churned` booleans or 0/1.
#[napi(catch_unwind)]
pub fn churn_by_nps(
    scores: NumericArray,
    churned: Either<Vec<bool>, NumericArray>,
    options: Option<ChurnByNpsOptions>,
) -> Result<ChurnByNps> {
    let o = options.unwrap_or_default();
    let churned = booleans(&churned, "churned")?;
    let r = core::churn_by_nps(&floats(&scores), &churned, o.level.unwrap_or(0.95)).into_napi()?;
    let red = r.reduction(o.reduction_share.unwrap_or(0.25)).into_napi()?;
    Ok(ChurnByNps {
        level: r.level,
        detractors: (&r.detractors).into(),
        passives: (&r.passives).into(),
        promoters: (&r.promoters).into(),
        by_score: r.by_score.iter().map(Into::into).collect(),
        relative_risk: r.relative_risk,
        relative_risk_low: r.relative_risk_low,
        relative_risk_high: r.relative_risk_high,
        chi_square: r.chi_square.statistic,
        chi_square_df: r.chi_square.df,
        p_value: r.chi_square.p_value,
        reduction: ChurnReduction {
            share: red.share,
            customers_moved: red.customers_moved,
            churners_avoided: red.churners_avoided,
            churn_rate_before: red.churn_rate_before,
            churn_rate_after: red.churn_rate_after,
        },
    })
}
