"""Writes tests/vectors/survey.json: NPS cases with expected values computed here by an
independent reference (numpy and scipy, written from the formulas, not from nps), plus the
published values the issue quotes. The Rust, Python and Node tests all read the JSON.

Run with any Python that has numpy and scipy:  python tests/vectors/make_survey.py
"""

import json
import math
from pathlib import Path

import numpy as np
from scipy import integrate, optimize, stats

Z = lambda level: stats.norm.ppf((1 + level) / 2)


def counts_of(scores, breaks=(0, 6, 8, 10)):
    s = np.asarray(scores, dtype=float)
    return [int(np.sum(s <= breaks[1])), int(np.sum((s > breaks[1]) & (s <= breaks[2]))), int(np.sum(s > breaks[2]))]


def nps_se(c):
    n = sum(c)
    pd_, pp = c[0] / n, c[2] / n
    var = pp + pd_ - (pp - pd_) ** 2
    return 100 * (pp - pd_), 100 * math.sqrt(var / n)


def weighted(scores, weights, breaks=(0, 6, 8, 10)):
    s, w = np.asarray(scores, float), np.asarray(weights, float)
    y = np.where(s <= breaks[1], -1.0, np.where(s <= breaks[2], 0.0, 1.0))
    W = w.sum()
    ybar = (w * y).sum() / W
    var = (w**2 * (y - ybar) ** 2).sum() / W**2
    return 100 * ybar, 100 * math.sqrt(var), W**2 / (w**2).sum()


def wald(c, level):
    nps, se = nps_se(c)
    z = Z(level)
    return dict(low=nps - z * se, high=nps + z * se, center=nps, se=se)


def adjusted(c, level):
    a = [c[0] + 0.75, c[1] + 1.5, c[2] + 0.75]
    nps, se = nps_se(a)
    z = Z(level)
    return dict(low=nps - z * se, high=nps + z * se, center=nps, se=se)


def score(c, level):
    """Score interval: solve Z(delta) = +-z with the constrained MLE found numerically."""
    D, Pa, P = c
    n = D + Pa + P
    z = Z(level)

    def constrained_pd(delta):
        # maximise P log(x+delta) + D log x + Pa log(1-2x-delta) over the feasible x: the
        # log-likelihood is concave, so its derivative has one root (or the maximum is at
        # an end, when a count is zero)
        lo, hi = max(0.0, -delta), (1 - delta) / 2
        def slope(x):
            return P / (x + delta) + D / x - 2 * Pa / (1 - 2 * x - delta)
        eps = 1e-15 * max(1.0, hi - lo)
        a, b = lo + eps, hi - eps
        if a >= b:
            return lo
        if slope(a) <= 0:
            return lo
        if slope(b) >= 0:
            return hi
        return optimize.brentq(slope, a, b, xtol=1e-16, rtol=1e-15, maxiter=500)

    def stat(delta):
        x = constrained_pd(delta)
        var = 2 * x + delta * (1 - delta)
        num = P - D - n * delta
        if num == 0:
            return 0.0
        return num / math.sqrt(n * var) if var > 0 else math.copysign(math.inf, num)

    est = (P - D) / n
    low = -1.0 if est <= -1 else optimize.brentq(lambda d: stat(d) - z, -1 + 1e-12, est, xtol=1e-13)
    high = 1.0 if est >= 1 else optimize.brentq(lambda d: stat(d) + z, est, 1 - 1e-12, xtol=1e-13)
    nps, se = nps_se(c)
    return dict(low=100 * low, high=100 * high, center=nps, se=se)


def posterior_cdf(alpha, t):
    """P(pP - pD <= t) for (pD, pPa, pP) ~ Dirichlet(alpha), by quadrature."""
    aD, aPa, aP = alpha
    f = lambda y: stats.beta.pdf(y, aD, aPa + aP) * stats.beta.cdf(np.clip((t + y) / (1 - y), 0, 1), aP, aPa)
    return integrate.quad(f, 0, 1, limit=500, epsabs=1e-12, points=[max(0, -t), (1 - t) / 2])[0]


def bayes(c, level, prior=(1, 1, 1)):
    alpha = [c[i] + prior[i] for i in range(3)]
    a0 = sum(alpha)
    mean = (alpha[2] - alpha[0]) / a0
    var = (alpha[2] * (a0 - alpha[2]) + alpha[0] * (a0 - alpha[0]) + 2 * alpha[2] * alpha[0]) / (a0**2 * (a0 + 1))
    q = lambda p: optimize.brentq(lambda t: posterior_cdf(alpha, t) - p, -1, 1, xtol=1e-12)
    return dict(low=100 * q((1 - level) / 2), high=100 * q((1 + level) / 2), center=100 * mean, se=100 * math.sqrt(var))


