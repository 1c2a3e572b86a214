#![allow(clippy::needless_range_loop)]
//! Customer value against lifetimes 0.11.3 (tests/vectors/value.json, made by
//! tests/vectors/make_value.py): BG/NBD and Gamma-Gamma on the CDNOW summary, lifetime
//! value, the RFM summary of generated transactions; the shifted-beta-geometric model on
//! Fader & Hardie's cohorts; value at risk; model files; errors; invariants (proptest).
use nps_core::value::{
    customer_lifetime_value, plan_campaign, summary_from_transactions, value_at_risk, BetaGeo, GammaGamma,
    LifetimeValueOptions, RetentionAction, ShiftedBetaGeometric, SummaryOptions, TimeUnit, ValueModel,
};
use nps_core::NpsError;
use proptest::prelude::*;
use serde_json::Value;

fn vectors() -> Value {
    serde_json::from_str(include_str!("../../tests/vectors/value.json")).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// Largest relative difference (absolute below 1e-12 in size).
fn max_rel(a: &[f64], b: &[f64]) -> f64 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs() / y.abs().max(1e-12)).fold(0.0, f64::max)
}

struct Cdnow {
    f: Vec<f64>,
    r: Vec<f64>,
    t: Vec<f64>,
    m: Vec<f64>,
}

fn cdnow(v: &Value) -> Cdnow {
    let c = &v["cdnow"];
    Cdnow { f: floats(&c["frequency"]), r: floats(&c["recency"]), t: floats(&c["T"]), m: floats(&c["monetary_value"]) }
}

fn repeat(c: &Cdnow) -> Cdnow {
    let keep: Vec<usize> = (0..c.f.len()).filter(|&i| c.f[i] > 0.0).collect();
    let pick = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    Cdnow { f: pick(&c.f), r: pick(&c.r), t: pick(&c.t), m: pick(&c.m) }
}

#[test]
fn beta_geo_equals_lifetimes_on_cdnow() {
    let v = vectors();
    let c = cdnow(&v);
    let e = &v["beta_geo"];
    let model = BetaGeo::fit(&c.f, &c.r, &c.t, None, 0.0).unwrap();
    let d = max_rel(&model.params(), &floats(&e["params"]));
    assert!(d < 1e-6, "params {:?} vs lifetimes: {d:e}", model.params());
    assert!(max_rel(&model.fit.standard_errors, &floats(&e["standard_errors"])) < 1e-4);
    assert!(max_rel(&[model.fit.log_likelihood], &[e["log_likelihood"].as_f64().unwrap()]) < 1e-9);
    for (k, h) in floats(&e["horizons"]).into_iter().enumerate() {
        let ours = model.conditional_expected_number_of_purchases_up_to_time(h, &c.f, &c.r, &c.t).unwrap();
        let d = max_rel(&ours, &floats(&e["conditional_expected_purchases"][k]));
        assert!(d < 1e-5, "t = {h}: {d:e}");
    }
    let alive = model.conditional_probability_alive(&c.f, &c.r, &c.t).unwrap();
    assert!(max_rel(&alive, &floats(&e["probability_alive"])) < 1e-5);
    let new = model.expected_number_of_purchases_up_to_time(&floats(&e["new_customer_horizons"])).unwrap();
    assert!(max_rel(&new, &floats(&e["new_customer_expected_purchases"])) < 1e-5);
}

