//! Inputs as trees read them, for models other than the churn model: a number as itself
//! (NaN missing), a category as its code in the training categories, a boolean as 0/1 —
//! the reading of [`super::BoostedChurnModel::tree_row`], for the boosted
//! likelihood-to-recommend model (which has the same schema, a [`TableEncoder`] without
//! scaling).
use ndarray::{Array2, ArrayView2};

use crate::encode::cells::{boolean, label, numeric};
use crate::encode::{Cell, EncodedColumn, RawTable, TableEncoder, UnseenPolicy};
use crate::error::{NpsError, Result};
use crate::model::{FactorValue, InputProfile};

/// The encoder of a tree model, learned from a table or a matrix alike: raw values (no
/// standardising), and no missing-value indicator, since trees take a missing value
/// anywhere, seen in training or not (so the same data give the same model file by either
/// path).
pub(crate) fn tree_encoder(mut encoder: TableEncoder) -> TableEncoder {
    for c in &mut encoder.columns {
        if let EncodedColumn::Numeric { indicator, .. } = c {
            *indicator = false;
        }
    }
    encoder
}

/// The encoder options of a tree model: raw values, unseen categories refused.
pub(crate) const TREE_ENCODING: crate::encode::EncoderOptions =
    crate::encode::EncoderOptions { unseen: UnseenPolicy::Error, standardize: false };

/// One cell as the trees read it; `row` names the row in errors.
pub(crate) fn tree_value(encoder: &TableEncoder, column: &EncodedColumn, cell: Cell<'_>, row: usize) -> Result<f64> {
    Ok(match column {
        EncodedColumn::Numeric { name, .. } => numeric(cell, name, row)?,
        EncodedColumn::Boolean { name } => match cell {
            Cell::Missing => f64::NAN,
            c => boolean(c, name, row)? as u8 as f64,
        },
        EncodedColumn::Categorical { name, categories, .. } => match label(cell) {
            None => f64::NAN,
            Some(l) => match categories.binary_search(&l) {
                Ok(k) => k as f64,
                Err(_) if encoder.unseen == UnseenPolicy::Ignore => f64::NAN,
                Err(_) => {
                    return Err(NpsError::Unknown {
                        field: format!("category of {name} (row {row})"),
                        value: l,
                        expected: format!("a category seen in training: {}", categories.join(", ")),
                    })
                }
            },
        },
    })
}

