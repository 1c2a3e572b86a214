//! Conditions: parsed from JSON and compiled to field slots, factor indices and band indices,
//! so evaluating one reads a few numbers and never looks a name up.
//!
//! A customer is evaluated as a numeric record (one `f64` per field): numbers as they are,
//! booleans as 0 or 1, strings as their code in the field's vocabulary (the strings the
//! catalogue's conditions mention; any other string is the code `vocabulary.len()`), and a
//! missing value as NaN. String comparisons thus become comparisons of codes.
//!
//! A comparison on a missing field is false (whatever the operator, `!=` included), as in
//! SQL; `{"field": f, "missing": true}` holds exactly when the field is missing (`false`:
//! when it is present). Each node also keeps its condition in words (`last_nps <= 6`), for
//! the trace.
use std::cell::RefCell;
use std::sync::Arc;

use serde_json::Value;

use super::catalog::{Band, FieldType};
use super::json::{array, join, keys, number, object, show, string};
use crate::error::{NpsError, Result};

/// The comparison operators, as written in JSON.
pub(super) const OPS: [&str; 7] = ["<", "<=", ">", ">=", "==", "!=", "in"];

#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "<" => Op::Lt,
            "<=" => Op::Le,
            ">" => Op::Gt,
            ">=" => Op::Ge,
            "==" => Op::Eq,
            "!=" => Op::Ne,
            _ => return None,
        })
    }

    /// The operator as written in JSON.
    pub(super) fn symbol(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
            Op::Ne => "!=",
        }
    }

    #[inline]
    fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
            Op::Ne => a != b,
        }
    }
}

/// A compiled condition node with its JSON path and its text (shared, so a trace can hold
/// them without copying).
#[derive(Debug, Clone)]
pub(super) struct Node {
    pub cond: Cond,
    pub path: Arc<str>,
    /// The condition in words, e.g. `last_nps <= 6` or `any(band high, score >= 80)`.
    pub text: Arc<str>,
}

#[derive(Debug, Clone)]
pub(super) enum Cond {
    True,
    All(Vec<Node>),
    Any(Vec<Node>),
    Not(Box<Node>),
    Number {
        slot: usize,
        op: Op,
        value: f64,
    },
    NumberIn {
        slot: usize,
        values: Vec<f64>,
    },
    /// A string or bool field compared with a code (`==` when `equal`, else `!=`).
    Code {
        slot: usize,
        equal: bool,
        code: f64,
    },
    /// A string field whose code is one of these.
    CodeIn {
        slot: usize,
        codes: Vec<f64>,
    },
    /// The field is missing (`missing`), or present (`!missing`).
    Missing {
        slot: usize,
        missing: bool,
    },
    Score {
        op: Op,
        value: f64,
    },
    Band(Vec<usize>),
    FactorTop {
        factor: usize,
        k: usize,
    },
    FactorRaises {
        factor: usize,
        threshold: f64,
    },
}

/// What the catalogue declares, for resolving names while compiling.
pub(super) struct Schema<'a> {
    pub fields: &'a [(String, FieldType)],
    pub factors: &'a [String],
    pub bands: &'a [Band],
    /// The strings conditions compare each field with (filled while compiling).
    pub vocabulary: RefCell<Vec<Vec<String>>>,
}

impl Schema<'_> {
    /// The code of `text` in the vocabulary of field `slot`, adding it if new.
    fn code(&self, slot: usize, text: &str) -> f64 {
        let mut v = self.vocabulary.borrow_mut();
        let words = &mut v[slot];
        match words.iter().position(|w| w == text) {
            Some(i) => i as f64,
            None => {
                words.push(text.to_string());
                (words.len() - 1) as f64
            }
        }
    }

    fn field(&self, name: &str, path: &str) -> Result<(usize, FieldType)> {
        match self.fields.iter().position(|(n, _)| n == name) {
            Some(i) => Ok((i, self.fields[i].1)),
            None => {
                Err(NpsError::unknown(path, name, &self.fields.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>()))
            }
        }
    }

    fn factor(&self, name: &str, path: &str) -> Result<usize> {
        self.factors
            .iter()
            .position(|n| n == name)
            .ok_or_else(|| NpsError::unknown(path, name, &self.factors.iter().map(String::as_str).collect::<Vec<_>>()))
    }

    fn band(&self, v: &Value, path: &str) -> Result<usize> {
        let name = string(v, path)?;
        self.bands.iter().position(|b| b.name == name).ok_or_else(|| {
            NpsError::unknown(path, &name, &self.bands.iter().map(|b| b.name.as_str()).collect::<Vec<_>>())
        })
    }
}

