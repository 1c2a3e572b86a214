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
use std::collections::HashMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::{Map, Value};

use crate::error::{NpsError, Result};
use crate::json_path::{check_keys, join, missing, number, object, show, string};

/// A list of feature definitions, computed together into one matrix (columns in this order).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FeatureSet {
    /// The features, in column order.
    pub features: Vec<FeatureDefinition>,
}

/// One feature: a named aggregate of events or a composite of two other features.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureDefinition {
    /// Column name, unique in its set.
    pub name: String,
    /// One line for people reading the matrix (may be empty).
    pub description: String,
    /// How the feature is computed.
    pub rule: FeatureRule,
    /// The value when no event matches (aggregates) or when the result is NaN (composites).
    pub default: Option<f64>,
}

/// How a feature is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum FeatureRule {
    /// An aggregation over the customer's matching events.
    Aggregate(Aggregate),
    /// `numerator / denominator`; NaN when the denominator is zero or NaN.
    Ratio {
        /// Name of the feature on top.
        numerator: String,
        /// Name of the feature below.
        denominator: String,
    },
    /// `minuend − subtrahend`.
    Difference {
        /// Name of the feature subtracted from.
        minuend: String,
        /// Name of the feature subtracted.
        subtrahend: String,
    },
}

/// An aggregation over the events of some kinds, in a window, passing a filter.
#[derive(Debug, Clone, PartialEq)]
pub struct Aggregate {
    /// Event kind names (checked against the event table at compute time).
    pub kinds: Vec<String>,
    /// What to compute.
    pub aggregation: Aggregation,
    /// The field aggregated, for aggregations that read one.
    pub field: Option<Field>,
    /// The time window; `None` is the whole history before the reference time.
    pub window: Option<Window>,
    /// Which events count; `None` is all of the kinds.
    pub filter: Option<Filter>,
}

/// The aggregations (see the [features module documentation](crate::features) for their exact meaning).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Aggregation {
    /// Number of events.
    Count,
    /// Sum of the field.
    Sum,
    /// Mean of the field.
    Mean,
    /// Minimum of the field.
    Min,
    /// Maximum of the field.
    Max,
    /// Sample standard deviation of the field (ddof = 1).
    Std,
    /// The field of the earliest event.
    First,
    /// The field of the latest event.
    Last,
    /// Number of distinct cases or departments.
    DistinctCount,
    /// Days from the latest event to the reference time.
    DaysSinceLast,
    /// Days from the earliest event to the reference time.
    DaysSinceFirst,
    /// Least-squares slope of the field per day.
    Slope,
    /// Events that come at most `within_days` after the previous one.
    RepeatCount {
        /// The largest gap, in days, that makes an event a repeat.
        within_days: f64,
    },
    /// The last value over the mean of the `previous` values before it.
    LastOverMeanPrevious {
        /// How many earlier values make the baseline (at least 1).
        previous: u32,
    },
    /// Days since the last event over the median gap between events.
    GapRatio,
    /// NPS category of the last value: 0 detractor, 1 passive, 2 promoter.
    NpsCategory,
}

/// The names of the aggregations, as written in JSON.
pub const AGGREGATIONS: [&str; 16] = [
    "count",
    "sum",
    "mean",
    "min",
    "max",
    "std",
    "first",
    "last",
    "distinct_count",
    "days_since_last",
    "days_since_first",
    "slope",
    "repeat_count",
    "last_over_mean_previous",
    "gap_ratio",
    "nps_category",
];

/// What field an aggregation reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FieldUse {
    None,
    Numeric,
    Code,
}

