//! The table encoder: a schema learned from training data, applied to any later table or
//! single customer.
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::table::{Cell, Column, RawTable};
use crate::error::{NpsError, Result};

/// The suffix of a numeric column's missing-value indicator, and the category name of a
/// missing categorical value.
const MISSING: &str = "__missing";

/// How a source column is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ColumnKind {
    /// Imputed, optionally standardised.
    Numeric,
    /// One-hot encoded.
    Categorical,
    /// 0/1.
    Boolean,
}

/// A source column and how to encode it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSpec {
    /// Column name.
    pub name: String,
    /// Its encoding.
    pub kind: ColumnKind,
}

impl ColumnSpec {
    /// A spec.
    pub fn new(name: &str, kind: ColumnKind) -> Self {
        ColumnSpec { name: name.to_string(), kind }
    }
}

/// What to do with a category not seen in training (or a missing value where training had
/// none).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum UnseenPolicy {
    /// Fail, naming the column, row and value.
    #[default]
    Error,
    /// Encode as all zeros (no category).
    Ignore,
}

/// Options of [`TableEncoder::fit`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EncoderOptions {
    /// Unseen categories.
    pub unseen: UnseenPolicy,
    /// Standardise numeric columns (mean 0, population standard deviation 1 on the training
    /// data). Without it they are only imputed.
    pub standardize: bool,
}

impl Default for EncoderOptions {
    fn default() -> Self {
        EncoderOptions { unseen: UnseenPolicy::Error, standardize: true }
    }
}

/// One source column as learned from training data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EncodedColumn {
    /// Encoded as (x − center) / scale, a missing x as the training mean; plus a
    /// `name__missing` 0/1 column when training had missing values.
    Numeric {
        /// Column name.
        name: String,
        /// Training mean of the non-missing values (the imputed value).
        mean: f64,
        /// Subtracted before scaling (the mean when standardising, else 0).
        center: f64,
        /// Divided by (the population standard deviation when standardising and not zero,
        /// else 1).
        scale: f64,
        /// Whether the `__missing` indicator column is present.
        indicator: bool,
    },
    /// One 0/1 column `name=category` per training category (sorted), and `name=__missing`
    /// when training had missing values.
    Categorical {
        /// Column name.
        name: String,
        /// Training categories, sorted.
        categories: Vec<String>,
        /// Whether missing is a category of its own.
        missing: bool,
    },
    /// One 0/1 column. Accepts true/false, yes/no (any case), 1/0; a missing value is an
    /// error (booleans are not imputed).
    Boolean {
        /// Column name.
        name: String,
    },
}

impl EncodedColumn {
    /// The source column's name.
    pub fn name(&self) -> &str {
        match self {
            EncodedColumn::Numeric { name, .. }
            | EncodedColumn::Categorical { name, .. }
            | EncodedColumn::Boolean { name } => name,
        }
    }

    /// How the source column is encoded.
    pub fn kind(&self) -> ColumnKind {
        match self {
            EncodedColumn::Numeric { .. } => ColumnKind::Numeric,
            EncodedColumn::Categorical { .. } => ColumnKind::Categorical,
            EncodedColumn::Boolean { .. } => ColumnKind::Boolean,
        }
    }

    /// Number of encoded columns.
    pub fn width(&self) -> usize {
        match self {
            EncodedColumn::Numeric { indicator, .. } => 1 + *indicator as usize,
            EncodedColumn::Categorical { categories, missing, .. } => categories.len() + *missing as usize,
            EncodedColumn::Boolean { .. } => 1,
        }
    }
}

/// A learned schema: numeric, categorical and boolean columns and how each is encoded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TableEncoder {
    /// The source columns, in output order.
    pub columns: Vec<EncodedColumn>,
    /// Unseen categories.
    pub unseen: UnseenPolicy,
}

