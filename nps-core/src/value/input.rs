//! Checks of the per-customer inputs the value models share (frequency, recency, T,
//! monetary value, weights), each error naming the field and the row.
use crate::error::{check_lengths, NpsError, Result};

/// Checks that every value is a number (not NaN) and finite.
pub(crate) fn check_finite(field: &str, values: &[f64]) -> Result<()> {
    for (i, &v) in values.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: field.into(), index: i });
        }
        if !v.is_finite() {
            return Err(NpsError::OutOfRange {
                field: field.into(),
                index: i,
                value: v,
                range: "finite numbers".into(),
            });
        }
    }
    Ok(())
}

/// Checks a frequency / recency / T history: equal lengths, numbers, frequency a whole
/// number ≥ 0, 0 ≤ recency ≤ T, and recency 0 when frequency is 0.
pub(crate) fn check_history(frequency: &[f64], recency: &[f64], t: &[f64]) -> Result<()> {
    let n = frequency.len();
    check_lengths("recency", recency.len(), "frequency", n)?;
    check_lengths("T", t.len(), "frequency", n)?;
    check_finite("frequency", frequency)?;
    check_finite("recency", recency)?;
    check_finite("T", t)?;
    for i in 0..n {
        let (x, tx, age) = (frequency[i], recency[i], t[i]);
        if x < 0.0 {
            return Err(NpsError::Negative { field: "frequency".into(), index: i, value: x });
        }
        if x.fract() != 0.0 {
            return Err(NpsError::OutOfRange {
                field: "frequency".into(),
                index: i,
                value: x,
                range: "whole numbers of repeat purchases".into(),
            });
        }
        if tx < 0.0 {
            return Err(NpsError::Negative { field: "recency".into(), index: i, value: tx });
        }
        if tx > age {
            return Err(NpsError::OutOfRange {
                field: "recency".into(),
                index: i,
                value: tx,
                range: format!("0..=T (T[{i}] = {age}: the last purchase cannot come after the observation end)"),
            });
        }
        if x == 0.0 && tx != 0.0 {
            return Err(NpsError::OutOfRange {
                field: "recency".into(),
                index: i,
                value: tx,
                range: format!("0 (frequency[{i}] = 0: without repeat purchases the recency is 0)"),
            });
        }
    }
    Ok(())
}

/// Checks optional weights (counts of customers with each history): finite, ≥ 0, `n` of
/// them, and a positive total. Returns them, or ones.
pub(crate) fn weights_or_ones(weights: Option<&[f64]>, n: usize) -> Result<Vec<f64>> {
    let Some(w) = weights else { return Ok(vec![1.0; n]) };
    check_lengths("weights", w.len(), "frequency", n)?;
    check_finite("weights", w)?;
    if let Some(i) = w.iter().position(|&v| v < 0.0) {
        return Err(NpsError::Negative { field: "weights".into(), index: i, value: w[i] });
    }
    if w.iter().sum::<f64>() <= 0.0 {
        return Err(NpsError::Empty { field: "weights".into() });
    }
    Ok(w.to_vec())
}

/// Checks a penalizer coefficient: finite and ≥ 0.
pub(crate) fn check_penalizer(penalizer_coef: f64) -> Result<()> {
    if !(penalizer_coef.is_finite() && penalizer_coef >= 0.0) {
        return Err(NpsError::invalid("penalizer_coef", penalizer_coef, "a finite number >= 0"));
    }
    Ok(())
}

/// Checks a horizon `t` (time ahead): finite and ≥ 0.
pub(crate) fn check_horizon(name: &str, t: f64) -> Result<()> {
    if !(t.is_finite() && t >= 0.0) {
        return Err(NpsError::invalid(name, t, "a finite time >= 0"));
    }
    Ok(())
}