impl Aggregation {
    /// The name as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Aggregation::Count => "count",
            Aggregation::Sum => "sum",
            Aggregation::Mean => "mean",
            Aggregation::Min => "min",
            Aggregation::Max => "max",
            Aggregation::Std => "std",
            Aggregation::First => "first",
            Aggregation::Last => "last",
            Aggregation::DistinctCount => "distinct_count",
            Aggregation::DaysSinceLast => "days_since_last",
            Aggregation::DaysSinceFirst => "days_since_first",
            Aggregation::Slope => "slope",
            Aggregation::RepeatCount { .. } => "repeat_count",
            Aggregation::LastOverMeanPrevious { .. } => "last_over_mean_previous",
            Aggregation::GapRatio => "gap_ratio",
            Aggregation::NpsCategory => "nps_category",
        }
    }

    /// The value of the aggregation over no events, without a `default`.
    pub fn empty_value(&self) -> f64 {
        match self {
            Aggregation::Count | Aggregation::Sum | Aggregation::DistinctCount | Aggregation::RepeatCount { .. } => 0.0,
            _ => f64::NAN,
        }
    }

    pub(crate) fn field_use(&self) -> FieldUse {
        match self {
            Aggregation::Count
            | Aggregation::DaysSinceLast
            | Aggregation::DaysSinceFirst
            | Aggregation::RepeatCount { .. }
            | Aggregation::GapRatio => FieldUse::None,
            Aggregation::DistinctCount => FieldUse::Code,
            _ => FieldUse::Numeric,
        }
    }

    /// The aggregation as a JSON value: its name, or `{"name": {parameters}}`.
    pub fn to_value(&self) -> Value {
        let (key, value) = match *self {
            Aggregation::RepeatCount { within_days } => ("within_days", number_value(within_days)),
            Aggregation::LastOverMeanPrevious { previous } => ("previous", Value::from(previous)),
            _ => return Value::String(self.name().into()),
        };
        let mut params = Map::new();
        params.insert(key.into(), value);
        let mut m = Map::new();
        m.insert(self.name().into(), Value::Object(params));
        Value::Object(m)
    }

    fn unit(name: &str) -> Option<Aggregation> {
        Some(match name {
            "count" => Aggregation::Count,
            "sum" => Aggregation::Sum,
            "mean" => Aggregation::Mean,
            "min" => Aggregation::Min,
            "max" => Aggregation::Max,
            "std" => Aggregation::Std,
            "first" => Aggregation::First,
            "last" => Aggregation::Last,
            "distinct_count" => Aggregation::DistinctCount,
            "days_since_last" => Aggregation::DaysSinceLast,
            "days_since_first" => Aggregation::DaysSinceFirst,
            "slope" => Aggregation::Slope,
            "gap_ratio" => Aggregation::GapRatio,
            "nps_category" => Aggregation::NpsCategory,
            _ => return None,
        })
    }
}

/// An event field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The numeric value (amount, megabytes, score).
    Value,
    /// The duration in seconds.
    Duration,
    /// The case code.
    Case,
    /// The department code.
    Department,
}

impl Field {
    /// The name as written in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Field::Value => "value",
            Field::Duration => "duration",
            Field::Case => "case",
            Field::Department => "department",
        }
    }
}

/// A time window before the reference time: as_of − (offset_days + days) ≤ t < as_of − offset_days.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Window {
    /// Length in days (positive, may be fractional).
    pub days: f64,
    /// How many days before the reference time the window ends (non-negative).
    #[serde(skip_serializing_if = "is_zero")]
    pub offset_days: f64,
}

fn is_zero(x: &f64) -> bool {
    *x == 0.0
}

impl Window {
    /// The last `days` days before the reference time.
    pub fn days(days: f64) -> Window {
        Window { days, offset_days: 0.0 }
    }
}

/// Which events count.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    /// The event's department has this name (`{"field": "department", "equals": "billing"}`).
    Department(String),
    /// The event's flag is present and equals this (`{"field": "flag", "equals": true}`).
    Flag(bool),
    /// The field (`value` or `duration`) is present and within the inclusive bounds
    /// (`{"field": "value", "min": 0, "max": 6}`).
    Range {
        /// `Field::Value` or `Field::Duration`.
        field: Field,
        /// Inclusive lower bound.
        min: Option<f64>,
        /// Inclusive upper bound.
        max: Option<f64>,
    },
    /// Every filter passes (`{"all": [..]}`; true when empty).
    All(Vec<Filter>),
    /// Some filter passes (`{"any": [..]}`; false when empty).
    Any(Vec<Filter>),
    /// The filter fails (`{"not": {..}}`).
    Not(Box<Filter>),
}

