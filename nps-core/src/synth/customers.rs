//! A synthetic telco customer base: event histories, survey answers and churn with known
//! causes.
//!
//! Each customer has a plan (prepaid or contract), a segment and a tenure, and may carry
//! some of the [`DRIVERS`] of churn. The drivers shape the customer's events before the
//! reference time (a run of repeat contacts, long handle times, a shocking last bill,
//! falling usage, a bad last interaction, a recent start), and they raise both the chance
//! of leaving within the horizon and the chance of being a detractor. Because the causes
//! are known, tests can check that features, models and attribution recover them.
//!
//! As in real churn, not every effect adds up on the log-odds: repeat contacts and a billing
//! shock together raise the risk by more than the two apart ([`SHOCK_AND_CONTACTS`]), and a
//! contract customer in the last two months of a two-year term ([`RENEWAL_WINDOW_DAYS`]) is at
//! risk whatever else holds, a bump in tenure that no straight line through tenure fits.
//! Trees learn both; a logistic model on the same features cannot.
//!
//! The history runs from `history_days` before the reference time to the end of the
//! horizon (or the customer's churn), so it also holds events *after* the reference time:
//! a feature computation that leaks the future would see them.
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};
use crate::features::{EventTable, BUILT_IN_KINDS, NONE};
use crate::rng::Rng;

/// The known causes of churn, in the bit order of [`SyntheticBase::drivers`].
pub const DRIVERS: [&str; 6] =
    ["repeat_contacts", "long_handle_time", "bill_shock", "falling_usage", "bad_last_interaction", "short_tenure"];

/// Plan names, indexed by [`SyntheticBase::plan`].
pub const PLANS: [&str; 2] = ["prepaid", "contract"];

/// Segment names, indexed by [`SyntheticBase::segment`].
pub const SEGMENTS: [&str; 3] = ["consumer", "family", "business"];

/// Department names of support contacts, as the event table's `departments`.
pub const DEPARTMENTS: [&str; 3] = ["billing", "technical", "sales"];

const DAY: i64 = 86_400;

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BaseConfig {
    /// Number of customers (all active at the reference time).
    pub customers: usize,
    /// Random seed: the same seed gives the same base everywhere.
    pub seed: u64,
    /// The reference time (Unix seconds, UTC): features are computed as of it and churn is
    /// counted in the horizon after it.
    pub as_of: i64,
    /// Days of history before `as_of` (bills, usage, contacts; subscription starts may be older).
    pub history_days: u32,
    /// Days after `as_of` in which a departure counts as churn.
    pub horizon_days: u32,
    /// Share of customers who answer the NPS survey.
    pub respond_rate: f64,
}

impl Default for BaseConfig {
    /// 10,000 customers, seed 42, as of 2026-07-01, a year of history, a 120-day horizon
    /// and a 17 % response rate.
    fn default() -> Self {
        BaseConfig {
            customers: 10_000,
            seed: 42,
            as_of: 1_782_864_000,
            history_days: 365,
            horizon_days: 120,
            respond_rate: 0.17,
        }
    }
}

/// Survey answers, one element per answer, in time order.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct SurveyAnswers {
    /// Customer index.
    pub customer: Vec<u32>,
    /// Time of the answer (Unix seconds, UTC), before the reference time.
    pub time: Vec<i64>,
    /// The answer on the 0–10 scale.
    pub score: Vec<u8>,
}

/// A generated base: the history, the labels and the truth behind them. Per-customer
/// vectors are indexed by the customer codes of the event table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SyntheticBase {
    /// The configuration it was generated from.
    pub config: BaseConfig,
    /// The event history (all built-in kinds; departments are [`DEPARTMENTS`]), in time order.
    pub events: EventTable,
    /// Customer ids (`C0000001`, ...).
    pub customer_ids: Vec<String>,
    /// Plan of each customer: an index into [`PLANS`].
    pub plan: Vec<u8>,
    /// Segment of each customer: an index into [`SEGMENTS`].
    pub segment: Vec<u8>,
    /// Whether the customer left within the horizon after the reference time.
    pub churned: Vec<bool>,
    /// When the customer left, if they did.
    pub churn_time: Vec<Option<i64>>,
    /// The probability of churn the generator used (the truth a calibrated model estimates).
    pub churn_probability: Vec<f64>,
    /// The 0–10 answer every customer would give if asked (known for non-respondents too).
    pub true_score: Vec<u8>,
    /// The answers of those who responded (their `true_score`).
    pub surveys: SurveyAnswers,
    /// The customer's churn drivers as a bit set: bit `i` set means `DRIVERS[i]` applies.
    pub drivers: Vec<u8>,
}

