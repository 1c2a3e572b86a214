//! Uplift on a generated campaign whose truth is known: the learners find who is saved,
//! and uplift targeting beats risk targeting.
use ndarray::Array2;
use nps_core::features::{compute, retention};
use nps_core::model::{ChurnModel, ChurnModelOptions};
use nps_core::synth::{campaign, customers, BaseConfig, CampaignConfig, SyntheticBase, SyntheticCampaign};
use nps_core::uplift::{
    expected_saved, qini_coefficient, qini_curve, rank_by_uplift, saved_per_contacts, uplift_at, uplift_curve, Outcome,
    UpliftInputs, UpliftLearner, UpliftModel, UpliftStrategy, DEFAULT_CONTACTS,
};
use proptest::prelude::*;

fn inputs(d: &Data) -> UpliftInputs<'_> {
    UpliftInputs::Matrix { x: d.x.view(), names: &d.names }
}

struct Data {
    base: SyntheticBase,
    campaign: SyntheticCampaign,
    x: Array2<f64>,
    names: Vec<String>,
    y: Vec<f64>,
    treated: Vec<f64>,
}

fn data(n: usize, seed: u64) -> Data {
    let base = customers(&BaseConfig { customers: n, seed, ..Default::default() }).unwrap();
    let m = compute(&base.events, &retention(), base.config.as_of).unwrap();
    let campaign = campaign(&base, &CampaignConfig { seed: seed + 100, ..Default::default() }).unwrap();
    let y = campaign.churned.iter().map(|&c| c as u8 as f64).collect();
    let treated = campaign.treated.iter().map(|&t| t as u8 as f64).collect();
    Data { base, campaign, x: m.values, names: m.names, y, treated }
}

/// The true customers saved (sum of true uplift) by calling the top fraction k by `score`.
fn saved(truth: &[f64], score: &[f64], k: f64) -> f64 {
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&i, &j| score[j].total_cmp(&score[i]).then(i.cmp(&j)));
    order[..(score.len() as f64 * k) as usize].iter().map(|&i| truth[i]).sum()
}

#[test]
fn uplift_targeting_of_the_top_fifth_saves_at_least_one_and_a_half_times_risk_targeting() {
    let train = data(20_000, 11);
    let test = data(20_000, 12);
    let truth = &test.campaign.true_uplift;
    // Risk targeting: a churn model on the control group (what the base looks like untouched).
    let control: Vec<usize> = (0..train.y.len()).filter(|&i| train.treated[i] == 0.0).collect();
    let xc = train.x.select(ndarray::Axis(0), &control);
    let yc: Vec<f64> = control.iter().map(|&i| train.y[i]).collect();
    let risk_model = ChurnModel::fit_matrix(xc.view(), &train.names, &yc, None, &ChurnModelOptions::default()).unwrap();
    let risk = risk_model.predict_proba_matrix(test.x.view(), &test.names).unwrap().to_vec();
    let by_risk = saved(truth, &risk, 0.2);
    let oracle_risk = saved(truth, &test.base.churn_probability, 0.2);
    let oracle = saved(truth, truth, 0.2);
    // The true-risk ranking does no better: risk is not what a call moves.
    assert!(oracle_risk < 1.2 * by_risk, "{oracle_risk} {by_risk}");
    for kind in ["two_model", "class_transformation"] {
        let learner = UpliftLearner::default();
        let model = UpliftModel::fit(kind, &inputs(&train), &train.y, &train.treated, &learner).unwrap();
        let score = model.predict(&inputs(&test)).unwrap();
        let by_uplift = saved(truth, &score, 0.2);
        let ratio = by_uplift / by_risk;
        println!("{kind}: saved {by_uplift:.1} vs risk {by_risk:.1} (true risk {oracle_risk:.1}, truth {oracle:.1}): {ratio:.2}x");
        assert!(ratio >= 1.5, "{kind}: {ratio}");
        // Measured on the campaign's outcomes too: the uplift model's top fifth gains more.
        let at = uplift_at(&test.y, &test.treated, &score, 0.2, UpliftStrategy::Overall, Outcome::Churned).unwrap();
        let at_risk = uplift_at(&test.y, &test.treated, &risk, 0.2, UpliftStrategy::Overall, Outcome::Churned).unwrap();
        assert!(at > at_risk, "{at} {at_risk}");
        let q = qini_coefficient(&test.y, &test.treated, &score, Outcome::Churned).unwrap();
        assert!(q.coefficient > 0.0, "{q:?}");
        // The model file scores to the bit.
        let again = UpliftModel::from_json(&model.to_json()).unwrap();
        assert_eq!(again.predict(&inputs(&test)).unwrap(), score);
    }
}

