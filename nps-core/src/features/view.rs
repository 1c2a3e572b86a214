//! A validated view over event columns that someone else owns.
//!
//! Ten million events are a few hundred megabytes: copying them into an [`EventTable`] only
//! to read them once costs as much time as computing the features. An [`EventView`] checks
//! the caller's columns as [`EventTable::new`] does, but borrows them: absent optional
//! columns stay empty, kind codes are translated when read, and times may come in any
//! whole number of ticks per second (datetime64 in nanoseconds, for instance) and are
//! turned into seconds (rounded down, as numpy does) when read.
use std::borrow::Cow;

use super::events::{
    check_survey_answer, EventColumns, EventTable, BUILT_IN_KINDS, MAX_MAGNITUDE, NONE, SURVEY_ANSWER,
};
use crate::error::{NpsError, Result};

/// Kind codes of a view: the table's own, or the caller's with a translation to the
/// table's.
#[derive(Debug, Clone)]
pub(crate) enum KindCodes<'a> {
    /// Already indexes the view's kind names.
    Own(&'a [u16]),
    /// Indexes the caller's kind names; `map` gives the view's code of each.
    Mapped { codes: &'a [u32], map: Vec<u16> },
    /// One-byte codes into the caller's kind names.
    MappedBytes { codes: &'a [u8], map: Vec<u16> },
}

/// The customer of each event, as the caller holds it.
#[derive(Debug, Clone, Copy)]
pub enum CustomerColumn<'a> {
    /// Codes 0, 1, 2, ... (the customers are codes 0 to the largest).
    Codes(&'a [u32]),
    /// Integer ids numbered from `first`: the code of an id is `id − first`, so that ids
    /// numbered consecutively need no coding pass (see [`super::dense_integer_range`]).
    Offsets {
        /// The ids, each at least `first` and below `first + u32::MAX`.
        ids: &'a [i64],
        /// The id of code 0.
        first: i64,
    },
}

/// The kind of each event, as codes into the caller's kind names.
#[derive(Debug, Clone, Copy)]
pub enum KindColumn<'a> {
    /// Four-byte codes.
    Codes(&'a [u32]),
    /// One-byte codes (a pandas categorical's codes, for instance).
    Bytes(&'a [u8]),
}

impl CustomerColumn<'_> {
    fn len(&self) -> usize {
        match self {
            CustomerColumn::Codes(c) => c.len(),
            CustomerColumn::Offsets { ids, .. } => ids.len(),
        }
    }
}

/// A table is built, and viewed, through the checks of an [`EventView`].
impl EventTable {
    /// Validates and encodes columns. `declared_kinds` lists the kinds beyond
    /// [`BUILT_IN_KINDS`] that the caller allows.
    ///
    /// Errors name the column, the row and the value: mismatched lengths, an unknown kind, a
    /// customer code out of range, a negative or infinite duration, a non-finite value other
    /// than NaN, a flag other than 0/1/2, a department code out of range, a survey answer
    /// that is not a whole number on the 0–10 scale (NaN: the question skipped, allowed).
    pub fn new(columns: &EventColumns<'_>, declared_kinds: &[&str]) -> Result<Self> {
        Ok(EventView::new(columns, declared_kinds, 1)?.to_table())
    }

    /// The table as an [`EventView`], after checking that its columns agree: equal lengths,
    /// customer codes below `customers`, kind codes below the number of kind names.
    pub fn view(&self) -> Result<EventView<'_>> {
        EventView::of_table(self)
    }
}

/// Validated event columns, borrowed from the caller (see the module documentation).
/// Build one with [`EventView::new`] from an [`EventColumns`], or with [`EventTable::view`].
#[derive(Debug, Clone)]
pub struct EventView<'a> {
    pub(crate) customer: CustomerColumn<'a>,
    pub(crate) customers: u32,
    pub(crate) time: &'a [i64],
    pub(crate) ticks_per_second: i64,
    pub(crate) kind: KindCodes<'a>,
    pub(crate) kinds: Cow<'a, [String]>,
    value: &'a [f64],
    duration: &'a [f64],
    department: &'a [u32],
    pub(crate) departments: Vec<&'a str>,
    case: &'a [u32],
    flag: &'a [u8],
}

