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
//!
//! [`SummaryOptions`] holds lifetimes' other arguments: `freq_multiplier` (recency and `T`
//! in units of that many periods, e.g. hours / 24 for exact days) and
//! `include_first_transaction` (the first period counted in `frequency` and the monetary
//! value; not for the BG/NBD and Gamma-Gamma fits, which expect repeat purchases).
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

/// How purchases are summarised (lifetimes' `observation_period_end`, `freq`,
/// `freq_multiplier`, `include_first_transaction`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SummaryOptions {
    /// Unix seconds: purchases after its period are left out; `None`: the observation ends
    /// at the last purchase.
    pub observation_end: Option<i64>,
    /// The period purchases are counted in.
    pub unit: TimeUnit,
    /// Recency and `T` are divided by it (positive and finite; 1 by default).
    pub freq_multiplier: f64,
    /// Count the first period in `frequency` and the monetary value (false by default).
    pub include_first_transaction: bool,
}

impl Default for SummaryOptions {
    fn default() -> Self {
        SummaryOptions {
            observation_end: None,
            unit: TimeUnit::Day,
            freq_multiplier: 1.0,
            include_first_transaction: false,
        }
    }
}

/// One row per customer with a purchase up to the observation end, by customer code.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct RfmSummary {
    /// The customer code of each row (ascending).
    pub customer: Vec<u32>,
    /// Repeat purchases: periods with a purchase after the first (every period with a
    /// purchase with `include_first_transaction`).
    pub frequency: Vec<f64>,
    /// Periods from the first purchase to the last (divided by `freq_multiplier`).
    pub recency: Vec<f64>,
    /// Periods from the first purchase to the observation end (the customer's age, `T`;
    /// divided by `freq_multiplier`).
    pub t: Vec<f64>,
    /// Mean amount of the repeat periods (0 without repeat purchases; 0 also when no
    /// amounts were given); of every period with `include_first_transaction`.
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
/// the Unix epoch (UTC), optional `amount` (one per purchase, finite), as `options` say.
/// Equal to lifetimes' `summary_data_from_transaction_data` on the same transactions.
pub fn summary_from_transactions(
    customer: &[u32],
    time: &[i64],
    amount: Option<&[f64]>,
    options: &SummaryOptions,
) -> Result<RfmSummary> {
    let SummaryOptions { observation_end, unit, freq_multiplier, include_first_transaction } = *options;
    if !(freq_multiplier.is_finite() && freq_multiplier > 0.0) {
        return Err(NpsError::invalid("freq_multiplier", freq_multiplier, "a positive, finite number"));
    }
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
        let (mut current, mut first_total) = (first, 0.0);
        while i < rows.len() && rows[i].0 == who {
            let (_, period, value) = rows[i];
            if period != current {
                if current != first {
                    repeat_total += period_total;
                } else {
                    first_total = period_total;
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
        } else {
            first_total = period_total;
        }
        // lifetimes: the mean of the periods' sums, the first one left out unless asked.
        let (count, total) =
            if include_first_transaction { (periods + 1, first_total + repeat_total) } else { (periods, repeat_total) };
        summary.customer.push(who);
        summary.frequency.push(count as f64);
        summary.recency.push((last - first) as f64 / freq_multiplier);
        summary.t.push((end - first) as f64 / freq_multiplier);
        summary.monetary_value.push(if count == 0 { 0.0 } else { total / count as f64 });
    }
    Ok(summary)
}

/// The summary of the events of the given kinds (purchases, top-ups) in an event history,
/// their `value` the amount: see [`summary_from_transactions`]. A kind the table does not
/// know is an error; an event of those kinds without a value (NaN) is one too.
pub fn summary_from_events(events: &EventTable, kinds: &[&str], options: &SummaryOptions) -> Result<RfmSummary> {
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
    summary_from_transactions(&customer, &time, Some(&amount), options)
}