// ---------------------------------------------------------------------------------------
// Loading and validation

const FEATURE_KEYS: [&str; 10] =
    ["name", "description", "default", "kinds", "aggregation", "field", "window", "filter", "ratio", "difference"];
const AGGREGATE_ONLY: [&str; 5] = ["kinds", "aggregation", "field", "window", "filter"];

impl FeatureSet {
    /// Parses and validates a feature set from its JSON text (format in the
    /// [features module documentation](crate::features)).
    ///
    /// Errors name the line and column of malformed JSON, and otherwise the JSON path and the
    /// problem: an unknown key, aggregation or field, a wrong type, a missing name or
    /// aggregation, a field the aggregation cannot use, a non-positive window, a composite
    /// referring to an unknown feature or forming a cycle, a duplicate name.
    pub fn from_json(text: &str) -> Result<FeatureSet> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            NpsError::invalid(
                "feature definitions",
                format!("an error at line {}, column {}: {e}", e.line(), e.column()),
                "valid JSON",
            )
        })?;
        FeatureSet::from_value(&value)
    }

    /// Parses and validates a feature set from a parsed JSON value (see [`FeatureSet::from_json`]).
    pub fn from_value(value: &Value) -> Result<FeatureSet> {
        let map = object(value, "feature definitions", "an object {\"features\": [..]}")?;
        check_keys(map, "", &["features"])?;
        let list = match map.get("features") {
            Some(Value::Array(a)) => a,
            Some(other) => return Err(NpsError::invalid("features", show(other), "an array of feature definitions")),
            None => return Err(missing("features", "an array of feature definitions")),
        };
        let features =
            list.iter().enumerate().map(|(i, v)| parse_feature(v, &format!("features[{i}]"))).collect::<Result<_>>()?;
        let set = FeatureSet { features };
        set.validate()?;
        Ok(set)
    }

    /// The set as JSON text, in the format [`FeatureSet::from_json`] reads.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(&self.to_value()).expect("a JSON value always serialises")
    }

    /// The set as a JSON value, in the format [`FeatureSet::from_value`] reads.
    pub fn to_value(&self) -> Value {
        let list = self.features.iter().map(FeatureDefinition::to_value).collect();
        let mut map = Map::new();
        map.insert("features".into(), Value::Array(list));
        Value::Object(map)
    }

    /// The feature named `name`, if any.
    pub fn get(&self, name: &str) -> Option<&FeatureDefinition> {
        self.features.iter().find(|f| f.name == name)
    }

    /// Checks what [`FeatureSet::from_json`] checks beyond the JSON structure, for sets built
    /// in code: names non-empty and unique, kinds given, fields fitting their aggregations,
    /// windows and parameters in range, composites referring to existing features without cycles.
    pub fn validate(&self) -> Result<()> {
        self.composite_order().map(|_| ())
    }

    /// Validates the set and returns the indices of its composite features in an order where
    /// each comes after the composites it refers to.
    pub(crate) fn composite_order(&self) -> Result<Vec<usize>> {
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(self.features.len());
        for (i, f) in self.features.iter().enumerate() {
            let path = format!("features[{i}]");
            f.validate(&path)?;
            if let Some(first) = index.insert(f.name.as_str(), i) {
                let expected = format!("unique (features[{first}] has the same name)");
                return Err(NpsError::invalid(&format!("{path}.name"), format!("{:?}", f.name), &expected));
            }
        }
        // Resolve references.
        let mut refs: Vec<Option<[usize; 2]>> = Vec::with_capacity(self.features.len());
        for (i, f) in self.features.iter().enumerate() {
            refs.push(match f.operands() {
                None => None,
                Some((key, operands)) => {
                    let mut pair = [0; 2];
                    for (k, name) in operands.iter().enumerate() {
                        pair[k] = *index.get(name.as_str()).ok_or_else(|| NpsError::Unknown {
                            field: format!("feature in features[{i}].{key}[{k}]"),
                            value: name.to_string(),
                            expected: self.features.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", "),
                        })?;
                    }
                    Some(pair)
                }
            });
        }
        // Depth-first post-order over composites; 0 unvisited, 1 on the stack, 2 done.
        let mut state = vec![0u8; self.features.len()];
        let mut order = Vec::new();
        for start in 0..self.features.len() {
            if refs[start].is_none() || state[start] == 2 {
                continue;
            }
            // Explicit stack of (feature, next operand to visit).
            let mut stack: Vec<(usize, usize)> = vec![(start, 0)];
            state[start] = 1;
            while let Some(&mut (node, ref mut next)) = stack.last_mut() {
                let pair = refs[node].expect("only composites are pushed");
                if *next == 2 {
                    state[node] = 2;
                    order.push(node);
                    stack.pop();
                    continue;
                }
                let child = pair[*next];
                *next += 1;
                if refs[child].is_none() || state[child] == 2 {
                    continue;
                }
                if state[child] == 1 {
                    let at = stack.iter().position(|&(n, _)| n == child).expect("on the stack");
                    let mut cycle: Vec<&str> =
                        stack[at..].iter().map(|&(n, _)| self.features[n].name.as_str()).collect();
                    cycle.push(&self.features[child].name);
                    let (key, _) = self.features[node].operands().expect("composite");
                    return Err(NpsError::invalid(
                        &format!("features[{node}].{key}"),
                        format!("the cycle {}", cycle.join(" → ")),
                        "a pair of features that do not depend on this one",
                    ));
                }
                state[child] = 1;
                stack.push((child, 0));
            }
        }
        Ok(order)
    }
}