impl<'a> EventView<'a> {
    /// Validates `columns` without copying them. `declared_kinds` lists the kinds beyond
    /// [`BUILT_IN_KINDS`] the caller allows; `ticks_per_second` is the unit of `columns.time`
    /// (1 for seconds, 1,000,000,000 for nanoseconds), at least 1.
    ///
    /// The errors are those of [`EventTable::new`], which this check is: mismatched lengths,
    /// an unknown kind, a kind code out of range, a negative or infinite duration, an
    /// infinite value, a flag other than 0/1/2, a department code out of range, a survey
    /// answer that is not a whole number on the 0–10 scale (NaN: the question skipped).
    ///
    /// ```
    /// use nps_core::features::{EventColumns, EventView};
    ///
    /// let times_ms = [1_500, 2_999, -1];
    /// let columns = EventColumns {
    ///     customer: &[0, 1, 0],
    ///     time: &times_ms,
    ///     kind: &[0, 0, 0],
    ///     kind_names: &["payment"],
    ///     ..Default::default()
    /// };
    /// let view = EventView::new(&columns, &[], 1_000).unwrap();
    /// assert_eq!((view.len(), view.customers()), (3, 2));
    /// assert_eq!(view.seconds(1), 2);
    /// assert_eq!(view.seconds(2), -1); // rounded down, as datetime64 casts do
    /// ```
    pub fn new(columns: &EventColumns<'a>, declared_kinds: &[&str], ticks_per_second: i64) -> Result<Self> {
        let (customer, kind) = (CustomerColumn::Codes(columns.customer), KindColumn::Codes(columns.kind));
        Self::with_columns(columns, customer, kind, declared_kinds, ticks_per_second)
    }

    /// [`EventView::new`] with the customer and kind columns in other forms (integer ids
    /// numbered from a first id, one-byte kind codes): `customer` and `kind` replace the
    /// fields of `columns` of the same names, which are ignored. Besides the errors of
    /// [`EventView::new`]: an id below `first`, or `u32::MAX` or more above it.
    ///
    /// ```
    /// use nps_core::features::{CustomerColumn, EventColumns, EventView, KindColumn};
    ///
    /// let columns = EventColumns { time: &[5, 6, 7], kind_names: &["usage", "bill"], ..Default::default() };
    /// let ids = [1_000_002, 1_000_000, 1_000_002];
    /// let customer = CustomerColumn::Offsets { ids: &ids, first: 1_000_000 };
    /// let view = EventView::with_columns(&columns, customer, KindColumn::Bytes(&[1, 0, 0]), &[], 1).unwrap();
    /// assert_eq!(view.customers(), 3); // codes 0..=2, code 1 without events
    /// assert_eq!((view.customer(0), view.kinds()[view.kind(0) as usize].as_str()), (2, "bill"));
    /// ```
    pub fn with_columns(
        columns: &EventColumns<'a>,
        customer: CustomerColumn<'a>,
        kind: KindColumn<'a>,
        declared_kinds: &[&str],
        ticks_per_second: i64,
    ) -> Result<Self> {
        if ticks_per_second < 1 {
            return Err(NpsError::invalid("ticks_per_second", ticks_per_second, "at least 1"));
        }
        let n = columns.time.len();
        let check_len = |field: &str, len: usize, optional: bool| {
            if len == n || (optional && len == 0) {
                Ok(())
            } else {
                Err(NpsError::LengthMismatch { field: field.into(), actual: len, other: "time".into(), expected: n })
            }
        };
        check_len("customer", customer.len(), false)?;
        let kind_len = match kind {
            KindColumn::Codes(k) => k.len(),
            KindColumn::Bytes(k) => k.len(),
        };
        check_len("kind", kind_len, false)?;
        check_len("value", columns.value.len(), true)?;
        check_len("duration", columns.duration.len(), true)?;
        check_len("department", columns.department.len(), true)?;
        check_len("case", columns.case.len(), true)?;
        check_len("flag", columns.flag.len(), true)?;
        if n > u32::MAX as usize {
            return Err(NpsError::invalid("events", n, "at most 4294967295 rows"));
        }

        let kinds = kind_names(declared_kinds);
        // The caller's kind codes mapped to ours; an unknown name fails at its first row.
        let known: Vec<Option<u16>> =
            columns.kind_names.iter().map(|name| kinds.iter().position(|k| k == name).map(|p| p as u16)).collect();
        let unknown = |code: usize| known.get(code).is_none_or(Option::is_none);
        let bad_kind = match kind {
            KindColumn::Codes(k) => k.iter().position(|&code| unknown(code as usize)).map(|row| (row, k[row] as usize)),
            KindColumn::Bytes(k) => k.iter().position(|&code| unknown(code as usize)).map(|row| (row, k[row] as usize)),
        };
        if let Some((row, code)) = bad_kind {
            return Err(match known.get(code) {
                Some(_) => NpsError::Unknown {
                    field: format!("event kind (kind[{row}])"),
                    value: columns.kind_names[code].to_string(),
                    expected: format!("a built-in kind ({}) or one declared by the caller", BUILT_IN_KINDS.join(", ")),
                },
                None => NpsError::OutOfRange {
                    field: "kind".into(),
                    index: row,
                    value: code as f64,
                    range: format!("the {} kind names given", columns.kind_names.len()),
                },
            });
        }
        let survey: Vec<bool> = known.iter().map(|k| *k == Some(SURVEY_ANSWER)).collect();
        if survey.contains(&true) {
            match kind {
                KindColumn::Codes(k) => check_survey_rows(n, |row| survey[k[row] as usize], columns.value)?,
                KindColumn::Bytes(k) => check_survey_rows(n, |row| survey[k[row] as usize], columns.value)?,
            }
        }
        let map = known.into_iter().map(|k| k.unwrap_or(0)).collect();
        let kind = match kind {
            KindColumn::Codes(codes) => KindCodes::Mapped { codes, map },
            KindColumn::Bytes(codes) => KindCodes::MappedBytes { codes, map },
        };
        let customers = match customer {
            CustomerColumn::Codes(c) => c.iter().copied().max().map_or(0, |m| m + 1),
            CustomerColumn::Offsets { ids, first } => {
                let out = |row: usize| NpsError::OutOfRange {
                    field: "customer".into(),
                    index: row,
                    value: ids[row] as f64,
                    range: format!("the ids {first} to {first} + 4294967294"),
                };
                let offset = |id: i64| (id as i128 - first as i128) as u128; // huge when below first
                if let Some(row) = ids.iter().position(|&id| offset(id) >= u32::MAX as u128) {
                    return Err(out(row));
                }
                ids.iter().map(|&id| (id.wrapping_sub(first)) as u32).max().map_or(0, |m| m + 1)
            }
        };
        check_floats(columns.value, "value", false)?;
        check_floats(columns.duration, "duration", true)?;
        let departments = columns.department_names.len();
        if let Some(row) = columns.department.iter().position(|&d| d != NONE && d as usize >= departments) {
            return Err(NpsError::OutOfRange {
                field: "department".into(),
                index: row,
                value: columns.department[row] as f64,
                range: format!("the {departments} department names given"),
            });
        }
        if let Some(row) = columns.flag.iter().position(|f| *f > 2) {
            return Err(NpsError::OutOfRange {
                field: "flag".into(),
                index: row,
                value: columns.flag[row] as f64,
                range: "0 (false), 1 (true) or 2 (absent)".into(),
            });
        }
        Ok(EventView {
            customer,
            customers,
            time: columns.time,
            ticks_per_second,
            kind,
            kinds: Cow::Owned(kinds),
            value: columns.value,
            duration: columns.duration,
            department: columns.department,
            departments: columns.department_names.to_vec(),
            case: columns.case,
            flag: columns.flag,
        })
    }

