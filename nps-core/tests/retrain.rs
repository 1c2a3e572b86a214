//! Retraining on the generated base where the truth is known: a champion trained before
//! the drift, the drifted base half a year later, the drift against the model's stored
//! reference, the retrain policy, a challenger trained on the recent window, promotion with
//! lineage; and the model file with everything in it, old files still read.
use std::time::Instant;

use nps_core::encode::{infer_specs, Column, RawTable};
use nps_core::features::{compute, retention};
use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
use nps_core::model::{AnyChurnModel, ChurnModel, ChurnModelOptions};
use nps_core::monitor::{
    challenge, model_id, performance, DataWindow, DriftOptions, Lineage, PerformanceOptions, PromotionRule,
    Recalibration, RetrainEvidence, RetrainPolicy, SCORE_INPUT,
};
use nps_core::synth::{customers, drifted_customers, BaseConfig, DriftConfig, SyntheticBase};

fn table_of(base: &SyntheticBase) -> (RawTable, Vec<f64>) {
    let f = compute(&base.events, &retention(), base.config.as_of).unwrap();
    let columns = f.values.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect();
    let y = base.churned.iter().map(|&c| c as u8 as f64).collect();
    (RawTable::new(f.names.clone(), columns).unwrap(), y)
}

fn fit(table: &RawTable, y: &[f64], options: &ChurnModelOptions) -> ChurnModel {
    ChurnModel::fit(table, y, None, &infer_specs(table, &[]), options).unwrap()
}

/// The inputs that read only event kinds the drift left alone.
fn stable_inputs(drifted_kinds: &[String]) -> Vec<String> {
    retention()
        .features
        .iter()
        .filter(|f| {
            let value = serde_json::to_value(f).unwrap();
            // A ratio or difference of other features (no kinds of its own) reads what they
            // read: leave those out.
            match value.get("kinds").and_then(|k| k.as_array()) {
                Some(kinds) => !kinds.iter().any(|k| drifted_kinds.iter().any(|d| k.as_str() == Some(d.as_str()))),
                None => false,
            }
        })
        .map(|f| f.name.clone())
        .collect()
}

#[test]
fn the_drifted_base_is_caught_and_a_challenger_promoted() {
    let champion_base = customers(&BaseConfig { customers: 8_000, ..Default::default() }).unwrap();
    let (table, y) = table_of(&champion_base);
    let mut champion = fit(&table, &y, &ChurnModelOptions::default());
    let reference = champion.monitoring.reference_summary.as_ref().expect("recorded at fit");
    assert_eq!(reference.inputs.len(), champion.inputs.len() + 1);
    assert_eq!(reference.inputs.last().unwrap().name(), SCORE_INPUT);
    champion.monitoring.lineage = Some(Lineage::trained_on(DataWindow {
        from: Some("2025-07-01".into()),
        to: Some("2026-07-01".into()),
        rows: y.len(),
    }));

    // Half a year later without drift: nothing drifts, the policy says no.
    let mut later = BaseConfig { customers: 8_000, seed: 43, ..Default::default() };
    later.as_of += 182 * 86_400;
    let (calm, calm_y) = table_of(&customers(&later).unwrap());
    let report = champion.drift(&calm, &DriftOptions::default()).unwrap();
    assert!(report.drifted().is_empty(), "{:?}", report.drifted());
    let p = champion.predict_proba(&calm).unwrap().to_vec();
    let period = vec!["2026-12".to_string(); p.len()];
    let perf = performance(&calm_y, &p, &period, None, &PerformanceOptions::default()).unwrap();
    let training_auc = nps_core::metrics::roc_auc(&y, &champion.predict_proba(&table).unwrap().to_vec(), None).unwrap();
    let advice = RetrainPolicy::default()
        .advise(&RetrainEvidence {
            drift: Some(&report),
            performance: Some(&perf),
            training_auc: Some(training_auc),
            age_days: Some(150.0),
        })
        .unwrap();
    assert!(!advice.retrain, "{}", advice.to_json());

    // The drifted base: bills and the network moved from 45 days before.
    let drift = DriftConfig { base: BaseConfig { seed: 44, ..later }, ..DriftConfig::default() };
    let recent = drifted_customers(&DriftConfig { drift_from: later.as_of - 45 * 86_400, ..drift }).unwrap();
    let (recent_table, recent_y) = table_of(&recent.base);
    let report = champion.drift(&recent_table, &DriftOptions::default()).unwrap();
    let drifted = report.drifted();
    for expected in ["bill_shock", "outages_30d", "contacts_30d"] {
        assert!(drifted.contains(&expected), "{expected} not in {drifted:?}");
    }
    let stable = stable_inputs(&recent.drifted_kinds);
    assert!(stable.len() >= 8, "{stable:?}");
    for s in &stable {
        assert!(!drifted.contains(&s.as_str()), "stable {s} flagged: {drifted:?}");
    }
    let advice = RetrainPolicy::default()
        .advise(&RetrainEvidence { drift: Some(&report), age_days: Some(182.0 - 45.0), ..Default::default() })
        .unwrap();
    assert!(advice.retrain);
    assert_eq!(advice.reasons[0].kind, "drift");
    assert!(advice.reasons[0].inputs.contains(&"bill_shock".to_string()));

    // The challenger, trained on the recent window, against the champion on the latest one.
    let challenger = fit(&recent_table, &recent_y, &ChurnModelOptions::default());
    let latest = drifted_customers(&DriftConfig { base: BaseConfig { seed: 45, ..later }, ..drift }).unwrap();
    let (latest_table, latest_y) = table_of(&latest.base);
    let champion_id = champion.id();
    let mut challenger = AnyChurnModel::from(challenger);
    let champion_any = AnyChurnModel::from(champion.clone());
    let decision = challenge(
        &champion_any,
        &mut challenger,
        &latest_table,
        &latest_y,
        &PromotionRule::default(),
        Some("2027-01-01"),
    )
    .unwrap();
    assert!(decision.promote, "{}", decision.reason);
    assert_eq!(decision.clause, "better_auc");
    assert!(
        decision.challenger.auc > decision.champion.auc && decision.p_challenger_better < 0.01,
        "{}",
        decision.reason
    );
    assert!(decision.challenger.brier < decision.champion.brier);
    assert_eq!(decision.champion_id, champion_id);
    let AnyChurnModel::Logistic(promoted) = &challenger else { panic!("logistic") };
    let lineage = promoted.monitoring.lineage.as_ref().unwrap();
    assert_eq!(lineage.parent.as_deref(), Some(champion_id.as_str()));
    assert_eq!(lineage.promotion_metrics["auc"], decision.challenger.auc);
    assert_eq!(lineage.decisions.len(), 1);
    // The promoted model's file keeps it all.
    let again = ChurnModel::from_json(&promoted.to_json()).unwrap();
    assert_eq!(&again, promoted);
    assert_eq!(again.version, 3);
}

