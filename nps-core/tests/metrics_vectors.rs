//! The churn-model metrics against scikit-learn and numpy (`tests/vectors/metrics.json`,
//! also read by the Python and Node tests), by hand, on bad input, and their invariants.
use nps_core::metrics::{
    average_precision, brier, calibration_table, lift_table, log_loss, roc_auc, roc_curve, threshold_metrics,
};
use proptest::prelude::*;
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/metrics.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::INFINITY)).collect()
}

fn close(a: f64, b: f64, what: &str) {
    assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "{what}: {a} vs {b}");
}

#[test]
fn matches_scikit_learn() {
    for c in vectors()["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let (y, p) = (floats(&c["y"]), floats(&c["p"]));
        let w = c["weights"].as_array().map(|_| floats(&c["weights"]));
        let w = w.as_deref();
        close(roc_auc(&y, &p, w).unwrap(), c["roc_auc"].as_f64().unwrap(), &format!("{name} roc_auc"));
        close(average_precision(&y, &p, w).unwrap(), c["average_precision"].as_f64().unwrap(), name);
        close(log_loss(&y, &p, w).unwrap(), c["log_loss"].as_f64().unwrap(), &format!("{name} log_loss"));
        close(brier(&y, &p, w).unwrap(), c["brier"].as_f64().unwrap(), &format!("{name} brier"));
        let r = roc_curve(&y, &p, w).unwrap();
        for (key, got) in [("fpr", &r.fpr), ("tpr", &r.tpr), ("thresholds", &r.thresholds)] {
            let want = floats(&c["roc_curve"][key]);
            assert_eq!(got.len(), want.len(), "{name} {key}");
            for (a, b) in got.iter().zip(&want) {
                assert!(a == b || (a - b).abs() <= 1e-12, "{name} {key}: {a} vs {b}");
            }
        }
        if w.is_none() || name == "weighted_500" {
            let t = threshold_metrics(&y, &p, c["threshold"].as_f64().unwrap()).unwrap();
            for (k, v) in [("accuracy", t.accuracy), ("precision", t.precision), ("recall", t.recall), ("f1", t.f1)] {
                close(v, c[k].as_f64().unwrap(), &format!("{name} {k}"));
            }
        }
        let cal = calibration_table(&y, &p, c["bins"].as_u64().unwrap() as usize).unwrap();
        let (obs, pred) = (floats(&c["calibration"]["observed_rate"]), floats(&c["calibration"]["mean_predicted"]));
        assert_eq!(cal.len(), obs.len(), "{name} calibration bins");
        for (row, (o, m)) in cal.iter().zip(obs.iter().zip(&pred)) {
            close(row.observed_rate, *o, name);
            close(row.mean_predicted, *m, name);
        }
        let lift = lift_table(&y, &p, c["lift_bins"].as_u64().unwrap() as usize).unwrap();
        let want = &c["lift"];
        close(lift.base_rate, want["base_rate"].as_f64().unwrap(), name);
        for (row, w) in lift.rows.iter().zip(want["rows"].as_array().unwrap()) {
            assert_eq!(row.customers as u64, w["customers"].as_u64().unwrap(), "{name}");
            assert_eq!(row.positives as u64, w["positives"].as_u64().unwrap(), "{name}");
            for (k, v) in
                [("lift", row.lift), ("cumulative_gain", row.cumulative_gain), ("cumulative_lift", row.cumulative_lift)]
            {
                close(v, w[k].as_f64().unwrap(), &format!("{name} lift {k}"));
            }
        }
    }
}

