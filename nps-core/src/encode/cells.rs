//! One cell read as what an encoded column needs: a number, a category label or a boolean,
//! with errors that name the column and the row.
use super::table::Cell;
use crate::error::{NpsError, Result};

/// A boolean written as text: true/false, yes/no (any case, around spaces), 1/0.
pub(crate) fn parse_bool(s: &str) -> Option<bool> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" => Some(true),
        "false" | "no" | "0" => Some(false),
        _ => None,
    }
}

/// A number as a category label: whole numbers without a decimal point.
pub(super) fn number_label(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// A cell as a number: NaN when missing, 0/1 for a boolean, text parsed; an infinite number
/// or text that is no finite number is an error.
pub(crate) fn numeric(cell: Cell<'_>, name: &str, row: usize) -> Result<f64> {
    match cell {
        Cell::Number(x) if x.is_infinite() => Err(NpsError::invalid(&format!("{name}[{row}]"), x, "a finite number")),
        Cell::Number(x) => Ok(x),
        Cell::Missing => Ok(f64::NAN),
        Cell::Bool(b) => Ok(b as u8 as f64),
        // A blank cell is missing, as read_csv reads it.
        Cell::Text(s) if s.trim().is_empty() => Ok(f64::NAN),
        Cell::Text(s) => s
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .ok_or_else(|| NpsError::invalid(&format!("{name}[{row}]"), format!("{s:?}"), "a number")),
    }
}

/// A cell as a category label (a whole number without a decimal point); `None` when missing.
pub(crate) fn label(cell: Cell<'_>) -> Option<String> {
    match cell {
        Cell::Number(x) if x.is_nan() => None,
        Cell::Number(x) => Some(number_label(x)),
        Cell::Text(s) => Some(s.to_string()),
        Cell::Bool(b) => Some(b.to_string()),
        Cell::Missing => None,
    }
}

/// A cell as a boolean (see [`parse_bool`]); a missing value is an error (booleans are not
/// imputed), as is any other value.
pub(crate) fn boolean(cell: Cell<'_>, name: &str, row: usize) -> Result<bool> {
    let parsed = match cell {
        Cell::Bool(b) => Some(b),
        Cell::Number(x) if x == 0.0 || x == 1.0 => Some(x == 1.0),
        Cell::Number(x) if x.is_nan() => return Err(NpsError::Missing { field: name.to_string(), index: row }),
        Cell::Number(_) => None,
        Cell::Text(s) => parse_bool(s),
        Cell::Missing => return Err(NpsError::Missing { field: name.to_string(), index: row }),
    };
    parsed.ok_or_else(|| {
        let value = match cell {
            Cell::Text(s) => format!("{s:?}"),
            Cell::Number(x) => x.to_string(),
            _ => String::new(),
        };
        NpsError::invalid(&format!("{name}[{row}]"), value, "a boolean (true/false, yes/no, 1/0)")
    })
}
