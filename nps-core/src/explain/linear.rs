//! Exact attribution for linear (logistic) models, grouped by source feature.
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

/// One factor of one customer's score as a linear explanation ranks it (see [`LinearExplainer::top`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExplainedFactor {
    /// The source feature (index into [`LinearExplainer::sources`]).
    pub source: usize,
    /// Its name.
    pub name: String,
    /// Its contribution to the log-odds relative to the baseline: positive raises the risk.
    pub contribution: f64,
}

/// Attributes a linear model's log-odds to its source features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinearExplainer {
    /// Source feature names (what an agent reads).
    pub sources: Vec<String>,
    /// For each encoded column, the index of its source feature.
    pub column_source: Vec<usize>,
    /// Coefficient of each encoded column.
    pub coef: Vec<f64>,
    /// Training mean of each encoded column: the background the contributions are relative to.
    pub mean: Vec<f64>,
    /// Log-odds at the training mean: intercept + Σ coef × mean.
    pub baseline: f64,
}

impl LinearExplainer {
    /// An explainer from a model's coefficients and intercept, the training means of the
    /// encoded columns, and the source feature of each column.
    pub fn new(
        coef: &[f64],
        intercept: f64,
        mean: &[f64],
        column_source: &[usize],
        sources: Vec<String>,
    ) -> Result<LinearExplainer> {
        let n = coef.len();
        for (field, len) in [("mean", mean.len()), ("column_source", column_source.len())] {
            if len != n {
                return Err(NpsError::LengthMismatch {
                    field: field.into(),
                    actual: len,
                    other: "coef".into(),
                    expected: n,
                });
            }
        }
        if let Some(j) = column_source.iter().position(|&s| s >= sources.len()) {
            return Err(NpsError::OutOfRange {
                field: "column_source".into(),
                index: j,
                value: column_source[j] as f64,
                range: format!("the {} source features", sources.len()),
            });
        }
        for (field, values) in [("coef", coef), ("mean", mean)] {
            if let Some(j) = values.iter().position(|v| !v.is_finite()) {
                return Err(NpsError::OutOfRange {
                    field: field.into(),
                    index: j,
                    value: values[j],
                    range: "finite numbers".into(),
                });
            }
        }
        let baseline = intercept + coef.iter().zip(mean).map(|(c, m)| c * m).sum::<f64>();
        Ok(LinearExplainer {
            sources,
            column_source: column_source.to_vec(),
            coef: coef.to_vec(),
            mean: mean.to_vec(),
            baseline,
        })
    }

    /// Contributions of one encoded row, one per source feature, written into `out`
    /// (which must have one element per source). baseline + Σ out = the row's log-odds.
    pub fn contributions_into(&self, row: ArrayView1<'_, f64>, out: &mut [f64]) -> Result<()> {
        if row.len() != self.coef.len() {
            return Err(NpsError::LengthMismatch {
                field: "row".into(),
                actual: row.len(),
                other: "the model's columns".into(),
                expected: self.coef.len(),
            });
        }
        out.fill(0.0);
        for (j, &x) in row.iter().enumerate() {
            out[self.column_source[j]] += self.coef[j] * (x - self.mean[j]);
        }
        Ok(())
    }

    /// Contributions for every row of an encoded matrix: rows × source features.
    pub fn contributions(&self, x: ArrayView2<'_, f64>) -> Result<Array2<f64>> {
        let mut out = Array2::zeros((x.nrows(), self.sources.len()));
        for (row, mut o) in x.rows().into_iter().zip(out.rows_mut()) {
            self.contributions_into(row, o.as_slice_mut().expect("a new array is contiguous"))?;
        }
        Ok(out)
    }

    /// Global importance: the mean absolute contribution of each source feature over `x`.
    pub fn importance(&self, x: ArrayView2<'_, f64>) -> Result<Array1<f64>> {
        if x.nrows() == 0 {
            return Err(NpsError::Empty { field: "x".into() });
        }
        let c = self.contributions(x)?;
        Ok(c.mapv(f64::abs).mean_axis(ndarray::Axis(0)).expect("at least one row"))
    }

    /// The `k` factors that raise the risk most (positive contributions, largest first) and
    /// the `k` that lower it most (negative, most negative first), from one row of
    /// contributions. Ties keep source order.
    pub fn top(&self, contributions: &[f64], k: usize) -> (Vec<ExplainedFactor>, Vec<ExplainedFactor>) {
        let factor =
            |s: usize| ExplainedFactor { source: s, name: self.sources[s].clone(), contribution: contributions[s] };
        let (mut up, mut down) = (Vec::new(), Vec::new());
        top_indices_into(contributions, k, &mut up, &mut down);
        (up.into_iter().map(factor).collect(), down.into_iter().map(factor).collect())
    }
}

/// The indices of the `k` largest positive entries of `c` (`up`, largest first) and of the
/// `k` most negative (`down`, most negative first), ties in input order: the order of
/// [`LinearExplainer::top`]. One pass, each entry inserted into a list of at most `k`, so
/// that a caller reusing the two lists (at each ticket) neither sorts nor allocates.
pub fn top_indices_into(c: &[f64], k: usize, up: &mut Vec<usize>, down: &mut Vec<usize>) {
    up.clear();
    down.clear();
    for (s, &x) in c.iter().enumerate() {
        if x > 0.0 {
            insert_ranked(up, s, k, |a| c[a] >= x);
        } else if x < 0.0 {
            insert_ranked(down, s, k, |a| c[a] <= x);
        }
    }
}

/// Inserts `s` after the entries of `list` that stay `ahead` of it, keeping at most `k`.
fn insert_ranked(list: &mut Vec<usize>, s: usize, k: usize, ahead: impl Fn(usize) -> bool) {
    let at = list.iter().position(|&a| !ahead(a)).unwrap_or(list.len());
    if at < k {
        list.insert(at, s);
        list.truncate(k);
    }
}
