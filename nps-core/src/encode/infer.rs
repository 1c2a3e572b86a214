//! What a table's columns are: the spec of each column, and 0/1 labels from a column.
use super::cells::{number_label, parse_bool};
use super::encoder::{ColumnKind, ColumnSpec};
use super::table::{Cell, Column, RawTable};
use crate::error::{NpsError, Result};

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

/// The spec of each column to fit on: the inferred kinds ([`infer_specs`]), with the
/// columns named in `booleans` (a boolean dtype in the caller's table) boolean, and `kinds`
/// overriding both. A name in `kinds` that is not a column is an error naming the closest
/// column; columns in `exclude` are left out.
pub fn fit_specs(
    table: &RawTable,
    kinds: &[(String, ColumnKind)],
    exclude: &[&str],
    booleans: &[&str],
) -> Result<Vec<ColumnSpec>> {
    let names: Vec<&str> = table.names.iter().map(String::as_str).collect();
    if let Some((name, _)) = kinds.iter().find(|(name, _)| !names.contains(&name.as_str())) {
        return Err(NpsError::unknown_closest("column in kinds", name, &names));
    }
    Ok(infer_specs(table, exclude)
        .into_iter()
        .map(|mut spec| {
            if let Some((_, kind)) = kinds.iter().rev().find(|(name, _)| *name == spec.name) {
                spec.kind = *kind;
            } else if booleans.contains(&spec.name.as_str()) {
                spec.kind = ColumnKind::Boolean;
            }
            spec
        })
        .collect())
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