    /// A view of a table (checked: equal column lengths, customer and kind codes in range,
    /// survey answers on the 0–10 scale).
    pub(crate) fn of_table(t: &'a EventTable) -> Result<Self> {
        check_table(t)?;
        let view = EventView::of_checked_table(t);
        let customers = t.customers as usize;
        if let Some(row) = t.customer.iter().position(|&c| c as usize >= customers) {
            return Err(NpsError::OutOfRange {
                field: "customer".into(),
                index: row,
                value: t.customer[row] as f64,
                range: format!("the customer codes 0..{customers}"),
            });
        }
        let kinds = t.kinds.len();
        if let Some(row) = t.kind.iter().position(|&k| k as usize >= kinds) {
            return Err(NpsError::OutOfRange {
                field: "kind".into(),
                index: row,
                value: t.kind[row] as f64,
                range: format!("the {kinds} kind names of the table"),
            });
        }
        if let Some(survey) = t.kinds.iter().position(|k| k == BUILT_IN_KINDS[SURVEY_ANSWER as usize]) {
            check_survey_rows(t.len(), |row| t.kind[row] as usize == survey, &t.value)?;
        }
        Ok(view)
    }

    /// A view of a table whose columns are known to be consistent (a
    /// [`super::CustomerHistory`]'s, whose every event was checked as it was added): no
    /// pass over the events, nothing copied but the department names.
    pub(crate) fn of_checked_table(t: &'a EventTable) -> Self {
        EventView {
            customer: CustomerColumn::Codes(&t.customer),
            customers: t.customers,
            time: &t.time,
            ticks_per_second: 1,
            kind: KindCodes::Own(&t.kind),
            kinds: Cow::Borrowed(&t.kinds),
            value: &t.value,
            duration: &t.duration,
            department: &t.department,
            departments: t.departments.iter().map(String::as_str).collect(),
            case: &t.case,
            flag: &t.flag,
        }
    }

