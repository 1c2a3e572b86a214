"""The same model used from Python threads at once gives the serial results, and heavy calls
release the GIL (issue 20; docs/reliability.md#concurrency)."""

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import nps


def fitted():
    base = nps.synth.generate(customers=3_000, seed=11)
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels["churned"]
    return X, nps.ChurnModel().fit(X, y), nps.BoostedChurnModel(n_estimators=30).fit(X, y)


def test_models_shared_by_threads_predict_as_serially():
    X, logistic, boosted = fitted()

    def run(_):
        return logistic.predict_proba(X)[:, 1], boosted.predict_proba(X)[:, 1]

    serial = run(0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(16)))
    for a, b in results:
        assert np.array_equal(a.view(np.uint64), serial[0].view(np.uint64))
        assert np.array_equal(b.view(np.uint64), serial[1].view(np.uint64))


def test_one_catalogue_decides_from_threads_as_serially():
    # The catalogue lends its reusable decider to one call at a time and a fresh one to any
    # other (it never waits for it): the same decisions and traces either way.
    c = nps.ActionCatalog.playbook()
    customers = [{"tenure_days": (k * 37) % 900, "segment": ["postpaid", "family", "prepaid"][k % 3],
                  "complained_outage": k % 2 == 0, "complained_overage": k % 5 == 0, "monthly_bill": 20.0 + k,
                  "payment_trend": 0.5 + (k % 7) / 7, "usage_trend_30d": 0.6, "last_nps": k % 11} for k in range(60)]

    def run(_):
        return [(c.decide(cu, score=(k * 13) % 101, factors={"bill_shock": (k % 5) / 4 - 0.5}, now=1_782_864_000),
                 c.decide_values(c.encode(cu), score=(k * 13) % 101, trace=True))
                for k, cu in enumerate(customers)]

    serial = run(0)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(run, range(16)))
    for r in results:
        assert [(dict(d), v) for d, v in r] == [(dict(d), v) for d, v in serial]


def test_a_heavy_call_releases_the_gil():
    # While one thread fits, another Python thread keeps running: a call that held the GIL
    # would leave the counter still.
    base = nps.synth.generate(customers=20_000, seed=3)
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels["churned"]
    ticks = []
    done = threading.Event()

    def count():
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.001)

    t = threading.Thread(target=count)
    t.start()
    try:
        start = time.perf_counter()
        nps.BoostedChurnModel(n_estimators=100).fit(X, y)
        end = time.perf_counter()
    finally:
        done.set()
        t.join()
    during = [x for x in ticks if start < x < end]
    assert end - start > 0.05, "the fit is long enough to observe"
    assert len(during) >= 5, f"{len(during)} ticks in {end - start:.2f}s"
