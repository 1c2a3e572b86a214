//! The checks of a fit's inputs: rows, labels, weights and options, with the row weights
//! they give.
use ndarray::ArrayView2;

use super::{ClassWeight, LogisticOptions};
use crate::error::{NpsError, Result};

/// The checks every fit makes: rows present, one label per row, sensible options, finite
/// values (naming row and column).
pub(crate) fn check_fit_inputs(x: ArrayView2<'_, f64>, labels: usize, options: &LogisticOptions) -> Result<()> {
    check_fit_options(x.nrows(), labels, options)?;
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(j) = row.iter().position(|v| !v.is_finite()) {
            return Err(NpsError::invalid(&format!("x[{i}, {j}]"), row[j], "a finite number"));
        }
    }
    Ok(())
}

/// [`check_fit_inputs`] but for the values of x (which the logistic fit checks in its
/// first pass over them).
pub(super) fn check_fit_options(n: usize, labels: usize, options: &LogisticOptions) -> Result<()> {
    if n == 0 {
        return Err(NpsError::Empty { field: "x".into() });
    }
    if labels != n {
        return Err(NpsError::LengthMismatch {
            field: "y".into(),
            actual: labels,
            other: "x's rows".into(),
            expected: n,
        });
    }
    check_options(options)
}

/// The checks of the options alone: C positive and finite, at least one iteration, a
/// tolerance that is a non-negative number.
pub(super) fn check_options(options: &LogisticOptions) -> Result<()> {
    if !(options.c > 0.0 && options.c.is_finite()) {
        return Err(NpsError::invalid("C", options.c, "a positive, finite number"));
    }
    if options.max_iter == 0 {
        return Err(NpsError::invalid("max_iter", 0, "at least 1"));
    }
    if options.tol.is_nan() || options.tol < 0.0 {
        return Err(NpsError::invalid("tol", options.tol, "a non-negative number"));
    }
    Ok(())
}

/// Checks the labels and weights of a fit (of n rows) and returns the row weights sᵢ
/// (sample × class weight).
pub(crate) fn row_weights(
    n: usize,
    y: &[f64],
    sample_weight: Option<&[f64]>,
    class_weight: ClassWeight,
) -> Result<Vec<f64>> {
    let mut counts = [0usize; 2];
    for (index, &v) in y.iter().enumerate() {
        if v == 0.0 || v == 1.0 {
            counts[v as usize] += 1;
        } else if v.is_nan() {
            return Err(NpsError::Missing { field: "y".into(), index });
        } else {
            return Err(NpsError::OutOfRange { field: "y".into(), index, value: v, range: "{0, 1}".into() });
        }
    }
    let class = class_weights([counts[0] as f64, counts[1] as f64], class_weight)?;
    let mut s: Vec<f64> = y.iter().map(|&v| class[v as usize]).collect();
    if let Some(w) = sample_weight {
        if w.len() != n {
            return Err(NpsError::LengthMismatch {
                field: "sample_weight".into(),
                actual: w.len(),
                other: "x's rows".into(),
                expected: n,
            });
        }
        for (index, (&wi, si)) in w.iter().zip(s.iter_mut()).enumerate() {
            if wi.is_nan() {
                return Err(NpsError::Missing { field: "sample_weight".into(), index });
            }
            if wi < 0.0 || wi.is_infinite() {
                return Err(NpsError::Negative { field: "sample_weight".into(), index, value: wi });
            }
            *si *= wi;
        }
    }
    if s.iter().sum::<f64>() <= 0.0 {
        return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
    }
    Ok(s)
}

/// The weights of classes 0 and 1 given the rows of each: an error when a class has no
/// row; "balanced" weighs each class n / (2 nₖ); custom weights must be non-negative and
/// finite.
pub(super) fn class_weights(rows: [f64; 2], class_weight: ClassWeight) -> Result<[f64; 2]> {
    if let Some(missing) = rows.iter().position(|&c| c == 0.0) {
        return Err(NpsError::invalid(
            "y",
            format!("only class {}", 1 - missing),
            "both classes 0 and 1 (a churn model needs leavers and stayers)",
        ));
    }
    let n = rows[0] + rows[1];
    Ok(match class_weight {
        ClassWeight::None => [1.0, 1.0],
        ClassWeight::Balanced => [n / (2.0 * rows[0]), n / (2.0 * rows[1])],
        ClassWeight::Custom { negative, positive } => {
            for (name, w) in [("class_weight.negative", negative), ("class_weight.positive", positive)] {
                if !(w >= 0.0 && w.is_finite()) {
                    return Err(NpsError::invalid(name, w, "a non-negative, finite number"));
                }
            }
            [negative, positive]
        }
    })
}
