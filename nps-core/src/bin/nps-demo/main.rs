//! `make demo` (`cargo run --release -p nps-core --bin nps-demo`): the main job on data the
//! project generates itself (fixed seeds): an NPS report with intervals, churn features as of a date on a 50,000-customer base, a churn model
//! cross-validated and set beside a boosted-tree model, the riskiest customers with their factors and next best actions, the
//! predicted NPS of those who never answered, NPS linked to churn, the customers with the most value at
//! risk, survival by NPS category, the model watched as the base drifts (drift, performance by
//! month, retrain policy, a challenger promoted) and a campaign targeted by uplift rather than risk. The model files and the
//! action catalogue are written to `target/nps-demo/` (or `$NPS_DEMO_DIR`) for the Python
//! notebook and the Node service. A binary rather than an example so that it builds without
//! the benchmark and property-test dependencies: about 30 s from a fresh clone on two cores.
mod learning;

use std::path::PathBuf;
use std::time::Instant;

use nps_core::action::{playbook, Catalog, DecideOptions, Factor, FieldValue};
use nps_core::early_warning::{blended_nps, churn_by_nps, predicted_nps, LtrModel, SURVEY_ANSWER_FEATURES};
use nps_core::encode::{infer_specs, Cell, Column, RawTable};
use nps_core::features::{compute, retention, FeatureMatrix, FeatureSet};
use nps_core::metrics::{average_precision, brier, lift_table, roc_auc};
use nps_core::model::boosted::{BoostedChurnModel, BoostedScratch, BoostingOptions};
use nps_core::model::{cross_validate, ChurnModel, ChurnModelOptions, LogisticOptions};
use nps_core::survey::{
    breakdown, compare, prob_greater, sample_size, trend, CompareMethod, IntervalMethod, Period, PlanningShares,
    ReportOptions, ScoreOptions, Tally,
};
use nps_core::synth::{
    customers, survey, BaseConfig, SurveyConfig, SyntheticBase, CONTRACT_TERM_DAYS, DRIVERS, RENEWAL_WINDOW_DAYS,
    SEGMENTS,
};
use nps_core::value::{discounted_periods, plan_campaign, rank_descending, value_at_risk, RetentionAction};
use nps_core::NpsError;

