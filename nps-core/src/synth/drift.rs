//! The generated base as of a later date, in which some inputs have drifted from a given
//! date on while the others are stable, with the truth of what moved.
//!
//! The base is first generated exactly as [`customers`] generates it (the same numbers for
//! the same [`BaseConfig`]); then, from `drift_from` on:
//!
//! * **a price change**: every bill and payment of a contract customer is multiplied by
//!   `price_change` (rounded to cents): bills and payments drift, so does `bill_shock`;
//! * **a network problem**: a share `network_share` of the customers suffer one or two
//!   two or three outages and one or two technical contacts (long, badly scored) between `drift_from`
//!   and the reference time, and their churn log-odds rise by `network_churn_effect`
//!   (customers who did not already leave leave with the extra probability, at a time in
//!   the horizon, their later events cut): outages, contacts and their resolutions drift,
//!   and churn now depends on them as it did not before.
//!
//! Usage, top-ups, subscriptions, surveys and tenure are untouched: the features that read
//! only those are stable. [`DriftedBase::drifted_kinds`] names the event kinds that moved.
//! The same configuration gives the same base everywhere (the drift draws from its own
//! seeded stream).
use serde::{Deserialize, Serialize};

use super::customers::{customers, BaseConfig, SyntheticBase};
use crate::error::{NpsError, Result};
use crate::features::BUILT_IN_KINDS;
use crate::rng::Rng;

const DAY: i64 = 86_400;

/// Mixed into the base's seed for the drift's own random stream.
const DRIFT_STREAM: u64 = 0x0d21_f7ed_5eed_0019;

/// Days after the default base's reference time the drifted base is as of (half a year).
pub const DRIFT_DAYS_LATER: i64 = 182;
/// Days before the reference time the drift starts.
pub const DRIFT_DAYS_BEFORE_AS_OF: i64 = 45;
/// The default price change on contract bills.
pub const DEFAULT_PRICE_CHANGE: f64 = 1.3;
/// The default share of customers hit by the network problem.
pub const DEFAULT_NETWORK_SHARE: f64 = 0.25;
/// The default extra churn log-odds of a customer hit by the network problem.
pub const DEFAULT_NETWORK_CHURN_EFFECT: f64 = 2.5;

/// What drifts, and from when.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct DriftConfig {
    /// The base (its `as_of` is the later date).
    pub base: BaseConfig,
    /// When the drift starts (Unix seconds, UTC), before `base.as_of`.
    pub drift_from: i64,
    /// Factor on contract customers' bills and payments from `drift_from` (1: no change).
    pub price_change: f64,
    /// Share of customers hit by the network problem (0: none).
    pub network_share: f64,
    /// Extra log-odds of churn of a customer hit by it.
    pub network_churn_effect: f64,
}

impl Default for DriftConfig {
    /// The default base as of [`DRIFT_DAYS_LATER`] days later, drifting from
    /// [`DRIFT_DAYS_BEFORE_AS_OF`] days before it: prices up 30 %, a network problem for a
    /// quarter of the customers raising their churn log-odds by 2.5.
    fn default() -> Self {
        let mut base = BaseConfig::default();
        base.as_of += DRIFT_DAYS_LATER * DAY;
        DriftConfig {
            base,
            drift_from: base.as_of - DRIFT_DAYS_BEFORE_AS_OF * DAY,
            price_change: DEFAULT_PRICE_CHANGE,
            network_share: DEFAULT_NETWORK_SHARE,
            network_churn_effect: DEFAULT_NETWORK_CHURN_EFFECT,
        }
    }
}

impl DriftConfig {
    /// No drift at all: the base of `base` as [`customers`] generates it.
    pub fn none(base: BaseConfig) -> DriftConfig {
        DriftConfig { base, drift_from: base.as_of, price_change: 1.0, network_share: 0.0, network_churn_effect: 0.0 }
    }
}

