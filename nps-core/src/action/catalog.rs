//! The catalogue: schema, factors, bands, levers, policies and actions, loaded from JSON and
//! compiled once so that decisions only read slots.
use std::sync::Arc;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

use super::condition::{compile, Node, Schema};
use super::json::{array, join, keys, missing, non_negative, number, object, required, show, string};
use super::policy::{self, Policy, Scope};
use super::{Customer, FieldValue};
use crate::error::{NpsError, Result};

/// The type of a customer field, declared in the catalogue's `fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldType {
    /// A number (`"number"`).
    Number,
    /// A string (`"string"`).
    String,
    /// A boolean (`"bool"`).
    Bool,
}

impl FieldType {
    /// The name used in JSON.
    pub fn name(self) -> &'static str {
        match self {
            FieldType::Number => "number",
            FieldType::String => "string",
            FieldType::Bool => "bool",
        }
    }
}

/// A named range of the churn score: scores below `below` (and at or above the previous band's
/// bound); the last band has no bound.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Band {
    /// The band's name.
    pub name: String,
    /// The exclusive upper bound; `None` for the last band.
    pub below: Option<f64>,
}

/// A business lever: raises the priority of an action or group by a percentage (levers add up).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Lever {
    /// The lever's name.
    pub name: String,
    /// The percentage added to the priority (non-negative).
    pub percent: f64,
    /// The action or group it applies to.
    pub scope: Scope,
}

/// The value V of an action: fixed, or a number field of the customer times a factor.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ActionValue {
    /// A fixed value.
    Fixed(f64),
    /// `customer[field] × times`.
    Field {
        /// The field's name.
        field: String,
        /// Its slot in the customer record.
        slot: usize,
        /// The multiplier.
        times: f64,
    },
}

/// One action of the catalogue (its conditions are compiled and kept private).
#[derive(Debug, Clone, Serialize)]
pub struct Action {
    /// Unique id.
    pub id: Arc<str>,
    /// What the agent reads.
    pub label: Arc<str>,
    /// The channel it goes through (contact policies limit channels).
    pub channel: Arc<str>,
    /// The group it belongs to (levers and suppression may target groups); may be empty.
    pub group: Arc<str>,
    /// The value V.
    pub value: ActionValue,
    /// The context weight C.
    pub weight: f64,
    /// Its lever multiplier, L = 1 + Σ percent / 100 over the levers that target it.
    pub lever: f64,
    #[serde(skip)]
    pub(super) eligibility: Node,
    #[serde(skip)]
    pub(super) applicability: Node,
    #[serde(skip)]
    pub(super) suitability: Node,
    /// Indices of the policies that concern it.
    #[serde(skip)]
    pub(super) policies: Vec<usize>,
}

/// A compiled next-best-action catalogue. Load it with [`Catalog::from_json`]; it serialises
/// back to the JSON it was loaded from.
#[derive(Debug, Clone)]
pub struct Catalog {
    pub(super) fields: Vec<(String, FieldType)>,
    pub(super) factors: Vec<String>,
    pub(super) bands: Vec<Band>,
    pub(super) levers: Vec<Lever>,
    pub(super) policies: Vec<Policy>,
    pub(super) reasons: Vec<Arc<str>>,
    pub(super) actions: Vec<Action>,
    pub(super) ranks_factors: bool,
    /// For each field, the strings its conditions compare with (codes are positions here).
    pub(super) vocabulary: Vec<Vec<String>>,
    /// For each declared factor, the position of its name in alphabetical order (rank ties).
    pub(super) factor_order: Vec<usize>,
    source: Value,
}

const TOP_KEYS: [&str; 6] = ["fields", "factors", "bands", "levers", "policies", "actions"];
const ACTION_KEYS: [&str; 9] =
    ["id", "label", "channel", "group", "value", "weight", "eligibility", "applicability", "suitability"];

