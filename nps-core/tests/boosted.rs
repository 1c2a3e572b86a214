#![allow(clippy::needless_range_loop)]
//! The boosted-tree trainer: what it learns (non-linear effects, missing values, category
//! sets, monotone risk), that it is deterministic whatever the threads, and its errors.

mod common;
use ndarray::{Array2, Axis};
use nps_core::encode::{Cell, Column, ColumnKind, ColumnSpec, RawTable};
use nps_core::metrics::roc_auc;
use nps_core::model::boosted::{fit_boosted, BoostedChurnModel, BoostingOptions, EvalSet};
use nps_core::synth::Rng;
use proptest::prelude::*;

/// Rows with an interaction (risk when both x0 and x1 are high, or x2 is missing) that no
/// linear model can express.
fn xor_data(n: usize, seed: u64) -> (Array2<f64>, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut x = Array2::zeros((n, 4));
    let mut y = vec![0.0; n];
    for i in 0..n {
        for j in 0..4 {
            x[[i, j]] = rng.uniform();
        }
        if rng.bernoulli(0.1) {
            x[[i, 2]] = f64::NAN;
        }
        let risky = ((x[[i, 0]] > 0.5) == (x[[i, 1]] > 0.5)) || x[[i, 2]].is_nan();
        y[i] = rng.bernoulli(if risky { 0.8 } else { 0.1 }) as u8 as f64;
    }
    (x, y)
}

fn names(k: usize) -> Vec<String> {
    (0..k).map(|j| format!("x{j}")).collect()
}

#[test]
fn learns_interactions_and_missing_values() {
    let (x, y) = xor_data(4_000, 1);
    let (xt, yt) = xor_data(2_000, 2);
    let model =
        BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &BoostingOptions::default()).unwrap();
    let p = model.predict_proba_matrix(xt.view(), &names(4)).unwrap();
    let auc = roc_auc(&yt, p.as_slice().unwrap(), None).unwrap();
    // The Bayes rate: risky rows churn with 0.8, others 0.1; AUC of the truth ≈ 0.86.
    assert!(auc > 0.84, "AUC {auc}");
    // Missing x2 routes to the risky side.
    let mut row = [0.2, 0.9, f64::NAN, 0.5];
    let with_nan = model.predict_proba_matrix(ndarray::aview2(&[row]), &names(4)).unwrap()[0];
    row[2] = 0.5;
    let without = model.predict_proba_matrix(ndarray::aview2(&[row]), &names(4)).unwrap()[0];
    assert!(with_nan > 0.6 && without < 0.25, "{with_nan} {without}");
}

#[test]
fn the_same_model_whatever_the_threads() {
    let (x, y) = xor_data(3_000, 3);
    let options = BoostingOptions { subsample: 0.8, colsample: 0.75, n_estimators: 40, seed: 9, ..Default::default() };
    let files: Vec<String> = [1, 2, 3]
        .iter()
        .map(|&threads| {
            let o = BoostingOptions { threads, ..options.clone() };
            let mut m = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap();
            m.options.threads = 0;
            m.to_json()
        })
        .collect();
    assert_eq!(files[0], files[1]);
    assert_eq!(files[0], files[2]);
    // Another seed samples other rows.
    let o = BoostingOptions { seed: 10, ..options };
    let other = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap();
    assert_ne!(other.ensemble, BoostedChurnModel::from_json(&files[0]).unwrap().ensemble);
}

