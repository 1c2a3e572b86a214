//! Stratified k-fold cross-validation with a seed.
use ndarray::{ArrayView2, Axis};

use super::logistic::{fit_logistic, LogisticOptions};
use crate::error::{NpsError, Result};
use crate::rng::Rng;

/// A fold number (0..k) for each row: each class's rows are shuffled with the seed and dealt
/// round-robin, so every fold holds both classes in nearly the training proportion.
/// Errors: `k` below 2, a label other than 0/1, a class with fewer than `k` rows.
pub fn stratified_folds(y: &[f64], k: usize, seed: u64) -> Result<Vec<usize>> {
    if k < 2 {
        return Err(NpsError::invalid("k", k, "at least 2"));
    }
    let mut classes: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for (index, &v) in y.iter().enumerate() {
        if v == 0.0 || v == 1.0 {
            classes[v as usize].push(index);
        } else {
            return Err(NpsError::OutOfRange { field: "y".into(), index, value: v, range: "{0, 1}".into() });
        }
    }
    let mut rng = Rng::new(seed);
    let mut fold = vec![0; y.len()];
    let mut next = 0;
    for (label, rows) in classes.iter_mut().enumerate() {
        if rows.len() < k {
            return Err(NpsError::invalid(
                "k",
                k,
                &format!("at most the {} rows of class {label} (each fold needs both classes)", rows.len()),
            ));
        }
        for i in (1..rows.len()).rev() {
            rows.swap(i, rng.below(i as u64 + 1) as usize);
        }
        // Continue the deal where the previous class stopped, so fold sizes stay balanced.
        for &r in rows.iter() {
            fold[r] = next;
            next = (next + 1) % k;
        }
    }
    Ok(fold)
}

/// Out-of-fold evaluation of a logistic fit: for each of `k` stratified folds, fits on the
/// others and returns `metric(y_fold, p_fold)` for the held-out rows.
pub fn cross_validate(
    x: ArrayView2<'_, f64>,
    y: &[f64],
    k: usize,
    seed: u64,
    options: &LogisticOptions,
    metric: impl Fn(&[f64], &[f64]) -> Result<f64>,
) -> Result<Vec<f64>> {
    if y.len() != x.nrows() {
        return Err(NpsError::LengthMismatch {
            field: "y".into(),
            actual: y.len(),
            other: "x's rows".into(),
            expected: x.nrows(),
        });
    }
    let folds = stratified_folds(y, k, seed)?;
    (0..k)
        .map(|f| {
            let train: Vec<usize> = (0..y.len()).filter(|&i| folds[i] != f).collect();
            let test: Vec<usize> = (0..y.len()).filter(|&i| folds[i] == f).collect();
            let xt = x.select(Axis(0), &train);
            let yt: Vec<f64> = train.iter().map(|&i| y[i]).collect();
            let fit = fit_logistic(xt.view(), &yt, None, options)?;
            let p = fit.predict_proba(x.select(Axis(0), &test).view())?;
            let yv: Vec<f64> = test.iter().map(|&i| y[i]).collect();
            metric(&yv, p.as_slice().expect("owned"))
        })
        .collect()
}