const SHAPES: &str = "a condition: {\"all\": [..]}, {\"any\": [..]}, {\"not\": {..}}, {\"field\": .., \"op\": .., \"value\": ..}, {\"field\": .., \"missing\": true | false}, {\"score\": op, \"value\": x}, {\"band\": ..}, {\"segment\": [..]} or {\"factor\": .., \"in_top\" | \"raises_more_than\": ..}";

/// Compiles the condition at `path`; `None` (an absent section) is always true.
pub(super) fn compile(v: Option<&Value>, path: &str, schema: &Schema) -> Result<Node> {
    match v {
        None => Ok(Node { cond: Cond::True, path: path.into(), text: "true".into() }),
        Some(v) => parse(v, path, schema),
    }
}

fn parse(v: &Value, path: &str, schema: &Schema) -> Result<Node> {
    let m = object(v, path, SHAPES)?;
    let node = |cond: Cond| {
        let text = describe(&cond, schema).into();
        Ok(Node { cond, path: path.into(), text })
    };
    let list = |key: &str| -> Result<Vec<Node>> {
        let p = join(path, key);
        array(&m[key], &p, "an array of conditions")?
            .iter()
            .enumerate()
            .map(|(i, c)| parse(c, &format!("{p}[{i}]"), schema))
            .collect()
    };
    if m.contains_key("all") {
        keys(m, path, &["all"])?;
        return node(Cond::All(list("all")?));
    }
    if m.contains_key("any") {
        keys(m, path, &["any"])?;
        return node(Cond::Any(list("any")?));
    }
    if let Some(inner) = m.get("not") {
        keys(m, path, &["not"])?;
        return node(Cond::Not(Box::new(parse(inner, &join(path, "not"), schema)?)));
    }
    if let Some(f) = m.get("field") {
        let fp = join(path, "field");
        if let Some(x) = m.get("missing") {
            keys(m, path, &["field", "missing"])?;
            let (slot, _) = schema.field(&string(f, &fp)?, &fp)?;
            let missing = x.as_bool().ok_or_else(|| {
                NpsError::invalid(
                    &join(path, "missing"),
                    show(x),
                    "true (the field is missing) or false (it is present)",
                )
            })?;
            return node(Cond::Missing { slot, missing });
        }
        keys(m, path, &["field", "op", "value"])?;
        let (slot, ty) = schema.field(&string(f, &fp)?, &fp)?;
        let op_path = join(path, "op");
        let op = string(m.get("op").ok_or_else(|| super::json::missing(&op_path, "an operator"))?, &op_path)?;
        let vp = join(path, "value");
        let value = m.get("value").ok_or_else(|| super::json::missing(&vp, "a value to compare with"))?;
        return node(comparison(slot, ty, &op, &op_path, value, &vp, schema)?);
    }
    if let Some(op) = m.get("score") {
        keys(m, path, &["score", "value"])?;
        let op_path = join(path, "score");
        let op_name = string(op, &op_path)?;
        let op = Op::parse(&op_name).ok_or_else(|| NpsError::unknown(&op_path, &op_name, &OPS[..6]))?;
        let vp = join(path, "value");
        let value = number(m.get("value").ok_or_else(|| super::json::missing(&vp, "a score"))?, &vp)?;
        return node(Cond::Score { op, value });
    }
    if let Some(b) = m.get("band") {
        keys(m, path, &["band"])?;
        let bp = join(path, "band");
        let bands = match b {
            Value::Array(a) => {
                a.iter().enumerate().map(|(i, v)| schema.band(v, &format!("{bp}[{i}]"))).collect::<Result<_>>()?
            }
            other => vec![schema.band(other, &bp)?],
        };
        return node(Cond::Band(bands));
    }
    if let Some(s) = m.get("segment") {
        keys(m, path, &["segment"])?;
        let sp = join(path, "segment");
        let (slot, ty) = schema.field("segment", &sp)?;
        if ty != FieldType::String {
            return Err(NpsError::invalid(&sp, "a segment condition", "used with a string field \"segment\""));
        }
        let values: Vec<String> = match s {
            Value::Array(a) => {
                a.iter().enumerate().map(|(i, v)| string(v, &format!("{sp}[{i}]"))).collect::<Result<_>>()?
            }
            other => vec![string(other, &sp)?],
        };
        return node(Cond::CodeIn { slot, codes: values.iter().map(|v| schema.code(slot, v)).collect() });
    }
    if let Some(f) = m.get("factor") {
        let fp = join(path, "factor");
        let factor = schema.factor(&string(f, &fp)?, &fp)?;
        if let Some(k) = m.get("in_top") {
            keys(m, path, &["factor", "in_top"])?;
            let kp = join(path, "in_top");
            let k = match k.as_u64() {
                Some(k) if k >= 1 => k as usize,
                _ => return Err(NpsError::invalid(&kp, show(k), "a whole number of at least 1")),
            };
            return node(Cond::FactorTop { factor, k });
        }
        if let Some(t) = m.get("raises_more_than") {
            keys(m, path, &["factor", "raises_more_than"])?;
            let threshold = number(t, &join(path, "raises_more_than"))?;
            return node(Cond::FactorRaises { factor, threshold });
        }
        return Err(super::json::missing(&join(path, "in_top"), "\"in_top\": k or \"raises_more_than\": x"));
    }
    keys(m, path, &["all", "any", "not", "field", "op", "value", "missing", "score", "band", "segment", "factor"])?;
    Err(NpsError::invalid(path, show(v), SHAPES))
}

