//! NPS and churn against scipy (`tests/vectors/churn_link.json`, also read from Python and
//! Node), by hand, and on bad input.
use approx::assert_relative_eq;
use nps_core::early_warning::{churn_by_nps, GroupChurn};
use serde_json::Value;

fn vectors() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/churn_link.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn close(actual: f64, expected: &Value, what: &str) {
    match expected.as_f64() {
        Some(e) if e.is_finite() => assert_relative_eq!(actual, e, max_relative = 1e-12, epsilon = 1e-15),
        _ => assert!(actual.is_nan() || actual.is_infinite(), "{what}: {actual} where scipy has {expected}"),
    }
}

fn group(g: &GroupChurn, e: &Value, what: &str) {
    assert_eq!(g.customers, e["customers"].as_u64().unwrap(), "{what}");
    assert_eq!(g.churned, e["churned"].as_u64().unwrap(), "{what}");
    close(g.rate, &e["rate"], what);
    close(g.low, &e["low"], what);
    close(g.high, &e["high"], what);
}

#[test]
fn matches_scipy() {
    for c in vectors()["cases"].as_array().unwrap() {
        let name = c["name"].as_str().unwrap();
        let scores: Vec<f64> = c["scores"].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        let churned: Vec<bool> = c["churned"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() == 1).collect();
        let r = churn_by_nps(&scores, &churned, c["level"].as_f64().unwrap()).unwrap();
        let e = &c["expected"];
        group(&r.detractors, &e["detractors"], name);
        group(&r.passives, &e["passives"], name);
        group(&r.promoters, &e["promoters"], name);
        for (s, g) in r.by_score.iter().enumerate() {
            group(g, &e["by_score"][s], &format!("{name} score {s}"));
        }
        close(r.relative_risk, &e["relative_risk"], name);
        close(r.relative_risk_low, &e["relative_risk_low"], name);
        close(r.relative_risk_high, &e["relative_risk_high"], name);
        close(r.chi_square.statistic, &e["chi_square"]["statistic"], name);
        close(r.chi_square.p_value, &e["chi_square"]["p_value"], name);
        assert_eq!(r.chi_square.df as u64, e["chi_square"]["df"].as_u64().unwrap());
        let red = r.reduction(0.25).unwrap();
        close(red.churners_avoided, &e["reduction_25"]["churners_avoided"], name);
        close(red.churn_rate_after, &e["reduction_25"]["churn_rate_after"], name);
    }
}

#[test]
fn by_hand() {
    // Detractors 4 of 5 leave, passives 1 of 2, promoters 1 of 5.
    let scores = [0.0, 3.0, 6.0, 6.0, 7.0, 8.0, 9.0, 10.0, 10.0, 10.0, 5.0, 9.0];
    let churned = [true, true, false, true, false, true, false, false, false, true, true, false];
    let r = churn_by_nps(&scores, &churned, 0.95).unwrap();
    assert_eq!((r.detractors.customers, r.detractors.churned), (5, 4));
    assert_eq!(r.relative_risk, 4.0);
    assert_eq!(r.by_score[10].customers, 3);
    assert!(r.by_score[1].rate.is_nan() && r.by_score[1].customers == 0);
    // Expected counts: every row has 12 answers, 6 churners; chi-square by hand = 3.6.
    assert_relative_eq!(r.chi_square.statistic, 3.6, max_relative = 1e-14);
    let red = r.reduction(1.0).unwrap();
    assert_relative_eq!(red.churners_avoided, 5.0 * 0.3, max_relative = 1e-14);
    assert_relative_eq!(red.churn_rate_before, 0.5);
    assert_relative_eq!(red.churn_rate_after, (6.0 - 1.5) / 12.0, max_relative = 1e-14);
    assert!(r.reduction(1.5).unwrap_err().to_string().contains("share"));
}

#[test]
fn bad_input_names_index_and_value() {
    let msg = |s: &[f64], c: &[bool]| churn_by_nps(s, c, 0.95).unwrap_err().to_string();
    assert_eq!(msg(&[], &[]), "scores is empty");
    assert!(msg(&[1.0, 2.0], &[true]).contains("churned has 1 elements but scores has 2"));
    assert!(msg(&[1.0, f64::NAN], &[true, false]).contains("scores[1] is missing"));
    assert!(msg(&[1.0, 11.0], &[true, false]).contains("scores[1] = 11 is outside the scale 0..=10"));
    assert!(msg(&[1.5], &[true]).contains("scores[0] = 1.5 is not a whole number"));
    assert!(churn_by_nps(&[1.0], &[true], 1.0).unwrap_err().to_string().contains("level"));
}