impl SyntheticBase {
    /// Whether `customer` carries the driver named `driver` (one of [`DRIVERS`]).
    pub fn has_driver(&self, customer: usize, driver: &str) -> bool {
        DRIVERS.iter().position(|d| *d == driver).is_some_and(|bit| self.drivers[customer] >> bit & 1 == 1)
    }

    /// The driver names of `customer`.
    pub fn driver_names(&self, customer: usize) -> Vec<&'static str> {
        DRIVERS.iter().enumerate().filter(|(bit, _)| self.drivers[customer] >> bit & 1 == 1).map(|(_, d)| *d).collect()
    }
}

/// Effect of each driver on the log-odds of churn, in [`DRIVERS`] order.
const CHURN_EFFECT: [f64; 6] = [1.2, 1.0, 1.1, 1.0, 1.3, 1.1];
/// Extra log-odds of churn when repeat contacts and a billing shock come together.
pub const SHOCK_AND_CONTACTS: f64 = 1.0;
/// Length of a contract term: a contract renews every two years.
pub const CONTRACT_TERM_DAYS: f64 = 730.0;
/// A contract customer within this many days before the end of a term is at renewal.
pub const RENEWAL_WINDOW_DAYS: f64 = 60.0;
/// Extra log-odds of churn at renewal.
const RENEWAL_EFFECT: f64 = 1.3;
/// Effect of each driver on the customer's 0–10 answer, in [`DRIVERS`] order.
const SCORE_EFFECT: [f64; 6] = [-1.2, -0.9, -1.0, -0.5, -2.2, -0.3];

/// Generates a customer base. Deterministic in the seed; about 60 events per customer for
/// a year of history.
pub fn customers(config: &BaseConfig) -> Result<SyntheticBase> {
    if config.customers == 0 || config.customers > u32::MAX as usize - 1 {
        return Err(NpsError::invalid("customers", config.customers, "between 1 and 4294967294"));
    }
    if config.history_days == 0 {
        return Err(NpsError::invalid("history_days", config.history_days, "at least 1"));
    }
    if config.horizon_days == 0 {
        return Err(NpsError::invalid("horizon_days", config.horizon_days, "at least 1"));
    }
    if !(0.0..=1.0).contains(&config.respond_rate) {
        return Err(NpsError::invalid("respond_rate", config.respond_rate, "between 0 and 1"));
    }
    let mut rng = Rng::new(config.seed);
    let n = config.customers;
    let mut base = SyntheticBase {
        config: *config,
        events: EventTable::default(),
        customer_ids: (1..=n).map(|i| format!("C{i:07}")).collect(),
        plan: Vec::with_capacity(n),
        segment: Vec::with_capacity(n),
        churned: Vec::with_capacity(n),
        churn_time: Vec::with_capacity(n),
        churn_probability: Vec::with_capacity(n),
        true_score: Vec::with_capacity(n),
        surveys: SurveyAnswers::default(),
        drivers: Vec::with_capacity(n),
    };
    let mut events = Vec::with_capacity(n * 60);
    let mut cases = 0u32;
    for c in 0..n as u32 {
        let customer = Customer::draw(&mut rng, config);
        customer.emit(c, &mut rng, config, &mut events, &mut cases);
        if let Some(t) = customer.survey_time {
            base.surveys.customer.push(c);
            base.surveys.time.push(t);
            base.surveys.score.push(customer.score);
        }
        base.plan.push(customer.plan);
        base.segment.push(customer.segment);
        base.churned.push(customer.churn_time.is_some());
        base.churn_time.push(customer.churn_time);
        base.churn_probability.push(customer.churn_probability);
        base.true_score.push(customer.score);
        base.drivers.push(customer.drivers);
    }
    // An event log is in time order; ties keep the order of generation.
    events.sort_by_key(|e| e.time);
    let mut order: Vec<usize> = (0..base.surveys.time.len()).collect();
    order.sort_by_key(|&i| base.surveys.time[i]);
    let s = &base.surveys;
    base.surveys = SurveyAnswers {
        customer: order.iter().map(|&i| s.customer[i]).collect(),
        time: order.iter().map(|&i| s.time[i]).collect(),
        score: order.iter().map(|&i| s.score[i]).collect(),
    };
    base.events = EventTable {
        customer: events.iter().map(|e| e.customer).collect(),
        customers: n as u32,
        time: events.iter().map(|e| e.time).collect(),
        kind: events.iter().map(|e| e.kind as u16).collect(),
        kinds: BUILT_IN_KINDS.iter().map(|k| k.to_string()).collect(),
        value: events.iter().map(|e| e.value).collect(),
        duration: events.iter().map(|e| e.duration).collect(),
        department: events.iter().map(|e| e.department).collect(),
        departments: DEPARTMENTS.iter().map(|d| d.to_string()).collect(),
        case: events.iter().map(|e| e.case).collect(),
        flag: events.iter().map(|e| e.flag).collect(),
    };
    Ok(base)
}

