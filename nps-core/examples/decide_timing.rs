//! Times next-best-action decisions on the shipped playbook (10 actions) and on a 20-action
//! catalogue (the playbook with every action twice), one core:
//!
//! - `decide_into`: customers as `Customer` records with named factors, the trace built
//!   (a pool of 1,024 varied customers, factors and histories, cycled);
//! - `decide_values`: 1,000,000 distinct customers as numeric records with dense factor
//!   contributions, no trace (the batch path), histories cycled from the same pool.
//!
//! Each line gives decisions per second of wall time and per second of this thread's CPU
//! time (read from `/proc/thread-self/schedstat` on Linux): on a shared machine the second
//! is the rate per core, the first also counts the time other jobs held the core.
//!
//! `cargo run --release -p nps-core --example decide_timing [customers]`
use std::time::Instant;

use nps_core::action::{
    playbook, Catalog, Choice, DecideOptions, Decision, Factor, FieldValue, Outcome, OutcomeKind, Scratch,
    PLAYBOOK_JSON,
};

/// The playbook with every action twice (the copies with a `_b` id): a 20-action catalogue.
fn doubled() -> Catalog {
    let mut v: serde_json::Value = serde_json::from_str(PLAYBOOK_JSON).expect("playbook JSON");
    let actions = v["actions"].as_array().expect("actions").clone();
    let copies = actions.iter().map(|a| {
        let mut a = a.clone();
        a["id"] = format!("{}_b", a["id"].as_str().expect("id")).into();
        a
    });
    let all: Vec<serde_json::Value> = actions.iter().cloned().chain(copies).collect();
    v["actions"] = all.into();
    Catalog::from_value(&v).expect("valid catalogue")
}

/// xorshift64 uniforms in [0, 1).
struct Uniform(u64);

impl Uniform {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Nanoseconds of CPU time this thread has run, where Linux tells.
fn cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

/// Starts a clock of wall and CPU time.
fn clock() -> (Instant, Option<u64>) {
    (Instant::now(), cpu_ns())
}

/// "N decisions/s (wall), M/s (CPU)" since `start`, for `n` decisions.
fn rates(start: (Instant, Option<u64>), n: usize) -> String {
    let wall = start.0.elapsed().as_secs_f64();
    let cpu = match (start.1, cpu_ns()) {
        (Some(a), Some(b)) => format!(
            ", {:.0}/s per CPU second ({:.3} µs CPU each)",
            n as f64 / ((b - a) as f64 * 1e-9),
            (b - a) as f64 * 1e-3 / n as f64
        ),
        _ => String::new(),
    };
    format!("{:.0} decisions/s wall ({:.3} µs each){cpu}", n as f64 / wall, wall * 1e6 / n as f64)
}

const SEGMENTS: [&str; 4] = ["prepaid", "postpaid", "family", "business"];
const NOW: i64 = 1_800_000_000;

fn customer(catalog: &Catalog, u: &mut Uniform) -> nps_core::action::Customer {
    catalog
        .customer(&[
            ("tenure_days", FieldValue::Number((u.next() * 2000.0).floor())),
            ("segment", FieldValue::Text(SEGMENTS[(u.next() * 4.0) as usize].to_string())),
            ("complained_outage", FieldValue::Bool(u.next() < 0.3)),
            ("complained_overage", FieldValue::Bool(u.next() < 0.3)),
            ("monthly_bill", FieldValue::Number(20.0 + u.next() * 80.0)),
            ("payment_trend", FieldValue::Number(0.5 + u.next())),
            ("usage_trend_30d", FieldValue::Number(0.5 + u.next())),
            ("last_nps", FieldValue::Number((u.next() * 11.0).floor())),
        ])
        .expect("valid customer")
}

fn history(u: &mut Uniform) -> Vec<Outcome> {
    (0..(u.next() * 4.0) as usize)
        .map(|k| Outcome {
            action: "bonus_data".into(),
            channel: if k % 2 == 0 { "sms".into() } else { "call".into() },
            group: "retention".into(),
            time: NOW - (u.next() * 40.0 * 86_400.0) as i64,
            kind: if u.next() < 0.5 { OutcomeKind::Presented } else { OutcomeKind::Rejected },
        })
        .collect()
}

fn main() {
    let customers: usize = std::env::args().nth(1).map_or(1_000_000, |a| a.parse().expect("a number of customers"));
    for catalog in [playbook(), doubled()] {
        time_objects(&catalog);
        time_values(&catalog, customers);
    }
}

/// `decide_into` with the trace, on a pool of 1,024 customers.
fn time_objects(catalog: &Catalog) {
    let mut u = Uniform(0x2545_f491_4f6c_dd1d);
    let factor_names = catalog.factors().to_vec();
    let mut cases = Vec::new();
    for _ in 0..1024 {
        let c = customer(catalog, &mut u);
        let score = u.next() * 100.0;
        let factors: Vec<Factor> = factor_names.iter().map(|n| Factor::new(n, u.next() - 0.4)).collect();
        cases.push((c, score, factors, history(&mut u)));
    }
    let options = DecideOptions::default();
    let mut scratch = Scratch::default();
    let mut decision = Decision::default();
    let n = 1_000_000;
    let mut returned = 0usize;
    let start = clock();
    for i in 0..n {
        let (c, s, f, h) = &cases[i % cases.len()];
        catalog.decide_into(c, *s, f, h, NOW, &options, &mut scratch, &mut decision).expect("decision");
        returned += decision.actions.len();
    }
    println!(
        "decide_into, trace: {n} decisions over {} actions: {} ({:.2} returned on average)",
        catalog.actions().len(),
        rates(start, n),
        returned as f64 / n as f64
    );
}

/// `decide_values` without the trace, on `n` distinct customers.
fn time_values(catalog: &Catalog, n: usize) {
    let mut u = Uniform(0x9e37_79b9_7f4a_7c15);
    let (nf, nk) = (catalog.fields().len(), catalog.factors().len());
    let mut values = Vec::with_capacity(n * nf);
    let mut contributions = Vec::with_capacity(n * nk);
    let mut scores = Vec::with_capacity(n);
    let mut record = Vec::new();
    for _ in 0..n {
        catalog.encode(&customer(catalog, &mut u), &mut record).expect("encoded");
        values.extend_from_slice(&record);
        contributions.extend((0..nk).map(|_| u.next() - 0.4));
        scores.push(u.next() * 100.0);
    }
    let histories: Vec<Vec<Outcome>> = (0..1024).map(|_| history(&mut u)).collect();
    let options = DecideOptions::default();
    let mut scratch = Scratch::default();
    let mut ranked: Vec<Choice> = Vec::new();
    let mut returned = 0usize;
    let start = clock();
    for i in 0..n {
        catalog
            .decide_values(
                &values[i * nf..(i + 1) * nf],
                scores[i],
                &contributions[i * nk..(i + 1) * nk],
                &histories[i % histories.len()],
                NOW,
                &options,
                &mut scratch,
                &mut ranked,
                None,
            )
            .expect("decision");
        returned += ranked.len();
    }
    println!(
        "decide_values, no trace: {n} distinct customers over {} actions: {} ({:.2} returned on average)",
        catalog.actions().len(),
        rates(start, n),
        returned as f64 / n as f64
    );
}
