//! Drift between a reference window and a recent one: population stability index and
//! Kolmogorov–Smirnov per input, new and vanished categories, the change in missing rate,
//! and a severity per input, in one report.
use std::collections::HashSet;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::bins::{psi, shares, Sorted, DEFAULT_BINS};
use super::ks;
use super::summary::{
    categorical_summary, category_counts, check_bins, check_columns, numeric_summary, CategoricalSummary, Column,
    ColumnValues, InputSummary, NumericSummary, ReferenceSummary,
};
use crate::error::{NpsError, Result};

/// The PSI from which an input's drift is moderate by default (the industry's convention:
/// below 0.1 no significant change).
pub const DEFAULT_MODERATE_PSI: f64 = 0.1;

/// The PSI from which an input's drift is major by default (the convention: 0.25 and above
/// calls for action, e.g. a retrained model).
pub const DEFAULT_MAJOR_PSI: f64 = 0.25;

/// How much an input changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// PSI below the moderate threshold.
    None,
    /// PSI from the moderate threshold to below the major one.
    Moderate,
    /// PSI at or above the major threshold.
    Major,
}

impl Severity {
    /// `"none"`, `"moderate"` or `"major"`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Severity::None => "none",
            Severity::Moderate => "moderate",
            Severity::Major => "major",
        }
    }
}

/// How drift is measured and judged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct DriftOptions {
    /// Quantile bins of a numeric input ([`DEFAULT_BINS`], deciles), when the reference is
    /// given as rows (a summary keeps the bins it was built with).
    pub bins: usize,
    /// PSI from which drift is moderate ([`DEFAULT_MODERATE_PSI`]).
    pub moderate: f64,
    /// PSI from which drift is major ([`DEFAULT_MAJOR_PSI`]).
    pub major: f64,
}

impl Default for DriftOptions {
    fn default() -> Self {
        DriftOptions { bins: DEFAULT_BINS, moderate: DEFAULT_MODERATE_PSI, major: DEFAULT_MAJOR_PSI }
    }
}

impl DriftOptions {
    /// The severity of a PSI.
    pub fn severity(&self, psi: f64) -> Severity {
        if psi >= self.major {
            Severity::Major
        } else if psi >= self.moderate {
            Severity::Moderate
        } else {
            Severity::None
        }
    }

    fn check(&self) -> Result<()> {
        check_bins(self.bins)?;
        if !(self.moderate.is_finite() && self.moderate > 0.0) {
            return Err(NpsError::invalid("moderate", self.moderate, "a positive PSI"));
        }
        if !(self.major.is_finite() && self.major >= self.moderate) {
            return Err(NpsError::invalid(
                "major",
                self.major,
                &format!("a PSI at least moderate ({})", self.moderate),
            ));
        }
        Ok(())
    }
}

/// One bin (or category) of an input, with its share on each side.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftBin {
    /// `(a, b]` for a numeric bin, the category's name, or `missing`.
    pub label: String,
    /// Share of the reference's rows.
    pub reference_share: f64,
    /// Share of the current rows.
    pub current_share: f64,
}

/// The drift of one input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputDrift {
    /// The input.
    pub input: String,
    /// `"numeric"` or `"categorical"`.
    pub kind: String,
    /// Population stability index Σ (c − r) ln(c / r) over the bins (missing values a bin of
    /// their own, a new category a bin whose reference share is 0), a zero share read as
    /// [`PSI_EPSILON`](super::PSI_EPSILON).
    pub psi: f64,
    /// The two-sample Kolmogorov–Smirnov statistic of a numeric input over the numbers that
    /// are not missing (exact against reference rows, within about 0.01 against a summary);
    /// `None` for a category or when a side has no number.
    pub ks: Option<f64>,
    /// Its asymptotic p-value (Kolmogorov's distribution).
    pub ks_p_value: Option<f64>,
    /// Reference rows.
    pub reference_rows: usize,
    /// Current rows.
    pub current_rows: usize,
    /// Share of reference rows missing.
    pub reference_missing_rate: f64,
    /// Share of current rows missing.
    pub current_missing_rate: f64,
    /// current − reference missing rate.
    pub missing_rate_change: f64,
    /// Categories in the current window the reference never had, sorted.
    pub new_categories: Vec<String>,
    /// Categories of the reference the current window lacks, sorted.
    pub vanished_categories: Vec<String>,
    /// The severity of the PSI (missing values and new categories are bins of it, so a jump
    /// in either shows here too).
    pub severity: Severity,
    /// The bins, with both shares.
    pub bins: Vec<DriftBin>,
}