/// A number as the texts of conditions and traces write it (`180`, `0.5`).
pub(super) fn number_text(x: f64) -> String {
    format!("{x}")
}

/// The condition in words, for the trace: `tenure_days >= 180`, `segment in ["prepaid",
/// "family"]`, `last_nps is missing`, `band in [medium, high]`, `device_age_days in the top 2
/// factors`, `any(...)`.
fn describe(cond: &Cond, schema: &Schema) -> String {
    let field = |slot: usize| schema.fields[slot].0.as_str();
    let word = |slot: usize, code: f64| -> String {
        if schema.fields[slot].1 == FieldType::Bool {
            return (code == 1.0).to_string();
        }
        let v = schema.vocabulary.borrow();
        format!("{:?}", v[slot][code as usize])
    };
    let list = |items: Vec<String>| format!("[{}]", items.join(", "));
    let children = |name: &str, nodes: &[Node]| {
        format!("{name}({})", nodes.iter().map(|n| &*n.text).collect::<Vec<_>>().join(", "))
    };
    match cond {
        Cond::True => "true".into(),
        Cond::All(nodes) => children("all", nodes),
        Cond::Any(nodes) => children("any", nodes),
        Cond::Not(node) => format!("not({})", node.text),
        Cond::Number { slot, op, value } => format!("{} {} {}", field(*slot), op.symbol(), number_text(*value)),
        Cond::NumberIn { slot, values } => {
            format!("{} in {}", field(*slot), list(values.iter().map(|&x| number_text(x)).collect()))
        }
        Cond::Code { slot, equal, code } => {
            format!("{} {} {}", field(*slot), if *equal { "==" } else { "!=" }, word(*slot, *code))
        }
        Cond::CodeIn { slot, codes } => {
            format!("{} in {}", field(*slot), list(codes.iter().map(|&c| word(*slot, c)).collect()))
        }
        Cond::Missing { slot, missing } => {
            format!("{} is {}", field(*slot), if *missing { "missing" } else { "present" })
        }
        Cond::Score { op, value } => format!("score {} {}", op.symbol(), number_text(*value)),
        Cond::Band(bands) => match bands.as_slice() {
            [b] => format!("band {}", schema.bands[*b].name),
            _ => format!("band in {}", list(bands.iter().map(|&b| schema.bands[b].name.clone()).collect())),
        },
        Cond::FactorTop { factor, k: 1 } => format!("{} is the top factor", schema.factors[*factor]),
        Cond::FactorTop { factor, k } => format!("{} in the top {k} factors", schema.factors[*factor]),
        Cond::FactorRaises { factor, threshold } => {
            format!("{} raises the log-odds by more than {}", schema.factors[*factor], number_text(*threshold))
        }
    }
}

