//! Times the retention features on a generated base (about ten events per customer).
//!
//!     cargo run --release -p nps-core --example features_timing -- 1000000
use std::time::Instant;

use nps_core::features::{compute, retention, CustomerHistory, Event, FeatureEngine};
use nps_core::synth::{customers, BaseConfig};

fn main() {
    let n: usize = std::env::args().nth(1).map_or(1_000_000, |a| a.parse().expect("a number of customers"));
    let base =
        customers(&BaseConfig { customers: n, seed: 7, history_days: 36, horizon_days: 1, ..Default::default() })
            .expect("a valid configuration");
    let set = retention();
    for _ in 0..3 {
        let t = Instant::now();
        let m = compute(&base.events, &set, base.config.as_of).expect("valid events");
        println!(
            "{} events, {} customers, {} features: {:.3} s",
            base.events.len(),
            n,
            m.names.len(),
            t.elapsed().as_secs_f64()
        );
    }

    // The ticket-time path: a customer's history (a year of events), one more event, and
    // the features again.
    let year = customers(&BaseConfig { customers: 200, seed: 7, ..Default::default() }).expect("valid");
    let e = &year.events;
    let mut histories: Vec<CustomerHistory> = (0..200).map(|_| CustomerHistory::new(&[])).collect();
    for i in 0..e.len() {
        let kind = &e.kinds[e.kind[i] as usize];
        let value = (!e.value[i].is_nan()).then_some(e.value[i]);
        histories[e.customer[i] as usize].push(&Event { time: e.time[i], kind, value, ..Default::default() }).unwrap();
    }
    let engine = FeatureEngine::new(&set, histories[0].kinds()).expect("the built-in kinds");
    let mut times = Vec::new();
    for (c, h) in histories.iter_mut().enumerate() {
        let now = year.config.as_of + c as i64;
        let t = Instant::now();
        h.push(&Event { time: now - 1, kind: "contact_opened", ..Default::default() }).unwrap();
        let f = h.features(&engine, now).unwrap();
        times.push(t.elapsed().as_secs_f64() * 1e6);
        assert_eq!(f.len(), 27);
    }
    times.sort_by(f64::total_cmp);
    let mean_events = e.len() as f64 / 200.0;
    println!(
        "one more event + 27 features from a {mean_events:.0}-event history: p50 {:.1} µs, p99 {:.1} µs",
        times[100], times[197]
    );
}
