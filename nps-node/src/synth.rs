//! `synth` namespace: the seeded synthetic customer base of `nps_core::synth`.
use napi::bindgen_prelude::*;
use napi_derive::napi;
use nps_core::features::NONE;
use nps_core::synth::{self as core, BaseConfig};

use crate::convert::{seed, size, size32};
use crate::error::{IntoNapi, Result};
use crate::features::EventColumnsJs;

/// Options of `synth.generate` (all optional).
#[napi(object)]
pub struct GenerateOptions {
    /// Number of customers (10,000).
    pub customers: Option<f64>,
    /// Random seed (42): the same seed gives the same base in every language.
    pub seed: Option<f64>,
    /// Reference time, a `Date` or epoch milliseconds (2026-07-01).
    #[napi(ts_type = "number | Date")]
    pub as_of: Option<crate::convert::Time>,
    /// Days of history before `asOf` (365).
    pub history_days: Option<f64>,
    /// Days after `asOf` in which leaving counts as churn (120).
    pub horizon_days: Option<f64>,
    /// Share of customers who answer the survey (0.17).
    pub respond_rate: Option<f64>,
}

/// One element per customer.
#[napi(object)]
pub struct SyntheticCustomers {
    /// Customer ids.
    pub id: Vec<String>,
    /// `prepaid` or `contract`.
    pub plan: Vec<String>,
    /// `consumer`, `family` or `business`.
    pub segment: Vec<String>,
    /// Left within the horizon after `asOf`.
    pub churned: Vec<bool>,
    /// When they left (epoch milliseconds), or null.
    pub churn_time: Vec<Option<f64>>,
    /// The churn probability the generator used.
    pub churn_probability: Float64Array,
    /// The 0–10 answer each customer would give (known for non-respondents too).
    pub true_score: Vec<u32>,
    /// The true churn drivers of each customer.
    pub drivers: Vec<Vec<String>>,
}

/// Survey answers, one element per answer.
#[napi(object)]
pub struct SyntheticSurveys {
    /// Customer id.
    pub customer: Vec<String>,
    /// Epoch milliseconds.
    pub time: Float64Array,
    /// Answer on the 0–10 scale.
    pub score: Vec<u32>,
}

/// A generated base.
#[napi(object)]
pub struct SyntheticBase {
    /// The reference time (epoch milliseconds).
    pub as_of: f64,
    /// The event history in columns, in time order (pass it to `features.retention`).
    pub events: EventColumnsJs,
    /// Labels and truth per customer.
    pub customers: SyntheticCustomers,
    /// The answers of those who responded.
    pub surveys: SyntheticSurveys,
}

/// The core's configuration from the options: whole numbers taken as given and checked (a
/// value out of range is reported as it was given, not truncated to 32 bits first).
fn base_config(options: Option<GenerateOptions>) -> Result<BaseConfig> {
    let d = BaseConfig::default();
    let Some(o) = options else { return Ok(d) };
    Ok(BaseConfig {
        customers: size(o.customers, "customers", 0.0, d.customers)?,
        seed: seed(o.seed, "seed", d.seed)?,
        as_of: o.as_of.as_ref().map(|t| t.seconds("asOf")).transpose()?.unwrap_or(d.as_of),
        history_days: size32(o.history_days, "historyDays", 0.0, d.history_days)?,
        horizon_days: size32(o.horizon_days, "horizonDays", 0.0, d.horizon_days)?,
        respond_rate: o.respond_rate.unwrap_or(d.respond_rate),
    })
}

/// Generates a seeded synthetic telco customer base.
#[napi(namespace = "synth", catch_unwind)]
pub fn generate(
    #[napi(ts_arg_type = "GenerateOptions | undefined | null")] options: Option<crate::convert::Obj<GenerateOptions>>,
) -> Result<SyntheticBase> {
    let options = options.map(|o| o.0);
    let config = base_config(options)?;
    Ok(base_js(&core::customers(&config).into_napi()?, config.as_of))
}