/// Kind codes (positions in [`BUILT_IN_KINDS`]).
#[derive(Clone, Copy)]
enum Kind {
    SubscriptionStart = 0,
    SubscriptionEnd = 1,
    Bill = 2,
    Payment = 3,
    TopUp = 4,
    Usage = 5,
    ContactOpened = 6,
    ContactResolved = 7,
    Transfer = 8,
    Outage = 9,
    SurveyAnswer = 10,
    Complaint = 13,
}

#[derive(Clone, Copy)]
struct Event {
    customer: u32,
    time: i64,
    kind: Kind,
    value: f64,
    duration: f64,
    department: u32,
    case: u32,
    flag: u8,
}

/// A support contact before it becomes events.
struct Contact {
    opened: i64,
    department: u32,
    handle_seconds: f64,
    score: f64,
    transferred: bool,
}

/// The latent state of one customer.
struct Customer {
    plan: u8,
    segment: u8,
    drivers: u8,
    start: i64,
    fee: f64,
    score: u8,
    churn_probability: f64,
    churn_time: Option<i64>,
    survey_time: Option<i64>,
}

impl Customer {
    fn has(&self, bit: usize) -> bool {
        self.drivers >> bit & 1 == 1
    }

    fn draw(rng: &mut Rng, config: &BaseConfig) -> Customer {
        let segment = rng.choose(&[0.6, 0.25, 0.15]) as u8;
        let plan = if segment == 2 || rng.bernoulli(0.6) { 1 } else { 0 };
        let tenure_days = if rng.bernoulli(0.18) { rng.between(30.0, 180.0) } else { rng.between(180.0, 2_500.0) };
        let start = config.as_of - (tenure_days * DAY as f64) as i64;
        let mut drivers = 0u8;
        let prevalence = [0.12, 0.12, if plan == 1 { 0.12 } else { 0.0 }, 0.12, 0.10];
        for (bit, p) in prevalence.iter().enumerate() {
            if rng.bernoulli(*p) {
                drivers |= 1 << bit;
            }
        }
        if tenure_days < 180.0 {
            drivers |= 1 << 5;
        }
        let effect = |table: &[f64; 6]| (0..6).filter(|b| drivers >> b & 1 == 1).map(|b| table[b]).sum::<f64>();
        let satisfaction = 8.0 + effect(&SCORE_EFFECT) + if segment == 2 { 0.3 } else { 0.0 } + 1.7 * rng.normal();
        let score = satisfaction.round().clamp(0.0, 10.0) as u8;
        // Unhappy customers leave more often beyond what the drivers explain.
        let together = drivers & 0b101 == 0b101;
        let renewal = plan == 1 && tenure_days % CONTRACT_TERM_DAYS > CONTRACT_TERM_DAYS - RENEWAL_WINDOW_DAYS;
        let z = -2.4
            + effect(&CHURN_EFFECT)
            + if plan == 0 { 0.4 } else { 0.0 }
            + if together { SHOCK_AND_CONTACTS } else { 0.0 }
            + if renewal { RENEWAL_EFFECT } else { 0.0 }
            - if segment == 2 { 0.3 } else { 0.0 }
            - 0.25 * (satisfaction - 7.0)
            + 0.5 * rng.normal();
        let churn_probability = 1.0 / (1.0 + (-z).exp());
        let churn_time = rng
            .bernoulli(churn_probability)
            .then(|| config.as_of + 1 + rng.below(config.horizon_days as u64 * DAY as u64 - 1) as i64);
        let survey_time = rng.bernoulli(config.respond_rate).then(|| {
            let earliest = (config.as_of - 180 * DAY).max(start + DAY);
            earliest + rng.below((config.as_of - earliest) as u64) as i64
        });
        let fee = if plan == 1 { rng.between(25.0, 90.0) } else { rng.between(10.0, 30.0) };
        Customer { plan, segment, drivers, start, fee, score, churn_probability, churn_time, survey_time }
    }

