//! Multinomial logistic regression against scikit-learn (`tests/vectors/multinomial.json`).
use ndarray::Array2;
use nps_core::model::{fit_multinomial, LogisticOptions};

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

#[test]
fn matches_scikit_learn() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/multinomial.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for c in v["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let rows: Vec<Vec<f64>> = c["x"].as_array().unwrap().iter().map(floats).collect();
        let x = Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).unwrap();
        let y: Vec<usize> = c["y"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let w = c["sample_weight"].as_array().map(|_| floats(&c["sample_weight"]));
        let o = LogisticOptions { c: c["c"].as_f64().unwrap(), tol: 1e-12, ..Default::default() };
        let fit = fit_multinomial(x.view(), &y, 3, w.as_deref(), &o).unwrap();
        assert!(fit.report.converged, "{name} {:?}", fit.report);
        for (k, row) in c["coef"].as_array().unwrap().iter().enumerate() {
            for (a, b) in fit.coef[k].iter().zip(floats(row)) {
                assert!((a - b).abs() < 1e-6, "{name} coef[{k}]: {a} vs {b}");
            }
        }
        for (a, b) in fit.intercept.iter().zip(floats(&c["intercept"])) {
            assert!((a - b).abs() < 1e-6, "{name} intercept: {a} vs {b}");
        }
        let p = fit.predict_proba(x.view()).unwrap();
        for (i, row) in c["proba"].as_array().unwrap().iter().enumerate() {
            for (k, b) in floats(row).iter().enumerate() {
                assert!((p[[i, k]] - b).abs() < 1e-8, "{name} proba[{i}, {k}]");
            }
        }
    }
}

#[test]
fn bad_input_is_named() {
    let x = Array2::from_shape_vec((3, 1), vec![0.0, 1.0, 2.0]).unwrap();
    let o = LogisticOptions::default();
    let e = |y: &[usize], k: usize| fit_multinomial(x.view(), y, k, None, &o).unwrap_err().to_string();
    assert!(e(&[0, 1, 3], 3).contains("y[2] = 3 is outside the classes 0..3"));
    assert!(e(&[0, 1, 1], 3).contains("no row of class 2"));
    assert!(e(&[0, 1], 3).contains("y has 2 elements"));
}