#[test]
fn beta_geo_with_weights_and_penalty_equals_lifetimes() {
    let v = vectors();
    let c = cdnow(&v);
    let e = &v["beta_geo_penalized"];
    let model = BetaGeo::fit(&c.f, &c.r, &c.t, None, 0.01).unwrap();
    assert!(max_rel(&model.params(), &floats(&e["params"])) < 1e-5, "{:?}", model.params());
    let w = &v["beta_geo_weighted"];
    let (f, r, t, wt) = (floats(&w["frequency"]), floats(&w["recency"]), floats(&w["T"]), floats(&w["weights"]));
    let model = BetaGeo::fit(&f, &r, &t, Some(&wt), 0.0).unwrap();
    assert!(max_rel(&model.params(), &floats(&w["params"])) < 1e-6);
    assert!(max_rel(&[model.fit.log_likelihood], &[w["log_likelihood"].as_f64().unwrap()]) < 1e-9);
    assert_eq!(model.fit.customers, 2357.0);
    let g = &v["generated_fit"];
    let s = &v["summaries"]["D_end"];
    let model = BetaGeo::fit(&floats(&s["frequency"]), &floats(&s["recency"]), &floats(&s["T"]), None, 0.001).unwrap();
    assert!(max_rel(&model.params(), &floats(&g["params"])) < 1e-4, "{:?}", model.params());
}

#[test]
fn gamma_gamma_and_lifetime_value_equal_lifetimes() {
    let v = vectors();
    let c = repeat(&cdnow(&v));
    let e = &v["gamma_gamma"];
    let spend = GammaGamma::fit(&c.f, &c.m, None, 0.0).unwrap();
    assert!(max_rel(&spend.params(), &floats(&e["params"])) < 1e-6, "{:?}", spend.params());
    assert!(max_rel(&spend.fit.standard_errors, &floats(&e["standard_errors"])) < 1e-4);
    assert!(max_rel(&[spend.fit.log_likelihood], &[e["log_likelihood"].as_f64().unwrap()]) < 1e-9);
    let profit = spend.conditional_expected_average_profit(&c.f, &c.m).unwrap();
    assert!(max_rel(&profit, &floats(&e["expected_average_profit"])) < 1e-6);
    let all = cdnow(&v);
    let purchases = BetaGeo::fit(&all.f, &all.r, &all.t, None, 0.0).unwrap();
    let clv =
        customer_lifetime_value(&purchases, &spend, &c.f, &c.r, &c.t, &c.m, &LifetimeValueOptions::default()).unwrap();
    let d = max_rel(&clv, &floats(&e["clv_days"]));
    assert!(d < 1e-5, "clv (days): {d:e}");
    let weeks = LifetimeValueOptions { months: 6, discount_rate: 0.02, freq: "W".into() };
    let clv = customer_lifetime_value(&purchases, &spend, &c.f, &c.r, &c.t, &c.m, &weeks).unwrap();
    assert!(max_rel(&clv, &floats(&e["clv_weeks"])) < 1e-5);
}

#[test]
fn summary_equals_lifetimes_on_generated_transactions() {
    let v = vectors();
    let tx = &v["transactions"];
    let labels: Vec<String> = tx["customer"].as_array().unwrap().iter().map(|x| x.as_str().unwrap().into()).collect();
    // Codes in label order, so that rows come out sorted as lifetimes' index.
    let mut distinct = labels.clone();
    distinct.sort();
    distinct.dedup();
    let codes: Vec<u32> = labels.iter().map(|l| distinct.binary_search(l).unwrap() as u32).collect();
    let time: Vec<i64> = tx["time"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap()).collect();
    let amount = floats(&tx["amount"]);
    for (name, e) in v["summaries"].as_object().unwrap() {
        let options = SummaryOptions {
            observation_end: e["observation_end"].as_i64(),
            unit: TimeUnit::parse(e["freq"].as_str().unwrap()).unwrap(),
            freq_multiplier: e["freq_multiplier"].as_f64().unwrap(),
            include_first_transaction: e["include_first_transaction"].as_bool().unwrap(),
        };
        let s = summary_from_transactions(&codes, &time, Some(&amount), &options).unwrap();
        let who: Vec<&str> = s.customer.iter().map(|&c| distinct[c as usize].as_str()).collect();
        let expected: Vec<&str> = e["customer"].as_array().unwrap().iter().map(|x| x.as_str().unwrap()).collect();
        assert_eq!(who, expected, "{name}");
        assert_eq!(s.frequency, floats(&e["frequency"]), "{name}");
        assert_eq!(s.recency, floats(&e["recency"]), "{name}");
        assert_eq!(s.t, floats(&e["T"]), "{name}");
        assert!(max_rel(&s.monetary_value, &floats(&e["monetary_value"])) < 1e-12, "{name}");
    }
}

