//! Learning an encoder from a table held in parts (the partitions of a cluster): each part
//! is summarised, the summaries merge, and the merged summary becomes the encoder that
//! [`TableEncoder::fit_weighted`] learns from the whole table: the same categories, missing
//! flags and indicators, and the means and spreads to rounding (only the order of the
//! additions differs).
use std::collections::BTreeSet;

use serde::{Deserialize, Serialize};

use super::cells::{boolean, label, numeric};
use super::encoder::{ColumnKind, ColumnSpec, EncodedColumn, EncoderOptions, TableEncoder};
use super::fit::{check_unique, max_categories};
use super::table::RawTable;
use crate::error::{check_sample_weights, NpsError, Result};

/// What the encoder needs to know of some rows of a table: per column, the weighted count,
/// mean and sum of squared deviations of a numeric column, or the labels and whether any is
/// missing of a categorical one. Rows of weight zero are left out, as the weighted fit
/// leaves them out. Plain data: it serialises, to travel between processes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EncoderSummary {
    /// Rows summarised (of positive weight).
    pub rows: usize,
    /// One per spec, in the specs' order.
    pub columns: Vec<ColumnSummary>,
}

/// One column's share of an [`EncoderSummary`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ColumnSummary {
    /// A numeric column: the non-missing values' count, total weight, weighted mean and
    /// weighted sum of squared deviations from it (merged by Chan's formula).
    Numeric {
        /// Column name.
        name: String,
        /// Non-missing values.
        count: usize,
        /// Their total weight.
        weight: f64,
        /// Their weighted mean (0 without values).
        mean: f64,
        /// Σ w (x − mean)².
        squares: f64,
    },
    /// A categorical column: its labels, and whether a value is missing.
    Categorical {
        /// Column name.
        name: String,
        /// The labels seen, sorted.
        categories: BTreeSet<String>,
        /// Whether some value is missing.
        missing: bool,
    },
    /// A boolean column (every value checked to read as a boolean).
    Boolean {
        /// Column name.
        name: String,
    },
}

impl ColumnSummary {
    fn name(&self) -> &str {
        match self {
            ColumnSummary::Numeric { name, .. }
            | ColumnSummary::Categorical { name, .. }
            | ColumnSummary::Boolean { name } => name,
        }
    }
}

impl EncoderSummary {
    /// Summarises `specs`' columns of `table`, with optional row weights. Errors as
    /// [`TableEncoder::fit_weighted`]: a column not in the table, a value a boolean column
    /// cannot read, an infinite number, weights of the wrong length, negative or NaN (the
    /// rows named within `table`). A part of the table may have no rows, or only rows of
    /// weight zero: its summary is empty and merges as nothing.
    pub fn observe(table: &RawTable, specs: &[ColumnSpec], weights: Option<&[f64]>) -> Result<EncoderSummary> {
        if let Some(w) = weights {
            check_sample_weights(w, "rows", table.len())?;
        }
        check_unique(specs)?;
        let kept: Vec<usize> = (0..table.len()).filter(|&r| weights.is_none_or(|w| w[r] > 0.0)).collect();
        let weight = |r: usize| weights.map_or(1.0, |w| w[r]);
        let mut columns = Vec::with_capacity(specs.len());
        for spec in specs {
            let column = table.column(&spec.name)?;
            let name = spec.name.clone();
            columns.push(match spec.kind {
                ColumnKind::Numeric => {
                    let (mut count, mut total, mut sum) = (0usize, 0.0, 0.0);
                    let mut values = Vec::with_capacity(kept.len());
                    for &row in &kept {
                        let v = numeric(column.cell(row), &name, row)?;
                        if !v.is_nan() {
                            values.push((v, weight(row)));
                            count += 1;
                            total += weight(row);
                            sum += weight(row) * v;
                        }
                    }
                    let mean = if total > 0.0 { sum / total } else { 0.0 };
                    let squares = values.iter().map(|(v, w)| w * (v - mean).powi(2)).sum();
                    ColumnSummary::Numeric { name, count, weight: total, mean, squares }
                }
                ColumnKind::Categorical => {
                    let mut categories = BTreeSet::new();
                    let mut missing = false;
                    for &row in &kept {
                        match label(column.cell(row)) {
                            None => missing = true,
                            Some(l) => {
                                categories.insert(l);
                            }
                        }
                    }
                    ColumnSummary::Categorical { name, categories, missing }
                }
                ColumnKind::Boolean => {
                    for row in 0..column.len() {
                        boolean(column.cell(row), &name, row)?;
                    }
                    ColumnSummary::Boolean { name }
                }
            });
        }
        Ok(EncoderSummary { rows: kept.len(), columns })
    }