#[test]
fn categories_split_as_sets() {
    // Twelve plans; plans 1, 4 and 7 churn. One-hot would need three splits per tree.
    let mut rng = Rng::new(5);
    let n = 6_000;
    let plans: Vec<Option<String>> = (0..n).map(|_| Some(format!("plan{:02}", rng.below(12)))).collect();
    let y: Vec<f64> = plans
        .iter()
        .map(|p| {
            let risky = ["plan01", "plan04", "plan07"].contains(&p.as_deref().unwrap());
            rng.bernoulli(if risky { 0.7 } else { 0.1 }) as u8 as f64
        })
        .collect();
    let noise: Vec<f64> = (0..n).map(|_| rng.uniform()).collect();
    let table =
        RawTable::new(vec!["plan".into(), "noise".into()], vec![Column::Text(plans), Column::Numeric(noise)]).unwrap();
    let specs = [ColumnSpec::new("plan", ColumnKind::Categorical), ColumnSpec::new("noise", ColumnKind::Numeric)];
    let options = BoostingOptions { n_estimators: 20, ..Default::default() };
    let model = BoostedChurnModel::fit(&table, &y, None, &specs, None, &options).unwrap();
    let first = &model.ensemble.trees[0].splits[0];
    assert_eq!(first.feature, 0);
    let set = first.categories.as_ref().expect("a categorical split");
    // Codes are indices into the sorted categories: plan01 = 1, plan04 = 4, plan07 = 7.
    let risky: Vec<u32> = vec![1, 4, 7];
    let complement: Vec<u32> = (0..12).filter(|c| !risky.contains(c)).collect();
    assert!(*set == risky || *set == complement, "{set:?}");
    // An unseen category is an error naming it; a missing one goes right.
    let bad = RawTable::new(
        vec!["plan".into(), "noise".into()],
        vec![Column::Text(vec![Some("plan99".into())]), Column::Numeric(vec![0.5])],
    )
    .unwrap();
    let e = model.predict_proba(&bad).unwrap_err().to_string();
    assert!(e.contains("plan99") && e.contains("plan01"), "{e}");
    let missing =
        RawTable::new(vec!["plan".into(), "noise".into()], vec![Column::Text(vec![None]), Column::Numeric(vec![0.5])])
            .unwrap();
    assert!(model.predict_proba(&missing).unwrap()[0].is_finite());
}

#[test]
fn monotone_inputs_never_lower_the_risk() {
    // Churn rises with x0 overall but with a dip the unconstrained model follows.
    let mut rng = Rng::new(7);
    let n = 5_000;
    let mut x = Array2::zeros((n, 2));
    let mut y = vec![0.0; n];
    for i in 0..n {
        let (a, b) = (rng.uniform() * 10.0, rng.uniform());
        x[[i, 0]] = a;
        x[[i, 1]] = b;
        let logit = 0.3 * a - 2.0 + if (4.0..6.0).contains(&a) { -2.0 } else { 0.0 } + b;
        y[i] = rng.bernoulli(1.0 / (1.0 + (-logit).exp())) as u8 as f64;
    }
    let grid = |model: &BoostedChurnModel, b: f64| -> Vec<f64> {
        let rows: Vec<[f64; 2]> = (0..200).map(|k| [k as f64 * 0.05, b]).collect();
        let rows = Array2::from_shape_vec((200, 2), rows.concat()).unwrap();
        model.predict_proba_matrix(rows.view(), &names(2)).unwrap().to_vec()
    };
    let free = BoostedChurnModel::fit_matrix(x.view(), &names(2), &y, None, None, &BoostingOptions::default()).unwrap();
    let falls = |p: &[f64]| p.windows(2).any(|w| w[1] < w[0] - 1e-12);
    assert!(falls(&grid(&free, 0.5)), "the unconstrained model should follow the dip");
    let options = BoostingOptions { monotone: vec![1, 0], ..Default::default() };
    let tied = BoostedChurnModel::fit_matrix(x.view(), &names(2), &y, None, None, &options).unwrap();
    for b in [0.0, 0.3, 0.7, 1.0] {
        let p = grid(&tied, b);
        assert!(!falls(&p), "risk fell along x0 at x1 = {b}: {p:?}");
    }
}

