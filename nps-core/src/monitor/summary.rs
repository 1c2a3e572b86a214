//! The reference summary: what drift is measured against, built once from the training
//! data and kept (in a model file or beside it) instead of the raw rows.
use std::collections::{BTreeMap, HashMap};

use ndarray::ArrayView1;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bins::{key, quantile_edges, shares, Sorted};
use crate::error::{NpsError, Result};

/// The `format` field of a saved reference summary.
pub const REFERENCE_FORMAT: &str = "nps.monitor_reference";

/// The version of the reference summary this library writes and the newest it reads.
pub const REFERENCE_VERSION: u32 = 1;

/// The points kept for the Kolmogorov–Smirnov statistic of a numeric input: its
/// percentiles (0, 1, ..., 100), so that the statistic against a summary is within about
/// 0.01 of the exact one.
pub const KS_POINTS: usize = 100;

/// One input's values, as a caller holds them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ColumnValues<'a> {
    /// Numbers; NaN is missing. A view, so that a column of a row-major matrix is read
    /// where it is (a reference of fifty inputs and a million rows copied no 400 MB first).
    Numeric(ArrayView1<'a, f64>),
    /// Categories; `None` is missing.
    Categorical(&'a [Option<String>]),
}

impl ColumnValues<'_> {
    /// Rows.
    pub fn len(&self) -> usize {
        match self {
            ColumnValues::Numeric(v) => v.len(),
            ColumnValues::Categorical(v) => v.len(),
        }
    }

    /// True without rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A named input.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Column<'a> {
    /// The input's name.
    pub name: &'a str,
    /// Its values.
    pub values: ColumnValues<'a>,
}

impl<'a> Column<'a> {
    /// A numeric input.
    pub fn numeric(name: &'a str, values: &'a [f64]) -> Self {
        Column { name, values: ColumnValues::Numeric(values.into()) }
    }

    /// A numeric input read in place, with any stride (a column of a matrix).
    pub fn numeric_view(name: &'a str, values: ArrayView1<'a, f64>) -> Self {
        Column { name, values: ColumnValues::Numeric(values) }
    }

    /// A categorical input.
    pub fn categorical(name: &'a str, values: &'a [Option<String>]) -> Self {
        Column { name, values: ColumnValues::Categorical(values) }
    }
}

/// A numeric input's reference: its quantile bins and the shares in them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NumericSummary {
    /// The input.
    pub name: String,
    /// Reference rows, missing included.
    pub rows: usize,
    /// Share of rows missing (NaN).
    pub missing_rate: f64,
    /// Inner bin edges (the reference's quantiles, repeats kept once); bins are closed on
    /// the right: (−∞, e₁], (e₁, e₂], ..., (eₖ, ∞).
    pub edges: Vec<f64>,
    /// Share of all rows in each bin, then the missing share: `edges.len() + 2` numbers.
    pub shares: Vec<f64>,
    /// The reference's percentiles (numpy's linear quantiles at 0, 0.01, ..., 1).
    pub ks_points: Vec<f64>,
    /// The reference's share of numbers at most each point (of the numbers not missing).
    pub ks_at_most: Vec<f64>,
    /// The reference's share of numbers below each point.
    pub ks_below: Vec<f64>,
}

/// A categorical input's reference: the share of each category.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CategoricalSummary {
    /// The input.
    pub name: String,
    /// Reference rows, missing included.
    pub rows: usize,
    /// Share of rows missing.
    pub missing_rate: f64,
    /// The categories seen, sorted.
    pub categories: Vec<String>,
    /// Share of all rows in each category, then the missing share.
    pub shares: Vec<f64>,
}

/// One input's reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum InputSummary {
    /// A numeric input.
    Numeric(NumericSummary),
    /// A categorical input.
    Categorical(CategoricalSummary),
}

impl InputSummary {
    /// The input's name.
    pub fn name(&self) -> &str {
        match self {
            InputSummary::Numeric(s) => &s.name,
            InputSummary::Categorical(s) => &s.name,
        }
    }

