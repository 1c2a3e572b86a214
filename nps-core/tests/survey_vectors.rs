//! The shared NPS test vectors (`tests/vectors/survey.json`), also read by the Python and
//! Node tests, so all three languages are held to the same numbers.
use nps_core::survey::{
    compare, prob_greater, sample_size, sample_size_difference, CompareMethod, IntervalMethod, MissingPolicy,
    NonIntegerPolicy, PlanningShares, Scale, ScoreOptions, Tally,
};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/survey.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("read survey.json")).expect("parse survey.json")
}

fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN) // null is a missing answer
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(f).collect()
}

fn counts(v: &Value) -> Tally {
    let c: Vec<u64> = v.as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
    Tally::from_counts(c[0], c[1], c[2]).unwrap()
}

fn options(case: &Value) -> ScoreOptions {
    let scale = match &case["breaks"] {
        Value::Array(_) => Scale::from_breaks(&floats(&case["breaks"])).unwrap(),
        _ => Scale::default(),
    };
    ScoreOptions {
        scale,
        non_integer: case["non_integer"].as_str().unwrap_or("error").parse::<NonIntegerPolicy>().unwrap(),
        missing: case["missing"].as_str().unwrap_or("error").parse::<MissingPolicy>().unwrap(),
        ..Default::default()
    }
}

fn tally(case: &Value) -> nps_core::Result<Tally> {
    let scores = floats(&case["scores"]);
    match &case["weights"] {
        Value::Array(_) => Tally::from_weighted_scores(&scores, &floats(&case["weights"]), &options(case)),
        _ => Tally::from_scores(&scores, &options(case)),
    }
}

fn close(name: &str, field: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol || (got == want), "{name}: {field} = {got}, expected {want} ± {tol}");
}

#[test]
fn tallies() {
    for case in vectors()["tallies"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let t = tally(case).unwrap_or_else(|e| panic!("{name}: {e}"));
        let want: Vec<u64> = case["counts"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap()).collect();
        assert_eq!(t.counts.to_vec(), want, "{name}");
        assert_eq!(t.skipped, case["skipped"].as_u64().unwrap(), "{name}");
        let tol = f(&case["tol"]);
        close(name, "nps", t.nps(), f(&case["nps"]), tol);
        close(name, "se", t.se(), f(&case["se"]), tol);
        close(name, "effective_n", t.effective_n(), f(&case["effective_n"]), tol);
    }
}

#[test]
fn intervals() {
    for case in vectors()["intervals"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let prior = case["prior"].as_array().map(|p| [f(&p[0]), f(&p[1]), f(&p[2])]);
        let method = IntervalMethod::parse(case["method"].as_str().unwrap(), prior).unwrap();
        let i = counts(&case["counts"]).interval(method, f(&case["level"])).unwrap();
        let tol = f(&case["tol"]);
        for (field, want) in case["expect"].as_object().unwrap() {
            let got = match field.as_str() {
                "low" => i.low,
                "high" => i.high,
                "center" => i.center,
                "se" => i.se,
                other => panic!("unknown field {other}"),
            };
            close(name, field, got, f(want), tol);
        }
    }
}

#[test]
fn comparisons() {
    for case in vectors()["comparisons"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let method = case["method"].as_str().unwrap().parse::<CompareMethod>().unwrap();
        let c = compare(&counts(&case["a"]), &counts(&case["b"]), method, f(&case["level"])).unwrap();
        let tol = f(&case["tol"]);
        for (field, want) in case["expect"].as_object().unwrap() {
            let got = match field.as_str() {
                "diff" => c.diff,
                "se" => c.se,
                "z" => c.z,
                "p_value" => c.p_value,
                "low" => c.low,
                "high" => c.high,
                "direction" => c.direction as f64,
                other => panic!("unknown field {other}"),
            };
            close(name, field, got, f(want), tol);
        }
    }
}

#[test]
fn probabilities_of_being_greater() {
    for case in vectors()["prob_greater"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let p = floats(&case["prior"]);
        let got = prob_greater(&counts(&case["a"]), &counts(&case["b"]), [p[0], p[1], p[2]]).unwrap();
        close(name, "p", got, f(&case["expect"]), f(&case["tol"]));
    }
}

#[test]
fn sample_sizes() {
    let v = vectors();
    for case in v["sample_sizes"].as_array().unwrap() {
        let shares = case["shares"]
            .as_array()
            .map_or(PlanningShares::default(), |s| PlanningShares::new(f(&s[0]), f(&s[1])).unwrap());
        let n = sample_size(f(&case["margin"]), f(&case["level"]), shares, case["population"].as_u64()).unwrap();
        assert_eq!(n, case["expect"].as_u64().unwrap(), "{}", case["name"]);
    }
    for case in v["sample_sizes_difference"].as_array().unwrap() {
        let w = PlanningShares::default();
        let n = sample_size_difference(f(&case["difference"]), f(&case["level"]), f(&case["power"]), w, w).unwrap();
        assert_eq!(n, case["expect"].as_u64().unwrap(), "{}", case["name"]);
    }
}

#[test]
fn errors() {
    let v = vectors();
    for case in v["errors"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let e = tally(case).expect_err(name);
        assert_eq!(e.code(), case["code"].as_str().unwrap(), "{name}");
        assert!(e.to_string().starts_with(case["message"].as_str().unwrap()), "{name}: {e}");
    }
    let t = Tally::from_counts(1, 2, 3).unwrap();
    for level in floats(&v["bad_levels"]) {
        let e = t.interval(IntervalMethod::default(), level).unwrap_err();
        assert_eq!(e.code(), "INVALID_PARAMETER");
        assert!(e.to_string().starts_with("level must be strictly between 0 and 1"), "{e}");
    }
}
