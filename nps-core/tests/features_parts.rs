//! Features computed in parts and merged (the distributed path): equal to the features of
//! all the events at once, to the bit, however the events are split; corrupted parts and
//! sets that cannot be split are errors naming what is wrong.
use nps_core::features::{compute, EventColumns, EventTable, FeatureEngine, FeatureSet, BUILT_IN_KINDS, NONE};
use proptest::prelude::*;

const DAY: i64 = 86_400;
const AS_OF: i64 = 20_000 * DAY;
const DEPARTMENTS: [&str; 2] = ["billing", "tech"];
const KINDS: [&str; 6] = ["contact_opened", "contact_resolved", "usage", "bill", "outage", "survey_answer"];

/// Every mergeable aggregation, with windows, filters, defaults and composites.
const MERGEABLE: &str = r#"{"features": [
    {"name": "count", "kinds": ["contact_opened"], "aggregation": "count", "filter": {"field": "department", "equals": "billing"}},
    {"name": "sum", "kinds": ["usage"], "aggregation": "sum", "field": "value", "window": {"days": 30, "offset_days": 30}},
    {"name": "total", "kinds": ["usage", "bill"], "aggregation": "sum", "field": "value"},
    {"name": "mean", "kinds": ["usage", "bill"], "aggregation": "mean", "field": "value", "default": -1},
    {"name": "min", "kinds": ["usage"], "aggregation": "min", "field": "value", "window": {"days": 45}},
    {"name": "max", "kinds": ["contact_resolved"], "aggregation": "max", "field": "duration"},
    {"name": "first", "kinds": ["bill"], "aggregation": "first", "field": "value"},
    {"name": "last", "kinds": ["bill", "usage"], "aggregation": "last", "field": "value"},
    {"name": "since_last", "kinds": ["outage"], "aggregation": "days_since_last"},
    {"name": "since_first", "kinds": ["outage", "bill"], "aggregation": "days_since_first", "default": 0},
    {"name": "nps", "kinds": ["survey_answer"], "aggregation": "nps_category", "field": "value"},
    {"name": "filtered", "kinds": ["contact_opened", "contact_resolved"], "aggregation": "count",
     "filter": {"all": [{"field": "flag", "equals": true}, {"not": {"field": "duration", "max": 100}}]}},
    {"name": "ratio", "ratio": ["sum", "mean"]},
    {"name": "diff", "difference": ["ratio", "count"], "default": 0}
]}"#;

/// One event: customer, time, kind, value, duration, department, flag.
type Row = (u32, i64, usize, f64, f64, u32, u8);

fn table(rows: &[Row]) -> EventTable {
    let kind: Vec<u32> =
        rows.iter().map(|r| BUILT_IN_KINDS.iter().position(|k| *k == KINDS[r.2]).unwrap() as u32).collect();
    let customer: Vec<u32> = rows.iter().map(|r| r.0).collect();
    let time: Vec<i64> = rows.iter().map(|r| r.1).collect();
    let value: Vec<f64> = rows.iter().map(|r| r.3).collect();
    let duration: Vec<f64> = rows.iter().map(|r| r.4).collect();
    let department: Vec<u32> = rows.iter().map(|r| r.5).collect();
    let flag: Vec<u8> = rows.iter().map(|r| r.6).collect();
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
            flag: &flag,
            ..Default::default()
        },
        &[],
    )
    .unwrap();
    t.customers = 6; // the same codes in every part, some customers without events
    t
}

/// Up to 6 customers' events over 200 days before the reference time and 10 after: values
/// of many magnitudes (sums that a running total would round differently), whole survey
/// answers, times that tie (on a coarse grid).
fn rows(max: usize) -> impl Strategy<Value = Vec<Row>> {
    let value =
        prop_oneof![Just(f64::NAN), -1e6..1e6f64, (-40i32..40).prop_map(|e| 0.1 * 2f64.powi(e)), Just(-0.0), Just(0.0)];
    prop::collection::vec(
        (0u32..6, -200i64..10, 0..KINDS.len(), value, prop::option::of(0u32..2000), prop::option::of(0u32..2), 0u8..3),
        0..max,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(c, day, kind, value, duration, department, flag)| {
                let value = if KINDS[kind] == "survey_answer" { (value.abs() % 11.0).floor() } else { value };
                let value = if value.is_nan() && KINDS[kind] == "survey_answer" { 7.0 } else { value };
                (
                    c,
                    AS_OF + day * DAY,
                    kind,
                    value,
                    duration.map_or(f64::NAN, f64::from),
                    department.unwrap_or(NONE),
                    flag,
                )
            })
            .collect()
    })
}

fn bits(values: impl IntoIterator<Item = f64>) -> Vec<u64> {
    values.into_iter().map(f64::to_bits).collect()
}

