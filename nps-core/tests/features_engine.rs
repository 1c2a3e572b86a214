//! The feature engine on hand-written histories (expected values worked out in comments),
//! the JSON errors with their paths, and properties on random histories: nothing at or after
//! the reference time leaks in, row order does not matter, counts are counts.
use nps_core::features::{
    compute, compute_view, retention, Aggregation, CustomerColumn, CustomerHistory, Event, EventColumns, EventTable,
    EventView, FeatureMatrix, FeatureRule, FeatureSet, Filter, KindColumn, AGGREGATIONS, BUILT_IN_KINDS, NONE,
};
use nps_core::NpsError;
use proptest::prelude::*;

const DAY: i64 = 86_400;
/// The reference time: midnight UTC, 20 000 days after the epoch (2024-10-04).
const AS_OF: i64 = 20_000 * DAY;
const DEPARTMENTS: [&str; 2] = ["billing", "tech"];

/// One event as a test writes it.
#[derive(Debug, Clone, Copy)]
struct E {
    customer: u32,
    time: i64,
    kind: &'static str,
    value: f64,
    duration: f64,
    department: u32,
    case: u32,
    flag: u8,
}

/// An event at an exact time.
fn at(customer: u32, time: i64, kind: &'static str) -> E {
    E { customer, time, kind, value: f64::NAN, duration: f64::NAN, department: NONE, case: NONE, flag: 2 }
}

/// An event `days` days before the reference time.
fn ago(customer: u32, days: f64, kind: &'static str) -> E {
    at(customer, AS_OF - (days * DAY as f64).round() as i64, kind)
}

impl E {
    fn v(mut self, value: f64) -> E {
        self.value = value;
        self
    }
    fn d(mut self, duration: f64) -> E {
        self.duration = duration;
        self
    }
    fn dept(mut self, name: &str) -> E {
        self.department = DEPARTMENTS.iter().position(|d| *d == name).unwrap() as u32;
        self
    }
    fn case(mut self, case: u32) -> E {
        self.case = case;
        self
    }
    fn flag(mut self, flag: bool) -> E {
        self.flag = flag as u8;
        self
    }
}

/// The events as a table with `customers` customers (some may have no events).
fn table(events: &[E], customers: u32) -> EventTable {
    let col = |f: &dyn Fn(&E) -> u32| events.iter().map(f).collect::<Vec<u32>>();
    let customer = col(&|e| e.customer);
    let kind = col(&|e| BUILT_IN_KINDS.iter().position(|k| *k == e.kind).expect("a built-in kind") as u32);
    let department = col(&|e| e.department);
    let case = col(&|e| e.case);
    let time: Vec<i64> = events.iter().map(|e| e.time).collect();
    let value: Vec<f64> = events.iter().map(|e| e.value).collect();
    let duration: Vec<f64> = events.iter().map(|e| e.duration).collect();
    let flag: Vec<u8> = events.iter().map(|e| e.flag).collect();
    let mut t = EventTable::new(
        &EventColumns {
            customer: &customer,
            time: &time,
            kind: &kind,
            kind_names: &BUILT_IN_KINDS,
            value: &value,
            duration: &duration,
            department: &department,
            department_names: &DEPARTMENTS,
            case: &case,
            flag: &flag,
        },
        &[],
    )
    .unwrap();
    assert!(t.customers <= customers);
    t.customers = customers;
    t
}

