//! The churn model and its file: training on a table, scoring a table, a matrix or one
//! customer, the file's round trip and its checks, and invariants.

mod common;
use ndarray::{Array2, Axis};
use nps_core::encode::{infer_specs, Cell, Column, RawTable};
use nps_core::features::{compute, retention};
use nps_core::model::{ChurnModel, ChurnModelOptions};
use nps_core::synth::{customers, BaseConfig, Rng};
use proptest::prelude::*;

/// Retention features of a generated base and its churn labels.
fn base_table(n: usize, seed: u64) -> (RawTable, Vec<f64>) {
    let b = customers(&BaseConfig { customers: n, seed, ..Default::default() }).unwrap();
    let m = compute(&b.events, &retention(), b.config.as_of).unwrap();
    let columns = m.values.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect();
    let y = b.churned.iter().map(|&c| c as u8 as f64).collect();
    (RawTable::new(m.names, columns).unwrap(), y)
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

#[test]
fn trains_on_features_and_scores_every_way_alike() {
    let (t, y) = base_table(3_000, 1);
    let model = ChurnModel::fit(&t, &y, None, &infer_specs(&t, &[]), &ChurnModelOptions::default()).unwrap();
    assert!(model.training.convergence.converged);
    assert_eq!(model.training.rows, 3_000);
    assert!(model.columns.iter().any(|c| c == "aht_90d__missing"), "NaN features get an indicator");
    let p = model.predict_proba(&t).unwrap();
    assert!(p.iter().all(|&v| v > 0.0 && v < 1.0));
    // One customer, cell by cell, scores exactly as the batch.
    let mut scratch = Vec::new();
    for row in [0, 17, 2_999] {
        let cells: Vec<Cell> = model.inputs.iter().map(|n| t.column(n).unwrap().cell(row)).collect();
        assert_eq!(model.score_cells(&cells, &mut scratch).unwrap().to_bits(), p[row].to_bits());
    }
    // A matrix of the inputs scores identically too (read in place, blocks on threads).
    let names: Vec<String> = t.names.clone();
    let x = ndarray::Array2::from_shape_fn((t.len(), names.len()), |(i, j)| match t.columns[j].cell(i) {
        Cell::Number(v) => v,
        _ => f64::NAN,
    });
    let pm = model.predict_proba_matrix(x.view(), &names).unwrap();
    assert_eq!(bits(pm.as_slice().unwrap()), bits(p.as_slice().unwrap()));
    // Trained from the matrix read in place, it is the same model as from the table.
    let from_matrix = ChurnModel::fit_matrix(x.view(), &names, &y, None, &ChurnModelOptions::default()).unwrap();
    assert_eq!(from_matrix, model);
    assert_eq!(model.encoder.transform_matrix(x.view(), &names).unwrap(), model.encode(&t).unwrap());
    // Large enough for several threads: the same bits, row for row.
    let tiled = ndarray::concatenate(Axis(0), &[x.view(); 7]).unwrap();
    let pt = model.predict_proba_matrix(tiled.view(), &names).unwrap();
    for (i, v) in pt.iter().enumerate() {
        assert_eq!(v.to_bits(), p[i % 3_000].to_bits(), "row {i}");
    }
    // Saved and read back, it predicts identically, to the bit.
    let back = ChurnModel::from_json(&model.to_json()).unwrap();
    assert_eq!(back, model);
    assert_eq!(bits(back.predict_proba(&t).unwrap().as_slice().unwrap()), bits(p.as_slice().unwrap()));
    // Attribution: baseline + contributions = log-odds.
    let e = model.explainer().unwrap();
    let x = model.encode(&t).unwrap();
    let c = e.contributions(x.view()).unwrap();
    let z = model.decision_function(x.view()).unwrap();
    for i in 0..50 {
        assert!((e.baseline + c.row(i).sum() - z[i]).abs() < 1e-12 * (1.0 + z[i].abs()));
    }
}

#[test]
fn the_file_is_checked_when_loaded() {
    let (t, y) = base_table(400, 2);
    let model = ChurnModel::fit(&t, &y, None, &infer_specs(&t, &[]), &ChurnModelOptions::default()).unwrap();
    let text = model.to_json();
    let err = |s: &str| ChurnModel::from_json(s).unwrap_err().to_string();
    assert!(err("not json").contains("model file"));
    assert!(err(&text.replacen("nps.churn_model", "other.model", 1)).contains("format"));
    let newer = text.replacen(&format!("\"version\": {}", model.version), "\"version\": 99", 1);
    assert!(err(&newer).contains("newer nps"), "{}", err(&newer));
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["coef"].as_array_mut().unwrap().pop();
    assert!(err(&v.to_string()).contains("coef has"), "{}", err(&v.to_string()));
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["columns"][3] = serde_json::json!("renamed");
    assert!(err(&v.to_string()).contains("columns[3]"));
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    v["coef"][2] = serde_json::json!("NaN");
    assert!(err(&v.to_string()).contains("model file"));
    let mut broken = model.clone();
    broken.coef[1] = f64::NAN;
    let e = broken.validate().unwrap_err().to_string();
    assert!(e.contains(&format!("coef[1] ({})", model.columns[1])), "{e}");
    // Scoring input that lacks an input column is named.
    let mut partial = t.clone();
    partial.remove("bill_shock").unwrap();
    assert!(model.predict_proba(&partial).unwrap_err().to_string().contains("bill_shock"));
    // Feature definitions recorded with the model must cover its inputs.
    let with = model.clone().with_features(&retention()).unwrap();
    assert!(ChurnModel::from_json(&with.to_json()).is_ok());
}

fn problem() -> impl Strategy<Value = (Array2<f64>, Vec<f64>)> {
    (20usize..50, 2usize..5).prop_flat_map(|(n, p)| {
        (prop::collection::vec(-2.0f64..2.0, n * p), any::<u64>()).prop_map(move |(x, seed)| {
            let x = Array2::from_shape_vec((n, p), x).unwrap();
            let mut rng = Rng::new(seed);
            let mut y: Vec<f64> =
                x.rows().into_iter().map(|r| (rng.uniform() < 0.3 + 0.1 * r[0]) as u8 as f64).collect();
            y[0] = 0.0;
            y[1] = 1.0;
            (x, y)
        })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]
    /// Permuting the input columns (names with them) does not change the predictions, and
    /// with standardised inputs neither does rescaling a column.
    #[test]
    fn predictions_ignore_column_order_and_units((x, y) in problem(), scale in 0.001f64..1000.0) {
        let names: Vec<String> = (0..x.ncols()).map(|j| format!("f{j}")).collect();
        let o = ChurnModelOptions::default();
        let m = ChurnModel::fit_matrix(x.view(), &names, &y, None, &o).unwrap();
        let p = m.predict_proba_matrix(x.view(), &names).unwrap();
        let order: Vec<usize> = (0..x.ncols()).rev().collect();
        let xr = x.select(Axis(1), &order);
        let nr: Vec<String> = order.iter().map(|&j| names[j].clone()).collect();
        let mr = ChurnModel::fit_matrix(xr.view(), &nr, &y, None, &o).unwrap();
        // The permuted model reads columns by name: the original matrix scores the same.
        let pr = mr.predict_proba_matrix(x.view(), &names).unwrap();
        for (a, b) in p.iter().zip(&pr) {
            prop_assert!((a - b).abs() < 1e-9);
        }
        let mut xs = x.clone();
        xs.column_mut(0).mapv_inplace(|v| v * scale);
        let ms = ChurnModel::fit_matrix(xs.view(), &names, &y, None, &o).unwrap();
        let ps = ms.predict_proba_matrix(xs.view(), &names).unwrap();
        for (a, b) in p.iter().zip(&ps) {
            prop_assert!((a - b).abs() < 1e-8);
        }
        let back = ChurnModel::from_json(&m.to_json()).unwrap();
        prop_assert_eq!(bits(back.predict_proba_matrix(x.view(), &names).unwrap().as_slice().unwrap()), bits(p.as_slice().unwrap()));
    }
}

/// The shared model file (`tests/vectors/churn_model.json`, written from Python): Rust
/// reads it and gives the same probabilities to the last bit (Node and Python check too).
#[test]
fn the_shared_model_file_scores_to_the_bit() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/churn_model.json");
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let model = ChurnModel::from_json(&v["model"].to_string()).unwrap();
    let inputs: Vec<&str> = v["inputs"].as_array().unwrap().iter().map(|s| s.as_str().unwrap()).collect();
    assert_eq!(model.inputs, inputs);
    let mut scratch = Vec::new();
    for (row, want) in v["rows"].as_array().unwrap().iter().zip(v["probabilities"].as_array().unwrap()) {
        let cells = common::json_cells(row);
        let p = model.score_cells(&cells, &mut scratch).unwrap();
        assert_eq!(p.to_bits(), want.as_f64().unwrap().to_bits(), "{p} vs {want}");
    }
}

/// Explanations: exact, readable, and on the synthetic base the true driver of an at-risk
/// customer is usually among the top three factors.
#[test]
fn explanations_find_the_true_drivers() {
    let b = customers(&BaseConfig { customers: 20_000, seed: 12, ..Default::default() }).unwrap();
    let m = compute(&b.events, &retention(), b.config.as_of).unwrap();
    let columns = m.values.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect();
    let t = RawTable::new(m.names.clone(), columns).unwrap();
    let y: Vec<f64> = b.churned.iter().map(|&c| c as u8 as f64).collect();
    let model = ChurnModel::fit(&t, &y, None, &infer_specs(&t, &[]), &ChurnModelOptions::default()).unwrap();
    let p = model.predict_proba(&t).unwrap();
    // The feature that measures each driver.
    let measures = [
        ("repeat_contacts", &["repeat_contacts_90d", "contacts_30d", "contacts_90d", "cases_90d", "contacts_7d"][..]),
        ("long_handle_time", &["aht_90d", "transfers_90d", "transfers_per_case_90d"][..]),
        ("bill_shock", &["bill_shock"][..]),
        ("falling_usage", &["usage_trend_30d", "usage_30d", "topup_gap_ratio"][..]),
        ("bad_last_interaction", &["worst_interaction_90d", "last_interaction", "interaction_quality_90d"][..]),
        ("short_tenure", &["tenure_days", "lifetime_value", "payments_prev_90d", "payment_trend"][..]),
    ];
    let mut scratch = Vec::new();
    let (mut at_risk, mut found) = (0, 0);
    for c in 0..b.churned.len() {
        if p[c] < 0.5 || b.drivers[c] == 0 {
            continue;
        }
        at_risk += 1;
        let cells: Vec<Cell> = model.inputs.iter().map(|n| t.column(n).unwrap().cell(c)).collect();
        let e = model.explain_cells(&cells, 3, &mut scratch).unwrap();
        assert!(
            (e.baseline + e.contributions.iter().sum::<f64>() - e.log_odds).abs() < 1e-12 * (1.0 + e.log_odds.abs())
        );
        assert_eq!(e.probability.to_bits(), p[c].to_bits());
        let top: Vec<&str> = e.raising.iter().map(|f| f.name.as_str()).collect();
        let hit = b
            .driver_names(c)
            .iter()
            .any(|d| measures.iter().find(|(name, _)| name == d).unwrap().1.iter().any(|f| top.contains(f)));
        found += hit as usize;
    }
    let rate = found as f64 / at_risk as f64;
    eprintln!("true driver among the top 3 factors for {found} of {at_risk} at-risk customers ({:.1}%)", 100.0 * rate);
    assert!(at_risk > 500 && rate > 0.8, "{found} of {at_risk}");
}

/// A matrix of `n` rows and `p` generated columns with about `missing` of the values of
/// the odd columns missing (NaN), its 0/1 labels, and column names.
fn gappy_matrix(n: usize, p: usize, missing: f64, seed: u64) -> (Array2<f64>, Vec<f64>, Vec<String>) {
    let mut rng = Rng::new(seed);
    let x = Array2::from_shape_fn((n, p), |(_, j)| {
        if j % 2 == 1 && rng.uniform() < missing {
            f64::NAN
        } else {
            // Columns of different units and offsets (so standardising moves every bit).
            (j as f64 + 1.0) * rng.normal() + 10.0 * j as f64
        }
    });
    let mut y: Vec<f64> = (0..n).map(|_| rng.bernoulli(0.3) as u8 as f64).collect();
    y[0] = 0.0;
    y[1 % n] = 1.0;
    let names = (0..p).map(|j| format!("c{j}")).collect();
    (x, y, names)
}

/// Batch scoring equals scoring each row alone, to the bit.
fn assert_batch_is_single(model: &ChurnModel, x: &Array2<f64>, names: &[String]) {
    let batch = model.predict_proba_matrix(x.view(), names).unwrap();
    let mut scratch = Vec::new();
    for (i, row) in x.rows().into_iter().enumerate() {
        let cells: Vec<Cell> = model
            .inputs
            .iter()
            .map(|input| {
                let v = row[names.iter().position(|n| n == input).unwrap()];
                if v.is_nan() {
                    Cell::Missing
                } else {
                    Cell::Number(v)
                }
            })
            .collect();
        let single = model.score_cells(&cells, &mut scratch).unwrap();
        assert_eq!(batch[i].to_bits(), single.to_bits(), "row {i}: batch {} vs single {single}", batch[i]);
    }
    // The same matrix in column-major order reads the same.
    let fortran = x.t().as_standard_layout().into_owned();
    let again = model.predict_proba_matrix(fortran.t(), names).unwrap();
    assert_eq!(bits(again.as_slice().unwrap()), bits(batch.as_slice().unwrap()));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    /// On random data with missing values, standardised or not, with extra and reordered
    /// columns, batch scoring gives each row exactly the single-customer number.
    #[test]
    fn batch_scoring_equals_single_scoring_to_the_bit(
        n in 2usize..120,
        p in 1usize..7,
        missing in 0.0f64..0.5,
        standardize in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let (x, y, names) = gappy_matrix(n, p, missing, seed);
        let options = ChurnModelOptions {
            encoder: nps_core::encode::EncoderOptions { standardize, ..Default::default() },
            ..Default::default()
        };
        // A column with no value at all cannot be learned: skip those draws.
        let Ok(model) = ChurnModel::fit_matrix(x.view(), &names, &y, None, &options) else { return Ok(()) };
        assert_batch_is_single(&model, &x, &names);
        // Reversed columns plus one the model does not read (NaN everywhere, ignored).
        let mut order: Vec<usize> = (0..p).rev().collect();
        order.push(0);
        let mut xr = x.select(Axis(1), &order);
        xr.column_mut(p).fill(f64::NAN);
        let mut nr: Vec<String> = order[..p].iter().map(|&j| names[j].clone()).collect();
        nr.push("unused".into());
        let want = model.predict_proba_matrix(x.view(), &names).unwrap();
        prop_assert_eq!(bits(model.predict_proba_matrix(xr.view(), &nr).unwrap().as_slice().unwrap()), bits(want.as_slice().unwrap()));
    }
}

/// Large enough for every thread and a partial last tile; missing values in half the
/// columns, with and without standardising; a missing value where training had none is an
/// error naming the first such row.
#[test]
fn batch_scoring_of_many_rows_equals_single_scoring_and_names_bad_rows() {
    let (x, y, names) = gappy_matrix(40_003, 6, 0.1, 5);
    for standardize in [false, true] {
        let options = ChurnModelOptions {
            encoder: nps_core::encode::EncoderOptions { standardize, ..Default::default() },
            ..Default::default()
        };
        let model = ChurnModel::fit_matrix(x.view(), &names, &y, None, &options).unwrap();
        assert!(model.columns.contains(&"c1__missing".to_string()));
        assert_batch_is_single(&model, &x, &names);
        let mut bad = x.clone();
        bad[[31_000, 2]] = f64::NAN;
        bad[[35_555, 0]] = f64::NAN;
        bad[[38_000, 4]] = f64::INFINITY;
        let err = model.predict_proba_matrix(bad.view(), &names).unwrap_err().to_string();
        assert!(err.contains("c2") && err.contains("31000"), "{err}");
        bad[[31_000, 2]] = 1.0;
        bad[[35_555, 0]] = 1.0;
        let err = model.predict_proba_matrix(bad.view(), &names).unwrap_err().to_string();
        assert!(err.contains("c4[38000]") && err.contains("inf"), "{err}");
    }
}

/// A large matrix (its column statistics split between threads) learns exactly the encoder
/// the same data learns as a table, and its first infinite value (row-major) is named.
#[test]
fn a_large_matrix_learns_the_tables_encoder() {
    use nps_core::encode::{ColumnKind, ColumnSpec, EncoderOptions, TableEncoder};
    let (mut x, _, names) = gappy_matrix(200_000, 6, 0.2, 9);
    let table =
        RawTable::new(names.clone(), x.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect()).unwrap();
    let specs: Vec<ColumnSpec> = names.iter().map(|n| ColumnSpec::new(n, ColumnKind::Numeric)).collect();
    for standardize in [false, true] {
        let o = EncoderOptions { standardize, ..Default::default() };
        assert_eq!(
            TableEncoder::fit_matrix(x.view(), &names, &o).unwrap(),
            TableEncoder::fit(&table, &specs, &o).unwrap()
        );
    }
    x[[150_000, 1]] = f64::INFINITY;
    x[[150_000, 5]] = f64::NEG_INFINITY;
    x[[170_000, 0]] = f64::INFINITY;
    let err = TableEncoder::fit_matrix(x.view(), &names, &EncoderOptions::default()).unwrap_err().to_string();
    assert!(err.contains("c1[150000]"), "{err}");
}

/// A table with a number, a yes/no column and a category (with gaps), and its labels.
fn mixed_table(n: usize, seed: u64) -> (RawTable, Vec<f64>) {
    let mut rng = Rng::new(seed);
    let mut tenure = Vec::new();
    let mut paperless = Vec::new();
    let mut contract = Vec::new();
    let mut y = Vec::new();
    for i in 0..n {
        let t = (rng.uniform() * 72.0).floor();
        let monthly = rng.uniform() < 0.55;
        tenure.push(t);
        paperless.push(Some(if rng.uniform() < 0.6 { "Yes" } else { "No" }.to_string()));
        contract.push(match i % 50 {
            0 => None,
            _ if monthly => Some("Month-to-month".to_string()),
            _ if rng.uniform() < 0.5 => Some("One year".to_string()),
            _ => Some("Two year".to_string()),
        });
        y.push(rng.bernoulli(if monthly { 0.45 } else { 0.1 } * (1.0 - t / 100.0)) as u8 as f64);
    }
    let columns = vec![Column::Numeric(tenure), Column::Text(paperless), Column::Text(contract)];
    (RawTable::new(vec!["tenure".into(), "paperless".into(), "contract".into()], columns).unwrap(), y)
}

/// A factor shows values in their input's type (numbers as numbers, a yes/no column as
/// booleans) and, for a category or a boolean, the training mix its contribution is
/// measured against; the numbers are those of the attribution, unchanged.
#[test]
fn factors_show_typed_values_and_the_mix_a_category_is_measured_against() {
    use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
    use nps_core::model::{FactorValue, Share};
    let (t, y) = mixed_table(2_000, 9);
    let specs = infer_specs(&t, &[]);
    let model = ChurnModel::fit(&t, &y, None, &specs, &ChurnModelOptions::default()).unwrap();
    let profiles = model.profiles();
    let Column::Numeric(tenure) = t.column("tenure").unwrap() else { panic!() };
    assert_eq!(profiles[0].typical, FactorValue::Number(tenure.iter().sum::<f64>() / 2_000.0));
    // The mix is the training share of each value (unweighted: the frequencies).
    let share = |col: &str, v: Option<&str>| {
        (0..t.len())
            .filter(|&r| match t.column(col).unwrap().cell(r) {
                Cell::Text(s) => Some(s) == v,
                _ => v.is_none(),
            })
            .count() as f64
            / 2_000.0
    };
    let mix = &profiles[2].mix;
    assert_eq!(mix.len(), 4);
    assert!(mix.windows(2).all(|w| w[0].share >= w[1].share), "largest first");
    for s in mix {
        let label = match &s.value {
            FactorValue::Text(l) => Some(l.as_str()),
            FactorValue::Missing => None,
            other => panic!("{other:?}"),
        };
        assert!((s.share - share("contract", label)).abs() < 1e-12, "{s:?}");
    }
    assert_eq!(profiles[2].typical, FactorValue::Text("Month-to-month".into()));
    let yes = share("paperless", Some("Yes"));
    assert_eq!(profiles[1].mix[0], Share { value: FactorValue::Bool(true), share: yes });
    assert_eq!(profiles[1].typical, FactorValue::Bool(true));
    // A month-to-month customer: the category is the typical one, and its contribution is
    // still measured against the mix (not zero): the factor carries that mix.
    let row = (0..t.len()).find(|&r| t.column("contract").unwrap().cell(r) == Cell::Text("Month-to-month")).unwrap();
    let cells: Vec<Cell> = model.inputs.iter().map(|n| t.column(n).unwrap().cell(row)).collect();
    let e = model.explain_cells(&cells, 3, &mut Vec::new()).unwrap();
    let contract = e.raising.iter().chain(&e.lowering).find(|f| f.name == "contract").unwrap();
    assert_eq!(contract.value, contract.typical);
    assert!(contract.contribution != 0.0 && contract.mix == *mix);
    let c = model.explainer().unwrap().contributions(model.encode(&t).unwrap().view()).unwrap();
    assert_eq!(contract.contribution.to_bits(), c[[row, 2]].to_bits(), "the numbers are unchanged");
    for f in e.raising.iter().chain(&e.lowering) {
        match f.name.as_str() {
            "tenure" => assert_eq!(f.value, FactorValue::Number(tenure[row])),
            "paperless" => {
                assert!(matches!(f.value, FactorValue::Bool(_)) && matches!(f.typical, FactorValue::Bool(true)))
            }
            _ => {}
        }
    }
    // JSON: numbers, booleans, strings and null; a number's factor has no mix.
    let json = serde_json::to_value(&e).unwrap();
    for f in json["raising"].as_array().unwrap().iter().chain(json["lowering"].as_array().unwrap()) {
        match f["name"].as_str().unwrap() {
            "tenure" => assert!(f["value"].is_number() && f["typical"].is_number() && f.get("mix").is_none()),
            "paperless" => assert!(f["value"].is_boolean() && f["mix"][0]["value"] == serde_json::json!(true)),
            _ => assert!(f["value"].is_string() && f["mix"].as_array().unwrap().len() == 4),
        }
    }
    assert_eq!(serde_json::from_value::<nps_core::model::Explanation>(json).unwrap(), e);
    // The trees read the same profiles from their training rows; a file keeps them.
    let options = BoostingOptions { n_estimators: 20, ..Default::default() };
    let boosted = BoostedChurnModel::fit(&t, &y, None, &specs, None, &options).unwrap();
    assert_eq!(boosted.profiles[0].typical, profiles[0].typical);
    assert_eq!(boosted.profiles[1], profiles[1]);
    for (a, b) in boosted.profiles[2].mix.iter().zip(mix) {
        assert_eq!(a.value, b.value);
        assert!((a.share - b.share).abs() < 1e-12);
    }
    let back = BoostedChurnModel::from_json(&boosted.to_json()).unwrap();
    assert_eq!(back.profiles, boosted.profiles);
    // A file written before profiles were kept reads them from the typical values.
    let mut old: serde_json::Value = serde_json::from_str(&boosted.to_json()).unwrap();
    old.as_object_mut().unwrap().remove("profiles");
    let old = BoostedChurnModel::from_json(&old.to_string()).unwrap();
    assert_eq!(old.profiles[2].typical, FactorValue::Text("Month-to-month".into()));
    assert_eq!(old.profiles[1].typical, FactorValue::Bool(true));
    assert!(
        matches!(old.profiles[0].typical, FactorValue::Number(x) if (x - tenure.iter().sum::<f64>() / 2_000.0).abs() < 0.01)
    );
}

/// Sample weights weigh the encoder too: integer weights fit the model of the rows
/// repeated, a zero weight that of the row left out (no category, no missing indicator
/// learned from it), for a table and for a matrix.
#[test]
fn weights_are_repeated_rows_for_the_encoder_too() {
    let (t, y) = mixed_table(300, 4);
    let w: Vec<f64> = (0..t.len()).map(|i| (i % 4) as f64).collect(); // 0, 1, 2, 3, ...
    let repeated: Vec<usize> = (0..t.len()).flat_map(|i| std::iter::repeat_n(i, i % 4)).collect();
    let rt = t.select(&repeated);
    let ry: Vec<f64> = repeated.iter().map(|&i| y[i]).collect();
    let specs = infer_specs(&t, &[]);
    let options = ChurnModelOptions::default();
    let weighted = ChurnModel::fit(&t, &y, Some(&w), &specs, &options).unwrap();
    let plain = ChurnModel::fit(&rt, &ry, None, &specs, &options).unwrap();
    assert_eq!(weighted.columns, plain.columns);
    let (a, b) = (weighted.predict_proba(&t).unwrap(), plain.predict_proba(&t).unwrap());
    assert!(a.iter().zip(&b).all(|(a, b)| (a - b).abs() < 1e-9), "{:?} {:?}", &a.to_vec()[..3], &b.to_vec()[..3]);
    // A matrix with a gap only in a row of weight zero: no indicator is learned.
    let mut rng = Rng::new(2);
    let mut x = Array2::from_shape_fn((200, 2), |_| rng.normal() * 3.0 + 1.0);
    x[[0, 1]] = f64::NAN;
    let yy: Vec<f64> = (0..200).map(|i| ((x[[i, 0]] + rng.normal()) > 1.0) as u8 as f64).collect();
    let names = vec!["a".to_string(), "b".to_string()];
    let ww: Vec<f64> = (0..200).map(|i| (i % 3) as f64).collect();
    let rows: Vec<usize> = (0..200).flat_map(|i| std::iter::repeat_n(i, i % 3)).collect();
    let m1 = ChurnModel::fit_matrix(x.view(), &names, &yy, Some(&ww), &options).unwrap();
    let xr = x.select(Axis(0), &rows);
    let yr: Vec<f64> = rows.iter().map(|&i| yy[i]).collect();
    let m2 = ChurnModel::fit_matrix(xr.view(), &names, &yr, None, &options).unwrap();
    assert_eq!(m1.columns, ["a", "b"]);
    let (p1, p2) =
        (m1.predict_proba_matrix(xr.view(), &names).unwrap(), m2.predict_proba_matrix(xr.view(), &names).unwrap());
    assert!(p1.iter().zip(&p2).all(|(a, b)| (a - b).abs() < 1e-9));
    let e = ChurnModel::fit_matrix(x.view(), &names, &yy, Some(&vec![0.0; 200]), &options).unwrap_err();
    assert!(e.to_string().contains("sample_weight must be some positive weight"), "{e}");
}
