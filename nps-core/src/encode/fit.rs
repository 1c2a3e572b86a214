//! Learning a [`TableEncoder`] from training data: a table and its column specs, or a numeric
//! matrix read in place.
use ndarray::ArrayView2;

use super::cells::{boolean, label, numeric};
use super::encoder::{ColumnKind, ColumnSpec, EncodedColumn, EncoderOptions, TableEncoder};
use super::table::RawTable;
use crate::error::{NpsError, Result};

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
