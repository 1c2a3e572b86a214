//! The core against Spark's JVM: `stats::exp` against Java's `StrictMath.exp`
//! (tests/vectors/exp.json, written by tests/vectors/MakeExp.java), and a logistic model's
//! Spark SQL expression and probabilities against what Spark computed with it
//! (tests/vectors/spark_sql.json, make_spark_sql.py).

mod common;

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