    /// `"numeric"` or `"categorical"`.
    pub fn kind(&self) -> &'static str {
        match self {
            InputSummary::Numeric(_) => "numeric",
            InputSummary::Categorical(_) => "categorical",
        }
    }
}

/// What drift is measured against: per input the reference's bins and shares, category
/// shares and missing rate (include the score as one more numeric input to watch it too).
/// Serialises to a small JSON document (`format` [`REFERENCE_FORMAT`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReferenceSummary {
    /// Always [`REFERENCE_FORMAT`].
    pub format: String,
    /// [`REFERENCE_VERSION`].
    pub version: u32,
    /// The number of quantile bins asked for (an input with repeated quantiles has fewer).
    pub bins: usize,
    /// The inputs, in the caller's order.
    pub inputs: Vec<InputSummary>,
}

/// Counts of each category and of missing values.
pub(crate) fn category_counts(values: &[Option<String>]) -> (HashMap<&str, usize>, usize) {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    let mut missing = 0;
    for v in values {
        match v {
            Some(c) => *counts.entry(c.as_str()).or_insert(0) += 1,
            None => missing += 1,
        }
    }
    (counts, missing)
}

pub(crate) fn numeric_summary(name: &str, sorted: &Sorted, bins: usize) -> NumericSummary {
    let edges = quantile_edges(sorted, bins);
    let shares = shares(sorted, &edges);
    let n = sorted.keys.len();
    let (mut ks_points, mut ks_at_most, mut ks_below) = (Vec::new(), Vec::new(), Vec::new());
    if n > 0 {
        for k in 0..=KS_POINTS {
            let x = sorted.quantile(k as f64 / KS_POINTS as f64);
            if ks_points.last() == Some(&x) {
                continue;
            }
            let kx = key(x);
            ks_points.push(x);
            ks_at_most.push(sorted.keys.partition_point(|&v| v <= kx) as f64 / n as f64);
            ks_below.push(sorted.keys.partition_point(|&v| v < kx) as f64 / n as f64);
        }
    }
    NumericSummary {
        name: name.to_string(),
        rows: sorted.rows(),
        missing_rate: sorted.missing as f64 / sorted.rows() as f64,
        edges,
        shares,
        ks_points,
        ks_at_most,
        ks_below,
    }
}

pub(crate) fn categorical_summary(name: &str, values: &[Option<String>]) -> CategoricalSummary {
    let (counts, missing) = category_counts(values);
    let rows = values.len() as f64;
    let sorted: BTreeMap<&str, usize> = counts.into_iter().collect();
    let mut shares: Vec<f64> = sorted.values().map(|&c| c as f64 / rows).collect();
    shares.push(missing as f64 / rows);
    CategoricalSummary {
        name: name.to_string(),
        rows: values.len(),
        missing_rate: missing as f64 / rows,
        categories: sorted.keys().map(|c| c.to_string()).collect(),
        shares,
    }
}