    /// Writes the customer's events from the start of the history to the end of the horizon
    /// (or churn).
    fn emit(&self, c: u32, rng: &mut Rng, config: &BaseConfig, out: &mut Vec<Event>, cases: &mut u32) {
        let as_of = config.as_of;
        let from = (as_of - config.history_days as i64 * DAY).max(self.start);
        let end = self.churn_time.unwrap_or(as_of + config.horizon_days as i64 * DAY);
        let mut push = |time: i64, kind: Kind, value: f64| {
            let e = Event { customer: c, time, kind, value, duration: f64::NAN, department: NONE, case: NONE, flag: 2 };
            out.push(e);
            out.len() - 1
        };

        // Lines: the first at the start, sometimes a second one, sometimes one that ended.
        push(self.start, Kind::SubscriptionStart, self.fee);
        let lines = if self.segment == 1 { 3 } else { 2 };
        if rng.bernoulli(0.3) && as_of - self.start > 60 * DAY {
            let t = self.start + rng.below((as_of - self.start - 30 * DAY) as u64) as i64;
            push(t, Kind::SubscriptionStart, self.fee * 0.5);
            if rng.bernoulli(1.0 / lines as f64) {
                let ended = t + rng.below((as_of - t) as u64) as i64;
                push(ended, Kind::SubscriptionEnd, f64::NAN);
            }
        }
        if let Some(t) = self.churn_time {
            push(t, Kind::SubscriptionEnd, f64::NAN);
        }

        // Money: monthly bills and payments on contracts, top-ups on prepaid.
        let falling_usage = self.has(3);
        if self.plan == 1 {
            let mut t = from + rng.below(30 * DAY as u64) as i64;
            while t < end {
                let shock = self.has(2) && t < as_of && t >= as_of - 30 * DAY;
                let amount = self.fee * rng.between(0.9, 1.15) * if shock { rng.between(1.6, 2.4) } else { 1.0 };
                push(t, Kind::Bill, round_cents(amount));
                let paid = t + (rng.between(2.0, 10.0) * DAY as f64) as i64;
                if paid < end && rng.bernoulli(0.97) {
                    push(paid, Kind::Payment, round_cents(amount));
                }
                t += 30 * DAY;
            }
        } else {
            let gap = rng.between(7.0, 30.0);
            let mut t = from + (rng.uniform() * gap * DAY as f64) as i64;
            while t < end {
                push(t, Kind::TopUp, [10.0, 15.0, 20.0, 30.0][rng.below(4) as usize]);
                let slow = if falling_usage && t >= as_of - 60 * DAY { 2.2 } else { 1.0 };
                t += (gap * slow * rng.between(0.7, 1.3) * DAY as f64) as i64;
            }
        }

        // Usage every ten days over the last five months of history (at most) and the horizon.
        let megabytes = rng.between(2_000.0, 15_000.0);
        let mut t = (as_of - 150 * DAY).max(from) + rng.below(10 * DAY as u64) as i64;
        while t < end {
            let fall = if falling_usage && t >= as_of - 35 * DAY { rng.between(0.25, 0.5) } else { 1.0 };
            push(t, Kind::Usage, (megabytes * fall * rng.between(0.8, 1.2)).round());
            t += 10 * DAY;
        }

        // Outages, about one a year.
        let mut t = from;
        while t < end {
            let at = t + rng.below(30 * DAY as u64) as i64;
            if rng.bernoulli(1.0 / 12.0) && at < end {
                push(at, Kind::Outage, f64::NAN);
            }
            t += 30 * DAY;
        }

        // The survey answer.
        if let Some(t) = self.survey_time {
            push(t, Kind::SurveyAnswer, self.score as f64);
        }

        self.emit_contacts(c, rng, from, end, as_of, out, cases);
    }

