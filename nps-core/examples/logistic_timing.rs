//! Times a logistic fit on a generated 1,000,000 × 50 design matrix (the benchmark's shape).
//!
//!     cargo run --release -p nps-core --example logistic_timing -- 1000000 50
use std::time::Instant;

use ndarray::Array2;
use nps_core::model::{fit_logistic, sigmoid, ChurnModel, ChurnModelOptions, LogisticOptions};
use nps_core::synth::Rng;

fn main() {
    let mut args = std::env::args().skip(1).map(|a| a.parse::<usize>().expect("a number"));
    let (n, p) = (args.next().unwrap_or(1_000_000), args.next().unwrap_or(50));
    let mut rng = Rng::new(1);
    let x = Array2::from_shape_simple_fn((n, p), || rng.normal());
    let beta: Vec<f64> = (0..p).map(|j| ((j % 7) as f64 - 3.0) / 10.0).collect();
    let y: Vec<f64> = x
        .rows()
        .into_iter()
        .map(|r| {
            let z = -1.0 + r.iter().zip(&beta).map(|(a, b)| a * b).sum::<f64>();
            (rng.uniform() < sigmoid(z)) as u8 as f64
        })
        .collect();
    for _ in 0..2 {
        let t = Instant::now();
        let fit = fit_logistic(x.view(), &y, None, &LogisticOptions::default()).expect("a valid problem");
        println!("{n} × {p}: {:.2} s, {:?}", t.elapsed().as_secs_f64(), fit.report);
    }
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    let model = ChurnModel::fit_matrix(x.view(), &names, &y, None, &ChurnModelOptions::default()).expect("valid");
    for _ in 0..3 {
        let t = Instant::now();
        let probabilities = model.predict_proba_matrix(x.view(), &names).expect("valid");
        println!(
            "scoring {n} rows: {:.1} ms (mean {:.4})",
            t.elapsed().as_secs_f64() * 1e3,
            probabilities.mean().unwrap()
        );
    }
}
