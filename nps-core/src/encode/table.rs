//! A raw table: named columns of numbers or text, with missing values.
use serde::{Deserialize, Serialize};

use crate::error::{NpsError, Result};

/// One column of a raw table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Column {
    /// Numbers; NaN is missing.
    Numeric(Vec<f64>),
    /// Text; `None` is missing.
    Text(Vec<Option<String>>),
}

impl Column {
    /// Number of rows.
    pub fn len(&self) -> usize {
        match self {
            Column::Numeric(v) => v.len(),
            Column::Text(v) => v.len(),
        }
    }

    /// Whether the column has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The cell at `row`.
    pub fn cell(&self, row: usize) -> Cell<'_> {
        match self {
            Column::Numeric(v) if v[row].is_nan() => Cell::Missing,
            Column::Numeric(v) => Cell::Number(v[row]),
            Column::Text(v) => v[row].as_deref().map_or(Cell::Missing, Cell::Text),
        }
    }

    /// Number of missing cells.
    pub fn missing(&self) -> usize {
        match self {
            Column::Numeric(v) => v.iter().filter(|x| x.is_nan()).count(),
            Column::Text(v) => v.iter().filter(|x| x.is_none()).count(),
        }
    }
}

/// One value, as a caller holds it: what the encoder reads for a row (a table's row, or a
/// single customer given field by field).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// A number.
    Number(f64),
    /// Text.
    Text(&'a str),
    /// A boolean.
    Bool(bool),
    /// No value.
    Missing,
}

/// Named columns of equal length.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RawTable {
    /// Column names, unique.
    pub names: Vec<String>,
    /// The columns, in name order.
    pub columns: Vec<Column>,
}

impl RawTable {
    /// A table from names and columns. Errors: a duplicate name, a column whose length
    /// differs from the first.
    pub fn new(names: Vec<String>, columns: Vec<Column>) -> Result<RawTable> {
        if names.len() != columns.len() {
            return Err(NpsError::LengthMismatch {
                field: "columns".into(),
                actual: columns.len(),
                other: "names".into(),
                expected: names.len(),
            });
        }
        for (i, name) in names.iter().enumerate() {
            if names[..i].contains(name) {
                return Err(NpsError::invalid("names", format!("{name:?} twice"), "unique column names"));
            }
            if columns[i].len() != columns[0].len() {
                return Err(NpsError::LengthMismatch {
                    field: format!("column {name:?}"),
                    actual: columns[i].len(),
                    other: format!("column {:?}", names[0]),
                    expected: columns[0].len(),
                });
            }
        }
        Ok(RawTable { names, columns })
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, Column::len)
    }

    /// Whether the table has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The table of the rows `rows` (indices into this table, in the order given).
    pub fn select(&self, rows: &[usize]) -> RawTable {
        let columns = self
            .columns
            .iter()
            .map(|c| match c {
                Column::Numeric(v) => Column::Numeric(rows.iter().map(|&r| v[r]).collect()),
                Column::Text(v) => Column::Text(rows.iter().map(|&r| v[r].clone()).collect()),
            })
            .collect();
        RawTable { names: self.names.clone(), columns }
    }

    /// The column named `name`.
    pub fn column(&self, name: &str) -> Result<&Column> {
        let i = self.position(name)?;
        Ok(&self.columns[i])
    }

    /// Takes the column named `name` out of the table (the label column, say).
    pub fn remove(&mut self, name: &str) -> Result<Column> {
        let i = self.position(name)?;
        self.names.remove(i);
        Ok(self.columns.remove(i))
    }

    fn position(&self, name: &str) -> Result<usize> {
        self.names.iter().position(|n| n == name).ok_or_else(|| NpsError::Unknown {
            field: "column".into(),
            value: name.to_string(),
            expected: self.names.join(", "),
        })
    }
}
