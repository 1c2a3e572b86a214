//! The monitor against the shared vector (`tests/vectors/monitor.json`: numpy, scipy and
//! scikit-learn's numbers and the core's own, also read by the Python and Node tests), and
//! its invariants.
use nps_core::monitor::{
    auc_interval, delong_test, drift, ks_2samp, performance, psi, Column, DriftOptions, IsotonicCalibration,
    PerformanceOptions, Recalibration, ReferenceSummary,
};
use proptest::prelude::*;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/monitor.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

enum Owned {
    Numeric(String, Vec<f64>),
    Categorical(String, Vec<Option<String>>),
}

fn owned(cols: &Value) -> Vec<Owned> {
    cols.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let name = c["name"].as_str().unwrap().to_string();
            if c["kind"] == "numeric" {
                Owned::Numeric(name, floats(&c["values"]))
            } else {
                let v = c["values"].as_array().unwrap().iter().map(|s| s.as_str().map(String::from)).collect();
                Owned::Categorical(name, v)
            }
        })
        .collect()
}

fn columns(o: &[Owned]) -> Vec<Column<'_>> {
    o.iter()
        .map(|c| match c {
            Owned::Numeric(n, v) => Column::numeric(n, v),
            Owned::Categorical(n, v) => Column::categorical(n, v),
        })
        .collect()
}

#[test]
fn drift_as_the_vector() {
    let v = vectors();
    let d = &v["drift"];
    let (r, c) = (owned(&d["reference"]), owned(&d["current"]));
    let report = drift(&columns(&r), &columns(&c), &DriftOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(&report).unwrap(), d["report"]);
    for input in &report.inputs {
        let e = &d["expected"][&input.input];
        assert!((input.psi - e["psi"].as_f64().unwrap()).abs() < 1e-12, "{}", input.input);
        if let Some(ks) = e["ks"].as_f64() {
            assert_eq!(input.ks, Some(ks), "scipy's statistic to the bit");
        }
    }
    let summary = ReferenceSummary::build(&columns(&r), 10).unwrap();
    assert_eq!(serde_json::to_value(&summary).unwrap(), d["summary"]);
    let read = ReferenceSummary::from_json(&d["summary"].to_string()).unwrap();
    let again = read.compare(&columns(&c), &DriftOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(&again).unwrap(), d["report_from_summary"]);
}

#[test]
fn performance_as_the_vector() {
    let v = vectors();
    let d = &v["performance"];
    let period: Vec<String> = d["period"].as_array().unwrap().iter().map(|s| s.as_str().unwrap().into()).collect();
    let rows = performance(&floats(&d["y"]), &floats(&d["p"]), &period, None, &PerformanceOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(&rows).unwrap(), d["rows"]);
    for r in &rows {
        let e = &d["expected"][&r.period];
        assert!((r.auc.unwrap() - e["auc"].as_f64().unwrap()).abs() < 1e-12);
    }
}

#[test]
fn delong_as_published_and_as_the_vector() {
    let v = vectors();
    let h = &v["delong"]["hanley_mcneil"];
    let r = auc_interval(&floats(&h["y"]), &floats(&h["score"]), 0.95).unwrap();
    let published = &h["published"];
    assert!((r.auc - published["auc"].as_f64().unwrap()).abs() < 5e-5);
    assert!((r.se - published["se"].as_f64().unwrap()).abs() < 5e-5);
    assert!((r.lower - published["lower"].as_f64().unwrap()).abs() < 5e-6);
    assert!((r.upper - published["upper"].as_f64().unwrap()).abs() < 5e-6);
    assert_eq!(r.se, h["core"]["se"].as_f64().unwrap());
    let p = &v["delong"]["paired"];
    let t = delong_test(&floats(&p["y"]), &floats(&p["score_a"]), &floats(&p["score_b"])).unwrap();
    assert_eq!(serde_json::to_value(t).unwrap(), p["core"]);
}

#[test]
fn recalibration_as_the_vector() {
    let v = vectors();
    let d = &v["recalibration"];
    let (p, y, w, new) = (floats(&d["p"]), floats(&d["y"]), floats(&d["weights"]), floats(&d["new_p"]));
    let iso = Recalibration::fit("isotonic", &y, &p, Some(&w)).unwrap();
    assert_eq!(iso.apply(&new).unwrap(), floats(&d["isotonic"]["core"]));
    for (a, b) in iso.apply(&new).unwrap().iter().zip(floats(&d["isotonic"]["sklearn"])) {
        assert!((a - b).abs() < 1e-12);
    }
    let platt = Recalibration::fit("platt", &y, &p, None).unwrap();
    assert_eq!(serde_json::to_value(&platt).unwrap(), d["platt"]["json"]);
    assert_eq!(platt.apply(&new).unwrap(), floats(&d["platt"]["core"]));
}

proptest! {
    #[test]
    fn psi_is_never_negative_and_zero_on_itself(
        a in prop::collection::vec(-1e3f64..1e3, 1..300),
        b in prop::collection::vec(-1e3f64..1e3, 1..300),
        bins in 1usize..20,
    ) {
        let o = DriftOptions { bins, ..DriftOptions::default() };
        let r = drift(&[Column::numeric("x", &a)], &[Column::numeric("x", &b)], &o).unwrap();
        prop_assert!(r.inputs[0].psi >= 0.0);
        let ks = r.inputs[0].ks.unwrap();
        prop_assert!((0.0..=1.0).contains(&ks));
        let same = drift(&[Column::numeric("x", &a)], &[Column::numeric("x", &a)], &o).unwrap();
        prop_assert_eq!(same.inputs[0].psi, 0.0);
        prop_assert_eq!(same.inputs[0].ks, Some(0.0));
        let (d, p) = ks_2samp(&a, &b);
        prop_assert_eq!(d, ks);
        prop_assert!((0.0..=1.0).contains(&p));
        prop_assert!(psi(&[0.5, 0.5], &[0.25, 0.75]) >= 0.0);
    }

    #[test]
    fn isotonic_is_non_decreasing(
        rows in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0, 0.0f64..3.0), 1..200),
    ) {
        let p: Vec<f64> = rows.iter().map(|r| (r.0 * 20.0).round() / 20.0).collect();
        let y: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let w: Vec<f64> = rows.iter().map(|r| r.2).collect();
        if w.iter().any(|&v| v > 0.0) {
            let m = IsotonicCalibration::fit(&y, &p, Some(&w)).unwrap();
            let grid: Vec<f64> = (0..=100).map(|k| k as f64 / 100.0).collect();
            let out = m.apply(&grid).unwrap();
            prop_assert!(out.windows(2).all(|w| w[0] <= w[1]));
        }
    }

    #[test]
    fn delong_variance_is_not_negative(
        rows in prop::collection::vec((0.0f64..1.0, 0.0f64..1.0, any::<bool>()), 4..200),
    ) {
        let y: Vec<f64> = rows.iter().map(|r| if r.2 { 1.0 } else { 0.0 }).collect();
        let a: Vec<f64> = rows.iter().map(|r| (r.0 * 10.0).round()).collect();
        let b: Vec<f64> = rows.iter().map(|r| r.1).collect();
        let m = y.iter().filter(|&&v| v == 1.0).count();
        if m >= 2 && y.len() - m >= 2 {
            let r = auc_interval(&y, &a, 0.95).unwrap();
            prop_assert!(r.se >= 0.0 && r.lower <= r.auc && r.auc <= r.upper);
            let t = delong_test(&y, &a, &b).unwrap();
            prop_assert!(t.se >= 0.0 && (0.0..=1.0).contains(&t.p_value));
        }
    }
}
