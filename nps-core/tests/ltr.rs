//! Likelihood to recommend: trained on respondents, the predicted NPS of those who never
//! answered against their true NPS (the generator knows everyone's answer), the blended NPS,
//! the model file, and bad input.
use nps_core::early_warning::{blended_nps, evaluate_ltr, predicted_nps, LtrModel, SURVEY_ANSWER_FEATURES};
use nps_core::encode::{infer_specs, Cell, Column, RawTable};
use nps_core::features::{compute, retention};
use nps_core::model::ChurnModelOptions;
use nps_core::synth::{customers, BaseConfig, SyntheticBase};

fn table(b: &SyntheticBase, rows: &[usize]) -> RawTable {
    let m = compute(&b.events, &retention(), b.config.as_of).unwrap();
    let columns =
        m.values.columns().into_iter().map(|c| Column::Numeric(rows.iter().map(|&r| c[r]).collect())).collect();
    RawTable::new(m.names, columns).unwrap()
}

fn true_nps(b: &SyntheticBase, rows: &[usize]) -> f64 {
    let x: f64 =
        rows.iter().map(|&c| [-1.0, 0.0, 1.0][(b.true_score[c] >= 7) as usize + (b.true_score[c] >= 9) as usize]).sum();
    100.0 * x / rows.len() as f64
}

#[test]
fn predicted_nps_of_non_respondents_covers_their_true_nps() {
    let (mut covered, seeds) = (0, 20);
    for seed in 1..=seeds {
        let b = customers(&BaseConfig { customers: 6_000, seed, ..Default::default() }).unwrap();
        let answered: Vec<usize> = b.surveys.customer.iter().map(|&c| c as usize).collect();
        let silent: Vec<usize> = (0..6_000).filter(|c| !answered.contains(c)).collect();
        let train = table(&b, &answered);
        let scores: Vec<f64> = answered.iter().map(|&c| b.true_score[c] as f64).collect();
        let options = ChurnModelOptions::default();
        let leak = SURVEY_ANSWER_FEATURES;
        let model = LtrModel::fit(&train, &scores, None, &infer_specs(&train, &leak), &options).unwrap();
        let p = model.predict_proba(&table(&b, &silent)).unwrap();
        let predicted = predicted_nps(p.view(), model.training.rows, 0.95).unwrap();
        let truth = true_nps(&b, &silent);
        covered += (predicted.low <= truth && truth <= predicted.high) as usize;
        if seed == 1 {
            eprintln!(
                "seed 1: predicted {:.1} [{:.1}, {:.1}], true {truth:.1}",
                predicted.nps, predicted.low, predicted.high
            );
            // The blend uses the answers where they exist.
            let all: Vec<usize> = (0..6_000).collect();
            let pa = model.predict_proba(&table(&b, &all)).unwrap();
            let answers: Vec<f64> =
                (0..6_000).map(|c| if answered.contains(&c) { b.true_score[c] as f64 } else { f64::NAN }).collect();
            let blend = blended_nps(pa.view(), Some(&answers), model.training.rows, 0.95).unwrap();
            let truth_all = true_nps(&b, &all);
            assert!((blend.nps - truth_all).abs() < 4.0 * blend.se + 1.0, "blend {} vs {truth_all}", blend.nps);
            // Probabilities sum to one; one customer cell by cell equals the batch.
            for r in p.rows() {
                assert!((r.sum() - 1.0).abs() < 1e-12);
            }
            let t = table(&b, &silent[..1]);
            let cells: Vec<Cell> = model.inputs.iter().map(|n| t.column(n).unwrap().cell(0)).collect();
            let one = model.score_cells(&cells, &mut Vec::new()).unwrap();
            for k in 0..3 {
                assert_eq!(one[k].to_bits(), p[[0, k]].to_bits());
            }
            let back = LtrModel::from_json(&model.to_json()).unwrap();
            assert_eq!(back, model);
        }
    }
    eprintln!("the 95% interval covered the non-respondents' true NPS in {covered} of {seeds} seeds");
    assert!(covered >= 16, "covered in {covered} of {seeds} seeds");
}