/// The drift of every input of the reference.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DriftReport {
    /// One per reference input, in its order.
    pub inputs: Vec<InputDrift>,
    /// True when the reference was rows (KS exact), false when it was a summary.
    pub ks_exact: bool,
    /// The options judged by.
    pub options: DriftOptions,
}

impl DriftReport {
    /// The inputs whose severity is moderate or major.
    pub fn drifted(&self) -> Vec<&str> {
        self.inputs.iter().filter(|i| i.severity != Severity::None).map(|i| i.input.as_str()).collect()
    }

    /// The highest severity over the inputs.
    pub fn worst(&self) -> Severity {
        self.inputs.iter().map(|i| i.severity).max().unwrap_or(Severity::None)
    }

    /// The report as JSON (for a service).
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report serialises")
    }
}

fn numeric_labels(edges: &[f64]) -> Vec<String> {
    let mut labels = Vec::with_capacity(edges.len() + 2);
    let mut lower = "-inf".to_string();
    for e in edges {
        labels.push(format!("({lower}, {e}]"));
        lower = e.to_string();
    }
    labels.push(format!("({lower}, inf)"));
    labels.push("missing".into());
    labels
}

fn numeric_drift(
    reference: &NumericSummary,
    current: &Sorted,
    exact_ks: Option<&Sorted>,
    o: &DriftOptions,
) -> InputDrift {
    let cur = shares(current, &reference.edges);
    let psi = psi(&reference.shares, &cur);
    let ks = match exact_ks {
        Some(r) => ks::statistic(r, current),
        None => ks::statistic_at_points(&reference.ks_points, &reference.ks_at_most, &reference.ks_below, current),
    };
    let ref_numbers = reference.rows - (reference.missing_rate * reference.rows as f64).round() as usize;
    let p = ks::p_value(ks, ref_numbers, current.keys.len());
    let current_missing_rate = current.missing as f64 / current.rows() as f64;
    InputDrift {
        input: reference.name.clone(),
        kind: "numeric".into(),
        psi,
        ks: (!ks.is_nan()).then_some(ks),
        ks_p_value: (!p.is_nan()).then_some(p),
        reference_rows: reference.rows,
        current_rows: current.rows(),
        reference_missing_rate: reference.missing_rate,
        current_missing_rate,
        missing_rate_change: current_missing_rate - reference.missing_rate,
        new_categories: Vec::new(),
        vanished_categories: Vec::new(),
        severity: o.severity(psi),
        bins: numeric_labels(&reference.edges)
            .into_iter()
            .zip(reference.shares.iter().zip(&cur))
            .map(|(label, (&r, &c))| DriftBin { label, reference_share: r, current_share: c })
            .collect(),
    }
}

fn categorical_drift(reference: &CategoricalSummary, current: &[Option<String>], o: &DriftOptions) -> InputDrift {
    let (mut counts, missing) = category_counts(current);
    let rows = current.len() as f64;
    let k = reference.categories.len();
    let mut bins = Vec::with_capacity(k + 1);
    let mut vanished = Vec::new();
    for (c, &share) in reference.categories.iter().zip(&reference.shares) {
        let n = counts.remove(c.as_str()).unwrap_or(0);
        if n == 0 && share > 0.0 {
            vanished.push(c.clone());
        }
        bins.push(DriftBin { label: c.clone(), reference_share: share, current_share: n as f64 / rows });
    }
    let mut new: Vec<(&str, usize)> = counts.into_iter().collect();
    new.sort_unstable();
    for &(c, n) in &new {
        bins.push(DriftBin { label: c.to_string(), reference_share: 0.0, current_share: n as f64 / rows });
    }
    let current_missing_rate = missing as f64 / rows;
    bins.push(DriftBin {
        label: "missing".into(),
        reference_share: reference.shares[k],
        current_share: current_missing_rate,
    });
    let r: Vec<f64> = bins.iter().map(|b| b.reference_share).collect();
    let c: Vec<f64> = bins.iter().map(|b| b.current_share).collect();
    let psi = psi(&r, &c);
    InputDrift {
        input: reference.name.clone(),
        kind: "categorical".into(),
        psi,
        ks: None,
        ks_p_value: None,
        reference_rows: reference.rows,
        current_rows: current.len(),
        reference_missing_rate: reference.missing_rate,
        current_missing_rate,
        missing_rate_change: current_missing_rate - reference.missing_rate,
        new_categories: new.into_iter().map(|(c, _)| c.to_string()).collect(),
        vanished_categories: vanished,
        severity: o.severity(psi),
        bins,
    }
}

