//! Times a logistic fit, a churn model's training and its batch scoring on a generated
//! 1,000,000 × 50 matrix (the benchmark's shape), best of a few runs each.
//!
//!     cargo run --release -p nps-core --example logistic_timing -- 1000000 50
use std::time::Instant;

use ndarray::Array2;
use nps_core::encode::EncoderOptions;
use nps_core::model::{fit_logistic, sigmoid, ChurnModel, ChurnModelOptions, LogisticOptions};
use nps_core::synth::Rng;

/// The best time of `runs` calls, in seconds, and the last result.
fn best<T>(runs: usize, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = None;
    let mut best = f64::INFINITY;
    for _ in 0..runs {
        let t = Instant::now();
        out = Some(f());
        best = best.min(t.elapsed().as_secs_f64());
    }
    (best, out.expect("at least one run"))
}

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
    let (t, fit) = best(3, || fit_logistic(x.view(), &y, None, &LogisticOptions::default()).expect("valid"));
    println!("fit_logistic {n} × {p}: {t:.3} s, {:?}", fit.report);
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    for standardize in [false, true] {
        let options =
            ChurnModelOptions { encoder: EncoderOptions { standardize, ..Default::default() }, ..Default::default() };
        let (t, model) =
            best(3, || ChurnModel::fit_matrix(x.view(), &names, &y, None, &options).expect("a valid problem"));
        println!(
            "ChurnModel::fit_matrix (standardize {standardize}): {t:.3} s, {} iterations",
            model.training.convergence.iterations
        );
        let (t, probabilities) = best(5, || model.predict_proba_matrix(x.view(), &names).expect("valid"));
        println!(
            "predict_proba_matrix {n} rows (standardize {standardize}): {:.1} ms (mean {:.4})",
            t * 1e3,
            probabilities.mean().expect("rows")
        );
    }
}