def compare(a, b, method, level):
    if method == "wald":
        (na, sa), (nb, sb) = nps_se(a), nps_se(b)
    else:
        adj = lambda c: [c[0] + 0.75, c[1] + 1.5, c[2] + 0.75]
        (na, sa), (nb, sb) = nps_se(adj(a)), nps_se(adj(b))
    diff, se = na - nb, math.hypot(sa, sb)
    z = diff / se
    p = 2 * stats.norm.sf(abs(z))
    zc = Z(level)
    low, high = diff - zc * se, diff + zc * se
    return dict(diff=diff, se=se, z=z, p_value=p, low=low, high=high, direction=1 if low > 0 else (-1 if high < 0 else 0))


def prob_greater_mc(a, b, prior=(1, 1, 1), draws=4_000_000):
    rng = np.random.default_rng(2024)
    da = rng.dirichlet([a[i] + prior[i] for i in range(3)], draws)
    db = rng.dirichlet([b[i] + prior[i] for i in range(3)], draws)
    return float(np.mean((da[:, 2] - da[:, 0]) > (db[:, 2] - db[:, 0])))


def sample_size(margin, level, shares=(0.5, 0.5), population=None):
    pp, pd_ = shares
    n = Z(level) ** 2 * (pp + pd_ - (pp - pd_) ** 2) / (margin / 100) ** 2
    if population:
        n = n / (1 + (n - 1) / population)
    return math.ceil(n - 1e-9)