#[test]
fn shifted_beta_geometric_reproduces_the_paper() {
    let v = vectors();
    for (name, e) in v["shifted_beta_geometric"].as_object().unwrap() {
        let survivors = floats(&e["survivors"]);
        let model = ShiftedBetaGeometric::fit(&survivors[..8]).unwrap();
        // The paper's published estimates, to the digits it prints.
        let published = &e["published"];
        assert!((model.alpha - published["alpha"].as_f64().unwrap()).abs() < 5e-4, "{name}: {}", model.alpha);
        assert!((model.beta - published["beta"].as_f64().unwrap()).abs() < 5e-4, "{name}: {}", model.beta);
        if let Some(ll) = published["log_likelihood"].as_f64() {
            assert!((model.fit.log_likelihood - ll).abs() < 0.05);
        }
        // An independent fit (scipy) and the survival curve by the beta function.
        assert!(
            max_rel(&[model.alpha, model.beta], &[e["alpha"].as_f64().unwrap(), e["beta"].as_f64().unwrap()]) < 1e-6
        );
        assert!(max_rel(&[model.fit.log_likelihood], &[e["log_likelihood"].as_f64().unwrap()]) < 1e-10);
        let s = model.survival(12);
        assert!(max_rel(&s, &floats(&e["survival"])) < 1e-6);
        // The paper: year-12 survival projected within a few percent of the actual
        // (2% Regular, 4% High End).
        let error = s[12] * 1000.0 / survivors[12] - 1.0;
        assert!(error.abs() < 0.05, "{name}: {error}");
        for (key, derl) in e["derl"].as_object().unwrap() {
            let (d, n) = key.split_once('_').unwrap();
            let ours = model.discounted_expected_residual_lifetime(d.parse().unwrap(), n.parse().unwrap()).unwrap();
            assert!((ours / derl.as_f64().unwrap() - 1.0).abs() < 1e-6, "{name} {key}: {ours}");
        }
        // Retention rates: S(t)/S(t − 1).
        for t in 1..12 {
            assert!((model.retention_rate(t as u32) - s[t] / s[t - 1]).abs() < 1e-12);
        }
        assert!(model.expected_remaining_lifetime(0).is_infinite(), "alpha < 1: infinite mean lifetime");
    }
    let heavy = ShiftedBetaGeometric::from_params(2.0, 3.0).unwrap();
    // E[T − n + 1 | T > n − 1] by direct summation, for a customer with 2 renewals.
    let s = heavy.survival(200_000);
    let direct: f64 = (3..s.len()).map(|t| s[t] / s[2]).sum();
    assert!((heavy.expected_remaining_lifetime(2) / direct - 1.0).abs() < 1e-4);
}

#[test]
fn value_at_risk_and_campaign_arithmetic() {
    let p = [0.5, 0.1, 0.9, 0.0];
    let value = [100.0, 1000.0, 10.0, 50.0];
    assert_eq!(value_at_risk(&p, &value).unwrap(), vec![50.0, 100.0, 9.0, 0.0]);
    let action = RetentionAction { uplift: 0.2, cost: 5.0, acceptance_rate: 0.5 };
    let plan = plan_campaign(&p, &value, &action).unwrap();
    // saved = 0.5 × min(0.2, p) × value
    assert_eq!(plan.saved_value, vec![10.0, 50.0, 1.0, 0.0]);
    assert_eq!(plan.net_value, vec![5.0, 45.0, -4.0, -5.0]);
    assert_eq!(plan.order, vec![1, 0, 2, 3]);
    assert_eq!(plan.worth_contacting, 2);
    assert_eq!(plan.total_net_value, 50.0);
}