#[test]
fn early_stopping_keeps_the_best_round() {
    let (x, y) = xor_data(2_000, 11);
    let (xv, yv) = xor_data(1_000, 12);
    let options =
        BoostingOptions { n_estimators: 2_000, learning_rate: 0.3, early_stopping_rounds: 20, ..Default::default() };
    let eval = EvalSet { x: xv.view(), y: &yv, sample_weight: None };
    let model = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, Some(eval), &options).unwrap();
    let r = &model.training.boosting;
    assert!(r.rounds_trained < 2_000 && r.rounds_trained == r.rounds + 20, "{r:?}");
    assert_eq!(model.ensemble.trees.len(), r.rounds);
    let best = r.validation_loss.iter().cloned().fold(f64::INFINITY, f64::min);
    assert_eq!(r.validation_loss[r.rounds - 1], best);
    // Without an eval set, a seeded holdout of the rows.
    let model = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &options).unwrap();
    assert_eq!(model.training.boosting.training_rows, 1_800);
    assert!(model.training.boosting.rounds < 2_000);
}

#[test]
fn weights_count_as_repeated_rows() {
    // A weight of 2 is the row twice: the same histograms, so the same trees (with fewer
    // distinct values than bins, so that the bins do not depend on the row counts).
    let (x, y) = xor_data(500, 13);
    let x = x.mapv(|v| (v * 50.0).floor());
    let w: Vec<f64> = (0..500).map(|i| 1.0 + (i % 2) as f64).collect();
    let mut rows = Vec::new();
    for i in 0..500 {
        rows.push(i);
        if i % 2 == 1 {
            rows.push(i);
        }
    }
    let xr = x.select(Axis(0), &rows);
    let yr: Vec<f64> = rows.iter().map(|&i| y[i]).collect();
    // Rows-in-leaf limits count rows, not weight: turn them off for the comparison.
    let o = BoostingOptions { n_estimators: 10, min_data_in_leaf: 1, ..Default::default() };
    let a = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, Some(&w), None, &o).unwrap();
    let b = BoostedChurnModel::fit_matrix(xr.view(), &names(4), &yr, None, None, &o).unwrap();
    let (pa, pb) =
        (a.predict_proba_matrix(x.view(), &names(4)).unwrap(), b.predict_proba_matrix(x.view(), &names(4)).unwrap());
    for (p, q) in pa.iter().zip(pb.iter()) {
        assert!((p - q).abs() < 1e-9, "{p} {q}");
    }
}

#[test]
fn softmax_for_three_classes() {
    let mut rng = Rng::new(17);
    let n = 3_000;
    let mut x = Array2::zeros((n, 2));
    let mut y = vec![0.0; n];
    for i in 0..n {
        let a = rng.uniform();
        x[[i, 0]] = a;
        x[[i, 1]] = rng.uniform();
        y[i] = if a < 0.33 {
            0.0
        } else if a < 0.66 {
            1.0
        } else {
            2.0
        };
    }
    let options = BoostingOptions { n_estimators: 50, ..Default::default() };
    let (e, _) = fit_boosted(x.view(), &y, 3, &[None, None], None, None, &options).unwrap();
    assert_eq!((e.outputs, e.trees.len()), (3, 150));
    let mut correct = 0;
    let mut raw = [0.0; 3];
    for i in 0..n {
        e.raw_into(x.row(i).as_slice().unwrap(), &mut raw);
        let best = (0..3).max_by(|&a, &b| raw[a].total_cmp(&raw[b])).unwrap();
        correct += (best as f64 == y[i]) as usize;
    }
    assert!(correct as f64 / n as f64 > 0.97, "{correct}");
}

#[test]
fn bad_input_is_named() {
    let (x, mut y) = xor_data(100, 19);
    let o = BoostingOptions::default();
    y[3] = f64::NAN;
    let e = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap_err().to_string();
    assert!(e.contains("y[3]"), "{e}");
    y[3] = 2.0;
    let e = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap_err().to_string();
    assert!(e.contains("y[3]") && e.contains('2'), "{e}");
    y[3] = 0.0;
    let mut xi = x.clone();
    xi[[5, 1]] = f64::INFINITY;
    let e = BoostedChurnModel::fit_matrix(xi.view(), &names(4), &y, None, None, &o).unwrap_err().to_string();
    assert!(e.contains("x[5, 1]"), "{e}");
    for (o, field) in [
        (BoostingOptions { learning_rate: 0.0, ..Default::default() }, "learning_rate"),
        (BoostingOptions { num_leaves: 1, ..Default::default() }, "num_leaves"),
        (BoostingOptions { max_bin: 300, ..Default::default() }, "max_bin"),
        (BoostingOptions { subsample: 1.5, ..Default::default() }, "subsample"),
        (BoostingOptions { monotone: vec![1, 0], ..Default::default() }, "monotone"),
        (BoostingOptions { monotone: vec![2, 0, 0, 0], ..Default::default() }, "monotone[0]"),
    ] {
        let e = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap_err().to_string();
        assert!(e.contains(field), "{field}: {e}");
    }
    let e = fit_boosted(x.view(), &y, 2, &[Some(2), None, None, None], None, None, &BoostingOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("x[0, 0]") && e.contains("category code"), "{e}");
    let e = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, Some(&[1.0; 3]), None, &BoostingOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("sample_weight"), "{e}");
}

