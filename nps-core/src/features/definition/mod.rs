//! Feature definitions: data, not code, so an operator can add a feature without a release.
//!
//! A [`FeatureSet`] is a JSON object with one array, `features`. Each element defines one
//! column of the [`FeatureMatrix`](super::FeatureMatrix), computed per customer as of a
//! reference time `as_of` from the events strictly before it.
//!
//! # The JSON format
//!
//! ```json
//! {"features": [
//!   {"name": "contacts_30d", "description": "Support contacts opened in the last 30 days",
//!    "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 30}},
//!   {"name": "aht_90d", "description": "Average handle time (seconds), 90 days",
//!    "kinds": ["contact_resolved"], "aggregation": "mean", "field": "duration", "window": {"days": 90}},
//!   {"name": "usage_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30}},
//!   {"name": "usage_prev_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value",
//!    "window": {"days": 30, "offset_days": 30}},
//!   {"name": "billing_contacts", "kinds": ["contact_opened"], "aggregation": "count",
//!    "filter": {"field": "department", "equals": "billing"}},
//!   {"name": "repeat_contacts_90d", "kinds": ["contact_opened"],
//!    "aggregation": {"repeat_count": {"within_days": 7}}, "window": {"days": 90}},
//!   {"name": "bill_shock", "kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 3}},
//!    "field": "value"},
//!   {"name": "usage_trend_30d", "ratio": ["usage_30d", "usage_prev_30d"]},
//!   {"name": "usage_change_30d", "difference": ["usage_30d", "usage_prev_30d"], "default": 0}
//! ]}
//! ```
//!
//! Every feature has a `name` (unique, non-empty), an optional one-line `description` and an
//! optional `default`. It is either an **aggregate** or a **composite**.
//!
//! **Aggregates** take the customer's events whose kind is one of `kinds`, that fall in the
//! `window` and pass the `filter`, and aggregate them (events sort by time, ties in input row
//! order):
//!
//! | `aggregation` | `field` | result |
//! |---|---|---|
//! | `"count"` | none | number of events |
//! | `"sum"`, `"mean"`, `"min"`, `"max"` | `value` or `duration` | of the field |
//! | `"std"` | `value` or `duration` | sample standard deviation (ddof = 1, as pandas); NaN below 2 values |
//! | `"first"`, `"last"` | `value` or `duration` | the field of the earliest / latest event |
//! | `"distinct_count"` | `case` or `department` | number of distinct cases or departments |
//! | `"days_since_last"`, `"days_since_first"` | none | days (fractional) from the latest / earliest event to `as_of` |
//! | `"slope"` | `value` or `duration` | least-squares slope of the field per day against time; NaN below 2 distinct times |
//! | `{"repeat_count": {"within_days": D}}` | none | events that come at most D days after the previous one |
//! | `{"last_over_mean_previous": {"previous": n}}` | `value` or `duration` | last value over the mean of the n before it; NaN with fewer than n + 1 values or a zero mean |
//! | `"gap_ratio"` | none | days since the last event over the median gap (days) between consecutive events; NaN below 2 events or with a zero median gap |
//! | `"nps_category"` | `value` or `duration` | category of the last value on the 0–10 scale: 0 detractor (below 7), 1 passive (7 to below 9), 2 promoter (9 to 10); NaN outside the scale |
//!
//! Aggregations that read a `value` or `duration` skip events where it is absent (NaN);
//! `distinct_count` skips events without a case or department.
//!
//! - `window`: `{"days": D, "offset_days": O}` keeps events with
//!   as_of − (O + D) days ≤ t < as_of − O days (D > 0, O ≥ 0, O defaults to 0, days may be
//!   fractional). Without a window, the whole history before `as_of`.
//! - `filter`: `{"field": "department", "equals": "billing"}` (a department name; a name the
//!   event table does not know matches nothing), `{"field": "flag", "equals": true}` (an absent
//!   flag matches neither `true` nor `false`), `{"field": "value", "min": 0, "max": 6}` (also
//!   `"duration"`; inclusive, either bound optional; an absent field never matches), and the
//!   combinations `{"all": [..]}`, `{"any": [..]}`, `{"not": {..}}`.
//! - `default`: the value when no event matches. Without it `count`, `sum`,
//!   `distinct_count` and `repeat_count` give 0 and every other aggregation gives NaN.
//!
//! Event kinds are checked when features are computed (the event table knows its kinds),
//! not when the set is loaded.
//!
//! **Composites** `"ratio": [a, b]` (a / b) and `"difference": [a, b]` (a − b) combine two
//! other features of the set, defined before or after them (cycles are an error). A ratio with a
//! zero or NaN denominator is NaN; a composite's `default` replaces a NaN result.
//!
//! # Errors
//!
//! [`FeatureSet::from_json`] reports malformed JSON with its line and column, and every other
//! problem with the JSON path of the culprit, e.g.
//! `features[3].window.days must be a positive number of days, got -30`,
//! `unknown features[2].aggregation "average"; expected one of count, sum, ...`,
//! `unknown field "features[0].colour"; expected one of name, description, ...`.
//!
//! ```
//! use nps_core::features::{Aggregation, FeatureRule, FeatureSet};
//!
//! let set = FeatureSet::from_json(r#"{"features": [
//!     {"name": "contacts_30d", "description": "Support contacts opened in the last 30 days",
//!      "kinds": ["contact_opened"], "aggregation": "count", "window": {"days": 30}}
//! ]}"#).unwrap();
//! let FeatureRule::Aggregate(a) = &set.features[0].rule else { unreachable!() };
//! assert_eq!(a.aggregation, Aggregation::Count);
//!
//! let e = FeatureSet::from_json(r#"{"features": [{"name": "x", "kinds": ["bill"],
//!     "aggregation": "count", "window": {"days": -30}}]}"#).unwrap_err();
//! assert_eq!(e.to_string(), "features[0].window.days must be a positive number of days, got -30");
//! ```

mod parse;
mod types;
mod validate;
mod write;

pub use types::{
    Aggregate, Aggregation, FeatureDefinition, FeatureRule, FeatureSet, Field, Filter, Window, AGGREGATIONS,
};
