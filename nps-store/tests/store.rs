//! The store's contract: nothing lost on reopen, all-or-nothing batches, refused files left as
//! they are, rebuilt state equal to the state built live, snapshots and atomic writes.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nps_core::action::{DecisionLogEntry, Learner};
use nps_core::features::CustomerHistory;
use nps_core::NpsError;
use nps_store::{
    rebuild_learner, write_atomic, Batch, CustomerFields, Snapshot, Store, StoredEvent, StoredOutcome, DEFAULT_LEARNER,
    OUTCOME_KINDS, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, STORE_FORMAT, STORE_VERSION, TABLES,
};

/// A fresh directory for one test, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("nps-store-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
    /// The names of the files in the directory, sorted.
    fn files(&self) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn event(customer: &str, time: i64, kind: &str) -> StoredEvent {
    StoredEvent { customer: customer.into(), time, kind: kind.into(), ..Default::default() }
}

/// Events of three customers, interleaved, with every optional field used somewhere.
fn sample_events() -> Vec<StoredEvent> {
    let t = 1_700_000_000;
    vec![
        StoredEvent { value: Some(29.5), ..event("C1", t, "subscription_start") },
        event("C2", t + 5, "subscription_start"),
        StoredEvent { value: Some(29.5), ..event("C1", t + 100, "bill") },
        StoredEvent {
            department: Some("billing".into()),
            case: Some("K-1".into()),
            ..event("C1", t + 200, "contact_opened")
        },
        StoredEvent {
            value: Some(7.0),
            duration: Some(312.25),
            department: Some("billing".into()),
            case: Some("K-1".into()),
            flag: Some(true),
            ..event("C1", t + 300, "contact_resolved")
        },
        StoredEvent { value: Some(1024.0), ..event("C2", t + 310, "usage") },
        StoredEvent { flag: Some(false), department: Some("tech".into()), ..event("C3", t + 320, "transfer") },
        StoredEvent { value: Some(3.0), ..event("C2", t + 400, "survey_answer") },
        // Older than the customer's latest: kept in the order appended.
        StoredEvent { value: Some(-12.5), ..event("C1", t + 50, "payment") },
        event("C3", t + 500, "outage"),
    ]
}

fn decision(customer: &str, action: Option<&str>, propensity: f64, reward: Option<f64>) -> DecisionLogEntry {
    DecisionLogEntry {
        customer: customer.into(),
        action: action.map(str::to_string),
        propensity,
        segment: "consumer".into(),
        control: action.is_none(),
        time: 1_700_000_600,
        reward,
    }
}

fn outcome(customer: &str, action: &str, segment: &str, time: i64, kind: &str) -> StoredOutcome {
    StoredOutcome {
        customer: customer.into(),
        segment: segment.into(),
        action: action.into(),
        channel: "sms".into(),
        group: "retention".into(),
        time,
        kind: kind.into(),
    }
}

fn sample_outcomes() -> Vec<StoredOutcome> {
    let t = 1_700_001_000;
    vec![
        outcome("C1", "bonus_data", "consumer", t, "presented"),
        outcome("C1", "bonus_data", "consumer", t + 10, "accepted"),
        outcome("C2", "discount", "business", t + 20, "rejected"),
        outcome("C2", "discount", "business", t + 30, "ignored"),
        outcome("C3", "bonus_data", "consumer", t + 40, "churned"),
        outcome("C1", "bonus_data", "consumer", t + 50, "retained"),
    ]
}

fn fields(customer: &str, json: &str) -> CustomerFields {
    CustomerFields { customer: customer.into(), fields: serde_json::from_str(json).unwrap() }
}

fn learner() -> Learner {
    Learner::new([1.0, 1.0], 0.05, 5).unwrap()
}

