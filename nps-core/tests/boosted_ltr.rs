//! The boosted likelihood-to-recommend model: held-out log loss against the logistic one on
//! the synthetic base, probabilities, the model file (round trip, corrupted files, the kind
//! each loader takes), the detractor attribution, bad input and the shared vector.
use nps_core::early_warning::{
    evaluate_ltr, AnyLtrModel, BoostedLtrModel, DetractorRisk, LtrModel, LtrScorer, LtrScratch, SURVEY_ANSWER_FEATURES,
};
use nps_core::encode::{infer_specs, Cell, Column, RawTable};
use nps_core::features::{compute, retention};
use nps_core::model::boosted::BoostingOptions;
use nps_core::model::ChurnModelOptions;
use nps_core::synth::{customers, BaseConfig, SyntheticBase};

fn table(b: &SyntheticBase, rows: &[usize]) -> RawTable {
    let m = compute(&b.events, &retention(), b.config.as_of).unwrap();
    let columns =
        m.values.columns().into_iter().map(|c| Column::Numeric(rows.iter().map(|&r| c[r]).collect())).collect();
    RawTable::new(m.names, columns).unwrap()
}

struct Fitted {
    base: SyntheticBase,
    test: Vec<usize>,
    logistic: LtrModel,
    boosted: BoostedLtrModel,
}

fn fitted() -> Fitted {
    let base = customers(&BaseConfig { customers: 12_000, seed: 3, ..Default::default() }).unwrap();
    let answered: Vec<usize> = base.surveys.customer.iter().map(|&c| c as usize).collect();
    let (test, train): (Vec<usize>, Vec<usize>) = answered.iter().partition(|&&c| c % 4 == 0);
    let t = table(&base, &train);
    let scores: Vec<f64> = train.iter().map(|&c| base.true_score[c] as f64).collect();
    let specs = infer_specs(&t, &SURVEY_ANSWER_FEATURES);
    let logistic = LtrModel::fit(&t, &scores, None, &specs, &ChurnModelOptions::default()).unwrap();
    // Respondents are few (about 1,500 here): the default 300 rounds overfit (held-out log
    // loss 1.153 against the logistic model's 1.085), stopping early on a fifth of them
    // does not.
    let options = BoostingOptions { early_stopping_rounds: 30, validation_fraction: 0.2, ..Default::default() };
    let boosted = BoostedLtrModel::fit(&t, &scores, None, &specs, None, &options).unwrap();
    Fitted { base, test, logistic, boosted }
}

fn cells_of<'a>(t: &'a RawTable, inputs: &[String], row: usize) -> Vec<Cell<'a>> {
    inputs.iter().map(|n| t.column(n).unwrap().cell(row)).collect()
}

#[test]
fn held_out_log_loss_is_no_worse_than_the_logistic_model() {
    let f = fitted();
    let t = table(&f.base, &f.test);
    let answers: Vec<f64> = f.test.iter().map(|&c| f.base.true_score[c] as f64).collect();
    let pl = f.logistic.predict_proba(&t).unwrap();
    let pb = f.boosted.predict_proba(&t).unwrap();
    let el = evaluate_ltr(pl.view(), &answers, 0.5).unwrap();
    let eb = evaluate_ltr(pb.view(), &answers, 0.5).unwrap();
    eprintln!(
        "{} held-out respondents ({} trained on): log loss boosted {:.4}, logistic {:.4}; detractor AUC {:.3} vs {:.3}",
        eb.answered, f.boosted.training.rows, eb.log_loss, el.log_loss, eb.detractor_auc, el.detractor_auc
    );
    assert!(eb.log_loss <= el.log_loss + 0.01, "boosted {} logistic {}", eb.log_loss, el.log_loss);

    // Probabilities sum to one; one customer cell by cell equals the batch, to the bit;
    // the matrix entry point equals the table's.
    for r in pb.rows() {
        assert!((r.sum() - 1.0).abs() < 1e-12 && r.iter().all(|p| (0.0..=1.0).contains(p)));
    }
    for i in (0..f.test.len()).step_by(97) {
        let p = f.boosted.score_cells(&cells_of(&t, &f.boosted.inputs, i), &mut Vec::new()).unwrap();
        for k in 0..3 {
            assert_eq!(p[k].to_bits(), pb[[i, k]].to_bits());
        }
    }
    let m = compute(&f.base.events, &retention(), f.base.config.as_of).unwrap();
    let x = m.values.select(ndarray::Axis(0), &f.test);
    let pm = f.boosted.predict_proba_matrix(x.view(), &m.names).unwrap();
    assert_eq!(pm, pb);
    let any = AnyLtrModel::from(f.boosted.clone());
    assert_eq!(any.predict_proba(&t).unwrap(), pb);
    assert_eq!(any.kind(), "boosted_trees");
}