    /// Adds another part's summary (of the same specs) to this one.
    pub fn merge(&mut self, other: &EncoderSummary) -> Result<()> {
        let same = self.columns.len() == other.columns.len()
            && self
                .columns
                .iter()
                .zip(&other.columns)
                .all(|(a, b)| a.name() == b.name() && std::mem::discriminant(a) == std::mem::discriminant(b));
        if !same {
            let names =
                |s: &EncoderSummary| s.columns.iter().map(|c| c.name().to_string()).collect::<Vec<_>>().join(", ");
            return Err(NpsError::invalid(
                "summary",
                format!("columns {}", names(other)),
                &format!("a summary of the same columns and kinds ({})", names(self)),
            ));
        }
        self.rows += other.rows;
        for (a, b) in self.columns.iter_mut().zip(&other.columns) {
            match (a, b) {
                (
                    ColumnSummary::Numeric { count, weight, mean, squares, .. },
                    ColumnSummary::Numeric { count: nb, weight: wb, mean: mb, squares: sb, .. },
                ) => {
                    if *wb > 0.0 {
                        let total = *weight + wb;
                        let delta = mb - *mean;
                        *squares += sb + delta * delta * *weight * wb / total;
                        *mean += delta * wb / total;
                        *weight = total;
                    }
                    *count += nb;
                }
                (
                    ColumnSummary::Categorical { categories, missing, .. },
                    ColumnSummary::Categorical { categories: cb, missing: mb, .. },
                ) => {
                    categories.extend(cb.iter().cloned());
                    *missing |= mb;
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// The encoder of the summarised rows, as [`TableEncoder::fit_weighted`] learns it.
    /// Errors: no rows (of positive weight), a numeric column without a value, a
    /// categorical column with more labels than [`max_categories`] allows.
    pub fn encoder(&self, options: &EncoderOptions) -> Result<TableEncoder> {
        if self.rows == 0 {
            return Err(NpsError::Empty { field: "table".into() });
        }
        let columns = self
            .columns
            .iter()
            .map(|c| {
                Ok(match c {
                    ColumnSummary::Numeric { name, count, weight, mean, squares } => {
                        if *count == 0 {
                            return Err(NpsError::invalid(&format!("column {name:?}"), "no values", "some numbers"));
                        }
                        let sd = (squares / weight).sqrt();
                        let (center, scale) = match options.standardize {
                            true => (*mean, if sd > 0.0 { sd } else { 1.0 }),
                            false => (0.0, 1.0),
                        };
                        EncodedColumn::Numeric {
                            name: name.clone(),
                            mean: *mean,
                            center,
                            scale,
                            indicator: *count < self.rows,
                        }
                    }
                    ColumnSummary::Categorical { name, categories, missing } => {
                        if categories.len() > max_categories(self.rows) {
                            let numeric = categories.iter().filter(|c| c.trim().parse::<f64>().is_ok()).count();
                            return Err(NpsError::TooManyCategories {
                                column: name.clone(),
                                distinct: categories.len(),
                                rows: self.rows,
                                numeric,
                                limit: max_categories(self.rows),
                            });
                        }
                        EncodedColumn::Categorical {
                            name: name.clone(),
                            categories: categories.iter().cloned().collect(),
                            missing: *missing,
                        }
                    }
                    ColumnSummary::Boolean { name } => EncodedColumn::Boolean { name: name.clone() },
                })
            })
            .collect::<Result<_>>()?;
        Ok(TableEncoder { columns, unseen: options.unseen })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::encode::Column;

    fn table(rows: std::ops::Range<usize>) -> RawTable {
        let numbers: Vec<f64> =
            rows.clone().map(|r| if r % 7 == 3 { f64::NAN } else { (r * r % 13) as f64 * 0.37 }).collect();
        let plans: Vec<Option<String>> =
            rows.clone().map(|r| if r % 11 == 5 { None } else { Some(["a", "b", "c"][r % 3].to_string()) }).collect();
        let flags: Vec<Option<String>> =
            rows.map(|r| Some(if r % 2 == 0 { "yes" } else { "no" }.to_string())).collect();
        RawTable::new(
            vec!["x".into(), "plan".into(), "flag".into()],
            vec![Column::Numeric(numbers), Column::Text(plans), Column::Text(flags)],
        )
        .unwrap()
    }

    fn specs() -> Vec<ColumnSpec> {
        vec![
            ColumnSpec::new("x", ColumnKind::Numeric),
            ColumnSpec::new("plan", ColumnKind::Categorical),
            ColumnSpec::new("flag", ColumnKind::Boolean),
        ]
    }

    #[test]
    fn parts_merged_give_the_encoder_of_the_whole() {
        let whole = table(0..500);
        let weights: Vec<f64> = (0..500).map(|r| if r % 9 == 0 { 0.0 } else { 0.5 + (r % 4) as f64 }).collect();
        let options = EncoderOptions::default();
        for w in [None, Some(&weights[..])] {
            let want = TableEncoder::fit_weighted(&whole, &specs(), &options, w).unwrap();
            let mut merged = EncoderSummary::observe(&table(0..0), &specs(), w.map(|_| &[][..])).unwrap();
            for (a, b) in [(0, 120), (120, 121), (121, 400), (400, 500)] {
                let part = EncoderSummary::observe(&table(a..b), &specs(), w.map(|w| &w[a..b])).unwrap();
                merged.merge(&part).unwrap();
            }
            let got = merged.encoder(&options).unwrap();
            assert_eq!(got.columns.len(), want.columns.len());
            for (g, e) in got.columns.iter().zip(&want.columns) {
                match (g, e) {
                    (
                        EncodedColumn::Numeric { mean, center, scale, indicator, .. },
                        EncodedColumn::Numeric { mean: m, center: c, scale: s, indicator: i, .. },
                    ) => {
                        approx::assert_relative_eq!(*mean, *m, max_relative = 1e-13);
                        approx::assert_relative_eq!(*center, *c, max_relative = 1e-13);
                        approx::assert_relative_eq!(*scale, *s, max_relative = 1e-13);
                        assert_eq!(indicator, i);
                    }
                    _ => assert_eq!(g, e),
                }
            }
        }
    }

    #[test]
    fn errors_name_the_column_and_the_row() {
        let mut bad = table(0..10);
        bad.columns[2] = Column::Text((0..10).map(|r| Some(if r == 4 { "maybe" } else { "no" }.to_string())).collect());
        let e = EncoderSummary::observe(&bad, &specs(), None).unwrap_err().to_string();
        assert!(e.contains("flag") && e.contains("maybe"), "{e}");
        let empty = EncoderSummary::observe(&table(0..0), &specs(), None).unwrap();
        assert!(matches!(empty.encoder(&EncoderOptions::default()), Err(NpsError::Empty { .. })));
        let other = EncoderSummary::observe(&table(0..3), &specs()[..2], None).unwrap();
        assert!(empty.clone().merge(&other).unwrap_err().to_string().contains("the same columns"));
    }
}