def main():
    tallies = []
    for name, scores, breaks in [
        ("published [0,7,7,9,9,9]", [0, 7, 7, 9, 9, 9], None),
        ("published [1,9]", [1, 9], None),
        ("published [7,9]", [7, 9], None),
        ("published [0,7,9]", [0, 7, 9], None),
        ("published [10,9,9,8,7,6]", [10, 9, 9, 8, 7, 6], None),
        ("published 0..=10", list(range(11)), None),
        ("published 1..=15 breaks (0,6,8,15)", list(range(1, 16)), [0, 6, 8, 15]),
        ("five-point scale", [1, 2, 3, 4, 5, 5, 4, 4], [1, 3, 4, 5]),
        ("all promoters", [9, 10, 10], None),
        ("seeded 0-10 sample", np.random.default_rng(7).integers(0, 11, 257).tolist(), None),
    ]:
        c = counts_of(scores, breaks or (0, 6, 8, 10))
        nps, se = nps_se(c)
        tallies.append(dict(name=name, scores=scores, breaks=breaks, counts=c, skipped=0, nps=nps, se=se, effective_n=sum(c), tol=1e-9))
    # Policies: right-closed bins and skipping missing answers (null = NaN / None).
    tallies.append(dict(name="right_closed and skip", scores=[6.5, 8.5, 6.0, None, 10.0, 0.5], breaks=None,
                        non_integer="right_closed", missing="skip", counts=[2, 1, 2], skipped=1,
                        nps=0.0, se=nps_se([2, 1, 2])[1], effective_n=5, tol=1e-9))
    rng = np.random.default_rng(11)
    ws = rng.integers(0, 11, 120).tolist()
    ww = rng.uniform(0.2, 3.0, 120).round(3).tolist()
    nps, se, neff = weighted(ws, ww)
    tallies.append(dict(name="weighted seeded sample", scores=ws, weights=ww, breaks=None, counts=counts_of(ws), skipped=0,
                        nps=nps, se=se, effective_n=neff, tol=1e-9))
    nps, se, neff = weighted([0, 9, 10, 7], [2, 1, 1, 4])
    tallies.append(dict(name="weighted small", scores=[0, 9, 10, 7], weights=[2, 1, 1, 4], breaks=None, counts=[1, 1, 2],
                        skipped=0, nps=nps, se=se, effective_n=neff, tol=1e-9))

    intervals = [
        # Published values (the issue): 4 decimals on the fraction scale.
        dict(name="published wald", counts=[20, 30, 50], method="wald", level=0.95, expect=dict(low=14.69, high=45.31), tol=0.005),
        dict(name="published adjusted", counts=[20, 30, 50], method="adjusted_wald", level=0.95, expect=dict(center=29.13, low=14.05, high=44.20), tol=0.005),
        dict(name="published score", counts=[20, 30, 50], method="score", level=0.95, expect=dict(low=13.96, high=44.34), tol=0.005),
        dict(name="published bayes", counts=[20, 30, 50], method="bayes", level=0.95, expect=dict(center=29.126, low=13.68, high=43.77), tol=0.005),
    ]
    for counts in ([20, 30, 50], [3, 1, 0], [0, 0, 5], [12, 40, 9], [250, 310, 440]):
        for level in (0.9, 0.95, 0.99):
            intervals.append(dict(name=f"wald {counts} {level}", counts=counts, method="wald", level=level, expect=wald(counts, level), tol=1e-9))
            intervals.append(dict(name=f"adjusted {counts} {level}", counts=counts, method="adjusted_wald", level=level, expect=adjusted(counts, level), tol=1e-9))
        intervals.append(dict(name=f"score {counts}", counts=counts, method="score", level=0.95, expect=score(counts, 0.95), tol=1e-6))
        intervals.append(dict(name=f"bayes {counts}", counts=counts, method="bayes", level=0.95, expect=bayes(counts, 0.95), tol=1e-3))
    intervals.append(dict(name="bayes jeffreys", counts=[4, 2, 7], method="bayes", prior=[0.5, 0.5, 0.5], level=0.9,
                          expect=bayes([4, 2, 7], 0.9, (0.5, 0.5, 0.5)), tol=1e-3))
    for row in intervals:
        if row["method"] == "score" and row["counts"] == [0, 0, 5]:
            row["expect"]["high"] = 100.0  # the upper end is exactly 1 when everyone promotes

    comparisons = [
        dict(name="published", a=[20, 30, 50], b=[30, 30, 40], method="wald", level=0.95,
             expect=dict(diff=20.0, se=11.4018, z=1.7541, p_value=0.0794, direction=0), tol=1e-4),
    ]
    for a, b in (([20, 30, 50], [30, 30, 40]), ([5, 10, 30], [30, 10, 5]), ([100, 200, 150], [110, 190, 160])):
        for method in ("wald", "adjusted_wald"):
            for level in (0.9, 0.95):
                comparisons.append(dict(name=f"{method} {a} {b} {level}", a=a, b=b, method=method, level=level, expect=compare(a, b, method, level), tol=1e-9))

    prob = [dict(name="published", a=[20, 30, 50], b=[30, 30, 40], prior=[1, 1, 1], expect=0.958, tol=0.002)]
    for a, b in (([5, 3, 8], [6, 2, 6]), ([200, 300, 500], [220, 290, 490])):
        prob.append(dict(name=f"monte carlo {a} {b}", a=a, b=b, prior=[1, 1, 1], expect=prob_greater_mc(a, b), tol=0.002))

    sizes = [
        dict(name="published 5", margin=5, level=0.95, expect=1537),
        dict(name="published 10", margin=10, level=0.95, expect=385),
        dict(name="finite population", margin=5, level=0.95, population=2000, expect=sample_size(5, 0.95, population=2000)),
        dict(name="planning shares", margin=3, level=0.9, shares=[0.45, 0.2], expect=sample_size(3, 0.9, (0.45, 0.2))),
    ]
    z = Z(0.95) + stats.norm.ppf(0.8)
    sizes_diff = [dict(name="worst case 10 points", difference=10, level=0.95, power=0.8, expect=math.ceil(z**2 * 2 / 0.01))]

    errors = [
        dict(name="empty", scores=[], code="EMPTY", message="scores is empty"),
        dict(name="NaN", scores=[9, None], code="MISSING_VALUE", message="scores[1] is missing (NaN)"),
        dict(name="minus one", scores=[9, 9, -1], code="OUT_OF_RANGE", message="scores[2] = -1 is outside the scale 0..=10"),
        dict(name="eleven", scores=[11], code="OUT_OF_RANGE", message="scores[0] = 11 is outside the scale 0..=10"),
        dict(name="fraction", scores=[6, 6.5], code="NON_INTEGER", message="scores[1] = 6.5 is not a whole number"),
        dict(name="lengths", scores=[6, 7], weights=[1], code="LENGTH_MISMATCH", message="weights has 1 elements but scores has 2"),
        dict(name="negative weight", scores=[6, 7], weights=[1, -1], code="NEGATIVE", message="weights[1] = -1 is negative"),
        dict(name="out of range under skip", scores=[None, 12], missing="skip", code="OUT_OF_RANGE", message="scores[1] = 12 is outside the scale 0..=10"),
    ]
    level_errors = [0, 1, -0.1, 1.5]

    doc = dict(
        about="Shared NPS test vectors (points unless named *_share). Generated by make_survey.py; scores null = missing.",
        tallies=tallies, intervals=intervals, comparisons=comparisons, prob_greater=prob,
        sample_sizes=sizes, sample_sizes_difference=sizes_diff, errors=errors, bad_levels=level_errors,
    )
    out = Path(__file__).with_name("survey.json")
    out.write_text(json.dumps(doc, indent=1) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
