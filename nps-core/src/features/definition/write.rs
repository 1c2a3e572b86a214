//! Writing feature definitions as JSON, in the format the parser reads.
use serde::{Serialize, Serializer};
use serde_json::{Map, Value};

use super::types::{Aggregation, FeatureDefinition, FeatureRule, FeatureSet, Filter};

impl FeatureSet {
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
}

impl FeatureDefinition {
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
}

impl Aggregation {
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
}

impl Filter {
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

impl Serialize for FeatureDefinition {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}

impl Serialize for Filter {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.to_value().serialize(serializer)
    }
}
