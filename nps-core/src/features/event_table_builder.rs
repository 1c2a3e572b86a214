//! Building an event table one event at a time, from ids and names as a caller holds them
//! (a JavaScript array of objects, a service's stream): the customers, kinds, departments
//! and cases are coded here, in order of first appearance, so no binding keeps its own
//! dictionaries. (Python's columns take a faster, vectorised path to the same table.)
use std::borrow::Cow;

use super::events::{Dictionary, EventColumns, EventTable, NONE};
use super::history::Event;
use crate::error::Result;

/// A customer or case id as a caller holds it: text, or a number (an integer id).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Id<'a> {
    /// A text id (`"C0042"`).
    Text(&'a str),
    /// A numeric id (`42`).
    Number(f64),
}

impl Id<'_> {
    /// The id as a label: text as it is, a number as Rust writes it (`42`, `2.5`), so the
    /// same id given as `42` or `"42"` is one customer.
    pub fn label(&self) -> Cow<'_, str> {
        match self {
            Id::Text(s) => Cow::Borrowed(s),
            Id::Number(x) => Cow::Owned(x.to_string()),
        }
    }
}

/// Events pushed one at a time, coded as they come; [`EventTableBuilder::table`] checks
/// them (kinds built in or declared, survey answers on the scale, times and durations) and
/// gives the table the feature computation reads, with customer codes indexing
/// [`EventTableBuilder::customers`].
#[derive(Debug, Clone, Default)]
pub struct EventTableBuilder {
    customers: Dictionary<String>,
    kinds: Dictionary<String>,
    departments: Dictionary<String>,
    cases: Dictionary<String>,
    customer: Vec<u32>,
    time: Vec<i64>,
    kind: Vec<u32>,
    value: Vec<f64>,
    duration: Vec<f64>,
    department: Vec<u32>,
    case: Vec<u32>,
    flag: Vec<u8>,
}

impl EventTableBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        EventTableBuilder::default()
    }

    /// Adds one event of `customer`. Nothing is checked until [`EventTableBuilder::table`].
    pub fn push(&mut self, customer: Id<'_>, event: &Event<'_>) {
        self.customer.push(self.customers.code(&*customer.label()));
        self.time.push(event.time);
        self.kind.push(self.kinds.code(event.kind));
        self.value.push(event.value.unwrap_or(f64::NAN));
        self.duration.push(event.duration.unwrap_or(f64::NAN));
        self.department.push(event.department.map_or(NONE, |d| self.departments.code(d)));
        self.case.push(event.case.map_or(NONE, |c| self.cases.code(c)));
        self.flag.push(event.flag.map_or(2, u8::from));
    }

    /// The customers' labels, by code (the rows of a feature matrix computed from the table).
    pub fn customers(&self) -> &[String] {
        self.customers.labels()
    }

    /// The events as a checked table; `declared_kinds` are the kinds beyond the built-in
    /// ones. Errors: those of [`EventTable::new`], naming the row.
    pub fn table(&self, declared_kinds: &[&str]) -> Result<EventTable> {
        let kind_names: Vec<&str> = self.kinds.labels().iter().map(String::as_str).collect();
        let department_names: Vec<&str> = self.departments.labels().iter().map(String::as_str).collect();
        let columns = EventColumns {
            customer: &self.customer,
            time: &self.time,
            kind: &self.kind,
            kind_names: &kind_names,
            value: &self.value,
            duration: &self.duration,
            department: &self.department,
            department_names: &department_names,
            case: &self.case,
            flag: &self.flag,
        };
        EventTable::new(&columns, declared_kinds)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_names_are_coded_in_order_of_first_appearance() {
        let mut b = EventTableBuilder::new();
        let e = |time, kind| Event { time, kind, ..Default::default() };
        b.push(Id::Text("C2"), &e(10, "bill"));
        b.push(Id::Number(42.0), &Event { department: Some("billing"), case: Some("K1"), ..e(20, "contact_opened") });
        b.push(Id::Text("42"), &Event { value: Some(9.0), flag: Some(true), ..e(30, "survey_answer") });
        b.push(Id::Text("C2"), &e(40, "churn_call"));
        assert_eq!(b.customers(), ["C2", "42"]);
        let t = b.table(&["churn_call"]).unwrap();
        assert_eq!(t.customer, [0, 1, 1, 0]);
        assert_eq!(t.customers, 2);
        assert_eq!(t.kinds[t.kind[3] as usize], "churn_call");
        assert_eq!(t.departments, ["billing"]);
        assert_eq!((t.department[0], t.department[1]), (NONE, 0));
        assert_eq!((t.case[0], t.case[1]), (NONE, 0));
        assert_eq!(t.flag, [2, 2, 1, 2]);
        assert!(t.value[0].is_nan() && t.value[2] == 9.0);
        // The checks are the table's: an undeclared kind, a survey answer off the scale.
        assert!(b.table(&[]).unwrap_err().to_string().contains("churn_call"));
        b.push(Id::Number(7.0), &Event { value: Some(11.0), ..e(50, "survey_answer") });
        assert!(b.table(&["churn_call"]).unwrap_err().to_string().contains("survey answer"));
        assert_eq!(Id::Number(2.5).label(), "2.5");
    }
}
