//! A logistic churn model written as one Spark SQL expression.
//!
//! Scored inside the JVM, a model costs no trip to a Python worker and back (on Spark that
//! trip is most of the time of any Python scorer). The expression takes the core's steps in
//! the core's order, each an IEEE operation Spark performs the same way (Java's double
//! arithmetic neither fuses nor reorders, and Catalyst does not reassociate doubles), and its
//! one exponential is Spark's `exp`, Java's `StrictMath.exp`, which the core's
//! [`sigmoid`](super::sigmoid) takes from [`crate::stats::exp`]. So the probabilities equal
//! [`ChurnModel::predict_proba`] to the bit, and a row the core refuses stops the Spark job
//! with the core's words (`raise_error`).

use std::fmt::Write;

use serde::{Deserialize, Serialize};

use super::ChurnModel;
use crate::encode::{ColumnSpec, EncodedColumn, UnseenPolicy};
use crate::error::{NpsError, Result};
use crate::spark_sql_text::{escape_plain, identifier, number, raise, raise_with, text};

/// [`ChurnModel::spark_sql`]: the expression and how it reads each input.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SparkSql {
    /// P(churn) of a row, a DOUBLE.
    pub expression: String,
    /// The model's inputs and their kinds: a numeric input must be a numeric column (it is
    /// cast to DOUBLE), a categorical input a string column, a boolean input a boolean or
    /// integer column (1/0). Other column types are for the model's other scorers.
    pub inputs: Vec<ColumnSpec>,
}

impl ChurnModel {
    /// The model as a Spark SQL expression over its input columns (see [`SparkSql`]).
    ///
    /// Errors: a recalibrated model (its recalibration takes a logarithm, which Spark
    /// computes otherwise than the core).
    pub fn spark_sql(&self) -> Result<SparkSql> {
        if let Some(r) = &self.monitoring.recalibration {
            return Err(NpsError::invalid(
                "model",
                format!("a model with a {} recalibration", r.method()),
                "a model without recalibration (Spark SQL's logarithm is not the core's)",
            ));
        }
        let unseen = self.encoder.unseen;
        let mut z = number(self.intercept);
        let mut weights = self.coef.iter().copied();
        for column in &self.encoder.columns {
            for term in terms(column, unseen) {
                let w = weights.next().expect("a coefficient per encoded column (validated)");
                write!(z, " + {term} * {}", number(w)).expect("writing to a String");
            }
        }
        let e = format!("EXP(-ABS({z}))");
        Ok(SparkSql {
            expression: format!("(CASE WHEN {z} >= 0.0D THEN 1.0D ELSE {e} END) / (1.0D + {e})"),
            inputs: self.encoder.specs(),
        })
    }
}

/// The encoded values of one source column, in the encoder's order (each a DOUBLE).
fn terms(column: &EncodedColumn, unseen: UnseenPolicy) -> Vec<String> {
    let refuse = unseen == UnseenPolicy::Error;
    match column {
        EncodedColumn::Numeric { name, mean, center, scale, indicator } => {
            let v = format!("CAST({} AS DOUBLE)", identifier(name));
            let missing = format!("({v} IS NULL OR ISNAN({v}))");
            let imputed = if !indicator && refuse {
                raise(&format!("{name} is missing (null or NaN) in a row"))
            } else {
                number(*mean)
            };
            let infinite = raise_with(&format!("{name} must be a finite number, got "), &v);
            let value = format!(
                "CASE WHEN {missing} THEN {imputed} WHEN ABS({v}) = CAST('Infinity' AS DOUBLE) THEN {infinite} ELSE {v} END"
            );
            let mut out = vec![format!("(({value}) - {}) / {}", number(*center), number(*scale))];
            if *indicator {
                out.push(format!("(CASE WHEN {missing} THEN 1.0D ELSE 0.0D END)"));
            }
            out
        }
        EncodedColumn::Categorical { name, categories, missing } => {
            let x = identifier(name);
            let mut out: Vec<String> =
                categories.iter().map(|c| format!("CASE WHEN {x} = {} THEN 1.0D ELSE 0.0D END", text(c))).collect();
            if *missing {
                out.push(format!("CASE WHEN {x} IS NULL THEN 1.0D ELSE 0.0D END"));
            }
            if refuse {
                // The checks ride on the first term: every term is evaluated, so a bad row stops there.
                let listed: Vec<String> = categories.iter().map(|c| text(c)).collect();
                let unknown = format!(
                    "RAISE_ERROR(CONCAT('unknown category of {} \"', {x}, '\"; expected one of a category seen in training: {}'))",
                    escape_plain(name),
                    escape_plain(&categories.join(", "))
                );
                let mut checks = String::new();
                if !missing {
                    checks +=
                        &format!("WHEN {x} IS NULL THEN {} ", raise(&format!("{name} is missing (null) in a row")));
                }
                if !categories.is_empty() {
                    checks += &format!("WHEN {x} NOT IN ({}) THEN {unknown} ", listed.join(", "));
                }
                out[0] = format!("CASE {checks}ELSE {} END", out[0]);
            }
            out.into_iter().map(|t| format!("({t})")).collect()
        }
        EncodedColumn::Boolean { name } => {
            let v = format!("CAST({} AS DOUBLE)", identifier(name));
            let missing = raise(&format!("{name} is missing (null) in a row"));
            let other = raise_with(&format!("{name} must be a boolean (true/false, yes/no, 1/0), got "), &v);
            vec![format!(
                "(CASE WHEN {v} IS NULL THEN {missing} WHEN {v} = 1.0D THEN 1.0D WHEN {v} = 0.0D THEN 0.0D ELSE {other} END)"
            )]
        }
    }
}