impl Catalog {
    /// Parses and compiles a catalogue from JSON text. Errors name the line and column of
    /// malformed JSON and otherwise the JSON path of the culprit (unknown field, factor, band or
    /// operator, type mismatch, negative value, weight or lever, duplicate action id).
    pub fn from_json(text: &str) -> Result<Catalog> {
        let value: Value = serde_json::from_str(text).map_err(|e| {
            NpsError::invalid(
                "catalogue",
                format!("an error at line {}, column {}: {e}", e.line(), e.column()),
                "valid JSON",
            )
        })?;
        Catalog::from_value(&value)
    }

    /// Parses and compiles a catalogue from a JSON value (see [`Catalog::from_json`]).
    pub fn from_value(value: &Value) -> Result<Catalog> {
        let m = object(value, "catalogue", "an object {\"fields\", \"factors\", .., \"actions\"}")?;
        keys(m, "", &TOP_KEYS)?;
        let list = |key: &str| -> Result<&[Value]> {
            match m.get(key) {
                None => Ok(&[]),
                Some(v) => Ok(array(v, key, "an array")?.as_slice()),
            }
        };

        // Fields, in alphabetical order so slots do not depend on how the JSON map is ordered.
        let mut fields = Vec::new();
        if let Some(f) = m.get("fields") {
            for (name, ty) in object(f, "fields", "an object {\"name\": \"number\" | \"string\" | \"bool\"}")? {
                let p = join("fields", name);
                let ty = match string(ty, &p)?.as_str() {
                    "number" => FieldType::Number,
                    "string" => FieldType::String,
                    "bool" => FieldType::Bool,
                    other => return Err(NpsError::unknown(&p, other, &["number", "string", "bool"])),
                };
                fields.push((name.clone(), ty));
            }
        }
        fields.sort_by(|a, b| a.0.cmp(&b.0));

        let mut factors = Vec::new();
        for (i, f) in list("factors")?.iter().enumerate() {
            let p = format!("factors[{i}]");
            let name = string(f, &p)?;
            if factors.contains(&name) {
                return Err(NpsError::invalid(&p, show(f), "a factor not declared before"));
            }
            factors.push(name);
        }

        let bands = parse_bands(list("bands")?)?;
        let schema = Schema {
            fields: &fields,
            factors: &factors,
            bands: &bands,
            vocabulary: std::cell::RefCell::new(vec![Vec::new(); fields.len()]),
        };

        let policies = list("policies")?
            .iter()
            .enumerate()
            .map(|(i, p)| policy::parse(p, &format!("policies[{i}]")))
            .collect::<Result<Vec<_>>>()?;

        let mut actions: Vec<Action> = Vec::new();
        for (i, a) in list("actions")?.iter().enumerate() {
            let action = parse_action(a, &format!("actions[{i}]"), &schema)?;
            if let Some(j) = actions.iter().position(|b| b.id == action.id) {
                return Err(NpsError::invalid(
                    &format!("actions[{i}].id"),
                    format!("{:?}", &*action.id),
                    &format!("unique (actions[{j}] has the same id)"),
                ));
            }
            actions.push(action);
        }

        let mut levers = Vec::new();
        for (i, l) in list("levers")?.iter().enumerate() {
            let p = format!("levers[{i}]");
            let lm = object(l, &p, "an object {\"name\", \"percent\", \"group\" | \"action\"}")?;
            keys(lm, &p, &["name", "percent", "group", "action"])?;
            let name = lm.get("name").map(|v| string(v, &join(&p, "name"))).transpose()?.unwrap_or_default();
            let percent =
                non_negative(required(lm, &p, "percent", "a non-negative percentage")?, &join(&p, "percent"))?;
            let scope = match (lm.get("action"), lm.get("group")) {
                (Some(a), None) => {
                    let id = string(a, &join(&p, "action"))?;
                    if !actions.iter().any(|x| *x.id == *id) {
                        let ids: Vec<&str> = actions.iter().map(|x| &*x.id).collect();
                        return Err(NpsError::unknown(&join(&p, "action"), &id, &ids));
                    }
                    Scope::Action(id)
                }
                (None, Some(g)) => Scope::Group(string(g, &join(&p, "group"))?),
                (None, None) => return Err(missing(&join(&p, "group"), "a group or an \"action\" id")),
                (Some(_), Some(_)) => {
                    return Err(NpsError::invalid(&p, "both \"action\" and \"group\"", "one of them"))
                }
            };
            levers.push(Lever { name, percent, scope });
        }

        for a in &mut actions {
            let sum: f64 = levers
                .iter()
                .filter(|l| match &l.scope {
                    Scope::Action(id) => **id == *a.id,
                    Scope::Group(g) => **g == *a.group,
                })
                .map(|l| l.percent)
                .sum();
            a.lever = 1.0 + sum / 100.0;
            a.policies = policies
                .iter()
                .enumerate()
                .filter(|(_, p)| p.applies(&a.id, &a.channel, &a.group))
                .map(|(i, _)| i)
                .collect();
        }
        let ranks_factors = actions
            .iter()
            .any(|a| a.eligibility.uses_rank() || a.applicability.uses_rank() || a.suitability.uses_rank());
        let reasons = policies.iter().map(Policy::reason).collect();
        let vocabulary = schema.vocabulary.into_inner();
        let mut by_name: Vec<usize> = (0..factors.len()).collect();
        by_name.sort_by(|&a, &b| factors[a].cmp(&factors[b]));
        let mut factor_order = vec![0; factors.len()];
        for (position, &k) in by_name.iter().enumerate() {
            factor_order[k] = position;
        }
        Ok(Catalog {
            fields,
            factors,
            bands,
            levers,
            policies,
            reasons,
            actions,
            ranks_factors,
            vocabulary,
            factor_order,
            source: value.clone(),
        })
    }