#[test]
fn detractor_attribution_adds_up() {
    let f = fitted();
    let t = table(&f.base, &f.test);
    let scorer = LtrScorer::new(f.boosted.clone()).unwrap();
    let (mut scratch, mut out) = (LtrScratch::default(), DetractorRisk::default());
    let batch = f.boosted.detractor_contributions(&t).unwrap();
    let mut worst = 0.0f64;
    for i in 0..f.test.len() {
        let cells = cells_of(&t, &f.boosted.inputs, i);
        scorer.detractor_risk_into(&cells, &mut scratch, &mut out).unwrap();
        let p = f.boosted.score_cells(&cells, &mut Vec::new()).unwrap();
        assert_eq!(out.probabilities, p);
        assert!((out.log_odds - (p[0] / p[2]).ln()).abs() < 1e-9);
        let sum = out.baseline + out.contributions.iter().sum::<f64>();
        worst = worst.max((sum - out.log_odds).abs());
        assert!((sum - out.log_odds).abs() < 1e-9, "customer {i}: {sum} vs {}", out.log_odds);
        assert_eq!(out.baseline, batch.baseline);
        assert_eq!(out.log_odds.to_bits(), batch.log_odds[i].to_bits());
        assert_eq!(out.probabilities[0].to_bits(), batch.risk[i].to_bits());
        for (j, c) in out.contributions.iter().enumerate() {
            assert_eq!(c.to_bits(), batch.contributions[[i, j]].to_bits());
        }
    }
    eprintln!("{} customers: |baseline + Σ − log-odds| at most {worst:.2e}", f.test.len());
    // Inputs no tree splits on contribute nothing.
    let used: std::collections::BTreeSet<usize> =
        f.boosted.ensemble.trees.iter().flat_map(|t| t.splits.iter().map(|s| s.feature)).collect();
    for j in (0..f.boosted.inputs.len()).filter(|j| !used.contains(j)) {
        assert!(batch.contributions.column(j).iter().all(|&c| c == 0.0));
    }
}

