//! However a sequence of writes is split into batches (and the store reopened between them),
//! the store reads back the same as when the whole sequence is one batch, and as the
//! sequence itself.
use std::collections::BTreeMap;
use std::path::PathBuf;

use nps_core::action::{DecisionLogEntry, Learner};
use nps_store::{rebuild_learner, Batch, CustomerFields, Store, StoredEvent, StoredOutcome, OUTCOME_KINDS};
use proptest::prelude::*;

#[derive(Debug, Clone)]
enum Op {
    Event(StoredEvent),
    Decision(DecisionLogEntry),
    Outcome(StoredOutcome),
    Fields(CustomerFields),
}

const CUSTOMERS: [&str; 6] = ["C1", "C2", "kund-ö", "客户", "it's \"quoted\"", "nul\0id"];
const KINDS: [&str; 9] = [
    "subscription_start",
    "bill",
    "payment",
    "usage",
    "contact_opened",
    "contact_resolved",
    "transfer",
    "outage",
    "survey_answer",
];
const ACTIONS: [&str; 3] = ["bonus_data", "discount", "upgrade"];
const SEGMENTS: [&str; 2] = ["consumer", "business"];

fn label() -> impl Strategy<Value = Option<String>> {
    prop::option::of("(?s).{0,6}")
}

fn event() -> impl Strategy<Value = StoredEvent> {
    (
        prop::sample::select(CUSTOMERS.to_vec()),
        -2_000_000_000i64..4_000_000_000,
        prop::sample::select(KINDS.to_vec()),
        prop::option::of(-1e9f64..1e9),
        prop::option::of(0.0f64..1e5),
        label(),
        label(),
        prop::option::of(any::<bool>()),
        0i32..=10,
    )
        .prop_map(|(customer, time, kind, value, duration, department, case, flag, answer)| StoredEvent {
            customer: customer.into(),
            time,
            kind: kind.into(),
            // A survey answer is a whole number on the 0–10 scale (or skipped).
            value: if kind == "survey_answer" { value.map(|_| f64::from(answer)) } else { value },
            duration,
            department,
            case,
            flag,
        })
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => event().prop_map(Op::Event),
        1 => (
            prop::sample::select(CUSTOMERS.to_vec()),
            prop::option::of(prop::sample::select(ACTIONS.to_vec())),
            0.001f64..=1.0,
            prop::sample::select(SEGMENTS.to_vec()),
            any::<i64>(),
            prop::option::of(-10.0f64..10.0),
        )
            .prop_map(|(c, a, propensity, segment, time, reward)| Op::Decision(DecisionLogEntry {
                customer: c.into(),
                action: a.map(str::to_string),
                propensity,
                segment: segment.into(),
                control: a.is_none(),
                time,
                reward,
            })),
        2 => (
            prop::sample::select(CUSTOMERS.to_vec()),
            prop::sample::select(SEGMENTS.to_vec()),
            prop::sample::select(ACTIONS.to_vec()),
            "[a-z]{0,5}",
            any::<i64>(),
            prop::sample::select(OUTCOME_KINDS.to_vec()),
        )
            .prop_map(|(c, segment, action, channel, time, kind)| Op::Outcome(StoredOutcome {
                customer: c.into(),
                segment: segment.into(),
                action: action.into(),
                channel: channel.clone(),
                group: format!("g-{channel}"),
                time,
                kind: kind.into(),
            })),
        1 => (prop::sample::select(CUSTOMERS.to_vec()), prop::collection::btree_map("[a-z]{1,4}", -1000i64..1000, 0..4))
            .prop_map(|(c, m)| Op::Fields(CustomerFields {
                customer: c.into(),
                fields: m.into_iter().map(|(k, v)| (k, serde_json::Value::from(v))).collect(),
            })),
    ]
}

fn batch(ops: &[Op]) -> Batch {
    let mut b = Batch::default();
    for op in ops {
        match op.clone() {
            Op::Event(e) => b.events.push(e),
            Op::Decision(d) => b.decisions.push(d),
            Op::Outcome(o) => b.outcomes.push(o),
            Op::Fields(f) => b.fields.push(f),
        }
    }
    b
}

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Debug, PartialEq)]
struct Reads {
    events: Vec<StoredEvent>,
    per_customer: BTreeMap<String, Vec<StoredEvent>>,
    customers: Vec<String>,
    decisions: Vec<DecisionLogEntry>,
    outcomes: Vec<StoredOutcome>,
    fields: Vec<CustomerFields>,
    histories: BTreeMap<String, String>,
    contacts: BTreeMap<String, Vec<nps_core::action::Outcome>>,
    learner: Learner,
    counts: [u64; 5],
}

fn reads(store: &Store) -> Reads {
    let customers = store.customers().unwrap();
    Reads {
        events: store.all_events().unwrap(),
        per_customer: customers.iter().map(|c| (c.clone(), store.events(c).unwrap())).collect(),
        customers,
        decisions: store.decisions().unwrap().into_iter().map(|(_, d)| d).collect(),
        outcomes: store.outcomes().unwrap(),
        fields: store.fields().unwrap(),
        histories: store.histories(&[]).unwrap().into_iter().map(|(c, h)| (c, h.to_json())).collect(),
        contacts: store.contacts().unwrap(),
        learner: rebuild_learner(Learner::new([1.0, 1.0], 0.05, 5).unwrap(), &store.outcomes().unwrap()),
        counts: store.counts().unwrap(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    #[test]
    fn batch_splits_and_reopens_do_not_change_what_is_read(
        ops in prop::collection::vec(op(), 0..40),
        cuts in prop::collection::vec((any::<prop::sample::Index>(), any::<bool>()), 0..8),
    ) {
        static CASE: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let case = CASE.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let dir = TempDir(std::env::temp_dir().join(format!("nps-store-props-{}-{case}", std::process::id())));
        let _ = std::fs::remove_dir_all(&dir.0);
        std::fs::create_dir_all(&dir.0).unwrap();

        // The whole sequence in one batch.
        let whole_path = dir.0.join("whole.db");
        Store::open(&whole_path).unwrap().commit(&batch(&ops)).unwrap();

        // The same sequence split at random points, the store reopened after some batches.
        let mut points: Vec<(usize, bool)> = cuts.iter().map(|(i, reopen)| (i.index(ops.len() + 1), *reopen)).collect();
        points.sort();
        let split_path = dir.0.join("split.db");
        let mut store = Store::open(&split_path).unwrap();
        let mut start = 0;
        for (end, reopen) in points.into_iter().chain([(ops.len(), true)]) {
            store.commit(&batch(&ops[start..end])).unwrap();
            start = end;
            if reopen {
                drop(store);
                store = Store::open(&split_path).unwrap();
            }
        }
        let split = reads(&store);
        let whole = reads(&Store::open(&whole_path).unwrap());
        prop_assert_eq!(&split, &whole);

        // And both are the sequence itself.
        let all = batch(&ops);
        prop_assert_eq!(&split.events, &all.events);
        prop_assert_eq!(&split.decisions, &all.decisions);
        prop_assert_eq!(&split.outcomes, &all.outcomes);
        let mut fields: BTreeMap<String, CustomerFields> = BTreeMap::new();
        for f in all.fields {
            fields.insert(f.customer.clone(), f);
        }
        prop_assert_eq!(split.fields, fields.into_values().collect::<Vec<_>>());
        prop_assert_eq!(store.snapshot().unwrap(), Store::open(&whole_path).unwrap().snapshot().unwrap());
    }
}