#[test]
fn bad_input() {
    let t = RawTable::new(vec!["x".into()], vec![Column::Numeric(vec![1.0, 2.0, 3.0])]).unwrap();
    let specs = infer_specs(&t, &[]);
    let o = ChurnModelOptions::default();
    let e = |s: &[f64]| LtrModel::fit(&t, s, None, &specs, &o).unwrap_err().to_string();
    assert!(e(&[1.0, 11.0, 9.0]).contains("scores[1] = 11 is outside the scale 0..=10"));
    assert!(e(&[1.0, f64::NAN, 9.0]).contains("scores[1] is missing"));
    assert!(e(&[1.0, 7.5, 9.0]).contains("scores[1] = 7.5 is not a whole number"));
    assert!(e(&[1.0, 2.0, 9.0]).contains("got no passive answer (7–8)"));
    let p = ndarray::Array2::from_shape_vec((1, 3), vec![0.2, 0.3, 1.5]).unwrap();
    assert!(predicted_nps(p.view(), 10, 0.95).unwrap_err().to_string().contains("proba[0][2] = 1.5"));
    assert!(LtrModel::from_json("{\"format\": \"nps.churn_model\"}").unwrap_err().to_string().contains("format"));
    // Evaluation by hand: two answered rows (a detractor and a promoter), one without.
    let p = ndarray::Array2::from_shape_vec((3, 3), vec![0.7, 0.2, 0.1, 0.1, 0.3, 0.6, 0.3, 0.3, 0.4]).unwrap();
    let e = evaluate_ltr(p.view(), &[3.0, 10.0, f64::NAN], 0.5).unwrap();
    assert_eq!((e.answered, e.coverage, e.detractor_auc, e.precision, e.recall), (2, 1.0, 1.0, 1.0, 1.0));
    assert!((e.log_loss - -(0.7f64.ln() + 0.6f64.ln()) / 2.0).abs() < 1e-15);
    assert!(evaluate_ltr(p.view(), &[3.0], 0.5).unwrap_err().to_string().contains("answers has 1"));
    assert!(evaluate_ltr(p.view(), &[3.0, 12.0, 1.0], 0.5).unwrap_err().to_string().contains("scores[1] = 12"));
}

/// The shared LTR model file (written from Python): the same three probabilities to the bit.
#[test]
fn the_shared_model_file_scores_to_the_bit() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/ltr_model.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let model = LtrModel::from_json(&v["model"].to_string()).unwrap();
    for (row, want) in v["rows"].as_array().unwrap().iter().zip(v["probabilities"].as_array().unwrap()) {
        let cells: Vec<Cell> =
            row.as_array().unwrap().iter().map(|c| c.as_f64().map_or(Cell::Missing, Cell::Number)).collect();
        let p = model.score_cells(&cells, &mut Vec::new()).unwrap();
        for k in 0..3 {
            assert_eq!(p[k].to_bits(), want[k].as_f64().unwrap().to_bits());
        }
    }
}

mod invariants {
    use ndarray::Array2;
    use nps_core::early_warning::{detractor_alerts, ltr_accuracy};
    use proptest::prelude::*;

    fn rows() -> impl Strategy<Value = (Vec<f64>, Vec<f64>, Vec<f64>, usize)> {
        (1usize..40, 1usize..5).prop_flat_map(|(n, d)| {
            (
                prop::collection::vec(0.001f64..0.999, n),
                prop::collection::vec(prop_oneof![Just(0.0), 0.0f64..100.0], n),
                prop::collection::vec(prop_oneof![Just(0.0), -2.0f64..2.0], n * d),
                Just(d),
            )
        })
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        /// Alerts: at most `top` distinct rows, expected losses non-increasing (equal ones in
        /// row order), each row's factors positive, largest first, at most `factors` of them,
        /// and no row left out that would have ranked above the last one kept.
        #[test]
        fn alerts_are_ranked_and_their_factors_positive((risk, value, c, d) in rows(), top in 0usize..50, k in 0usize..6) {
            let n = risk.len();
            let c = Array2::from_shape_vec((n, d), c).unwrap();
            let alerts = detractor_alerts(&risk, Some(&value), c.view(), top, k).unwrap();
            prop_assert_eq!(alerts.len(), top.min(n));
            for w in alerts.windows(2) {
                prop_assert!(w[0].expected > w[1].expected || (w[0].expected == w[1].expected && w[0].row < w[1].row));
            }
            for a in &alerts {
                prop_assert_eq!(a.expected, risk[a.row] * value[a.row]);
                prop_assert!(a.factors.len() <= k);
                prop_assert!(a.factors.iter().all(|&j| c[[a.row, j]] > 0.0));
                prop_assert!(a.factors.windows(2).all(|f| c[[a.row, f[0]]] >= c[[a.row, f[1]]]));
            }
            if let Some(last) = alerts.last() {
                let kept: std::collections::HashSet<usize> = alerts.iter().map(|a| a.row).collect();
                for i in (0..n).filter(|i| !kept.contains(i)) {
                    prop_assert!(risk[i] * value[i] <= last.expected);
                }
            }
        }

        /// Accuracy is a share: in [0, 1], 1 when every row's most probable category is its
        /// answer's, and scaling the weights does not move it.
        #[test]
        fn accuracy_is_a_share_invariant_to_the_weights_scale(
            answers in prop::collection::vec(0u8..=10, 1..30),
            scale in 0.1f64..100.0,
        ) {
            let n = answers.len();
            let category = |a: u8| if a <= 6 { 0 } else if a <= 8 { 1 } else { 2 };
            let mut proba = Array2::from_elem((n, 3), 0.1);
            answers.iter().enumerate().for_each(|(i, &a)| proba[[i, category(a)]] = 0.8);
            let answers: Vec<f64> = answers.iter().map(|&a| f64::from(a)).collect();
            prop_assert_eq!(ltr_accuracy(proba.view(), &answers, None).unwrap(), 1.0);
            // Move each row's mass to the next category: every prediction wrong.
            let wrong = Array2::from_shape_fn((n, 3), |(i, j)| proba[[i, (j + 2) % 3]]);
            prop_assert_eq!(ltr_accuracy(wrong.view(), &answers, None).unwrap(), 0.0);
            let w: Vec<f64> = (0..n).map(|i| 1.0 + i as f64).collect();
            let scaled: Vec<f64> = w.iter().map(|x| x * scale).collect();
            let mixed = Array2::from_shape_fn((n, 3), |(i, j)| if i % 2 == 0 { proba[[i, j]] } else { wrong[[i, j]] });
            let a = ltr_accuracy(mixed.view(), &answers, Some(&w)).unwrap();
            let b = ltr_accuracy(mixed.view(), &answers, Some(&scaled)).unwrap();
            prop_assert!((0.0..=1.0).contains(&a));
            prop_assert!((a - b).abs() <= 1e-12);
        }
    }
}

