//! Survival data from the event history, as of a date: each customer's tenure (from the
//! first `subscription_start` to the departure or to `as_of`), whether the customer left
//! before `as_of`, and when. The same history and as-of rule as the churn features (only
//! events strictly before `as_of` count), so nothing after `as_of` leaks in. A customer has
//! left at a `subscription_end` that leaves no subscription started and not ended, or at
//! the customer's last `subscription_end` when no event of any kind follows it before
//! `as_of` (one end closing every line, the history going quiet). A line that ends while
//! another is active, with the customer's history going on, is not a departure.
use serde::{Deserialize, Serialize};

use super::view::EventView;

const DAY: f64 = 86_400.0;

/// Per customer (indexed by customer code): the inputs of a survival estimate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct CustomerSurvival {
    /// The first subscription start before `as_of` (Unix seconds), if any.
    pub start: Vec<Option<i64>>,
    /// When the customer left (Unix seconds), if before `as_of`.
    pub churn_time: Vec<Option<i64>>,
    /// Days from the start to the departure or to `as_of`; NaN without a start.
    pub tenure_days: Vec<f64>,
    /// Whether the customer left before `as_of` (the event; otherwise censored at `as_of`).
    pub churned: Vec<bool>,
}

/// The survival data of every customer of `events` as of `as_of` (Unix seconds, UTC).
pub fn survival_data(events: &EventView<'_>, as_of: i64) -> CustomerSurvival {
    let kinds = events.kinds();
    let code = |name: &str| kinds.iter().position(|k| k == name).map(|k| k as u16);
    let (start_kind, end_kind) = (code("subscription_start"), code("subscription_end"));
    let n = events.customers() as usize;
    // The latest event of each customer before as_of (an end counts after anything else at
    // its time).
    let mut last: Vec<Option<(i64, bool)>> = vec![None; n];
    // (customer, time, 0 for a start / 1 for an end): at the same time a start counts first.
    let mut rows: Vec<(u32, i64, u8)> = Vec::new();
    for r in (0..events.len()).filter(|&r| events.seconds(r) < as_of) {
        let (c, t, k) = (events.customer(r), events.seconds(r), Some(events.kind(r)));
        let is_end = k == end_kind;
        let latest = &mut last[c as usize];
        if latest.is_none_or(|(lt, le)| t > lt || (t == lt && is_end && !le)) {
            *latest = Some((t, is_end));
        }
        if k == start_kind {
            rows.push((c, t, 0));
        } else if is_end {
            rows.push((c, t, 1));
        }
    }
    rows.sort_unstable();
    let mut out = CustomerSurvival {
        start: vec![None; n],
        churn_time: vec![None; n],
        tenure_days: vec![f64::NAN; n],
        churned: vec![false; n],
    };
    let mut active = vec![0i64; n];
    for (customer, time, change) in rows {
        let c = customer as usize;
        if out.churn_time[c].is_some() {
            continue;
        }
        if change == 0 {
            active[c] += 1;
            out.start[c].get_or_insert(time);
        } else if active[c] > 0 {
            active[c] -= 1;
            if active[c] == 0 {
                out.churn_time[c] = Some(time);
            }
        }
    }
    for (c, latest) in last.into_iter().enumerate() {
        if let (None, Some(_), Some((t, true))) = (out.churn_time[c], out.start[c], latest) {
            out.churn_time[c] = Some(t);
        }
        if let Some(start) = out.start[c] {
            let end = out.churn_time[c].unwrap_or(as_of);
            out.tenure_days[c] = (end - start) as f64 / DAY;
            out.churned[c] = out.churn_time[c].is_some();
        }
    }
    out
}
