//! Times the retention features on a generated base (about ten events per customer).
//!
//!     cargo run --release -p nps-core --example features_timing -- 1000000
use std::time::Instant;

use nps_core::features::{compute, retention};
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
}
