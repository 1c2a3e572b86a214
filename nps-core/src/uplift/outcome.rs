//! What the outcome column holds, and the checks every uplift metric makes of its inputs.
//!
//! The metrics count customers *saved*: an outcome of 1 is retention, and every curve,
//! coefficient and uplift is positive when the action helps. A churn label (1 = left, the
//! library's label everywhere) is read as its complement ([`Outcome::Churned`], the
//! default); an outcome that is already retention (1 = stayed, scikit-uplift's convention
//! of 1 = the outcome the action aims for) is read as given ([`Outcome::Retained`]).
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

/// What `y` holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// 1 = churned (left), 0 = stayed: the metrics read 1 − y.
    #[default]
    Churned,
    /// 1 = retained (stayed), 0 = left: the metrics read y as given.
    Retained,
}

/// The names of [`Outcome`]'s values, as a caller spells them.
pub const OUTCOMES: [&str; 2] = ["churned", "retained"];

impl Outcome {
    /// The outcome named `name` (one of [`OUTCOMES`]).
    pub fn named(name: &str) -> Result<Outcome> {
        match name {
            "churned" => Ok(Outcome::Churned),
            "retained" => Ok(Outcome::Retained),
            other => Err(NpsError::unknown_closest("outcome", other, &OUTCOMES)),
        }
    }

    /// The retention indicator of a 0/1 outcome.
    #[inline]
    pub(crate) fn retained(self, y: f64) -> f64 {
        match self {
            Outcome::Churned => 1.0 - y,
            Outcome::Retained => y,
        }
    }
}

/// Checks a 0/1 column named `field` of length `n` (not NaN, 0 or 1).
pub(crate) fn check_binary(field: &str, v: &[f64], n: usize, other: &str) -> Result<()> {
    if v.len() != n {
        return Err(NpsError::LengthMismatch {
            field: field.into(),
            actual: v.len(),
            other: other.into(),
            expected: n,
        });
    }
    for (index, &x) in v.iter().enumerate() {
        if x.is_nan() {
            return Err(NpsError::Missing { field: field.into(), index });
        }
        if x != 0.0 && x != 1.0 {
            return Err(NpsError::OutOfRange { field: field.into(), index, value: x, range: "{0, 1}".into() });
        }
    }
    Ok(())
}

/// Checks a column of finite numbers named `field` of length `n`.
pub(crate) fn check_finite(field: &str, v: &[f64], n: usize, other: &str) -> Result<()> {
    if v.len() != n {
        return Err(NpsError::LengthMismatch {
            field: field.into(),
            actual: v.len(),
            other: other.into(),
            expected: n,
        });
    }
    for (index, &x) in v.iter().enumerate() {
        if x.is_nan() {
            return Err(NpsError::Missing { field: field.into(), index });
        }
        if x.is_infinite() {
            return Err(NpsError::OutOfRange { field: field.into(), index, value: x, range: "finite numbers".into() });
        }
    }
    Ok(())
}

/// Checks the outcome `y` (0/1, not empty) and the assignment `treated` (0/1, of y's
/// length, with both treated and control rows).
pub(crate) fn check_campaign(y: &[f64], treated: &[f64]) -> Result<()> {
    if y.is_empty() {
        return Err(NpsError::Empty { field: "y".into() });
    }
    check_binary("y", y, y.len(), "y")?;
    check_binary("treated", treated, y.len(), "y")?;
    let n_treated = treated.iter().filter(|&&t| t == 1.0).count();
    if n_treated == 0 {
        return Err(NpsError::invalid(
            "treated",
            "all 0 (no treated row)",
            "a mix of treated (1) and control (0) rows",
        ));
    }
    if n_treated == treated.len() {
        return Err(NpsError::invalid(
            "treated",
            "all 1 (no control row)",
            "a mix of treated (1) and control (0) rows",
        ));
    }
    Ok(())
}

/// Checks a campaign and its score (finite numbers of y's length).
pub(crate) fn check_scored(y: &[f64], treated: &[f64], score: &[f64]) -> Result<()> {
    check_campaign(y, treated)?;
    check_finite("score", score, y.len(), "y")
}

/// Checks a fraction of customers to target, in (0, 1].
pub(crate) fn check_k(k: f64) -> Result<()> {
    if k > 0.0 && k <= 1.0 {
        Ok(())
    } else {
        Err(NpsError::invalid("k", k, "a fraction in (0, 1]"))
    }
}