#[test]
fn only_missing_values_or_one_category_still_score() {
    let n = 200;
    let y: Vec<f64> = (0..n).map(|i| (i % 3 == 0) as u8 as f64).collect();
    let table = RawTable::new(
        vec!["gone".into(), "plan".into()],
        vec![Column::Numeric(vec![f64::NAN; n]), Column::Text(vec![Some("basic".into()); n])],
    );
    // A numeric column with no value at all is refused by the schema, naming it.
    let specs = [ColumnSpec::new("gone", ColumnKind::Numeric), ColumnSpec::new("plan", ColumnKind::Categorical)];
    let e = BoostedChurnModel::fit(table.as_ref().unwrap(), &y, None, &specs, None, &BoostingOptions::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("gone"), "{e}");
    // A matrix column all NaN and a single category: no split, the base rate.
    let mut x = Array2::from_elem((n, 2), f64::NAN);
    x.column_mut(1).fill(0.0);
    let m = fit_boosted(x.view(), &y, 2, &[None, Some(1)], None, None, &BoostingOptions::default()).unwrap().0;
    assert!(m.trees.iter().all(|t| t.splits.is_empty()));
    let p = 1.0 / (1.0 + (-m.raw(&[f64::NAN, 0.0])).exp());
    assert!((p - 67.0 / 200.0).abs() < 1e-9, "{p}");
}

