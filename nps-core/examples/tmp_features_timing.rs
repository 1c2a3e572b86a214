use nps_core::features::{compute, retention, EventTable, BUILT_IN_KINDS, NONE};
use std::time::Instant;

fn main() {
    let n = 10_000_000usize;
    let customers = 1_000_000u32;
    let as_of: i64 = 1_700_000_000;
    let mut s: u64 = 0x9E3779B97F4A7C15;
    let mut rnd = move || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        s
    };
    let mut t = EventTable {
        customers,
        kinds: BUILT_IN_KINDS.iter().map(|k| k.to_string()).collect(),
        departments: vec!["billing".into(), "tech".into(), "sales".into()],
        ..Default::default()
    };
    for _ in 0..n {
        t.customer.push((rnd() % customers as u64) as u32);
        t.time.push(as_of - (rnd() % (400 * 86_400)) as i64 + 86_400 * 10);
        let k = (rnd() % 14) as u16;
        t.kind.push(k);
        t.value.push((rnd() % 1000) as f64 / 10.0);
        t.duration.push(if k == 7 { (rnd() % 3600) as f64 } else { f64::NAN });
        t.department.push(if k == 6 { (rnd() % 3) as u32 } else { NONE });
        t.case.push(if k == 6 { (rnd() % 100000) as u32 } else { NONE });
        t.flag.push(2);
    }
    let set = retention();
    if std::env::var("WARM").is_ok() {
        let t = Instant::now();
        let v = vec![1u8; 1 << 30];
        println!("touched 1GB in {:?} ({})", t.elapsed(), v[12345]);
    }
    for label in ["random order", "time-sorted", "customer-sorted"] {
        if label == "time-sorted" {
            sort_by(&mut t, |t, i| t.time[i] as i128);
        } else if label == "customer-sorted" {
            sort_by(&mut t, |t, i| ((t.customer[i] as i128) << 64) + t.time[i] as i128);
        }
        for _ in 0..3 {
            let start = Instant::now();
            let cpu0 = cpu();
            let m = compute(&t, &set, as_of).unwrap();
            println!("{label}: wall {:.3}s cpu {:.2}s ({} x {})", start.elapsed().as_secs_f64(), cpu() - cpu0, m.values.nrows(), m.values.ncols());
        }
    }
}

fn sort_by(t: &mut EventTable, key: impl Fn(&EventTable, usize) -> i128) {
    let mut idx: Vec<usize> = (0..t.len()).collect();
    idx.sort_by_key(|&i| key(t, i));
    t.customer = idx.iter().map(|&i| t.customer[i]).collect();
    t.time = idx.iter().map(|&i| t.time[i]).collect();
    t.kind = idx.iter().map(|&i| t.kind[i]).collect();
    t.value = idx.iter().map(|&i| t.value[i]).collect();
    t.duration = idx.iter().map(|&i| t.duration[i]).collect();
    t.department = idx.iter().map(|&i| t.department[i]).collect();
    t.case = idx.iter().map(|&i| t.case[i]).collect();
    t.flag = idx.iter().map(|&i| t.flag[i]).collect();
}

fn cpu() -> f64 {
    let s = std::fs::read_to_string("/proc/self/stat").unwrap();
    let f: Vec<&str> = s.rsplit(')').next().unwrap().split_whitespace().collect();
    (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
}