/// The base in Node's shapes (times in epoch milliseconds).
fn base_js(b: &core::SyntheticBase, as_of: i64) -> SyntheticBase {
    let ms = |t: i64| t as f64 * 1000.0;
    let e = &b.events;
    let events = EventColumnsJs {
        customer: e.customer.iter().map(|&c| Either::A(b.customer_ids[c as usize].clone())).collect(),
        time: Either::A(Float64Array::new(e.time.iter().map(|&t| ms(t)).collect())),
        kind: e.kind.iter().map(|&k| e.kinds[k as usize].clone()).collect(),
        value: Some(Either::A(Float64Array::new(e.value.clone()))),
        duration: Some(Either::A(Float64Array::new(e.duration.clone()))),
        department: Some(
            e.department.iter().map(|&d| (d != NONE).then(|| e.departments[d as usize].clone())).collect(),
        ),
        case: Some(e.case.iter().map(|&c| (c != NONE).then_some(Either::B(c as f64))).collect()),
        flag: Some(e.flag.iter().map(|&f| (f != 2).then_some(f == 1)).collect()),
    };
    let customers = SyntheticCustomers {
        id: b.customer_ids.clone(),
        plan: b.plan.iter().map(|&p| core::PLANS[p as usize].to_string()).collect(),
        segment: b.segment.iter().map(|&s| core::SEGMENTS[s as usize].to_string()).collect(),
        churned: b.churned.clone(),
        churn_time: b.churn_time.iter().map(|t| t.map(ms)).collect(),
        churn_probability: Float64Array::new(b.churn_probability.clone()),
        true_score: b.true_score.iter().map(|&s| s as u32).collect(),
        drivers: (0..b.churned.len()).map(|c| b.driver_names(c).iter().map(|d| d.to_string()).collect()).collect(),
    };
    let surveys = SyntheticSurveys {
        customer: b.surveys.customer.iter().map(|&c| b.customer_ids[c as usize].clone()).collect(),
        time: Float64Array::new(b.surveys.time.iter().map(|&t| ms(t)).collect()),
        score: b.surveys.score.iter().map(|&s| s as u32).collect(),
    };
    SyntheticBase { as_of: ms(as_of), events, customers, surveys }
}

/// Options of `synth.generateDrifted`: the base's (as `generate`, but `asOf` defaults to
/// half a year after `generate`'s) and the drift's (all optional).
#[napi(object)]
#[derive(Default)]
pub struct GenerateDriftedOptions {
    /// The base (as `generate`'s options); its `asOf` defaults to `generate`'s plus 182 days.
    #[napi(ts_type = "GenerateOptions")]
    pub base: Option<crate::convert::Nested<GenerateOptions>>,
    /// When the drift starts, a `Date` or epoch milliseconds (45 days before `asOf`).
    #[napi(ts_type = "number | Date")]
    pub drift_from: Option<crate::convert::Time>,
    /// Factor on contract prices from `driftFrom` on (1.3).
    pub price_change: Option<f64>,
    /// Share of customers the network problem hits (0.25).
    pub network_share: Option<f64>,
    /// Extra churn log-odds of a customer the network problem hits (2.5).
    pub network_churn_effect: Option<f64>,
}

/// A drifted base: the base and the truth of the drift.
#[napi(object)]
pub struct SyntheticDriftedBase {
    /// The base (as `generate` returns it).
    pub base: SyntheticBase,
    /// When the drift started (epoch milliseconds).
    pub drift_from: f64,
    /// The event kinds whose distribution moved.
    pub drifted_kinds: Vec<String>,
    /// Whether each customer (in `base.customers.id` order) was hit by the network problem.
    pub network_hit: Vec<bool>,
}