/// One customer's cells (one per encoder column) as the trees read them, into `out`.
pub(crate) fn tree_row(encoder: &TableEncoder, cells: &[Cell<'_>], row: usize, out: &mut [f64]) -> Result<()> {
    let m = encoder.columns.len();
    if cells.len() != m || out.len() != m {
        return Err(NpsError::LengthMismatch {
            field: "cells".into(),
            actual: cells.len(),
            other: "the model's inputs".into(),
            expected: m,
        });
    }
    for ((column, &cell), o) in encoder.columns.iter().zip(cells).zip(out.iter_mut()) {
        *o = tree_value(encoder, column, cell, row)?;
    }
    Ok(())
}

/// A table's rows as the trees read them (rows × inputs).
pub(crate) fn tree_rows(encoder: &TableEncoder, table: &RawTable) -> Result<Array2<f64>> {
    let columns: Vec<_> =
        encoder.columns.iter().map(|c| table.column(c.name()).map(|col| (c, col))).collect::<Result<_>>()?;
    let mut out = Array2::zeros((table.len(), columns.len()));
    for (i, mut o) in out.rows_mut().into_iter().enumerate() {
        for ((c, col), o) in columns.iter().zip(o.iter_mut()) {
            *o = tree_value(encoder, c, col.cell(i), i)?;
        }
    }
    Ok(out)
}

/// The rows of a numeric matrix whose columns are named `names` (any order, extra columns
/// ignored) as the trees read them.
pub(crate) fn tree_rows_matrix(
    encoder: &TableEncoder,
    x: ArrayView2<'_, f64>,
    names: &[String],
) -> Result<Array2<f64>> {
    let index = encoder.matrix_index(x, names)?;
    let mut out = Array2::zeros((x.nrows(), encoder.columns.len()));
    for (i, mut o) in out.rows_mut().into_iter().enumerate() {
        for ((column, &j), o) in encoder.columns.iter().zip(&index).zip(o.iter_mut()) {
            let v = x[[i, j]];
            *o = match column {
                EncodedColumn::Numeric { .. } if !v.is_infinite() => v,
                _ => tree_value(encoder, column, if v.is_nan() { Cell::Missing } else { Cell::Number(v) }, i)?,
            };
        }
    }
    Ok(out)
}

/// Each input's typical value, for display: the mean of a number, the most common
/// category, the more common boolean ("missing" when every value is); see [`profiles`].
pub(crate) fn typical_values(encoder: &TableEncoder, x: ArrayView2<'_, f64>) -> Vec<String> {
    profiles(encoder, x).iter().map(|p| p.typical.to_string()).collect()
}

/// What a factor of each input shows beside a customer's value (see [`InputProfile`]): the
/// mean of a number, the shares of a category's values (missing ones included) and of a
/// boolean's, and the most common one. One pass over the rows (a row-major matrix is read in
/// memory order); each column summed in row order.
pub(crate) fn profiles(encoder: &TableEncoder, x: ArrayView2<'_, f64>) -> Vec<InputProfile> {
    // Per column: the sum and count of a number; the count of each code (a boolean's 0 and 1).
    let mut sums = vec![(0.0f64, 0usize); encoder.columns.len()];
    let mut counts: Vec<Vec<usize>> = encoder
        .columns
        .iter()
        .map(|c| match c {
            EncodedColumn::Numeric { .. } => Vec::new(),
            EncodedColumn::Boolean { .. } => vec![0; 2],
            EncodedColumn::Categorical { categories, .. } => vec![0; categories.len()],
        })
        .collect();
    for row in x.rows() {
        for (j, &v) in row.iter().enumerate() {
            if v.is_nan() {
                continue;
            }
            match &encoder.columns[j] {
                EncodedColumn::Numeric { .. } => {
                    sums[j].0 += v;
                    sums[j].1 += 1;
                }
                EncodedColumn::Boolean { .. } if v == 0.0 || v == 1.0 => counts[j][v as usize] += 1,
                EncodedColumn::Boolean { .. } => {}
                EncodedColumn::Categorical { .. } => counts[j][v as usize] += 1,
            }
        }
    }
    let rows = x.nrows().max(1) as f64;
    encoder
        .columns
        .iter()
        .zip(sums.iter().zip(&counts))
        .map(|(c, (&(s, n), counts))| match c {
            EncodedColumn::Numeric { .. } => InputProfile::numeric((n > 0).then(|| s / n as f64)),
            EncodedColumn::Boolean { .. } => {
                let total = (counts[0] + counts[1]).max(1) as f64;
                let mut p = InputProfile::boolean(counts[1] as f64 / total);
                p.typical = FactorValue::Bool(counts[1] > counts[0]);
                p
            }
            EncodedColumn::Categorical { categories, .. } => {
                let shares: Vec<f64> = counts.iter().map(|&k| k as f64 / rows).collect();
                let seen: usize = counts.iter().sum();
                let missing = (seen < x.nrows()).then(|| (x.nrows() - seen) as f64 / rows);
                InputProfile::categorical(categories, &shares, missing)
            }
        })
        .collect()
}

/// For each input, its number of categories if it is categorical, `None` otherwise (what
/// [`super::fit_boosted`] takes).
pub(crate) fn category_counts(encoder: &TableEncoder) -> Vec<Option<usize>> {
    encoder
        .columns
        .iter()
        .map(|c| match c {
            EncodedColumn::Categorical { categories, .. } => Some(categories.len()),
            _ => None,
        })
        .collect()
}

/// Checks what a tree model's file holds beside its trees: a valid encoder whose sources are
/// `inputs`, an ensemble over those inputs with `outputs` scores (`expected` says which, for
/// the message), one typical value per input, valid trees, and category codes within each
/// input's categories. Each error names the field.
pub(crate) fn check_model(
    encoder: &TableEncoder,
    inputs: &[String],
    ensemble: &super::Ensemble,
    typical: &[String],
    outputs: usize,
    expected: &str,
) -> Result<()> {
    encoder.validate()?;
    if inputs != encoder.sources() {
        return Err(NpsError::invalid("inputs", inputs.join(", "), "the encoder's source columns"));
    }
    let per_input = |field: &str, actual: usize| {
        if actual == inputs.len() {
            return Ok(());
        }
        Err(NpsError::LengthMismatch { field: field.into(), actual, other: "inputs".into(), expected: inputs.len() })
    };
    per_input("ensemble.inputs", ensemble.inputs)?;
    if ensemble.outputs != outputs {
        return Err(NpsError::invalid("ensemble.outputs", ensemble.outputs, expected));
    }
    per_input("typical", typical.len())?;
    ensemble.validate()?;
    check_split_codes(encoder, ensemble, inputs)
}

/// Checks that every categorical split of `ensemble` names codes of its input's categories.
pub(crate) fn check_split_codes(encoder: &TableEncoder, ensemble: &super::Ensemble, inputs: &[String]) -> Result<()> {
    for (i, t) in ensemble.trees.iter().enumerate() {
        for (s, split) in t.splits.iter().enumerate() {
            if let (Some(codes), EncodedColumn::Categorical { categories, .. }) =
                (&split.categories, &encoder.columns[split.feature])
            {
                if let Some(&c) = codes.iter().find(|&&c| c as usize >= categories.len()) {
                    return Err(NpsError::invalid(
                        &format!("ensemble.trees[{i}].splits[{s}].categories"),
                        c,
                        &format!("codes of the {} categories of {}", categories.len(), inputs[split.feature]),
                    ));
                }
            }
        }
    }
    Ok(())
}