fn comparison(
    slot: usize,
    ty: FieldType,
    op: &str,
    op_path: &str,
    value: &Value,
    vp: &str,
    schema: &Schema,
) -> Result<Cond> {
    let mismatch =
        |expected: &str| NpsError::invalid(vp, show(value), &format!("{expected} (the field is a {})", ty.name()));
    if op == "in" {
        let list = array(value, vp, "an array (the operator is \"in\")")?;
        return Ok(match ty {
            FieldType::Number => Cond::NumberIn {
                slot,
                values: list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| number(v, &format!("{vp}[{i}]")))
                    .collect::<Result<_>>()?,
            },
            FieldType::String => Cond::CodeIn {
                slot,
                codes: list
                    .iter()
                    .enumerate()
                    .map(|(i, v)| Ok(schema.code(slot, &string(v, &format!("{vp}[{i}]"))?)))
                    .collect::<Result<_>>()?,
            },
            FieldType::Bool => return Err(NpsError::invalid(op_path, "\"in\"", "== or != (the field is a bool)")),
        });
    }
    let op = Op::parse(op).ok_or_else(|| NpsError::unknown(op_path, op, &OPS))?;
    match ty {
        FieldType::Number => {
            let x = value.as_f64().filter(|x| x.is_finite()).ok_or_else(|| mismatch("a number"))?;
            Ok(Cond::Number { slot, op, value: x })
        }
        FieldType::String | FieldType::Bool if !matches!(op, Op::Eq | Op::Ne) => {
            Err(NpsError::invalid(op_path, format!("{op:?}"), &format!("==, != or in (the field is a {})", ty.name())))
        }
        FieldType::String => {
            let s = value.as_str().ok_or_else(|| mismatch("a string"))?;
            Ok(Cond::Code { slot, equal: op == Op::Eq, code: schema.code(slot, s) })
        }
        FieldType::Bool => {
            let b = value.as_bool().ok_or_else(|| mismatch("true or false"))?;
            Ok(Cond::Code { slot, equal: op == Op::Eq, code: f64::from(u8::from(b)) })
        }
    }
}

/// What a condition reads besides the customer record.
pub(super) struct Context<'a> {
    /// The customer as a numeric record (see the module docs); NaN is missing.
    pub values: &'a [f64],
    pub score: f64,
    pub band: usize,
    /// Contribution of each declared factor (NaN when the caller gave none).
    pub contribution: &'a [f64],
    /// Rank of each declared factor among the caller's factors (0 is the largest; `usize::MAX` when absent).
    pub rank: &'a [usize],
}

impl Node {
    /// `None` when the condition holds, else the first failing condition: the failing child
    /// of an `all`, the `any` or `not` itself, or the comparison. A comparison on a missing
    /// field (NaN) is false.
    pub(super) fn check<'a>(&'a self, cx: &Context) -> Option<&'a Node> {
        let holds = match &self.cond {
            Cond::True => true,
            Cond::All(list) => {
                for c in list {
                    if let Some(failed) = c.check(cx) {
                        return Some(failed);
                    }
                }
                true
            }
            Cond::Any(list) => list.is_empty() || list.iter().any(|c| c.check(cx).is_none()),
            Cond::Not(inner) => inner.check(cx).is_some(),
            // NaN compares false with everything; `!=` and `!equal` are written so that a
            // missing value fails them too.
            Cond::Number { slot, op, value } => {
                let x = cx.values[*slot];
                !x.is_nan() && op.holds(x, *value)
            }
            Cond::NumberIn { slot, values } => values.contains(&cx.values[*slot]),
            Cond::Code { slot, equal, code } => {
                let x = cx.values[*slot];
                !x.is_nan() && (x == *code) == *equal
            }
            Cond::CodeIn { slot, codes } => codes.contains(&cx.values[*slot]),
            Cond::Missing { slot, missing } => cx.values[*slot].is_nan() == *missing,
            Cond::Score { op, value } => op.holds(cx.score, *value),
            Cond::Band(bands) => bands.contains(&cx.band),
            Cond::FactorTop { factor, k } => cx.rank[*factor] < *k,
            Cond::FactorRaises { factor, threshold } => cx.contribution[*factor] > *threshold,
        };
        if holds {
            None
        } else {
            Some(self)
        }
    }

    /// Whether any condition in the tree ranks factors (so a decision only ranks them when needed).
    pub(super) fn uses_rank(&self) -> bool {
        match &self.cond {
            Cond::All(l) | Cond::Any(l) => l.iter().any(Node::uses_rank),
            Cond::Not(c) => c.uses_rank(),
            Cond::FactorTop { .. } => true,
            _ => false,
        }
    }
}