/// The spec of each column: numbers are numeric (a count that happens to be 0 or 1 in the
/// training data must still read a 2 later); complete text with two values that read as
/// booleans (yes/no, true/false) is boolean; other text is categorical (booleans are not
/// imputed, so text with gaps is categorical, where a gap has its own column). Columns named in `exclude` (ids, the label) are left out.
pub fn infer_specs(table: &RawTable, exclude: &[&str]) -> Vec<ColumnSpec> {
    table
        .names
        .iter()
        .zip(&table.columns)
        .filter(|(name, _)| !exclude.contains(&name.as_str()))
        .map(|(name, column)| {
            let kind = match column {
                Column::Numeric(_) => ColumnKind::Numeric,
                Column::Text(v) => {
                    let mut values: Vec<&str> = v.iter().flatten().map(String::as_str).collect();
                    values.sort_unstable();
                    values.dedup();
                    let complete = v.iter().all(Option::is_some);
                    if complete && values.len() <= 2 && values.iter().all(|s| parse_bool(s).is_some()) {
                        ColumnKind::Boolean
                    } else {
                        ColumnKind::Categorical
                    }
                }
            };
            ColumnSpec { name: name.clone(), kind }
        })
        .collect()
}

pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// The most distinct values a categorical column of a `rows`-row table may hold when an
/// encoder is fitted: half the rows, and never fewer than 50 (so that small tables are never
/// refused). A text column with more is refused ([`NpsError::TooManyCategories`]): one-hot
/// encoding it would give the model about a column per row, and such a column is almost
/// always numbers stored as text (the Telco file's `TotalCharges` read by a CSV reader that
/// keeps its blank cells as text: 6,531 values in 7,043 rows) or an identifier.
pub fn max_categories(rows: usize) -> usize {
    (rows / 2).max(50)
}

/// The rows of positive weight; errors: weights of the wrong length, negative, NaN,
/// infinite, or all zero.
fn positive_rows(w: &[f64], rows: usize) -> Result<Vec<usize>> {
    if w.len() != rows {
        return Err(NpsError::LengthMismatch {
            field: "sample_weight".into(),
            actual: w.len(),
            other: "rows".into(),
            expected: rows,
        });
    }
    for (index, &v) in w.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: "sample_weight".into(), index });
        }
        if v < 0.0 || v.is_infinite() {
            return Err(NpsError::Negative { field: "sample_weight".into(), index, value: v });
        }
    }
    let keep: Vec<usize> = (0..rows).filter(|&r| w[r] > 0.0).collect();
    if keep.is_empty() {
        return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
    }
    Ok(keep)
}

/// Sets a numeric column's mean (and, when standardising, its centre and scale) to the
/// weighted mean and population standard deviation of its (value, weight) pairs, missing
/// values (NaN) left out.
fn weighted_statistics(
    column: &mut EncodedColumn,
    values: impl Iterator<Item = (f64, f64)> + Clone,
    standardize: bool,
) {
    if let EncodedColumn::Numeric { mean, center, scale, .. } = column {
        let (mut sw, mut sum) = (0.0, 0.0);
        for (v, w) in values.clone().filter(|(v, _)| !v.is_nan()) {
            sw += w;
            sum += w * v;
        }
        if sw <= 0.0 {
            return;
        }
        let m = sum / sw;
        let var = values.filter(|(v, _)| !v.is_nan()).map(|(v, w)| w * (v - m).powi(2)).sum::<f64>() / sw;
        let sd = var.sqrt();
        *mean = m;
        if standardize {
            *center = m;
            *scale = if sd > 0.0 { sd } else { 1.0 };
        }
    }
}

