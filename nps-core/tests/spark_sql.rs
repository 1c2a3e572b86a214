//! The core against Spark's JVM: `stats::exp` against Java's `StrictMath.exp`
//! (tests/vectors/exp.json, written by tests/vectors/MakeExp.java), and a logistic model's
//! Spark SQL expression and probabilities against what Spark computed with it
//! (tests/vectors/spark_sql.json, make_spark_sql.py); a feature set's Spark SQL and the features
//! Spark computed with it (tests/vectors/spark_features.json, make_spark_features.py).

mod common;

use nps_core::features::{CustomerHistory, EventRanges, FeatureEngine, FeatureSet};
use nps_core::model::ChurnModel;
use nps_core::stats::exp::exp;
use serde_json::Value;

fn vector(name: &str) -> Value {
    let path = format!("{}/../tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn bits(v: &Value) -> u64 {
    u64::from_str_radix(v.as_str().unwrap(), 16).unwrap()
}

#[test]
fn equals_java_strict_math_to_the_bit() {
    let vectors = vector("exp.json");
    let cases = vectors["cases"].as_array().unwrap();
    assert!(cases.len() > 3000);
    let mut platform_differs = 0;
    for case in cases {
        let x = f64::from_bits(bits(&case[0]));
        let expected = bits(&case[1]);
        let got = exp(x);
        if x.is_nan() {
            assert!(got.is_nan() && f64::from_bits(expected).is_nan());
            continue;
        }
        assert_eq!(got.to_bits(), expected, "exp({x:e}) = {got:e}, Java {:e}", f64::from_bits(expected));
        platform_differs += (x.exp().to_bits() != expected) as usize;
    }
    // The reason for this function: the platform's exp rounds some arguments otherwise.
    eprintln!("the platform's exp differs from Java's at {platform_differs} of {} arguments", cases.len());
}

#[test]
fn the_expression_and_spark_s_probabilities() {
    let v = vector("spark_sql.json");
    let model = ChurnModel::from_json(&v["model"].to_string()).unwrap();
    let sql = model.spark_sql().unwrap();
    assert_eq!(sql.expression, v["sql"].as_str().unwrap());
    let names: Vec<String> = sql.inputs.iter().map(|c| c.name.clone()).collect();
    assert_eq!(serde_json::to_value(&names).unwrap(), v["inputs"]);
    let mut scratch = Vec::new();
    for (i, row) in v["rows"].as_array().unwrap().iter().enumerate() {
        let cells = common::json_cells(row);
        let p = model.score_cells(&cells, &mut scratch).unwrap();
        let spark = v["spark"][i].as_f64().unwrap();
        assert_eq!(p.to_bits(), spark.to_bits(), "row {i}: core {p:e}, Spark {spark:e}");
    }
    let recalibrated = ChurnModel::from_json(&v["recalibrated"].to_string()).unwrap();
    let e = recalibrated.spark_sql().unwrap_err();
    assert_eq!(e.code(), v["error"]["code"].as_str().unwrap());
    assert_eq!(e.to_string(), v["error"]["message"].as_str().unwrap());
}

/// tests/vectors/spark_features.json (make_spark_features.py): the SQL the core writes for a
/// feature set, given what one pass over the events found, is the SQL Spark ran; the core's
/// features of those events are Spark's bits; a set the SQL does not write is refused alike.
#[test]
fn the_features_sql_and_spark_s_features() {
    let v = vector("spark_features.json");
    let set = FeatureSet::from_json(&v["definitions"].to_string()).unwrap();
    let engine = FeatureEngine::new(&set, CustomerHistory::new(&[]).kinds()).unwrap();
    let pass: Vec<String> = engine.spark_sql_ranges().unwrap().into_iter().map(|c| c.name).collect();
    let found: Vec<&String> = v["ranges"].as_object().unwrap().keys().collect();
    assert_eq!(pass.iter().collect::<std::collections::BTreeSet<_>>(), found.into_iter().collect());
    let ranges: EventRanges = serde_json::from_value(v["ranges"].clone()).unwrap();
    let as_of = v["as_of"].as_i64().unwrap();
    let sql = engine.spark_sql(as_of, &ranges).unwrap();
    assert_eq!(serde_json::to_value(&sql).unwrap(), v["sql"]);

    let b = common::vector_events(&v["events"]);
    let table = b.table(&[]).unwrap();
    let m = engine.compute(&table, as_of).unwrap();
    let spark = v["spark"].as_object().unwrap();
    assert_eq!(spark.len(), b.customers().len());
    let mut negative_zeros = 0;
    for (i, c) in b.customers().iter().enumerate() {
        for (j, x) in m.values.row(i).iter().enumerate() {
            assert_eq!(x.to_bits(), bits(&spark[c][j]), "{c} {}: core {x:e}", m.names[j]);
            negative_zeros += (*x == 0.0 && x.is_sign_negative()) as usize;
        }
    }
    assert!(negative_zeros >= 3, "the vector has -0 results");

    let spread = FeatureSet::from_json(&v["unsupported"]["definitions"].to_string()).unwrap();
    let e = FeatureEngine::new(&spread, CustomerHistory::new(&[]).kinds()).unwrap().spark_sql_ranges().unwrap_err();
    assert_eq!(e.code(), v["unsupported"]["error"]["code"].as_str().unwrap());
    assert_eq!(e.to_string(), v["unsupported"]["error"]["message"].as_str().unwrap());
}
