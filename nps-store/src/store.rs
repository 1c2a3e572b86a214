//! The SQLite file: schema, opening (with its checks), and the reads and writes.
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use nps_core::action::{DecisionLogEntry, Learner, Outcome};
use nps_core::features::CustomerHistory;
use nps_core::{NpsError, Result};
use rusqlite::{params, Connection, OpenFlags, OptionalExtension, Transaction};

use crate::records::{Batch, CustomerFields, StoredEvent, StoredOutcome};
use crate::snapshot::Snapshot;

/// The `format` a store file records in its `schema_version` table.
pub const STORE_FORMAT: &str = "nps.store";
/// The newest schema version read, and the one a new file gets.
pub const STORE_VERSION: u32 = 1;
/// How long a write waits for another connection's lock before failing (milliseconds).
pub const BUSY_TIMEOUT_MS: u64 = 5_000;
/// The name a learner is saved under unless another is given.
pub const DEFAULT_LEARNER: &str = "default";

const SCHEMA: &str = r#"
CREATE TABLE schema_version (format TEXT NOT NULL, version INTEGER NOT NULL);
CREATE TABLE events (
    id INTEGER PRIMARY KEY, customer TEXT NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL,
    value REAL, duration REAL, department TEXT, "case" TEXT, flag INTEGER);
CREATE INDEX events_by_customer ON events (customer, id);
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY, customer TEXT NOT NULL, action TEXT, propensity REAL NOT NULL,
    segment TEXT NOT NULL, control INTEGER NOT NULL, time INTEGER NOT NULL, reward REAL);
CREATE TABLE outcomes (
    id INTEGER PRIMARY KEY, customer TEXT NOT NULL, segment TEXT NOT NULL, action TEXT NOT NULL,
    channel TEXT NOT NULL, "group" TEXT NOT NULL, time INTEGER NOT NULL, kind TEXT NOT NULL);
CREATE INDEX outcomes_by_customer ON outcomes (customer, id);
CREATE TABLE fields (customer TEXT PRIMARY KEY, fields TEXT NOT NULL);
CREATE TABLE learners (name TEXT PRIMARY KEY, state TEXT NOT NULL);
"#;

/// The tables of a store, in the order a snapshot lists them.
pub const TABLES: [&str; 5] = ["events", "decisions", "outcomes", "fields", "learners"];

/// A durable store of what a retention service must not lose: events per customer,
/// decisions with their propensities, outcomes, customers' fields and learner state, in one
/// SQLite file (WAL journal, `synchronous = FULL`: a write acknowledged by a returned call
/// is in the file and its journal on disk, and survives the process being killed and a
/// power loss). Every write method is one transaction.
pub struct Store {
    conn: Connection,
    path: PathBuf,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

impl Store {
    /// Opens the store at `path`, creating it (and its schema) when the file does not exist
    /// or is empty. Errors ([`NpsError::Store`], naming the path): a file that is not an
    /// SQLite database or fails SQLite's integrity check (corrupted), a database that is not
    /// an nps store, one written by a newer version. An existing file is never reset.
    pub fn open(path: impl AsRef<Path>) -> Result<Store> {
        let path = path.as_ref().to_path_buf();
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&path, flags).map_err(|e| store_error(&path, "file", e))?;
        let mut store = Store { conn, path };
        store.prepare()?;
        Ok(store)
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, table: &str, e: impl std::fmt::Display) -> NpsError {
        store_error(&self.path, table, e)
    }

