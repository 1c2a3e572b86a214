//! What a model file keeps for monitoring: the reference summary of its training inputs
//! and score, built at fit, and the columns a later window is compared with; and the
//! recalibration applied to the probabilities it returns.
use ndarray::{Array1, ArrayView2};

use super::bins::DEFAULT_BINS;
use super::drift::{DriftOptions, DriftReport};
use super::recalibration::Recalibration;
use super::summary::{Column, ReferenceSummary};
use crate::encode::{Column as TableColumn, RawTable};
use crate::error::{NpsError, Result};

/// The name under which a model's reference summary keeps its training score (the
/// probability before any recalibration), beside its inputs; [`SCORE_INPUT_FALLBACK`] when
/// an input already has that name.
pub const SCORE_INPUT: &str = "score";
/// The score's name when an input is named [`SCORE_INPUT`].
pub const SCORE_INPUT_FALLBACK: &str = "__score";
/// Whether a model records its reference summary at fit by default (it costs a sort of each
/// input: a few per cent of a fit, see docs/monitoring.md).
pub const DEFAULT_RECORD_REFERENCE: bool = true;
/// The quantile bins of a reference recorded at fit ([`DEFAULT_BINS`], deciles).
pub const REFERENCE_BINS: usize = DEFAULT_BINS;

/// The name of the score column for a model with these inputs.
pub fn score_input(inputs: &[String]) -> &'static str {
    if inputs.iter().any(|i| i == SCORE_INPUT) {
        SCORE_INPUT_FALLBACK
    } else {
        SCORE_INPUT
    }
}

/// The model's inputs from a table, then the score, as the columns drift reads.
pub fn table_columns<'a>(table: &'a RawTable, inputs: &'a [String], score: &'a [f64]) -> Result<Vec<Column<'a>>> {
    let mut out = Vec::with_capacity(inputs.len() + 1);
    for name in inputs {
        let at = table.names.iter().position(|n| n == name).ok_or_else(|| {
            NpsError::unknown("input", name, &table.names.iter().map(String::as_str).collect::<Vec<_>>())
        })?;
        out.push(match &table.columns[at] {
            TableColumn::Numeric(v) => Column::numeric(name, v),
            TableColumn::Text(v) => Column::categorical(name, v),
        });
    }
    out.push(Column::numeric(score_input(inputs), score));
    Ok(out)
}

/// The model's inputs from a numeric matrix whose columns are named `names`, read in
/// place, in `inputs` order.
pub fn matrix_columns<'a>(x: ArrayView2<'a, f64>, names: &[String], inputs: &'a [String]) -> Result<Vec<Column<'a>>> {
    inputs
        .iter()
        .map(move |name| {
            let at = names.iter().position(|n| n == name).ok_or_else(|| {
                NpsError::unknown("input", name, &names.iter().map(String::as_str).collect::<Vec<_>>())
            })?;
            Ok(Column::numeric_view(name, x.index_axis_move(ndarray::Axis(1), at)))
        })
        .collect()
}

/// The reference summary of a table's inputs and the training score.
pub fn table_reference(table: &RawTable, inputs: &[String], score: &[f64]) -> Result<ReferenceSummary> {
    ReferenceSummary::build(&table_columns(table, inputs, score)?, REFERENCE_BINS)
}

/// The reference summary of a matrix's inputs and the training score.
pub fn matrix_reference(
    x: ArrayView2<'_, f64>,
    names: &[String],
    inputs: &[String],
    score: &[f64],
) -> Result<ReferenceSummary> {
    let mut columns = matrix_columns(x, names, inputs)?;
    columns.push(Column::numeric(score_input(inputs), score));
    ReferenceSummary::build(&columns, REFERENCE_BINS)
}

/// The stored reference, or the error a model without one gives.
pub fn stored_reference(reference: Option<&ReferenceSummary>) -> Result<&ReferenceSummary> {
    reference.ok_or_else(|| {
        NpsError::invalid(
            "reference_summary",
            "None",
            "a model with a stored reference summary (fit with record_reference, or give the summary or the training rows)",
        )
    })
}

/// Drift of a window (a table holding the model's inputs, and its score before
/// recalibration) from a model's stored reference.
pub fn drift_from_reference(
    reference: Option<&ReferenceSummary>,
    table: &RawTable,
    inputs: &[String],
    score: &[f64],
    options: &DriftOptions,
) -> Result<DriftReport> {
    let reference = stored_reference(reference)?;
    reference.compare(&table_columns(table, inputs, score)?, options)
}

/// The probabilities a model returns: `p` through the recalibration when there is one.
pub fn calibrate(recalibration: Option<&Recalibration>, p: Array1<f64>) -> Result<Array1<f64>> {
    match recalibration {
        None => Ok(p),
        Some(r) => Ok(Array1::from(r.apply(p.as_slice().expect("a fresh array is contiguous"))?)),
    }
}

/// One probability through the recalibration when there is one.
pub fn calibrate_one(recalibration: Option<&Recalibration>, p: f64) -> Result<f64> {
    match recalibration {
        None => Ok(p),
        Some(r) => Ok(r.apply(&[p])?[0]),
    }
}