/// Next-best-action takes the value at risk as an action's value: `{"field":
/// "value_at_risk", "times": ...}`.
#[test]
fn next_best_action_values_an_action_by_the_value_at_risk() {
    use nps_core::action::{Catalog, FieldValue};
    let catalog = Catalog::from_json(
        r#"{"fields": {"value_at_risk": "number"},
            "actions": [{"id": "save_call", "channel": "call", "value": {"field": "value_at_risk", "times": 0.3}},
                        {"id": "letter", "channel": "mail", "value": 5}]}"#,
    )
    .unwrap();
    let at_risk = value_at_risk(&[0.6, 0.02], &[400.0, 400.0]).unwrap();
    let high = catalog.customer(&[("value_at_risk", FieldValue::Number(at_risk[0]))]).unwrap();
    let low = catalog.customer(&[("value_at_risk", FieldValue::Number(at_risk[1]))]).unwrap();
    let options = nps_core::action::DecideOptions::default();
    let best = |c| catalog.decide(c, 50.0, &[], &[], 0, &options).unwrap();
    let (h, l) = (best(&high), best(&low));
    assert_eq!(&*h.actions[0].id, "save_call");
    assert!((h.actions[0].value - 72.0).abs() < 1e-9, "{}", h.actions[0].value);
    assert_eq!(&*l.actions[0].id, "letter");
}

#[test]
fn model_files_read_back_to_the_bit() {
    let v = vectors();
    let c = cdnow(&v);
    let bg = BetaGeo::fit(&c.f, &c.r, &c.t, None, 0.0).unwrap();
    let back = BetaGeo::from_json(&bg.to_json()).unwrap();
    assert_eq!(back, bg);
    let rc = repeat(&c);
    let gg = GammaGamma::fit(&rc.f, &rc.m, None, 0.0).unwrap();
    assert_eq!(GammaGamma::from_json(&gg.to_json()).unwrap(), gg);
    let sbg = ShiftedBetaGeometric::fit(&[1000.0, 631.0, 468.0, 382.0]).unwrap();
    let text = sbg.to_json();
    assert_eq!(ValueModel::from_json(&text).unwrap(), ValueModel::ShiftedBetaGeometric(sbg));
    let e = BetaGeo::from_json(&text).unwrap_err();
    assert!(e.to_string().contains("kind"), "{e}");
    let newer = bg.to_json().replace("\"version\": 1", "\"version\": 2");
    assert!(BetaGeo::from_json(&newer).unwrap_err().to_string().contains("newer"));
}

fn expect_message(e: NpsError, parts: &[&str]) {
    let text = e.to_string();
    for p in parts {
        assert!(text.contains(p), "{text:?} lacks {p:?}");
    }
}

/// A frequent buyer (400 repeat purchases, a daily top-up) over ten years: ₂F₁ there is
/// about 10⁴⁴⁵, too large for a number, and the power it multiplies as small; through their
/// logarithms the expectation is finite and equals lifetimes 0.11.3's
/// (`conditional_expected_number_of_purchases_up_to_time(520, 400, 38, 39)` with these
/// parameters), as does a customer with few purchases.
#[test]
fn beta_geo_expected_purchases_of_a_frequent_buyer_over_a_long_horizon() {
    let model = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
    let ours = model.conditional_expected_number_of_purchases_up_to_time(520.0, &[400.0], &[38.0], &[39.0]).unwrap();
    assert!((ours[0] / 58.487813731117626 - 1.0).abs() < 1e-10, "{ours:?}");
    let few = model.conditional_expected_number_of_purchases_up_to_time(520.0, &[20.0], &[38.0], &[39.0]).unwrap();
    assert!((few[0] / 67.84422746255376 - 1.0).abs() < 1e-10, "{few:?}");
}