/// A number as a category label: whole numbers without a decimal point.
fn number_label(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// 0/1 labels from a column: 1 where the value is `positive` (for text; `"1"` matches the
/// number 1), 0 for any other value the column holds exactly two of. Errors: a missing
/// value or a third value, naming the row.
pub fn binary_labels(column: &Column, positive: &str) -> Result<Vec<f64>> {
    let mut negative: Option<String> = None;
    (0..column.len())
        .map(|row| {
            let label = match column.cell(row) {
                Cell::Missing => return Err(NpsError::Missing { field: "labels".into(), index: row }),
                Cell::Number(x) => number_label(x),
                Cell::Text(s) => s.to_string(),
                Cell::Bool(b) => b.to_string(),
            };
            if label == positive {
                return Ok(1.0);
            }
            match &negative {
                None => negative = Some(label),
                Some(n) if *n == label => {}
                Some(n) => {
                    return Err(NpsError::invalid(
                        &format!("labels[{row}]"),
                        format!("{label:?}"),
                        &format!("{positive:?} or {n:?} (two classes)"),
                    ))
                }
            }
            Ok(0.0)
        })
        .collect()
}

impl TableEncoder {
    /// Learns the encoding of `specs`' columns from `table`. Errors: an empty table, a
    /// column not in the table, a numeric column with no value, a boolean column holding
    /// something else, a categorical column with more distinct values than
    /// [`max_categories`] allows (naming it, and whether its values read as numbers).
    pub fn fit(table: &RawTable, specs: &[ColumnSpec], options: &EncoderOptions) -> Result<TableEncoder> {
        if table.is_empty() {
            return Err(NpsError::Empty { field: "table".into() });
        }
        let mut columns = Vec::with_capacity(specs.len());
        for (i, spec) in specs.iter().enumerate() {
            if specs[..i].iter().any(|s| s.name == spec.name) {
                return Err(NpsError::invalid("specs", format!("{:?} twice", spec.name), "each column once"));
            }
            let column = table.column(&spec.name)?;
            let name = spec.name.clone();
            columns.push(match spec.kind {
                ColumnKind::Numeric => {
                    let values: Vec<f64> = (0..column.len())
                        .filter_map(|row| match numeric(column.cell(row), &name, row) {
                            Ok(v) if v.is_nan() => None,
                            other => Some(other),
                        })
                        .collect::<Result<_>>()?;
                    if values.is_empty() {
                        return Err(NpsError::invalid(&format!("column {name:?}"), "no values", "some numbers"));
                    }
                    let n = values.len() as f64;
                    let mean = values.iter().sum::<f64>() / n;
                    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n).sqrt();
                    let (center, scale) = match options.standardize {
                        true => (mean, if sd > 0.0 { sd } else { 1.0 }),
                        false => (0.0, 1.0),
                    };
                    EncodedColumn::Numeric { name, mean, center, scale, indicator: values.len() < column.len() }
                }
                ColumnKind::Categorical => {
                    let mut categories = Vec::new();
                    let mut missing = false;
                    for row in 0..column.len() {
                        match label(column.cell(row)) {
                            None => missing = true,
                            Some(l) => categories.push(l),
                        }
                    }
                    categories.sort_unstable();
                    categories.dedup();
                    if categories.len() > max_categories(column.len()) {
                        let numeric = categories.iter().filter(|c| c.trim().parse::<f64>().is_ok()).count();
                        return Err(NpsError::TooManyCategories {
                            column: name,
                            distinct: categories.len(),
                            rows: column.len(),
                            numeric,
                        });
                    }
                    EncodedColumn::Categorical { name, categories, missing }
                }
                ColumnKind::Boolean => {
                    for row in 0..column.len() {
                        boolean(column.cell(row), &name, row)?;
                    }
                    EncodedColumn::Boolean { name }
                }
            });
        }
        Ok(TableEncoder { columns, unseen: options.unseen })
    }

    /// [`Self::fit`] with sample weights: the rows of weight zero are left out (no
    /// category, no missing-value indicator is learned from them) and the means and spreads
    /// of numeric columns are weighted, so that integer weights give the encoder of the rows
    /// repeated and a zero weight that of the row left out, as the weighted fit of a model
    /// requires. Without weights it is [`Self::fit`]. Errors as [`Self::fit`] (naming the
    /// rows of `table`), and weights of the wrong length, negative, NaN or all zero.
    pub fn fit_weighted(
        table: &RawTable,
        specs: &[ColumnSpec],
        options: &EncoderOptions,
        weights: Option<&[f64]>,
    ) -> Result<TableEncoder> {
        let Some(w) = weights else { return TableEncoder::fit(table, specs, options) };
        let keep = positive_rows(w, table.len())?;
        let mut encoder = TableEncoder::fit(table, specs, options)?;
        let sub;
        let (table, ws): (&RawTable, Vec<f64>) = if keep.len() < table.len() {
            sub = table.select(&keep);
            encoder = TableEncoder::fit(&sub, specs, options)?;
            (&sub, keep.iter().map(|&r| w[r]).collect())
        } else {
            (table, w.to_vec())
        };
        for column in &mut encoder.columns {
            if let EncodedColumn::Numeric { name, .. } = column {
                let source = table.column(name)?;
                let values: Vec<(f64, f64)> = (0..source.len())
                    .map(|row| numeric(source.cell(row), name, row).map(|v| (v, ws[row])))
                    .collect::<Result<_>>()?;
                weighted_statistics(column, values.into_iter(), options.standardize);
            }
        }
        Ok(encoder)
    }

    /// [`Self::fit_matrix`] with sample weights, as [`Self::fit_weighted`] weighs a table.
    pub fn fit_matrix_weighted(
        x: ArrayView2<'_, f64>,
        names: &[String],
        options: &EncoderOptions,
        weights: Option<&[f64]>,
    ) -> Result<TableEncoder> {
        let Some(w) = weights else { return TableEncoder::fit_matrix(x, names, options) };
        let keep = positive_rows(w, x.nrows())?;
        let mut encoder = TableEncoder::fit_matrix(x, names, options)?;
        let sub;
        let x = if keep.len() < x.nrows() {
            sub = x.select(ndarray::Axis(0), &keep);
            encoder = TableEncoder::fit_matrix(sub.view(), names, options)?;
            sub.view()
        } else {
            x
        };
        let ws: Vec<f64> = keep.iter().map(|&r| w[r]).collect();
        for (j, column) in encoder.columns.iter_mut().enumerate() {
            let values = x.column(j).iter().copied().zip(ws.iter().copied()).collect::<Vec<_>>();
            weighted_statistics(column, values.into_iter(), options.standardize);
        }
        Ok(encoder)
    }

    /// Learns the encoding of a numeric matrix whose columns are named `names`, read in
    /// place: every column numeric (what [`infer_specs`] and [`Self::fit`] give for the same
    /// data as a table).
    pub fn fit_matrix(x: ArrayView2<'_, f64>, names: &[String], options: &EncoderOptions) -> Result<TableEncoder> {
        if names.len() != x.ncols() {
            return Err(NpsError::LengthMismatch {
                field: "names".into(),
                actual: names.len(),
                other: "x's columns".into(),
                expected: x.ncols(),
            });
        }
        if x.nrows() == 0 {
            return Err(NpsError::Empty { field: "x".into() });
        }
        for (j, name) in names.iter().enumerate() {
            if names[..j].contains(name) {
                return Err(NpsError::invalid("names", format!("{name:?} twice"), "unique column names"));
            }
        }
        // Column statistics: one pass over the rows for counts and sums (a second for the
        // spread only when standardising), the columns split between threads, each column
        // summed in row order (the same numbers as from a table).
        let k = x.ncols();
        let sums = by_column_ranges(x, |_, xs| {
            let (mut count, mut sum) = (vec![0usize; xs.ncols()], vec![0.0; xs.ncols()]);
            for (row, r) in xs.rows().into_iter().enumerate() {
                for (j, &v) in r.iter().enumerate() {
                    if v.is_infinite() {
                        return Err((row, j, v));
                    }
                    if !v.is_nan() {
                        count[j] += 1;
                        sum[j] += v;
                    }
                }
            }
            Ok((count, sum))
        });
        let (mut count, mut sum) = (Vec::with_capacity(k), Vec::with_capacity(k));
        let mut first_infinite: Option<(usize, usize, f64)> = None;
        let mut j0 = 0;
        for (width, part) in sums {
            match part {
                Ok((c, s)) => {
                    count.extend(c);
                    sum.extend(s);
                }
                Err((row, j, v)) => {
                    if first_infinite.is_none_or(|(r, c, _)| (row, j0 + j) < (r, c)) {
                        first_infinite = Some((row, j0 + j, v));
                    }
                }
            }
            j0 += width;
        }
        if let Some((row, j, v)) = first_infinite {
            return Err(NpsError::invalid(&format!("{}[{row}]", names[j]), v, "a finite number"));
        }
        let mean: Vec<f64> = (0..k).map(|j| sum[j] / count[j] as f64).collect();
        // The spread only matters when standardising.
        let mut ss = vec![0.0; k];
        if options.standardize {
            let parts = by_column_ranges(x, |j0, xs| {
                let mut ss = vec![0.0; xs.ncols()];
                for r in xs.rows() {
                    for (j, &v) in r.iter().enumerate() {
                        if !v.is_nan() {
                            ss[j] += (v - mean[j0 + j]).powi(2);
                        }
                    }
                }
                ss
            });
            ss = parts.into_iter().flat_map(|(_, part)| part).collect();
        }
        let mut columns = Vec::with_capacity(k);
        for j in 0..k {
            let name = names[j].clone();
            if count[j] == 0 {
                return Err(NpsError::invalid(&format!("column {name:?}"), "no values", "some numbers"));
            }
            let sd = (ss[j] / count[j] as f64).sqrt();
            let (center, scale) = match options.standardize {
                true => (mean[j], if sd > 0.0 { sd } else { 1.0 }),
                false => (0.0, 1.0),
            };
            columns.push(EncodedColumn::Numeric {
                name,
                mean: mean[j],
                center,
                scale,
                indicator: count[j] < x.nrows(),
            });
        }
        Ok(TableEncoder { columns, unseen: options.unseen })
    }

    /// Encodes a numeric matrix whose columns are named `names` (any order; extra columns
    /// ignored; NaN is missing), read in place. Equal to [`Self::transform`] of the same
    /// data as a table.
    pub fn transform_matrix(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Array2<f64>> {
        let index = self.matrix_index(x, names)?;
        let mut out = Array2::zeros((x.nrows(), self.width()));
        for (row, (mut o, r)) in out.rows_mut().into_iter().zip(x.rows()).enumerate() {
            let o = o.as_slice_mut().expect("rows of a new array are contiguous");
            let mut j = 0;
            for (column, &c) in self.columns.iter().zip(&index) {
                let w = column.width();
                self.encode_number(column, r[c], row, &mut o[j..j + w])?;
                j += w;
            }
        }
        Ok(out)
    }

    /// For each source column, the column of `x` named like it.
    pub(crate) fn matrix_index(&self, x: ArrayView2<'_, f64>, names: &[String]) -> Result<Vec<usize>> {
        if names.len() != x.ncols() {
            return Err(NpsError::LengthMismatch {
                field: "names".into(),
                actual: names.len(),
                other: "x's columns".into(),
                expected: x.ncols(),
            });
        }
        self.columns
            .iter()
            .map(|c| {
                names.iter().position(|n| n == c.name()).ok_or_else(|| NpsError::Unknown {
                    field: "input".into(),
                    value: c.name().to_string(),
                    expected: format!("a column of x ({})", names.join(", ")),
                })
            })
            .collect()
    }

    /// [`Self::encode_cell`] for a number (NaN is missing), with the numeric case inline:
    /// the hot loop of scoring and encoding matrices.
    #[inline]
    pub(crate) fn encode_number(&self, column: &EncodedColumn, v: f64, row: usize, out: &mut [f64]) -> Result<()> {
        if let EncodedColumn::Numeric { mean, center, scale, indicator, .. } = column {
            let missing = v.is_nan();
            if !missing && v.is_finite() {
                out[0] = (v - center) / scale;
                if *indicator {
                    out[1] = 0.0;
                }
                return Ok(());
            }
            if missing && (*indicator || self.unseen == UnseenPolicy::Ignore) {
                out[0] = (mean - center) / scale;
                if *indicator {
                    out[1] = 1.0;
                }
                return Ok(());
            }
        }
        self.encode_cell(column, if v.is_nan() { Cell::Missing } else { Cell::Number(v) }, row, out)
    }

    /// Number of encoded columns.
    pub fn width(&self) -> usize {
        self.columns.iter().map(EncodedColumn::width).sum()
    }

    /// The names of the source columns, in order.
    pub fn sources(&self) -> Vec<String> {
        self.columns.iter().map(|c| c.name().to_string()).collect()
    }

    /// The names of the encoded columns: `name`, `name__missing`, `name=category`.
    pub fn feature_names(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.width());
        for c in &self.columns {
            match c {
                EncodedColumn::Numeric { name, indicator, .. } => {
                    out.push(name.clone());
                    if *indicator {
                        out.push(format!("{name}{MISSING}"));
                    }
                }
                EncodedColumn::Categorical { name, categories, missing } => {
                    out.extend(categories.iter().map(|cat| format!("{name}={cat}")));
                    if *missing {
                        out.push(format!("{name}={MISSING}"));
                    }
                }
                EncodedColumn::Boolean { name } => out.push(name.clone()),
            }
        }
        out
    }

    /// For each encoded column, the index of its source column.
    pub fn column_sources(&self) -> Vec<usize> {
        self.columns.iter().enumerate().flat_map(|(i, c)| std::iter::repeat_n(i, c.width())).collect()
    }

    /// Encodes a table (columns found by name; order and extra columns do not matter).
    pub fn transform(&self, table: &RawTable) -> Result<Array2<f64>> {
        let sources: Vec<&Column> = self.columns.iter().map(|c| table.column(c.name())).collect::<Result<_>>()?;
        let n = table.len();
        let mut out = Array2::zeros((n, self.width()));
        let mut cells = vec![Cell::Missing; sources.len()];
        for (row, mut o) in out.rows_mut().into_iter().enumerate() {
            for (cell, column) in cells.iter_mut().zip(&sources) {
                *cell = column.cell(row);
            }
            self.encode_row(&cells, row, o.as_slice_mut().expect("rows of a new array are contiguous"))?;
        }
        Ok(out)
    }

    /// Encodes one row given as one cell per source column (in [`Self::sources`] order) into
    /// `out` (one value per encoded column). `row` names the row in errors.
    pub fn encode_row(&self, cells: &[Cell<'_>], row: usize, out: &mut [f64]) -> Result<()> {
        if cells.len() != self.columns.len() || out.len() != self.width() {
            return Err(NpsError::LengthMismatch {
                field: "cells".into(),
                actual: cells.len(),
                other: "the encoder's source columns".into(),
                expected: self.columns.len(),
            });
        }
        let mut j = 0;
        for (column, &cell) in self.columns.iter().zip(cells) {
            let w = column.width();
            self.encode_cell(column, cell, row, &mut out[j..j + w])?;
            j += w;
        }
        Ok(())
    }

    /// Encodes one cell of `column` (one of [`Self::columns`]) into its `column.width()`
    /// values.
    pub fn encode_cell(&self, column: &EncodedColumn, cell: Cell<'_>, row: usize, out: &mut [f64]) -> Result<()> {
        match column {
            EncodedColumn::Numeric { name, mean, center, scale, indicator } => {
                let x = numeric(cell, name, row)?;
                let missing = x.is_nan();
                if missing && !indicator && self.unseen == UnseenPolicy::Error {
                    return Err(NpsError::Missing { field: name.clone(), index: row });
                }
                out[0] = ((if missing { *mean } else { x }) - center) / scale;
                if *indicator {
                    out[1] = missing as u8 as f64;
                }
            }
            EncodedColumn::Categorical { name, categories, missing } => {
                out.fill(0.0);
                match label(cell) {
                    Some(l) => match categories.binary_search(&l) {
                        Ok(k) => out[k] = 1.0,
                        Err(_) if self.unseen == UnseenPolicy::Ignore => {}
                        Err(_) => {
                            return Err(NpsError::Unknown {
                                field: format!("category of {name} (row {row})"),
                                value: l,
                                expected: format!("a category seen in training: {}", categories.join(", ")),
                            })
                        }
                    },
                    None if *missing => out[categories.len()] = 1.0,
                    None if self.unseen == UnseenPolicy::Ignore => {}
                    None => return Err(NpsError::Missing { field: name.clone(), index: row }),
                }
            }
            EncodedColumn::Boolean { name } => {
                out[0] = boolean(cell, name, row)? as u8 as f64;
            }
        }
        Ok(())
    }

    /// The encoder as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("an encoder serialises")
    }

    /// An encoder from JSON, checked: unique names, finite means and centres, positive
    /// scales, sorted unique categories.
    pub fn from_json(text: &str) -> Result<TableEncoder> {
        let e: TableEncoder =
            serde_json::from_str(text).map_err(|err| NpsError::invalid("encoder", err, "a valid encoder document"))?;
        e.validate()?;
        Ok(e)
    }

    /// Checks a deserialised encoder (see [`Self::from_json`]).
    pub fn validate(&self) -> Result<()> {
        for (i, c) in self.columns.iter().enumerate() {
            let path = format!("encoder.columns[{i}]");
            if self.columns[..i].iter().any(|d| d.name() == c.name()) {
                return Err(NpsError::invalid(&format!("{path}.name"), format!("{:?}", c.name()), "a unique name"));
            }
            match c {
                EncodedColumn::Numeric { mean, center, scale, .. } => {
                    for (field, v) in [("mean", mean), ("center", center)] {
                        if !v.is_finite() {
                            return Err(NpsError::invalid(&format!("{path}.{field}"), v, "a finite number"));
                        }
                    }
                    if !(scale.is_finite() && *scale > 0.0) {
                        return Err(NpsError::invalid(&format!("{path}.scale"), scale, "a positive number"));
                    }
                }
                EncodedColumn::Categorical { categories, .. } => {
                    if categories.windows(2).any(|w| w[0] >= w[1]) {
                        return Err(NpsError::invalid(
                            &format!("{path}.categories"),
                            categories.join(", "),
                            "sorted, unique categories",
                        ));
                    }
                }
                EncodedColumn::Boolean { .. } => {}
            }
        }
        Ok(())
    }
}