    /// The customer fields and their types, in slot order (alphabetical by name).
    pub fn fields(&self) -> &[(String, FieldType)] {
        &self.fields
    }

    /// The slot of a field in [`Customer::values`], if the schema declares it.
    pub fn field_index(&self, name: &str) -> Option<usize> {
        self.fields.iter().position(|(n, _)| n == name)
    }

    /// The declared attribution factors.
    pub fn factors(&self) -> &[String] {
        &self.factors
    }

    /// The index of a declared factor, if any.
    pub fn factor_index(&self, name: &str) -> Option<usize> {
        self.factors.iter().position(|n| n == name)
    }

    /// The score bands, lowest first.
    pub fn bands(&self) -> &[Band] {
        &self.bands
    }

    /// The levers.
    pub fn levers(&self) -> &[Lever] {
        &self.levers
    }

    /// The contact policies, in catalogue order (a trace refers to them by index).
    pub fn policies(&self) -> &[Policy] {
        &self.policies
    }

    /// The actions, in catalogue order (a trace has one entry per action, in this order).
    pub fn actions(&self) -> &[Action] {
        &self.actions
    }

    /// The name of the band a score falls in (`None` when no bands are declared).
    pub fn band(&self, score: f64) -> Option<&str> {
        self.bands.get(self.band_index(score)).map(|b| b.name.as_str())
    }

    pub(super) fn band_index(&self, score: f64) -> usize {
        self.bands.iter().position(|b| b.below.is_none_or(|x| score < x)).unwrap_or(0)
    }