    /// Copies the viewed columns into a table of their own, with times in seconds.
    pub fn to_table(&self) -> EventTable {
        let n = self.len();
        fn or<T: Copy>(column: &[T], absent: T, n: usize) -> Vec<T> {
            if column.is_empty() {
                vec![absent; n]
            } else {
                column.to_vec()
            }
        }
        EventTable {
            customer: (0..n).map(|row| self.customer(row)).collect(),
            customers: self.customers,
            time: match self.ticks_per_second {
                1 => self.time.to_vec(),
                _ => (0..n).map(|row| self.seconds(row)).collect(),
            },
            kind: (0..n).map(|row| self.kind(row)).collect(),
            kinds: self.kinds.to_vec(),
            value: or(self.value, f64::NAN, n),
            duration: or(self.duration, f64::NAN, n),
            department: or(self.department, NONE, n),
            departments: self.departments.iter().map(|d| d.to_string()).collect(),
            case: or(self.case, NONE, n),
            flag: or(self.flag, 2, n),
        }
    }

    /// Number of events.
    pub fn len(&self) -> usize {
        self.time.len()
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Number of customers (codes run from 0 to `customers − 1`).
    pub fn customers(&self) -> u32 {
        self.customers
    }

    /// Kind names: the built-in ones first, then the declared ones.
    pub fn kinds(&self) -> &[String] {
        &self.kinds
    }

    /// Customer code of event `row`.
    #[inline]
    pub fn customer(&self, row: usize) -> u32 {
        match self.customer {
            CustomerColumn::Codes(c) => c[row],
            CustomerColumn::Offsets { ids, first } => ids[row].wrapping_sub(first) as u32,
        }
    }

    /// Time of event `row` in seconds since the epoch, rounded down.
    #[inline]
    pub fn seconds(&self, row: usize) -> i64 {
        self.time[row].div_euclid(self.ticks_per_second)
    }

    /// Kind code of event `row`, an index into [`EventView::kinds`].
    #[inline]
    pub fn kind(&self, row: usize) -> u16 {
        match &self.kind {
            KindCodes::Own(k) => k[row],
            KindCodes::Mapped { codes, map } => map[codes[row] as usize],
            KindCodes::MappedBytes { codes, map } => map[codes[row] as usize],
        }
    }

    /// Value of event `row` (NaN when absent).
    #[inline]
    pub fn value(&self, row: usize) -> f64 {
        self.value.get(row).copied().unwrap_or(f64::NAN)
    }

    /// Duration of event `row` (NaN when absent).
    #[inline]
    pub fn duration(&self, row: usize) -> f64 {
        self.duration.get(row).copied().unwrap_or(f64::NAN)
    }

    /// Department code of event `row` ([`NONE`] when absent).
    #[inline]
    pub fn department(&self, row: usize) -> u32 {
        self.department.get(row).copied().unwrap_or(NONE)
    }

    /// Case code of event `row` ([`NONE`] when absent).
    #[inline]
    pub fn case(&self, row: usize) -> u32 {
        self.case.get(row).copied().unwrap_or(NONE)
    }

    /// Flag of event `row` (2 when absent).
    #[inline]
    pub fn flag(&self, row: usize) -> u8 {
        self.flag.get(row).copied().unwrap_or(2)
    }
}

/// The kind names of a history: the built-in ones, then the declared ones not among them.
pub(crate) fn kind_names(declared_kinds: &[&str]) -> Vec<String> {
    let mut kinds: Vec<String> = BUILT_IN_KINDS.iter().map(|k| k.to_string()).collect();
    for k in declared_kinds {
        if !kinds.iter().any(|x| x == k) {
            kinds.push(k.to_string());
        }
    }
    kinds
}

fn check_floats(values: &[f64], field: &str, non_negative: bool) -> Result<()> {
    // NaN (absent) passes: it compares false.
    let bad = |v: f64| v.abs() > MAX_MAGNITUDE || (non_negative && v < 0.0);
    // Blocks without an early exit inside, so that the check vectorises; the row is looked
    // for only in a block that has a bad value.
    const BLOCK: usize = 1_024;
    let any_bad = |b: &[f64]| b.iter().fold(false, |any, &v| any | bad(v));
    let Some(block) = values.chunks(BLOCK).position(any_bad) else {
        return Ok(());
    };
    if let Some(row) = values.iter().skip(block * BLOCK).position(|&v| bad(v)).map(|r| r + block * BLOCK) {
        check_magnitude(values[row], field, row)?;
        return Err(NpsError::Negative { field: field.into(), index: row, value: values[row] });
    }
    Ok(())
}

/// A value or duration beyond [`MAX_MAGNITUDE`] (infinite included) is an error naming
/// `field[index]`.
pub(super) fn check_magnitude(v: f64, field: &str, index: usize) -> Result<()> {
    if v.abs() > MAX_MAGNITUDE {
        return Err(NpsError::OutOfRange {
            field: field.into(),
            index,
            value: v,
            range: format!("finite numbers of magnitude at most {MAX_MAGNITUDE:e}"),
        });
    }
    Ok(())
}

/// Checks the value of every survey answer among `n` rows (see [`check_survey_answer`]);
/// `value` may be empty (no values: every answer skipped, which is allowed). Blocks without
/// a branch per row, so that the pass costs little on millions of events; the row is looked
/// for only in a block that has a bad answer.
fn check_survey_rows(n: usize, is_survey: impl Fn(usize) -> bool, value: &[f64]) -> Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let bad = |row: usize| {
        let v = value[row];
        let answer = (0.0..=10.0).contains(&v) && (v as u8) as f64 == v;
        is_survey(row) & !(answer | v.is_nan())
    };
    const BLOCK: usize = 1_024;
    for start in (0..n).step_by(BLOCK) {
        let rows = start..n.min(start + BLOCK);
        if rows.clone().fold(false, |any, row| any | bad(row)) {
            for row in rows.filter(|&row| bad(row)) {
                check_survey_answer(value[row], row)?;
            }
        }
    }
    Ok(())
}