impl FeatureDefinition {
    /// An aggregate feature without window, filter or default.
    pub fn aggregate(
        name: &str,
        description: &str,
        kinds: &[&str],
        aggregation: Aggregation,
        field: Option<Field>,
    ) -> Self {
        FeatureDefinition {
            name: name.into(),
            description: description.into(),
            rule: FeatureRule::Aggregate(Aggregate {
                kinds: kinds.iter().map(|k| k.to_string()).collect(),
                aggregation,
                field,
                window: None,
                filter: None,
            }),
            default: None,
        }
    }

    /// Parses one definition from JSON text; composites are not resolved (that needs the set).
    pub fn from_json(text: &str) -> Result<FeatureDefinition> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            NpsError::invalid(
                "feature definition",
                format!("an error at line {}, column {}: {e}", e.line(), e.column()),
                "valid JSON",
            )
        })?;
        let f = parse_feature(&value, "feature")?;
        f.validate("feature")?;
        Ok(f)
    }

    /// The definition as a JSON value.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), Value::String(self.name.clone()));
        if !self.description.is_empty() {
            m.insert("description".into(), Value::String(self.description.clone()));
        }
        match &self.rule {
            FeatureRule::Aggregate(a) => {
                m.insert("kinds".into(), Value::Array(a.kinds.iter().cloned().map(Value::String).collect()));
                m.insert("aggregation".into(), a.aggregation.to_value());
                if let Some(f) = a.field {
                    m.insert("field".into(), Value::String(f.name().into()));
                }
                if let Some(w) = a.window {
                    let mut window = Map::new();
                    window.insert("days".into(), number_value(w.days));
                    if w.offset_days != 0.0 {
                        window.insert("offset_days".into(), number_value(w.offset_days));
                    }
                    m.insert("window".into(), Value::Object(window));
                }
                if let Some(f) = &a.filter {
                    m.insert("filter".into(), f.to_value());
                }
            }
            FeatureRule::Ratio { numerator, denominator } => {
                m.insert("ratio".into(), Value::from(vec![numerator.clone(), denominator.clone()]));
            }
            FeatureRule::Difference { minuend, subtrahend } => {
                m.insert("difference".into(), Value::from(vec![minuend.clone(), subtrahend.clone()]));
            }
        }
        if let Some(d) = self.default {
            m.insert("default".into(), number_value(d));
        }
        Value::Object(m)
    }

    /// For composites, the JSON key ("ratio" or "difference") and the two operand names.
    pub(crate) fn operands(&self) -> Option<(&'static str, [&String; 2])> {
        match &self.rule {
            FeatureRule::Aggregate(_) => None,
            FeatureRule::Ratio { numerator, denominator } => Some(("ratio", [numerator, denominator])),
            FeatureRule::Difference { minuend, subtrahend } => Some(("difference", [minuend, subtrahend])),
        }
    }

    /// Semantic checks of one definition; `path` is its JSON path.
    fn validate(&self, path: &str) -> Result<()> {
        if self.name.is_empty() {
            return Err(NpsError::invalid(&format!("{path}.name"), "\"\"", "a non-empty string"));
        }
        if let Some(d) = self.default {
            if !d.is_finite() {
                return Err(NpsError::invalid(&format!("{path}.default"), d, "a finite number"));
            }
        }
        let FeatureRule::Aggregate(a) = &self.rule else { return Ok(()) };
        if a.kinds.is_empty() {
            return Err(NpsError::invalid(&format!("{path}.kinds"), "[]", "a non-empty array of event kinds"));
        }
        if let Some(k) = a.kinds.iter().position(|k| k.is_empty()) {
            return Err(NpsError::invalid(&format!("{path}.kinds[{k}]"), "\"\"", "a non-empty event kind"));
        }
        let agg = a.aggregation.name();
        let field_path = format!("{path}.field");
        match (a.aggregation.field_use(), a.field) {
            (FieldUse::None, Some(f)) => {
                return Err(NpsError::invalid(
                    &field_path,
                    format!("{:?}", f.name()),
                    &format!("absent ({agg} reads no field)"),
                ))
            }
            (FieldUse::Numeric, None) => {
                return Err(missing(&field_path, &format!("\"value\" or \"duration\" ({agg} reads a numeric field)")))
            }
            (FieldUse::Numeric, Some(f @ (Field::Case | Field::Department))) => {
                return Err(NpsError::invalid(
                    &field_path,
                    format!("{:?}", f.name()),
                    &format!("\"value\" or \"duration\" for {agg}"),
                ))
            }
            (FieldUse::Code, None) => {
                return Err(missing(&field_path, "\"case\" or \"department\" (distinct_count counts codes)"))
            }
            (FieldUse::Code, Some(f @ (Field::Value | Field::Duration))) => {
                return Err(NpsError::invalid(
                    &field_path,
                    format!("{:?}", f.name()),
                    "\"case\" or \"department\" for distinct_count",
                ))
            }
            _ => {}
        }
        match a.aggregation {
            Aggregation::RepeatCount { within_days } if !(within_days.is_finite() && within_days >= 0.0) => {
                return Err(NpsError::invalid(
                    &format!("{path}.aggregation.repeat_count.within_days"),
                    within_days,
                    "a non-negative number of days",
                ));
            }
            Aggregation::LastOverMeanPrevious { previous: 0 } => {
                return Err(NpsError::invalid(
                    &format!("{path}.aggregation.last_over_mean_previous.previous"),
                    0,
                    "a whole number of at least 1",
                ));
            }
            _ => {}
        }
        if let Some(w) = a.window {
            if !(w.days.is_finite() && w.days > 0.0) {
                return Err(NpsError::invalid(&format!("{path}.window.days"), w.days, "a positive number of days"));
            }
            if !(w.offset_days.is_finite() && w.offset_days >= 0.0) {
                return Err(NpsError::invalid(
                    &format!("{path}.window.offset_days"),
                    w.offset_days,
                    "a non-negative number of days",
                ));
            }
        }
        if let Some(f) = &a.filter {
            f.validate(&format!("{path}.filter"))?;
        }
        Ok(())
    }
}