/// `f(first column, columns)` on consecutive ranges of x's columns, one per thread (all the
/// rows of each), with each range's width, in column order.
fn by_column_ranges<T: Send>(
    x: ArrayView2<'_, f64>,
    f: impl Fn(usize, ArrayView2<'_, f64>) -> T + Sync,
) -> Vec<(usize, T)> {
    let k = x.ncols();
    // Threads only pay off on large matrices (a million values or more).
    let threads =
        if x.len() < 1 << 20 { 1 } else { std::thread::available_parallelism().map_or(1, |t| t.get()).min(8) };
    let per = k.div_ceil(threads.min(k).max(1)).max(1);
    let ranges: Vec<(usize, usize)> = (0..k).step_by(per).map(|j0| (j0, (j0 + per).min(k))).collect();
    if ranges.len() <= 1 {
        return vec![(k, f(0, x))];
    }
    std::thread::scope(|scope| {
        let handles: Vec<_> = ranges
            .iter()
            .map(|&(j0, j1)| {
                let f = &f;
                scope.spawn(move || (j1 - j0, f(j0, x.slice(ndarray::s![.., j0..j1]))))
            })
            .collect();
        handles.into_iter().map(|h| h.join().expect("column statistics do not panic")).collect()
    })
}

pub(crate) fn numeric(cell: Cell<'_>, name: &str, row: usize) -> Result<f64> {
    match cell {
        Cell::Number(x) if x.is_infinite() => Err(NpsError::invalid(&format!("{name}[{row}]"), x, "a finite number")),
        Cell::Number(x) => Ok(x),
        Cell::Missing => Ok(f64::NAN),
        Cell::Bool(b) => Ok(b as u8 as f64),
        // A blank cell is missing, as read_csv reads it.
        Cell::Text(s) if s.trim().is_empty() => Ok(f64::NAN),
        Cell::Text(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| NpsError::invalid(&format!("{name}[{row}]"), format!("{s:?}"), "a number")),
    }
}

pub(crate) fn label(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Number(x) if x.is_nan() => None,
        Cell::Number(x) => Some(number_label(x)),
        Cell::Text(s) => Some(s.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Missing => None,
    }
}

pub(crate) fn boolean(cell: Cell<'_>, name: &str, row: usize) -> Result<bool> {
    let parsed = match cell {
        Cell::Bool(b) => Some(b),
        Cell::Number(x) if x == 0.0 || x == 1.0 => Some(x == 1.0),
        Cell::Number(x) if x.is_nan() => return Err(NpsError::Missing { field: name.to_string(), index: row }),
        Cell::Number(_) => None,
        Cell::Text(s) => parse_bool(s),
        Cell::Missing => return Err(NpsError::Missing { field: name.to_string(), index: row }),
    };
    parsed.ok_or_else(|| {
        let value = match cell {
            Cell::Text(s) => format!("{s:?}"),
            Cell::Number(x) => x.to_string(),
            _ => String::new(),
        };
        NpsError::invalid(&format!("{name}[{row}]"), value, "a boolean (true/false, yes/no, 1/0)")
    })
}
