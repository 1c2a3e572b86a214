"""BG/NBD fit on 1,000,000 customers from Python: nps.value.BetaGeo against lifetimes'
BetaGeoFitter (0.11.3), side by side in one run on the same generated frequency / recency / T.

    .venv/bin/python benches/value.py [--n 1000000] [--repeat 3]

The customers are drawn from a BG/NBD with CDNOW-like parameters (r 0.25, alpha 4, a 0.8,
b 2.5; ages of 1 to 52 weeks). lifetimes is timed once (it takes minutes at this size), nps
best of --repeat. Prints a markdown table for docs/benchmarks.md and the parameters of both.
"""

import argparse
import os
import platform
import time
import warnings

import numpy as np

import nps

warnings.simplefilter("ignore")


def generate(n, seed=18, r=0.25, alpha=4.0, a=0.8, b=2.5):
    """frequency, recency, T of n customers of a BG/NBD, vectorised over customers."""
    rng = np.random.default_rng(seed)
    age = rng.uniform(1.0, 52.0, n)
    rate = rng.gamma(r, 1.0 / alpha, n)
    p = rng.beta(a, b, n)
    now = np.zeros(n)
    last = np.zeros(n)
    count = np.zeros(n)
    alive = np.ones(n, dtype=bool)
    while alive.any():
        idx = np.flatnonzero(alive)
        now[idx] += rng.exponential(1.0, idx.size) / np.maximum(rate[idx], 1e-300)
        bought = now[idx] <= age[idx]
        done = idx[~bought]
        alive[done] = False
        buyers = idx[bought]
        count[buyers] += 1
        last[buyers] = now[buyers]
        # after each purchase the customer drops out with probability p
        dropped = buyers[rng.random(buyers.size) < p[buyers]]
        alive[dropped] = False
    return count, np.where(count > 0, last, 0.0), age


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=1_000_000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--skip-lifetimes", action="store_true")
    args = ap.parse_args()
    f, r, T = generate(args.n)
    print(f"{args.n:,} customers, {int((f > 0).sum()):,} with repeat purchases, up to {int(f.max())} repeats")

    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        ours = nps.value.BetaGeo().fit(f, r, T)
        times.append(time.perf_counter() - t0)
    t_nps = min(times)
    print(f"nps:       {t_nps:.3f} s (best of {args.repeat}), {ours._model.iterations} iterations")
    print(ours.params_.to_string())
    if args.skip_lifetimes:
        return
    import lifetimes

    t0 = time.perf_counter()
    theirs = lifetimes.BetaGeoFitter().fit(f, r, T)
    t_lt = time.perf_counter() - t0
    print(f"lifetimes: {t_lt:.3f} s")
    print(theirs.params_.to_string())
    rel = np.max(np.abs(ours.params_.to_numpy() / theirs.params_[["r", "alpha", "a", "b"]].to_numpy() - 1))
    print()
    print(f"| BG/NBD fit, {args.n:,} customers | time (s) | vs nps |")
    print("|---|---|---|")
    print(f"| nps.value.BetaGeo | {t_nps:.2f} | 1.0x |")
    print(f"| lifetimes BetaGeoFitter | {t_lt:.2f} | {t_lt / t_nps:.1f}x slower |")
    print(f"\nlargest relative parameter difference: {rel:.1e}; {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores")


if __name__ == "__main__":
    main()
