//! The table encoder: a schema learned from training data, applied to any later table or
//! single customer.
use ndarray::{Array2, ArrayView2};
use serde::{Deserialize, Serialize};

use super::cells::{boolean, label, numeric};
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

impl ColumnKind {
    /// Every kind, by the name callers spell it with.
    pub const NAMES: [&'static str; 3] = ["numeric", "categorical", "boolean"];

    /// The kind's name (`"numeric"`, `"categorical"`, `"boolean"`).
    pub fn name(self) -> &'static str {
        match self {
            ColumnKind::Numeric => "numeric",
            ColumnKind::Categorical => "categorical",
            ColumnKind::Boolean => "boolean",
        }
    }
}

impl std::str::FromStr for ColumnKind {
    type Err = crate::error::NpsError;

    /// A kind from its name; another name is an error listing the kinds.
    fn from_str(s: &str) -> crate::error::Result<Self> {
        match s {
            "numeric" => Ok(ColumnKind::Numeric),
            "categorical" => Ok(ColumnKind::Categorical),
            "boolean" => Ok(ColumnKind::Boolean),
            other => Err(crate::error::NpsError::unknown("column kind", other, &ColumnKind::NAMES)),
        }
    }
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

impl std::str::FromStr for UnseenPolicy {
    type Err = crate::error::NpsError;

    /// A policy from its name (`"error"`, `"ignore"`).
    fn from_str(s: &str) -> crate::error::Result<Self> {
        match s {
            "error" => Ok(UnseenPolicy::Error),
            "ignore" => Ok(UnseenPolicy::Ignore),
            other => Err(crate::error::NpsError::unknown("unseen", other, &["error", "ignore"])),
        }
    }
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

impl TableEncoder {
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

    /// Each source column and its kind, in order (the specs the encoder was fitted with).
    pub fn specs(&self) -> Vec<ColumnSpec> {
        self.columns.iter().map(|c| ColumnSpec { name: c.name().to_string(), kind: c.kind() }).collect()
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
