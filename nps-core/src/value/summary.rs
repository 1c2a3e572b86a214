//! The frequency / recency / T / monetary-value summary of each customer's purchases as of
//! a date: the input of the BG/NBD and Gamma-Gamma models, built with lifetimes'
//! conventions (`summary_data_from_transaction_data`).
//!
//! Time is cut into periods of the [`TimeUnit`] (UTC days, hours, or weeks starting on
//! Monday as pandas' `W`); purchases in the same period count once (their amounts summed).
//! Per customer with a purchase up to the observation end:
//! * `frequency`: periods with a purchase after the first one (repeat purchases);
//! * `recency`: periods from the first purchase to the last one;
//! * `t`: periods from the first purchase to the observation end;
//! * `monetary_value`: the mean amount of the repeat periods (the first one excluded), 0
//!   for a customer with no repeat purchase.
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};
use crate::features::EventTable;

/// The unit the summary counts time in (lifetimes' `freq`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
pub enum TimeUnit {
    /// Hours (`"H"`).
    #[serde(rename = "H")]
    Hour,
    /// UTC days (`"D"`).
    #[serde(rename = "D")]
    #[default]
    Day,
    /// Weeks from Monday to Sunday (`"W"`, pandas' `W-SUN` periods).
    #[serde(rename = "W")]
    Week,
}

/// The unit names, as lifetimes spells them.
pub const TIME_UNITS: [&str; 3] = ["H", "D", "W"];

impl TimeUnit {
    /// The unit of a lifetimes `freq` name (`"D"`, `"W"`, `"H"`).
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "H" | "h" => Ok(TimeUnit::Hour),
            "D" => Ok(TimeUnit::Day),
            "W" => Ok(TimeUnit::Week),
            _ => Err(NpsError::unknown("freq", name, &TIME_UNITS)),
        }
    }

    /// The period (counted from the Unix epoch) that a time in seconds falls in.
    pub fn period(self, seconds: i64) -> i64 {
        match self {
            TimeUnit::Hour => seconds.div_euclid(3_600),
            TimeUnit::Day => seconds.div_euclid(86_400),
            // 1970-01-01 was a Thursday: shifting by three days puts Mondays at multiples of 7.
            TimeUnit::Week => (seconds.div_euclid(86_400) + 3).div_euclid(7),
        }
    }
}

/// One row per customer with a purchase up to the observation end, by customer code.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RfmSummary {
    /// The customer code of each row (ascending).
    pub customer: Vec<u32>,
    /// Repeat purchases: periods with a purchase after the first.
    pub frequency: Vec<f64>,
    /// Periods from the first purchase to the last.
    pub recency: Vec<f64>,
    /// Periods from the first purchase to the observation end (the customer's age, `T`).
    pub t: Vec<f64>,
    /// Mean amount of the repeat periods (0 without repeat purchases; 0 also when no
    /// amounts were given).
    pub monetary_value: Vec<f64>,
}

impl RfmSummary {
    /// Number of customers.
    pub fn len(&self) -> usize {
        self.customer.len()
    }

    /// Whether no customer purchased.
    pub fn is_empty(&self) -> bool {
        self.customer.is_empty()
    }
}

/// The summary of purchases given as columns: `customer` codes, `time` in seconds since
/// the Unix epoch (UTC), optional `amount` (one per purchase, finite). Purchases after the
/// period of `observation_end` are left out; without it, the observation ends at the last
/// purchase. Equal to lifetimes' `summary_data_from_transaction_data` on the same
/// transactions.
pub fn summary_from_transactions(
    customer: &[u32],
    time: &[i64],
    amount: Option<&[f64]>,
    observation_end: Option<i64>,
    unit: TimeUnit,
) -> Result<RfmSummary> {
    if time.len() != customer.len() {
        return Err(NpsError::LengthMismatch {
            field: "time".into(),
            actual: time.len(),
            other: "customer".into(),
            expected: customer.len(),
        });
    }
    if let Some(amount) = amount {
        if amount.len() != customer.len() {
            return Err(NpsError::LengthMismatch {
                field: "amount".into(),
                actual: amount.len(),
                other: "customer".into(),
                expected: customer.len(),
            });
        }
        if let Some(i) = amount.iter().position(|a| !a.is_finite()) {
            return Err(if amount[i].is_nan() {
                NpsError::Missing { field: "amount".into(), index: i }
            } else {
                NpsError::OutOfRange {
                    field: "amount".into(),
                    index: i,
                    value: amount[i],
                    range: "finite amounts".into(),
                }
            });
        }
    }
    if customer.is_empty() {
        return Err(NpsError::Empty { field: "transactions".into() });
    }
    let end = unit.period(observation_end.unwrap_or_else(|| *time.iter().max().expect("not empty")));
    let mut rows: Vec<(u32, i64, f64)> = (0..customer.len())
        .filter_map(|i| {
            let period = unit.period(time[i]);
            (period <= end).then(|| (customer[i], period, amount.map_or(0.0, |a| a[i])))
        })
        .collect();
    rows.sort_by_key(|row| (row.0, row.1));
    let mut summary = RfmSummary::default();
    let mut i = 0;
    while i < rows.len() {
        let who = rows[i].0;
        let first = rows[i].1;
        let (mut last, mut periods, mut repeat_total, mut period_total) = (first, 0u64, 0.0, 0.0);
        let mut current = first;
        while i < rows.len() && rows[i].0 == who {
            let (_, period, value) = rows[i];
            if period != current {
                if current != first {
                    repeat_total += period_total;
                }
                periods += 1;
                current = period;
                period_total = 0.0;
            }
            period_total += value;
            last = period;
            i += 1;
        }
        if current != first {
            repeat_total += period_total;
        }
        summary.customer.push(who);
        summary.frequency.push(periods as f64);
        summary.recency.push((last - first) as f64);
        summary.t.push((end - first) as f64);
        summary.monetary_value.push(if periods == 0 { 0.0 } else { repeat_total / periods as f64 });
    }
    Ok(summary)
}

/// The summary of the events of the given kinds (purchases, top-ups) in an event history,
/// their `value` the amount: see [`summary_from_transactions`]. A kind the table does not
/// know is an error; an event of those kinds without a value (NaN) is one too.
pub fn summary_from_events(
    events: &EventTable,
    kinds: &[&str],
    observation_end: Option<i64>,
    unit: TimeUnit,
) -> Result<RfmSummary> {
    let mut codes = Vec::with_capacity(kinds.len());
    for kind in kinds {
        let known: Vec<&str> = events.kinds.iter().map(String::as_str).collect();
        codes.push(events.kind_code(kind).ok_or_else(|| NpsError::unknown_closest("event kind", kind, &known))?);
    }
    let (mut customer, mut time, mut amount) = (Vec::new(), Vec::new(), Vec::new());
    for row in 0..events.len() {
        if codes.contains(&events.kind[row]) {
            if events.value[row].is_nan() {
                return Err(NpsError::Missing { field: "value (a purchase amount)".into(), index: row });
            }
            customer.push(events.customer[row]);
            time.push(events.time[row]);
            amount.push(events.value[row]);
        }
    }
    summary_from_transactions(&customer, &time, Some(&amount), observation_end, unit)
}