#[test]
fn the_file_keeps_reference_recalibration_and_lineage() {
    let base = customers(&BaseConfig { customers: 3_000, ..Default::default() }).unwrap();
    let (table, y) = table_of(&base);
    // The reference changes nothing in the fit.
    let plain = fit(&table, &y, &ChurnModelOptions { record_reference: false, ..Default::default() });
    let mut model = fit(&table, &y, &ChurnModelOptions::default());
    assert_eq!(plain.coef, model.coef);
    assert_eq!(plain.intercept, model.intercept);
    assert!(plain.monitoring.reference_summary.is_none() && plain.version == 1);
    assert!(!plain.to_json().contains("reference_summary"));
    // A file without the new fields is the file of before: version 1, read back the same.
    assert_eq!(ChurnModel::from_json(&plain.to_json()).unwrap().to_json(), plain.to_json());

    let raw = model.predict_proba(&table).unwrap().to_vec();
    let shifted: Vec<f64> = raw.iter().map(|p| (p * 0.6).min(1.0)).collect();
    model.monitoring.recalibration = Some(Recalibration::fit("platt", &y, &shifted, None).unwrap());
    model.monitoring.lineage = Some(Lineage { parent: Some(model_id("the parent")), ..Default::default() });
    let p = model.predict_proba(&table).unwrap();
    assert_ne!(p.to_vec(), raw);
    let text = model.to_json();
    let read = ChurnModel::from_json(&text).unwrap();
    assert_eq!(read.to_json(), text);
    assert_eq!(read.predict_proba(&table).unwrap(), p);
    assert_eq!(read.id(), model.id());
    // Explanations stay on the raw score's log-odds.
    let mut scratch = Vec::new();
    let cells: Vec<_> = (0..read.inputs.len()).map(|j| table.columns[j].cell(0)).collect();
    assert_eq!(read.score_cells(&cells, &mut scratch).unwrap(), p[0]);
}

#[test]
fn a_boosted_model_keeps_them_too_and_the_fit_time_is_measured() {
    let base = customers(&BaseConfig { customers: 3_000, ..Default::default() }).unwrap();
    let (table, y) = table_of(&base);
    let specs = infer_specs(&table, &[]);
    let options = BoostingOptions { n_estimators: 30, ..Default::default() };
    let off = BoostingOptions { record_reference: false, ..options.clone() };
    let t = Instant::now();
    let plain = BoostedChurnModel::fit(&table, &y, None, &specs, None, &off).unwrap();
    let t_off = t.elapsed();
    let t = Instant::now();
    let mut model = BoostedChurnModel::fit(&table, &y, None, &specs, None, &options).unwrap();
    let t_on = t.elapsed();
    eprintln!("boosted fit: {t_off:?} without the reference, {t_on:?} with it");
    assert_eq!(plain.ensemble, model.ensemble);
    assert_eq!(plain.version, 2);
    assert_eq!(model.version, 3);
    let report = model.drift(&table, &DriftOptions::default()).unwrap();
    assert!(report.drifted().is_empty());
    assert!(plain.drift(&table, &DriftOptions::default()).unwrap_err().to_string().contains("reference_summary"));
    let raw = model.predict_proba(&table).unwrap().to_vec();
    model.monitoring.recalibration = Some(Recalibration::fit("isotonic", &y, &raw, None).unwrap());
    let read = BoostedChurnModel::from_json(&model.to_json()).unwrap();
    assert_eq!(read.predict_proba(&table).unwrap(), model.predict_proba(&table).unwrap());
    assert_eq!(read.to_json(), model.to_json());
    // A logistic champion against this boosted challenger.
    let champion = AnyChurnModel::from(fit(&table, &y, &ChurnModelOptions::default()));
    let mut challenger = AnyChurnModel::from(read);
    let d = challenge(&champion, &mut challenger, &table, &y, &PromotionRule::default(), None).unwrap();
    assert_eq!(d.rows, 3_000);
    assert!(d.champion.auc > 0.5 && d.challenger.auc > 0.5);
}