impl Filter {
    fn validate(&self, path: &str) -> Result<()> {
        match self {
            Filter::Department(_) | Filter::Flag(_) => Ok(()),
            Filter::Range { field, min, max } => {
                if !matches!(field, Field::Value | Field::Duration) {
                    let value = format!("{:?}", field.name());
                    return Err(NpsError::invalid(
                        &format!("{path}.field"),
                        value,
                        "\"value\" or \"duration\" for a range",
                    ));
                }
                for (key, bound) in [("min", min), ("max", max)] {
                    if let Some(b) = bound {
                        if !b.is_finite() {
                            return Err(NpsError::invalid(&format!("{path}.{key}"), b, "a finite number"));
                        }
                    }
                }
                if let (Some(lo), Some(hi)) = (min, max) {
                    if lo > hi {
                        return Err(NpsError::invalid(&format!("{path}.max"), hi, &format!("at least min ({lo})")));
                    }
                }
                Ok(())
            }
            Filter::All(list) => list.iter().enumerate().try_for_each(|(i, f)| f.validate(&format!("{path}.all[{i}]"))),
            Filter::Any(list) => list.iter().enumerate().try_for_each(|(i, f)| f.validate(&format!("{path}.any[{i}]"))),
            Filter::Not(f) => f.validate(&format!("{path}.not")),
        }
    }

