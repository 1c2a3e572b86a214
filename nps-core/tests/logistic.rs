//! Logistic regression against scikit-learn (`tests/vectors/logistic.json`), on bad input,
//! and its invariants.
use ndarray::{Array2, Axis};
use nps_core::model::{fit_logistic, stratified_folds, LogisticOptions};
use proptest::prelude::*;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/logistic.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

fn matrix(v: &Value) -> Array2<f64> {
    let rows: Vec<Vec<f64>> = v.as_array().unwrap().iter().map(floats).collect();
    Array2::from_shape_vec((rows.len(), rows[0].len()), rows.concat()).unwrap()
}

#[test]
fn matches_scikit_learn() {
    for c in vectors()["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let x = matrix(&c["x"]);
        let y = floats(&c["y"]);
        let w = c["sample_weight"].as_array().map(|_| floats(&c["sample_weight"]));
        let mut options: LogisticOptions = serde_json::from_value(c["options"].clone()).unwrap();
        options.tol = 1e-12;
        let fit = fit_logistic(x.view(), &y, w.as_deref(), &options).unwrap();
        assert!(fit.report.converged, "{name}: {:?}", fit.report);
        let scale = 1.0 + floats(&c["coef"]).iter().fold(0.0f64, |a, v| a.max(v.abs()));
        for (j, (a, b)) in fit.coef.iter().zip(floats(&c["coef"])).enumerate() {
            assert!((a - b).abs() < 1e-6 * scale, "{name} coef[{j}]: {a} vs sklearn {b}");
        }
        assert!((fit.intercept - c["intercept"].as_f64().unwrap()).abs() < 1e-6 * scale, "{name} intercept");
        let p = fit.predict_proba(x.slice(ndarray::s![..10, ..])).unwrap();
        for (a, b) in p.iter().zip(floats(&c["proba"])) {
            assert!((a - b).abs() < 1e-7, "{name} proba {a} vs {b}");
        }
        assert!(fit.report.iterations < 30, "{name}: {} Newton iterations", fit.report.iterations);
    }
}

#[test]
fn bad_input_is_named() {
    let x = Array2::from_shape_vec((4, 2), vec![0.0, 1.0, 1.0, 0.0, 2.0, 1.0, 0.5, f64::NAN]).unwrap();
    let o = LogisticOptions::default();
    let msg = |x: &Array2<f64>, y: &[f64], w: Option<&[f64]>, o: &LogisticOptions| {
        fit_logistic(x.view(), y, w, o).unwrap_err().to_string()
    };
    assert_eq!(msg(&x, &[0.0, 1.0, 0.0, 1.0], None, &o), "x[3, 1] must be a finite number, got NaN");
    let x = x.mapv(|v| if v.is_nan() { 3.0 } else { v });
    assert!(msg(&x, &[0.0, 1.0, 0.0], None, &o).contains("y has 3 elements but x's rows has 4"));
    assert!(msg(&x, &[0.0, 1.0, 2.0, 1.0], None, &o).contains("y[2] = 2 is outside {0, 1}"));
    assert!(msg(&x, &[1.0; 4], None, &o).contains("only class 1"));
    assert!(
        msg(&x, &[0.0, 1.0, 0.0, 1.0], Some(&[1.0, -1.0, 1.0, 1.0]), &o).contains("sample_weight[1] = -1 is negative")
    );
    assert!(msg(&x, &[0.0, 1.0, 0.0, 1.0], Some(&[0.0; 4]), &o).contains("all zero"));
    assert!(msg(&x, &[0.0, 1.0, 0.0, 1.0], None, &LogisticOptions { c: 0.0, ..o }).contains("C must be"));
    assert_eq!(msg(&Array2::zeros((0, 2)), &[], None, &o), "x is empty");
    // A constant column is fine under the penalty.
    let mut xc = x.clone();
    xc.column_mut(0).fill(5.0);
    assert!(fit_logistic(xc.view(), &[0.0, 1.0, 0.0, 1.0], None, &o).unwrap().report.converged);
    // Stopping at max_iter is reported, not an error.
    let fit =
        fit_logistic(x.view(), &[0.0, 1.0, 0.0, 1.0], None, &LogisticOptions { max_iter: 1, tol: 0.0, ..o }).unwrap();
    assert!(!fit.report.converged && fit.report.iterations == 1);
}