fn vector(name: &str) -> serde_json::Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/vectors").join(name);
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// The rows of a vector as a table: numbers (null missing) or text columns.
fn rows_table(v: &serde_json::Value) -> RawTable {
    let inputs: Vec<String> = serde_json::from_value(v["inputs"].clone()).unwrap();
    let rows = v["rows"].as_array().unwrap();
    let columns = (0..inputs.len())
        .map(|j| {
            let cells: Vec<&serde_json::Value> = rows.iter().map(|r| &r[j]).collect();
            if cells.iter().any(|c| c.is_string()) {
                Column::Text(cells.iter().map(|c| c.as_str().map(str::to_string)).collect())
            } else {
                Column::Numeric(cells.iter().map(|c| c.as_f64().unwrap_or(f64::NAN)).collect())
            }
        })
        .collect();
    RawTable::new(inputs, columns).unwrap()
}

#[test]
fn the_shared_vector_to_the_bit() {
    let v = vector("retrain.json");
    let table = rows_table(&v);
    let logistic = ChurnModel::from_json(&v["logistic"]["model"].to_string()).unwrap();
    let boosted = BoostedChurnModel::from_json(&v["boosted"]["model"].to_string()).unwrap();
    for (kind, model) in [("logistic", AnyChurnModel::from(logistic.clone())), ("boosted", boosted.clone().into())] {
        let expected: Vec<f64> = serde_json::from_value(v[kind]["probabilities"].clone()).unwrap();
        assert_eq!(nps_core::monitor::model_probabilities(&model, &table).unwrap(), expected, "{kind}");
        assert_eq!(nps_core::monitor::any_model_id(&model), v[kind]["model_id"].as_str().unwrap(), "{kind}");
        assert_eq!(AnyChurnModel::from_json(&model.to_json()).unwrap().to_json(), model.to_json());
    }
    let raw: Vec<f64> = serde_json::from_value(v["logistic"]["raw_probabilities"].clone()).unwrap();
    assert_eq!(logistic.raw_proba(&table).unwrap().to_vec(), raw);
    let report = logistic.drift(&table, &DriftOptions::default()).unwrap();
    assert_eq!(serde_json::to_value(&report).unwrap(), v["drift"]["report"]);
    let y: Vec<f64> = serde_json::from_value(v["y"].clone()).unwrap();
    let mut challenger = AnyChurnModel::from(boosted.clone());
    let d =
        challenge(&logistic.clone().into(), &mut challenger, &table, &y, &PromotionRule::default(), Some("2027-01-31"))
            .unwrap();
    assert_eq!(serde_json::to_value(&d).unwrap(), v["decision"]);
    let advice = RetrainPolicy::default()
        .advise(&RetrainEvidence { drift: Some(&report), age_days: Some(200.0), ..Default::default() })
        .unwrap();
    assert_eq!(serde_json::to_value(&advice).unwrap(), v["advice"]);
}

#[test]
fn older_files_read_as_before() {
    for name in ["churn_model.json", "boosted_model.json"] {
        let v = vector(name);
        let model = AnyChurnModel::from_json(&v["model"].to_string()).unwrap();
        let text = model.to_json();
        let again: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(again["version"], v["model"]["version"], "{name}");
        assert!(!text.contains("reference_summary") && !text.contains("lineage"), "{name}");
        let table = rows_table(&v);
        let expected: Vec<f64> = serde_json::from_value(v["probabilities"].clone()).unwrap();
        assert_eq!(nps_core::monitor::model_probabilities(&model, &table).unwrap(), expected, "{name}");
        let err = match &model {
            AnyChurnModel::Logistic(m) => m.drift(&table, &DriftOptions::default()).unwrap_err(),
            AnyChurnModel::Boosted(m) => m.drift(&table, &DriftOptions::default()).unwrap_err(),
        };
        assert_eq!(err.code(), "INVALID_PARAMETER");
        assert!(err.to_string().contains("reference_summary"), "{err}");
    }
}