    /// The filter as a JSON value.
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        match self {
            Filter::Department(name) => {
                m.insert("field".into(), "department".into());
                m.insert("equals".into(), Value::String(name.clone()));
            }
            Filter::Flag(b) => {
                m.insert("field".into(), "flag".into());
                m.insert("equals".into(), Value::Bool(*b));
            }
            Filter::Range { field, min, max } => {
                m.insert("field".into(), field.name().into());
                if let Some(x) = min {
                    m.insert("min".into(), number_value(*x));
                }
                if let Some(x) = max {
                    m.insert("max".into(), number_value(*x));
                }
            }
            Filter::All(list) => {
                m.insert("all".into(), Value::Array(list.iter().map(Filter::to_value).collect()));
            }
            Filter::Any(list) => {
                m.insert("any".into(), Value::Array(list.iter().map(Filter::to_value).collect()));
            }
            Filter::Not(f) => {
                m.insert("not".into(), f.to_value());
            }
        }
        Value::Object(m)
    }
}

/// Whole numbers print without a fraction (`30`, not `30.0`).
fn number_value(x: f64) -> Value {
    if x.fract() == 0.0 && x.abs() < 9.0e15 {
        Value::from(x as i64)
    } else {
        Value::from(x)
    }
}

impl Serialize for FeatureSet {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FeatureSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        FeatureSet::from_value(&value).map_err(serde::de::Error::custom)
    }
}