    /// Builds a customer record from `(field, value)` pairs; fields not given are Missing.
    /// An unknown field, or a value of the wrong type, is an error naming the field.
    pub fn customer(&self, values: &[(&str, FieldValue)]) -> Result<Customer> {
        let mut record = vec![FieldValue::Missing; self.fields.len()];
        for (name, value) in values {
            let Some(slot) = self.field_index(name) else {
                let known: Vec<&str> = self.fields.iter().map(|(n, _)| n.as_str()).collect();
                return Err(NpsError::unknown_closest("customer field", name, &known));
            };
            let ty = self.fields[slot].1;
            let fits = matches!(
                (ty, value),
                (_, FieldValue::Missing)
                    | (FieldType::Number, FieldValue::Number(_))
                    | (FieldType::String, FieldValue::Text(_))
                    | (FieldType::Bool, FieldValue::Bool(_))
            );
            if !fits || matches!(value, FieldValue::Number(x) if !x.is_finite()) {
                return Err(NpsError::invalid(
                    &format!("customer field {name:?}"),
                    value.to_string(),
                    &match ty {
                        FieldType::Number => "a finite number".to_string(),
                        _ => format!("a {}", ty.name()),
                    },
                ));
            }
            record[slot] = value.clone();
        }
        Ok(Customer { values: record })
    }

    /// The strings the conditions compare string field `slot` with: a string's code in a
    /// numeric record ([`Catalog::decide_values`]) is its position here, and any other string
    /// is `vocabulary(slot).len()`. Empty for number and bool fields.
    pub fn vocabulary(&self, slot: usize) -> &[String] {
        self.vocabulary.get(slot).map_or(&[], Vec::as_slice)
    }

    /// The code of `text` for string field `slot` in a numeric record (see
    /// [`Catalog::vocabulary`]).
    pub fn text_code(&self, slot: usize, text: &str) -> f64 {
        let words = self.vocabulary(slot);
        words.iter().position(|w| w == text).unwrap_or(words.len()) as f64
    }

    /// Writes a customer as the numeric record [`Catalog::decide_values`] reads: numbers as
    /// they are, bools as 0 or 1, strings as their [`Catalog::text_code`], Missing (or a
    /// value of another type than the field's) as NaN. Errors: a record of the wrong length.
    pub fn encode(&self, customer: &Customer, out: &mut Vec<f64>) -> Result<()> {
        if customer.values.len() != self.fields.len() {
            return Err(NpsError::LengthMismatch {
                field: "customer.values".into(),
                actual: customer.values.len(),
                other: "the catalogue's fields".into(),
                expected: self.fields.len(),
            });
        }
        out.clear();
        out.extend(customer.values.iter().zip(&self.fields).enumerate().map(|(slot, (v, (_, ty)))| match (ty, v) {
            (FieldType::Number, FieldValue::Number(x)) => *x,
            (FieldType::Bool, FieldValue::Bool(b)) => f64::from(u8::from(*b)),
            (FieldType::String, FieldValue::Text(t)) => self.text_code(slot, t),
            _ => f64::NAN,
        }));
        Ok(())
    }

    /// Checks a numeric record: one value per field; NaN (missing), else a finite number for
    /// a number field, 0 or 1 for a bool and a whole code in `0..=vocabulary(slot).len()`
    /// for a string. Errors name the index, the field and the value.
    pub fn check_values(&self, values: &[f64]) -> Result<()> {
        if values.len() != self.fields.len() {
            return Err(NpsError::LengthMismatch {
                field: "values".into(),
                actual: values.len(),
                other: "the catalogue's fields".into(),
                expected: self.fields.len(),
            });
        }
        for (i, (&x, (name, ty))) in values.iter().zip(&self.fields).enumerate() {
            if x.is_nan() {
                continue;
            }
            let expected = match ty {
                FieldType::Number if !x.is_finite() => "a finite number or NaN (missing)",
                FieldType::Bool if x != 0.0 && x != 1.0 => "0 (false), 1 (true) or NaN (missing)",
                FieldType::String if !(x >= 0.0 && x <= self.vocabulary[i].len() as f64 && x.fract() == 0.0) => {
                    "a string's code (Catalog::text_code) or NaN (missing)"
                }
                _ => continue,
            };
            return Err(NpsError::invalid(&format!("values[{i}] (field {name:?})"), x, expected));
        }
        Ok(())
    }

    /// The catalogue as the JSON value it was loaded from.
    pub fn to_value(&self) -> &Value {
        &self.source
    }
}