/// `tests/vectors/ltr_ranking.json` (scikit-learn's accuracy, pandas' and numpy's stable
/// orders), read by the Rust, Python and Node tests.
mod ranking_vectors {
    use ndarray::ArrayView2;
    use nps_core::early_warning::{detractor_alerts, ltr_accuracy};
    use serde_json::Value;

    fn vectors() -> Value {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/ltr_ranking.json");
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    /// Numbers, null read as NaN (a missing answer or value).
    fn floats(v: &Value) -> Vec<f64> {
        v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect()
    }

    #[test]
    fn accuracy_equals_scikit_learn() {
        let v = vectors();
        for case in v["accuracy"].as_array().unwrap() {
            let (proba, answers) = (floats(&case["proba"]), floats(&case["answers"]));
            let weights = (!case["weights"].is_null()).then(|| floats(&case["weights"]));
            let p = ArrayView2::from_shape((answers.len(), 3), &proba).unwrap();
            let got = ltr_accuracy(p, &answers, weights.as_deref()).unwrap();
            let want = case["accuracy"].as_f64().unwrap();
            assert!((got - want).abs() <= 1e-12 * want.max(1.0), "{}: {got} vs {want}", case["name"]);
        }
        let proba = floats(&v["accuracy"][0]["proba"]);
        for bad in v["accuracy_errors"].as_array().unwrap() {
            let p = ArrayView2::from_shape((3, 3), &proba[..9]).unwrap();
            let e = ltr_accuracy(p, &floats(&bad["answers"]), None).unwrap_err();
            assert_eq!(e.code(), bad["code"].as_str().unwrap());
            assert!(e.to_string().starts_with(bad["message"].as_str().unwrap()), "{e}");
        }
    }

    #[test]
    fn alerts_equal_pandas_stable_order() {
        let v = vectors();
        for case in v["alerts"].as_array().unwrap() {
            let risk = floats(&case["risk"]);
            let value = (!case["value"].is_null()).then(|| floats(&case["value"]));
            let c = floats(&case["contributions"]);
            let d = case["inputs"].as_u64().unwrap() as usize;
            let c = ArrayView2::from_shape((risk.len(), d), &c).unwrap();
            let top = case["top"].as_u64().unwrap() as usize;
            let k = case["factors"].as_u64().unwrap() as usize;
            let alerts = detractor_alerts(&risk, value.as_deref(), c, top, k).unwrap();
            let want = case["alerts"].as_array().unwrap();
            assert_eq!(alerts.len(), want.len(), "{}", case["name"]);
            for (a, w) in alerts.iter().zip(want) {
                assert_eq!(a.row as u64, w["row"].as_u64().unwrap(), "{}", case["name"]);
                assert_eq!(a.value, w["value"].as_f64().unwrap());
                assert_eq!(a.expected, w["expected"].as_f64().unwrap());
                let factors: Vec<u64> = w["factors"].as_array().unwrap().iter().map(|f| f.as_u64().unwrap()).collect();
                assert_eq!(a.factors.iter().map(|&f| f as u64).collect::<Vec<_>>(), factors);
            }
        }
        let case = &v["alerts"][0];
        let bad = &v["alerts_errors"][0];
        let mut value = floats(&case["value"]);
        value[bad["value_nan_at"].as_u64().unwrap() as usize] = f64::NAN;
        let risk = floats(&case["risk"]);
        let c = floats(&case["contributions"]);
        let c = ArrayView2::from_shape((risk.len(), case["inputs"].as_u64().unwrap() as usize), &c).unwrap();
        let e = detractor_alerts(&risk, Some(&value), c, 5, 2).unwrap_err();
        assert_eq!(
            (e.code(), e.to_string()),
            (bad["code"].as_str().unwrap(), bad["message"].as_str().unwrap().to_string())
        );
    }
}
