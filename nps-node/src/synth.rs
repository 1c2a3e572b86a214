//! `synth` namespace: the seeded synthetic customer base of `nps_core::synth`.
use napi::bindgen_prelude::*;
use napi_derive::napi;
use nps_core::features::NONE;
use nps_core::synth::{self as core, BaseConfig};

use crate::convert::whole;
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
    let u32_max = f64::from(u32::MAX);
    Ok(BaseConfig {
        customers: whole(o.customers, "customers", 0.0, 9007199254740992.0)?.map_or(d.customers, |c| c as usize),
        seed: whole(o.seed, "seed", 0.0, u32_max)?.unwrap_or(d.seed),
        as_of: o.as_of.as_ref().map(|t| t.seconds("asOf")).transpose()?.unwrap_or(d.as_of),
        history_days: whole(o.history_days, "historyDays", 0.0, u32_max)?.map_or(d.history_days, |x| x as u32),
        horizon_days: whole(o.horizon_days, "horizonDays", 0.0, u32_max)?.map_or(d.horizon_days, |x| x as u32),
        respond_rate: o.respond_rate.unwrap_or(d.respond_rate),
    })
}

/// Generates a seeded synthetic telco customer base.
#[napi(namespace = "synth", catch_unwind, strict)]
pub fn generate(options: Option<GenerateOptions>) -> Result<SyntheticBase> {
    let config = base_config(options)?;
    let b = core::customers(&config).into_napi()?;
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
    Ok(SyntheticBase { as_of: ms(config.as_of), events, customers, surveys })
}

/// Options of `synth.campaign`: the base's (as `generate`) and the campaign's.
#[napi(object)]
pub struct CampaignOptions {
    /// The base (as `generate`'s options).
    pub base: Option<GenerateOptions>,
    /// The campaign's seed (7).
    pub campaign_seed: Option<u32>,
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
#[napi(namespace = "synth", catch_unwind, strict)]
pub fn campaign(options: Option<CampaignOptions>) -> Result<SyntheticCampaign> {
    let (base, campaign_seed, treated_share) = match options {
        Some(o) => (o.base, o.campaign_seed, o.treated_share),
        None => (None, None, None),
    };
    let config = base_config(base)?;
    let dc = core::CampaignConfig::default();
    let cc = core::CampaignConfig {
        seed: campaign_seed.map_or(dc.seed, u64::from),
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
