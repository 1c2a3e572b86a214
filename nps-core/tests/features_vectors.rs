//! `tests/vectors/features.json`, read here as in Python and Node: the retention set and a
//! declared set using every aggregation, from the same events, to the last bit.
mod common;

use nps_core::features::{compute, retention, FeatureMatrix, FeatureSet};
use serde_json::Value;

fn vector() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/features.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The matrix's rows by customer, NaN as null, as the vector holds them.
fn check(v: &Value, customers: &[String], m: &FeatureMatrix) {
    let names: Vec<&str> = v["names"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
    assert_eq!(m.names, names);
    assert_eq!(customers.len(), v["rows"].as_object().unwrap().len());
    for (i, c) in customers.iter().enumerate() {
        let want = v["rows"][c].as_array().unwrap();
        for (j, x) in m.values.row(i).iter().enumerate() {
            match want[j].as_f64() {
                None => assert!(x.is_nan(), "{c} {}: {x} vs null", names[j]),
                Some(w) => assert_eq!(x.to_bits(), w.to_bits(), "{c} {}: {x} vs {w}", names[j]),
            }
        }
    }
}

#[test]
fn retention_and_declared_sets_equal_python_and_node_to_the_bit() {
    let v = vector();
    let b = common::vector_events(&v["events"]);
    let declared: Vec<&str> = v["declared_kinds"].as_array().unwrap().iter().map(|k| k.as_str().unwrap()).collect();
    let table = b.table(&declared).unwrap();
    let as_of = v["as_of"].as_i64().unwrap();
    check(&v["retention"], b.customers(), &compute(&table, &retention(), as_of).unwrap());
    let set = FeatureSet::from_json(&v["definitions"].to_string()).unwrap();
    check(&v["declared"], b.customers(), &compute(&table, &set, as_of).unwrap());
}
