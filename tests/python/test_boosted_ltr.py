"""The boosted likelihood-to-recommend model from Python: against LightGBM's multiclass
model on the synthetic base, predicted NPS, the ticket, the file, pickling, errors and the
shared vector."""

import json
import pickle
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import nps

LEAKS = list(nps.early_warning.SURVEY_ANSWER_FEATURES)
VECTOR = Path(__file__).parents[1] / "vectors" / "boosted_ltr_model.json"


@pytest.fixture(scope="module")
def base():
    b = nps.synth.generate(customers=20_000, seed=4)
    X = nps.features.retention(b.events, as_of=b.as_of).drop(columns=LEAKS)
    answers = b.surveys.set_index("customer")["score"]
    answers = answers[~answers.index.duplicated(keep="last")]
    held = np.arange(len(answers)) % 4 == 0
    return b, X, answers[~held], answers[held]


def _log_loss(p, answers):
    k = np.digitize(np.asarray(answers), [7, 9])  # 0 detractor, 1 passive, 2 promoter
    return float(-np.mean(np.log(np.clip(p[np.arange(len(k)), k], 1e-15, 1))))


def test_held_out_log_loss_is_lightgbms_within_0_01(base):
    lightgbm = pytest.importorskip("lightgbm")
    b, X, train, test = base
    model = nps.BoostedLtrModel().fit(X.loc[train.index], train)
    p = model.predict_proba(X.loc[test.index])
    assert list(model.classes_) == ["detractor", "passive", "promoter"]
    np.testing.assert_allclose(p.sum(axis=1), 1.0, atol=1e-12)
    ref = lightgbm.LGBMClassifier(objective="multiclass", learning_rate=0.05, n_estimators=300, num_leaves=7, n_jobs=1,
                                  verbose=-1)
    ref.fit(X.loc[train.index], np.digitize(train.to_numpy(), [7, 9]))
    q = ref.predict_proba(X.loc[test.index])
    logistic = nps.LtrModel().fit(X.loc[train.index], train).predict_proba(X.loc[test.index])
    ours, theirs, lin = _log_loss(p, test), _log_loss(q, test), _log_loss(logistic, test)
    print(f"{len(test)} held-out respondents ({len(train)} trained on): log loss ours {ours:.4f}, "
          f"LightGBM {theirs:.4f}, logistic {lin:.4f}")
    assert abs(ours - theirs) <= 0.01
    # The core's evaluation says the same.
    assert model.evaluate(X.loc[test.index], test)["log_loss"] == pytest.approx(ours, abs=1e-12)
    assert list(model.predict(X.loc[test.index][:5])) == list(model.classes_[np.argmax(p[:5], axis=1)])


def test_predicted_nps_of_non_respondents(base):
    b, X, train, test = base
    model = nps.BoostedLtrModel(early_stopping_rounds=30, validation_fraction=0.2).fit(X.loc[train.index], train)
    assert model.best_iteration_ < 300 and len(model.evals_result_["valid"]["multi_logloss"]) > 0
    silent = X.index.difference(pd.Index(train.index).union(test.index))
    p = model.predict_proba(X.loc[silent])
    r = nps.predicted_nps(p, trained_on=model.training_["rows"])
    assert r == model.predicted_nps(X.loc[silent])
    truth = b.labels.loc[silent, "true_score"].to_numpy()
    true_nps = 100 * (np.mean(truth >= 9) - np.mean(truth <= 6))
    print(f"non-respondents: predicted {r['nps']:.1f} [{r['low']:.1f}, {r['high']:.1f}], true {true_nps:.1f}")
    assert r["n"] == len(silent) and abs(r["nps"] - true_nps) < 4 * r["se"] + 2


def test_file_pickle_params_and_contributions(base, tmp_path):
    b, X, train, test = base
    model = nps.BoostedLtrModel(n_estimators=40, num_leaves=5, seed=3).fit(X.loc[train.index], train)
    assert model.get_params()["num_leaves"] == 5
    assert model.set_params(num_leaves=6).num_leaves == 6
    model.set_params(num_leaves=5)
    rows = X.loc[test.index[:200]]
    p = model.predict_proba(rows)
    again = nps.BoostedLtrModel.from_json(model.to_json())
    assert again.to_json() == model.to_json() and again.get_params() == model.get_params()
    np.testing.assert_array_equal(again.predict_proba(rows), p)
    model.save(tmp_path / "ltr.json")
    np.testing.assert_array_equal(nps.BoostedLtrModel.load(tmp_path / "ltr.json").predict_proba(rows), p)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(model)).predict_proba(rows), p)
    assert json.loads(model.to_json())["kind"] == "boosted_trees" and json.loads(model.to_json())["version"] == 2
    with pytest.raises(nps.NpsError, match="BoostedLtrModel"):
        nps.LtrModel.from_json(model.to_json())
    with pytest.raises(nps.NpsError, match="LtrModel"):
        nps.BoostedLtrModel.from_json(nps.LtrModel().fit(X.loc[train.index], train).to_json())
    c = model.detractor_contributions(rows)
    assert c.attrs["baseline"] == model.detractor_baseline_
    np.testing.assert_allclose(c.attrs["baseline"] + c.sum(axis=1).to_numpy(), c.attrs["log_odds"], atol=1e-9)
    np.testing.assert_allclose(c.attrs["log_odds"], np.log(p[:, 0] / p[:, 2]), atol=1e-9)
    np.testing.assert_array_equal(c.attrs["risk"], p[:, 0])
    top = model.explain_detractor(rows.iloc[:3], top=2)
    assert set(top["direction"]) <= {"raises", "lowers"}
    # A numpy matrix is read as the frame is.
    np.testing.assert_array_equal(model.predict_proba(rows.to_numpy()), p)