fn vectors() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/uplift.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn floats(v: &serde_json::Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
}

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (x, y) in a.iter().zip(b) {
        assert!((x - y).abs() <= tol, "{x} vs {y}");
    }
}

#[test]
fn scikit_uplift_and_the_vector_to_the_bit() {
    let v = vectors();
    for c in v["cases"].as_array().unwrap() {
        let (y, t, s, k) = (floats(&c["y"]), floats(&c["treated"]), floats(&c["score"]), c["k"].as_f64().unwrap());
        let (sk, core) = (&c["sklift"], &c["core"]);
        let o = Outcome::Retained;
        let q = qini_curve(&y, &t, &s, o).unwrap();
        close(&q.targeted, &floats(&sk["qini_x"]), 0.0);
        close(&q.incremental, &floats(&sk["qini_y"]), 1e-12);
        assert_eq!(q.incremental, floats(&core["qini_incremental"]));
        assert_eq!(q.fraction, floats(&core["qini_fraction"]));
        let u = uplift_curve(&y, &t, &s, o).unwrap();
        close(&u.incremental, &floats(&sk["uplift_y"]), 1e-12);
        assert_eq!(u.incremental, floats(&core["uplift_incremental"]));
        let qc = qini_coefficient(&y, &t, &s, o).unwrap();
        assert!((qc.coefficient - sk["qini_auc_score"].as_f64().unwrap()).abs() < 1e-12);
        assert_eq!(qc.coefficient, core["qini_coefficient"].as_f64().unwrap());
        assert_eq!(qc.area, core["qini_area"].as_f64().unwrap());
        for (strategy, sk_key, core_key) in [
            (UpliftStrategy::Overall, "uplift_at_k_overall", "uplift_at_overall"),
            (UpliftStrategy::ByGroup, "uplift_at_k_by_group", "uplift_at_by_group"),
        ] {
            let at = uplift_at(&y, &t, &s, k, strategy, o).unwrap();
            assert!((at - sk[sk_key].as_f64().unwrap()).abs() < 1e-12);
            assert_eq!(at, core[core_key].as_f64().unwrap());
        }
        let value = floats(&c["value"]);
        let saved = saved_per_contacts(&y, &t, &s, k, Some(&value), DEFAULT_CONTACTS, o).unwrap();
        assert_eq!(saved.customers, core["saved_customers"].as_f64().unwrap());
        assert_eq!(saved.value, core["saved_value"].as_f64());
        // Churn labels give the same numbers read as retention.
        let churned: Vec<f64> = y.iter().map(|v| 1.0 - v).collect();
        assert_eq!(qini_curve(&churned, &t, &s, Outcome::Churned).unwrap(), q);
    }
}

#[test]
fn mistakes_give_the_vector_code_and_message() {
    for m in vectors()["mistakes"].as_array().unwrap() {
        let outcome = Outcome::named(m["outcome"].as_str().unwrap());
        let e = outcome
            .and_then(|o| {
                uplift_at(
                    &floats(&m["y"]),
                    &floats(&m["treated"]),
                    &floats(&m["score"]),
                    m["k"].as_f64().unwrap(),
                    UpliftStrategy::Overall,
                    o,
                )
            })
            .unwrap_err();
        assert_eq!(e.code(), m["code"].as_str().unwrap());
        assert_eq!(e.to_string(), m["message"].as_str().unwrap());
    }
}