#[test]
fn folds_are_stratified_and_seeded() {
    let y: Vec<f64> = (0..103).map(|i| (i % 4 == 0) as u8 as f64).collect();
    let f = stratified_folds(&y, 5, 42).unwrap();
    assert_eq!(f, stratified_folds(&y, 5, 42).unwrap());
    assert_ne!(f, stratified_folds(&y, 5, 43).unwrap());
    for k in 0..5 {
        let (n, pos) = f.iter().zip(&y).filter(|(fi, _)| **fi == k).fold((0, 0.0), |(n, p), (_, y)| (n + 1, p + y));
        assert!((20..=21).contains(&n), "fold {k} has {n} rows");
        assert!((5.0..=6.0).contains(&pos), "fold {k} has {pos} positives");
    }
    assert!(stratified_folds(&[0.0, 1.0, 1.0], 2, 1).unwrap_err().to_string().contains("class 0"));
}

fn problem() -> impl Strategy<Value = (Array2<f64>, Vec<f64>)> {
    (10usize..40, 1usize..5).prop_flat_map(|(n, p)| {
        (prop::collection::vec(-3.0f64..3.0, n * p), prop::collection::vec(any::<bool>(), n)).prop_filter_map(
            "both classes",
            move |(x, y)| {
                let y: Vec<f64> = y.into_iter().map(|b| b as u8 as f64).collect();
                (y.contains(&0.0) && y.contains(&1.0)).then(|| (Array2::from_shape_vec((n, p), x).unwrap(), y))
            },
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]
    #[test]
    fn probabilities_are_inside_the_unit_interval((x, y) in problem()) {
        let fit = fit_logistic(x.view(), &y, None, &LogisticOptions::default()).unwrap();
        for p in fit.predict_proba(x.view()).unwrap() {
            prop_assert!(p > 0.0 && p < 1.0);
        }
    }

    #[test]
    fn permuting_columns_permutes_coefficients((x, y) in problem(), seed in any::<u64>()) {
        let p = x.ncols();
        let mut order: Vec<usize> = (0..p).collect();
        let mut rng = nps_core::synth::Rng::new(seed);
        for i in (1..p).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        let o = LogisticOptions { tol: 1e-12, ..Default::default() };
        let a = fit_logistic(x.view(), &y, None, &o).unwrap();
        let xp = x.select(Axis(1), &order);
        let b = fit_logistic(xp.view(), &y, None, &o).unwrap();
        for (k, &j) in order.iter().enumerate() {
            prop_assert!((b.coef[k] - a.coef[j]).abs() < 1e-8);
        }
        let (pa, pb) = (a.predict_proba(x.view()).unwrap(), b.predict_proba(xp.view()).unwrap());
        for (u, v) in pa.iter().zip(&pb) {
            prop_assert!((u - v).abs() < 1e-9);
        }
    }

    #[test]
    fn a_duplicated_row_weighs_like_weight_two((x, y) in problem()) {
        let o = LogisticOptions { tol: 1e-12, ..Default::default() };
        let n = x.nrows();
        let doubled = ndarray::concatenate(Axis(0), &[x.view(), x.slice(ndarray::s![..1, ..])]).unwrap();
        let mut yd = y.clone();
        yd.push(y[0]);
        let a = fit_logistic(doubled.view(), &yd, None, &o).unwrap();
        let mut w = vec![1.0; n];
        w[0] = 2.0;
        let b = fit_logistic(x.view(), &y, Some(&w), &o).unwrap();
        for (u, v) in a.coef.iter().zip(&b.coef) {
            prop_assert!((u - v).abs() < 1e-8);
        }
        prop_assert!((a.intercept - b.intercept).abs() < 1e-8);
    }
}
