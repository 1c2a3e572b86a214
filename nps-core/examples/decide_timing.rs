//! Times next-best-action decisions on the shipped playbook with varied customers.
//!
//! `cargo run --release -p nps-core --example decide_timing`
use std::time::Instant;

use nps_core::action::{
    playbook, Catalog, DecideOptions, Decision, Factor, FieldValue, Outcome, OutcomeKind, Scratch, PLAYBOOK_JSON,
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

fn main() {
    time(&playbook());
    time(&doubled());
}

fn time(catalog: &Catalog) {
    let segments = ["prepaid", "postpaid", "family", "business"];
    let factor_names = catalog.factors().to_vec();
    // A small pool of varied customers, scores, factors and histories, cycled through.
    let mut state = 0x2545_f491_4f6c_dd1d_u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    let now = 1_800_000_000_i64;
    let mut cases = Vec::new();
    for _ in 0..1024 {
        let customer = catalog
            .customer(&[
                ("tenure_days", FieldValue::Number((next() * 2000.0).floor())),
                ("segment", FieldValue::Text(segments[(next() * 4.0) as usize].to_string())),
                ("complained_outage", FieldValue::Bool(next() < 0.3)),
                ("complained_overage", FieldValue::Bool(next() < 0.3)),
                ("monthly_bill", FieldValue::Number(20.0 + next() * 80.0)),
                ("payment_trend", FieldValue::Number(0.5 + next())),
                ("usage_trend_30d", FieldValue::Number(0.5 + next())),
                ("last_nps", FieldValue::Number((next() * 11.0).floor())),
            ])
            .expect("valid customer");
        let score = next() * 100.0;
        let factors: Vec<Factor> = factor_names.iter().map(|n| Factor::new(n, next() - 0.4)).collect();
        let history: Vec<Outcome> = (0..(next() * 4.0) as usize)
            .map(|k| Outcome {
                action: "bonus_data".into(),
                channel: if k % 2 == 0 { "sms".into() } else { "call".into() },
                group: "retention".into(),
                time: now - (next() * 40.0 * 86_400.0) as i64,
                kind: if next() < 0.5 { OutcomeKind::Presented } else { OutcomeKind::Rejected },
            })
            .collect();
        cases.push((customer, score, factors, history));
    }
    let options = DecideOptions::default();
    let mut scratch = Scratch::default();
    let mut decision = Decision::default();
    let n = 1_000_000;
    let mut returned = 0usize;
    let start = Instant::now();
    for i in 0..n {
        let (c, s, f, h) = &cases[i % cases.len()];
        catalog.decide_into(c, *s, f, h, now, &options, &mut scratch, &mut decision).expect("decision");
        returned += decision.actions.len();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "{n} decisions over {} actions in {secs:.3} s: {:.0} decisions/second ({:.2} µs each; {:.2} actions returned on average)",
        catalog.actions().len(),
        n as f64 / secs,
        secs * 1e6 / n as f64,
        returned as f64 / n as f64
    );
}