fn campaign_strategy() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>)> {
    (20usize..200).prop_flat_map(|n| {
        (prop::collection::vec(0u8..2, n), prop::collection::vec(0u8..2, n), prop::collection::vec(-5i32..5, n))
            .prop_filter("both groups", |(_, t, _)| t.contains(&0) && t.contains(&1))
            .prop_map(|(y, t, s)| {
                (
                    y.into_iter().map(f64::from).collect(),
                    t.into_iter().map(f64::from).collect(),
                    s.into_iter().map(f64::from).collect(),
                )
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn uplift_at_one_is_the_overall_difference((y, t, s) in campaign_strategy()) {
        let at = uplift_at(&y, &t, &s, 1.0, UpliftStrategy::Overall, Outcome::Retained).unwrap();
        let rate = |g: f64| {
            let rows: Vec<usize> = (0..y.len()).filter(|&i| t[i] == g).collect();
            rows.iter().map(|&i| y[i]).sum::<f64>() / rows.len() as f64
        };
        prop_assert!((at - (rate(1.0) - rate(0.0))).abs() < 1e-12);
        let by_group = uplift_at(&y, &t, &s, 1.0, UpliftStrategy::ByGroup, Outcome::Retained).unwrap();
        prop_assert!((by_group - at).abs() < 1e-12);
    }

    #[test]
    fn the_perfect_ranking_is_at_least_any((y, t, s) in campaign_strategy()) {
        let q = qini_coefficient(&y, &t, &s, Outcome::Retained).unwrap();
        prop_assume!(q.perfect_area > 0.0);
        prop_assert!(q.area <= q.perfect_area + 1e-9, "{:?}", q);
        prop_assert!(q.coefficient <= 1.0 + 1e-12);
        // The curve ends at the overall incremental retention, whatever the score.
        let c = qini_curve(&y, &t, &s, Outcome::Retained).unwrap();
        let flat = qini_curve(&y, &t, &vec![0.0; y.len()], Outcome::Retained).unwrap();
        prop_assert_eq!(c.incremental.last(), flat.incremental.last());
        prop_assert_eq!(c.targeted.last().copied(), Some(y.len() as f64));
    }
}

#[test]
fn a_random_score_is_about_the_random_line() {
    // Averaged over many random scores on one campaign, the Qini coefficient is about 0.
    let mut rng = 12345u64;
    let mut next = || {
        rng = rng.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let n = 2_000;
    let t: Vec<f64> = (0..n).map(|_| (next() < 0.5) as u8 as f64).collect();
    let y: Vec<f64> = (0..n).map(|i| (next() < 0.4 + 0.2 * t[i]) as u8 as f64).collect();
    let mean = (0..50)
        .map(|_| {
            let s: Vec<f64> = (0..n).map(|_| next()).collect();
            qini_coefficient(&y, &t, &s, Outcome::Retained).unwrap().coefficient
        })
        .sum::<f64>()
        / 50.0;
    assert!(mean.abs() < 0.02, "{mean}");
}

#[test]
fn learners_errors_and_targeting() {
    let x = ndarray::array![[0.0], [1.0], [2.0], [3.0]];
    let names = vec!["a".to_string()];
    let inputs = UpliftInputs::Matrix { x: x.view(), names: &names };
    let e = UpliftModel::fit("two_model", &inputs, &[0.0, 1.0, 0.0], &[1.0, 0.0, 1.0, 0.0], &UpliftLearner::default())
        .unwrap_err();
    assert_eq!(e.to_string(), "y has 3 elements but the rows of X has 4");
    let e = UpliftModel::fit("two_models", &inputs, &[0.0; 4], &[0.0; 4], &UpliftLearner::default()).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_VALUE");
    let e = UpliftLearner::named("boosting", None).unwrap_err();
    assert_eq!(e.to_string(), "unknown learner \"boosting\"; expected one of boosted, logistic");
    let e = UpliftModel::from_json(r#"{"format": "nps.uplift_model", "version": 9, "kind": "two_model"}"#).unwrap_err();
    assert!(e.to_string().contains("at most 1"), "{e}");
    let plan = rank_by_uplift(&[0.2, 0.0], &[10.0, 99.0], 1.0).unwrap();
    assert_eq!((plan.order, plan.worth_contacting, plan.total_net_value), (vec![0, 1], 1, 1.0));
    let e = rank_by_uplift(&[1.5], &[1.0], 0.0).unwrap_err();
    assert_eq!(e.to_string(), "uplift[0] = 1.5 is outside -1..=1");
    let s = expected_saved(&[0.1, 0.3, -0.1, 0.2], Some(&[10.0, 10.0, 10.0, 20.0]), 0.5, 1_000.0).unwrap();
    assert!((s.customers - 250.0).abs() < 1e-9 && (s.value.unwrap() - 3_500.0).abs() < 1e-9, "{s:?}");
}
