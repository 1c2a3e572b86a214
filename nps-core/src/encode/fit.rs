//! Learning a [`TableEncoder`] from training data: a table and its column specs, or a numeric
//! matrix read in place.
use ndarray::ArrayView2;

use super::cells::{boolean, label, numeric};
use super::encoder::{ColumnKind, ColumnSpec, EncodedColumn, EncoderOptions, TableEncoder};
use super::table::RawTable;
use crate::error::{check_sample_weights, NpsError, Result};

/// The most distinct values a categorical column of a `rows`-row table may hold when an
/// encoder is fitted: half the rows, and never fewer than 50 (so that small tables are never
/// refused). A text column with more is refused ([`NpsError::TooManyCategories`]): one-hot
/// encoding it would give the model about a column per row, and such a column is almost
/// always numbers stored as text (the Telco file's `TotalCharges` read by a CSV reader that
/// keeps its blank cells as text: 6,531 values in 7,043 rows) or an identifier.
pub fn max_categories(rows: usize) -> usize {
    (rows / 2).max(50)
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
        check_unique(specs)?;
        for spec in specs {
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
                            limit: max_categories(column.len()),
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
    /// place: every column numeric (what [`infer_specs`](super::infer_specs) and [`Self::fit`] give for the same
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
}

/// The rows of positive weight; errors: weights of the wrong length, negative, NaN,
/// infinite, or all zero.
fn positive_rows(w: &[f64], rows: usize) -> Result<Vec<usize>> {
    check_sample_weights(w, "rows", rows)?;
    let keep: Vec<usize> = (0..rows).filter(|&r| w[r] > 0.0).collect();
    if keep.is_empty() {
        return Err(NpsError::invalid("sample_weight", "all zero", "some positive weight"));
    }
    Ok(keep)
}

/// Specs naming each column once.
pub(super) fn check_unique(specs: &[ColumnSpec]) -> Result<()> {
    for (i, spec) in specs.iter().enumerate() {
        if specs[..i].iter().any(|s| s.name == spec.name) {
            return Err(NpsError::invalid("specs", format!("{:?} twice", spec.name), "each column once"));
        }
    }
    Ok(())
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
