//! The demo's learning-over-time part: the churn model watched month by month as the base
//! drifts (a price change on contracts and a network problem), the drift caught against the
//! reference the model file keeps, the retrain policy, a challenger promoted with lineage;
//! then a retention campaign targeted by uplift rather than risk, and the next best action
//! ranked by uplift × value.
use nps_core::action::{playbook, DecideRequest, FieldValue};
use nps_core::encode::{infer_specs, Column, RawTable};
use nps_core::features::{compute, retention};
use nps_core::model::{AnyChurnModel, ChurnModel, ChurnModelOptions};
use nps_core::monitor::{
    challenge, performance, DriftOptions, PerformanceOptions, PromotionRule, RetrainEvidence, RetrainPolicy,
};
use nps_core::synth::{campaign, customers, drifted_customers, BaseConfig, CampaignConfig, DriftConfig, SyntheticBase};
use nps_core::uplift::{saved_per_contacts, Outcome, UpliftInputs, UpliftLearner, UpliftModel, DEFAULT_CONTACTS};
use nps_core::NpsError;

const DAY: i64 = 86_400;
/// Customers per monthly snapshot and per campaign (smaller than the main base: the part
/// generates eight of them).
const SNAPSHOT: usize = 20_000;

/// The features of a generated base as a table, and its churn labels.
fn table_of(base: &SyntheticBase) -> Result<(RawTable, Vec<f64>), NpsError> {
    let f = compute(&base.events, &retention(), base.config.as_of)?;
    let columns = f.values.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect();
    let y = base.churned.iter().map(|&c| c as u8 as f64).collect();
    Ok((RawTable::new(f.names.clone(), columns)?, y))
}

fn month(as_of: i64) -> String {
    // Civil date of a Unix time (days since 1970-01-01), enough for a label.
    let days = as_of.div_euclid(DAY);
    let (z, mut y) = (days + 719_468, 0);
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    y += yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    format!("{}-{m:02}", if m <= 2 { y + 1 } else { y })
}

/// The champion (the demo's churn model, trained as of `as_of`) scored on a fresh base every
/// two months; from two months before the last snapshot, the base drifts.
pub fn learning_over_time(champion: &ChurnModel, training_auc: f64, as_of: i64) -> Result<(), NpsError> {
    println!("\nLearning over time: the churn model as the base changes (a snapshot of {SNAPSHOT} customers every two months)");
    let drift_from = as_of + 139 * DAY;
    let (mut ys, mut ps, mut periods) = (Vec::new(), Vec::new(), Vec::new());
    let mut last = None;
    for (k, days) in [0, 62, 123, 184].into_iter().enumerate() {
        let config =
            BaseConfig { customers: SNAPSHOT, seed: 200 + k as u64, as_of: as_of + days * DAY, ..Default::default() };
        let base = if config.as_of > drift_from {
            drifted_customers(&DriftConfig { base: config, drift_from, ..Default::default() })?.base
        } else {
            customers(&config)?
        };
        let (table, y) = table_of(&base)?;
        let p = champion.predict_proba(&table)?.to_vec();
        periods.extend(std::iter::repeat_n(month(config.as_of), y.len()));
        ys.extend_from_slice(&y);
        ps.extend(p);
        last = Some((table, y));
    }
    let (latest, latest_y) = last.expect("four snapshots");
    let perf = performance(&ys, &ps, &periods, None, &PerformanceOptions::default())?;
    println!(
        "  {:<8} {:>6} {:>6} {:>9} {:>17} {:>6} {:>7}  calibration",
        "month", "rows", "churn", "predicted", "AUC (DeLong 95%)", "lift", "Brier"
    );
    for m in &perf {
        let auc = match (m.auc, m.auc_lower, m.auc_upper) {
            (Some(a), Some(l), Some(h)) => format!("{a:.3} [{l:.3}, {h:.3}]"),
            _ => "-".into(),
        };
        println!(
            "  {:<8} {:>6} {:>5.1}% {:>8.1}% {:>17} {:>6.2} {:>7.4}  {}",
            m.period,
            m.count,
            100.0 * m.event_rate,
            100.0 * m.mean_predicted,
            auc,
            m.top_lift.unwrap_or(f64::NAN),
            m.brier,
            if m.calibration_drift { "drifted" } else { "ok" }
        );
    }

    let report = champion.drift(&latest, &DriftOptions::default())?;
    let mut by_psi: Vec<_> = report.inputs.iter().collect();
    by_psi.sort_by(|a, b| b.psi.total_cmp(&a.psi));
    println!("  drift of the last snapshot against the reference the model file keeps (PSI over its deciles):");
    for d in by_psi.iter().take(6) {
        println!(
            "    {:<24} PSI {:>6.3}  KS {:>5.3}  {}",
            d.input,
            d.psi,
            d.ks.unwrap_or(f64::NAN),
            d.severity.as_str()
        );
    }
    let stable = report.inputs.iter().filter(|d| d.severity.as_str() == "none").count();
    println!("    ... {stable} of {} inputs stable", report.inputs.len());
    let advice = RetrainPolicy::default().advise(&RetrainEvidence {
        drift: Some(&report),
        performance: Some(&perf),
        training_auc: Some(training_auc),
        age_days: Some(184.0),
    })?;
    println!("  retrain policy: {}", if advice.retrain { "retrain" } else { "keep" });
    for r in &advice.reasons {
        println!("    because {}", r.detail);
    }

    // A challenger on the recent window, judged against the champion on the latest one.
    let recent = BaseConfig { customers: SNAPSHOT, seed: 210, as_of: as_of + 184 * DAY, ..Default::default() };
    let recent = drifted_customers(&DriftConfig { base: recent, drift_from, ..Default::default() })?;
    let (recent_table, recent_y) = table_of(&recent.base)?;
    let mut challenger = AnyChurnModel::from(ChurnModel::fit(
        &recent_table,
        &recent_y,
        None,
        &infer_specs(&recent_table, &[]),
        &ChurnModelOptions::default(),
    )?);
    let decision = challenge(
        &AnyChurnModel::from(champion.clone()),
        &mut challenger,
        &latest,
        &latest_y,
        &PromotionRule::default(),
        Some(&month(as_of + 184 * DAY)),
    )?;
    println!(
        "  challenger trained on the drifted window: AUC {:.3} vs champion {:.3} on the latest window (DeLong p {:.1e}); {}",
        decision.challenger.auc,
        decision.champion.auc,
        decision.p_challenger_better,
        if decision.promote { "promoted, its file records the champion as parent" } else { "not promoted" }
    );
    Ok(())
}

