//! Uplift on a generated campaign whose truth is known: the learners find who is saved,
//! and uplift targeting beats risk targeting.
use ndarray::Array2;
use nps_core::features::{compute, retention};
use nps_core::model::{ChurnModel, ChurnModelOptions};
use nps_core::synth::{campaign, customers, BaseConfig, CampaignConfig, SyntheticBase, SyntheticCampaign};
use nps_core::uplift::{
    qini_coefficient, uplift_at, Outcome, UpliftInputs, UpliftLearner, UpliftModel, UpliftStrategy,
};

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
