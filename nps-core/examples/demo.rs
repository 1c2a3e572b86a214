//! `make demo`: an NPS report on a survey the project generates itself (fixed seed).
use nps_core::early_warning::churn_by_nps;
use nps_core::encode::{infer_specs, Cell, Column, RawTable};
use nps_core::features::{compute, retention, FeatureMatrix};
use nps_core::metrics::{average_precision, brier, lift_table, roc_auc};
use nps_core::model::{cross_validate, ChurnModel, ChurnModelOptions, LogisticOptions};
use nps_core::survey::{
    breakdown, compare, prob_greater, sample_size, trend, CompareMethod, IntervalMethod, Period, PlanningShares,
    ReportOptions, ScoreOptions, Tally,
};
use nps_core::synth::{customers, survey, BaseConfig, SurveyConfig, DRIVERS};

fn main() -> Result<(), nps_core::NpsError> {
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
    customer_base()
}

/// The customer base: churn features as of a date and the link between NPS and churn.
fn customer_base() -> Result<(), nps_core::NpsError> {
    let config = BaseConfig { customers: 50_000, ..Default::default() };
    let start = std::time::Instant::now();
    let base = customers(&config)?;
    let generated = start.elapsed();
    let start = std::time::Instant::now();
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
    churn_model(&base, &features)
}

/// A churn model on the features: cross-validated, its lift, the riskiest customers and
/// why, and the model file written for the other languages.
fn churn_model(base: &nps_core::synth::SyntheticBase, features: &FeatureMatrix) -> Result<(), nps_core::NpsError> {
    let columns = features.values.columns().into_iter().map(|c| Column::Numeric(c.to_vec())).collect();
    let table = RawTable::new(features.names.clone(), columns)?;
    let y: Vec<f64> = base.churned.iter().map(|&c| c as u8 as f64).collect();
    let start = std::time::Instant::now();
    let options = ChurnModelOptions::default();
    let model = ChurnModel::fit(&table, &y, None, &infer_specs(&table, &[]), &options)?;
    let trained = start.elapsed();
    let x = model.encode(&table)?;
    let auc = cross_validate(x.view(), &y, 5, 42, &LogisticOptions::default(), |y, p| roc_auc(y, p, None))?;
    let p = model.predict_proba(&table)?;
    let p = p.as_slice().expect("contiguous");
    let lift = lift_table(&y, p, 10)?;
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
        average_precision(&y, p, None)?,
        brier(&y, p, None)?
    );
    println!(
        "  top decile: {:.1}% churn, lift {:.2}; the top three deciles hold {:.0}% of the churners",
        100.0 * lift.rows[0].rate,
        lift.rows[0].lift,
        100.0 * lift.rows[2].cumulative_gain
    );
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    println!("  highest risk, and why (contribution to the log-odds; customer's value vs typical):");
    let mut scratch = Vec::new();
    for &c in order.iter().take(5) {
        let cells: Vec<Cell> = model.inputs.iter().map(|n| table.column(n).expect("an input").cell(c)).collect();
        let e = model.explain_cells(&cells, 3, &mut scratch)?;
        let why: Vec<String> = e
            .raising
            .iter()
            .map(|f| format!("{} {:+.2} ({} vs {})", f.name, f.contribution, f.value, f.typical))
            .collect();
        println!(
            "    {} {:5.1}%  true drivers: {:<40} {}",
            base.customer_ids[c],
            100.0 * e.probability,
            base.driver_names(c).join(", "),
            why.join("; ")
        );
    }
    let path = std::env::temp_dir().join("nps-churn-model.json");
    std::fs::write(&path, model.to_json())
        .map_err(|e| nps_core::NpsError::invalid("model path", path.display(), &e.to_string()))?;
    println!("  model file written to {} (load it from Python, Node or Rust)", path.display());
    Ok(())
}
