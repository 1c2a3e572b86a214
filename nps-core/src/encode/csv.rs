//! Reading a CSV file into a [`RawTable`], with blank cells as missing values.
use super::table::{Column, RawTable};
use crate::error::{NpsError, Result};

/// Reads CSV text (RFC 4180: a header row, commas, double-quoted fields with `""` for a
/// quote, LF or CRLF line ends). A blank cell (empty or only spaces, like the 11
/// `TotalCharges` of the Telco file) is missing, not zero and not an error. A column is
/// numeric when every non-missing cell parses as a finite number, text otherwise.
/// Errors: no header, a row with a different number of fields (naming its line), an
/// unterminated quote.
pub fn read_csv(text: &str) -> Result<RawTable> {
    let mut records = parse(text)?.into_iter();
    let (_, header) = records.next().ok_or_else(|| NpsError::Empty { field: "csv".into() })?;
    let width = header.len();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); width];
    for (line, record) in records {
        if record.len() != width {
            return Err(NpsError::invalid(
                &format!("csv line {line}"),
                format!("{} fields", record.len()),
                &format!("{width} fields, as the header"),
            ));
        }
        for (column, cell) in cells.iter_mut().zip(record) {
            column.push((!cell.trim().is_empty()).then_some(cell));
        }
    }
    let columns = cells
        .into_iter()
        .map(|column| {
            let numbers: Option<Vec<f64>> = column
                .iter()
                .map(|c| match c {
                    None => Some(f64::NAN),
                    Some(s) => s.trim().parse::<f64>().ok().filter(|v| v.is_finite()),
                })
                .collect();
            match numbers {
                Some(v) => Column::Numeric(v),
                None => Column::Text(column),
            }
        })
        .collect();
    RawTable::new(header, columns)
}

/// Reads a CSV file (see [`read_csv`]); an I/O error names the path.
pub fn read_csv_path(path: impl AsRef<std::path::Path>) -> Result<RawTable> {
    let path = path.as_ref();
    let text = std::fs::read_to_string(path)
        .map_err(|e| NpsError::invalid("path", path.display(), &format!("a readable CSV file ({e})")))?;
    read_csv(&text)
}

/// Splits CSV text into records of fields, each with its starting line number (1-based).
fn parse(text: &str) -> Result<Vec<(usize, Vec<String>)>> {
    let mut records = Vec::new();
    let mut record = Vec::new();
    let mut field = String::new();
    let (mut line, mut start_line) = (1, 1);
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    let mut any = false; // the current record has content
    while let Some(c) = chars.next() {
        if quoted {
            match c {
                '"' if chars.peek() == Some(&'"') => {
                    chars.next();
                    field.push('"');
                }
                '"' => quoted = false,
                '\n' => {
                    line += 1;
                    field.push(c);
                }
                _ => field.push(c),
            }
            continue;
        }
        match c {
            '"' => {
                quoted = true;
                any = true;
            }
            ',' => {
                record.push(std::mem::take(&mut field));
                any = true;
            }
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' => {
                if any || !field.is_empty() {
                    record.push(std::mem::take(&mut field));
                    records.push((start_line, std::mem::take(&mut record)));
                }
                any = false;
                line += 1;
                start_line = line;
            }
            _ => {
                field.push(c);
                any = true;
            }
        }
    }
    if quoted {
        return Err(NpsError::invalid(&format!("csv line {start_line}"), "an unterminated quote", "a closing quote"));
    }
    if any || !field.is_empty() {
        record.push(field);
        records.push((start_line, record));
    }
    Ok(records)
}