/// A retention campaign with a random control group: who does a call save? An uplift model
/// trained on one campaign targets the next one; risk targeting calls the riskiest.
pub fn uplift_targeting() -> Result<(), NpsError> {
    let run = |seed: u64| -> Result<_, NpsError> {
        let base = customers(&BaseConfig { customers: SNAPSHOT, seed, ..Default::default() })?;
        let f = compute(&base.events, &retention(), base.config.as_of)?;
        let c = campaign(&base, &CampaignConfig { seed: seed + 100, ..Default::default() })?;
        let y: Vec<f64> = c.churned.iter().map(|&v| v as u8 as f64).collect();
        let treated: Vec<f64> = c.treated.iter().map(|&v| v as u8 as f64).collect();
        Ok((f, c, y, treated))
    };
    let (train_x, _, train_y, train_t) = run(11)?;
    let (x, c, y, t) = run(12)?;
    let train = UpliftInputs::Matrix { x: train_x.values.view(), names: &train_x.names };
    let test = UpliftInputs::Matrix { x: x.values.view(), names: &x.names };
    let model = UpliftModel::fit("two_model", &train, &train_y, &train_t, &UpliftLearner::default())?;
    let uplift = model.predict(&test)?;
    // Risk: a churn model on the control group, what the base does untouched.
    let control: Vec<usize> = (0..train_y.len()).filter(|&i| train_t[i] == 0.0).collect();
    let xc = train_x.values.select(ndarray::Axis(0), &control);
    let yc: Vec<f64> = control.iter().map(|&i| train_y[i]).collect();
    let risk_model = ChurnModel::fit_matrix(xc.view(), &train_x.names, &yc, None, &ChurnModelOptions::default())?;
    let risk = risk_model.predict_proba_matrix(x.values.view(), &x.names)?.to_vec();
    let truth = |score: &[f64]| {
        let mut order: Vec<usize> = (0..score.len()).collect();
        order.sort_by(|&i, &j| score[j].total_cmp(&score[i]).then(i.cmp(&j)));
        order[..score.len() / 5].iter().map(|&i| c.true_uplift[i]).sum::<f64>()
    };
    let saved = |s: &[f64]| saved_per_contacts(&y, &t, s, 0.2, None, DEFAULT_CONTACTS, Outcome::Churned);
    let (by_uplift, by_risk) = (saved(&uplift)?, saved(&risk)?);
    println!("\nUplift: a retention campaign on {SNAPSHOT} customers, half called (a two-model uplift learner trained on an earlier campaign)");
    println!(
        "  calling the top 20 %: by uplift {:.0} customers saved per 1,000 calls, by risk {:.0} (measured on the campaign)",
        by_uplift.customers, by_risk.customers
    );
    println!(
        "  true customers saved (the generator knows): {:.0} by uplift, {:.0} by risk: {:.2}×",
        truth(&uplift),
        truth(&risk),
        truth(&uplift) / truth(&risk)
    );
    // The next best action by uplift × value: a discount that saves this customer comes
    // before the early renewal worth more but that barely moves them.
    let customer = [
        ("tenure_days", FieldValue::Number(400.0)),
        ("segment", FieldValue::Text("consumer".into())),
        ("complained_outage", FieldValue::Bool(true)),
        ("complained_overage", FieldValue::Bool(false)),
        ("monthly_bill", FieldValue::Number(60.0)),
        ("payment_trend", FieldValue::Number(0.8)),
        ("usage_trend_30d", FieldValue::Number(0.6)),
        ("last_nps", FieldValue::Number(4.0)),
    ];
    let catalog = playbook();
    let mut request = DecideRequest { score: Some(75.0), ..Default::default() };
    let by_value = catalog.decide_request(&customer, &request, None)?.decision;
    let ids =
        |d: &nps_core::action::Decision| d.actions.iter().map(|a| a.id.to_string()).collect::<Vec<_>>().join(", ");
    request.uplift = catalog.actions().iter().map(|a| (a.id.to_string(), 0.02)).collect();
    request.uplift.insert("bill_discount".into(), 0.25);
    request.uplift.insert("detractor_callback".into(), -0.05);
    let by_uplift = catalog.decide_request(&customer, &request, None)?.decision;
    println!("  next best actions of a detractor at risk 75, by value: {}", ids(&by_value));
    println!("  ... by uplift × value (discount +0.25, call back -0.05, others +0.02): {}", ids(&by_uplift));
    Ok(())
}
