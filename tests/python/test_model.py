"""Churn scoring from Python: scikit-learn parity (shared vectors, Telco, live), the
estimator conventions (Pipeline, cross_val_score, clone, pickle), the model file and its
checks, the encoder, and bad input."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

import nps
from conftest import vectors


@pytest.mark.parametrize("c", vectors("logistic")["cases"], ids=lambda c: c["name"])
def test_coefficients_match_scikit_learn_vectors(c):
    x, y = np.array(c["x"]), np.array(c["y"])
    o = c["options"]
    cw = {"none": None, "balanced": "balanced"}.get(o["class_weight"]) if isinstance(o["class_weight"], str) else \
        {0: o["class_weight"]["custom"]["negative"], 1: o["class_weight"]["custom"]["positive"]}
    m = nps.ChurnModel(C=o["c"], fit_intercept=o["fit_intercept"], class_weight=cw, tol=1e-12, standardize=False)
    m.fit(x, y, sample_weight=c["sample_weight"])
    scale = 1 + np.abs(c["coef"]).max()
    np.testing.assert_allclose(m.coef_[0], c["coef"], atol=1e-6 * scale)
    assert m.intercept_[0] == pytest.approx(c["intercept"], abs=1e-6 * scale)
    np.testing.assert_allclose(m.predict_proba(x[:10])[:, 1], c["proba"], atol=1e-7)


def test_telco_parity_and_cross_validated_auc(telco_path):
    ref = vectors("telco_encoding")
    df = nps.read_csv(telco_path)
    assert df.shape == (7043, 21)
    assert df["TotalCharges"].isna().sum() == 11 and (df.loc[df["TotalCharges"].isna(), "tenure"] == 0).all()
    y = (df.pop("Churn") == "Yes").to_numpy()
    enc = nps.TableEncoder(exclude=["customerID"])
    X = enc.fit_transform(df)
    assert list(enc.get_feature_names_out()) == ref["feature_names"]
    np.testing.assert_allclose(X[:5], ref["first_rows"], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(X.sum(axis=0), ref["column_sums"], rtol=1e-9, atol=1e-9)
    ours = nps.ChurnModel(tol=1e-10, standardize=False).fit(X, y)
    sk = LogisticRegression(C=1.0, tol=1e-10, max_iter=10000).fit(X, y)
    assert np.abs(ours.coef_ - sk.coef_).max() < 1e-4
    # The intercept shares a weakly determined direction with the one-hot groups, where
    # lbfgs stops short; scikit-learn's Newton solver reaches the minimum, and agrees to 1e-7.
    assert abs(ours.intercept_[0] - sk.intercept_[0]) < 1e-3
    exact = LogisticRegression(C=1.0, tol=1e-12, max_iter=10000, solver="newton-cholesky").fit(X, y)
    assert np.abs(ours.coef_ - exact.coef_).max() < 1e-7
    assert abs(ours.intercept_[0] - exact.intercept_[0]) < 1e-7
    # Five stratified folds, inside scikit-learn's own cross-validation, in a Pipeline.
    pipe = make_pipeline(nps.TableEncoder(exclude=["customerID"]), nps.ChurnModel(standardize=False))
    auc = cross_val_score(pipe, df, y, scoring="roc_auc", cv=StratifiedKFold(5, shuffle=True, random_state=42))
    assert auc.mean() >= 0.84, auc
    # And with the library's own seeded folds, on the raw table (the model encodes it).
    own = nps.cross_validate(nps.ChurnModel(), df.drop(columns="customerID"), y, k=5, seed=42)
    assert own.mean() >= 0.84, own


def test_estimator_conventions_clone_pickle_and_labels():
    base = nps.synth.generate(customers=1_500, seed=5)
    X = nps.features.retention(base.events, as_of=base.as_of)
    X["plan"] = base.labels["plan"].astype(str)
    y = np.where(base.labels["churned"], "left", "stayed")
    m = nps.ChurnModel(C=0.3).fit(X, y)
    assert list(m.classes_) == ["left", "stayed"]  # sorted; the second is the "positive" class
    assert m.get_params()["C"] == 0.3
    assert clone(m).set_params(C=2.0).C == 2.0
    p = m.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1)
    assert set(m.predict(X)) <= {"left", "stayed"}
    assert m.feature_names_in_[-1] == "plan" and "plan=prepaid" in m.feature_names_
    again = pickle.loads(pickle.dumps(m))
    np.testing.assert_array_equal(again.predict_proba(X), p)
    assert m.convergence_["converged"] and m.training_["rows"] == 1_500


def test_the_model_file_round_trips_to_the_bit_and_is_checked(tmp_path):
    v = vectors("churn_model")
    model = nps.ChurnModel.from_json(json.dumps(v["model"]))
    rows = pd.DataFrame(v["rows"], columns=v["inputs"])
    got = model.churn_probability(rows)
    assert [x.hex() for x in got] == [x.hex() for x in v["probabilities"]]
    # Saved and loaded again: identical bits.
    model.save(tmp_path / "m.json")
    np.testing.assert_array_equal(nps.ChurnModel.load(tmp_path / "m.json").churn_probability(rows), got)
    # Independently: the logistic function of the encoded row times the coefficients.
    x = model._model.encode(*nps._tables.to_columns(rows))
    z = x @ np.array(v["model"]["coef"]) + v["model"]["intercept"]
    np.testing.assert_allclose(1 / (1 + np.exp(-z)), got, rtol=1e-14)
    text = json.dumps(v["model"])
    with pytest.raises(nps.NpsError, match="newer nps"):
        nps.ChurnModel.from_json(text.replace('"version": 1', '"version": 7'))
    broken = dict(v["model"], coef=v["model"]["coef"][:-1])
    with pytest.raises(nps.NpsError, match="coef has"):
        nps.ChurnModel.from_json(json.dumps(broken))
    with pytest.raises(nps.NpsError, match="format"):
        nps.ChurnModel.from_json(json.dumps(dict(v["model"], format="x")))
    with pytest.raises(nps.NpsError, match="segment"):
        model.churn_probability(rows.drop(columns="segment"))
    with pytest.raises(nps.NpsError, match=r"category of plan \(row 0\)"):
        model.churn_probability(rows.assign(plan="business"))


def test_encoder_and_bad_input():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0], "plan": ["a", "b", None, "a"], "ok": ["yes", "no", "no", "yes"]})
    enc = nps.TableEncoder().fit(df)
    assert enc.specs_ == {"x": "numeric", "plan": "categorical", "ok": "boolean"}
    assert list(enc.get_feature_names_out()) == ["x", "x__missing", "plan=a", "plan=b", "plan=__missing", "ok"]
    back = nps.TableEncoder.from_json(enc.to_json())
    np.testing.assert_array_equal(back.transform(df), enc.transform(df))
    with pytest.raises(nps.NpsError, match="unknown column in kinds"):
        nps.TableEncoder(kinds={"nope": "numeric"}).fit(df)
    X = np.array([[0.0, 1.0], [1.0, np.nan], [2.0, 0.5]])
    with pytest.raises(nps.NpsError, match="two classes"):
        nps.ChurnModel().fit(X, [1, 1, 1])
    with pytest.raises(nps.NpsError, match=r"x1\[1\] is missing"):
        nps.ChurnModel(standardize=False).fit(np.array([[0.0, 1.0], [1.0, 2.0], [2.0, 0.5]]), [0, 1, 0]).predict(X)
    with pytest.raises(nps.NpsError, match="not fitted"):
        nps.ChurnModel().predict(X)
    with pytest.raises(nps.NpsError, match="C must be"):
        nps.ChurnModel(C=-1).fit(np.array([[0.0], [1.0]]), [0, 1])


def test_contributions_equal_numpy_and_explanations_read_well():
    base = nps.synth.generate(customers=2_000, seed=9)
    X = nps.features.retention(base.events, as_of=base.as_of)[["tenure_days", "repeat_contacts_90d", "aht_90d", "bill_shock"]]
    X = X.assign(plan=base.labels["plan"].astype(str))
    m = nps.ChurnModel().fit(X, base.labels["churned"])
    c = m.contributions(X)
    # coef * (x - mean) on the encoded columns, summed back to each input, with numpy.
    encoded = m._model.encode(*nps._tables.to_columns(X))
    terms = m.coef_[0] * (encoded - encoded.mean(axis=0))
    sources = np.array(m._model.column_sources)
    want = np.column_stack([terms[:, sources == k].sum(axis=1) for k in range(len(m.inputs_))])
    np.testing.assert_allclose(c.to_numpy(), want, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(c.attrs["baseline"] + c.sum(axis=1), m.decision_function(X), rtol=1e-12, atol=1e-12)
    e = m.explain(X.iloc[:5], top=2)
    assert set(e["direction"]) <= {"raises", "lowers"}
    assert (e.loc[e["direction"] == "raises", "contribution"] > 0).all()
    first = e[(e["customer"] == X.index[0]) & (e["direction"] == "raises")]
    assert list(first["rank"]) == list(range(1, len(first) + 1))
    assert first["contribution"].is_monotonic_decreasing
    plan_rows = e[e["factor"] == "plan"]
    assert set(plan_rows["value"]) <= {"prepaid", "contract"}
    assert list(m.importance(X).index)[0] in m.inputs_


def test_numbers_read_as_text_are_refused_not_one_hot_encoded(telco_path):
    # pd.read_csv reads the Telco TotalCharges as text (11 blank cells); one-hot encoding it
    # would build a 6,500-column model without a word.
    raw = pd.read_csv(telco_path)
    y = raw.pop("Churn")
    X = raw.drop(columns="customerID")
    assert not pd.api.types.is_numeric_dtype(X["TotalCharges"])
    message = (r'column "TotalCharges" is text with 6531 distinct values in 7043 rows .*'
               r'6530 of the values read as numbers: numbers stored as text\? e\.g\. blank cells; '
               r'use nps\.read_csv \(blank cells are missing\) or pd\.to_numeric\(X\["TotalCharges"\], errors="coerce"\), '
               r'or declare it kinds=\{"TotalCharges": "numeric"\}')
    for estimator in (nps.TableEncoder(), nps.ChurnModel(), nps.BoostedChurnModel(n_estimators=5)):
        with pytest.raises(nps.NpsError, match=message) as e:
            estimator.fit(X, y) if not isinstance(estimator, nps.TableEncoder) else estimator.fit(X)
        assert e.value.code == "TOO_MANY_CATEGORIES"
    with pytest.raises(nps.NpsError, match=r'"customerID" is text with 7043 distinct values in 7043 rows.*an identifier\?'):
        nps.ChurnModel().fit(raw, y)
    # The safe path: nps.read_csv reads the blanks as missing, so the column is numeric.
    df = nps.read_csv(telco_path)
    assert df["TotalCharges"].dtype == np.float64 and df["TotalCharges"].isna().sum() == 11
    m = nps.ChurnModel().fit(df.drop(columns=["customerID", "Churn"]), df["Churn"])
    assert len(m.feature_names_) < 50
    # So does pd.to_numeric.
    fixed = X.assign(TotalCharges=pd.to_numeric(X["TotalCharges"], errors="coerce"))
    assert len(nps.TableEncoder().fit(fixed).get_feature_names_out()) == len(m.feature_names_)
    # And so does declaring the column numeric: its blank cells are missing, as read_csv reads them.
    declared = nps.ChurnModel(kinds={"TotalCharges": "numeric"}).fit(X, y)
    assert declared.feature_names_ == m.feature_names_
    np.testing.assert_allclose(declared.coef_, m.coef_, rtol=1e-12, atol=1e-12)


def test_a_category_may_have_at_most_half_as_many_values_as_rows():
    # The documented bound: max(50, rows / 2) distinct values; small tables are never refused.
    rows = 200
    ok = pd.DataFrame({"x": np.arange(rows, dtype=float), "plan": [f"p{i % 100}" for i in range(rows)]})
    assert len(nps.TableEncoder().fit(ok).get_feature_names_out()) == 101
    bad = ok.assign(plan=[f"p{i % 101}" for i in range(rows)])
    with pytest.raises(nps.NpsError, match=r'"plan" is text with 101 distinct values in 200 rows'):
        nps.TableEncoder().fit(bad)
    tiny = pd.DataFrame({"x": [1.0, 2.0, 3.0], "name": ["a", "b", "c"]})
    assert len(nps.TableEncoder().fit(tiny).get_feature_names_out()) == 4


@pytest.mark.parametrize("make", [lambda: nps.ChurnModel(), lambda: nps.BoostedChurnModel(n_estimators=30)],
                         ids=["logistic", "boosted"])
def test_explanations_show_typed_values_and_the_mix_a_category_is_measured_against(make):
    rng = np.random.default_rng(11)
    n = 600
    X = pd.DataFrame({
        "tenure": rng.integers(0, 72, n).astype(float),
        "charges": rng.uniform(20, 120, n),
        "contract": rng.choice(["Month-to-month", "One year", "Two year"], n, p=[0.55, 0.25, 0.2]),
        "paperless": rng.choice(["Yes", "No"], n, p=[0.6, 0.4]),
        "senior": rng.random(n) < 0.2,
    })
    X.loc[[3, 9], "charges"] = np.nan
    y = ((X["contract"] == "Month-to-month") & (rng.random(n) < 0.5)) | (rng.random(n) < 0.1)
    model = make().fit(X, y)
    e = model.explain(X, top=5)                     # every input of every customer
    contributions = model.contributions(X)
    for r in e.itertuples():
        x = X.loc[r.customer, r.factor]
        # The numbers are the attribution's, unchanged.
        assert r.contribution == contributions.loc[r.customer, r.factor]
        if r.factor in ("tenure", "charges"):
            assert (r.value is None) if pd.isna(x) else (type(r.value) is float and r.value == x)
            assert type(r.typical) is float and r.typical == pytest.approx(X[r.factor].mean(), rel=1e-12)
            assert r.mix is None
        elif r.factor == "paperless":            # "Yes"/"No" read as booleans, one spelling
            assert r.value is (x == "Yes") and r.typical is True
            assert list(r.mix) == [True, False] and r.mix[True] == pytest.approx((X.paperless == "Yes").mean())
        elif r.factor == "senior":
            assert r.value is bool(x) and r.typical is False
        else:
            assert r.value == x and r.typical == "Month-to-month"
            shares = X["contract"].value_counts(normalize=True)
            assert list(r.mix) == list(shares.index)   # largest first
            assert all(r.mix[k] == pytest.approx(shares[k], rel=1e-12) for k in shares.index)
    # A customer on the typical contract whose contract still raises the risk: measured
    # against the mix, not against the typical contract.
    typical = e[(e.factor == "contract") & (e.value == "Month-to-month") & (e.direction == "raises")]
    assert len(typical) > 0 and (typical["value"] == typical["typical"]).all()


def test_cross_validate_takes_metric_names_and_returns_out_of_fold_predictions():
    from sklearn import metrics as skm

    base = nps.synth.generate(customers=1_500, seed=3)
    X = nps.features.retention(base.events, as_of=base.as_of)
    y = np.where(base.labels.loc[X.index, "churned"], "Yes", "No")   # labels as fit takes them
    y01 = (y == "Yes").astype(float)
    cv = nps.cross_validate(nps.ChurnModel(), X, y, k=4, seed=7,
                            metric=["roc_auc", "average_precision", "log_loss", "brier", "neg_log_loss"])
    assert list(cv.scores.columns) == ["roc_auc", "average_precision", "log_loss", "brier", "neg_log_loss"]
    assert list(cv.scores.index) == [0, 1, 2, 3]
    # Out-of-fold predictions: each row scored by the model that did not see it.
    folds = np.asarray(cv.folds)
    assert sorted(set(folds)) == [0, 1, 2, 3] and len(cv.predictions) == len(X)
    assert list(cv.predictions.index) == list(X.index)
    for f in range(4):
        train, test = folds != f, folds == f
        m = nps.ChurnModel().fit(X[train], y[train])
        np.testing.assert_array_equal(cv.predictions[test].to_numpy(), m.churn_probability(X[test]))
        p = cv.predictions[test].to_numpy()
        assert cv.scores.loc[f, "roc_auc"] == pytest.approx(skm.roc_auc_score(y01[test], p), rel=1e-12)
        assert cv.scores.loc[f, "average_precision"] == pytest.approx(skm.average_precision_score(y01[test], p), rel=1e-12)
        assert cv.scores.loc[f, "log_loss"] == pytest.approx(skm.log_loss(y01[test], p), rel=1e-12)
        assert cv.scores.loc[f, "neg_log_loss"] == -cv.scores.loc[f, "log_loss"]
        assert cv.scores.loc[f, "brier"] == pytest.approx(skm.brier_score_loss(y01[test], p), rel=1e-12)
    # One metric by name (scikit-learn's scoring= is the same argument), or a callable; the
    # result reads as that metric's per-fold scores (mean, std, numpy).
    one = nps.cross_validate(nps.ChurnModel(), X, y, k=4, seed=7, scoring="average_precision")
    np.testing.assert_array_equal(np.asarray(one), cv.scores["average_precision"].to_numpy())
    assert one.mean() == cv.scores["average_precision"].mean() and one.std() == np.std(one.scores["average_precision"])
    def top_decile(y, p):
        return float(nps.metrics.lift_table(y, p)["lift"].iloc[0])
    lifted = nps.cross_validate(nps.ChurnModel(), X, y, k=4, seed=7, metric={"lift": top_decile, "auc": "roc_auc"})
    assert list(lifted.scores.columns) == ["lift", "auc"] and (lifted.scores["lift"] > 1).all()
    np.testing.assert_array_equal(lifted["auc"], cv.scores["roc_auc"].to_numpy())
    assert nps.cross_validate(nps.ChurnModel(), X, y, k=4, seed=7, metric=top_decile).scores.columns[0] == "top_decile"
    # The default is ROC AUC, as before.
    np.testing.assert_array_equal(np.asarray(nps.cross_validate(nps.ChurnModel(), X, y, k=4, seed=7)),
                                  cv.scores["roc_auc"].to_numpy())
    # A boosted model and a numpy matrix: predictions as an array.
    b = nps.cross_validate(nps.BoostedChurnModel(n_estimators=20), X.to_numpy(), y01, k=3, seed=1)
    assert isinstance(b.predictions, np.ndarray) and b.predictions.shape == (len(X),)
    # An unknown name lists the known ones.
    with pytest.raises(nps.NpsError, match=r"unknown metric 'auc'; expected one of roc_auc, average_precision, "
                                           r"log_loss, neg_log_loss, brier, neg_brier_score or a callable") as e:
        nps.cross_validate(nps.ChurnModel(), X, y, metric="auc")
    assert e.value.code == "UNKNOWN_VALUE"
    with pytest.raises(nps.NpsError, match="metric and scoring"):
        nps.cross_validate(nps.ChurnModel(), X, y, metric="roc_auc", scoring="roc_auc")
