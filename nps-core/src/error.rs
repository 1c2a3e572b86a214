//! The one error type of the library.
//!
//! Every variant carries the field (and, for element-wise checks, the index and value) that
//! caused it, so a message such as `scores[17] = 11 is outside the scale 0..=10` points the
//! caller straight at the bad row. The bindings map it to `nps.NpsError` (Python) and to an
//! `Error` whose `code` is [`NpsError::code`] (Node).
use thiserror::Error;

/// Result alias used throughout the crate.
pub type Result<T, E = NpsError> = std::result::Result<T, E>;

/// Everything that can go wrong, with enough context to find the offending input.
#[derive(Debug, Error, Clone, PartialEq)]
#[non_exhaustive]
pub enum NpsError {
    /// A required input had no elements (or no weight).
    #[error("{field} is empty")]
    Empty {
        /// The input that was empty.
        field: String,
    },
    /// A value was missing (NaN, `None`) where the policy does not allow it.
    #[error("{field}[{index}] is missing (NaN)")]
    Missing {
        /// The input holding the value.
        field: String,
        /// Position of the value.
        index: usize,
    },
    /// A value lies outside the range it must lie in.
    #[error("{field}[{index}] = {value} is outside {range}")]
    OutOfRange {
        /// The input holding the value.
        field: String,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
        /// The allowed range, for the message (`the scale 0..=10`).
        range: String,
    },
    /// A fractional value where only whole numbers are allowed.
    #[error(
        "{field}[{index}] = {value} is not a whole number (set the non-integer policy to `right_closed` to bin it)"
    )]
    NonInteger {
        /// The input holding the value.
        field: String,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// A negative value where only non-negative ones make sense (weights, counts).
    #[error("{field}[{index}] = {value} is negative")]
    Negative {
        /// The input holding the value.
        field: String,
        /// Position of the value.
        index: usize,
        /// The offending value.
        value: f64,
    },
    /// Two inputs that must be aligned have different lengths.
    #[error("{field} has {actual} elements but {other} has {expected}")]
    LengthMismatch {
        /// The input with the wrong length.
        field: String,
        /// Its length.
        actual: usize,
        /// The input it must match.
        other: String,
        /// The length it must have.
        expected: usize,
    },
    /// A scalar parameter was outside its domain.
    #[error("{name} must be {expected}, got {value}")]
    InvalidParameter {
        /// The parameter's name.
        name: String,
        /// What was given.
        value: String,
        /// What is allowed.
        expected: String,
    },
    /// A name (method, policy, category, period...) that is not one of the known ones.
    #[error("unknown {field} {value:?}; expected one of {expected}")]
    Unknown {
        /// What kind of name it is.
        field: String,
        /// The name given.
        value: String,
        /// The names that are known.
        expected: String,
    },
    /// A text column with more distinct values than a category may have
    /// (`encode::max_categories`): one-hot encoding it would give the model a column
    /// per row. Usually numbers stored as text (one blank cell makes a CSV reader read a
    /// whole column of numbers as text) or an identifier.
    #[error(
        "{}",
        too_many_categories_message(column, *distinct, *rows, *numeric, *limit, "read the file with read_csv (blank cells \
         are missing) or convert the column to numbers", "leave it out of the inputs")
    )]
    TooManyCategories {
        /// The column.
        column: String,
        /// Its distinct values.
        distinct: usize,
        /// The table's rows.
        rows: usize,
        /// How many of the distinct values read as numbers.
        numeric: usize,
        /// The most distinct values a category column of this many rows may hold.
        limit: usize,
    },
    /// A durable store (the `nps-store` crate) could not be read or written: the file, the
    /// table (or `"file"`, `"schema"`) and what went wrong. The core never does I/O; this
    /// variant lets the store report through the library's one error type.
    #[error("store {path}: {table}: {message}")]
    Store {
        /// The store's file.
        path: String,
        /// The table (or `file`, `schema_version`) the error is about, with the row when known.
        table: String,
        /// What went wrong (the system's or SQLite's message).
        message: String,
    },
}

/// The message of [`NpsError::TooManyCategories`] with a binding's own advice: `convert`
/// says how to read numbers stored as text as numbers (Rust: `read_csv`; Python:
/// `nps.read_csv` or `pd.to_numeric`), `leave_out` how to drop an identifier. The likely
/// cause comes first: numbers stored as text when most distinct values read as numbers, an
/// identifier otherwise.
pub fn too_many_categories_message(
    column: &str,
    distinct: usize,
    rows: usize,
    numeric: usize,
    limit: usize,
    convert: &str,
    leave_out: &str,
) -> String {
    let head = format!(
        "column {column:?} is text with {distinct} distinct values in {rows} rows (a category may have at most {}: \
         more than half the rows is not a category)",
        limit
    );
    let as_text = format!("numbers stored as text? e.g. blank cells; {convert}");
    if 2 * numeric > distinct {
        format!("{head}; {numeric} of the values read as numbers: {as_text}")
    } else {
        format!("{head}: an identifier? {leave_out}; or {as_text}")
    }
}