    fn prepare(&mut self) -> Result<()> {
        let corrupted = |e: rusqlite::Error| {
            self.err("file", format!("not an nps store, or corrupted (SQLite says: {e}); the file was left as it is"))
        };
        // The first read of the file: a file that is not a database fails here. Everything
        // before the checks below pass only reads: a file that is refused is left as it is
        // (the journal mode, which is recorded in the file's header, is set after them).
        let entries: Vec<(String, String)> = {
            let mut st = self.conn.prepare("SELECT type, name FROM sqlite_master").map_err(corrupted)?;
            let rows = st.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).map_err(corrupted)?;
            rows.collect::<rusqlite::Result<_>>().map_err(corrupted)?
        };
        let tables: Vec<String> = entries.iter().filter(|(t, _)| t == "table").map(|(_, n)| n.clone()).collect();
        let empty = entries.is_empty();
        if !empty {
            // Up to 5 problems (the first row SQLite gives is only a heading; reading on may
            // itself fail on the damaged pages, which is one more problem).
            let problems: Vec<String> = {
                let mut st = self.conn.prepare("PRAGMA quick_check(6)").map_err(corrupted)?;
                let mut rows = st.query([]).map_err(corrupted)?;
                let mut problems = Vec::new();
                loop {
                    match rows.next() {
                        Ok(Some(row)) => problems.push(row.get::<_, String>(0).map_err(corrupted)?),
                        Ok(None) => break,
                        Err(e) if problems.is_empty() => return Err(corrupted(e)),
                        Err(e) => {
                            problems.push(format!("SQLite says: {e}"));
                            break;
                        }
                    }
                }
                problems
            };
            if problems != ["ok"] {
                let problems: Vec<&str> =
                    problems.iter().map(|p| p.trim()).filter(|p| !p.is_empty() && !p.starts_with("***")).collect();
                return Err(self.err(
                    "file",
                    format!(
                        "corrupted (SQLite's integrity check says: {}); the file was left as it is",
                        problems.join("; ")
                    ),
                ));
            }
            self.check_schema(&tables)?;
        }
        self.conn.busy_timeout(std::time::Duration::from_millis(BUSY_TIMEOUT_MS)).map_err(|e| self.err("file", e))?;
        // WAL: readers do not block the writer and a commit appends to the journal;
        // FULL: every commit syncs the journal, so an acknowledged write survives a power loss.
        let mode: String =
            self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).map_err(|e| self.err("file", e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(self.err("file", format!("cannot use the WAL journal (journal mode {mode})")));
        }
        self.conn
            .execute_batch("PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;")
            .map_err(|e| self.err("file", e))?;
        if empty {
            let tx = self.conn.transaction().map_err(|e| store_error(&self.path, "schema", e))?;
            tx.execute_batch(SCHEMA).map_err(|e| store_error(&self.path, "schema", e))?;
            tx.execute(
                "INSERT INTO schema_version (format, version) VALUES (?1, ?2)",
                params![STORE_FORMAT, STORE_VERSION],
            )
            .map_err(|e| store_error(&self.path, "schema", e))?;
            tx.commit().map_err(|e| store_error(&self.path, "schema", e))?;
        }
        Ok(())
    }

    /// Checks (reading only) that an existing database is an nps store this build reads.
    fn check_schema(&self, tables: &[String]) -> Result<()> {
        if !tables.iter().any(|t| t == "schema_version") {
            return Err(self.err(
                "schema_version",
                format!(
                    "not an nps store: an SQLite database without a schema_version table (tables: {})",
                    if tables.is_empty() { "none".to_string() } else { tables.join(", ") }
                ),
            ));
        }
        let found: Option<(String, i64)> = self
            .conn
            .query_row("SELECT format, version FROM schema_version", [], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()
            .map_err(|e| self.err("schema_version", e))?;
        let Some((format, version)) = found else {
            return Err(self.err("schema_version", "the schema version row is missing; the file was left as it is"));
        };
        if format != STORE_FORMAT {
            return Err(self.err("schema_version", format!("format {format:?} is not {STORE_FORMAT:?}")));
        }
        if version > i64::from(STORE_VERSION) || version < 1 {
            return Err(self.err(
                "schema_version",
                format!("schema version {version}, but this build reads versions 1 to {STORE_VERSION} (a newer nps wrote it?)"),
            ));
        }
        for t in TABLES {
            if !tables.iter().any(|x| x == t) {
                return Err(self.err(t, "table missing: the file is not a complete nps store"));
            }
        }
        Ok(())
    }

    /// Writes a batch (what one accepted request changes) in one transaction: all of it
    /// is durable when this returns, or none of it is written.
    pub fn commit(&mut self, batch: &Batch) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| store_error(&path, "file", e))?;
        insert_events(&tx, &path, &batch.events)?;
        for d in &batch.decisions {
            insert_decision(&tx, &path, d)?;
        }
        insert_outcomes(&tx, &path, &batch.outcomes)?;
        for f in &batch.fields {
            set_fields(&tx, &path, f)?;
        }
        if let Some(l) = &batch.learner {
            save_learner(&tx, &path, DEFAULT_LEARNER, l)?;
        }
        tx.commit().map_err(|e| store_error(&path, "file", e))
    }

    /// Appends events (any customers, in the order given) in one transaction.
    pub fn append_events(&mut self, events: &[StoredEvent]) -> Result<()> {
        self.commit(&Batch { events: events.to_vec(), ..Batch::default() })
    }

    /// Logs one decision; returns its id (for [`Store::set_reward`]).
    pub fn record_decision(&mut self, decision: &DecisionLogEntry) -> Result<i64> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| store_error(&path, "decisions", e))?;
        let id = insert_decision(&tx, &path, decision)?;
        tx.commit().map_err(|e| store_error(&path, "decisions", e))?;
        Ok(id)
    }

    /// Sets the reward of a logged decision once the outcome is known. Errors: a reward that
    /// is not finite (SQLite would keep NaN as no reward, and a snapshot cannot carry an
    /// infinity), an id with no decision.
    pub fn set_reward(&mut self, id: i64, reward: f64) -> Result<()> {
        check_reward(reward)?;
        let n = self
            .conn
            .execute("UPDATE decisions SET reward = ?1 WHERE id = ?2", params![reward, id])
            .map_err(|e| self.err("decisions", e))?;
        if n == 0 {
            return Err(self.err("decisions", format!("no decision with id {id}")));
        }
        Ok(())
    }

    /// Records one outcome.
    pub fn record_outcome(&mut self, outcome: &StoredOutcome) -> Result<()> {
        self.commit(&Batch { outcomes: vec![outcome.clone()], ..Batch::default() })
    }

    /// Sets a customer's fields (replacing what was there).
    pub fn set_fields(&mut self, fields: &CustomerFields) -> Result<()> {
        self.commit(&Batch { fields: vec![fields.clone()], ..Batch::default() })
    }

    /// Saves a learner's state under `name` ([`DEFAULT_LEARNER`] is the one [`Batch`] saves).
    pub fn save_learner(&mut self, name: &str, learner: &Learner) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| store_error(&path, "learners", e))?;
        save_learner(&tx, &path, name, learner)?;
        tx.commit().map_err(|e| store_error(&path, "learners", e))
    }

    /// The learner saved under `name`, if any.
    pub fn load_learner(&self, name: &str) -> Result<Option<Learner>> {
        let text: Option<String> = self
            .conn
            .query_row("SELECT state FROM learners WHERE name = ?1", [name], |r| r.get(0))
            .optional()
            .map_err(|e| self.err("learners", e))?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| self.err("learners", format!("learner {name:?}: {e}"))))
            .transpose()
    }

    /// The events of one customer, in the order they were appended.
    pub fn events(&self, customer: &str) -> Result<Vec<StoredEvent>> {
        self.read_events(Some(customer))
    }

    /// Every event, in the order appended.
    pub fn all_events(&self) -> Result<Vec<StoredEvent>> {
        self.read_events(None)
    }

    fn read_events(&self, customer: Option<&str>) -> Result<Vec<StoredEvent>> {
        let sql = match customer {
            Some(_) => {
                r#"SELECT customer, time, kind, value, duration, department, "case", flag, id FROM events WHERE customer = ?1 ORDER BY id"#
            }
            None => {
                r#"SELECT customer, time, kind, value, duration, department, "case", flag, id FROM events WHERE ?1 IS NULL ORDER BY id"#
            }
        };
        let mut st = self.conn.prepare_cached(sql).map_err(|e| self.err("events", e))?;
        let rows = st
            .query_map([customer], |r| {
                Ok(StoredEvent {
                    customer: r.get(0)?,
                    time: r.get(1)?,
                    kind: r.get(2)?,
                    value: r.get(3)?,
                    duration: r.get(4)?,
                    department: r.get(5)?,
                    case: r.get(6)?,
                    flag: r.get::<_, Option<i64>>(7)?.map(|f| f != 0),
                })
            })
            .map_err(|e| self.err("events", e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err("events", e))
    }

    /// The customers with events, in the order of their first event.
    pub fn customers(&self) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT customer FROM events GROUP BY customer ORDER BY MIN(id)")
            .map_err(|e| self.err("events", e))?;
        let rows = st.query_map([], |r| r.get(0)).map_err(|e| self.err("events", e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err("events", e))
    }

    /// Every logged decision, in order, with its id.
    pub fn decisions(&self) -> Result<Vec<(i64, DecisionLogEntry)>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT id, customer, action, propensity, segment, control, time, reward FROM decisions ORDER BY id",
            )
            .map_err(|e| self.err("decisions", e))?;
        let rows = st
            .query_map([], |r| {
                Ok((
                    r.get(0)?,
                    DecisionLogEntry {
                        customer: r.get(1)?,
                        action: r.get(2)?,
                        propensity: r.get(3)?,
                        segment: r.get(4)?,
                        control: r.get::<_, i64>(5)? != 0,
                        time: r.get(6)?,
                        reward: r.get(7)?,
                    },
                ))
            })
            .map_err(|e| self.err("decisions", e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err("decisions", e))
    }

    /// Every outcome, in the order recorded.
    pub fn outcomes(&self) -> Result<Vec<StoredOutcome>> {
        let mut st = self
            .conn
            .prepare(r#"SELECT customer, segment, action, channel, "group", time, kind FROM outcomes ORDER BY id"#)
            .map_err(|e| self.err("outcomes", e))?;
        let rows = st
            .query_map([], |r| {
                Ok(StoredOutcome {
                    customer: r.get(0)?,
                    segment: r.get(1)?,
                    action: r.get(2)?,
                    channel: r.get(3)?,
                    group: r.get(4)?,
                    time: r.get(5)?,
                    kind: r.get(6)?,
                })
            })
            .map_err(|e| self.err("outcomes", e))?;
        rows.collect::<rusqlite::Result<_>>().map_err(|e| self.err("outcomes", e))
    }

    /// Every customer's fields, by customer id.
    pub fn fields(&self) -> Result<Vec<CustomerFields>> {
        let mut st = self
            .conn
            .prepare("SELECT customer, fields FROM fields ORDER BY customer")
            .map_err(|e| self.err("fields", e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err("fields", e))?;
        let mut out = Vec::new();
        for row in rows {
            let (customer, text) = row.map_err(|e| self.err("fields", e))?;
            let fields =
                serde_json::from_str(&text).map_err(|e| self.err("fields", format!("customer {customer:?}: {e}")))?;
            out.push(CustomerFields { customer, fields });
        }
        Ok(out)
    }

    /// Every customer's history rebuilt from their events (the core's [`CustomerHistory`],
    /// accepting the built-in kinds and `declared_kinds`), by customer id. Errors: an event
    /// the history refuses, naming the customer.
    pub fn histories(&self, declared_kinds: &[&str]) -> Result<BTreeMap<String, CustomerHistory>> {
        let mut out: BTreeMap<String, CustomerHistory> = BTreeMap::new();
        for e in self.all_events()? {
            let h = out.entry(e.customer.clone()).or_insert_with(|| CustomerHistory::new(declared_kinds));
            h.push(&e.event()).map_err(|err| err.within(&format!("store events of customer {:?}", e.customer)))?;
        }
        Ok(out)
    }

    /// Every customer's contact history (the outcomes the catalogue's policies read), in the
    /// order recorded, by customer id.
    pub fn contacts(&self) -> Result<BTreeMap<String, Vec<Outcome>>> {
        let mut out: BTreeMap<String, Vec<Outcome>> = BTreeMap::new();
        for o in self.outcomes()? {
            if let Some(c) = o.contact() {
                out.entry(o.customer.clone()).or_default().push(c);
            }
        }
        Ok(out)
    }

    /// Everything in the store as a versioned document (see [`Snapshot`]).
    pub fn snapshot(&self) -> Result<Snapshot> {
        let mut learners = BTreeMap::new();
        let mut st =
            self.conn.prepare("SELECT name, state FROM learners ORDER BY name").map_err(|e| self.err("learners", e))?;
        let rows = st
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .map_err(|e| self.err("learners", e))?;
        for row in rows {
            let (name, text) = row.map_err(|e| self.err("learners", e))?;
            let l: Learner = serde_json::from_str(&text).map_err(|e| self.err("learners", format!("{name:?}: {e}")))?;
            learners.insert(name, l);
        }
        Ok(Snapshot::new(
            self.all_events()?,
            self.decisions()?.into_iter().map(|(_, d)| d).collect(),
            self.outcomes()?,
            self.fields()?,
            learners,
        ))
    }

    /// Replaces everything in the store by a snapshot's content, in one transaction.
    pub fn restore(&mut self, snapshot: &Snapshot) -> Result<()> {
        let path = self.path.clone();
        let tx = self.conn.transaction().map_err(|e| store_error(&path, "file", e))?;
        for t in TABLES {
            tx.execute(&format!("DELETE FROM {t}"), []).map_err(|e| store_error(&path, t, e))?;
        }
        insert_events(&tx, &path, &snapshot.events)?;
        for d in &snapshot.decisions {
            insert_decision(&tx, &path, d)?;
        }
        insert_outcomes(&tx, &path, &snapshot.outcomes)?;
        for f in &snapshot.fields {
            set_fields(&tx, &path, f)?;
        }
        for (name, l) in &snapshot.learners {
            save_learner(&tx, &path, name, l)?;
        }
        tx.commit().map_err(|e| store_error(&path, "file", e))
    }

    /// Rows in each table ([`TABLES`] order).
    pub fn counts(&self) -> Result<[u64; 5]> {
        let mut out = [0; 5];
        for (k, t) in TABLES.iter().enumerate() {
            let n: i64 = self
                .conn
                .query_row(&format!("SELECT COUNT(*) FROM {t}"), [], |r| r.get(0))
                .map_err(|e| self.err(t, e))?;
            out[k] = n as u64;
        }
        Ok(out)
    }
}

/// An SQLite error as the library's one error type.
fn store_error(path: &Path, table: &str, e: impl std::fmt::Display) -> NpsError {
    NpsError::Store { path: path.display().to_string(), table: table.into(), message: e.to_string() }
}

fn insert_events(tx: &Transaction<'_>, path: &Path, events: &[StoredEvent]) -> Result<()> {
    let mut st = tx
        .prepare_cached(
            r#"INSERT INTO events (customer, time, kind, value, duration, department, "case", flag) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"#,
        )
        .map_err(|e| store_error(path, "events", e))?;
    for (i, e) in events.iter().enumerate() {
        for (name, v) in [("value", e.value), ("duration", e.duration)] {
            if let Some(x) = v.filter(|x| !x.is_finite()) {
                return Err(NpsError::OutOfRange {
                    field: format!("events.{name}"),
                    index: i,
                    value: x,
                    range: "finite numbers (absent: null)".into(),
                });
            }
        }
        st.execute(params![
            e.customer,
            e.time,
            e.kind,
            e.value,
            e.duration,
            e.department,
            e.case,
            e.flag.map(i64::from)
        ])
        .map_err(|err| store_error(path, "events", format!("row {i}: {err}")))?;
    }
    Ok(())
}

fn insert_decision(tx: &Transaction<'_>, path: &Path, d: &DecisionLogEntry) -> Result<i64> {
    if !(d.propensity > 0.0 && d.propensity <= 1.0) {
        return Err(NpsError::OutOfRange {
            field: "decision.propensity".into(),
            index: 0,
            value: d.propensity,
            range: "(0, 1]".into(),
        });
    }
    if let Some(r) = d.reward {
        check_reward(r)?;
    }
    let mut st = tx
        .prepare_cached(
            "INSERT INTO decisions (customer, action, propensity, segment, control, time, reward) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .map_err(|e| store_error(path, "decisions", e))?;
    st.execute(params![d.customer, d.action, d.propensity, d.segment, i64::from(d.control), d.time, d.reward])
        .map_err(|e| store_error(path, "decisions", e))?;
    Ok(tx.last_insert_rowid())
}

fn insert_outcomes(tx: &Transaction<'_>, path: &Path, outcomes: &[StoredOutcome]) -> Result<()> {
    let mut st = tx
        .prepare_cached(
            r#"INSERT INTO outcomes (customer, segment, action, channel, "group", time, kind) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"#,
        )
        .map_err(|e| store_error(path, "outcomes", e))?;
    for (i, o) in outcomes.iter().enumerate() {
        if !crate::OUTCOME_KINDS.contains(&o.kind.as_str()) {
            return Err(NpsError::unknown(&format!("outcomes[{i}].kind"), &o.kind, &crate::OUTCOME_KINDS));
        }
        st.execute(params![o.customer, o.segment, o.action, o.channel, o.group, o.time, o.kind])
            .map_err(|e| store_error(path, "outcomes", format!("row {i}: {e}")))?;
    }
    Ok(())
}

fn set_fields(tx: &Transaction<'_>, path: &Path, f: &CustomerFields) -> Result<()> {
    let text = serde_json::to_string(&f.fields).map_err(|e| store_error(path, "fields", e))?;
    tx.prepare_cached(
        "INSERT INTO fields (customer, fields) VALUES (?1, ?2) ON CONFLICT (customer) DO UPDATE SET fields = ?2",
    )
    .and_then(|mut st| st.execute(params![f.customer, text]))
    .map_err(|e| store_error(path, "fields", e))?;
    Ok(())
}

/// A reward as the store keeps it: finite (NaN would be read back as no reward, and JSON has
/// no infinities).
fn check_reward(reward: f64) -> Result<()> {
    if reward.is_finite() {
        return Ok(());
    }
    Err(NpsError::OutOfRange {
        field: "decision.reward".into(),
        index: 0,
        value: reward,
        range: "finite numbers (absent: None)".into(),
    })
}

fn save_learner(tx: &Transaction<'_>, path: &Path, name: &str, l: &Learner) -> Result<()> {
    let text = serde_json::to_string(l).map_err(|e| store_error(path, "learners", e))?;
    // JSON writes a number that is not finite as null, which would make the saved state
    // (and every snapshot of the store) unreadable: refuse it here instead.
    if let Err(e) = serde_json::from_str::<Learner>(&text) {
        return Err(NpsError::invalid(
            &format!("learner {name:?}"),
            format!("a state that does not read back ({e})"),
            "finite prior, exploration and counts",
        ));
    }
    tx.prepare_cached("INSERT INTO learners (name, state) VALUES (?1, ?2) ON CONFLICT (name) DO UPDATE SET state = ?2")
        .and_then(|mut st| st.execute(params![name, text]))
        .map_err(|e| store_error(path, "learners", e))?;
    Ok(())
}
