//! Test data shared by the test files: the playbook's customers and outcome histories as
//! proptest strategies, and the cells of a shared vector's rows.
#![allow(dead_code)] // each test file uses its own subset

use nps_core::action::{playbook, Customer, FieldValue, Outcome, OutcomeKind};
use proptest::prelude::*;

pub const DAY: i64 = 86_400;
pub const NOW: i64 = 1_800_000_000;

/// The fields of a playbook customer at risk: a consumer of 400 days who complained of an
/// outage, answered 4, and whose payments and usage are falling.
pub fn unhappy_fields() -> Vec<(&'static str, FieldValue)> {
    vec![
        ("tenure_days", FieldValue::Number(400.0)),
        ("segment", FieldValue::Text("consumer".into())),
        ("complained_outage", FieldValue::Bool(true)),
        ("complained_overage", FieldValue::Bool(false)),
        ("monthly_bill", FieldValue::Number(60.0)),
        ("payment_trend", FieldValue::Number(0.8)),
        ("usage_trend_30d", FieldValue::Number(0.6)),
        ("last_nps", FieldValue::Number(4.0)),
    ]
}

/// That customer as the playbook's record.
pub fn unhappy_consumer() -> Customer {
    playbook().customer(&unhappy_fields()).expect("the playbook's fields")
}

/// Well-typed values (always present) for the playbook's fields, in slot order.
pub fn typed_customer() -> impl Strategy<Value = Customer> {
    let c = playbook();
    let strategies: Vec<BoxedStrategy<FieldValue>> = c
        .fields()
        .iter()
        .map(|(_, ty)| match ty.name() {
            "number" => (0.0f64..2000.0).prop_map(FieldValue::Number).boxed(),
            "string" => prop::sample::select(vec!["prepaid", "postpaid", "family", "consumer"])
                .prop_map(|s| FieldValue::Text(s.into()))
                .boxed(),
            _ => any::<bool>().prop_map(FieldValue::Bool).boxed(),
        })
        .collect();
    strategies.prop_map(|values| Customer { values })
}

/// Up to ten past outcomes of the playbook's actions within 90 days before [`NOW`].
pub fn history() -> impl Strategy<Value = Vec<Outcome>> {
    let ids: Vec<String> = playbook().actions().iter().map(|a| a.id.to_string()).collect();
    let kinds = vec![OutcomeKind::Presented, OutcomeKind::Accepted, OutcomeKind::Rejected, OutcomeKind::Ignored];
    prop::collection::vec((prop::sample::select(ids), 0i64..90 * DAY, prop::sample::select(kinds)), 0..10).prop_map(
        |v| {
            let c = playbook();
            v.into_iter()
                .map(|(id, ago, kind)| {
                    let a = c.actions().iter().find(|a| *a.id == *id).unwrap();
                    Outcome {
                        action: id,
                        channel: a.channel.to_string(),
                        group: a.group.to_string(),
                        time: NOW - ago,
                        kind,
                    }
                })
                .collect()
        },
    )
}

/// A row of a shared vector (a JSON array: null is missing, text, booleans, numbers) as the
/// cells a model scores.
pub fn json_cells(row: &serde_json::Value) -> Vec<nps_core::encode::Cell<'_>> {
    use nps_core::encode::Cell;
    row.as_array()
        .expect("a row is an array")
        .iter()
        .map(|c| match c {
            serde_json::Value::Null => Cell::Missing,
            serde_json::Value::String(s) => Cell::Text(s),
            serde_json::Value::Bool(b) => Cell::Bool(*b),
            n => Cell::Number(n.as_f64().expect("a number")),
        })
        .collect()
}

/// The events of a vector (columns `customer`, `time` in seconds, `kind`, `value`,
/// `duration`, `department` and, optionally, `case` and `flag`; nulls for what an event lacks)
/// pushed into a builder, in order.
#[allow(dead_code)] // not every test file reads events
pub fn vector_events(e: &serde_json::Value) -> nps_core::features::EventTableBuilder {
    use nps_core::features::{Event, EventTableBuilder, Id};
    let col = |k: &str| e[k].as_array().cloned().unwrap_or_default();
    let (customer, time, kind, value, duration) =
        (col("customer"), col("time"), col("kind"), col("value"), col("duration"));
    let (department, case, flag) = (col("department"), col("case"), col("flag"));
    let mut b = EventTableBuilder::new();
    for i in 0..customer.len() {
        let event = Event {
            time: time[i].as_i64().unwrap(),
            kind: kind[i].as_str().unwrap(),
            value: value[i].as_f64(),
            duration: duration[i].as_f64(),
            department: department[i].as_str(),
            case: case.get(i).and_then(|c| c.as_str()),
            flag: flag.get(i).and_then(|f| f.as_bool()),
        };
        b.push(Id::Text(customer[i].as_str().unwrap()), &event);
    }
    b
}