impl NpsError {
    /// A stable, machine-readable code for the variant (used as the Node error `code`).
    pub fn code(&self) -> &'static str {
        match self {
            NpsError::Empty { .. } => "EMPTY",
            NpsError::Missing { .. } => "MISSING_VALUE",
            NpsError::OutOfRange { .. } => "OUT_OF_RANGE",
            NpsError::NonInteger { .. } => "NON_INTEGER",
            NpsError::Negative { .. } => "NEGATIVE",
            NpsError::LengthMismatch { .. } => "LENGTH_MISMATCH",
            NpsError::InvalidParameter { .. } => "INVALID_PARAMETER",
            NpsError::Unknown { .. } => "UNKNOWN_VALUE",
            NpsError::TooManyCategories { .. } => "TOO_MANY_CATEGORIES",
            NpsError::Store { .. } => "STORE",
        }
    }

    /// Shorthand for [`NpsError::InvalidParameter`].
    pub fn invalid(name: &str, value: impl std::fmt::Display, expected: &str) -> Self {
        NpsError::InvalidParameter { name: name.to_string(), value: value.to_string(), expected: expected.to_string() }
    }

    /// Shorthand for [`NpsError::Unknown`].
    pub fn unknown(field: &str, value: &str, expected: &[&str]) -> Self {
        NpsError::Unknown { field: field.to_string(), value: value.to_string(), expected: expected.join(", ") }
    }

    /// The same error placed within a batch: `place` (`row "C0042"`) before the name of
    /// the culprit, so that a message about one item says which: `row "C0042": customer
    /// field "monthly_bill" (the value of action "bill_discount") must be a number, got
    /// missing`.
    pub fn within(self, place: &str) -> Self {
        let at = |field: String| format!("{place}: {field}");
        match self {
            NpsError::Empty { field } => NpsError::Empty { field: at(field) },
            NpsError::Missing { field, index } => NpsError::Missing { field: at(field), index },
            NpsError::OutOfRange { field, index, value, range } => {
                NpsError::OutOfRange { field: at(field), index, value, range }
            }
            NpsError::NonInteger { field, index, value } => NpsError::NonInteger { field: at(field), index, value },
            NpsError::Negative { field, index, value } => NpsError::Negative { field: at(field), index, value },
            NpsError::LengthMismatch { field, actual, other, expected } => {
                NpsError::LengthMismatch { field: at(field), actual, other, expected }
            }
            NpsError::InvalidParameter { name, value, expected } => {
                NpsError::InvalidParameter { name: at(name), value, expected }
            }
            NpsError::Unknown { field, value, expected } => {
                NpsError::Unknown { field: format!("{field} ({place})"), value, expected }
            }
            NpsError::TooManyCategories { column, distinct, rows, numeric, limit } => {
                NpsError::TooManyCategories { column: at(column), distinct, rows, numeric, limit }
            }
            NpsError::Store { path, table, message } => NpsError::Store { path, table: at(table), message },
        }
    }

    /// [`NpsError::Unknown`] with the known name closest to `value` (a likely misspelling,
    /// by edit distance) listed first, the others in their order: `unknown factor
    /// "bill_shok"; expected one of bill_shock, repeat_contacts_90d, ...`.
    pub fn unknown_closest(field: &str, value: &str, expected: &[&str]) -> Self {
        let mut names = expected.to_vec();
        if let Some(best) = (0..names.len()).min_by_key(|&i| edit_distance(value, names[i])) {
            let name = names.remove(best);
            names.insert(0, name);
        }
        NpsError::unknown(field, value, &names)
    }
}

/// The Levenshtein distance between two strings, in characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

/// `Ok` when input `field` has the `expected` length of input `other`; otherwise the
/// [`NpsError::LengthMismatch`] naming both.
pub(crate) fn check_lengths(field: &str, actual: usize, other: &str, expected: usize) -> Result<()> {
    if actual == expected {
        Ok(())
    } else {
        Err(NpsError::LengthMismatch { field: field.into(), actual, other: other.into(), expected })
    }
}

/// Sample weights for `rows` rows (whose input is named `other`): one per row, none NaN
/// (missing), negative or infinite (both [`NpsError::Negative`], as the fits report them).
pub(crate) fn check_sample_weights(w: &[f64], other: &str, rows: usize) -> Result<()> {
    check_lengths("sample_weight", w.len(), other, rows)?;
    for (index, &v) in w.iter().enumerate() {
        if v.is_nan() {
            return Err(NpsError::Missing { field: "sample_weight".into(), index });
        }
        if v < 0.0 || v.is_infinite() {
            return Err(NpsError::Negative { field: "sample_weight".into(), index, value: v });
        }
    }
    Ok(())
}

/// Checks that a confidence or credible level lies strictly between 0 and 1.
pub(crate) fn check_level(level: f64) -> Result<()> {
    if level > 0.0 && level < 1.0 {
        Ok(())
    } else {
        Err(NpsError::invalid("level", level, "strictly between 0 and 1"))
    }
}
