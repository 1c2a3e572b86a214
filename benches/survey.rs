//! Tallying survey answers: throughput in bytes per second (`make bench`).
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use nps_core::survey::{IntervalMethod, ScoreOptions, Tally};
use nps_core::synth::Rng;
use std::hint::black_box;

fn answers(n: usize) -> Vec<u8> {
    let mut rng = Rng::new(1);
    (0..n).map(|_| rng.below(11) as u8).collect()
}

fn tally(c: &mut Criterion) {
    let options = ScoreOptions::default();
    let mut group = c.benchmark_group("tally");
    let n = 10_000_000usize;
    {
        let u8s = answers(n);
        let f64s: Vec<f64> = u8s.iter().map(|x| *x as f64).collect();
        let i64s: Vec<i64> = u8s.iter().map(|x| *x as i64).collect();
        group.throughput(Throughput::Bytes(n as u64));
        group.bench_with_input(BenchmarkId::new("u8", n), &u8s, |b, s| {
            b.iter(|| Tally::from_scores(black_box(s), &options).unwrap())
        });
        group.throughput(Throughput::Bytes(8 * n as u64));
        group.bench_with_input(BenchmarkId::new("i64", n), &i64s, |b, s| {
            b.iter(|| Tally::from_scores(black_box(s), &options).unwrap())
        });
        group.bench_with_input(BenchmarkId::new("f64", n), &f64s, |b, s| {
            b.iter(|| Tally::from_scores(black_box(s), &options).unwrap())
        });
    }
    group.finish();
}

fn intervals(c: &mut Criterion) {
    let t = Tally::from_counts(2_000, 3_000, 5_000).unwrap();
    let mut group = c.benchmark_group("interval");
    for method in [IntervalMethod::AdjustedWald, IntervalMethod::Score, IntervalMethod::BAYES] {
        group.bench_function(method.name(), |b| b.iter(|| black_box(t).interval(method, 0.95).unwrap()));
    }
    group.finish();
}

criterion_group!(benches, tally, intervals);
criterion_main!(benches);
