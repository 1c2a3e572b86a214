//! A writer killed with SIGKILL in the middle of its writes: every batch it acknowledged is in
//! the store after a reopen, and no batch is there in part.
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use nps_store::{Batch, Store, StoredEvent, StoredOutcome};

const CHILD: &str = "NPS_STORE_KILL_CHILD";
/// Events per batch: a batch is all there or not at all.
const PER_BATCH: usize = 5;

fn batch(k: usize) -> Batch {
    Batch {
        events: (0..PER_BATCH)
            .map(|j| StoredEvent {
                customer: format!("C{}", k % 7),
                time: (k * PER_BATCH + j) as i64,
                kind: "usage".into(),
                value: Some(k as f64),
                ..Default::default()
            })
            .collect(),
        outcomes: vec![StoredOutcome {
            customer: format!("C{}", k % 7),
            segment: "consumer".into(),
            action: "bonus_data".into(),
            channel: "sms".into(),
            group: "retention".into(),
            time: k as i64,
            kind: "accepted".into(),
        }],
        ..Batch::default()
    }
}

/// The child: commits batches forever, printing the number of each once `commit` returned.
#[test]
fn writer_child() {
    let Ok(path) = std::env::var(CHILD) else { return };
    let mut store = Store::open(&path).unwrap();
    for k in 0.. {
        store.commit(&batch(k)).unwrap();
        println!("ack {k}");
    }
}

#[cfg(unix)]
#[test]
fn acknowledged_batches_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("nps-store-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("state.db");
    drop(Store::open(&path).unwrap());

    for round in 0..3 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args(["--exact", "writer_child", "--nocapture", "--test-threads", "1"])
            .env(CHILD, &path)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let before = Store::open(&path).unwrap().counts().unwrap()[2] as usize;
        let mut acked = None;
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        // Kill it in the middle of its writes: after some hundred acknowledged batches.
        let target = 150 + round * 97;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(k) = line.strip_prefix("ack ") {
                let k: usize = k.trim().parse().unwrap();
                acked = Some(k);
                if k >= target {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL on Unix
        child.wait().unwrap();
        // The acknowledgements it printed before it died (it runs ahead of this reader).
        for line in lines {
            if let Some(k) = line.unwrap().strip_prefix("ack ") {
                acked = Some(k.trim().parse().unwrap());
            }
        }
        let acked = acked.expect("the child acknowledged nothing") + 1;

        let store = Store::open(&path).unwrap();
        let outcomes = store.outcomes().unwrap();
        let events = store.all_events().unwrap();
        let written = outcomes.len() - before;
        assert!(written >= acked, "round {round}: {acked} batches acknowledged, {written} in the store");
        // At most the one whose commit returned as the child was killed, before it printed.
        assert!(written <= acked + 1, "round {round}: {acked} batches acknowledged, {written} in the store");
        assert_eq!(events.len(), outcomes.len() * PER_BATCH, "round {round}: a batch is there in part");
        // Each round's batches are the child's, in order.
        for k in 0..written {
            assert_eq!(outcomes[before + k], batch(k).outcomes[0]);
            assert_eq!(events[(before + k) * PER_BATCH..(before + k + 1) * PER_BATCH], batch(k).events[..]);
        }
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