fn mergeable() -> FeatureSet {
    FeatureSet::from_json(MERGEABLE).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Rows cut into consecutive parts, each part's states computed on its own, merged in
    /// order: the features of all the rows at once, to the bit (ties in time too).
    #[test]
    fn merged_parts_equal_the_whole(rows in rows(120), cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..5)) {
        let set = mergeable();
        let whole = table(&rows);
        let engine = FeatureEngine::new(&set, &whole.kinds).unwrap();
        prop_assert!(engine.mergeable());
        let want = compute(&whole, &set, AS_OF).unwrap();
        let mut ends: Vec<usize> = cuts.iter().map(|c| c.index(rows.len() + 1)).collect();
        ends.push(rows.len());
        ends.sort_unstable();
        let (mut customer, mut offsets, mut words, mut start) = (Vec::new(), vec![0], Vec::new(), 0);
        for end in ends {
            let parts = engine.parts(&table(&rows[start..end]).view().unwrap(), AS_OF).unwrap();
            prop_assert_eq!(parts.offsets.len(), 7);
            for c in 0..6 {
                customer.push(c as u32);
                let row = &parts.words[parts.offsets[c] as usize..parts.offsets[c + 1] as usize];
                words.extend_from_slice(row);
                offsets.push(words.len() as i32);
            }
            start = end;
        }
        // The parts of a customer merge in row order wherever they sit among the others'.
        let got = engine.merge_parts(&customer, &offsets, &words, 6, AS_OF).unwrap();
        prop_assert_eq!(&got.names, &want.names);
        prop_assert_eq!(bits(got.values.iter().copied()), bits(want.values.iter().copied()));
    }
}

#[test]
fn sums_are_exact_and_do_not_depend_on_the_order_of_the_events() {
    // 0.1 + 0.2 + 0.3 added left to right is 0.6000000000000001; exactly, rounded once, 0.6.
    let rows: Vec<Row> = [0.3, 0.1, 0.2]
        .iter()
        .enumerate()
        .map(|(i, &v)| (0, AS_OF - (3 - i as i64) * DAY, 2, v, f64::NAN, NONE, 2))
        .collect();
    let m = compute(&table(&rows), &mergeable(), AS_OF).unwrap();
    assert_eq!(m.get(0, "total"), Some(0.6));
    assert_eq!(m.get(0, "mean"), Some(0.6 / 3.0));
}

#[test]
fn sets_that_need_the_events_and_corrupted_parts_are_errors() {
    let rows: Vec<Row> = vec![(0, AS_OF - DAY, 2, 1.5, f64::NAN, NONE, 2), (1, AS_OF - DAY, 3, 2.0, f64::NAN, NONE, 2)];
    let t = table(&rows);
    let std = FeatureSet::from_json(
        r#"{"features": [{"name": "n", "kinds": ["usage"], "aggregation": "count"},
                         {"name": "spread", "kinds": ["usage"], "aggregation": "std", "field": "value"}]}"#,
    )
    .unwrap();
    let engine = FeatureEngine::new(&std, &t.kinds).unwrap();
    assert!(!engine.mergeable());
    let e = engine.parts(&t.view().unwrap(), AS_OF).unwrap_err();
    assert_eq!(e.code(), "INVALID_PARAMETER");
    let e = e.to_string();
    assert!(
        e.starts_with(r#"features[1].aggregation (feature "spread") must be an aggregation computed in parts"#),
        "{e}"
    );
    assert!(e.ends_with("got std"), "{e}");
    assert!(engine.merge_parts(&[], &[0], &[], 1, AS_OF).is_err());

    let engine = FeatureEngine::new(&mergeable(), &t.kinds).unwrap();
    let parts = engine.parts(&t.view().unwrap(), AS_OF).unwrap();
    let merge = |customer: &[u32], offsets: &[i32], words: &[f64]| {
        engine.merge_parts(customer, offsets, words, 6, AS_OF).unwrap_err().to_string()
    };
    let one = &parts.words[..parts.offsets[1] as usize];
    let end = one.len() as i32;
    assert_eq!(merge(&[0], &[0], one), "parts.offsets has 1 elements but customer plus one has 2");
    assert!(merge(&[9], &[0, end], one).contains("customer[0] = 9 is outside codes below 6"));
    assert!(merge(&[0], &[0, end - 1], one).contains("row 0: not a state of these features"));
    assert!(merge(&[0], &[0, end + 1], one).contains("row 0: offsets 0.."));
    let mut longer = one.to_vec();
    longer.push(1.0);
    assert!(merge(&[0], &[0, end + 1], &longer).contains("row 0: 1 floats beyond the states"));
    let mut negative = one.to_vec();
    negative[0] = -1.0; // a count below zero
    assert!(merge(&[0], &[0, end], &negative).contains("row 0: not a state"));
    // Each part merged alone gives the part's features.
    let alone = engine.merge_parts(&[0, 1], &parts.offsets[..3], &parts.words, 6, AS_OF).unwrap();
    let whole = compute(&t, &mergeable(), AS_OF).unwrap();
    assert_eq!(bits(alone.values.iter().copied()), bits(whole.values.iter().copied()));
}

#[test]
fn values_beyond_the_bound_that_keeps_sums_exact_are_refused() {
    let rows: Vec<Row> = vec![(0, AS_OF - DAY, 2, 2e290, f64::NAN, NONE, 2)];
    let kind = [BUILT_IN_KINDS.iter().position(|k| *k == "usage").unwrap() as u32];
    let columns = EventColumns {
        customer: &[0],
        time: &[rows[0].1],
        kind: &kind,
        kind_names: &BUILT_IN_KINDS,
        value: &[rows[0].3],
        ..Default::default()
    };
    let e = EventTable::new(&columns, &[]).unwrap_err();
    let e = e.to_string();
    assert!(
        e.starts_with("value[0] = 2000000000") && e.ends_with("is outside finite numbers of magnitude at most 1e290"),
        "{e}"
    );
}
