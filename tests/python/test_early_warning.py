"""NPS and churn from Python: the shared scipy vectors and bad input."""

import json
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps
from nps import _nps

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "churn_link.json").read_text())


def close(actual, expected):
    if expected is None:
        assert np.isnan(actual) or np.isinf(actual)
    else:
        assert actual == pytest.approx(expected, rel=1e-12, abs=1e-15)


@pytest.mark.parametrize("case", VECTORS["cases"], ids=lambda c: c["name"])
def test_churn_by_nps_matches_scipy(case):
    r = nps.churn_by_nps(np.array(case["scores"]), np.array(case["churned"], dtype=bool), level=case["level"])
    e = case["expected"]
    for name in ("detractors", "passives", "promoters"):
        got, want = getattr(r, name), e[name]
        assert (got["customers"], got["churned"]) == (want["customers"], want["churned"])
        for k in ("rate", "low", "high"):
            close(got[k], want[k])
    for got, want in zip(r.by_score, e["by_score"]):
        assert got["customers"] == want["customers"]
        for k in ("rate", "low", "high"):
            close(got[k], want[k])
    close(r.relative_risk, e["relative_risk"])
    close(r.relative_risk_interval[0], e["relative_risk_low"])
    close(r.relative_risk_interval[1], e["relative_risk_high"])
    close(r.chi_square, e["chi_square"]["statistic"])
    close(r.p_value, e["chi_square"]["p_value"])
    assert r.chi_square_df == e["chi_square"]["df"]
    red = r.reduction(0.25)
    close(red["churners_avoided"], e["reduction_25"]["churners_avoided"])
    close(red["churn_rate_after"], e["reduction_25"]["churn_rate_after"])


def test_accepts_pandas_and_lists_and_rejects_bad_input():
    s = pd.Series([0, 10, 9, 3])
    r = nps.churn_by_nps(s, pd.Series([True, False, False, True]))
    assert r.detractors["rate"] == 1.0 and r.promoters["rate"] == 0.0
    assert nps.churn_by_nps([0, 10, 9, 3], [1, 0, 0, 1]).relative_risk == r.relative_risk
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside the scale 0..=10"):
        nps.churn_by_nps([1, 11], [0, 1])
    with pytest.raises(nps.NpsError, match=r"scores\[0\] is missing"):
        nps.churn_by_nps([np.nan], [0])
    with pytest.raises(nps.NpsError, match="churned has 1 elements but scores has 2"):
        nps.churn_by_nps([1, 2], [0])
    with pytest.raises(nps.NpsError, match=r"churned\[1\] = 2 is not 0 or 1"):
        nps.churn_by_nps([1, 2], [0, 2])
    with pytest.raises(ValueError, match="share"):
        r.reduction(2.0)


def test_detractors_churn_more_on_the_synthetic_base():
    b = nps.synth.generate(customers=6_000, seed=2)
    answered = b.labels.loc[b.surveys["customer"]]
    r = nps.churn_by_nps(answered["true_score"], answered["churned"])
    assert r.relative_risk_interval[0] > 1.5
    assert r.p_value < 1e-6


LEAKS = ["last_nps", "last_nps_category", "days_since_last_nps", "interaction_quality_90d", "worst_interaction_90d",
         "last_interaction"]


def test_survey_answer_features_are_the_retention_features_that_hold_the_answer():
    assert nps.early_warning.SURVEY_ANSWER_FEATURES == tuple(LEAKS)
    names = [f["name"] for f in nps.features.retention_definitions()["features"]]
    assert set(LEAKS) <= set(names)


@pytest.mark.parametrize("case", json.loads((Path(__file__).parents[1] / "vectors" / "multinomial.json").read_text())["cases"],
                         ids=lambda c: c["name"])
def test_ltr_model_matches_scikit_learn_multinomial(case):
    # Map the three classes to answers 0 (detractor), 7 (passive), 9 (promoter).
    scores = np.array([0, 7, 9])[np.array(case["y"])]
    m = nps.LtrModel(C=case["c"], tol=1e-12, standardize=False).fit(np.array(case["x"]), scores,
                                                                    sample_weight=case["sample_weight"])
    np.testing.assert_allclose(m.predict_proba(np.array(case["x"][:10])), case["proba"], atol=1e-8)


def test_predicted_nps_of_non_respondents_and_the_blend():
    covered = 0
    for seed in range(1, 6):
        b = nps.synth.generate(customers=5_000, seed=seed)
        f = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
        answers = b.surveys.set_index("customer")["score"]
        m = nps.LtrModel().fit(f.loc[answers.index], answers)
        silent = f.index.difference(answers.index)
        p = m.predicted_nps(f.loc[silent])
        ts = b.labels.loc[silent, "true_score"]
        truth = 100 * ((ts >= 9).mean() - (ts <= 6).mean())
        covered += p["low"] <= truth <= p["high"]
        proba = m.predict_proba(f)
        assert proba.shape == (len(f), 3) and np.allclose(proba.sum(axis=1), 1)
        assert set(m.predict(f.iloc[:50])) <= {"detractor", "passive", "promoter"}
        blend = nps.predicted_nps(proba, trained_on=len(answers), answers=answers.reindex(f.index).to_numpy(float))
        assert blend["n"] == len(f) and blend["se"] < p["se"]
    assert covered >= 4, covered