/// A store holding every kind of row: events, decisions (one rewarded later), outcomes,
/// fields and two learners.
fn fill(store: &mut Store) {
    store.append_events(&sample_events()[..4]).unwrap();
    store
        .commit(&Batch {
            events: sample_events()[4..].to_vec(),
            decisions: vec![decision("C1", Some("bonus_data"), 0.625, None)],
            outcomes: sample_outcomes()[..2].to_vec(),
            fields: vec![fields("C1", r#"{"plan": "gold", "tenure": 14, "vip": true}"#)],
            learner: Some(rebuild_learner(learner(), &sample_outcomes()[..2])),
        })
        .unwrap();
    let id = store.record_decision(&decision("C2", None, 1.0, None)).unwrap();
    store.set_reward(id, 1.0).unwrap();
    store.record_decision(&decision("C3", Some("discount"), 0.125, Some(0.0))).unwrap();
    for o in &sample_outcomes()[2..] {
        store.record_outcome(o).unwrap();
    }
    store.set_fields(&fields("C2", r#"{"plan": "basic", "notes": null, "scores": [1, 2.5]}"#)).unwrap();
    store.set_fields(&fields("C1", r#"{"plan": "platinum"}"#)).unwrap(); // replaces C1's
    store.save_learner(DEFAULT_LEARNER, &rebuild_learner(learner(), &sample_outcomes())).unwrap();
    store.save_learner("shadow", &Learner::new([2.0, 3.0], 0.1, 0).unwrap()).unwrap();
}

/// Every read of a store, for comparing two of them.
#[derive(Debug, PartialEq)]
struct Reads {
    events: Vec<StoredEvent>,
    per_customer: Vec<Vec<StoredEvent>>,
    customers: Vec<String>,
    decisions: Vec<DecisionLogEntry>,
    outcomes: Vec<StoredOutcome>,
    fields: Vec<CustomerFields>,
    learners: Vec<Option<Learner>>,
    histories: BTreeMap<String, String>,
    contacts: BTreeMap<String, Vec<nps_core::action::Outcome>>,
    counts: [u64; 5],
}

fn reads(store: &Store) -> Reads {
    let customers = store.customers().unwrap();
    Reads {
        events: store.all_events().unwrap(),
        per_customer: customers.iter().map(|c| store.events(c).unwrap()).collect(),
        customers,
        decisions: store.decisions().unwrap().into_iter().map(|(_, d)| d).collect(),
        outcomes: store.outcomes().unwrap(),
        fields: store.fields().unwrap(),
        learners: [DEFAULT_LEARNER, "shadow", "absent"].iter().map(|n| store.load_learner(n).unwrap()).collect(),
        histories: store.histories(&[]).unwrap().into_iter().map(|(c, h)| (c, h.to_json())).collect(),
        contacts: store.contacts().unwrap(),
        counts: store.counts().unwrap(),
    }
}

fn store_error(e: &NpsError) -> (&str, &str, &str) {
    assert_eq!(e.code(), "STORE", "{e}");
    match e {
        NpsError::Store { path, table, message } => (path, table, message),
        other => panic!("not a store error: {other:?}"),
    }
}

#[test]
fn reopen_keeps_everything() {
    let dir = TempDir::new("reopen");
    let path = dir.path("state.db");
    let before = {
        let mut store = Store::open(&path).unwrap();
        assert_eq!(store.path(), path.as_path());
        assert_eq!(store.counts().unwrap(), [0; 5]);
        fill(&mut store);
        reads(&store)
    };
    let store = Store::open(&path).unwrap();
    let after = reads(&store);
    assert_eq!(before, after);

    // Every field of every row, as written.
    assert_eq!(after.events, sample_events());
    assert_eq!(after.customers, ["C1", "C2", "C3"]);
    for (c, rows) in after.customers.iter().zip(&after.per_customer) {
        let want: Vec<StoredEvent> = sample_events().into_iter().filter(|e| &e.customer == c).collect();
        assert_eq!(rows, &want, "{c}");
    }
    let decisions = store.decisions().unwrap();
    assert_eq!(
        decisions.iter().map(|(_, d)| d.clone()).collect::<Vec<_>>(),
        vec![
            decision("C1", Some("bonus_data"), 0.625, None),
            decision("C2", None, 1.0, Some(1.0)),
            decision("C3", Some("discount"), 0.125, Some(0.0)),
        ]
    );
    assert!(decisions.windows(2).all(|w| w[0].0 < w[1].0), "ids increase: {decisions:?}");
    assert_eq!(after.outcomes, sample_outcomes());
    assert_eq!(
        after.fields,
        vec![
            fields("C1", r#"{"plan": "platinum"}"#),
            fields("C2", r#"{"plan": "basic", "notes": null, "scores": [1, 2.5]}"#)
        ]
    );
    assert_eq!(after.learners[0], Some(rebuild_learner(learner(), &sample_outcomes())));
    assert_eq!(after.learners[1], Some(Learner::new([2.0, 3.0], 0.1, 0).unwrap()));
    assert_eq!(after.learners[2], None);
    assert_eq!(after.counts, [10, 3, 6, 2, 2]);
    assert_eq!(store.events("nobody").unwrap(), vec![]);
}

#[test]
fn the_file_is_a_versioned_wal_database() {
    let dir = TempDir::new("schema");
    let path = dir.path("state.db");
    drop(Store::open(&path).unwrap());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let (format, version): (String, i64) =
        conn.query_row("SELECT format, version FROM schema_version", [], |r| Ok((r.get(0)?, r.get(1)?))).unwrap();
    assert_eq!((format.as_str(), version), (STORE_FORMAT, i64::from(STORE_VERSION)));
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    for t in TABLES {
        let n: i64 = conn.query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0)).unwrap();
        assert_eq!(n, 0, "{t}");
    }
    // An empty file (as `touch` leaves it) is a new store too.
    let empty = dir.path("empty.db");
    std::fs::write(&empty, b"").unwrap();
    let store = Store::open(&empty).unwrap();
    assert_eq!(store.counts().unwrap(), [0; 5]);
}

#[test]
fn a_failed_batch_writes_nothing() {
    let dir = TempDir::new("atomic-batch");
    let path = dir.path("state.db");
    let mut store = Store::open(&path).unwrap();
    fill(&mut store);
    let before = reads(&store);
    let good = Batch {
        events: vec![event("C9", 1, "subscription_start"), event("C1", 2, "outage")],
        decisions: vec![decision("C9", Some("bonus_data"), 0.5, None)],
        outcomes: vec![outcome("C9", "bonus_data", "consumer", 3, "accepted")],
        fields: vec![fields("C9", r#"{"plan": "new"}"#)],
        learner: Some(Learner::new([5.0, 5.0], 0.2, 1).unwrap()),
    };
    let failing = [
        // A decision after good events whose propensity is out of (0, 1].
        Batch {
            decisions: vec![decision("C9", Some("a"), 0.5, None), decision("C9", Some("b"), 1.5, None)],
            ..good.clone()
        },
        Batch { decisions: vec![decision("C9", Some("a"), 0.0, None)], ..good.clone() },
        Batch { decisions: vec![decision("C9", Some("a"), f64::NAN, None)], ..good.clone() },
        // An outcome of a kind the store does not know, after good events and decisions.
        Batch {
            outcomes: vec![outcome("C9", "a", "consumer", 3, "accepted"), outcome("C9", "a", "consumer", 4, "clicked")],
            ..good.clone()
        },
        // An event whose value is not finite, after good ones.
        Batch {
            events: vec![
                event("C9", 1, "subscription_start"),
                StoredEvent { value: Some(f64::INFINITY), ..event("C9", 2, "bill") },
            ],
            ..good.clone()
        },
        Batch {
            events: vec![StoredEvent { duration: Some(f64::NAN), ..event("C9", 2, "contact_resolved") }],
            ..good.clone()
        },
        // A reward that is not finite.
        Batch { decisions: vec![decision("C9", Some("a"), 0.5, Some(f64::NAN))], ..good.clone() },
        // The learner, written last, whose state would not read back.
        Batch { learner: Some(Learner { exploration: f64::INFINITY, ..learner() }), ..good.clone() },
    ];
    for (k, batch) in failing.iter().enumerate() {
        let e = store.commit(batch).unwrap_err();
        let want = match k {
            3 => "UNKNOWN_VALUE",
            7 => "INVALID_PARAMETER",
            _ => "OUT_OF_RANGE",
        };
        assert_eq!(e.code(), want, "batch {k}: {e}");
        assert_eq!(reads(&store), before, "batch {k} ({e}) left something behind");
    }
    // A constraint violation inside SQLite (a NOT NULL column made NULL by a trigger) rolls
    // back the rows the batch had already written.
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TRIGGER refuse_c9 BEFORE INSERT ON outcomes WHEN NEW.customer = 'C9' \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END;",
        )
        .unwrap();
    }
    let e = store.commit(&good).unwrap_err();
    let (p, table, message) = store_error(&e);
    assert_eq!((p, table), (path.display().to_string().as_str(), "outcomes"));
    assert!(message.contains("refused by the test"), "{message}");
    assert_eq!(reads(&store), before);
    // Nothing of it after a reopen either; the store still takes good batches.
    drop(store);
    let mut store = Store::open(&path).unwrap();
    assert_eq!(reads(&store), before);
    rusqlite::Connection::open(&path).unwrap().execute_batch("DROP TRIGGER refuse_c9").unwrap();
    store.commit(&good).unwrap();
    let mut want = before.events.clone();
    want.extend(good.events.clone());
    assert_eq!(store.all_events().unwrap(), want);
    assert_eq!(store.load_learner(DEFAULT_LEARNER).unwrap(), good.learner);
    assert_eq!(store.counts().unwrap(), [12, 4, 7, 3, 2]);
}

#[test]
fn other_writes_refuse_bad_rows() {
    let dir = TempDir::new("refuse");
    let mut store = Store::open(dir.path("state.db")).unwrap();
    assert_eq!(store.record_decision(&decision("C1", Some("a"), -0.1, None)).unwrap_err().code(), "OUT_OF_RANGE");
    assert!(store.record_outcome(&outcome("C1", "a", "s", 1, "Accepted")).is_err());
    let e = store.set_reward(42, 1.0).unwrap_err();
    let (_, table, message) = store_error(&e);
    assert_eq!(table, "decisions");
    assert!(message.contains("42"), "{message}");
    // Rewards and learners that would not read back as written.
    for r in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let e = store.record_decision(&decision("C1", Some("a"), 0.5, Some(r))).unwrap_err();
        assert_eq!(e.code(), "OUT_OF_RANGE", "{e}");
        assert!(e.to_string().contains("reward"), "{e}");
    }
    let id = store.record_decision(&decision("C1", Some("a"), 0.5, None)).unwrap();
    assert_eq!(store.set_reward(id, f64::NAN).unwrap_err().code(), "OUT_OF_RANGE");
    assert_eq!(store.decisions().unwrap(), vec![(id, decision("C1", Some("a"), 0.5, None))]);
    let mut broken = learner();
    broken.record("a", "s", true);
    broken.arms.get_mut("a").unwrap().get_mut("s").unwrap()[1] = f64::NAN;
    let e = store.save_learner("broken", &broken).unwrap_err();
    assert_eq!(e.code(), "INVALID_PARAMETER", "{e}");
    assert!(e.to_string().contains("\"broken\""), "{e}");
    assert_eq!(store.load_learner("broken").unwrap(), None);
    store.snapshot().unwrap(); // the store stays readable
    assert_eq!(store.counts().unwrap(), [0, 1, 0, 0, 0]);
    for kind in OUTCOME_KINDS {
        store.record_outcome(&outcome("C1", "a", "s", 1, kind)).unwrap();
    }
    assert_eq!(store.counts().unwrap(), [0, 1, 6, 0, 0]);
}

/// Opens `path`, expects a STORE error naming it and `table`, and checks the file (and the
/// directory) are as they were.
fn refused(dir: &TempDir, path: &Path, table: &str, says: &str) -> String {
    let bytes = std::fs::read(path).unwrap();
    let files = dir.files();
    let e = Store::open(path).unwrap_err();
    let (p, t, message) = store_error(&e);
    assert_eq!(p, path.display().to_string());
    assert_eq!(t, table, "{e}");
    assert!(message.contains(says), "{e}");
    assert!(e.to_string().contains(&path.display().to_string()), "{e}");
    assert!(std::fs::read(path).unwrap() == bytes, "{} was changed by a refused open", path.display());
    assert_eq!(dir.files(), files, "a refused open left files behind");
    // And again: a second attempt is refused the same way (nothing was reset).
    assert_eq!(Store::open(path).unwrap_err().to_string(), e.to_string());
    assert!(std::fs::read(path).unwrap() == bytes);
    e.to_string()
}

fn filled_store(dir: &TempDir, name: &str) -> PathBuf {
    let path = dir.path(name);
    let mut store = Store::open(&path).unwrap();
    fill(&mut store);
    // Enough rows for several pages, so that a middle page holds table data.
    let many: Vec<StoredEvent> = (0..3000)
        .map(|i| StoredEvent {
            value: Some(i as f64),
            department: Some(format!("dept-{}", i % 7)),
            ..event(&format!("X{}", i % 50), i, "usage")
        })
        .collect();
    store.append_events(&many).unwrap();
    path
}

#[test]
fn garbage_is_refused_and_left_alone() {
    let dir = TempDir::new("garbage");
    let path = dir.path("garbage.db");
    let garbage: Vec<u8> = (0..10_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    std::fs::write(&path, &garbage).unwrap();
    refused(&dir, &path, "file", "not an nps store, or corrupted");
    // Text is no better.
    let text = dir.path("notes.txt");
    std::fs::write(&text, "customer,score\nC1,9\n".repeat(300)).unwrap();
    refused(&dir, &text, "file", "not an nps store, or corrupted");
}

#[test]
fn a_corrupted_store_is_refused_and_left_alone() {
    let dir = TempDir::new("corrupted");
    let original = filled_store(&dir, "original.db");
    let len = std::fs::metadata(&original).unwrap().len() as usize;
    let page = 4096;
    assert!(len >= 8 * page, "{len} bytes: too few pages for the test");

    // Pages in the middle overwritten.
    let path = dir.path("overwritten.db");
    let mut bytes = std::fs::read(&original).unwrap();
    let middle = (len / page / 2) * page;
    for (i, b) in bytes[middle..middle + 2 * page].iter_mut().enumerate() {
        *b = (i * 31 % 251) as u8;
    }
    std::fs::write(&path, &bytes).unwrap();
    let message = refused(&dir, &path, "file", "corrupted");
    // The integrity check's findings, not only its heading.
    assert!(!message.contains("***") && message.contains("the file was left as it is"), "{message}");

    // Truncated to half (a partial copy).
    let path = dir.path("truncated.db");
    let bytes = std::fs::read(&original).unwrap();
    std::fs::write(&path, &bytes[..(len / page / 2) * page]).unwrap();
    refused(&dir, &path, "file", "corrupted");

    // The original still opens with everything in it.
    let store = Store::open(&original).unwrap();
    assert_eq!(store.counts().unwrap(), [3010, 3, 6, 2, 2]);
}

#[test]
fn a_database_that_is_not_a_store_is_refused_and_left_alone() {
    let dir = TempDir::new("foreign");
    // Another application's database, in the default (rollback) journal mode: opening it
    // must not switch it to WAL (which rewrites the header).
    let path = dir.path("other.db");
    {
        let conn = rusqlite::Connection::open(&path).unwrap();
        conn.execute_batch(
            "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices (total) VALUES (9.5);",
        )
        .unwrap();
    }
    let message = refused(&dir, &path, "schema_version", "not an nps store");
    assert!(message.contains("invoices"), "{message}");

    // A database holding only a view is not empty: it is not made a store either.
    let path = dir.path("view.db");
    rusqlite::Connection::open(&path).unwrap().execute_batch("CREATE VIEW answer AS SELECT 42;").unwrap();
    refused(
        &dir,
        &path,
        "schema_version",
        "not an nps store: an SQLite database without a schema_version table (tables: none)",
    );

    // A schema_version of another format, and one without its row.
    let path = dir.path("format.db");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().execute("UPDATE schema_version SET format = 'acme.crm'", []).unwrap();
    refused(&dir, &path, "schema_version", "acme.crm");
    let path = dir.path("norow.db");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().execute("DELETE FROM schema_version", []).unwrap();
    refused(&dir, &path, "schema_version", "row is missing");
}

#[test]
fn a_newer_store_is_refused_and_left_alone() {
    let dir = TempDir::new("newer");
    let path = filled_store(&dir, "newer.db");
    rusqlite::Connection::open(&path)
        .unwrap()
        .execute("UPDATE schema_version SET version = ?1", [STORE_VERSION + 1])
        .unwrap();
    let message = refused(&dir, &path, "schema_version", &format!("schema version {}", STORE_VERSION + 1));
    assert!(message.contains("newer"), "{message}");
    let path = dir.path("zero.db");
    drop(Store::open(&path).unwrap());
    rusqlite::Connection::open(&path).unwrap().execute("UPDATE schema_version SET version = 0", []).unwrap();
    refused(&dir, &path, "schema_version", "schema version 0");
}

#[test]
fn a_missing_table_is_refused_and_left_alone() {
    let dir = TempDir::new("missing");
    for t in TABLES {
        let path = filled_store(&dir, &format!("no-{t}.db"));
        rusqlite::Connection::open(&path).unwrap().execute_batch(&format!("DROP TABLE {t}")).unwrap();
        refused(&dir, &path, t, "table missing");
    }
}

#[test]
fn histories_equal_those_built_in_memory() {
    let dir = TempDir::new("histories");
    let mut store = Store::open(dir.path("state.db")).unwrap();
    let mut events = sample_events();
    events.push(StoredEvent { value: Some(2.0), ..event("C2", 1_700_000_900, "plan_change") });
    store.append_events(&events[..5]).unwrap();
    store.append_events(&events[5..]).unwrap();
    let declared = ["plan_change"];

    let mut live: BTreeMap<String, CustomerHistory> = BTreeMap::new();
    for e in &events {
        live.entry(e.customer.clone()).or_insert_with(|| CustomerHistory::new(&declared)).push(&e.event()).unwrap();
    }
    let rebuilt = store.histories(&declared).unwrap();
    assert_eq!(rebuilt.keys().collect::<Vec<_>>(), live.keys().collect::<Vec<_>>());
    for (c, h) in &live {
        assert_eq!(rebuilt[c].len(), h.len(), "{c}");
        assert_eq!(rebuilt[c].to_json(), h.to_json(), "{c}");
        assert_eq!(rebuilt[c].kinds(), h.kinds(), "{c}");
        assert_eq!(rebuilt[c].last_time(), h.last_time(), "{c}");
    }
    // The events round-trip through the core's type.
    for e in &events {
        assert_eq!(&StoredEvent::from_event(&e.customer, &e.event()), e);
    }
    // Without the declared kind the history refuses C2's event, naming the customer.
    let e = store.histories(&[]).unwrap_err();
    assert!(e.to_string().contains("\"C2\"") && e.to_string().contains("plan_change"), "{e}");
}

#[test]
fn contacts_and_the_learner_equal_those_built_live() {
    let dir = TempDir::new("contacts");
    let mut store = Store::open(dir.path("state.db")).unwrap();
    let mut live_learner = Learner::new([1.0, 2.0], 0.1, 3).unwrap();
    live_learner.record("discount", "business", true); // learned before the outcomes below
    let base = live_learner.clone();
    let mut live_contacts: BTreeMap<String, Vec<nps_core::action::Outcome>> = BTreeMap::new();
    let mut outcomes = sample_outcomes();
    outcomes.push(outcome("C2", "discount", "business", 1_700_002_000, "accepted"));
    outcomes.push(outcome("C4", "upgrade", "consumer", 1_700_002_100, "retained"));
    for o in &outcomes {
        store.record_outcome(o).unwrap();
        match o.kind.as_str() {
            "accepted" | "retained" => live_learner.record(&o.action, &o.segment, true),
            "rejected" | "ignored" | "churned" => live_learner.record(&o.action, &o.segment, false),
            _ => {}
        }
        if ["presented", "accepted", "rejected", "ignored"].contains(&o.kind.as_str()) {
            live_contacts.entry(o.customer.clone()).or_default().push(nps_core::action::Outcome {
                action: o.action.clone(),
                channel: o.channel.clone(),
                group: o.group.clone(),
                time: o.time,
                kind: o.kind.parse().unwrap(),
            });
        }
    }
    assert_eq!(store.contacts().unwrap(), live_contacts);
    assert!(!store.contacts().unwrap().contains_key("C4"), "retained is not a contact outcome");
    let rebuilt = rebuild_learner(base, &store.outcomes().unwrap());
    assert_eq!(rebuilt, live_learner);
    assert_eq!(rebuilt.counts("bonus_data", "consumer"), [2.0, 1.0]);
    assert_eq!(rebuilt.counts("discount", "business"), [2.0, 2.0]);
}

#[test]
fn snapshot_round_trips_into_an_empty_store() {
    let dir = TempDir::new("snapshot");
    let mut store = Store::open(dir.path("state.db")).unwrap();
    fill(&mut store);
    let snapshot = store.snapshot().unwrap();
    assert_eq!((snapshot.format.as_str(), snapshot.version), (SNAPSHOT_FORMAT, SNAPSHOT_VERSION));
    let text = snapshot.to_json();
    let back = Snapshot::from_json(&text).unwrap();
    assert_eq!(back, snapshot);

    let mut restored = Store::open(dir.path("restored.db")).unwrap();
    restored.restore(&back).unwrap();
    assert_eq!(reads(&restored), reads(&store));
    assert_eq!(restored.snapshot().unwrap(), snapshot);

    // Through a file, written atomically; restoring replaces what a store held.
    let file = dir.path("snapshot.json");
    snapshot.save(&file).unwrap();
    let mut other = Store::open(dir.path("other.db")).unwrap();
    other.append_events(&[event("Z", 1, "outage")]).unwrap();
    other.save_learner("stale", &learner()).unwrap();
    other.restore(&Snapshot::load(&file).unwrap()).unwrap();
    assert_eq!(reads(&other), reads(&store));
    assert_eq!(other.load_learner("stale").unwrap(), None);
    drop(other);
    assert_eq!(reads(&Store::open(dir.path("other.db")).unwrap()), reads(&store));

    // An empty store's snapshot restores an empty store.
    let empty = Store::open(dir.path("empty.db")).unwrap().snapshot().unwrap();
    restored.restore(&Snapshot::from_json(&empty.to_json()).unwrap()).unwrap();
    assert_eq!(restored.counts().unwrap(), [0; 5]);
}

#[test]
fn a_failed_restore_keeps_what_was_there() {
    let dir = TempDir::new("restore-fails");
    let mut store = Store::open(dir.path("state.db")).unwrap();
    fill(&mut store);
    let before = reads(&store);
    let mut bad = store.snapshot().unwrap();
    bad.decisions.push(decision("C9", Some("a"), 7.0, None));
    assert_eq!(store.restore(&bad).unwrap_err().code(), "OUT_OF_RANGE");
    assert_eq!(reads(&store), before);
}

#[test]
fn a_bad_snapshot_is_a_clear_error() {
    let dir = TempDir::new("bad-snapshot");
    let mut store = Store::open(dir.path("state.db")).unwrap();
    fill(&mut store);
    let good: serde_json::Value = serde_json::from_str(&store.snapshot().unwrap().to_json()).unwrap();
    let with = |key: &str, value: serde_json::Value| {
        let mut v = good.clone();
        v[key] = value;
        v.to_string()
    };
    let without = |key: &str| {
        let mut v = good.clone();
        v.as_object_mut().unwrap().remove(key);
        v.to_string()
    };
    let cases: Vec<(String, &str)> = vec![
        ("".into(), "snapshot"),
        ("\u{0}\u{1}garbage\u{ff}".into(), "snapshot"),
        ("[1, 2, 3]".into(), "snapshot format"),
        (r#"{"format": "nps.store_snapshot""#.into(), "snapshot"),
        (with("format", "nps.model".into()), "nps.model"),
        (without("format"), "snapshot format"),
        (with("version", (SNAPSHOT_VERSION + 1).into()), "snapshot version"),
        (with("version", 0.into()), "snapshot version"),
        (with("version", "1".into()), "snapshot version"),
        (without("version"), "snapshot version"),
        (without("events"), "events"),
        (with("surprise", true.into()), "surprise"),
        (with("events", serde_json::json!([{"customer": "C1", "time": "noon", "kind": "bill"}])), "snapshot"),
        (with("decisions", serde_json::json!([{"customer": "C1"}])), "snapshot"),
    ];
    for (text, says) in cases {
        let e = Snapshot::from_json(&text).unwrap_err();
        assert_eq!(e.code(), "INVALID_PARAMETER", "{text}: {e}");
        assert!(e.to_string().contains(says), "{text}: {e} (should name {says})");
    }
    // A file that is missing is a STORE error naming it.
    let missing = dir.path("missing.json");
    let e = Snapshot::load(&missing).unwrap_err();
    assert_eq!(store_error(&e).0, missing.display().to_string());
}

#[test]
fn write_atomic_replaces_a_file_whole() {
    let dir = TempDir::new("atomic");
    let path = dir.path("model.json");
    write_atomic(&path, b"first version, a little longer than the second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"first version, a little longer than the second");
    write_atomic(&path, b"second").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"second");
    let big: Vec<u8> = (0..3_000_000u32).map(|i| i as u8).collect();
    write_atomic(&path, &big).unwrap();
    assert!(std::fs::read(&path).unwrap() == big);
    write_atomic(&path, b"").unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), b"");
    assert_eq!(dir.files(), ["model.json"], "no temporary file is left");

    // A failed write names the path and leaves nothing behind; the target is untouched.
    let nowhere = dir.path("no-such-dir").join("model.json");
    let e = write_atomic(&nowhere, b"x").unwrap_err();
    let (p, table, _) = store_error(&e);
    assert_eq!((p, table), (nowhere.display().to_string().as_str(), "file"));
    let onto_dir = dir.path("a-directory");
    std::fs::create_dir(&onto_dir).unwrap();
    assert_eq!(write_atomic(&onto_dir, b"x").unwrap_err().code(), "STORE");
    assert!(onto_dir.is_dir());
    assert_eq!(dir.files(), ["a-directory", "model.json"], "no temporary file is left after a failure");
    assert_eq!(std::fs::read(&path).unwrap(), b"");
}

#[test]
fn write_atomic_from_many_threads_leaves_one_whole_file() {
    let dir = TempDir::new("atomic-threads");
    let path = dir.path("model.json");
    let contents: Vec<Vec<u8>> = (0..8u8).map(|k| vec![b'a' + k; 200_000 + usize::from(k) * 1000]).collect();
    std::thread::scope(|s| {
        for bytes in &contents {
            let path = &path;
            s.spawn(move || {
                for _ in 0..5 {
                    write_atomic(path, bytes).unwrap();
                }
            });
        }
    });
    let written = std::fs::read(&path).unwrap();
    assert!(contents.contains(&written), "a mix of writes: {} bytes", written.len());
    assert_eq!(dir.files(), ["model.json"], "no temporary file is left");
}

#[test]
fn a_store_moves_between_threads() {
    fn send<T: Send>() {}
    send::<Store>();
    send::<Snapshot>();
}

#[test]
fn two_handles_on_one_file_see_the_same_data() {
    let dir = TempDir::new("two-handles");
    let path = dir.path("state.db");
    let mut writer = Store::open(&path).unwrap();
    let reader = Store::open(&path).unwrap();
    assert_eq!(reader.counts().unwrap(), [0; 5]);
    fill(&mut writer);
    assert_eq!(reads(&reader), reads(&writer));
    // And the other way round, while the first stays open.
    let mut second = Store::open(&path).unwrap();
    second.append_events(&[event("C7", 9, "outage")]).unwrap();
    assert_eq!(writer.events("C7").unwrap(), vec![event("C7", 9, "outage")]);
    assert_eq!(reads(&reader), reads(&writer));
    // Writers on two threads at once: every row lands (the busy timeout waits for the lock).
    drop((writer, reader, second));
    let threads: Vec<_> = (0..2)
        .map(|k| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut store = Store::open(&path).unwrap();
                for i in 0..50 {
                    store.append_events(&[event(&format!("T{k}"), i, "usage")]).unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    let store = Store::open(&path).unwrap();
    for k in 0..2 {
        let times: Vec<i64> = store.events(&format!("T{k}")).unwrap().iter().map(|e| e.time).collect();
        assert_eq!(times, (0..50).collect::<Vec<_>>());
    }
}
