//! `make demo`: an NPS report on a survey the project generates itself (fixed seed).
use nps_core::survey::{
    breakdown, compare, prob_greater, sample_size, trend, CompareMethod, IntervalMethod, Period, PlanningShares,
    ReportOptions, ScoreOptions, Tally,
};
use nps_core::synth::{survey, SurveyConfig};

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
    Ok(())
}
