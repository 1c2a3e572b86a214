//! Reading feature definitions from JSON, with the JSON path of every culprit in errors.
use serde::{Deserialize, Deserializer};
use serde_json::{Map, Value};

use super::types::{
    Aggregate, Aggregation, FeatureDefinition, FeatureRule, FeatureSet, Field, Filter, Window, AGGREGATIONS,
};
use crate::error::{NpsError, Result};
use crate::json_path::{check_keys, join, missing, number, object, show, string};

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
}

impl FeatureDefinition {
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
}

impl Aggregation {
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

impl<'de> Deserialize<'de> for FeatureSet {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        FeatureSet::from_value(&value).map_err(serde::de::Error::custom)
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
