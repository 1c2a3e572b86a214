//! Timing of a large Cox fit (ignored: run by hand with `--ignored --nocapture`).
use ndarray::Array2;
use nps_core::survival::{CoxInput, CoxModel, CoxOptions, KaplanMeier, SurvivalData};
use nps_core::synth::Rng;

#[test]
#[ignore]
fn cox_on_a_million_customers() {
    let (n, d) = (1_000_000, 20);
    let mut rng = Rng::new(1);
    let x = Array2::from_shape_fn((n, d), |_| rng.normal());
    let durations: Vec<f64> = (0..n).map(|_| (1.0 + rng.uniform() * 720.0).floor()).collect();
    let events: Vec<bool> = (0..n).map(|_| rng.bernoulli(0.4)).collect();
    let names: Vec<String> = (0..d).map(|j| format!("x{j}")).collect();
    let t = std::time::Instant::now();
    let km = KaplanMeier::fit(&SurvivalData::new(&durations, &events), 0.05).unwrap();
    println!("KM {:?} ({} times)", t.elapsed(), km.table.time.len());
    let t = std::time::Instant::now();
    let input =
        CoxInput { x: x.view(), covariates: &names, data: SurvivalData::new(&durations, &events), strata: None };
    let model = CoxModel::fit(&input, &CoxOptions::default()).unwrap();
    println!("Cox {:?} ({} Newton steps)", t.elapsed(), model.iterations);
}