/// Checks `bins` (at least 1) and that the columns have distinct names and rows.
pub(crate) fn check_columns(columns: &[Column<'_>], field: &str) -> Result<()> {
    if columns.is_empty() {
        return Err(NpsError::Empty { field: field.into() });
    }
    let mut seen = std::collections::HashSet::new();
    for c in columns {
        if !seen.insert(c.name) {
            return Err(NpsError::invalid(&format!("{field} input"), format!("{:?}", c.name), "each name once"));
        }
        if c.values.is_empty() {
            return Err(NpsError::Empty { field: format!("{field}[{:?}]", c.name) });
        }
    }
    Ok(())
}

pub(crate) fn check_bins(bins: usize) -> Result<()> {
    if bins == 0 {
        return Err(NpsError::invalid("bins", 0, "at least 1"));
    }
    Ok(())
}

impl ReferenceSummary {
    /// Summarises the reference window: each numeric input's `bins` quantile bins (see
    /// [`NumericSummary`]), each categorical input's category shares, every missing rate.
    /// Errors: no column, a column without rows, a name given twice, `bins` zero.
    pub fn build(columns: &[Column<'_>], bins: usize) -> Result<ReferenceSummary> {
        check_bins(bins)?;
        check_columns(columns, "reference")?;
        let inputs = columns
            .par_iter()
            .map(|c| match c.values {
                ColumnValues::Numeric(v) => InputSummary::Numeric(numeric_summary(c.name, &Sorted::new(v), bins)),
                ColumnValues::Categorical(v) => InputSummary::Categorical(categorical_summary(c.name, v)),
            })
            .collect();
        Ok(ReferenceSummary::from_inputs(bins, inputs))
    }

    pub(crate) fn from_inputs(bins: usize, inputs: Vec<InputSummary>) -> ReferenceSummary {
        ReferenceSummary { format: REFERENCE_FORMAT.into(), version: REFERENCE_VERSION, bins, inputs }
    }

    /// The input of that name.
    pub fn input(&self, name: &str) -> Option<&InputSummary> {
        self.inputs.iter().find(|i| i.name() == name)
    }

    /// The summary as JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a summary serialises")
    }

    /// Reads a summary and checks it (format and version; per input shares that match the
    /// edges or categories in number and are finite shares, ascending edges and points).
    pub fn from_json(text: &str) -> Result<ReferenceSummary> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| NpsError::invalid("reference summary", e, "a JSON document"))?;
        match value.get("format").and_then(|f| f.as_str()) {
            Some(REFERENCE_FORMAT) => {}
            other => return Err(NpsError::invalid("format", format!("{other:?}"), &format!("\"{REFERENCE_FORMAT}\""))),
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if (1..=REFERENCE_VERSION as u64).contains(&v) => {}
            other => {
                return Err(NpsError::invalid(
                    "version",
                    format!("{other:?}"),
                    &format!("1..={REFERENCE_VERSION} (a newer file needs a newer nps)"),
                ))
            }
        }
        let summary: ReferenceSummary = serde_json::from_value(value)
            .map_err(|e| NpsError::invalid("reference summary", e, "a valid reference summary"))?;
        summary.validate()?;
        Ok(summary)
    }

    /// Checks a summary (see [`Self::from_json`]).
    pub fn validate(&self) -> Result<()> {
        check_bins(self.bins)?;
        for (i, input) in self.inputs.iter().enumerate() {
            let at = |what: &str| format!("inputs[{i}].{what}");
            let (shares, expected) = match input {
                InputSummary::Numeric(s) => {
                    if s.edges.windows(2).any(|w| w[0] >= w[1]) || s.edges.iter().any(|e| e.is_nan()) {
                        return Err(NpsError::invalid(&at("edges"), format!("{:?}", s.edges), "ascending numbers"));
                    }
                    let n = s.ks_points.len();
                    if s.ks_at_most.len() != n || s.ks_below.len() != n {
                        return Err(NpsError::LengthMismatch {
                            field: at("ks_at_most"),
                            actual: s.ks_at_most.len().min(s.ks_below.len()),
                            other: at("ks_points"),
                            expected: n,
                        });
                    }
                    if s.ks_points.windows(2).any(|w| w[0] >= w[1]) || s.ks_points.iter().any(|v| v.is_nan()) {
                        return Err(NpsError::invalid(&at("ks_points"), "out of order", "ascending numbers"));
                    }
                    (&s.shares, s.edges.len() + 2)
                }
                InputSummary::Categorical(s) => (&s.shares, s.categories.len() + 1),
            };
            if shares.len() != expected {
                return Err(NpsError::LengthMismatch {
                    field: at("shares"),
                    actual: shares.len(),
                    other: at("bins"),
                    expected,
                });
            }
            if let Some(j) = shares.iter().position(|s| !(0.0..=1.0).contains(s)) {
                return Err(NpsError::OutOfRange {
                    field: at("shares"),
                    index: j,
                    value: shares[j],
                    range: "[0, 1]".into(),
                });
            }
        }
        Ok(())
    }
}