/// Where the demo writes its model files and catalogue.
fn out_dir() -> Result<PathBuf, NpsError> {
    let dir = std::env::var_os("NPS_DEMO_DIR").map(PathBuf::from).unwrap_or_else(|| PathBuf::from("target/nps-demo"));
    std::fs::create_dir_all(&dir).map_err(|e| NpsError::invalid("NPS_DEMO_DIR", dir.display(), &e.to_string()))?;
    Ok(dir)
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> Result<PathBuf, NpsError> {
    let path = dir.join(name);
    std::fs::write(&path, text).map_err(|e| NpsError::invalid("output file", path.display(), &e.to_string()))?;
    Ok(path)
}

/// Progress of the longer steps, on stderr so the report stays clean.
fn step(what: &str) -> Instant {
    eprintln!("· {what}…");
    Instant::now()
}

fn main() -> Result<(), NpsError> {
    let started = Instant::now();
    let config = SurveyConfig { respondents: 20_000, ..Default::default() };
    let data = survey(&config)?;
    println!("NPS report: {} synthetic answers, seed {}, 12 months from 2026-01-01\n", data.scores.len(), config.seed);

    let overall = Tally::from_scores(&data.scores, &ScoreOptions::default())?;
    println!("Overall");
    println!(
        "  n {}  detractors {}  passives {}  promoters {}  NPS {:.1} (SE {:.2})",
        overall.n(),
        overall.counts[0],
        overall.counts[1],
        overall.counts[2],
        overall.nps(),
        overall.se()
    );
    for method in [IntervalMethod::Wald, IntervalMethod::AdjustedWald, IntervalMethod::Score, IntervalMethod::BAYES] {
        let i = overall.interval(method, 0.95)?;
        println!("  95% {:<14} [{:6.2}, {:6.2}]", method.name(), i.low, i.high);
    }

    let options = ReportOptions::default();
    println!("\nBy segment (adjusted-Wald 95% intervals)");
    println!("  {:<10} {:>6} {:>7}  {:>17}", "segment", "n", "NPS", "interval");
    for row in breakdown(&data.scores, &data.segments, None, &options)? {
        let i = row.interval.expect("every segment has answers");
        println!(
            "  {:<10} {:>6} {:>7.1}  [{:6.1}, {:6.1}]",
            row.segment,
            row.tally.n(),
            row.tally.nps(),
            i.low,
            i.high
        );
    }

    println!("\nBy month (change against the previous month; ▲/▼ significant at 95%)");
    println!("  {:<8} {:>5} {:>7}  {:>17} {:>7} {:>8}", "month", "n", "NPS", "interval", "change", "p");
    for row in trend(&data.scores, &data.timestamps, Period::Month, None, &options)? {
        let i = row.interval.expect("every month has answers");
        let change = match row.change {
            Some(c) => {
                let flag = match c.direction {
                    1 => "▲",
                    -1 => "▼",
                    _ => " ",
                };
                format!("{:>+6.1}{flag} {:>8.4}", c.diff, c.p_value)
            }
            None => format!("{:>7} {:>8}", "", ""),
        };
        println!(
            "  {:<8} {:>5} {:>7.1}  [{:6.1}, {:6.1}] {change}",
            row.period.label(),
            row.tally.n(),
            row.tally.nps(),
            i.low,
            i.high
        );
    }

    // Before and after the service fix of July.
    let july = 1_767_225_600 + 6 * 30 * 86_400;
    let split = data.timestamps.partition_point(|t| *t < july);
    let before = Tally::from_scores(&data.scores[..split], &ScoreOptions::default())?;
    let after = Tally::from_scores(&data.scores[split..], &ScoreOptions::default())?;
    let c = compare(&after, &before, CompareMethod::Wald, 0.95)?;
    println!(
        "\nSecond half against first half: {:+.1} points (SE {:.2}, z {:.2}, p {:.2e}, 95% [{:.1}, {:.1}]); P(after > before) = {:.4}",
        c.diff,
        c.se,
        c.z,
        c.p_value,
        c.low,
        c.high,
        prob_greater(&after, &before, [1.0; 3])?
    );
    println!(
        "Respondents for ±3 points at 95%: {} (worst case), {} (planning with these shares)",
        sample_size(3.0, 0.95, PlanningShares::default(), None)?,
        sample_size(3.0, 0.95, PlanningShares::new(overall.promoter_share(), overall.detractor_share())?, None)?
    );
    customer_base()?;
    eprintln!("· done in {:.1} s", started.elapsed().as_secs_f64());
    Ok(())
}

/// The customer base: churn features as of a date and the link between NPS and churn.
fn customer_base() -> Result<(), nps_core::NpsError> {
    let config = BaseConfig { customers: 50_000, ..Default::default() };
    let start = step("generating 50,000 customers and their event histories");
    let base = customers(&config)?;
    let generated = start.elapsed();
    let start = step("computing the retention features as of 2026-07-01");
    let features = compute(&base.events, &retention(), config.as_of)?;
    let n = base.churned.len();
    let churners = base.churned.iter().filter(|&&c| c).count();
    println!(
        "\nCustomer base: {} customers, {} events (generated in {:.2} s, seed {}); {} retention features as of 2026-07-01 in {:.2} s",
        n,
        base.events.len(),
        generated.as_secs_f64(),
        config.seed,
        features.names.len(),
        start.elapsed().as_secs_f64()
    );
    println!(
        "  churn within {} days: {} ({:.1}%); survey answers from {} customers ({:.1}%)",
        config.horizon_days,
        churners,
        100.0 * churners as f64 / n as f64,
        base.surveys.score.len(),
        100.0 * base.surveys.score.len() as f64 / n as f64
    );
    println!("  churn by true driver (with / without):");
    for (bit, name) in DRIVERS.iter().enumerate() {
        let (mut with, mut without) = ((0, 0), (0, 0));
        for c in 0..n {
            let group = if base.drivers[c] >> bit & 1 == 1 { &mut with } else { &mut without };
            group.0 += 1;
            group.1 += base.churned[c] as usize;
        }
        let rate = |(n, k): (usize, usize)| 100.0 * k as f64 / n as f64;
        println!("    {name:<22} {:5.1}% / {:5.1}%  ({} customers)", rate(with), rate(without), with.0);
    }

    let answered: Vec<usize> = base.surveys.customer.iter().map(|&c| c as usize).collect();
    let scores: Vec<f64> = answered.iter().map(|&c| base.true_score[c] as f64).collect();
    let churned: Vec<bool> = answered.iter().map(|&c| base.churned[c]).collect();
    let link = churn_by_nps(&scores, &churned, 0.95)?;
    println!("\nNPS and churn ({} respondents; Wilson 95% intervals)", scores.len());
    for (name, g) in [("detractors", link.detractors), ("passives", link.passives), ("promoters", link.promoters)] {
        println!(
            "  {name:<10} {:>6} churn {:5.1}%  [{:4.1}, {:4.1}]",
            g.customers,
            100.0 * g.rate,
            100.0 * g.low,
            100.0 * g.high
        );
    }
    let what_if = link.reduction(0.25)?;
    println!(
        "  detractors leave {:.2}× as often as promoters (95% [{:.2}, {:.2}]); chi-square {:.1} on {} df, p {:.1e}",
        link.relative_risk,
        link.relative_risk_low,
        link.relative_risk_high,
        link.chi_square.statistic,
        link.chi_square.df,
        link.chi_square.p_value
    );
    println!(
        "  if a quarter of detractors became passives: {:.0} fewer churners, churn {:.1}% -> {:.1}% (simple arithmetic on observed rates)",
        what_if.churners_avoided,
        100.0 * what_if.churn_rate_before,
        100.0 * what_if.churn_rate_after
    );
    let table = feature_table(&features, None)?;
    let (model, p) = churn_model(&base, &table)?;
    side_by_side(&base, &features, &table)?;
    next_best_actions(&base, &features, &table, &model, &p)?;
    likelihood_to_recommend(&base, &features, &table)?;
    value_at_risk_ranking(&base, &p)?;
    survival_by_nps(&base)?;
    let y: Vec<f64> = base.churned.iter().map(|&c| c as u8 as f64).collect();
    learning::learning_over_time(&model, roc_auc(&y, &p, None)?, config.as_of)?;
    learning::uplift_targeting()
}

/// The features as a table of numeric inputs (one column per feature).
fn feature_table(features: &FeatureMatrix, rows: Option<&[usize]>) -> Result<RawTable, NpsError> {
    let columns = features
        .values
        .columns()
        .into_iter()
        .map(|c| match rows {
            Some(rows) => Column::Numeric(rows.iter().map(|&r| c[r]).collect()),
            None => Column::Numeric(c.to_vec()),
        })
        .collect();
    RawTable::new(features.names.clone(), columns)
}

/// A churn model on the features: cross-validated, its lift, and the model file written for
/// the other languages.
/// Returns the model and each customer's P(churn).
fn churn_model(base: &SyntheticBase, table: &RawTable) -> Result<(ChurnModel, Vec<f64>), NpsError> {
    let y: Vec<f64> = base.churned.iter().map(|&c| c as u8 as f64).collect();
    let start = step("training the churn model");
    let options = ChurnModelOptions::default();
    let model = ChurnModel::fit(table, &y, None, &infer_specs(table, &[]), &options)?;
    let trained = start.elapsed();
    let x = model.encode(table)?;
    let _ = step("5-fold cross-validation");
    let auc = cross_validate(x.view(), &y, 5, 42, &LogisticOptions::default(), |y, p| roc_auc(y, p, None))?;
    let p = model.predict_proba(table)?.to_vec();
    let lift = lift_table(&y, &p, 10)?;
    println!(
        "\nChurn model: logistic regression on {} encoded columns, trained in {:.2} s ({} Newton iterations)",
        model.columns.len(),
        trained.as_secs_f64(),
        model.training.convergence.iterations
    );
    println!(
        "  5-fold ROC AUC {:.3} (folds {}); in-sample average precision {:.3}, Brier {:.4}",
        auc.iter().sum::<f64>() / 5.0,
        auc.iter().map(|a| format!("{a:.3}")).collect::<Vec<_>>().join(", "),
        average_precision(&y, &p, None)?,
        brier(&y, &p, None)?
    );
    println!(
        "  top decile: {:.1}% churn, lift {:.2}; the top three deciles hold {:.0}% of the churners",
        100.0 * lift.rows[0].rate,
        lift.rows[0].lift,
        100.0 * lift.rows[2].cumulative_gain
    );
    let dir = out_dir()?;
    let path = write(&dir, "churn_model.json", &model.to_json())?;
    println!("  model file written to {} (load it from Python, Node or Rust)", path.display());
    Ok((model, p))
}

/// The logistic and the boosted model side by side on the same held-out customers: AUC, lift,
/// the two non-linear effects of the generated base, and one customer explained by both.
fn side_by_side(base: &SyntheticBase, features: &FeatureMatrix, table: &RawTable) -> Result<(), NpsError> {
    let n = base.churned.len();
    let train: Vec<usize> = (0..n).filter(|i| i % 5 != 0).collect();
    let test: Vec<usize> = (0..n).filter(|i| i % 5 == 0).collect();
    let (train_table, test_table) = (feature_table(features, Some(&train))?, feature_table(features, Some(&test))?);
    let y = |rows: &[usize]| -> Vec<f64> { rows.iter().map(|&c| base.churned[c] as u8 as f64).collect() };
    let (y_train, y_test) = (y(&train), y(&test));
    let specs = infer_specs(table, &[]);
    let start = step("training the boosted model");
    let logistic = ChurnModel::fit(&train_table, &y_train, None, &specs, &ChurnModelOptions::default())?;
    let boosted = BoostedChurnModel::fit(&train_table, &y_train, None, &specs, None, &BoostingOptions::default())?;
    let trained = start.elapsed();
    let p_logistic = logistic.predict_proba(&test_table)?.to_vec();
    let p_boosted = boosted.predict_proba(&test_table)?.to_vec();
    println!(
        "
Logistic and boosted trees side by side ({} customers held out; boosted: {} trees of {} leaves, trained in {:.2} s)",
        test.len(),
        boosted.ensemble.trees.len(),
        boosted.options.num_leaves,
        trained.as_secs_f64()
    );
    println!(
        "  {:<10} {:>7} {:>14} {:>22} {:>22}",
        "model", "AUC", "top-decile lift", "shock + contacts churn", "renewal window churn"
    );
    // Where the effects no line fits sit: both drivers together, and contracts near renewal.
    let tenure = features.column("tenure_days").expect("a retention feature");
    let together: Vec<bool> =
        test.iter().map(|&c| base.has_driver(c, "repeat_contacts") && base.has_driver(c, "bill_shock")).collect();
    let renewal: Vec<bool> = test
        .iter()
        .map(|&c| base.plan[c] == 1 && tenure[c] % CONTRACT_TERM_DAYS > CONTRACT_TERM_DAYS - RENEWAL_WINDOW_DAYS)
        .collect();
    let mean_where = |v: &[f64], mask: &[bool]| {
        let (s, k) = v.iter().zip(mask).filter(|(_, &m)| m).fold((0.0, 0usize), |(s, k), (x, _)| (s + x, k + 1));
        100.0 * s / k.max(1) as f64
    };
    for (name, p) in [("logistic", &p_logistic), ("boosted", &p_boosted), ("actual", &y_test)] {
        let (auc, lift) = if name == "actual" {
            ("".to_string(), "".to_string())
        } else {
            (format!("{:.3}", roc_auc(&y_test, p, None)?), format!("{:.2}", lift_table(&y_test, p, 10)?.rows[0].lift))
        };
        println!(
            "  {name:<10} {auc:>7} {lift:>14} {:>21.1}% {:>21.1}%",
            mean_where(p, &together),
            mean_where(p, &renewal)
        );
    }
    // The held-out customer the boosted model ranks riskiest, explained by both.
    let c = (0..test.len()).max_by(|&a, &b| p_boosted[a].total_cmp(&p_boosted[b])).expect("held-out customers");
    let cells: Vec<Cell> = logistic.inputs.iter().map(|n| test_table.column(n).expect("an input").cell(c)).collect();
    let a = logistic.explain_cells(&cells, 3, &mut Vec::new())?;
    let b = boosted.explain_cells(&cells, 3, &mut BoostedScratch::default())?;
    println!(
        "  {} (true drivers: {}) explained by both:",
        base.customer_ids[test[c]],
        base.driver_names(test[c]).join(", ")
    );
    for (name, e) in [("logistic", &a), ("boosted", &b)] {
        let why: Vec<String> = e
            .raising
            .iter()
            .map(|f| format!("{} {:+.2} ({} vs {})", f.name, f.contribution, f.value, f.typical))
            .collect();
        println!("    {name:<9} {:5.1}%  {}", 100.0 * e.probability, why.join("; "));
    }
    let path = write(&out_dir()?, "boosted_churn_model.json", &boosted.to_json())?;
    println!("  boosted model file written to {}", path.display());
    Ok(())
}

/// The playbook's customer record for one customer, from the features and the base.
fn playbook_customer(
    catalog: &Catalog,
    base: &SyntheticBase,
    features: &FeatureMatrix,
    bills: &FeatureMatrix,
    c: usize,
) -> Result<nps_core::action::Customer, NpsError> {
    let f = |name: &str| features.column(name).map(|col| col[c]).unwrap_or(f64::NAN);
    let number = |x: f64| if x.is_nan() { FieldValue::Missing } else { FieldValue::Number(x) };
    let trend = |x: f64| FieldValue::Number(if x.is_nan() { 1.0 } else { x });
    let contacted = f("contacts_30d") > 0.0;
    let last_nps = f("last_nps");
    catalog.customer(&[
        ("tenure_days", number(f("tenure_days"))),
        ("segment", FieldValue::Text(SEGMENTS[base.segment[c] as usize].to_string())),
        ("complained_outage", FieldValue::Bool(contacted && f("outages_30d") > 0.0)),
        ("complained_overage", FieldValue::Bool(contacted && f("bill_shock") > 1.3)),
        // Prepaid customers get no bill: their bill-based offers are worth nothing.
        ("monthly_bill", FieldValue::Number(if bills.values[[c, 0]].is_nan() { 0.0 } else { bills.values[[c, 0]] })),
        // A trend over two empty windows (no payments, no usage) is read as no change.
        ("payment_trend", trend(f("payment_trend"))),
        ("usage_trend_30d", trend(f("usage_trend_30d"))),
        // Non-respondents have no answer: the playbook asks them for one.
        ("last_nps", if last_nps.is_nan() { FieldValue::Missing } else { FieldValue::Number(last_nps) }),
    ])
}

/// The riskiest customers, the factors behind their score and the playbook's next best actions.
fn next_best_actions(
    base: &SyntheticBase,
    features: &FeatureMatrix,
    table: &RawTable,
    model: &ChurnModel,
    p: &[f64],
) -> Result<(), NpsError> {
    let bill = FeatureSet::from_json(
        r#"{"features": [{"name": "monthly_bill", "kinds": ["bill"], "aggregation": "last", "field": "value"}]}"#,
    )?;
    let bills = compute(&base.events, &bill, base.config.as_of)?;
    let catalog = playbook();
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    println!("\nHighest risk, why (contribution to the log-odds; customer's value vs typical) and what to do (shipped playbook):");
    let mut scratch = Vec::new();
    let decide = DecideOptions { top_n: 2, ..Default::default() };
    let mut picked = std::collections::BTreeMap::<String, usize>::new();
    for (rank, &c) in order.iter().enumerate().take(1000) {
        let cells: Vec<Cell> = model.inputs.iter().map(|n| table.column(n).expect("an input").cell(c)).collect();
        let e = model.explain_cells(&cells, 3, &mut scratch)?;
        // The contributions of the inputs the playbook declares as factors.
        let factors: Vec<Factor> = model
            .inputs
            .iter()
            .zip(&e.contributions)
            .filter(|(name, _)| catalog.factor_index(name).is_some())
            .map(|(name, &x)| Factor::new(name, x))
            .collect();
        let customer = playbook_customer(&catalog, base, features, &bills, c)?;
        let decision = catalog.decide(&customer, 100.0 * e.probability, &factors, &[], base.config.as_of, &decide)?;
        let best = decision.actions.first().map(|a| a.label.to_string()).unwrap_or_else(|| "no action".into());
        *picked.entry(best.clone()).or_default() += 1;
        if rank >= 5 {
            continue;
        }
        let why: Vec<String> = e
            .raising
            .iter()
            .map(|f| format!("{} {:+.2} ({} vs {})", f.name, f.contribution, f.value, f.typical))
            .collect();
        println!(
            "  {} {:5.1}%  true drivers: {}",
            base.customer_ids[c],
            100.0 * e.probability,
            base.driver_names(c).join(", ")
        );
        println!("      why: {}", why.join("; "));
        let actions: Vec<String> = decision
            .actions
            .iter()
            .map(|a| format!("{} ({}, priority {:.0})", a.label, a.channel, a.priority))
            .collect();
        println!("      do:  {}", if actions.is_empty() { "no action".into() } else { actions.join("; ") });
    }
    let mut picked: Vec<_> = picked.into_iter().collect();
    picked.sort_by_key(|p| std::cmp::Reverse(p.1));
    println!(
        "  the best action for the 1,000 riskiest: {}",
        picked.iter().map(|(a, n)| format!("{a} {n}")).collect::<Vec<_>>().join(", ")
    );
    let path = write(&out_dir()?, "playbook.json", &serde_json::to_string_pretty(catalog.to_value()).expect("JSON"))?;
    println!("  action catalogue written to {}", path.display());
    Ok(())
}

/// Likelihood to recommend for those who never answered: a model trained on respondents,
/// the predicted NPS of the non-respondents against their true NPS (the generator knows it),
/// and the blended NPS of the whole base.
fn likelihood_to_recommend(base: &SyntheticBase, features: &FeatureMatrix, table: &RawTable) -> Result<(), NpsError> {
    let n = base.customer_ids.len();
    let mut answered = vec![f64::NAN; n];
    for (&c, &s) in base.surveys.customer.iter().zip(&base.surveys.score) {
        answered[c as usize] = s as f64;
    }
    let respondents: Vec<usize> = (0..n).filter(|&c| !answered[c].is_nan()).collect();
    let silent: Vec<usize> = (0..n).filter(|&c| answered[c].is_nan()).collect();
    let train = feature_table(features, Some(&respondents))?;
    let scores: Vec<f64> = respondents.iter().map(|&c| answered[c]).collect();
    let leak = SURVEY_ANSWER_FEATURES;
    let start = step("training the likelihood-to-recommend model on respondents");
    let model = LtrModel::fit(&train, &scores, None, &infer_specs(&train, &leak), &ChurnModelOptions::default())?;
    let trained = start.elapsed();
    let everyone = model.predict_proba(table)?;
    let silent_p = everyone.select(ndarray::Axis(0), &silent);
    let predicted = predicted_nps(silent_p.view(), model.training.rows, 0.95)?;
    let truth = |rows: &[usize]| {
        let s: f64 = rows
            .iter()
            .map(|&c| [-1.0, 0.0, 1.0][(base.true_score[c] >= 7) as usize + (base.true_score[c] >= 9) as usize])
            .sum();
        100.0 * s / rows.len() as f64
    };
    let blend = blended_nps(everyone.view(), Some(&answered), model.training.rows, 0.95)?;
    let respondents_nps = 100.0
        * scores.iter().map(|&s| [-1.0, 0.0, 1.0][(s >= 7.0) as usize + (s >= 9.0) as usize]).sum::<f64>()
        / scores.len() as f64;
    println!(
        "\nLikelihood to recommend: multinomial model on {} respondents ({} inputs, trained in {:.2} s)",
        respondents.len(),
        model.inputs.len(),
        trained.as_secs_f64()
    );
    println!("  respondents' NPS {respondents_nps:.1}");
    println!(
        "  predicted NPS of the {} who never answered {:.1} (95% [{:.1}, {:.1}]); their true NPS, known to the generator, {:.1}",
        silent.len(),
        predicted.nps,
        predicted.low,
        predicted.high,
        truth(&silent)
    );
    println!(
        "  blended NPS of the whole base {:.1} (95% [{:.1}, {:.1}]); true {:.1}",
        blend.nps,
        blend.low,
        blend.high,
        truth(&(0..n).collect::<Vec<_>>())
    );
    let path = write(&out_dir()?, "ltr_model.json", &model.to_json())?;
    println!("  model file written to {}", path.display());
    Ok(())
}

/// Value at risk: the churn model's probability × the customer's residual value (her
/// monthly revenue of the last 90 days, bills or top-ups, over the next twelve months at 1%
/// a month), the customers with the most at stake, and a retention campaign on them.
fn value_at_risk_ranking(base: &SyntheticBase, p: &[f64]) -> Result<(), NpsError> {
    let as_of = base.config.as_of;
    let from = as_of - 90 * 86_400;
    let money: Vec<u16> = ["bill", "top_up"].iter().filter_map(|k| base.events.kind_code(k)).collect();
    let mut monthly = vec![0.0; base.customer_ids.len()];
    for row in 0..base.events.len() {
        let t = base.events.time[row];
        if t >= from && t < as_of && money.contains(&base.events.kind[row]) {
            monthly[base.events.customer[row] as usize] += base.events.value[row] / 3.0;
        }
    }
    let months = discounted_periods(12, 0.01)?;
    let residual: Vec<f64> = monthly.iter().map(|m| m * months).collect();
    let at_risk = value_at_risk(p, &residual)?;
    let total: f64 = at_risk.iter().sum();
    println!(
        "\nValue at risk: P(churn) × residual value (monthly revenue of the last 90 days × {months:.2} discounted months); {:.0} in all",
        total
    );
    println!("  {:<10} {:<9} {:>8} {:>10} {:>10}", "customer", "plan", "P(churn)", "residual", "at risk");
    for &c in rank_descending(&at_risk).iter().take(8) {
        println!(
            "  {:<10} {:<9} {:>8.2} {:>10.0} {:>10.0}",
            base.customer_ids[c],
            nps_core::synth::PLANS[base.plan[c] as usize],
            p[c],
            residual[c],
            at_risk[c]
        );
    }
    let action = RetentionAction { uplift: 0.15, cost: 30.0, acceptance_rate: 0.4 };
    let plan = plan_campaign(p, &residual, &action)?;
    println!(
        "  a save offer (uplift 0.15, accepted by 40%, 30 a contact) is worth making to {} customers: net {:.0}",
        plan.worth_contacting, plan.total_net_value
    );
    Ok(())
}

/// Survival by NPS category: tenure and departures from the event history as of the end of
/// the horizon, each respondent entering the observation at the tenure reached at the
/// reference time (delayed entry); Kaplan–Meier medians per category and the log-rank test.
fn survival_by_nps(base: &SyntheticBase) -> Result<(), NpsError> {
    use nps_core::features::survival_data;
    use nps_core::survival::{kaplan_meier_by_segment, multivariate_log_rank_test, SurvivalData};

    let config = &base.config;
    let day = 86_400;
    let end = config.as_of + i64::from(config.horizon_days) * day;
    let data = survival_data(&base.events.view()?, end);
    let rows: Vec<usize> =
        base.surveys.customer.iter().map(|&c| c as usize).filter(|&c| data.start[c].is_some()).collect();
    let category: Vec<&str> = rows
        .iter()
        .map(|&c| match base.true_score[c] {
            0..=6 => "detractors",
            7 | 8 => "passives",
            _ => "promoters",
        })
        .collect();
    let tenure: Vec<f64> = rows.iter().map(|&c| data.tenure_days[c]).collect();
    let churned: Vec<bool> = rows.iter().map(|&c| data.churned[c]).collect();
    let entry: Vec<f64> =
        rows.iter().map(|&c| (config.as_of - data.start[c].unwrap_or(config.as_of)) as f64 / day as f64).collect();
    let input = SurvivalData { durations: &tenure, events: Some(&churned), entry: Some(&entry), weights: None };
    let curves = kaplan_meier_by_segment(&input, &category, 0.05)?;
    println!(
        "\nSurvival by NPS category ({} respondents; tenure from the event history as of {} days after the reference time, delayed entry; Kaplan–Meier)",
        rows.len(),
        config.horizon_days
    );
    let days = |t: f64| if t.is_finite() { format!("{t:.0} days") } else { "not reached".to_string() };
    for part in &curves {
        let (median, (low, high)) = (part.estimate.median()?, part.estimate.median_interval()?);
        println!(
            "  {:<10} {:>6} customers, {:>5.0} left: median tenure {} (95% [{}, {}])",
            part.segment,
            part.customers,
            part.estimate.events,
            days(median),
            days(low),
            days(high)
        );
    }
    // The log-rank test takes no delayed entry: it compares the days from the reference time.
    let days_after: Vec<f64> = tenure.iter().zip(&entry).map(|(t, e)| t - e).collect();
    let follow_up = SurvivalData { durations: &days_after, entry: None, ..input };
    let test = multivariate_log_rank_test(&follow_up, &category)?;
    println!(
        "  log-rank test over the {} days after the reference time: chi-square {:.1} on {} df, p {:.1e}",
        config.horizon_days, test.test_statistic, test.degrees_of_freedom, test.p_value
    );
    Ok(())
}
