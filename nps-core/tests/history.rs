//! A customer's history grown one event at a time gives the same features as the batch
//! computation over the whole base, for any arrival order.
use nps_core::features::{compute, retention, CustomerHistory, Event, FeatureEngine, NONE};
use nps_core::synth::{customers, BaseConfig, Rng, SyntheticBase};
use proptest::prelude::*;

fn base() -> SyntheticBase {
    customers(&BaseConfig { customers: 60, seed: 21, ..Default::default() }).unwrap()
}

fn event<'a>(b: &'a SyntheticBase, i: usize, cases: &'a [String]) -> Event<'a> {
    let e = &b.events;
    let some = |x: f64| (!x.is_nan()).then_some(x);
    Event {
        time: e.time[i],
        kind: &e.kinds[e.kind[i] as usize],
        value: some(e.value[i]),
        duration: some(e.duration[i]),
        department: (e.department[i] != NONE).then(|| e.departments[e.department[i] as usize].as_str()),
        case: (e.case[i] != NONE).then(|| cases[i].as_str()),
        flag: (e.flag[i] != 2).then_some(e.flag[i] == 1),
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]
    #[test]
    fn incremental_equals_batch_for_any_order(seed in any::<u64>(), as_of_shift in -40i64..40) {
        let b = base();
        let as_of = b.config.as_of + as_of_shift * 86_400;
        let set = retention();
        let batch = compute(&b.events, &set, as_of).unwrap();
        let cases: Vec<String> = b.events.case.iter().map(|c| format!("case-{c}")).collect();
        let mut rng = Rng::new(seed);
        for c in 0..60u32 {
            let mut rows: Vec<usize> = (0..b.events.len()).filter(|&i| b.events.customer[i] == c).collect();
            // A random arrival order (Fisher–Yates), not only time order.
            for i in (1..rows.len()).rev() {
                rows.swap(i, rng.below(i as u64 + 1) as usize);
            }
            let mut h = CustomerHistory::new(&[]);
            for &i in &rows {
                h.push(&event(&b, i, &cases)).unwrap();
            }
            let engine = FeatureEngine::new(&set, h.kinds()).unwrap();
            let got = h.features(&engine, as_of).unwrap();
            let want = batch.values.row(c as usize);
            for (j, (x, y)) in got.iter().zip(want.iter()).enumerate() {
                prop_assert!(x.to_bits() == y.to_bits() || (x.is_nan() && y.is_nan()), "customer {} {}: {} vs {}", c, set.features[j].name, x, y);
            }
        }
    }
}

#[test]
fn empty_history_and_bad_events() {
    let set = retention();
    let mut h = CustomerHistory::new(&["roaming"]);
    let engine = FeatureEngine::new(&set, h.kinds()).unwrap();
    assert!(h.is_empty() && h.last_time().is_none());
    let f = h.features(&engine, 1_000_000).unwrap();
    let name = |n: &str| set.features.iter().position(|d| d.name == n).unwrap();
    assert_eq!(f[name("contacts_30d")], 0.0);
    assert!(f[name("tenure_days")].is_nan());
    h.push(&Event { time: 10, kind: "roaming", ..Default::default() }).unwrap();
    let e = h.push(&Event { time: 10, kind: "teleport", ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("\"teleport\""), "{e}");
    let e =
        h.push(&Event { time: 10, kind: "contact_resolved", duration: Some(-3.0), ..Default::default() }).unwrap_err();
    assert_eq!(e.to_string(), "duration[1] = -3 is negative");
    let e = h.push(&Event { time: 10, kind: "bill", value: Some(f64::INFINITY), ..Default::default() }).unwrap_err();
    assert!(e.to_string().contains("value[1] = inf"), "{e}");
    assert_eq!(h.len(), 1);
    // An event older than the latest is taken in its place in time.
    h.push(&Event { time: 5, kind: "contact_opened", ..Default::default() }).unwrap();
    assert_eq!(h.last_time(), Some(10));
    assert_eq!(h.features(&engine, 86_400 * 10).unwrap()[name("contacts_30d")], 1.0);
    // An engine compiled for other kinds is refused, not misread.
    let other = FeatureEngine::new(&set, CustomerHistory::new(&[]).kinds()).unwrap();
    assert!(h.features(&other, 0).unwrap_err().to_string().contains("events.kinds"));
}

/// A history written to JSON and read back is the same history: the same file again, the
/// same features to the bit, and it grows the same way. A damaged file is an error naming
/// what is wrong.
#[test]
fn history_files_round_trip_and_damaged_ones_are_refused() {
    let b = base();
    let cases: Vec<String> = b.events.case.iter().map(|c| format!("case-{c}")).collect();
    let engine = FeatureEngine::new(&retention(), CustomerHistory::new(&[]).kinds()).unwrap();
    for c in 0..20u32 {
        let mut h = CustomerHistory::new(&[]);
        for i in (0..b.events.len()).filter(|&i| b.events.customer[i] == c) {
            h.push(&event(&b, i, &cases)).unwrap();
        }
        let text = h.to_json();
        let mut back = CustomerHistory::from_json(&text).unwrap();
        assert_eq!(back.to_json(), text);
        let as_of = b.config.as_of;
        let bits = |v: Vec<f64>| v.into_iter().map(f64::to_bits).collect::<Vec<_>>();
        assert_eq!(bits(back.features(&engine, as_of).unwrap()), bits(h.features(&engine, as_of).unwrap()));
        let next = Event {
            time: as_of - 10,
            kind: "contact_opened",
            department: Some("billing"),
            case: Some("T-9"),
            ..Default::default()
        };
        h.push(&next).unwrap();
        back.push(&next).unwrap();
        assert_eq!(back.to_json(), h.to_json());
    }
    // Declared kinds come back.
    let mut h = CustomerHistory::new(&["fax"]);
    h.push(&Event { time: 5, kind: "fax", value: Some(2.0), flag: Some(true), ..Default::default() }).unwrap();
    let back = CustomerHistory::from_json(&h.to_json()).unwrap();
    assert_eq!(back.kinds(), h.kinds());
    assert_eq!(back.to_json(), h.to_json());

    let good = r#"{"format":"nps.customer_history","version":1,"declared_kinds":[],"events":[{"time":1,"kind":"usage","value":3.0},{"time":2,"kind":"survey_answer","value":9.0}]}"#;
    assert_eq!(CustomerHistory::from_json(good).unwrap().len(), 2);
    let bad = |from: &str, to: &str| CustomerHistory::from_json(&good.replace(from, to)).unwrap_err().to_string();
    assert!(bad(r#""value":9.0"#, r#""value":11.0"#).contains("survey answer)[1] = 11"));
    assert!(bad(r#""kind":"usage""#, r#""kind":"fax""#).contains("fax"));
    assert!(bad("nps.customer_history", "nps.churn_model").contains("format"));
    assert!(bad(r#""version":1"#, r#""version":2"#).contains("newer nps"));
    assert!(bad(r#""time":1,"#, r#""time":1,"colour":"red","#).contains("colour"));
    assert!(bad("}]}", "}]").contains("history file"));
    assert!(bad(r#""time":1,"#, "").contains("time"));
}