#[test]
fn the_file_round_trips_and_corrupted_files_are_refused() {
    let t = RawTable::new(
        vec!["a".into(), "b".into()],
        vec![
            Column::Numeric((0..300).map(|i| (i % 11) as f64).collect()),
            Column::Numeric((0..300).map(|i| if i % 7 == 0 { f64::NAN } else { (i % 5) as f64 }).collect()),
        ],
    )
    .unwrap();
    let scores: Vec<f64> = (0..300).map(|i| ((i % 11) as f64 + (i % 3) as f64).min(10.0)).collect();
    let options = BoostingOptions { n_estimators: 20, min_data_in_leaf: 5, ..Default::default() };
    let model = BoostedLtrModel::fit(&t, &scores, None, &infer_specs(&t, &[]), None, &options).unwrap();
    assert_eq!(model.ensemble.outputs, 3);
    assert_eq!(model.ensemble.trees.len(), 60);
    let text = model.to_json();
    let back = BoostedLtrModel::from_json(&text).unwrap();
    assert_eq!(back, model);
    assert_eq!(back.to_json(), text);
    assert_eq!(back.predict_proba(&t).unwrap(), model.predict_proba(&t).unwrap());
    match AnyLtrModel::from_json(&text).unwrap() {
        AnyLtrModel::Boosted(m) => assert_eq!(m, model),
        other => panic!("read as {}", other.kind()),
    }

    let err = |text: &str| BoostedLtrModel::from_json(text).unwrap_err().to_string();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let edit = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut w = v.clone();
        f(&mut w);
        w.to_string()
    };
    assert!(err("{").contains("model file"));
    assert!(err(&edit(&|w| w["format"] = "nps.churn_model".into())).contains("format"));
    assert!(err(&edit(&|w| w["version"] = 3.into())).contains("newer nps"));
    assert!(err(&edit(&|w| w["version"] = 1.into())).contains("version"));
    assert!(err(&edit(&|w| w["ensemble"]["outputs"] = 1.into())).contains("ensemble.outputs"));
    assert!(err(&edit(&|w| w["ensemble"]["base_score"][1] = "x".into())).contains("model file"));
    assert!(err(&edit(&|w| {
        w["ensemble"]["trees"].as_array_mut().unwrap().pop();
    }))
    .contains("trees"));
    assert!(err(&edit(&|w| w["typical"].as_array_mut().unwrap().clear())).contains("typical"));
    assert!(err(&edit(&|w| w["inputs"][0] = "z".into())).contains("inputs"));
    let logistic_kind = edit(&|w| w["kind"] = "logistic".into());
    assert!(err(&logistic_kind).contains("with LtrModel"));
    // The logistic loader refuses a boosted file and says which class reads it.
    let e = LtrModel::from_json(&text).unwrap_err().to_string();
    assert!(e.contains("kind") && e.contains("BoostedLtrModel"), "{e}");
    // Any kind reads by kind; an unknown kind is named.
    v["kind"] = "forest".into();
    let e = AnyLtrModel::from_json(&v.to_string()).unwrap_err().to_string();
    assert!(e.contains("forest") && e.contains("boosted_trees"), "{e}");
}

#[test]
fn bad_input() {
    let t = RawTable::new(vec!["x".into()], vec![Column::Numeric(vec![1.0, 2.0, 3.0])]).unwrap();
    let specs = infer_specs(&t, &[]);
    let o = BoostingOptions::default();
    let e = |s: &[f64]| BoostedLtrModel::fit(&t, s, None, &specs, None, &o).unwrap_err().to_string();
    assert!(e(&[1.0, 11.0, 9.0]).contains("scores[1] = 11 is outside the scale 0..=10"));
    assert!(e(&[1.0, f64::NAN, 9.0]).contains("scores[1] is missing"));
    assert!(e(&[1.0, 7.5, 9.0]).contains("scores[1] = 7.5 is not a whole number"));
    assert!(e(&[1.0, 2.0, 9.0]).contains("got no passive answer (7–8)"));
    assert!(e(&[1.0, 7.0]).contains("scores"));
    let x = ndarray::array![[1.0], [f64::INFINITY], [3.0]];
    let err = BoostedLtrModel::fit_matrix(x.view(), &["x".into()], &[1.0, 7.0, 9.0], None, None, &o).unwrap_err();
    assert!(err.to_string().contains("x[1, 0]"), "{err}");
}
/// The shared boosted LTR model file (written from Python): the same three probabilities to
/// the bit.
#[test]
fn the_shared_model_file_scores_to_the_bit() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../tests/vectors/boosted_ltr_model.json");
    let Ok(text) = std::fs::read_to_string(path) else {
        panic!("{path} is missing: run tests/vectors/make_boosted_ltr_model.py");
    };
    let v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let model = BoostedLtrModel::from_json(&v["model"].to_string()).unwrap();
    let rows = v["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 20);
    for (row, want) in rows.iter().zip(v["probabilities"].as_array().unwrap()) {
        let cells: Vec<Cell> =
            row.as_array().unwrap().iter().map(|c| c.as_f64().map_or(Cell::Missing, Cell::Number)).collect();
        let p = model.score_cells(&cells, &mut Vec::new()).unwrap();
        for k in 0..3 {
            assert_eq!(p[k].to_bits(), want[k].as_f64().unwrap().to_bits());
        }
    }
}