/// A horizon or discount rate the hypergeometric series cannot reach is an error naming
/// it (and the customer), not NaN.
#[test]
fn horizons_beyond_the_series_are_errors() {
    let model = BetaGeo::from_params(0.243, 4.414, 0.793, 2.426).unwrap();
    let e = model
        .conditional_expected_number_of_purchases_up_to_time(1e12, &[0.0, 2.0], &[0.0, 30.0], &[39.0, 39.0])
        .unwrap_err();
    expect_message(e, &["t", "1000000000000", "customer 0", "shorter horizon"]);
    let e = model.expected_number_of_purchases_up_to_time(&[52.0, 1e12]).unwrap_err();
    expect_message(e, &["t[1]", "shorter horizon"]);
    let sbg = ShiftedBetaGeometric::from_params(0.7, 1.2).unwrap();
    assert!(sbg.discounted_expected_residual_lifetime(1e-4, 0).unwrap().is_finite());
    let e = sbg.discounted_expected_residual_lifetime(1e-9, 0).unwrap_err();
    expect_message(e, &["discount_rate", "1e-5"]);
}

#[test]
fn bad_inputs_name_the_field_and_row() {
    let ok = |x: &[f64], r: &[f64], t: &[f64]| BetaGeo::fit(x, r, t, None, 0.0);
    expect_message(ok(&[1.0, -1.0], &[1.0, 0.0], &[2.0, 2.0]).unwrap_err(), &["frequency[1]", "negative"]);
    expect_message(ok(&[1.0, 1.0], &[1.0, 3.0], &[2.0, 2.0]).unwrap_err(), &["recency[1] = 3", "T[1] = 2"]);
    expect_message(ok(&[0.0, 1.0], &[1.0, 1.0], &[2.0, 2.0]).unwrap_err(), &["recency[0] = 1", "frequency[0] = 0"]);
    expect_message(ok(&[1.0, f64::NAN], &[1.0, 1.0], &[2.0, 2.0]).unwrap_err(), &["frequency[1]", "missing"]);
    expect_message(ok(&[1.0, 1.0], &[1.0], &[2.0, 2.0]).unwrap_err(), &["recency has 1", "frequency has 2"]);
    expect_message(ok(&[1.5], &[1.0], &[2.0]).unwrap_err(), &["frequency[0] = 1.5", "whole"]);
    let e = GammaGamma::fit(&[1.0, 2.0], &[10.0, 0.0], None, 0.0).unwrap_err();
    expect_message(e, &["monetary_value[1] = 0", "positive"]);
    let e = GammaGamma::fit(&[1.0, 0.0], &[10.0, 5.0], None, 0.0).unwrap_err();
    expect_message(e, &["frequency[1] = 0", "repeat purchases"]);
    let e = ShiftedBetaGeometric::fit(&[1000.0, 600.0, 650.0]).unwrap_err();
    expect_message(e, &["survivors[2] = 650", "only shrinks"]);
    let e = value_at_risk(&[0.5, 1.5], &[1.0, 1.0]).unwrap_err();
    expect_message(e, &["churn_probability[1] = 1.5"]);
    let e = value_at_risk(&[0.5], &[1.0, 1.0]).unwrap_err();
    expect_message(e, &["residual_value has 2"]);
    let e = summary_from_transactions(&[0, 1], &[0, 86_400], Some(&[1.0, f64::NAN]), &SummaryOptions::default())
        .unwrap_err();
    expect_message(e, &["amount[1]", "missing"]);
    let zero = SummaryOptions { freq_multiplier: 0.0, ..SummaryOptions::default() };
    expect_message(
        summary_from_transactions(&[0], &[0], None, &zero).unwrap_err(),
        &["freq_multiplier must be a positive", "got 0"],
    );
    expect_message(TimeUnit::parse("Q").unwrap_err(), &["freq", "\"Q\""]);
    // Non-convergence names the reason: all customers bought on every day of an instant.
    let e = BetaGeo::fit(&[0.0, 0.0], &[0.0, 0.0], &[0.0, 0.0], None, 0.0).unwrap_err();
    expect_message(e, &["T must be"]);
    let e = BetaGeo::fit(&[5.0; 3], &[10.0; 3], &[10.0; 3], None, 0.0).unwrap_err();
    expect_message(e, &["BG/NBD fit", "no convergence"]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn beta_geo_invariants(r in 0.05f64..3.0, alpha in 0.5f64..50.0, a in 0.1f64..3.0, b in 0.5f64..5.0,
                           x in 0u32..30, recency_share in 0.0f64..1.0, age in 1.0f64..100.0,
                           h1 in 0.0f64..200.0, dh in 0.0f64..200.0) {
        let model = BetaGeo::from_params(r, alpha, a, b).unwrap();
        let x = f64::from(x);
        let tx = if x == 0.0 { 0.0 } else { recency_share * age };
        let e1 = model.conditional_expected_number_of_purchases_up_to_time(h1, &[x], &[tx], &[age]).unwrap()[0];
        let e2 = model.conditional_expected_number_of_purchases_up_to_time(h1 + dh, &[x], &[tx], &[age]).unwrap()[0];
        prop_assume!(e1.is_finite() && e2.is_finite());
        prop_assert!(e2 >= e1 - 1e-9 * e1.abs().max(1.0), "{} then {}", e1, e2);
        prop_assert!(e1 >= -1e-12);
        let alive = model.conditional_probability_alive(&[x], &[tx], &[age]).unwrap()[0];
        prop_assert!((0.0..=1.0).contains(&alive));
    }

    #[test]
    fn shifted_beta_geometric_survival_falls(alpha in 0.05f64..20.0, beta in 0.05f64..20.0) {
        let model = ShiftedBetaGeometric::from_params(alpha, beta).unwrap();
        let s = model.survival(60);
        prop_assert_eq!(s[0], 1.0);
        for w in s.windows(2) {
            prop_assert!(w[1] <= w[0] && w[1] >= 0.0);
        }
    }
}

/// Model files written by Python (tests/vectors/make_value.py) predict to the bit.
#[test]
fn model_files_written_by_python_predict_to_the_bit() {
    let v = vectors();
    let c = cdnow(&v);
    let mf = &v["model_files"];
    let bg = BetaGeo::from_json(&mf["beta_geo"].to_string()).unwrap();
    let rows: Vec<usize> = mf["rows"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    let pick = |xs: &[f64], rows: &[usize]| rows.iter().map(|&i| xs[i]).collect::<Vec<f64>>();
    let (f, r, t) = (pick(&c.f, &rows), pick(&c.r, &rows), pick(&c.t, &rows));
    let bits = |xs: &[f64]| xs.iter().map(|x| x.to_bits()).collect::<Vec<u64>>();
    let e = bg.conditional_expected_number_of_purchases_up_to_time(10.0, &f, &r, &t).unwrap();
    assert_eq!(bits(&e), bits(&floats(&mf["expected_purchases_10"])));
    let alive = bg.conditional_probability_alive(&f, &r, &t).unwrap();
    assert_eq!(bits(&alive), bits(&floats(&mf["probability_alive"])));
    let gg = GammaGamma::from_json(&mf["gamma_gamma"].to_string()).unwrap();
    let rep: Vec<usize> = mf["repeat_rows"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    let clv = customer_lifetime_value(
        &bg,
        &gg,
        &pick(&c.f, &rep),
        &pick(&c.r, &rep),
        &pick(&c.t, &rep),
        &pick(&c.m, &rep),
        &LifetimeValueOptions::default(),
    )
    .unwrap();
    assert_eq!(bits(&clv), bits(&floats(&mf["clv"])));
    let sbg = ShiftedBetaGeometric::from_json(&mf["shifted_beta_geometric"].to_string()).unwrap();
    assert_eq!(bits(&sbg.survival(12)), bits(&floats(&mf["survival_12"])));
    let derl = sbg.discounted_expected_residual_lifetime(0.1, 2).unwrap();
    assert_eq!(derl.to_bits(), mf["derl_0.1_2"].as_f64().unwrap().to_bits());
}