#[test]
fn by_hand() {
    // Positives 0.8, 0.4, 0.35 against negatives 0.1, 0.4, 0.4: of 9 pairs, 0.8 beats all 3,
    // 0.4 beats 0.1 and ties twice (2 × ½), 0.35 beats 0.1: (3 + 2 + 1) / 9.
    let (y, p) = ([0.0, 0.0, 1.0, 1.0, 0.0, 1.0], [0.1, 0.4, 0.35, 0.8, 0.4, 0.4]);
    assert!((roc_auc(&y, &p, None).unwrap() - 6.0 / 9.0).abs() < 1e-15);
    assert_eq!(brier(&[1.0, 0.0], &[0.5, 0.25], None).unwrap(), (0.25 + 0.0625) / 2.0);
    // A confident wrong answer costs −ln ε, not infinity.
    assert!((log_loss(&[1.0], &[0.0], None).unwrap() + f64::EPSILON.ln()).abs() < 1e-12);
    let lift = lift_table(&[1.0, 0.0, 0.0, 1.0, 0.0], &[0.9, 0.8, 0.1, 0.7, 0.2], 2).unwrap();
    assert_eq!((lift.rows[0].customers, lift.rows[0].positives), (3, 2));
    assert!((lift.rows[0].lift - (2.0 / 3.0) / 0.4).abs() < 1e-15);
    assert_eq!(lift.rows[1].cumulative_gain, 1.0);
}

#[test]
fn bad_input_is_named() {
    let e = |r: nps_core::Result<f64>| r.unwrap_err().to_string();
    assert_eq!(e(roc_auc(&[], &[], None)), "y is empty");
    assert!(e(roc_auc(&[0.0, 1.0], &[0.5], None)).contains("score has 1 elements but y has 2"));
    assert!(e(roc_auc(&[0.0, 2.0], &[0.5, 0.1], None)).contains("y[1] = 2 is outside {0, 1}"));
    assert!(e(roc_auc(&[0.0, 1.0], &[0.5, f64::NAN], None)).contains("score[1] is missing"));
    assert!(e(roc_auc(&[1.0, 1.0], &[0.5, 0.1], None)).contains("only class 1"));
    assert!(e(log_loss(&[0.0, 1.0], &[0.5, 1.5], None)).contains("p[1] = 1.5 is outside [0, 1]"));
    assert!(e(brier(&[0.0, 1.0], &[0.5, 0.5], Some(&[1.0, -2.0]))).contains("weights[1] = -2 is negative"));
    assert!(lift_table(&[0.0, 1.0], &[0.5, 0.1], 3).unwrap_err().to_string().contains("bins"));
    assert!(lift_table(&[0.0, 0.0], &[0.5, 0.1], 2).unwrap_err().to_string().contains("no positive"));
    assert!(calibration_table(&[0.0, 1.0], &[0.5, 0.1], 0).is_err());
}

fn labelled() -> impl Strategy<Value = (Vec<f64>, Vec<f64>)> {
    (2usize..60).prop_flat_map(|n| {
        (prop::collection::vec(any::<bool>(), n), prop::collection::vec(0u8..20, n)).prop_filter_map(
            "both classes",
            |(y, s)| {
                let y: Vec<f64> = y.into_iter().map(|b| b as u8 as f64).collect();
                let s: Vec<f64> = s.into_iter().map(|v| v as f64 / 19.0).collect();
                (y.contains(&0.0) && y.contains(&1.0)).then_some((y, s))
            },
        )
    })
}

proptest! {
    #[test]
    fn auc_is_a_probability_symmetric_and_rank_invariant((y, s) in labelled()) {
        let a = roc_auc(&y, &s, None).unwrap();
        prop_assert!((0.0..=1.0).contains(&a));
        let flipped: Vec<f64> = y.iter().map(|v| 1.0 - v).collect();
        prop_assert!((a + roc_auc(&flipped, &s, None).unwrap() - 1.0).abs() < 1e-12);
        let squashed: Vec<f64> = s.iter().map(|v| (3.0 * v).exp() - 7.0).collect();
        prop_assert_eq!(a, roc_auc(&y, &squashed, None).unwrap());
    }

    #[test]
    fn lift_tables_account_for_everyone((y, s) in labelled(), bins in 1usize..12) {
        prop_assume!(bins <= y.len());
        let t = lift_table(&y, &s, bins).unwrap();
        prop_assert_eq!(t.rows.iter().map(|r| r.customers).sum::<usize>(), y.len());
        prop_assert_eq!(t.rows.last().unwrap().cumulative_gain, 1.0);
        let sizes: Vec<usize> = t.rows.iter().map(|r| r.customers).collect();
        prop_assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1);
    }
}
