//! Times boosted training, batch scoring and (when given `shap`) TreeSHAP on a generated
//! matrix: `cargo run --release -p nps-core --example boosted_timing -- ROWS TREES LEAVES`.
use std::time::Instant;

use ndarray::Array2;
use nps_core::model::boosted::{BoostedChurnModel, BoostingOptions};
use nps_core::synth::Rng;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let (n, trees, leaves) = (
        args.first().copied().unwrap_or(200_000),
        args.get(1).copied().unwrap_or(100),
        args.get(2).copied().unwrap_or(31),
    );
    let m = 50;
    let mut rng = Rng::new(1);
    let mut x = Array2::zeros((n, m));
    let mut y = vec![0.0; n];
    for i in 0..n {
        for j in 0..m {
            x[[i, j]] = if rng.bernoulli(0.05) { f64::NAN } else { rng.normal() };
        }
        let v = |j: usize| if x[[i, j]].is_nan() { 0.0 } else { x[[i, j]] };
        let z = v(0) * v(1) + v(2).sin() + 0.5 * v(3) * v(3) - 1.0;
        y[i] = rng.bernoulli(1.0 / (1.0 + (-z).exp())) as u8 as f64;
    }
    let names: Vec<String> = (0..m).map(|j| format!("x{j}")).collect();
    let options = BoostingOptions { n_estimators: trees, num_leaves: leaves, learning_rate: 0.1, ..Default::default() };
    let t = Instant::now();
    let model = BoostedChurnModel::fit_matrix(x.view(), &names, &y, None, None, &options).unwrap();
    println!("train {n} x {m}, {trees} trees, {leaves} leaves: {:.2} s", t.elapsed().as_secs_f64());
    let t = Instant::now();
    let p = model.predict_proba_matrix(x.view(), &names).unwrap();
    println!("score {n} rows: {:.3} s (mean {:.4})", t.elapsed().as_secs_f64(), p.mean().unwrap());
}