fn set(features: &str) -> FeatureSet {
    FeatureSet::from_json(&format!(r#"{{"features": [{features}]}}"#)).unwrap()
}

/// Column `name` of the features computed as of [`AS_OF`].
fn column(features: &str, events: &[E], customers: u32, name: &str) -> Vec<f64> {
    let m = compute(&table(events, customers), &set(features), AS_OF).unwrap();
    m.column(name).unwrap().to_vec()
}

/// The single feature `f` defined by the JSON object members `def`.
fn feature(def: &str, events: &[E], customers: u32) -> Vec<f64> {
    column(&format!(r#"{{"name": "f", {def}}}"#), events, customers, "f")
}

/// Equal up to rounding, NaN equal to NaN.
#[track_caller]
fn same(actual: &[f64], expected: &[f64]) {
    assert_eq!(actual.len(), expected.len(), "{actual:?} vs {expected:?}");
    for (a, e) in actual.iter().zip(expected) {
        let ok = (a.is_nan() && e.is_nan()) || a == e || (a - e).abs() <= 1e-12 * e.abs().max(1.0);
        assert!(ok, "{actual:?} vs expected {expected:?}");
    }
}

fn error(json: &str) -> String {
    FeatureSet::from_json(json).unwrap_err().to_string()
}

fn error_of(features: &str) -> String {
    error(&format!(r#"{{"features": [{features}]}}"#))
}

const NAN: f64 = f64::NAN;

// ---------------------------------------------------------------------------------------
// Aggregations

/// Customer 0: usage 10 (40 days ago), 30 (20 days), 20 (10 days), one without a value (5
/// days), 5 (one second before the reference time) and 1000 exactly at it (excluded).
/// Customer 1 has no events; customer 2 one event, 7, three days ago.
fn usage_history() -> Vec<E> {
    vec![
        ago(0, 20.0, "usage").v(30.0),
        at(0, AS_OF, "usage").v(1000.0),
        ago(0, 40.0, "usage").v(10.0),
        ago(2, 3.0, "usage").v(7.0),
        ago(0, 5.0, "usage"),
        at(0, AS_OF - 1, "usage").v(5.0),
        ago(0, 10.0, "usage").v(20.0),
        at(2, AS_OF + 5, "usage").v(99.0),
    ]
}

#[test]
fn count_sum_mean_min_max() {
    let h = usage_history();
    // Counts every event strictly before the reference time, valued or not: 5, 0, 1.
    same(&feature(r#""kinds": ["usage"], "aggregation": "count""#, &h, 3), &[5.0, 0.0, 1.0]);
    // Values 10 + 30 + 20 + 5 (the absent one skipped, the one at as_of excluded).
    same(&feature(r#""kinds": ["usage"], "aggregation": "sum", "field": "value""#, &h, 3), &[65.0, 0.0, 7.0]);
    same(&feature(r#""kinds": ["usage"], "aggregation": "mean", "field": "value""#, &h, 3), &[65.0 / 4.0, NAN, 7.0]);
    same(&feature(r#""kinds": ["usage"], "aggregation": "min", "field": "value""#, &h, 3), &[5.0, NAN, 7.0]);
    same(&feature(r#""kinds": ["usage"], "aggregation": "max", "field": "value""#, &h, 3), &[30.0, NAN, 7.0]);
    // Another kind entirely: nothing matches.
    same(&feature(r#""kinds": ["bill"], "aggregation": "count""#, &h, 3), &[0.0, 0.0, 0.0]);
}

#[test]
fn sample_standard_deviation() {
    let h = usage_history();
    // 10, 30, 20, 5: mean 16.25, squared deviations 39.0625 + 189.0625 + 14.0625 + 126.5625
    // = 368.75, over n − 1 = 3: sqrt(122.916..) = 11.0867...; one value: NaN; none: NaN.
    let std = feature(r#""kinds": ["usage"], "aggregation": "std", "field": "value""#, &h, 3);
    same(&std, &[(368.75f64 / 3.0).sqrt(), NAN, NAN]);
    assert!((std[0] - 11.086778913041726).abs() < 1e-12);
    // Two equal values: 0.
    let h = [ago(0, 2.0, "bill").v(4.0), ago(0, 1.0, "bill").v(4.0)];
    same(&feature(r#""kinds": ["bill"], "aggregation": "std", "field": "value""#, &h, 1), &[0.0]);
}

#[test]
fn first_and_last_by_time() {
    let h = usage_history();
    // Earliest valued event 40 days ago (10); latest one second before as_of (5).
    same(&feature(r#""kinds": ["usage"], "aggregation": "first", "field": "value""#, &h, 3), &[10.0, NAN, 7.0]);
    same(&feature(r#""kinds": ["usage"], "aggregation": "last", "field": "value""#, &h, 3), &[5.0, NAN, 7.0]);
}

#[test]
fn ties_on_time_keep_input_row_order() {
    // Three bills at the same instant, rows in the order 1, 2, 3, and one earlier bill
    // given last; the input is not sorted.
    let t = AS_OF - 3 * DAY;
    let h = [at(0, t, "bill").v(1.0), at(0, t, "bill").v(2.0), at(0, t, "bill").v(3.0), at(0, t - DAY, "bill").v(0.5)];
    same(&feature(r#""kinds": ["bill"], "aggregation": "first", "field": "value""#, &h, 1), &[0.5]);
    same(&feature(r#""kinds": ["bill"], "aggregation": "last", "field": "value""#, &h, 1), &[3.0]);
    // Without the earlier one, the first row of the tie comes first.
    same(&feature(r#""kinds": ["bill"], "aggregation": "first", "field": "value""#, &h[..3], 1), &[1.0]);
    // Reversed rows: the tie breaks the other way.
    let r: Vec<E> = h.iter().rev().copied().collect();
    same(&feature(r#""kinds": ["bill"], "aggregation": "first", "field": "value""#, &r[1..], 1), &[3.0]);
    same(&feature(r#""kinds": ["bill"], "aggregation": "last", "field": "value""#, &r, 1), &[1.0]);
}

#[test]
fn long_unsorted_histories_sort_stably() {
    // 100 payments for one customer, times decreasing by row, with ties in pairs: rows 2k and
    // 2k + 1 share time AS_OF − (50 − k) days... written backwards. Values are the row numbers.
    let mut h = Vec::new();
    for row in 0..100u32 {
        let k = 49 - (row / 2) as i64; // rows 0, 1 are the latest (k = 49), rows 98, 99 the earliest
        h.push(at(0, AS_OF - (50 - k) * DAY, "payment").v(row as f64));
    }
    // Earliest time holds rows 98 and 99: first = 98; latest holds rows 0 and 1: last = 1.
    same(&feature(r#""kinds": ["payment"], "aggregation": "first", "field": "value""#, &h, 1), &[98.0]);
    same(&feature(r#""kinds": ["payment"], "aggregation": "last", "field": "value""#, &h, 1), &[1.0]);
    // Gaps are 1 day (between pairs) and 0 (within): 50 ties + 49 one-day gaps, all within 1 day.
    same(&feature(r#""kinds": ["payment"], "aggregation": {"repeat_count": {"within_days": 1}}"#, &h, 1), &[99.0]);
    same(&feature(r#""kinds": ["payment"], "aggregation": {"repeat_count": {"within_days": 0}}"#, &h, 1), &[50.0]);
}

#[test]
fn windows_include_their_start_and_exclude_their_end() {
    let h = [
        at(0, AS_OF - 10 * DAY, "outage"),     // exactly 10 days: in the last 10 days
        at(0, AS_OF - 10 * DAY - 1, "outage"), // one second older: not
        at(0, AS_OF - 20 * DAY, "outage"),     // start of the previous 10 days
        at(0, AS_OF - 1, "outage"),            // one second before as_of: in
        at(0, AS_OF, "outage"),                // at as_of: never
    ];
    same(&feature(r#""kinds": ["outage"], "aggregation": "count", "window": {"days": 10}"#, &h, 1), &[2.0]);
    // as_of − 20 days ≤ t < as_of − 10 days: the −20 d and the −10 d − 1 s events.
    let prev = r#""kinds": ["outage"], "aggregation": "count", "window": {"days": 10, "offset_days": 10}"#;
    same(&feature(prev, &h, 1), &[2.0]);
    // Fractional days: the last half day holds only the event one second before as_of.
    same(&feature(r#""kinds": ["outage"], "aggregation": "count", "window": {"days": 0.5}"#, &h, 1), &[1.0]);
    // No window: everything before as_of.
    same(&feature(r#""kinds": ["outage"], "aggregation": "count""#, &h, 1), &[4.0]);
}

#[test]
fn distinct_count_of_cases_and_departments() {
    let h = [
        ago(0, 9.0, "contact_opened").case(7).dept("billing"),
        ago(0, 8.0, "contact_opened").case(7).dept("tech"),
        ago(0, 7.0, "contact_opened").case(8).dept("billing"),
        ago(0, 6.0, "contact_opened"), // no case, no department: skipped
        ago(1, 6.0, "contact_opened"),
    ];
    // Cases {7, 8}: 2; departments {billing, tech}: 2; customer 1 has neither: 0.
    let cases = r#""kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "case""#;
    same(&feature(cases, &h, 3), &[2.0, 0.0, 0.0]);
    let depts = r#""kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "department""#;
    same(&feature(depts, &h, 3), &[2.0, 0.0, 0.0]);
    // Last 7.5 days: only case 8 (and the caseless one).
    let recent =
        r#""kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "case", "window": {"days": 7.5}"#;
    same(&feature(recent, &h, 3), &[1.0, 0.0, 0.0]);
}

#[test]
fn days_since_last_and_first() {
    let h = usage_history();
    // Latest event one second before as_of: 1/86400 days; customer 2: 3 days; none: NaN.
    let last = feature(r#""kinds": ["usage"], "aggregation": "days_since_last""#, &h, 3);
    same(&last, &[1.0 / 86_400.0, NAN, 3.0]);
    same(&feature(r#""kinds": ["usage"], "aggregation": "days_since_first""#, &h, 3), &[40.0, NAN, 3.0]);
    // In an offset window, still measured to as_of: the window [−30 d, −15 d) holds the −20 d event.
    let w = r#""kinds": ["usage"], "aggregation": "days_since_last", "window": {"days": 15, "offset_days": 15}"#;
    same(&feature(w, &h, 3), &[20.0, NAN, NAN]);
}

#[test]
fn slope_per_day() {
    // Customer 0: 10, 20, 30 at −30, −20, −10 days: 1 per day.
    // Customer 1: (−3, 1), (−2, 3), (−1, 2): x̄ = −2, ȳ = 2, Sxy = (−1)(−1) + 0·1 + 1·0 = 1,
    // Sxx = 2: 0.5 per day.
    // Customer 2: two values at the same time: NaN. Customer 3: one value: NaN. Customer 4: none.
    let h = [
        ago(0, 10.0, "usage").v(30.0),
        ago(0, 30.0, "usage").v(10.0),
        ago(0, 20.0, "usage").v(20.0),
        ago(1, 3.0, "usage").v(1.0),
        ago(1, 2.0, "usage").v(3.0),
        ago(1, 1.0, "usage").v(2.0),
        ago(1, 0.5, "usage"), // no value: skipped
        ago(2, 1.0, "usage").v(1.0),
        ago(2, 1.0, "usage").v(5.0),
        ago(3, 1.0, "usage").v(1.0),
    ];
    same(
        &feature(r#""kinds": ["usage"], "aggregation": "slope", "field": "value""#, &h, 5),
        &[1.0, 0.5, NAN, NAN, NAN],
    );
}

#[test]
fn repeat_count_within_days() {
    // Contacts at −60, −50, −45, −44.5, −30, −23, −10 days. Gaps 10, 5, 0.5, 14.5, 7, 13: within
    // 7 days (inclusive) are 5, 0.5 and 7: 3.
    let h: Vec<E> = [60.0, 50.0, 45.0, 44.5, 30.0, 23.0, 10.0].iter().map(|d| ago(0, *d, "contact_opened")).collect();
    let r = |window: &str| {
        feature(
            &format!(r#""kinds": ["contact_opened"], "aggregation": {{"repeat_count": {{"within_days": 7}}}}{window}"#),
            &h,
            2,
        )
    };
    same(&r(""), &[3.0, 0.0]);
    // Last 50 days (−50 included): gaps 5, 0.5, 14.5, 7, 13: still 3.
    same(&r(r#", "window": {"days": 50}"#), &[3.0, 0.0]);
    // Last 45 days: −45, −44.5, −30, −23, −10; the −50 one is not in the window so −45 has no
    // previous: 0.5 and 7: 2.
    same(&r(r#", "window": {"days": 45}"#), &[2.0, 0.0]);
    // Last 12 days: a single event, no repeat.
    same(&r(r#", "window": {"days": 12}"#), &[0.0, 0.0]);
}

#[test]
fn last_over_mean_of_previous() {
    let shock = r#""kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 3}}, "field": "value""#;
    let h = [
        // Customer 0: 100, 50, 100, 150, 200 (in time order, rows shuffled): 200 / mean(50, 100, 150) = 2.
        ago(0, 30.0, "bill").v(200.0),
        ago(0, 150.0, "bill").v(100.0),
        ago(0, 90.0, "bill").v(100.0),
        ago(0, 120.0, "bill").v(50.0),
        ago(0, 60.0, "bill").v(150.0),
        // Customer 1: three bills: fewer than 3 + 1: NaN.
        ago(1, 3.0, "bill").v(10.0),
        ago(1, 2.0, "bill").v(10.0),
        ago(1, 1.0, "bill").v(10.0),
        // Customer 2: 0, 0, 0, 10: a zero baseline: NaN.
        ago(2, 4.0, "bill").v(0.0),
        ago(2, 3.0, "bill").v(0.0),
        ago(2, 2.0, "bill").v(0.0),
        ago(2, 1.0, "bill").v(10.0),
        // Customer 3: 30, 10, 20, 60, plus a bill without a value after it (skipped): 60 / 20 = 3.
        ago(3, 4.0, "bill").v(30.0),
        ago(3, 3.0, "bill").v(10.0),
        ago(3, 2.0, "bill").v(20.0),
        ago(3, 1.0, "bill").v(60.0),
        ago(3, 0.5, "bill"),
    ];
    same(&feature(shock, &h, 5), &[2.0, NAN, NAN, 3.0, NAN]);
    // With previous = 1: last over the one before: 200/150, 1, 10/0 → NaN, 60/20.
    let one = r#""kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 1}}, "field": "value""#;
    same(&feature(one, &h, 5), &[200.0 / 150.0, 1.0, NAN, 3.0, NAN]);
}

#[test]
fn gap_ratio_against_median_gap() {
    let h = [
        // Customer 0: −40, −30, −20, −10: gaps 10, 10, 10, median 10; 10 days since: 1.
        ago(0, 40.0, "top_up"),
        ago(0, 30.0, "top_up"),
        ago(0, 20.0, "top_up"),
        ago(0, 10.0, "top_up"),
        // Customer 1: −50, −45, −30, −28: gaps 5, 15, 2, median 5; 28 days since: 5.6.
        ago(1, 28.0, "top_up"),
        ago(1, 30.0, "top_up"),
        ago(1, 45.0, "top_up"),
        ago(1, 50.0, "top_up"),
        // Customer 2: −31, −30, −27, −20, −10: gaps 1, 3, 7, 10, median (3 + 7) / 2 = 5; 10 / 5 = 2.
        ago(2, 31.0, "top_up"),
        ago(2, 30.0, "top_up"),
        ago(2, 27.0, "top_up"),
        ago(2, 20.0, "top_up"),
        ago(2, 10.0, "top_up"),
        // Customer 3: one top-up: NaN. Customer 4: two at the same time, median gap 0: NaN.
        ago(3, 10.0, "top_up"),
        ago(4, 10.0, "top_up"),
        ago(4, 10.0, "top_up"),
    ];
    same(&feature(r#""kinds": ["top_up"], "aggregation": "gap_ratio""#, &h, 6), &[1.0, 5.6, 2.0, NAN, NAN, NAN]);
}

#[test]
fn nps_category_of_the_last_answer() {
    let answers = [6.0, 7.0, 8.0, 9.0, 10.0, 0.0];
    let mut h: Vec<E> = Vec::new();
    for (c, a) in answers.iter().enumerate() {
        h.push(ago(c as u32, 10.0, "survey_answer").v(if *a == 0.0 { 10.0 } else { 0.0 })); // older, overridden
        h.push(ago(c as u32, 5.0, "survey_answer").v(*a));
    }
    // Customer 6: a 9, then an answer without a value (the score question skipped): promoter.
    h.push(ago(6, 5.0, "survey_answer").v(9.0));
    h.push(ago(6, 1.0, "survey_answer"));
    // 6 detractor, 7 and 8 passive, 9 and 10 promoter, 0 detractor; 9 (later answer
    // skipped); no answer: NaN.
    let cat = feature(r#""kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value""#, &h, 8);
    same(&cat, &[0.0, 1.0, 1.0, 2.0, 2.0, 0.0, 2.0, NAN]);
    // The skipped answer is a survey taken (days since the last one: 1), not a score.
    let days = feature(r#""kinds": ["survey_answer"], "aggregation": "days_since_last""#, &h, 8);
    assert_eq!(days[6], 1.0);
}

/// An answer off the 0–10 scale, or not whole, is an error naming its row and value, in a
/// table, a view and a customer's history alike.
#[test]
fn survey_answers_off_the_scale_are_refused() {
    for bad in [11.0, -1.0, 6.5, f64::INFINITY] {
        let events = [ago(0, 9.0, "usage").v(5.0), ago(1, 5.0, "survey_answer").v(bad)];
        let kind: Vec<u32> = vec![5, 10];
        let value = [5.0, bad];
        let columns = EventColumns {
            customer: &[0, 1],
            time: &[events[0].time, events[1].time],
            kind: &kind,
            kind_names: &BUILT_IN_KINDS,
            value: &value,
            ..Default::default()
        };
        let err = EventTable::new(&columns, &[]).unwrap_err();
        assert!(
            matches!(err, NpsError::OutOfRange { index: 1, value, .. } if value == bad || bad.is_infinite()),
            "{err}"
        );
        let view = EventView::with_columns(&columns, CustomerColumn::Codes(&[0, 1]), KindColumn::Codes(&kind), &[], 1);
        assert!(view.is_err());
        let mut h = CustomerHistory::new(&[]);
        let e = Event { time: 0, kind: "survey_answer", value: Some(bad), ..Default::default() };
        let err = h.push(&e).unwrap_err().to_string();
        assert!(err.contains("survey answer") && h.is_empty(), "{err}");
    }
    // Found past the first blocks of rows, named by its row; answers skipped (NaN) pass.
    let mut events: Vec<E> = (0..5_000)
        .map(|i| ago(i % 7, 3.0, if i % 3 == 0 { "survey_answer" } else { "usage" }).v((i % 11) as f64))
        .collect();
    events[3_001] = ago(1, 2.0, "survey_answer");
    events[3_003] = ago(1, 2.0, "survey_answer").v(10.5);
    let kind: Vec<u32> =
        events.iter().map(|e| BUILT_IN_KINDS.iter().position(|k| *k == e.kind).unwrap() as u32).collect();
    let (customer, time, value): (Vec<u32>, Vec<i64>, Vec<f64>) = (
        events.iter().map(|e| e.customer).collect(),
        events.iter().map(|e| e.time).collect(),
        events.iter().map(|e| e.value).collect(),
    );
    let columns = EventColumns {
        customer: &customer,
        time: &time,
        kind: &kind,
        kind_names: &BUILT_IN_KINDS,
        value: &value,
        ..Default::default()
    };
    let err = EventTable::new(&columns, &[]).unwrap_err();
    assert!(matches!(err, NpsError::OutOfRange { index: 3_003, value, .. } if value == 10.5), "{err}");
    // A table built by hand: refused when it is computed.
    let mut t = table(&[ago(0, 5.0, "survey_answer").v(7.0)], 1);
    t.value[0] = 12.0;
    let err =
        compute(&t, &set(r#"{"name": "n", "kinds": ["survey_answer"], "aggregation": "count"}"#), AS_OF).unwrap_err();
    assert!(err.to_string().contains("12"), "{err}");
}

#[test]
fn aggregations_of_duration() {
    let h = [
        ago(0, 3.0, "contact_resolved").d(300.0).v(9.0),
        ago(0, 2.0, "contact_resolved").d(600.0),
        ago(0, 1.0, "contact_resolved").v(2.0), // no duration: skipped for duration
    ];
    same(&feature(r#""kinds": ["contact_resolved"], "aggregation": "mean", "field": "duration""#, &h, 1), &[450.0]);
    same(&feature(r#""kinds": ["contact_resolved"], "aggregation": "last", "field": "duration""#, &h, 1), &[600.0]);
    same(&feature(r#""kinds": ["contact_resolved"], "aggregation": "last", "field": "value""#, &h, 1), &[2.0]);
}

// ---------------------------------------------------------------------------------------
// Filters, defaults, composites

fn contacts() -> Vec<E> {
    vec![
        ago(0, 5.0, "contact_opened").dept("billing").flag(true).v(3.0).d(100.0),
        ago(0, 4.0, "contact_opened").dept("billing").flag(false).v(8.0),
        ago(0, 3.0, "contact_opened").dept("tech").flag(true).v(6.0).d(50.0),
        ago(0, 2.0, "contact_opened").v(10.0), // no department, absent flag
        at(0, AS_OF, "contact_opened").dept("billing").flag(true).v(0.0), // at as_of: never
    ]
}

#[test]
fn filters_select_events() {
    let h = contacts();
    let count = |filter: &str| {
        feature(&format!(r#""kinds": ["contact_opened"], "aggregation": "count", "filter": {filter}"#), &h, 2)
    };
    same(&count(r#"{"field": "department", "equals": "billing"}"#), &[2.0, 0.0]);
    same(&count(r#"{"field": "department", "equals": "tech"}"#), &[1.0, 0.0]);
    // A department the table does not know matches nothing.
    same(&count(r#"{"field": "department", "equals": "retention desk"}"#), &[0.0, 0.0]);
    // Flags: an absent flag is neither true nor false.
    same(&count(r#"{"field": "flag", "equals": true}"#), &[2.0, 0.0]);
    same(&count(r#"{"field": "flag", "equals": false}"#), &[1.0, 0.0]);
    // Ranges are inclusive: values 3, 8, 6, 10 → [3, 8] keeps 3, 8, 6; min only; max only.
    same(&count(r#"{"field": "value", "min": 3, "max": 8}"#), &[3.0, 0.0]);
    same(&count(r#"{"field": "value", "min": 8}"#), &[2.0, 0.0]);
    same(&count(r#"{"field": "value", "max": 6}"#), &[2.0, 0.0]);
    // Durations 100, 50 and two absent ones (never in a range).
    same(&count(r#"{"field": "duration", "min": 60}"#), &[1.0, 0.0]);
    same(&count(r#"{"field": "duration"}"#), &[2.0, 0.0]);
    // Combinations: billing and flagged: 1; billing or tech: 3; not billing: 2 (tech and none);
    // empty all: everything (4); empty any: nothing.
    same(
        &count(r#"{"all": [{"field": "department", "equals": "billing"}, {"field": "flag", "equals": true}]}"#),
        &[1.0, 0.0],
    );
    same(
        &count(r#"{"any": [{"field": "department", "equals": "billing"}, {"field": "department", "equals": "tech"}]}"#),
        &[3.0, 0.0],
    );
    same(&count(r#"{"not": {"field": "department", "equals": "billing"}}"#), &[2.0, 0.0]);
    same(&count(r#"{"not": {"not": {"field": "flag", "equals": true}}}"#), &[2.0, 0.0]);
    same(&count(r#"{"all": []}"#), &[4.0, 0.0]);
    same(&count(r#"{"any": []}"#), &[0.0, 0.0]);
    // A filter narrows what a numeric aggregation sees: billing values 3 and 8: mean 5.5.
    let mean = r#""kinds": ["contact_opened"], "aggregation": "mean", "field": "value", "filter": {"field": "department", "equals": "billing"}"#;
    same(&feature(mean, &h, 2), &[5.5, NAN]);
}

#[test]
fn defaults_fill_empty_windows_only() {
    let h = [ago(0, 3.0, "bill").v(4.0)];
    // Customer 0 has one bill; customer 1 none.
    same(&feature(r#""kinds": ["bill"], "aggregation": "count", "default": -1"#, &h, 2), &[1.0, -1.0]);
    same(&feature(r#""kinds": ["bill"], "aggregation": "mean", "field": "value", "default": 0"#, &h, 2), &[4.0, 0.0]);
    same(&feature(r#""kinds": ["bill"], "aggregation": "days_since_last", "default": 9999"#, &h, 2), &[3.0, 9999.0]);
    // One value matches, so std is NaN (undefined), not the default.
    same(&feature(r#""kinds": ["bill"], "aggregation": "std", "field": "value", "default": 0"#, &h, 2), &[NAN, 0.0]);
    // An event without the field counts as no match.
    let h = [ago(0, 3.0, "bill")];
    same(&feature(r#""kinds": ["bill"], "aggregation": "max", "field": "value", "default": 0"#, &h, 1), &[0.0]);
    // Without a default: count, sum, distinct_count and repeat_count give 0, the rest NaN.
    let empty = [
        (r#""count""#, "", 0.0),
        (r#""sum""#, r#", "field": "value""#, 0.0),
        (r#""distinct_count""#, r#", "field": "case""#, 0.0),
        (r#"{"repeat_count": {"within_days": 7}}"#, "", 0.0),
        (r#""mean""#, r#", "field": "value""#, NAN),
        (r#""min""#, r#", "field": "value""#, NAN),
        (r#""max""#, r#", "field": "duration""#, NAN),
        (r#""std""#, r#", "field": "value""#, NAN),
        (r#""first""#, r#", "field": "value""#, NAN),
        (r#""last""#, r#", "field": "value""#, NAN),
        (r#""days_since_last""#, "", NAN),
        (r#""days_since_first""#, "", NAN),
        (r#""slope""#, r#", "field": "value""#, NAN),
        (r#"{"last_over_mean_previous": {"previous": 3}}"#, r#", "field": "value""#, NAN),
        (r#""gap_ratio""#, "", NAN),
        (r#""nps_category""#, r#", "field": "value""#, NAN),
    ];
    assert_eq!(empty.len(), AGGREGATIONS.len());
    for (agg, field, expected) in empty {
        let def = format!(r#""kinds": ["bill"], "aggregation": {agg}{field}"#);
        same(&feature(&def, &[ago(1, 1.0, "bill").v(1.0)], 2)[..1], &[expected]);
        // With a default, the default.
        same(&feature(&format!(r#"{def}, "default": 42"#), &[], 1), &[42.0]);
    }
    assert!(Aggregation::Count.empty_value() == 0.0 && Aggregation::Mean.empty_value().is_nan());
}

#[test]
fn composites_resolve_by_name_in_any_order() {
    let h = [
        ago(0, 10.0, "usage").v(50.0),
        ago(0, 40.0, "usage").v(100.0),
        ago(1, 40.0, "usage").v(80.0), // only the previous window
        ago(2, 10.0, "usage").v(30.0), // only the last window
    ];
    let features = r#"
        {"name": "trend_of_trend", "ratio": ["trend", "trend"]},
        {"name": "trend", "ratio": ["usage_30d", "usage_prev_30d"]},
        {"name": "change", "difference": ["usage_30d", "usage_prev_30d"]},
        {"name": "trend_or_one", "ratio": ["usage_30d", "usage_prev_30d"], "default": 1},
        {"name": "usage_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30}},
        {"name": "usage_prev_30d", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30, "offset_days": 30}},
        {"name": "last_usage", "kinds": ["usage"], "aggregation": "last", "field": "value"},
        {"name": "nan_diff", "difference": ["last_usage", "usage_30d"], "default": -7}
    "#;
    let m = compute(&table(&h, 4), &set(features), AS_OF).unwrap();
    let col = |n: &str| m.column(n).unwrap().to_vec();
    // Customer 0: 50 / 100; 1: 0 / 80; 2: 30 / 0 → NaN; 3: 0 / 0 → NaN.
    same(&col("trend"), &[0.5, 0.0, NAN, NAN]);
    // trend / trend: 1, 0 / 0 → NaN, NaN denominators → NaN.
    same(&col("trend_of_trend"), &[1.0, NAN, NAN, NAN]);
    same(&col("change"), &[-50.0, -80.0, 30.0, 0.0]);
    same(&col("trend_or_one"), &[0.5, 0.0, 1.0, 1.0]);
    // last_usage − usage_30d: 50 − 50, 80 − 0, 30 − 30, NaN − 0 → the default −7.
    same(&col("nan_diff"), &[0.0, 80.0, 0.0, -7.0]);
    assert_eq!(m.names[0], "trend_of_trend");
}

// ---------------------------------------------------------------------------------------
// The built-in retention set

#[test]
fn retention_loads_with_every_feature_described() {
    let set = retention();
    let names: Vec<&str> = set.features.iter().map(|f| f.name.as_str()).collect();
    for n in [
        "tenure_days",
        "lifetime_value",
        "churned_subscriptions",
        "contacts_7d",
        "contacts_30d",
        "contacts_90d",
        "repeat_contacts_90d",
        "transfers_per_case_90d",
        "aht_90d",
        "interaction_quality_90d",
        "worst_interaction_90d",
        "last_interaction",
        "days_since_last_contact",
        "usage_30d",
        "usage_prev_30d",
        "usage_trend_30d",
        "bill_shock",
        "payments_90d",
        "payments_prev_90d",
        "payment_trend",
        "topup_gap_ratio",
        "outages_30d",
        "last_nps",
        "last_nps_category",
        "days_since_last_nps",
    ] {
        assert!(names.contains(&n), "{n} missing from {names:?}");
    }
    assert!(set.features.iter().all(|f| !f.description.is_empty() && !f.description.contains('\n')));
    assert!(matches!(set.get("usage_trend_30d").unwrap().rule, FeatureRule::Ratio { .. }));
}

/// Customer 0's history, rows in no particular order. Customer 1 has no events; customer 2
/// only usage 40 days ago.
fn retention_history() -> Vec<E> {
    let mut h = vec![
        // Subscriptions: started 400 and 100 days ago; one ended 100 days ago, one at as_of.
        ago(0, 400.0, "subscription_start").v(30.0),
        ago(0, 100.0, "subscription_start").v(10.0),
        ago(0, 100.0, "subscription_end"),
        at(0, AS_OF, "subscription_end"),
        // Payments 200, 150, 80, 20 days ago.
        ago(0, 200.0, "payment").v(50.0),
        ago(0, 150.0, "payment").v(50.0),
        ago(0, 80.0, "payment").v(60.0),
        ago(0, 20.0, "payment").v(70.0),
        // Contacts opened 95, 60, 55, 25, 5, 3 days ago (cases 1, 2, 2, 3, 3, 4) and one at as_of.
        ago(0, 95.0, "contact_opened").case(1).dept("billing"),
        ago(0, 60.0, "contact_opened").case(2).dept("billing"),
        ago(0, 55.0, "contact_opened").case(2).dept("tech"),
        ago(0, 25.0, "contact_opened").case(3).dept("tech"),
        ago(0, 5.0, "contact_opened").case(3).dept("tech"),
        ago(0, 3.0, "contact_opened").case(4),
        at(0, AS_OF, "contact_opened").case(5),
        // Transfers 100 (outside 90 days), 50, 24, 4, 2 days ago.
        ago(0, 100.0, "transfer"),
        ago(0, 50.0, "transfer"),
        ago(0, 24.0, "transfer"),
        ago(0, 4.0, "transfer"),
        ago(0, 2.0, "transfer"),
        // Resolutions: 120 days ago (outside 90) handle 10000 s score 1; 58 days 600 s score 8;
        // 24 days 300 s score 4; 4 days 900 s without a score.
        ago(0, 120.0, "contact_resolved").d(10_000.0).v(1.0),
        ago(0, 58.0, "contact_resolved").d(600.0).v(8.0),
        ago(0, 24.0, "contact_resolved").d(300.0).v(4.0),
        ago(0, 4.0, "contact_resolved").d(900.0),
        // Survey answers: 9 200 days ago, 3 30 days ago, 10 at as_of (excluded).
        ago(0, 200.0, "survey_answer").v(9.0),
        ago(0, 30.0, "survey_answer").v(3.0),
        at(0, AS_OF, "survey_answer").v(10.0),
        // Usage: 100 and 200 in the previous 30 days, 50 and 150 in the last 30.
        ago(0, 45.0, "usage").v(100.0),
        ago(0, 35.0, "usage").v(200.0),
        ago(0, 29.0, "usage").v(50.0),
        ago(0, 10.0, "usage").v(150.0),
        // Bills 40, 40, 40, 80.
        ago(0, 120.0, "bill").v(40.0),
        ago(0, 90.0, "bill").v(40.0),
        ago(0, 60.0, "bill").v(40.0),
        ago(0, 30.0, "bill").v(80.0),
        // Top-ups 70, 50, 40, 30 days ago.
        ago(0, 70.0, "top_up").v(10.0),
        ago(0, 50.0, "top_up").v(10.0),
        ago(0, 40.0, "top_up").v(10.0),
        ago(0, 30.0, "top_up").v(10.0),
        // Outages 31 days ago (outside), exactly 30 days ago (inside) and one day ago.
        ago(0, 31.0, "outage"),
        ago(0, 30.0, "outage"),
        ago(0, 1.0, "outage"),
        // Customer 2: usage 40 days ago only.
        ago(2, 40.0, "usage").v(100.0),
    ];
    h.reverse();
    h.swap(3, 17);
    h
}

#[test]
fn retention_features_by_hand() {
    let m = compute(&table(&retention_history(), 3), &retention(), AS_OF).unwrap();
    let expected: [(&str, [f64; 3]); 27] = [
        // First subscription 400 days ago.
        ("tenure_days", [400.0, NAN, NAN]),
        // 50 + 50 + 60 + 70.
        ("lifetime_value", [230.0, 0.0, 0.0]),
        // The end at as_of does not count.
        ("churned_subscriptions", [1.0, 0.0, 0.0]),
        // Contacts 5 and 3 days ago.
        ("contacts_7d", [2.0, 0.0, 0.0]),
        // 25, 5, 3.
        ("contacts_30d", [3.0, 0.0, 0.0]),
        // 60, 55, 25, 5, 3 (95 is outside).
        ("contacts_90d", [5.0, 0.0, 0.0]),
        // Gaps 5, 30, 20, 2 days: 5 and 2 are within 7.
        ("repeat_contacts_90d", [2.0, 0.0, 0.0]),
        // 50, 24, 4, 2.
        ("transfers_90d", [4.0, 0.0, 0.0]),
        // Cases 2, 3, 4.
        ("cases_90d", [3.0, 0.0, 0.0]),
        // 4 / 3; no cases: NaN.
        ("transfers_per_case_90d", [4.0 / 3.0, NAN, NAN]),
        // (600 + 300 + 900) / 3.
        ("aht_90d", [600.0, NAN, NAN]),
        // Scores 8 and 4 and the answer 3: 15 / 3.
        ("interaction_quality_90d", [5.0, NAN, NAN]),
        ("worst_interaction_90d", [3.0, NAN, NAN]),
        // Latest valued contact score or answer: the score 4, 24 days ago (the 900 s one has no score).
        ("last_interaction", [4.0, NAN, NAN]),
        // Contact 3 days ago.
        ("days_since_last_contact", [3.0, NAN, NAN]),
        // 50 + 150; customer 2's usage is 40 days old.
        ("usage_30d", [200.0, 0.0, 0.0]),
        // 100 + 200; customer 2: 100.
        ("usage_prev_30d", [300.0, 0.0, 100.0]),
        // 200 / 300; 0 / 0 → NaN; 0 / 100.
        ("usage_trend_30d", [2.0 / 3.0, NAN, 0.0]),
        // 80 / mean(40, 40, 40).
        ("bill_shock", [2.0, NAN, NAN]),
        // Payments 80 and 20 days ago.
        ("payments_90d", [2.0, 0.0, 0.0]),
        // 180 days ago ≤ t < 90 days ago: the one 150 days ago.
        ("payments_prev_90d", [1.0, 0.0, 0.0]),
        ("payment_trend", [2.0, NAN, NAN]),
        // Gaps 20, 10, 10 → median 10; 30 days since the last: 3.
        ("topup_gap_ratio", [3.0, NAN, NAN]),
        // Exactly 30 days ago and 1 day ago.
        ("outages_30d", [2.0, 0.0, 0.0]),
        // The 3, 30 days ago (the 10 at as_of is excluded).
        ("last_nps", [3.0, NAN, NAN]),
        ("last_nps_category", [0.0, NAN, NAN]),
        ("days_since_last_nps", [30.0, NAN, NAN]),
    ];
    assert_eq!(m.names.len(), expected.len());
    for (name, values) in expected {
        let col = m.column(name).unwrap_or_else(|| panic!("no column {name}")).to_vec();
        assert!(
            col.iter().zip(&values).all(|(a, e)| (a.is_nan() && e.is_nan()) || (a - e).abs() < 1e-12),
            "{name}: {col:?} vs expected {values:?}"
        );
    }
    assert_eq!(m.descriptions.len(), m.names.len());
    assert_eq!(m.values.dim(), (3, 27));
}

// ---------------------------------------------------------------------------------------
// Errors

#[test]
fn malformed_json_names_line_and_column() {
    let e = error("{\"features\": [\n  {\"name\": \"x\",}\n]}");
    assert!(e.starts_with("feature definitions must be valid JSON, got an error at line 2, column 16"), "{e}");
    let e = error("[1, 2]");
    assert_eq!(e, "feature definitions must be an object {\"features\": [..]}, got [1,2]");
    assert_eq!(error("{}"), "features must be an array of feature definitions, got nothing");
    assert_eq!(error(r#"{"features": {}}"#), "features must be an array of feature definitions, got {}");
    assert_eq!(error(r#"{"features": [], "version": 2}"#), r#"unknown field "version"; expected one of features"#);
    // An empty set is valid.
    assert!(FeatureSet::from_json(r#"{"features": []}"#).unwrap().features.is_empty());
}

#[test]
fn definition_errors_name_their_json_path() {
    let ok = r#"{"name": "ok", "kinds": ["bill"], "aggregation": "count"}"#;
    let cases: &[(&str, &str)] = &[
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "average", "field": "value"}"#,
            r#"unknown features[1].aggregation "average"; expected one of count, sum, mean, min, max, std, first, last, distinct_count, days_since_last, days_since_first, slope, repeat_count, last_over_mean_previous, gap_ratio, nps_category"#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "colour": "red"}"#,
            r#"unknown field "features[1].colour"; expected one of name, description, default, kinds, aggregation, field, window, filter, ratio, difference"#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "window": {"days": -30}}"#,
            "features[1].window.days must be a positive number of days, got -30",
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "window": {"days": 0}}"#,
            "features[1].window.days must be a positive number of days, got 0",
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "window": {"days": 30, "offset_days": -1}}"#,
            "features[1].window.offset_days must be a non-negative number of days, got -1",
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "window": {"days": "30"}}"#,
            r#"features[1].window.days must be a number, got "30""#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "window": {"day": 30}}"#,
            r#"unknown field "features[1].window.day"; expected one of days, offset_days"#,
        ),
        (r#"{"name": "x", "ratio": ["ok", "missing"]}"#, r#"unknown feature in features[1].ratio[1] "missing"; expected one of ok, x"#),
        (
            r#"{"name": "ok", "kinds": ["bill"], "aggregation": "sum", "field": "value"}"#,
            r#"features[1].name must be unique (features[0] has the same name), got "ok""#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "mean"}"#,
            r#"features[1].field must be "value" or "duration" (mean reads a numeric field), got nothing"#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "field": "value"}"#,
            r#"features[1].field must be absent (count reads no field), got "value""#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "sum", "field": "case"}"#,
            r#"features[1].field must be "value" or "duration" for sum, got "case""#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "distinct_count", "field": "value"}"#,
            r#"features[1].field must be "case" or "department" for distinct_count, got "value""#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "sum", "field": "amount"}"#,
            r#"unknown features[1].field "amount"; expected one of value, duration, case, department"#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "repeat_count"}"#,
            r#"features[1].aggregation must be {"repeat_count": {"within_days": D}} (it needs a parameter), got "repeat_count""#,
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": {"repeat_count": {"within_days": -1}}}"#,
            "features[1].aggregation.repeat_count.within_days must be a non-negative number of days, got -1",
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 0}}, "field": "value"}"#,
            "features[1].aggregation.last_over_mean_previous.previous must be a whole number of at least 1, got 0",
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 2.5}}, "field": "value"}"#,
            "features[1].aggregation.last_over_mean_previous.previous must be a whole number of at least 1, got 2.5",
        ),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": {"median": {}}}"#,
            r#"unknown features[1].aggregation "median"; expected one of count, sum, mean, min, max, std, first, last, distinct_count, days_since_last, days_since_first, slope, repeat_count, last_over_mean_previous, gap_ratio, nps_category"#,
        ),
        (r#"{"kinds": ["bill"], "aggregation": "count"}"#, "features[1].name must be a feature name, got nothing"),
        (r#"{"name": "", "kinds": ["bill"], "aggregation": "count"}"#, r#"features[1].name must be a non-empty string, got """#),
        (r#"{"name": 3, "kinds": ["bill"], "aggregation": "count"}"#, "features[1].name must be a string, got 3"),
        (
            r#"{"name": "x", "aggregation": "count"}"#,
            r#"features[1].kinds must be an array of event kinds (or "ratio" or "difference" for a composite feature), got nothing"#,
        ),
        (r#"{"name": "x", "kinds": [], "aggregation": "count"}"#, "features[1].kinds must be a non-empty array of event kinds, got []"),
        (r#"{"name": "x", "kinds": ["bill", 7], "aggregation": "count"}"#, "features[1].kinds[1] must be a string, got 7"),
        (
            r#"{"name": "x", "kinds": ["bill"]}"#,
            "features[1].aggregation must be an aggregation (one of count, sum, mean, min, max, std, first, last, distinct_count, days_since_last, days_since_first, slope, repeat_count, last_over_mean_previous, gap_ratio, nps_category), got nothing",
        ),
        (
            r#"{"name": "x", "ratio": ["ok", "ok"], "window": {"days": 3}}"#,
            r#"features[1].window must be absent on a ratio feature (it takes name, description and default only), got {"days":3}"#,
        ),
        (r#"{"name": "x", "ratio": ["ok"]}"#, r#"features[1].ratio must be an array of two feature names, got ["ok"]"#),
        (
            r#"{"name": "x", "ratio": ["ok", "ok"], "difference": ["ok", "ok"]}"#,
            r#"features[1] must be one of them, got both "ratio" and "difference""#,
        ),
        (r#"{"name": "x", "ratio": ["x", "ok"]}"#, "features[1].ratio must be a pair of features that do not depend on this one, got the cycle x → x"),
        (
            r#"{"name": "x", "kinds": ["bill"], "aggregation": "count", "default": "zero"}"#,
            r#"features[1].default must be a number, got "zero""#,
        ),
        ("7", "features[1] must be a feature definition (an object), got 7"),
    ];
    for (feature, expected) in cases {
        assert_eq!(&error_of(&format!("{ok}, {feature}")), expected, "for {feature}");
    }
}

#[test]
fn filter_errors_name_their_json_path() {
    let with = |filter: &str| {
        error_of(&format!(r#"{{"name": "x", "kinds": ["bill"], "aggregation": "count", "filter": {filter}}}"#))
    };
    assert_eq!(
        with(r#"{"field": "colour", "equals": "red"}"#),
        r#"unknown features[0].filter.field "colour"; expected one of department, flag, value, duration"#
    );
    assert_eq!(
        with(r#"{"field": "flag", "equals": "yes"}"#),
        r#"features[0].filter.equals must be true or false, got "yes""#
    );
    assert_eq!(with(r#"{"field": "department"}"#), "features[0].filter.equals must be a department name, got nothing");
    assert_eq!(
        with(r#"{"field": "department", "equals": "billing", "min": 1}"#),
        r#"unknown field "features[0].filter.min"; expected one of field, equals"#
    );
    assert_eq!(
        with(r#"{"field": "value", "equals": 3}"#),
        r#"unknown field "features[0].filter.equals"; expected one of field, min, max"#
    );
    assert_eq!(
        with(r#"{"field": "value", "min": 5, "max": 1}"#),
        "features[0].filter.max must be at least min (5), got 1"
    );
    assert_eq!(
        with(r#"{"all": [{"field": "flag", "equals": true}, {"not": {"field": "value", "min": "high"}}]}"#),
        r#"features[0].filter.all[1].not.min must be a number, got "high""#
    );
    assert_eq!(
        with(r#"{"any": {"field": "flag", "equals": true}}"#),
        r#"features[0].filter.any must be an array of filters, got {"equals":true,"field":"flag"}"#
    );
    assert_eq!(
        with(r#"{"all": [], "any": []}"#),
        "features[0].filter must be exactly one of field, all, any, not (combine filters with \"all\"), got the keys all, any"
    );
    assert!(with(r#"{}"#).starts_with("features[0].filter must be a filter: "), "{}", with("{}"));
    assert_eq!(
        with(r#"{"equal": 1}"#),
        r#"unknown field "features[0].filter.equal"; expected one of field, equals, min, max, all, any, not"#
    );
}

#[test]
fn cycles_between_composites_are_errors() {
    let e = error_of(
        r#"{"name": "a", "ratio": ["b", "base"]},
           {"name": "base", "kinds": ["bill"], "aggregation": "count"},
           {"name": "b", "difference": ["base", "c"]},
           {"name": "c", "ratio": ["a", "base"]}"#,
    );
    assert_eq!(
        e,
        "features[3].ratio must be a pair of features that do not depend on this one, got the cycle a → b → c → a"
    );
}

#[test]
fn unknown_event_kinds_fail_at_compute_time_naming_feature_and_kind() {
    let set = set(r#"{"name": "roaming_30d", "kinds": ["usage", "roaming"], "aggregation": "count"}"#);
    let e = compute(&table(&[ago(0, 1.0, "usage")], 1), &set, AS_OF).unwrap_err();
    assert_eq!(e.code(), "UNKNOWN_VALUE");
    assert!(
        e.to_string().starts_with(r#"unknown event kind in feature "roaming_30d" (features[0].kinds[1]) "roaming"; expected one of the kinds of the event table (subscription_start, "#),
        "{e}"
    );
    // Declared kinds are known.
    let t = EventTable::new(
        &EventColumns {
            customer: &[0, 0],
            time: &[AS_OF - 5, AS_OF],
            kind: &[0, 0],
            kind_names: &["roaming"],
            ..Default::default()
        },
        &["roaming"],
    )
    .unwrap();
    assert_eq!(compute(&t, &set, AS_OF).unwrap().get(0, "roaming_30d"), Some(1.0));
}

#[test]
fn inconsistent_tables_are_errors_not_panics() {
    let mut t = table(&[ago(0, 1.0, "usage"), ago(1, 1.0, "usage")], 2);
    t.customers = 1;
    let e = compute(&t, &retention(), AS_OF).unwrap_err();
    assert_eq!(e.to_string(), "customer[1] = 1 is outside the customer codes 0..1");
    let mut t = table(&[ago(0, 1.0, "usage")], 1);
    t.value.clear();
    assert_eq!(compute(&t, &retention(), AS_OF).unwrap_err().to_string(), "value has 0 elements but time has 1");
}

// ---------------------------------------------------------------------------------------
// Round trips and edge cases

#[test]
fn sets_round_trip_through_json_and_serde() {
    let text = format!(r#"{{"features": [{}]}}"#, EVERY_AGGREGATION);
    let set = FeatureSet::from_json(&text).unwrap();
    assert_eq!(FeatureSet::from_json(&set.to_json()).unwrap(), set);
    let via_serde: FeatureSet = serde_json::from_str(&serde_json::to_string(&set).unwrap()).unwrap();
    assert_eq!(via_serde, set);
    // Serde deserialisation validates with the same messages.
    let e = serde_json::from_str::<FeatureSet>(r#"{"features": [{"name": "x", "ratio": ["x", "x"]}]}"#).unwrap_err();
    assert!(e.to_string().contains("features[0].ratio must be a pair of features"), "{e}");
    // The written form keeps to the documented format.
    let v: serde_json::Value = serde_json::from_str(&set.to_json()).unwrap();
    assert_eq!(v["features"][1]["aggregation"], serde_json::json!({"repeat_count": {"within_days": 7}}));
    assert_eq!(v["features"][2]["window"], serde_json::json!({"days": 30, "offset_days": 30}));
    assert_eq!(v["features"][0]["filter"], serde_json::json!({"field": "department", "equals": "billing"}));
    let Some(f) = set.get("f_filters") else { panic!() };
    let FeatureRule::Aggregate(a) = &f.rule else { panic!() };
    assert!(matches!(a.filter, Some(Filter::All(_))));
}

#[test]
fn empty_tables_and_sets() {
    let m = compute(&table(&[], 0), &retention(), AS_OF).unwrap();
    assert_eq!(m.values.dim(), (0, 27));
    let m = compute(&table(&[ago(0, 1.0, "bill")], 3), &FeatureSet::default(), AS_OF).unwrap();
    assert_eq!(m.values.dim(), (3, 0));
    // Customers without events get the empty values.
    let m = compute(&table(&[], 2), &set(EVERY_AGGREGATION), AS_OF).unwrap();
    for (j, f) in set(EVERY_AGGREGATION).features.iter().enumerate() {
        let expected = match &f.rule {
            FeatureRule::Aggregate(a) => f.default.unwrap_or(a.aggregation.empty_value()),
            // f_ratio = f_sum / f_mean = 0 / −1 (its default); f_diff = f_ratio − f_count = 0 − 0.
            _ => 0.0,
        };
        same(&m.values.column(j).to_vec(), &[expected, expected]);
    }
}

#[test]
fn feature_matrices_serialise() {
    let m = compute(
        &table(&[ago(0, 1.0, "bill").v(3.0)], 1),
        &set(r#"{"name": "n", "description": "d", "kinds": ["bill"], "aggregation": "count"}"#),
        AS_OF,
    )
    .unwrap();
    let v = serde_json::to_value(&m).unwrap();
    assert_eq!(v["names"], serde_json::json!(["n"]));
    assert_eq!(v["descriptions"], serde_json::json!(["d"]));
    let back: FeatureMatrix = serde_json::from_value(v).unwrap();
    assert_eq!(back, m);
}

// ---------------------------------------------------------------------------------------
// Properties

/// Every aggregation, filter shape, window shape and composite, for the properties.
const EVERY_AGGREGATION: &str = r#"
    {"name": "f_count", "kinds": ["contact_opened"], "aggregation": "count", "filter": {"field": "department", "equals": "billing"}},
    {"name": "f_repeat", "kinds": ["contact_opened", "transfer"], "aggregation": {"repeat_count": {"within_days": 7}}, "window": {"days": 90}},
    {"name": "f_sum", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30, "offset_days": 30}},
    {"name": "f_mean", "kinds": ["usage", "bill"], "aggregation": "mean", "field": "value", "default": -1},
    {"name": "f_min", "kinds": ["usage"], "aggregation": "min", "field": "value", "window": {"days": 45}},
    {"name": "f_max", "kinds": ["contact_resolved"], "aggregation": "max", "field": "duration"},
    {"name": "f_std", "kinds": ["usage"], "aggregation": "std", "field": "value"},
    {"name": "f_first", "kinds": ["bill"], "aggregation": "first", "field": "value"},
    {"name": "f_last", "kinds": ["bill", "usage"], "aggregation": "last", "field": "value"},
    {"name": "f_cases", "kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "case"},
    {"name": "f_depts", "kinds": ["contact_opened"], "aggregation": "distinct_count", "field": "department", "window": {"days": 60}},
    {"name": "f_since_last", "kinds": ["outage"], "aggregation": "days_since_last"},
    {"name": "f_since_first", "kinds": ["outage", "bill"], "aggregation": "days_since_first", "default": 0},
    {"name": "f_slope", "kinds": ["usage"], "aggregation": "slope", "field": "value"},
    {"name": "f_shock", "kinds": ["bill"], "aggregation": {"last_over_mean_previous": {"previous": 2}}, "field": "value"},
    {"name": "f_gap", "kinds": ["top_up", "payment"], "aggregation": "gap_ratio"},
    {"name": "f_nps", "kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value"},
    {"name": "f_filters", "kinds": ["contact_opened", "contact_resolved"], "aggregation": "count",
     "filter": {"all": [{"any": [{"field": "flag", "equals": true}, {"field": "value", "min": 2, "max": 8}]},
                        {"not": {"field": "duration", "max": 100}}]}},
    {"name": "f_ratio", "ratio": ["f_sum", "f_mean"]},
    {"name": "f_diff", "difference": ["f_ratio", "f_count"], "default": 0}
"#;

const PROPERTY_KINDS: [&str; 10] = [
    "contact_opened",
    "contact_resolved",
    "transfer",
    "usage",
    "bill",
    "payment",
    "top_up",
    "outage",
    "survey_answer",
    "complaint",
];

/// Random events for up to 5 customers over the last 200 days and the next 10, with
/// distinct times (so that row order cannot matter) when `distinct` is set.
fn events(max: usize) -> impl Strategy<Value = Vec<E>> {
    prop::collection::vec(
        (
            0u32..5,
            -200 * DAY..10 * DAY,
            0..PROPERTY_KINDS.len(),
            prop::option::of(0u8..=10),
            prop::option::of(0u32..2000),
            prop::option::of(0usize..2),
            prop::option::of(0u32..4),
            0u8..3,
        ),
        0..max,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .enumerate()
            .map(|(i, (customer, dt, kind, value, duration, department, case, flag))| E {
                customer,
                // Distinct times: the low bits carry the row number.
                time: AS_OF + dt / 128 * 128 + i as i64 % 128,
                kind: PROPERTY_KINDS[kind],
                value: value.map_or(NAN, f64::from),
                duration: duration.map_or(NAN, f64::from),
                department: department.map_or(NONE, |d| d as u32),
                case: case.unwrap_or(NONE),
                flag,
            })
            .collect()
    })
}

fn all_features() -> FeatureSet {
    let mut s = set(EVERY_AGGREGATION);
    s.features.extend(retention().features);
    s
}

fn bits(m: &FeatureMatrix) -> Vec<u64> {
    m.values.iter().map(|x| x.to_bits()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// The central guarantee: events at or after the reference time change nothing.
    #[test]
    fn nothing_at_or_after_as_of_leaks_in(base in events(60), late in events(30), shift in 0i64..400 * DAY) {
        let set = all_features();
        let before = compute(&table(&base, 5), &set, AS_OF).unwrap();
        let mut more = base.clone();
        for mut e in late {
            e.time = AS_OF + (e.time - AS_OF).rem_euclid(shift + 1); // at or after AS_OF
            more.push(e);
        }
        let after = compute(&table(&more, 5), &set, AS_OF).unwrap();
        prop_assert_eq!(bits(&before), bits(&after));
    }

    /// Rows need not be sorted: any order gives the same matrix (times are distinct).
    #[test]
    fn row_order_does_not_matter((rows, shuffled) in events(80).prop_flat_map(|v| (Just(v.clone()), Just(v).prop_shuffle()))) {
        let set = all_features();
        let a = compute(&table(&rows, 5), &set, AS_OF).unwrap();
        let b = compute(&table(&shuffled, 5), &set, AS_OF).unwrap();
        prop_assert_eq!(bits(&a), bits(&b));
    }

    /// A count over a window is the number of matching events, counted naively.
    #[test]
    fn counts_count(
        rows in events(80),
        kinds in prop::sample::subsequence(PROPERTY_KINDS.to_vec(), 1..4),
        days in 1u32..120,
        offset in 0u32..60,
        flagged in any::<bool>(),
    ) {
        let filter = if flagged { r#", "filter": {"field": "flag", "equals": true}"# } else { "" };
        let def = format!(
            r#"{{"name": "n", "kinds": {}, "aggregation": "count", "window": {{"days": {days}, "offset_days": {offset}}}{filter}}}"#,
            serde_json::to_string(&kinds).unwrap()
        );
        let got = column(&def, &rows, 5, "n");
        let (lo, hi) = (AS_OF - (days + offset) as i64 * DAY, AS_OF - offset as i64 * DAY);
        for (c, n) in got.iter().enumerate() {
            let naive = rows
                .iter()
                .filter(|e| e.customer == c as u32 && kinds.contains(&e.kind) && lo <= e.time && e.time < hi)
                .filter(|e| !flagged || e.flag == 1)
                .count();
            prop_assert_eq!(*n, naive as f64);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Views over the caller's columns (no copy; times in any unit)

/// The columns of `events` with times in `ticks` per second: each event's time in seconds,
/// plus `fraction(row)` ticks (below one second).
fn ticks_of(events: &[E], ticks: i64, fraction: impl Fn(usize) -> i64) -> Vec<i64> {
    events.iter().enumerate().map(|(i, e)| e.time * ticks + fraction(i) % ticks).collect()
}

/// The features of `events` computed over an `EventView` of their columns with times in
/// `time` (`ticks` per second).
fn via_view(events: &[E], time: &[i64], ticks: i64, set: &FeatureSet, full: bool) -> FeatureMatrix {
    let col = |f: &dyn Fn(&E) -> u32| events.iter().map(f).collect::<Vec<u32>>();
    let customer = col(&|e| e.customer);
    let kind = col(&|e| BUILT_IN_KINDS.iter().position(|k| *k == e.kind).expect("a built-in kind") as u32);
    let (department, case) = (col(&|e| e.department), col(&|e| e.case));
    let value: Vec<f64> = events.iter().map(|e| e.value).collect();
    let duration: Vec<f64> = events.iter().map(|e| e.duration).collect();
    let flag: Vec<u8> = events.iter().map(|e| e.flag).collect();
    let mut columns = EventColumns {
        customer: &customer,
        time,
        kind: &kind,
        kind_names: &BUILT_IN_KINDS,
        department_names: &DEPARTMENTS,
        ..Default::default()
    };
    if full {
        (columns.value, columns.duration, columns.department, columns.case, columns.flag) =
            (&value, &duration, &department, &case, &flag);
    }
    compute_view(&EventView::new(&columns, &[], ticks).unwrap(), set, AS_OF).unwrap()
}

#[test]
fn views_in_nanoseconds_round_down_to_the_second() {
    let ns = 1_000_000_000;
    let events = [at(0, AS_OF - 1, "usage").v(1.0), at(0, AS_OF, "usage").v(10.0), at(1, -2, "usage").v(100.0)];
    let set = set(r#"{"name": "u", "kinds": ["usage"], "aggregation": "sum", "field": "value"},
        {"name": "age", "kinds": ["usage"], "aggregation": "days_since_first"}"#);
    // AS_OF − 1 ns is second AS_OF − 1 (counts); AS_OF + 0.999999999 s is second AS_OF
    // (does not); −1.5 s is second −2.
    let time = [AS_OF * ns - 1, AS_OF * ns + ns - 1, -ns - ns / 2];
    let m = via_view(&events, &time, ns, &set, true);
    assert_eq!(m.get(0, "u"), Some(1.0));
    assert_eq!(m.get(1, "u"), Some(100.0));
    assert_eq!(m.get(1, "age"), Some((AS_OF + 2) as f64 / DAY as f64));
    assert_eq!(bits(&m), bits(&compute(&table(&events, 2), &set, AS_OF).unwrap()));
}

#[test]
fn views_without_optional_columns_read_them_as_absent() {
    let events: Vec<E> =
        retention_history().into_iter().map(|e| E { customer: e.customer, ..at(0, e.time, e.kind) }).collect();
    let customers = events.iter().map(|e| e.customer).max().unwrap() + 1;
    let time = ticks_of(&events, 1, |_| 0);
    let a = via_view(&events, &time, 1, &all_features(), false);
    assert_eq!(bits(&a), bits(&compute(&table(&events, customers), &all_features(), AS_OF).unwrap()));
}

#[test]
fn views_check_their_columns_like_tables() {
    let columns = EventColumns {
        customer: &[0, 0],
        time: &[AS_OF - 5, AS_OF - 1],
        kind: &[0, 2],
        kind_names: &["usage", "roaming"],
        ..Default::default()
    };
    let e = EventView::new(&columns, &[], 1).unwrap_err();
    assert_eq!(e.to_string(), "kind[1] = 2 is outside the 2 kind names given");
    let e = EventView::new(&EventColumns { kind: &[1, 0], ..columns }, &[], 1).unwrap_err();
    assert!(e.to_string().starts_with(r#"unknown event kind (kind[0]) "roaming""#), "{e}");
    let ok = EventView::new(&EventColumns { kind: &[1, 0], ..columns }, &["roaming"], 1_000).unwrap();
    assert_eq!(ok.kinds()[ok.kind(0) as usize], "roaming");
    let e = EventView::new(&EventColumns { duration: &[1.0, -1.0], kind: &[0, 0], ..columns }, &[], 1).unwrap_err();
    assert_eq!(e.to_string(), "duration[1] = -1 is negative");
    // Ids read in place must lie at or above the first id, and kinds in bytes be known.
    let ids = [100, 99];
    let e = EventView::with_columns(
        &columns,
        CustomerColumn::Offsets { ids: &ids, first: 100 },
        KindColumn::Bytes(&[0, 0]),
        &[],
        1,
    )
    .unwrap_err();
    assert_eq!(e.to_string(), "customer[1] = 99 is outside the ids 100 to 100 + 4294967294");
    let ids = [100, 101];
    let e = EventView::with_columns(
        &columns,
        CustomerColumn::Offsets { ids: &ids, first: 100 },
        KindColumn::Bytes(&[0, 1]),
        &[],
        1,
    )
    .unwrap_err();
    assert!(e.to_string().starts_with(r#"unknown event kind (kind[1]) "roaming""#), "{e}");
    let e =
        EventView::with_columns(&columns, CustomerColumn::Codes(&[0, 0]), KindColumn::Bytes(&[0]), &[], 1).unwrap_err();
    assert_eq!(e.to_string(), "kind has 1 elements but time has 2");
}

/// Enough customers for several threads and hundreds of buckets: every customer's row is
/// the row computed from that customer's events alone.
#[test]
fn many_customers_group_like_one_at_a_time() {
    let customers = 40_000u32;
    let kinds = ["contact_opened", "contact_resolved", "usage", "payment", "survey_answer", "subscription_start"];
    let mut events = Vec::new();
    let mut state = 12345u64;
    let mut next = || {
        state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        state >> 33
    };
    for i in 0..(customers as usize * 6) {
        let c = (next() % customers as u64) as u32;
        let time = AS_OF - (next() % (120 * DAY as u64)) as i64 + (i % 3) as i64 * DAY; // some after AS_OF
        let kind = kinds[(next() % kinds.len() as u64) as usize];
        events.push(at(c, time, kind).v((next() % 11) as f64).d((next() % 900) as f64));
    }
    events.push(at(customers - 1, AS_OF - DAY, "usage")); // the last code occurs
    let set = all_features();
    let all = compute(&table(&events, customers), &set, AS_OF).unwrap();
    let ns = 1_000_000_000;
    let time = ticks_of(&events, ns, |i| (i as i64 * 7_919) % ns);
    assert_eq!(bits(&via_view(&events, &time, ns, &set, true)), bits(&all));
    // Integer ids read in place (code = id − first) and one-byte kind codes: the same rows.
    let first = 1_i64 << 40;
    let ids: Vec<i64> = events.iter().map(|e| first + e.customer as i64).collect();
    let kind: Vec<u8> =
        events.iter().map(|e| BUILT_IN_KINDS.iter().position(|k| *k == e.kind).unwrap() as u8).collect();
    let value: Vec<f64> = events.iter().map(|e| e.value).collect();
    let duration: Vec<f64> = events.iter().map(|e| e.duration).collect();
    let columns = EventColumns {
        time: &time,
        kind_names: &BUILT_IN_KINDS,
        value: &value,
        duration: &duration,
        ..Default::default()
    };
    let view = EventView::with_columns(
        &columns,
        CustomerColumn::Offsets { ids: &ids, first },
        KindColumn::Bytes(&kind),
        &[],
        ns,
    )
    .unwrap();
    assert_eq!(bits(&compute_view(&view, &set, AS_OF).unwrap()), bits(&all));
    let width = set.features.len();
    for c in [0, 1, 255, 256, 257, 511, 512, 19_999, 20_000, 20_001, 39_935, 39_936, 39_999]
        .into_iter()
        .chain((0..40).map(|k| k * 997))
    {
        let mine: Vec<E> = events.iter().filter(|e| e.customer == c).map(|e| E { customer: 0, ..*e }).collect();
        let one = compute(&table(&mine, 1), &set, AS_OF).unwrap();
        let row: Vec<u64> = all.values.row(c as usize).iter().map(|x| x.to_bits()).collect();
        assert_eq!(row, bits(&one), "customer {c}");
        assert_eq!(one.values.len(), width);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// A view with times in any unit gives, to the bit, the features of a table with the
    /// times rounded down to seconds.
    #[test]
    fn views_in_any_unit_equal_tables_in_seconds(
        rows in events(80),
        ticks in prop::sample::select(vec![1i64, 1_000, 1_000_000, 1_000_000_000, 7]),
        seed in any::<i64>(),
    ) {
        let set = all_features();
        let time = ticks_of(&rows, ticks, |i| (seed.wrapping_mul(i as i64 + 1)).rem_euclid(ticks));
        let view = via_view(&rows, &time, ticks, &set, true);
        let customers = rows.iter().map(|e| e.customer + 1).max().unwrap_or(0);
        prop_assert_eq!(bits(&view), bits(&compute(&table(&rows, customers), &set, AS_OF).unwrap()));
    }
}