/// The current column of each reference input (by name; other current columns are left
/// alone), of the same kind.
fn match_columns<'c, 'a>(names: &[(&str, &str)], current: &'c [Column<'a>]) -> Result<Vec<&'c Column<'a>>> {
    check_columns(current, "current")?;
    let given: HashSet<&str> = current.iter().map(|c| c.name).collect();
    names
        .iter()
        .map(|&(name, kind)| {
            let c = current.iter().find(|c| c.name == name).ok_or_else(|| {
                let mut known: Vec<&str> = given.iter().copied().collect();
                known.sort_unstable();
                NpsError::unknown_closest("current input (the reference's input is missing)", name, &known)
            })?;
            let found = match c.values {
                ColumnValues::Numeric(_) => "numeric",
                ColumnValues::Categorical(_) => "categorical",
            };
            if found != kind {
                return Err(NpsError::invalid(
                    &format!("current[{name:?}]"),
                    found,
                    &format!("{kind}, as in the reference"),
                ));
            }
            Ok(c)
        })
        .collect()
}

/// Drift of the `current` window from the `reference` rows, input by input (matched by
/// name; every reference input must be in `current`, of the same kind). Numeric inputs:
/// PSI over the reference's quantile bins and the exact two-sample KS statistic;
/// categorical: PSI over the categories of both. Errors: no column, a column without rows,
/// a name twice, a reference input missing from `current` or of another kind, bad options.
pub fn drift(reference: &[Column<'_>], current: &[Column<'_>], options: &DriftOptions) -> Result<DriftReport> {
    options.check()?;
    check_columns(reference, "reference")?;
    let names: Vec<(&str, &str)> = reference
        .iter()
        .map(|c| (c.name, if matches!(c.values, ColumnValues::Numeric(_)) { "numeric" } else { "categorical" }))
        .collect();
    let current = match_columns(&names, current)?;
    let inputs = reference
        .par_iter()
        .zip(current.par_iter())
        .map(|(r, c)| match (r.values, c.values) {
            (ColumnValues::Numeric(rv), ColumnValues::Numeric(cv)) => {
                let (rs, cs) = rayon::join(|| Sorted::new(rv), || Sorted::new(cv));
                let summary = numeric_summary(r.name, &rs, options.bins);
                numeric_drift(&summary, &cs, Some(&rs), options)
            }
            (ColumnValues::Categorical(rv), ColumnValues::Categorical(cv)) => {
                categorical_drift(&categorical_summary(r.name, rv), cv, options)
            }
            _ => unreachable!("kinds matched"),
        })
        .collect();
    Ok(DriftReport { inputs, ks_exact: true, options: *options })
}

