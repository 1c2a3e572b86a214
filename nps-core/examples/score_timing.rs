//! Times batch scoring of a generated 1,000,000 × 50 matrix.
use std::time::Instant;

use ndarray::Array2;
use nps_core::model::{ChurnModel, ChurnModelOptions};

fn main() {
    let (n, p) = (1_000_000, 50);
    let x = Array2::from_shape_fn((n, p), |(i, j)| ((i * 31 + j * 17) % 101) as f64 / 50.0 - 1.0);
    let y: Vec<f64> = (0..n).map(|i| ((i * 7) % 3 == 0) as u8 as f64).collect();
    let names: Vec<String> = (0..p).map(|j| format!("x{j}")).collect();
    let small = x.slice(ndarray::s![..20_000, ..]);
    let model =
        ChurnModel::fit_matrix(small, &names, &y[..20_000], None, &ChurnModelOptions::default()).expect("valid");
    for _ in 0..5 {
        let t = Instant::now();
        let probabilities = model.predict_proba_matrix(x.view(), &names).expect("valid");
        println!(
            "scoring {n} rows: {:.1} ms (mean {:.4})",
            t.elapsed().as_secs_f64() * 1e3,
            probabilities.mean().unwrap()
        );
    }
}