impl Serialize for Catalog {
    fn serialize<S: Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
        self.source.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for Catalog {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> std::result::Result<Self, D::Error> {
        let value = Value::deserialize(deserializer)?;
        Catalog::from_value(&value).map_err(serde::de::Error::custom)
    }
}

fn parse_bands(list: &[Value]) -> Result<Vec<Band>> {
    let mut bands: Vec<Band> = Vec::new();
    for (i, b) in list.iter().enumerate() {
        let p = format!("bands[{i}]");
        let m = object(b, &p, "an object {\"name\", \"below\"}")?;
        keys(m, &p, &["name", "below"])?;
        let name = string(required(m, &p, "name", "a band name")?, &join(&p, "name"))?;
        let below = m.get("below").map(|v| number(v, &join(&p, "below"))).transpose()?;
        let last = i + 1 == list.len();
        match below {
            None if !last => return Err(missing(&join(&p, "below"), "an upper bound (only the last band has none)")),
            Some(x) if last => return Err(NpsError::invalid(&join(&p, "below"), x, "absent on the last band")),
            Some(x) if bands.last().and_then(|b| b.below).is_some_and(|prev| x <= prev) => {
                return Err(NpsError::invalid(&join(&p, "below"), x, "above the previous band's bound"));
            }
            _ => {}
        }
        if bands.iter().any(|b| b.name == name) {
            return Err(NpsError::invalid(&join(&p, "name"), format!("{name:?}"), "a band name not used before"));
        }
        bands.push(Band { name, below });
    }
    Ok(bands)
}

fn parse_action(v: &Value, path: &str, schema: &Schema) -> Result<Action> {
    let m = object(v, path, "an action (an object)")?;
    keys(m, path, &ACTION_KEYS)?;
    let id = string(required(m, path, "id", "an action id")?, &join(path, "id"))?;
    if id.is_empty() {
        return Err(NpsError::invalid(&join(path, "id"), "\"\"", "a non-empty id"));
    }
    let label = m.get("label").map(|v| string(v, &join(path, "label"))).transpose()?.unwrap_or_else(|| id.clone());
    let channel = string(required(m, path, "channel", "a channel name")?, &join(path, "channel"))?;
    let group = m.get("group").map(|v| string(v, &join(path, "group"))).transpose()?.unwrap_or_default();
    let weight = m.get("weight").map(|v| non_negative(v, &join(path, "weight"))).transpose()?.unwrap_or(1.0);
    let vp = join(path, "value");
    let value = match m.get("value") {
        None => ActionValue::Fixed(1.0),
        Some(Value::Object(o)) => {
            keys(o, &vp, &["field", "times"])?;
            let fp = join(&vp, "field");
            let field = string(required(o, &vp, "field", "a number field")?, &fp)?;
            let Some(slot) = schema.fields.iter().position(|(n, _)| *n == field) else {
                let known: Vec<&str> = schema.fields.iter().map(|(n, _)| n.as_str()).collect();
                return Err(NpsError::unknown(&fp, &field, &known));
            };
            if schema.fields[slot].1 != FieldType::Number {
                return Err(NpsError::invalid(&fp, format!("{field:?}"), "a number field"));
            }
            let times = o.get("times").map(|t| non_negative(t, &join(&vp, "times"))).transpose()?.unwrap_or(1.0);
            ActionValue::Field { field, slot, times }
        }
        Some(x) => ActionValue::Fixed(non_negative(x, &vp)?),
    };
    Ok(Action {
        id: id.into(),
        label: label.into(),
        channel: channel.into(),
        group: group.into(),
        value,
        weight,
        lever: 1.0,
        eligibility: compile(m.get("eligibility"), &join(path, "eligibility"), schema)?,
        applicability: compile(m.get("applicability"), &join(path, "applicability"), schema)?,
        suitability: compile(m.get("suitability"), &join(path, "suitability"), schema)?,
        policies: Vec::new(),
    })
}