/// Generates the base as of a later date in which, from `driftFrom` on, contract prices rose
/// and a network problem hit a share of the customers (outages, long technical contacts,
/// more churn); usage, top-ups, subscriptions and surveys are untouched. With
/// `priceChange: 1` and `networkShare: 0` it is `generate`'s base.
#[napi(namespace = "synth", catch_unwind)]
pub fn generate_drifted(
    #[napi(ts_arg_type = "GenerateDriftedOptions | undefined | null")] options: Option<
        crate::convert::Obj<GenerateDriftedOptions>,
    >,
) -> Result<SyntheticDriftedBase> {
    let options = options.map(|o| o.0);
    let d = core::DriftConfig::default();
    let o = options.unwrap_or_default();
    let as_of_given = o.base.as_ref().is_some_and(|b| b.0.as_of.is_some());
    let mut base = base_config(o.base.map(|b| b.0))?;
    if !as_of_given {
        base.as_of = d.base.as_of;
    }
    let drift_from = o.drift_from.as_ref().map(|t| t.seconds("driftFrom")).transpose()?;
    let config = core::DriftConfig {
        base,
        drift_from: drift_from.unwrap_or(base.as_of - core::DRIFT_DAYS_BEFORE_AS_OF * 86_400),
        price_change: o.price_change.unwrap_or(d.price_change),
        network_share: o.network_share.unwrap_or(d.network_share),
        network_churn_effect: o.network_churn_effect.unwrap_or(d.network_churn_effect),
    };
    let drifted = core::drifted_customers(&config).into_napi()?;
    Ok(SyntheticDriftedBase {
        base: base_js(&drifted.base, base.as_of),
        drift_from: config.drift_from as f64 * 1000.0,
        drifted_kinds: drifted.drifted_kinds,
        network_hit: drifted.network_hit,
    })
}

/// Options of `synth.campaign`: the base's (as `generate`) and the campaign's.
#[napi(object)]
pub struct CampaignOptions {
    /// The base (as `generate`'s options).
    #[napi(ts_type = "GenerateOptions")]
    pub base: Option<crate::convert::Nested<GenerateOptions>>,
    /// The campaign's seed (7).
    pub campaign_seed: Option<f64>,
    /// Share of customers called (0.5).
    pub treated_share: Option<f64>,
}

/// A logged campaign, one element per customer of the base.
#[napi(object)]
pub struct SyntheticCampaign {
    /// Customer ids.
    pub id: Vec<String>,
    /// Called (else in the control group).
    pub treated: Vec<bool>,
    /// Left within the horizon, under the assignment.
    pub churned: Vec<bool>,
    /// `persuadable`, `sure_thing`, `lost_cause` or `sleeping_dog`.
    pub customer_type: Vec<String>,
    /// P(churn) if not called.
    pub churn_if_control: Float64Array,
    /// P(churn) if called.
    pub churn_if_treated: Float64Array,
    /// The true uplift in retention (positive: the call saves).
    pub true_uplift: Float64Array,
}

/// Runs a retention campaign with a random control group on a generated base; the effect of
/// the call differs by customer type and is known (`trueUplift`).
#[napi(namespace = "synth", catch_unwind)]
pub fn campaign(
    #[napi(ts_arg_type = "CampaignOptions | undefined | null")] options: Option<crate::convert::Obj<CampaignOptions>>,
) -> Result<SyntheticCampaign> {
    let options = options.map(|o| o.0);
    let (base, campaign_seed, treated_share) = match options {
        Some(o) => (o.base.map(|b| b.0), o.campaign_seed, o.treated_share),
        None => (None, None, None),
    };
    let config = base_config(base)?;
    let dc = core::CampaignConfig::default();
    let cc = core::CampaignConfig {
        seed: seed(campaign_seed, "campaignSeed", dc.seed)?,
        treated_share: treated_share.unwrap_or(dc.treated_share),
    };
    let b = core::customers(&config).into_napi()?;
    let c = core::campaign(&b, &cc).into_napi()?;
    Ok(SyntheticCampaign {
        id: b.customer_ids,
        treated: c.treated,
        churned: c.churned,
        customer_type: c.customer_type.iter().map(|&t| core::CUSTOMER_TYPES[t as usize].to_string()).collect(),
        churn_if_control: Float64Array::new(c.churn_if_control),
        churn_if_treated: Float64Array::new(c.churn_if_treated),
        true_uplift: Float64Array::new(c.true_uplift),
    })
}