    #[allow(clippy::too_many_arguments)]
    fn emit_contacts(
        &self,
        c: u32,
        rng: &mut Rng,
        from: i64,
        end: i64,
        as_of: i64,
        out: &mut Vec<Event>,
        cases: &mut u32,
    ) {
        let mut contacts = Vec::new();
        let contact = |rng: &mut Rng, opened: i64| Contact {
            opened,
            department: rng.below(3) as u32,
            handle_seconds: rng.between(240.0, 720.0).round(),
            score: [6.0, 7.0, 8.0, 9.0, 10.0][rng.choose(&[0.1, 0.2, 0.3, 0.2, 0.2])],
            transferred: rng.bernoulli(0.15),
        };
        // About 2.5 contacts a year at random.
        let mut t = from;
        while t < end {
            if rng.bernoulli(2.5 / 12.0) {
                let opened = t + rng.below(30 * DAY as u64) as i64;
                let c = contact(rng, opened);
                contacts.push(c);
            }
            t += 30 * DAY;
        }
        if self.has(0) {
            // Repeat contacts: three to five in the last 45 days, a few days apart.
            let mut t = as_of - 45 * DAY + rng.below(10 * DAY as u64) as i64;
            for _ in 0..3 + rng.below(3) {
                let c = contact(rng, t);
                contacts.push(c);
                t += (rng.between(1.0, 6.0) * DAY as f64) as i64;
            }
        }
        let recent = |c: &Contact| c.opened < as_of && c.opened >= as_of - 90 * DAY;
        if self.has(1) {
            // Long handle times: at least two recent contacts, all long and often transferred.
            while contacts.iter().filter(|c| recent(c)).count() < 2 {
                let opened = as_of - 85 * DAY + rng.below(80 * DAY as u64) as i64;
                let c = contact(rng, opened);
                contacts.push(c);
            }
            for c in contacts.iter_mut().filter(|c| recent(c)) {
                c.handle_seconds = rng.between(1_500.0, 3_600.0).round();
                c.transferred = rng.bernoulli(0.5);
            }
        }
        contacts.sort_by_key(|c| c.opened);
        if self.has(4) {
            // A bad last interaction: the latest contact before the reference time, recent and
            // scored 0–3.
            let last = contacts.iter().rposition(|c| c.opened < as_of - DAY);
            let index = match last {
                Some(i) if contacts[i].opened >= as_of - 30 * DAY => i,
                _ => {
                    let opened = as_of - (rng.between(2.0, 20.0) * DAY as f64) as i64;
                    let c = contact(rng, opened);
                    let i = contacts.partition_point(|c| c.opened <= opened);
                    contacts.insert(i, c);
                    i
                }
            };
            contacts[index].score = rng.below(4) as f64;
            // Nothing else is opened between it and the reference time.
            let cut = contacts[index].opened;
            contacts.retain(|c| c.opened <= cut || c.opened >= as_of);
        }
        for contact in contacts {
            let case = *cases;
            *cases += 1;
            let opened = contact.opened;
            let resolved = opened + (rng.between(0.05, 0.9) * DAY as f64) as i64;
            let base = Event {
                customer: c,
                time: opened,
                kind: Kind::ContactOpened,
                value: f64::NAN,
                duration: f64::NAN,
                department: contact.department,
                case,
                flag: 2,
            };
            if opened >= end {
                continue;
            }
            out.push(Event { ..base });
            if contact.transferred && opened + 600 < end {
                let to = (contact.department + 1 + rng.below(2) as u32) % 3;
                out.push(Event { time: opened + 600, kind: Kind::Transfer, department: to, flag: 1, ..base });
            }
            if contact.department == 0
                && self.has(2)
                && opened >= as_of - 30 * DAY
                && opened + 900 < end
                && rng.bernoulli(0.4)
            {
                out.push(Event { time: opened + 900, kind: Kind::Complaint, ..base });
            }
            if resolved < end {
                out.push(Event {
                    time: resolved,
                    kind: Kind::ContactResolved,
                    value: contact.score,
                    duration: contact.handle_seconds,
                    flag: 1,
                    ..base
                });
            }
        }
    }
}

fn round_cents(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