#[test]
fn model_files_are_checked() {
    let (x, y) = xor_data(500, 23);
    let m = BoostedChurnModel::fit_matrix(
        x.view(),
        &names(4),
        &y,
        None,
        None,
        &BoostingOptions { n_estimators: 5, ..Default::default() },
    )
    .unwrap();
    let text = m.to_json();
    assert_eq!(BoostedChurnModel::from_json(&text).unwrap(), m);
    let e = nps_core::model::ChurnModel::from_json(&text).unwrap_err().to_string();
    assert!(e.contains("kind") && e.contains("boosted_trees"), "{e}");
    for (from, to, expect) in [
        ("\"feature\":1", "\"feature\":9", "feature"),
        ("\"left\":-1", "\"left\":0", "reached twice"),
        ("\"kind\":\"boosted_trees\"", "\"kind\":\"forest\"", "kind"),
        ("\"version\":3", "\"version\":4", "newer nps"),
    ] {
        assert!(text.contains(from), "{from}");
        let bad = text.replacen(from, to, 1);
        let e = BoostedChurnModel::from_json(&bad).unwrap_err().to_string();
        assert!(e.contains(expect), "{from} -> {to}: {e}");
    }
    for cut in [10, text.len() / 3, text.len() / 2, text.len() - 2] {
        assert!(BoostedChurnModel::from_json(&text[..cut]).is_err());
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Saved and read back, a model is the same model and scores the same bits; permuting
    /// the training rows gives the same predictions (the histograms hold the same sums).
    #[test]
    fn save_load_and_row_order(seed in 0u64..1_000, n in 60usize..300) {
        let (x, y) = xor_data(n, seed);
        // Integer-valued inputs and labels make every histogram sum exact, whatever the order.
        let x = x.mapv(|v| if v.is_nan() { v } else { (v * 8.0).floor() });
        let o = BoostingOptions { n_estimators: 8, min_data_in_leaf: 5, learning_rate: 0.5, ..Default::default() };
        let m = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap();
        let back = BoostedChurnModel::from_json(&m.to_json()).unwrap();
        let p = m.predict_proba_matrix(x.view(), &names(4)).unwrap();
        let q = back.predict_proba_matrix(x.view(), &names(4)).unwrap();
        prop_assert_eq!(p.as_slice().unwrap().iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
                        q.as_slice().unwrap().iter().map(|v| v.to_bits()).collect::<Vec<_>>());
        let order: Vec<usize> = (0..n).rev().collect();
        let xr = x.select(Axis(0), &order);
        let yr: Vec<f64> = order.iter().map(|&i| y[i]).collect();
        let r = BoostedChurnModel::fit_matrix(xr.view(), &names(4), &yr, None, None, &o).unwrap();
        let pr = r.predict_proba_matrix(x.view(), &names(4)).unwrap();
        for (a, b) in p.iter().zip(pr.iter()) {
            prop_assert!((a - b).abs() < 1e-9, "{} {}", a, b);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 16, ..ProptestConfig::default() })]

    /// For any trained model and customer: expected value + Σ contributions = the log-odds
    /// (within 1e-9), the explanation's probability is the score, and the batch
    /// contributions equal one customer's to the bit.
    #[test]
    fn contributions_sum_to_the_log_odds(seed in 0u64..1_000, leaves in 2usize..20) {
        let (x, y) = xor_data(400, seed);
        let o = BoostingOptions { n_estimators: 25, num_leaves: leaves, min_data_in_leaf: 5, ..Default::default() };
        let m = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &o).unwrap();
        let rows = m.tree_rows_matrix(x.view(), &names(4)).unwrap();
        let batch = m.contributions(rows.view()).unwrap();
        let mut scratch = nps_core::model::boosted::BoostedScratch::default();
        for i in (0..400).step_by(7) {
            let cells: Vec<Cell> = x.row(i).iter().map(|&v| if v.is_nan() { Cell::Missing } else { Cell::Number(v) }).collect();
            let e = m.explain_cells(&cells, 2, &mut scratch).unwrap();
            let p = m.score_cells(&cells, &mut Vec::new()).unwrap();
            prop_assert_eq!(e.probability.to_bits(), p.to_bits());
            let sum = m.expected_value + e.contributions.iter().sum::<f64>();
            prop_assert!((sum - e.log_odds).abs() < 1e-9 * (1.0 + e.log_odds.abs()), "{} {}", sum, e.log_odds);
            let b = batch.row(i);
            prop_assert_eq!(bits(&e.contributions), bits(&b.as_slice().unwrap()[..4]));
            prop_assert!((b[4] - m.expected_value).abs() < 1e-12);
            // Interaction rows sum to the contributions.
            let inter = m.interactions(rows.row(i).as_slice().unwrap()).unwrap();
            for j in 0..4 {
                let s: f64 = inter.row(j).sum();
                prop_assert!((s - e.contributions[j]).abs() < 1e-9, "{} {}", s, e.contributions[j]);
            }
        }
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// The one interface over model kinds: a logistic model explains through it as through
/// its own explain_cells, to the bit; files of either kind read back by their kind.
#[test]
fn one_interface_for_both_kinds() {
    use nps_core::model::{AnyChurnModel, ChurnModel, ChurnModelOptions, ChurnScorer, ScorerScratch};
    let (x, y) = xor_data(600, 29);
    let x = x.mapv(|v| if v.is_nan() { 0.5 } else { v });
    let logistic = ChurnModel::fit_matrix(x.view(), &names(4), &y, None, &ChurnModelOptions::default()).unwrap();
    let boosted = BoostedChurnModel::fit_matrix(
        x.view(),
        &names(4),
        &y,
        None,
        None,
        &BoostingOptions { n_estimators: 20, ..Default::default() },
    )
    .unwrap();
    let mut scratch = ScorerScratch::default();
    for model in [AnyChurnModel::from(logistic.clone()), AnyChurnModel::from(boosted.clone())] {
        let back = AnyChurnModel::from_json(&model.to_json()).unwrap();
        assert_eq!(back, model);
        let scorer = ChurnScorer::new(model.clone()).unwrap();
        for i in 0..20 {
            let cells: Vec<Cell> = x.row(i).iter().map(|&v| Cell::Number(v)).collect();
            let e = scorer.explain_cells(&cells, 3, &mut scratch).unwrap();
            let own = match &model {
                AnyChurnModel::Logistic(m) => m.explain_cells(&cells, 3, &mut Vec::new()).unwrap(),
                AnyChurnModel::Boosted(m) => m.explain_cells(&cells, 3, &mut Default::default()).unwrap(),
            };
            assert_eq!(e, own, "{}", model.kind());
            assert_eq!(scorer.score_cells(&cells, &mut scratch).unwrap().to_bits(), own.probability.to_bits());
        }
    }
    let e = AnyChurnModel::from_json(&boosted.to_json().replace("boosted_trees", "forest")).unwrap_err().to_string();
    assert!(e.contains("forest") && e.contains("boosted_trees"), "{e}");
}

/// The shared boosted model file (`tests/vectors/boosted_model.json`, written from Python,
/// with missing values and categorical splits): Rust reads it and gives the same
/// probabilities, log-odds and contributions to the last bit (Node and Python check too).
#[test]
fn the_shared_model_file_scores_and_explains_to_the_bit() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/boosted_model.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let model = BoostedChurnModel::from_json(&v["model"].to_string()).unwrap();
    let inputs: Vec<&str> = v["inputs"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(model.inputs, inputs);
    assert_eq!(model.expected_value.to_bits(), v["expected_value"].as_f64().unwrap().to_bits());
    let mut scratch = nps_core::model::boosted::BoostedScratch::default();
    let mut contributions = vec![0.0; inputs.len()];
    let want = |key: &str, i: usize| v[key][i].as_f64().unwrap();
    for (i, row) in v["rows"].as_array().unwrap().iter().enumerate() {
        let cells = common::json_cells(row);
        let p = model.score_cells(&cells, &mut Vec::new()).unwrap();
        assert_eq!(p.to_bits(), want("probabilities", i).to_bits(), "row {i}");
        let z = model.attribute_cells(&cells, &mut scratch, &mut contributions).unwrap();
        assert_eq!(z.to_bits(), want("log_odds", i).to_bits(), "row {i}");
        let c: Vec<f64> = v["contributions"][i].as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect();
        assert_eq!(bits(&contributions), bits(&c), "row {i}");
    }
}

/// The same numeric data with gaps, given as a table or as a matrix, train the same model
/// file (trees take a missing value anywhere: neither path keeps a missing-value indicator),
/// for the churn model and the likelihood-to-recommend model alike.
#[test]
fn a_table_and_a_matrix_of_the_same_data_train_the_same_file() {
    use nps_core::early_warning::BoostedLtrModel;
    let (x, y) = xor_data(1_500, 5);
    let columns = (0..4).map(|j| Column::Numeric(x.column(j).to_vec())).collect();
    let table = RawTable::new(names(4), columns).unwrap();
    let specs: Vec<ColumnSpec> = names(4).iter().map(|n| ColumnSpec::new(n, ColumnKind::Numeric)).collect();
    let options = BoostingOptions { n_estimators: 15, ..Default::default() };
    let by_table = BoostedChurnModel::fit(&table, &y, None, &specs, None, &options).unwrap();
    let by_matrix = BoostedChurnModel::fit_matrix(x.view(), &names(4), &y, None, None, &options).unwrap();
    assert_eq!(by_table.to_json(), by_matrix.to_json());
    let scores: Vec<f64> =
        y.iter().zip(0..).map(|(&c, i)| if c > 0.0 { (i % 7) as f64 } else { 7.0 + (i % 4) as f64 }).collect();
    let by_table = BoostedLtrModel::fit(&table, &scores, None, &specs, None, &options).unwrap();
    let by_matrix = BoostedLtrModel::fit_matrix(x.view(), &names(4), &scores, None, None, &options).unwrap();
    assert_eq!(by_table.to_json(), by_matrix.to_json());
}