impl ReferenceSummary {
    /// Drift of the `current` window from this summary (see [`drift`]; the bins are the
    /// summary's, `options.bins` is not used, and the KS statistic is measured at the
    /// reference's percentiles: [`DriftReport::ks_exact`] is false).
    pub fn compare(&self, current: &[Column<'_>], options: &DriftOptions) -> Result<DriftReport> {
        options.check()?;
        let names: Vec<(&str, &str)> = self.inputs.iter().map(|i| (i.name(), i.kind())).collect();
        let current = match_columns(&names, current)?;
        let inputs = self
            .inputs
            .par_iter()
            .zip(current.par_iter())
            .map(|(r, c)| match (r, c.values) {
                (InputSummary::Numeric(s), ColumnValues::Numeric(cv)) => {
                    numeric_drift(s, &Sorted::new(cv), None, options)
                }
                (InputSummary::Categorical(s), ColumnValues::Categorical(cv)) => categorical_drift(s, cv, options),
                _ => unreachable!("kinds matched"),
            })
            .collect();
        Ok(DriftReport { inputs, ks_exact: false, options: *options })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cats(v: &[&str]) -> Vec<Option<String>> {
        v.iter().map(|s| if s.is_empty() { None } else { Some(s.to_string()) }).collect()
    }

    #[test]
    fn identical_windows_do_not_drift() {
        let x: Vec<f64> = (0..1000).map(|i| ((i * 37) % 101) as f64).collect();
        let c = cats(&["a", "b", "", "a"]);
        let cols = [Column::numeric("x", &x), Column::categorical("c", &c)];
        let r = drift(&cols, &cols, &DriftOptions::default()).unwrap();
        assert_eq!(r.inputs[0].psi, 0.0);
        assert_eq!(r.inputs[0].ks, Some(0.0));
        assert_eq!(r.inputs[1].psi, 0.0);
        assert_eq!(r.worst(), Severity::None);
        assert!(r.drifted().is_empty());
    }

    #[test]
    fn categories_new_and_vanished() {
        let r = cats(&["a", "a", "b", "c", ""]);
        let c = cats(&["a", "d", "d", "", ""]);
        let rep =
            drift(&[Column::categorical("c", &r)], &[Column::categorical("c", &c)], &DriftOptions::default()).unwrap();
        let d = &rep.inputs[0];
        assert_eq!(d.new_categories, vec!["d"]);
        assert_eq!(d.vanished_categories, vec!["b", "c"]);
        assert!((d.missing_rate_change - 0.2).abs() < 1e-15);
        let labels: Vec<&str> = d.bins.iter().map(|b| b.label.as_str()).collect();
        assert_eq!(labels, ["a", "b", "c", "d", "missing"]);
        let want = psi(&[0.4, 0.2, 0.2, 0.0, 0.2], &[0.2, 0.0, 0.0, 0.4, 0.4]);
        assert_eq!(d.psi, want);
        assert_eq!(d.severity, Severity::Major);
    }

    #[test]
    fn shifted_numbers_drift_and_summary_agrees() {
        let r: Vec<f64> = (0..5000).map(|i| (i as f64 * 0.618).fract()).collect();
        let c: Vec<f64> = r.iter().map(|v| v + 0.3).collect();
        let o = DriftOptions::default();
        let rep = drift(&[Column::numeric("x", &r)], &[Column::numeric("x", &c)], &o).unwrap();
        assert_eq!(rep.inputs[0].severity, Severity::Major);
        let ks = rep.inputs[0].ks.unwrap();
        assert!((ks - 0.3).abs() < 5e-3, "{ks}");
        let summary = ReferenceSummary::build(&[Column::numeric("x", &r)], 10).unwrap();
        let again = ReferenceSummary::from_json(&summary.to_json()).unwrap();
        assert_eq!(again, summary);
        let rep2 = again.compare(&[Column::numeric("x", &c)], &o).unwrap();
        assert_eq!(rep2.inputs[0].psi, rep.inputs[0].psi);
        assert!(!rep2.ks_exact);
        let ks2 = rep2.inputs[0].ks.unwrap();
        assert!(ks2 <= ks + 1e-15 && ks - ks2 <= 0.011, "{ks} {ks2}");
    }

    #[test]
    fn mistakes_name_the_input() {
        let x = [1.0, 2.0];
        let c = cats(&["a", "b"]);
        let o = DriftOptions::default();
        let e = drift(&[Column::numeric("x", &x)], &[Column::numeric("y", &x)], &o).unwrap_err();
        assert_eq!(e.code(), "UNKNOWN_VALUE");
        assert!(e.to_string().contains("\"x\""), "{e}");
        let e = drift(&[Column::numeric("x", &x)], &[Column::categorical("x", &c)], &o).unwrap_err();
        assert!(e.to_string().contains("current[\"x\"]"), "{e}");
        let e = drift(&[Column::numeric("x", &[])], &[Column::numeric("x", &x)], &o).unwrap_err();
        assert_eq!(e, NpsError::Empty { field: "reference[\"x\"]".into() });
        let bad = DriftOptions { major: 0.05, ..o };
        assert_eq!(
            drift(&[Column::numeric("x", &x)], &[Column::numeric("x", &x)], &bad).unwrap_err().code(),
            "INVALID_PARAMETER"
        );
    }
}