/// Checks that the columns of a table have one element per event.
pub(crate) fn check_table(t: &EventTable) -> Result<()> {
    let n = t.time.len();
    let lengths = [
        ("customer", t.customer.len()),
        ("kind", t.kind.len()),
        ("value", t.value.len()),
        ("duration", t.duration.len()),
        ("department", t.department.len()),
        ("case", t.case.len()),
        ("flag", t.flag.len()),
    ];
    for (field, len) in lengths {
        if len != n {
            return Err(NpsError::LengthMismatch {
                field: field.into(),
                actual: len,
                other: "time".into(),
                expected: n,
            });
        }
    }
    if n > u32::MAX as usize {
        return Err(NpsError::invalid("events", n, "at most 4294967295 rows"));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_ticks_round_down_to_seconds() {
        let time = [0, 999_999_999, 1_000_000_000, -1, -1_000_000_001];
        let columns = EventColumns {
            customer: &[0; 5],
            time: &time,
            kind: &[0; 5],
            kind_names: &["usage"],
            ..Default::default()
        };
        let view = EventView::new(&columns, &[], 1_000_000_000).unwrap();
        let seconds: Vec<i64> = (0..5).map(|r| view.seconds(r)).collect();
        assert_eq!(seconds, [0, 0, 1, -1, -2]);
        assert_eq!(EventView::new(&columns, &[], 0).unwrap_err().code(), "INVALID_PARAMETER");
    }

    #[test]
    fn bad_floats_are_found_in_any_block() {
        let mut v = vec![1.0; 5_000];
        assert!(check_floats(&v, "duration", true).is_ok());
        v[2_500] = -0.5;
        v[4_000] = f64::INFINITY;
        assert_eq!(check_floats(&v, "duration", true).unwrap_err().to_string(), "duration[2500] = -0.5 is negative");
        assert_eq!(
            check_floats(&v, "value", false).unwrap_err().to_string(),
            "value[4000] = inf is outside finite numbers of magnitude at most 1e290"
        );
    }

    #[test]
    fn absent_columns_read_as_absent_and_copy_as_a_table() {
        let columns = EventColumns {
            customer: &[1, 0],
            time: &[7, 5],
            kind: &[1, 0],
            kind_names: &["bill", "payment"],
            ..Default::default()
        };
        let view = EventView::new(&columns, &[], 1).unwrap();
        assert!(view.value(0).is_nan() && view.duration(1).is_nan());
        assert_eq!((view.department(0), view.case(1), view.flag(0)), (NONE, NONE, 2));
        let table = view.to_table();
        assert_eq!((table.customer, table.time, table.flag), (vec![1, 0], vec![7, 5], vec![2, 2]));
        assert!(table.value.iter().chain(&table.duration).all(|v| v.is_nan()));
        assert_eq!(view.kinds()[view.kind(0) as usize], "payment");
    }
}