def test_ltr_model_file_and_errors(tmp_path):
    b = nps.synth.generate(customers=2_000, seed=3)
    f = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
    answers = b.surveys.set_index("customer")["score"]
    m = nps.LtrModel().fit(f.loc[answers.index], answers)
    m.save(tmp_path / "ltr.json")
    again = nps.LtrModel.load(tmp_path / "ltr.json")
    np.testing.assert_array_equal(again.predict_proba(f), m.predict_proba(f))
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside the scale"):
        nps.LtrModel().fit(np.array([[0.0], [1.0], [2.0]]), [0, 11, 9])
    with pytest.raises(nps.NpsError, match=r"scores must be answers of every class: detractors \(0–6\), passives \(7–8\) and promoters \(9–10\), got no"):
        nps.LtrModel().fit(np.array([[0.0], [1.0], [2.0]]), [0, 1, 2])
    with pytest.raises(nps.NpsError, match="format"):
        nps.LtrModel.from_json(m.to_json().replace("nps.ltr_model", "nps.churn_model"))


def test_ltr_evaluation_against_scikit_learn_and_alerts():
    from sklearn.metrics import log_loss, precision_score, recall_score, roc_auc_score

    b = nps.synth.generate(customers=4_000, seed=6)
    X = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
    answers = b.surveys.set_index("customer")["score"]
    m = nps.LtrModel().fit(X.loc[answers.index], answers)
    all_answers = answers.reindex(X.index).to_numpy(float)
    e = m.evaluate(X, all_answers, threshold=0.4)
    p = m.predict_proba(X.loc[answers.index])
    cat = np.digitize(answers.to_numpy(), [6.5, 8.5])
    assert e["answered"] == len(answers) and e["coverage"] == 1.0
    assert e["log_loss"] == pytest.approx(log_loss(cat, p, labels=[0, 1, 2]), rel=1e-12)
    assert e["detractor_auc"] == pytest.approx(roc_auc_score(cat == 0, p[:, 0]), rel=1e-12)
    assert e["precision"] == pytest.approx(precision_score(cat == 0, p[:, 0] >= 0.4), rel=1e-12)
    assert e["recall"] == pytest.approx(recall_score(cat == 0, p[:, 0] >= 0.4), rel=1e-12)
    assert e["detractor_auc"] > 0.6
    # score: scikit-learn's accuracy of the most probable category, weighted or not.
    from sklearn.metrics import accuracy_score

    w = np.linspace(0.5, 2, len(answers))
    Xa = X.loc[answers.index]
    assert m.score(Xa, answers) == pytest.approx(accuracy_score(cat, p.argmax(axis=1)), rel=1e-15)
    assert m.score(Xa, answers, sample_weight=w) == pytest.approx(
        accuracy_score(cat, p.argmax(axis=1), sample_weight=w), rel=1e-12)
    # An answer that is missing or off the scale is an error, not a promoter.
    for bad, code in ((np.nan, "MISSING_VALUE"), (11.0, "OUT_OF_RANGE"), (6.5, "NON_INTEGER")):
        y = answers.to_numpy(float).copy()
        y[3] = bad
        with pytest.raises(nps.NpsError, match=r"scores\[3\]") as err:
            m.score(Xa, y)
        assert err.value.code == code
    value = np.linspace(10, 50, len(X))
    alerts = m.alerts(X, value=value, top=20)
    assert len(alerts) == 20 and alerts["expected"].is_monotonic_decreasing
    assert np.allclose(alerts["expected"], alerts["detractor_risk"] * alerts["value"])


# -- detractor risk with its factors -------------------------------------------------------


def _ltr_on_base(customers=3_000, seed=6):
    b = nps.synth.generate(customers=customers, seed=seed)
    X = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
    answers = b.surveys.set_index("customer")["score"]
    return b, X, answers, nps.LtrModel().fit(X.loc[answers.index], answers)