def test_the_ticket_with_a_boosted_ltr_equals_the_models_detractor_risk():
    b = nps.synth.generate(customers=1_500, seed=8)
    X = nps.features.retention(b.events, as_of=b.as_of)
    churn = nps.ChurnModel().fit(X, b.labels.loc[X.index, "churned"])
    answers = b.surveys.set_index("customer")["score"]
    ltr = nps.BoostedLtrModel(n_estimators=60).fit(X.drop(columns=LEAKS).loc[answers.index], answers)
    engine, catalog = nps.features.FeatureEngine(), nps.ActionCatalog.playbook()
    defaults = {"segment": "postpaid", "complained_outage": False, "complained_overage": True, "monthly_bill": 42.0,
                "last_nps": 7.0, "payment_trend": 1.0, "usage_trend_30d": 1.0, "tenure_days": 0.0}
    scorer = nps.TicketScorer(engine, churn, catalog, ltr=ltr, customer=defaults)
    assert scorer.ltr_inputs == ltr.inputs_
    restored = pickle.loads(pickle.dumps(scorer))
    now = int(b.as_of.astype("datetime64[s]").astype(np.int64)) + 3_600
    for c in list(X.index[::150]):
        h = nps.features.CustomerHistory()
        for e in b.events[(b.events["customer"] == c) & (b.events["time"] < b.as_of)].itertuples():
            h.push(int(pd.Timestamp(e.time).timestamp()), e.kind)
        h2 = pickle.loads(pickle.dumps(h))
        t = scorer.ticket(h, now - 60, "contact_opened", department="billing", now=now, details=True)
        u = restored.ticket(h2, now - 60, "contact_opened", department="billing", now=now, details=True)
        row = pd.DataFrame([t["features"]], columns=engine.names)[ltr.inputs_]
        q = ltr.predict_proba(row)[0]
        d = t["detractor"]
        assert (d["probability"], d["passive"], d["promoter"]) == tuple(q)
        dc = ltr.detractor_contributions(row)
        np.testing.assert_array_equal(d["contributions"], dc.iloc[0].to_numpy())
        assert d["log_odds"] == dc.attrs["log_odds"][0] and d["baseline"] == dc.attrs["baseline"]
        np.testing.assert_array_equal(u["detractor"]["contributions"], d["contributions"])
        assert u["detractor"]["probability"] == d["probability"]


def test_errors_name_the_row():
    x = np.array([[0.0], [1.0], [2.0]])
    with pytest.raises(nps.NpsError, match=r"scores\[1\] = 11 is outside the scale 0..=10"):
        nps.BoostedLtrModel().fit(x, [0, 11, 9])
    with pytest.raises(nps.NpsError, match=r"scores\[2\] is missing"):
        nps.BoostedLtrModel().fit(pd.DataFrame({"a": [0.0, 1.0, 2.0]}), [0, 7, np.nan])
    with pytest.raises(nps.NpsError, match=r"no passive answer \(7–8\)"):
        nps.BoostedLtrModel().fit(x, [0, 1, 9])
    with pytest.raises(nps.NpsError, match="not fitted"):
        nps.BoostedLtrModel().predict_proba(x)
    with pytest.raises(nps.NpsError, match="n_estimators"):
        nps.BoostedLtrModel(n_estimators=0).fit(np.arange(30.0)[:, None], [0, 7, 9] * 10)


def test_the_shared_model_file_scores_to_the_bit():
    v = json.loads(VECTOR.read_text())
    model = nps.BoostedLtrModel.from_json(json.dumps(v["model"]))
    rows = pd.DataFrame([[np.nan if c is None else c for c in r] for r in v["rows"]], columns=v["inputs"])
    p = model.predict_proba(rows)
    assert p.tolist() == v["probabilities"]