impl Serialize for FeatureDefinition {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for FeatureDefinition {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        let f = parse_feature(&value, "feature").map_err(serde::de::Error::custom)?;
        f.validate("feature").map_err(serde::de::Error::custom)?;
        Ok(f)
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

fn parse_feature(v: &Value, path: &str) -> Result<FeatureDefinition> {
    let m = object(v, path, "a feature definition (an object)")?;
    check_keys(m, path, &FEATURE_KEYS)?;
    let name = match m.get("name") {
        Some(v) => string(v, &join(path, "name"))?,
        None => return Err(missing(&join(path, "name"), "a feature name")),
    };
    let description =
        m.get("description").map(|v| string(v, &join(path, "description"))).transpose()?.unwrap_or_default();
    let default = m.get("default").map(|v| number(v, &join(path, "default"))).transpose()?;
    let composite: Vec<&str> = ["ratio", "difference"].into_iter().filter(|k| m.contains_key(*k)).collect();
    let rule = match composite.as_slice() {
        [] => FeatureRule::Aggregate(parse_aggregate(m, path)?),
        [key] => {
            if let Some(k) = AGGREGATE_ONLY.iter().find(|k| m.contains_key(**k)) {
                return Err(NpsError::invalid(
                    &join(path, k),
                    show(&m[*k]),
                    &format!("absent on a {key} feature (it takes name, description and default only)"),
                ));
            }
            let p = join(path, key);
            let pair = match &m[*key] {
                Value::Array(a) if a.len() == 2 => {
                    [string(&a[0], &format!("{p}[0]"))?, string(&a[1], &format!("{p}[1]"))?]
                }
                other => return Err(NpsError::invalid(&p, show(other), "an array of two feature names")),
            };
            let [a, b] = pair;
            if *key == "ratio" {
                FeatureRule::Ratio { numerator: a, denominator: b }
            } else {
                FeatureRule::Difference { minuend: a, subtrahend: b }
            }
        }
        _ => return Err(NpsError::invalid(path, "both \"ratio\" and \"difference\"", "one of them")),
    };
    Ok(FeatureDefinition { name, description, rule, default })
}

fn parse_aggregate(m: &Map<String, Value>, path: &str) -> Result<Aggregate> {
    let kinds = match m.get("kinds") {
        Some(Value::Array(a)) => {
            a.iter().enumerate().map(|(i, v)| string(v, &format!("{path}.kinds[{i}]"))).collect::<Result<Vec<_>>>()?
        }
        Some(other) => return Err(NpsError::invalid(&join(path, "kinds"), show(other), "an array of event kinds")),
        None => {
            return Err(missing(
                &join(path, "kinds"),
                "an array of event kinds (or \"ratio\" or \"difference\" for a composite feature)",
            ))
        }
    };
    let agg_path = join(path, "aggregation");
    let aggregation = match m.get("aggregation") {
        Some(v) => parse_aggregation(v, &agg_path)?,
        None => return Err(missing(&agg_path, &format!("an aggregation (one of {})", AGGREGATIONS.join(", ")))),
    };
    let field = match m.get("field") {
        None => None,
        Some(v) => {
            let p = join(path, "field");
            let s = string(v, &p)?;
            Some(match s.as_str() {
                "value" => Field::Value,
                "duration" => Field::Duration,
                "case" => Field::Case,
                "department" => Field::Department,
                _ => return Err(NpsError::unknown(&p, &s, &["value", "duration", "case", "department"])),
            })
        }
    };
    let window = m.get("window").map(|v| parse_window(v, &join(path, "window"))).transpose()?;
    let filter = m.get("filter").map(|v| parse_filter(v, &join(path, "filter"))).transpose()?;
    Ok(Aggregate { kinds, aggregation, field, window, filter })
}

fn parse_aggregation(v: &Value, path: &str) -> Result<Aggregation> {
    match v {
        Value::String(s) => match Aggregation::unit(s) {
            Some(a) => Ok(a),
            None if s == "repeat_count" => {
                Err(NpsError::invalid(path, show(v), "{\"repeat_count\": {\"within_days\": D}} (it needs a parameter)"))
            }
            None if s == "last_over_mean_previous" => Err(NpsError::invalid(
                path,
                show(v),
                "{\"last_over_mean_previous\": {\"previous\": n}} (it needs a parameter)",
            )),
            None => Err(NpsError::unknown(path, s, &AGGREGATIONS)),
        },
        Value::Object(m) if m.len() == 1 => {
            let (name, params) = m.iter().next().expect("one entry");
            let p = join(path, name);
            match name.as_str() {
                "repeat_count" => {
                    let o = object(params, &p, "an object {\"within_days\": D}")?;
                    check_keys(o, &p, &["within_days"])?;
                    let within = match o.get("within_days") {
                        Some(v) => number(v, &join(&p, "within_days"))?,
                        None => return Err(missing(&join(&p, "within_days"), "a number of days")),
                    };
                    Ok(Aggregation::RepeatCount { within_days: within })
                }
                "last_over_mean_previous" => {
                    let o = object(params, &p, "an object {\"previous\": n}")?;
                    check_keys(o, &p, &["previous"])?;
                    let q = join(&p, "previous");
                    let previous = match o.get("previous") {
                        Some(v) => match v.as_u64() {
                            Some(n) if n >= 1 && n <= u32::MAX as u64 => n as u32,
                            _ => return Err(NpsError::invalid(&q, show(v), "a whole number of at least 1")),
                        },
                        None => return Err(missing(&q, "a whole number of at least 1")),
                    };
                    Ok(Aggregation::LastOverMeanPrevious { previous })
                }
                other if Aggregation::unit(other).is_some() => {
                    Err(NpsError::invalid(path, show(v), &format!("the string {other:?} (it takes no parameters)")))
                }
                other => Err(NpsError::unknown(path, other, &AGGREGATIONS)),
            }
        }
        other => Err(NpsError::invalid(
            path,
            show(other),
            "an aggregation name such as \"count\", or {\"repeat_count\": {..}} / {\"last_over_mean_previous\": {..}}",
        )),
    }
}

fn parse_window(v: &Value, path: &str) -> Result<Window> {
    let m = object(v, path, "an object {\"days\": D, \"offset_days\": O}")?;
    check_keys(m, path, &["days", "offset_days"])?;
    let days = match m.get("days") {
        Some(v) => number(v, &join(path, "days"))?,
        None => return Err(missing(&join(path, "days"), "a positive number of days")),
    };
    let offset_days = m.get("offset_days").map(|v| number(v, &join(path, "offset_days"))).transpose()?.unwrap_or(0.0);
    Ok(Window { days, offset_days })
}

const FILTER_SHAPES: &str =
    "a filter: {\"field\": .., \"equals\": ..}, {\"field\": .., \"min\": .., \"max\": ..}, {\"all\": [..]}, {\"any\": [..]} or {\"not\": {..}}";

fn parse_filter(v: &Value, path: &str) -> Result<Filter> {
    let m = object(v, path, FILTER_SHAPES)?;
    let shapes: Vec<&str> = ["field", "all", "any", "not"].into_iter().filter(|k| m.contains_key(*k)).collect();
    match shapes.as_slice() {
        [] => {
            check_keys(m, path, &["field", "equals", "min", "max", "all", "any", "not"])?;
            Err(NpsError::invalid(path, show(v), FILTER_SHAPES))
        }
        ["field"] => parse_field_filter(m, path),
        [combinator] => {
            check_keys(m, path, &[combinator])?;
            let p = join(path, combinator);
            match *combinator {
                "not" => Ok(Filter::Not(Box::new(parse_filter(&m["not"], &p)?))),
                _ => {
                    let list = match &m[*combinator] {
                        Value::Array(a) => a
                            .iter()
                            .enumerate()
                            .map(|(i, f)| parse_filter(f, &format!("{p}[{i}]")))
                            .collect::<Result<Vec<_>>>()?,
                        other => return Err(NpsError::invalid(&p, show(other), "an array of filters")),
                    };
                    Ok(if *combinator == "all" { Filter::All(list) } else { Filter::Any(list) })
                }
            }
        }
        several => Err(NpsError::invalid(
            path,
            format!("the keys {}", several.join(", ")),
            "exactly one of field, all, any, not (combine filters with \"all\")",
        )),
    }
}

fn parse_field_filter(m: &Map<String, Value>, path: &str) -> Result<Filter> {
    let field_path = join(path, "field");
    let field = string(&m["field"], &field_path)?;
    match field.as_str() {
        "department" | "flag" => {
            check_keys(m, path, &["field", "equals"])?;
            let p = join(path, "equals");
            let Some(equals) = m.get("equals") else {
                return Err(missing(&p, if field == "flag" { "true or false" } else { "a department name" }));
            };
            if field == "flag" {
                match equals {
                    Value::Bool(b) => Ok(Filter::Flag(*b)),
                    other => Err(NpsError::invalid(&p, show(other), "true or false")),
                }
            } else {
                Ok(Filter::Department(string(equals, &p)?))
            }
        }
        "value" | "duration" => {
            check_keys(m, path, &["field", "min", "max"])?;
            let min = m.get("min").map(|v| number(v, &join(path, "min"))).transpose()?;
            let max = m.get("max").map(|v| number(v, &join(path, "max"))).transpose()?;
            let field = if field == "value" { Field::Value } else { Field::Duration };
            Ok(Filter::Range { field, min, max })
        }
        _ => Err(NpsError::unknown(&field_path, &field, &["department", "flag", "value", "duration"])),
    }
}