def test_detractor_contributions_add_up_to_the_detractor_log_odds():
    b, X, answers, m = _ltr_on_base()
    c = m.detractor_contributions(X)
    p = m.predict_proba(X)
    z = np.log(p[:, 0] / p[:, 2])
    # baseline + the row's contributions = ln(P(detractor) / P(promoter)), per customer.
    np.testing.assert_allclose(c.attrs["baseline"] + c.sum(axis=1), c.attrs["log_odds"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(c.attrs["log_odds"], z, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(c.attrs["risk"], p[:, 0])
    # By hand from the model file: (w_detractor - w_promoter) x (x - training mean), columns
    # summed per input; the baseline at the training mean.
    f = json.loads(m.to_json())
    w = np.array(f["coef"][0]) - np.array(f["coef"][2])
    mean = np.array(f["column_mean"])
    enc = {col["name"]: col for col in f["encoder"]["columns"]}
    assert c.attrs["baseline"] == pytest.approx(f["intercept"][0] - f["intercept"][2] + w @ mean, abs=1e-12)
    row = X.iloc[7]
    for name in m.inputs_:
        e = enc[name]
        v = row[name]
        j = f["columns"].index(name)
        x = (e["mean"] if np.isnan(v) else v) - e["center"]
        expected = w[j] * (x / e["scale"] - mean[j])
        if e["indicator"]:
            expected += w[j + 1] * (float(np.isnan(v)) - mean[j + 1])
        assert c.iloc[7][name] == pytest.approx(expected, abs=1e-12), name
    # The training mean is the baseline: contributions average 0 over the respondents.
    np.testing.assert_allclose(m.detractor_contributions(X.loc[answers.index]).mean(), 0, atol=1e-9)


def test_explain_detractor_and_alerts_name_the_top_factors():
    b, X, answers, m = _ltr_on_base()
    c = m.detractor_contributions(X)
    e = m.explain_detractor(X.iloc[:5], top=2)
    first = e[e["customer"] == X.index[0]]
    up = c.iloc[0][c.iloc[0] > 0].sort_values(ascending=False).index[:2].tolist()
    down = c.iloc[0][c.iloc[0] < 0].sort_values().index[:2].tolist()
    assert first[first["direction"] == "raises"]["factor"].tolist() == up
    assert first[first["direction"] == "lowers"]["factor"].tolist() == down
    alerts = m.alerts(X, top=10, factors=3)
    assert list(alerts.columns) == ["detractor_risk", "value", "expected", "top_factors", "factor_contributions"]
    for customer, r in alerts.iterrows():
        row = c.loc[customer]
        assert r["top_factors"] == row[row > 0].sort_values(ascending=False).index[:3].tolist()
        np.testing.assert_array_equal(r["factor_contributions"], row[r["top_factors"]].to_numpy())
    assert alerts["detractor_risk"].is_monotonic_decreasing
    # The ranking is pandas' stable sort of P(detractor) x value, done by the core.
    value = np.round(np.random.default_rng(5).uniform(5, 50, len(X)))
    ranked = m.alerts(X, value=value, top=25)
    risk = c.attrs["risk"]
    want = pd.Series(risk * value, index=X.index).sort_values(ascending=False, kind="stable").index[:25]
    assert ranked.index.tolist() == want.tolist()
    np.testing.assert_array_equal(ranked["expected"], (risk * value)[X.index.get_indexer(want)])
    # A value the ranking cannot use is an error naming it, not a row sorted last.
    with pytest.raises(nps.NpsError, match=r"value\[3\] is missing") as e:
        m.alerts(X, value=np.where(np.arange(len(X)) == 3, np.nan, 1.0))
    assert e.value.code == "MISSING_VALUE"
    with pytest.raises(nps.NpsError, match=r"value has 2 elements") as e:
        m.alerts(X, value=[1.0, 2.0])
    assert e.value.code == "LENGTH_MISMATCH"


# -- the per-customer state and the one call at ticket time ------------------------------


def _histories(events, as_of, customers, order=None):
    """One CustomerHistory per customer from the rows of `events` before `as_of`, pushed in
    `order` (row positions)."""
    hs = {c: nps.features.CustomerHistory() for c in customers}
    ev = events[events["time"] < as_of]
    rows = ev.iloc[order] if order is not None else ev
    for r in rows.itertuples(index=False):
        if r.customer not in hs:
            continue
        hs[r.customer].push(r.time, r.kind, value=r.value, duration=r.duration,
                            department=None if pd.isna(r.department) else r.department,
                            case=None if pd.isna(r.case) else int(r.case),
                            flag=None if pd.isna(r.flag) else bool(r.flag))
    return hs


def test_incremental_features_equal_the_batch_from_python():
    b = nps.synth.generate(customers=300, seed=21)
    batch = nps.features.retention(b.events, as_of=b.as_of)
    engine = nps.features.FeatureEngine()
    assert engine.names == list(batch.columns)
    customers = list(batch.index[:60])
    n = int((b.events["time"] < b.as_of).sum())
    for order in (None, np.random.default_rng(4).permutation(n)):  # time order, then shuffled
        hs = _histories(b.events, b.as_of, customers, order)
        for c in customers:
            np.testing.assert_array_equal(hs[c].features(engine, b.as_of), batch.loc[c].to_numpy(float))
    # The same at a later time from epoch seconds, and with datetimes.
    later = b.as_of + np.timedelta64(30, "D")
    h = hs[customers[0]]
    seconds = int(later.astype("datetime64[s]").astype(np.int64))
    np.testing.assert_array_equal(h.features(engine, seconds), h.features(engine, later))
    assert len(h) > 0 and h.last_time < seconds


def test_history_to_json_pickle_and_damaged_files():
    import pickle

    b = nps.synth.generate(customers=200, seed=3)
    engine = nps.features.FeatureEngine()
    customers = list(b.events["customer"].unique()[:10])
    for _c, h in _histories(b.events, b.as_of, customers).items():
        for back in (nps.features.CustomerHistory.from_json(h.to_json()), pickle.loads(pickle.dumps(h))):
            assert back.to_json() == h.to_json() and len(back) == len(h)
            np.testing.assert_array_equal(back.features(engine, b.as_of), h.features(engine, b.as_of))
    text = h.to_json().replace('"format":"nps.customer_history"', '"format":"other"')
    with pytest.raises(nps.NpsError, match="format"):
        nps.features.CustomerHistory.from_json(text)
    with pytest.raises(nps.NpsError, match="history file"):
        nps.features.CustomerHistory.from_json("{")
    answer = '{"format":"nps.customer_history","version":1,"declared_kinds":[],"events":[{"time":1,"kind":"survey_answer","value":12}]}'
    with pytest.raises(nps.NpsError, match=r"survey answer\)\[0\] = 12"):
        nps.features.CustomerHistory.from_json(answer)


def test_history_bad_input_from_python():
    engine = nps.features.FeatureEngine()
    h = nps.features.CustomerHistory()
    # A customer with no events: counts 0, everything else undefined (NaN).
    f = dict(zip(engine.names, h.features(engine, 1_000_000)))
    assert f["contacts_90d"] == 0 and f["lifetime_value"] == 0 and np.isnan(f["tenure_days"]) and np.isnan(f["last_nps"])
    assert len(h) == 0 and h.last_time is None
    with pytest.raises(nps.NpsError, match="fax"):
        h.push(10, "fax")
    with pytest.raises(nps.NpsError, match="duration"):
        h.push(10, "contact_resolved", duration=-5.0)
    # A survey answer off the 0-10 scale or not whole is refused, as in the batch features.
    for bad in (11, -1, 7.5):
        with pytest.raises(nps.NpsError, match=r"survey answer.*whole answers on the scale 0..=10"):
            h.push(10, "survey_answer", value=bad)
    assert len(h) == 0
    # One without a value (the score question skipped) is a survey taken, not a score.
    h.push(10, "survey_answer", value=8)
    h.push(20, "survey_answer")
    f = dict(zip(engine.names, h.features(engine, 86_410)))
    assert f["last_nps"] == 8 and f["days_since_last_nps"] == (86_410 - 20) / 86_400
    h = nps.features.CustomerHistory()
    # An event older than the latest is taken in its place in time.
    a, b = nps.features.CustomerHistory(), nps.features.CustomerHistory()
    for t, k in [(100, "subscription_start"), (5_000, "contact_opened"), (9_000, "contact_opened")]:
        a.push(t, k)
    for t, k in [(9_000, "contact_opened"), (100, "subscription_start"), (5_000, "contact_opened")]:
        b.push(t, k)
    np.testing.assert_array_equal(a.features(engine, 10_000), b.features(engine, 10_000))
    # An engine compiled for other kinds than the history's is refused.
    with pytest.raises(nps.NpsError, match="kinds the features were compiled for"):
        h.features(nps.features.FeatureEngine(declared_kinds=["fax"]), 5)


PLAYBOOK_DEFAULTS = {"segment": "postpaid", "complained_outage": False, "complained_overage": True, "monthly_bill": 42.0,
                     "last_nps": 7.0, "payment_trend": 1.0, "usage_trend_30d": 1.0, "tenure_days": 0.0}


def _ticket_setup(customers, seed):
    """A generated base, its features, a churn and an LTR model on them, the playbook and
    the retention engine: what a ticket scorer is built from."""
    b = nps.synth.generate(customers=customers, seed=seed)
    X = nps.features.retention(b.events, as_of=b.as_of)
    churn = nps.ChurnModel().fit(X, b.labels.loc[X.index, "churned"])
    answers = b.surveys.set_index("customer")["score"]
    ltr = nps.LtrModel().fit(X.drop(columns=LEAKS).loc[answers.index], answers)
    return b, X, churn, ltr, nps.ActionCatalog.playbook(), nps.features.FeatureEngine()


def test_ticket_scorer_equals_the_separate_calls():
    b, X, churn, ltr, catalog, engine = _ticket_setup(1_500, 8)
    scorer = nps.TicketScorer(engine, churn, catalog, ltr=ltr, customer=PLAYBOOK_DEFAULTS)
    assert scorer.inputs == list(X.columns) and scorer.ltr_inputs == ltr.inputs_
    customers = list(X.index[::50])
    one, two = (_histories(b.events, b.as_of, customers) for _ in range(2))
    now = int(b.as_of.astype("datetime64[s]").astype(np.int64)) + 3_600
    ranked = 0
    for c in customers:
        t = scorer.ticket(one[c], now - 60, "contact_opened", department="billing", now=now, trace=True, details=True)
        # The separate calls.
        two[c].push(now - 60, "contact_opened", department="billing")
        f = two[c].features(engine, now)
        np.testing.assert_array_equal(t["features"], f)
        row = pd.DataFrame([f], columns=engine.names)
        p = churn.predict_proba(row)[0, 1]
        assert t["probability"] == p and t["score"] == 100 * p
        contrib = churn.contributions(row)
        np.testing.assert_array_equal(t["contributions"], contrib.iloc[0].to_numpy())
        ex = churn.explain(row, top=3)
        # Readable as explain gives them: (name, contribution, value, typical).
        for direction, side in (("raises", "raising"), ("lowers", "lowering")):
            want = ex[ex["direction"] == direction][["factor", "contribution", "value", "typical"]]
            assert t[side] == list(want.itertuples(index=False, name=None))
        q = ltr.predict_proba(row[ltr.inputs_])[0]
        d = t["detractor"]
        assert (d["probability"], d["passive"], d["promoter"]) == tuple(q)
        dc = ltr.detractor_contributions(row[ltr.inputs_])
        np.testing.assert_array_equal(d["contributions"], dc.iloc[0].to_numpy())
        assert d["log_odds"] == dc.attrs["log_odds"][0]
        assert [n for n, _ in d["raising"]] == dc.iloc[0][dc.iloc[0] > 0].sort_values(ascending=False).index[:3].tolist()
        record = dict(PLAYBOOK_DEFAULTS)
        for field in ("tenure_days", "payment_trend", "usage_trend_30d", "last_nps"):
            if np.isfinite(row.at[0, field]):
                record[field] = float(row.at[0, field])
        # Every input's contribution: those the playbook does not declare left out on request.
        factors = dict(zip(churn.inputs_, contrib.iloc[0].to_numpy()))
        decision = catalog.decide(record, probability=p, factors=factors, now=now, ignore_extra=True)
        assert t["actions"] == decision["actions"] and t["trace"] == decision["trace"]
        ranked += len(t["actions"])
    assert ranked > 0
    # Past outcomes reach the contact policies (two SMS this week suppress the SMS actions),
    # as in decide with the same history; a record per ticket replaces the default.
    c = max(customers, key=lambda k: churn.predict_proba(X.loc[[k]])[0, 1])  # score >= 30: bonus data by SMS
    sms = [{"action": "bonus_data", "channel": "sms", "group": "retention", "time": now - d * 86_400, "kind": "presented"}
           for d in (1, 2)]
    own = dict(PLAYBOOK_DEFAULTS, segment="family")
    t = scorer.ticket(one[c], now + 50, "outage", now=now + 60, customer=own, outcomes=sms, trace=True, details=True)
    two[c].push(now + 50, "outage")
    row = pd.DataFrame([two[c].features(engine, now + 60)], columns=engine.names)
    record = dict(own)
    for field in ("tenure_days", "payment_trend", "usage_trend_30d", "last_nps"):
        if np.isfinite(row.at[0, field]):
            record[field] = float(row.at[0, field])
    factors = dict(zip(churn.inputs_, churn.contributions(row).iloc[0].to_numpy()))
    decision = catalog.decide(record, probability=churn.predict_proba(row)[0, 1], factors=factors, history=sms,
                              now=now + 60, ignore_extra=True)
    assert t["trace"] == decision["trace"]
    assert any(e["status"] == "suppressed" for e in t["trace"])
    with pytest.raises(nps.NpsError, match="clicked"):
        scorer.ticket(one[c], now + 70, "outage", now=now + 80, outcomes=[dict(sms[0], kind="clicked")])
    # Without an LTR model there is no detractor part; the trace and details are on request.
    plain = nps.TicketScorer(engine, churn, catalog, customer=PLAYBOOK_DEFAULTS)
    t = plain.ticket(one[customers[0]], now + 10, "outage")  # now: one second after the event
    assert t["detractor"] is None and "trace" not in t and "features" not in t
    assert len(one[customers[0]]) == len(two[customers[0]]) + 1


def test_ticket_with_a_learner_ranks_as_decide_with_it():
    b, X, churn, _, catalog, engine = _ticket_setup(800, 13)
    scorer = nps.TicketScorer(engine, churn, catalog, customer=PLAYBOOK_DEFAULTS)
    learner = nps.Learner(prior=(1, 1), exploration=0.0, ramp_up=0)
    for i, a in enumerate(catalog.actions):
        for k in range(20):
            learner.record(a, "consumer", (k + i) % 3 == 0)
    customers = list(X.index[::40])
    one, two = (_histories(b.events, b.as_of, customers) for _ in range(2))
    now = int(b.as_of.astype("datetime64[s]").astype(np.int64)) + 3_600
    differs = 0
    for k, c in enumerate(customers):
        t = scorer.ticket(one[c], now - 60, "contact_opened", now=now, details=True, learner=learner,
                          segment="consumer", seed=k)
        plain = scorer.ticket(two[c], now - 60, "contact_opened", now=now)
        record = dict(PLAYBOOK_DEFAULTS)
        for field in ("tenure_days", "payment_trend", "usage_trend_30d", "last_nps"):
            v = t["features"][engine.names.index(field)]
            if np.isfinite(v):
                record[field] = float(v)
        factors = dict(zip(churn.inputs_, t["contributions"]))
        d = catalog.decide(record, probability=t["probability"], factors=factors, now=now, learner=learner,
                           segment="consumer", seed=k, ignore_extra=True)
        assert t["actions"] == d["actions"]
        differs += plain["actions"] != t["actions"]
    assert differs > 0


def test_ticket_values_is_the_same_ticket_in_one_array():
    b, X, churn, ltr, catalog, engine = _ticket_setup(800, 10)
    scorer = nps.TicketScorer(engine, churn, catalog, ltr=ltr, customer=PLAYBOOK_DEFAULTS, top_actions=4)
    L = scorer.values_layout
    assert L["length"] == 9 + 8 * 3 + 3 * 4 and L["probability"] == 0
    customers = list(X.index[::40])
    one, two = (_histories(b.events, b.as_of, customers) for _ in range(2))
    now = int(b.as_of.astype("datetime64[s]").astype(np.int64)) + 3_600
    out = np.zeros(L["length"])
    for c in customers:
        got = scorer.ticket_values(one[c], now - 60, "contact_opened", department="billing", now=now, out=out)
        assert got is out
        t = scorer.ticket(two[c], now - 60, "contact_opened", department="billing", now=now)
        assert out[L["probability"]] == t["probability"] and out[L["log_odds"]] == t["log_odds"]
        raising = [(scorer.inputs[int(i)], x) for i, x in
                   zip(out[L["raising"]:L["raising"] + 3], out[L["raising_contributions"]:L["raising_contributions"] + 3])
                   if i >= 0]
        assert raising == [(n, c) for n, c, _, _ in t["raising"]]
        assert out[L["detractor_probability"]] == t["detractor"]["probability"]
        lowering = [scorer.ltr_inputs[int(i)] for i in out[L["detractor_lowering"]:L["detractor_lowering"] + 3] if i >= 0]
        assert lowering == [n for n, _ in t["detractor"]["lowering"]]
        ids = [catalog.actions[int(i)] for i in out[L["actions"]:L["actions"] + 4] if i >= 0]
        assert ids == [a["id"] for a in t["actions"]]
        assert np.isnan(out[L["priorities"] + len(ids):L["priorities"] + 4]).all()
    # A new array when `out` is not given; the wrong length is refused before the event is added.
    fresh = scorer.ticket_values(one[customers[0]], now + 10, "outage")
    assert fresh.shape == (L["length"],) and fresh is not out
    n = len(one[customers[0]])
    with pytest.raises(nps.NpsError, match="out"):
        scorer.ticket_values(one[customers[0]], now + 20, "outage", out=np.zeros(3))
    with pytest.raises(nps.NpsError, match="survey answer"):
        scorer.ticket_values(one[customers[0]], now + 20, "survey_answer", value=11, out=out)
    assert len(one[customers[0]]) == n


def test_batch_features_refuse_survey_answers_off_the_scale():
    b = nps.synth.generate(customers=300, seed=4)
    events = b.events.copy()
    row = int(np.flatnonzero((events["kind"] == "survey_answer").to_numpy())[3])
    events.loc[events.index[row], "value"] = 11.0
    with pytest.raises(nps.NpsError, match=rf"survey answer\)\[{row}\] = 11"):
        nps.features.retention(events, as_of=b.as_of)


def _bits(x):
    """A ticket as plain values that compare equal only when every number is the same to
    the bit (floats by their bytes, arrays by dtype, shape and bytes)."""
    if isinstance(x, dict):
        return {k: _bits(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return type(x)(_bits(v) for v in x)
    if isinstance(x, np.ndarray):
        return (str(x.dtype), x.shape, x.tobytes())
    if isinstance(x, float):
        return ("float", np.float64(x).tobytes())
    return x


def test_ticket_scorer_pickles_to_the_same_tickets():
    import copy
    import pickle

    b, X, churn, ltr, catalog, engine = _ticket_setup(800, 12)
    # A record of its own (it changes the actions of every customer below), options of its own.
    own = dict(PLAYBOOK_DEFAULTS, complained_outage=True, monthly_bill=75.5)
    scorer = nps.TicketScorer(engine, churn, catalog, ltr=ltr, customer=own, top_factors=2, top_actions=4)
    plain = nps.TicketScorer(engine, churn, catalog, customer=PLAYBOOK_DEFAULTS)
    customers = list(X.index[::40])
    now = int(b.as_of.astype("datetime64[s]").astype(np.int64)) + 3_600
    # Pickled before and after use; copy.deepcopy goes the same way (and so does joblib).
    scorer.ticket(_histories(b.events, b.as_of, customers[:1])[customers[0]], now - 60, "outage", now=now)
    for original, restored in ((scorer, pickle.loads(pickle.dumps(scorer))), (plain, copy.deepcopy(plain))):
        assert type(restored) is nps.TicketScorer and repr(restored) == repr(original)
        assert (restored.feature_names, restored.inputs, restored.ltr_inputs, restored.values_layout) == (
            original.feature_names, original.inputs, original.ltr_inputs, original.values_layout)
        one, two = (_histories(b.events, b.as_of, customers) for _ in range(2))
        sms = [{"action": "bonus_data", "channel": "sms", "group": "retention", "time": now - d * 86_400,
                "kind": "presented"} for d in (1, 2)]
        for c in customers:
            args = dict(department="billing", now=now, outcomes=sms, trace=True, details=True)
            a = original.ticket(one[c], now - 60, "contact_opened", **args)
            r = restored.ticket(two[c], now - 60, "contact_opened", **args)
            assert _bits(r) == _bits(a)
            a = original.ticket_values(one[c], now + 10, "outage", now=now + 20)
            r = restored.ticket_values(two[c], now + 10, "outage", now=now + 20)
            assert r.tobytes() == a.tobytes()
    assert scorer.values_layout["length"] == 9 + 8 * 2 + 3 * 4  # the options came back too
    # The scorer's file: the core's, read back with the record and options given again.
    text = scorer.to_json()
    assert json.loads(text)["format"] == "nps-ticket-scorer"
    back = nps.TicketScorer.from_json(text, customer=own, top_factors=2, top_actions=4)
    assert back.to_json() == text and back.values_layout == scorer.values_layout
    one, two = (_histories(b.events, b.as_of, customers[:5]) for _ in range(2))
    for c in customers[:5]:
        a = scorer.ticket(one[c], now - 60, "contact_opened", now=now, details=True)
        assert _bits(back.ticket(two[c], now - 60, "contact_opened", now=now, details=True)) == _bits(a)
    damaged = json.loads(text)
    damaged["catalog"]["actions"][0]["channel"] = 5
    with pytest.raises(nps.NpsError, match=r"^ticket scorer catalog: ") as e:
        nps.TicketScorer.from_json(json.dumps(damaged))
    assert e.value.code == "INVALID_PARAMETER"


def test_ticket_bad_input_from_python():
    b = nps.synth.generate(customers=800, seed=9)
    X = nps.features.retention(b.events, as_of=b.as_of)
    churn = nps.ChurnModel().fit(X, b.labels.loc[X.index, "churned"])
    catalog = nps.ActionCatalog.playbook()
    engine = nps.features.FeatureEngine()
    scorer = nps.TicketScorer(engine, churn, catalog, customer=PLAYBOOK_DEFAULTS)
    h = _histories(b.events, b.as_of, [X.index[0]])[X.index[0]]
    n, now = len(h), 1_800_000_000
    with pytest.raises(nps.NpsError, match=r"value \(a survey answer\)\[\d+\] = 11 is outside whole answers"):
        scorer.ticket(h, now - 1, "survey_answer", value=11, now=now)
    with pytest.raises(nps.NpsError, match="7.5"):
        scorer.ticket(h, now - 1, "survey_answer", value=7.5, now=now)
    with pytest.raises(nps.NpsError, match="before now"):
        scorer.ticket(h, now, "contact_opened", now=now)
    assert len(h) == n  # nothing was added
    # A customer with no events: the first ticket of one without a subscription start
    # cannot be scored (tenure was never missing in training), and the error says so. The
    # ticket's event is taken back: the history is as it was.
    fresh = nps.features.CustomerHistory()
    with pytest.raises(nps.NpsError, match="tenure_days"):
        scorer.ticket(fresh, now - 1, "contact_opened", now=now)
    assert len(fresh) == 0
    t = scorer.ticket(fresh, now - 2, "subscription_start", now=now)
    assert 0 < t["probability"] < 1 and len(fresh) == 1
    t = scorer.ticket(fresh, now - 1, "contact_opened", now=now)
    assert 0 < t["probability"] < 1 and len(fresh) == 2
    with pytest.raises(nps.NpsError, match="shoe_size"):
        nps.TicketScorer(engine, nps.ChurnModel().fit(X.rename(columns={"tenure_days": "shoe_size"}),
                                                      b.labels.loc[X.index, "churned"]), catalog)
    with pytest.raises(nps.NpsError, match="fitted"):
        nps.TicketScorer(engine, object(), catalog)


def test_ticket_scorer_customer_fields_accept_numpy_scalars():
    # A record read from a DataFrame row holds numpy scalars (np.bool_, np.float64, np.int64);
    # they are the same fields as Python's bool, float and int.
    b, X, churn, _, catalog, engine = _ticket_setup(600, 21)
    plain = dict(PLAYBOOK_DEFAULTS, complained_outage=True, monthly_bill=75.5, tenure_days=400.0)
    numpy = {k: (np.bool_(v) if isinstance(v, bool) else np.float64(v) if isinstance(v, float) else np.str_(v))
             for k, v in plain.items()}
    numpy["tenure_days"] = np.int64(400)
    a = nps.TicketScorer(engine, churn, catalog, customer=plain)
    n = nps.TicketScorer(engine, churn, catalog, customer=numpy)
    now = int(b.as_of.astype("datetime64[s]").astype(np.int64)) + 3_600
    c = X.index[0]
    one, two = (_histories(b.events, b.as_of, [c]) for _ in range(2))
    ta = a.ticket(one[c], now - 60, "outage", now=now, trace=True)
    tn = n.ticket(two[c], now - 60, "outage", now=now, trace=True)
    assert [x["id"] for x in tn["actions"]] == [x["id"] for x in ta["actions"]]
    assert tn["trace"] == ta["trace"]
    eligible = [e["id"] for e in ta["trace"] if e["status"] != "not_eligible"]
    assert "bill_discount" in eligible  # complained_outage is true: read as a bool, not as 1.0
    assert tn["probability"] == ta["probability"]
    # pandas' missing values are missing; a value that is not one is an error naming the
    # field, the value and its type, in Python's terms.
    assert nps.TicketScorer(engine, churn, catalog, customer=dict(plain, last_nps=pd.NA)) is not None
    with pytest.raises(nps.NpsError, match=r'customer field "monthly_bill" must be one value, got an array') as e:
        nps.TicketScorer(engine, churn, catalog, customer=dict(plain, monthly_bill=np.array([1.0, 2.0])))
    assert e.value.code == "INVALID_PARAMETER"
    with pytest.raises(nps.NpsError, match=r'"segment" must be a number, a string, a bool or None, got \[1\] \(list\)'):
        nps.TicketScorer(engine, churn, catalog, customer=dict(plain, segment=[1]))


# -- shared vectors: the accuracy and the alerts' order (tests/vectors/ltr_ranking.json) ---


def _floats(values):
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def test_ranking_vectors_accuracy_and_alerts():
    from conftest import vectors

    v = vectors("ltr_ranking")
    for case in v["accuracy"]:
        proba = np.array(case["proba"]).reshape(-1, 3)
        w = None if case["weights"] is None else np.array(case["weights"])
        assert _nps._ltr_accuracy(proba, _floats(case["answers"]), w) == pytest.approx(case["accuracy"], rel=1e-12)
    proba = np.array(v["accuracy"][0]["proba"][:9]).reshape(3, 3)
    for bad in v["accuracy_errors"]:
        with pytest.raises(nps.NpsError) as e:
            _nps._ltr_accuracy(proba, _floats(bad["answers"]), None)
        assert e.value.code == bad["code"] and str(e.value).startswith(bad["message"])
    for case in v["alerts"]:
        risk = np.array(case["risk"])
        value = None if case["value"] is None else np.array(case["value"])
        c = np.array(case["contributions"]).reshape(len(risk), case["inputs"])
        rows, values, expected, factors = _nps._detractor_alerts(risk, value, c, case["top"], case["factors"])
        want = case["alerts"]
        assert rows == [a["row"] for a in want], case["name"]
        assert values == [a["value"] for a in want] and expected == [a["expected"] for a in want]
        assert factors == [a["factors"] for a in want]
    case, bad = v["alerts"][0], v["alerts_errors"][0]
    value = np.array(case["value"])
    value[bad["value_nan_at"]] = np.nan
    c = np.array(case["contributions"]).reshape(len(case["risk"]), case["inputs"])
    with pytest.raises(nps.NpsError, match=re.escape(bad["message"])) as e:
        _nps._detractor_alerts(np.array(case["risk"]), value, c, 5, 2)
    assert e.value.code == bad["code"]
