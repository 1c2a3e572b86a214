"""nps.Store (the nps-store crate) from Python: what is written is there after reopening,
read back by Python's own sqlite3 module too; a batch is all or nothing; a corrupted, foreign
or newer file is an NpsError (code STORE) and is left byte for byte; snapshots round-trip;
the learner rebuilt from stored outcomes equals one that counted them live; saves are atomic."""

import json
import os
import sqlite3

import pandas as pd
import pytest

import nps
from nps import Learner, Store

T0 = 1_700_000_000
EVENTS = [
    {"customer": "C1", "time": T0, "kind": "subscription_start", "department": "web"},
    {"customer": "C2", "time": T0 + 5, "kind": "bill", "value": 42.5},
    {"customer": "C1", "time": T0 + 10, "kind": "contact_opened", "department": "billing", "case": "K1"},
    {"customer": "C1", "time": T0 + 70, "kind": "contact_resolved", "duration": 600.0, "case": "K1", "flag": True},
]
OUTCOMES = [
    {"customer": "C1", "segment": "consumer", "action": "bonus_data", "channel": "sms", "group": "", "time": T0 + 100,
     "kind": kind}
    for kind in ["presented", "accepted", "rejected", "retained", "churned"]
]


def test_reopened_store_keeps_everything_and_sqlite3_reads_it(tmp_path):
    path = tmp_path / "state.db"
    s = Store(path)
    s.commit(events=EVENTS[:2], fields={"C1": {"plan": "contract", "bill": 40.0}})
    s.append_events(EVENTS[2:])
    d = s.record_decision({"customer": "C1", "action": "bonus_data", "propensity": 0.25, "segment": "consumer",
                           "control": False, "time": T0 + 90})
    s.record_decision({"customer": "C2", "action": None, "propensity": 1.0, "segment": "consumer", "control": True,
                       "time": T0 + 91})
    s.set_reward(d, 1.0)
    for o in OUTCOMES:
        s.record_outcome(o)
    del s

    again = Store(path)
    assert again.counts() == {"events": 4, "decisions": 2, "outcomes": 5, "fields": 1, "learners": 0}
    ev = again.events()
    assert list(ev["customer"]) == ["C1", "C2", "C1", "C1"]
    assert list(ev["time"].astype("datetime64[s]").astype("int64")) == [e["time"] for e in EVENTS]
    assert ev["value"].iloc[1] == 42.5 and ev["duration"].iloc[3] == 600.0 and ev["flag"].iloc[3] is True
    assert list(again.events("C1")["kind"]) == ["subscription_start", "contact_opened", "contact_resolved"]
    assert again.customers() == ["C1", "C2"]
    dec = again.decisions()
    assert dec.loc[d, "propensity"] == 0.25 and dec.loc[d, "reward"] == 1.0
    assert dec["action"].isna().tolist() == [False, True] and dec["control"].tolist() == [False, True]
    assert list(again.outcomes()["kind"]) == [o["kind"] for o in OUTCOMES]
    assert again.fields() == {"C1": {"plan": "contract", "bill": 40.0}}

    # The frames go back in as they came out (times as datetime64, missing cells as NaN).
    copy = Store(tmp_path / "copy.db")
    copy.append_events(again.events())
    assert copy.events().equals(again.events())
    copy.record_outcome(dict(OUTCOMES[0], time=pd.Timestamp(T0 + 100, unit="s")))
    assert copy.outcomes()["time"].iloc[0] == pd.Timestamp(T0 + 100, unit="s")

    # The reference reader: Python's sqlite3 sees the same rows, in WAL mode.
    con = sqlite3.connect(path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("SELECT format, version FROM schema_version").fetchone() == ("nps.store", 1)
    assert con.execute("SELECT customer, time, kind FROM events ORDER BY id").fetchall() == [
        (e["customer"], e["time"], e["kind"]) for e in EVENTS]
    assert con.execute("SELECT propensity, reward FROM decisions WHERE id = ?", (d,)).fetchone() == (0.25, 1.0)
    con.close()


def test_a_batch_is_all_or_nothing(tmp_path):
    s = Store(tmp_path / "s.db")
    bad = dict(OUTCOMES[0], kind="maybe")
    with pytest.raises(nps.NpsError) as e:
        s.commit(events=EVENTS, outcomes=[OUTCOMES[0], bad])
    assert e.value.code == "UNKNOWN_VALUE" and "outcomes[1].kind" in str(e.value) and "maybe" in str(e.value)
    assert s.counts() == dict.fromkeys(nps.store.TABLES, 0)
    with pytest.raises(nps.NpsError) as e:
        s.append_events([{"customer": "C1", "time": T0, "kind": "outage", "colour": "red"}])
    assert e.value.code == "INVALID_PARAMETER" and "colour" in str(e.value)
    with pytest.raises(nps.NpsError, match=r"events\[0\].value = inf: expected a finite number"):
        s.append_events([{"customer": "C1", "time": T0, "kind": "outage", "value": float("inf")}])
    with pytest.raises(nps.NpsError, match=r"events\[0\]\.time is missing"):
        s.append_events([{"customer": "C1", "time": None, "kind": "outage"}])
    with pytest.raises(nps.NpsError, match="not JSON"):
        s.set_fields("C1", {"tags": {"a", "b"}})
    with pytest.raises(nps.NpsError, match=r"events\[1\]: each row must be a dict"):
        s.append_events([EVENTS[0], "C1"])
    with pytest.raises(nps.NpsError) as e:
        s.set_reward(99, 1.0)
    assert e.value.code == "STORE" and "99" in str(e.value)
    assert s.counts()["events"] == 0


def _refused(path, pattern):
    before = path.read_bytes()
    with pytest.raises(nps.NpsError, match=pattern) as e:
        Store(path)
    assert e.value.code == "STORE" and str(path) in str(e.value)
    assert path.read_bytes() == before  # never reset


def test_corrupted_foreign_and_newer_files_are_refused_and_left_alone(tmp_path):
    garbage = tmp_path / "garbage.db"
    garbage.write_bytes(b"this is not a database at all, just text " * 200)
    _refused(garbage, "not an nps store, or corrupted")

    foreign = tmp_path / "foreign.db"
    con = sqlite3.connect(foreign)
    con.execute("CREATE TABLE customers (id TEXT)")
    con.commit()
    con.close()
    _refused(foreign, "without a schema_version table")

    newer = tmp_path / "newer.db"
    Store(newer).append_events(EVENTS)
    con = sqlite3.connect(newer)
    con.execute("UPDATE schema_version SET version = 99")
    con.commit()
    con.close()
    _refused(newer, "schema version 99")

    broken = tmp_path / "broken.db"
    s = Store(broken)
    s.append_events(EVENTS * 500)
    del s
    con = sqlite3.connect(broken)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    data = bytearray(broken.read_bytes())
    page = 4096
    data[page * 2: page * 4] = b"\xff" * (page * 2)  # overwrite pages in the middle
    broken.write_bytes(bytes(data))
    _refused(broken, "corrupted")


def test_snapshot_round_trip_and_learner_rebuild(tmp_path):
    s = Store(tmp_path / "a.db")
    live = Learner()
    s.commit(events=EVENTS, outcomes=OUTCOMES, fields={"C2": {"plan": "prepaid"}}, learner=live)
    for o in OUTCOMES:
        if o["kind"] in ("accepted", "retained", "rejected", "ignored", "churned"):
            live.record(o["action"], o["segment"], o["kind"] in ("accepted", "retained"))
    rebuilt = s.rebuild_learner(Learner())
    assert rebuilt.to_json() == live.to_json()
    assert rebuilt.counts("bonus_data", "consumer") == (2.0, 2.0)
    assert s.load_learner().to_json() == Learner().to_json()  # as committed, before the outcomes
    s.save_learner(live, "after")
    assert s.load_learner("after").to_json() == live.to_json() and s.load_learner("nobody") is None

    snap = s.snapshot()
    doc = json.loads(snap)
    assert doc["format"] == "nps.store_snapshot" and doc["version"] == 1 and len(doc["events"]) == 4
    s.save_snapshot(tmp_path / "snap.json")
    assert (tmp_path / "snap.json").read_text() == snap
    other = Store(tmp_path / "b.db")
    other.append_events(EVENTS[:1])
    other.restore(snap)  # replaces
    assert other.counts() == s.counts()
    assert other.events().equals(s.events()) and other.outcomes().equals(s.outcomes())
    assert other.snapshot() == snap
    with pytest.raises(nps.NpsError, match="version"):
        other.restore(json.dumps(dict(doc, version=7)))
    with pytest.raises(nps.NpsError):
        other.restore("{not json")
    assert other.snapshot() == snap


def test_saves_are_atomic(tmp_path):
    b = nps.synth.generate(customers=300, seed=1)
    X = nps.features.retention(b.events, as_of=b.as_of)
    m = nps.ChurnModel().fit(X, b.labels["churned"].astype(int))
    path = tmp_path / "model.json"
    path.write_text("old")
    m.save(path)
    assert nps.ChurnModel.load(path).to_json() == m.to_json()
    assert sorted(os.listdir(tmp_path)) == ["model.json"]  # no temporary file left
    nps.store.write_atomic(tmp_path / "x.txt", "hello")
    assert (tmp_path / "x.txt").read_text() == "hello"
    with pytest.raises(nps.NpsError):
        nps.store.write_atomic(tmp_path / "no" / "such" / "dir.txt", "x")