/// A drifted base and the truth of the drift.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftedBase {
    /// The base (events, labels, truth as [`SyntheticBase`] holds them; `churn_probability`
    /// includes the network problem's effect).
    pub base: SyntheticBase,
    /// What drifted.
    pub drift: DriftConfig,
    /// The event kinds whose distribution moved (`bill`, `payment` for a price change;
    /// `outage`, `contact_opened`, `contact_resolved` for the network problem).
    pub drifted_kinds: Vec<String>,
    /// Whether each customer was hit by the network problem.
    pub network_hit: Vec<bool>,
}

/// One event as the log's columns hold it: customer, time, kind, value, duration,
/// department, case, flag.
type EventRow = (u32, i64, u16, f64, f64, u32, u32, u8);

fn code(kind: &str) -> u16 {
    BUILT_IN_KINDS.iter().position(|k| *k == kind).expect("a built-in kind") as u16
}

/// Generates the base of `config.base` with the drift of `config` (see the module's text).
/// Errors: the base's, `drift_from` not before `as_of` (unless nothing drifts), a price
/// change not above 0, a share outside [0, 1], a non-finite effect.
pub fn drifted_customers(config: &DriftConfig) -> Result<DriftedBase> {
    if !(config.price_change > 0.0 && config.price_change.is_finite()) {
        return Err(NpsError::invalid("price_change", config.price_change, "a factor above 0"));
    }
    if !(0.0..=1.0).contains(&config.network_share) {
        return Err(NpsError::invalid("network_share", config.network_share, "between 0 and 1"));
    }
    if !config.network_churn_effect.is_finite() {
        return Err(NpsError::invalid("network_churn_effect", config.network_churn_effect, "a finite number"));
    }
    let drifts = config.price_change != 1.0 || config.network_share > 0.0;
    if drifts && config.drift_from >= config.base.as_of {
        return Err(NpsError::invalid("drift_from", config.drift_from, "a time before as_of"));
    }
    let mut base = customers(&config.base)?;
    let n = base.customer_ids.len();
    let mut rng = Rng::new(config.base.seed ^ DRIFT_STREAM);
    let as_of = config.base.as_of;
    let mut drifted_kinds = Vec::new();

    let (bill, payment) = (code("bill"), code("payment"));
    if config.price_change != 1.0 {
        let e = &mut base.events;
        for i in 0..e.time.len() {
            let contract = base.plan[e.customer[i] as usize] == 1;
            if contract && e.time[i] >= config.drift_from && (e.kind[i] == bill || e.kind[i] == payment) {
                e.value[i] = (e.value[i] * config.price_change * 100.0).round() / 100.0;
            }
        }
        drifted_kinds.extend(["bill".to_string(), "payment".to_string()]);
    }

    let mut network_hit = vec![false; n];
    if config.network_share > 0.0 {
        let (outage, opened, resolved, end) =
            (code("outage"), code("contact_opened"), code("contact_resolved"), code("subscription_end"));
        let technical = base.events.departments.iter().position(|d| d == "technical").unwrap_or(0) as u32;
        let mut case = base.events.case.iter().filter(|&&c| c != crate::features::NONE).max().map_or(0, |c| c + 1);
        let span = (as_of - config.drift_from).max(1) as u64;
        let mut added: Vec<EventRow> = Vec::new();
        let mut cut: Vec<Option<i64>> = vec![None; n];
        for c in 0..n {
            if !rng.bernoulli(config.network_share) {
                continue;
            }
            network_hit[c] = true;
            for _ in 0..2 + rng.below(2) {
                let t = config.drift_from + rng.below(span) as i64;
                added.push((c as u32, t, outage, f64::NAN, f64::NAN, crate::features::NONE, crate::features::NONE, 2));
            }
            for _ in 0..1 + rng.below(2) {
                let t = config.drift_from + rng.below(span) as i64;
                let handle = rng.between(1_200.0, 2_400.0).round();
                let score = rng.between(2.0, 6.0).round();
                let done = t + (rng.between(0.05, 0.9) * DAY as f64) as i64;
                added.push((c as u32, t, opened, f64::NAN, f64::NAN, technical, case, 2));
                added.push((c as u32, done, resolved, score, handle, technical, case, 1));
                case += 1;
            }
            let p = base.churn_probability[c];
            let q = 1.0 / (1.0 + (-((p / (1.0 - p)).ln() + config.network_churn_effect)).exp());
            let extra = if p < 1.0 { ((q - p) / (1.0 - p)).max(0.0) } else { 0.0 };
            let leaves = rng.bernoulli(extra);
            let when = as_of + 1 + rng.below(base.config.horizon_days as u64 * DAY as u64 - 1) as i64;
            base.churn_probability[c] = q;
            if leaves && !base.churned[c] {
                base.churned[c] = true;
                base.churn_time[c] = Some(when);
                cut[c] = Some(when);
                added.push((c as u32, when, end, f64::NAN, f64::NAN, crate::features::NONE, crate::features::NONE, 2));
            }
        }
        // The new events join the log, which stays in time order (ties: the old first);
        // a new leaver's events after leaving are gone.
        let e = std::mem::take(&mut base.events);
        let mut rows: Vec<EventRow> = (0..e.time.len())
            .filter(|&i| cut[e.customer[i] as usize].is_none_or(|t| e.time[i] <= t))
            .map(|i| {
                (e.customer[i], e.time[i], e.kind[i], e.value[i], e.duration[i], e.department[i], e.case[i], e.flag[i])
            })
            .collect();
        rows.extend(added);
        rows.sort_by_key(|r| r.1);
        base.events = crate::features::EventTable {
            customer: rows.iter().map(|r| r.0).collect(),
            customers: e.customers,
            time: rows.iter().map(|r| r.1).collect(),
            kind: rows.iter().map(|r| r.2).collect(),
            kinds: e.kinds,
            value: rows.iter().map(|r| r.3).collect(),
            duration: rows.iter().map(|r| r.4).collect(),
            department: rows.iter().map(|r| r.5).collect(),
            departments: e.departments,
            case: rows.iter().map(|r| r.6).collect(),
            flag: rows.iter().map(|r| r.7).collect(),
        };
        drifted_kinds.extend(["outage".to_string(), "contact_opened".to_string(), "contact_resolved".to_string()]);
    }
    Ok(DriftedBase { base, drift: *config, drifted_kinds, network_hit })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_drift_is_the_base_itself() {
        let config = BaseConfig { customers: 300, ..Default::default() };
        let d = drifted_customers(&DriftConfig::none(config)).unwrap();
        let same = |a: &SyntheticBase, b: &SyntheticBase| {
            serde_json::to_string(a).unwrap() == serde_json::to_string(b).unwrap()
        };
        assert!(same(&d.base, &customers(&config).unwrap()));
        assert!(d.drifted_kinds.is_empty());
    }

    #[test]
    fn bills_rise_and_the_hit_leave_more() {
        let mut config = DriftConfig::default();
        config.base.customers = 4_000;
        let d = drifted_customers(&config).unwrap();
        let plain = customers(&config.base).unwrap();
        // Before the drift the log is the plain one; after it, contract bills are 30 % up.
        let bill = code("bill");
        let sum = |b: &SyntheticBase, after: bool| -> f64 {
            (0..b.events.time.len())
                .filter(|&i| b.events.kind[i] == bill && (b.events.time[i] >= config.drift_from) == after)
                .filter(|&i| b.events.time[i] < config.base.as_of)
                .map(|i| b.events.value[i])
                .sum()
        };
        assert_eq!(sum(&d.base, false), sum(&plain, false));
        let ratio = sum(&d.base, true) / sum(&plain, true);
        assert!((ratio - 1.3).abs() < 0.01, "{ratio}");
        let hit = d.network_hit.iter().filter(|&&h| h).count() as f64 / 4_000.0;
        assert!((hit - 0.25).abs() < 0.03, "{hit}");
        let rate = |hit: bool| {
            let idx: Vec<usize> = (0..4_000).filter(|&c| d.network_hit[c] == hit).collect();
            idx.iter().filter(|&&c| d.base.churned[c]).count() as f64 / idx.len() as f64
        };
        assert!(rate(true) > rate(false) + 0.1, "{} {}", rate(true), rate(false));
        assert!(d.base.events.time.windows(2).all(|w| w[0] <= w[1]));
        let again = drifted_customers(&config).unwrap();
        assert!(serde_json::to_string(&again).unwrap() == serde_json::to_string(&d).unwrap());
    }
}
