"""Boosted churn scoring from Python: the quality bar against LightGBM on the shared data,
the estimator conventions (clone, Pipeline, cross_val_score, pickle, eval_set), inputs
(NaN, pandas categories, dicts), monotone risk, and bad input."""

import json
import pickle

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import StratifiedKFold, cross_val_score

import nps

lgb = pytest.importorskip("lightgbm")

# One LightGBM thread: its OpenMP threads spin when the machine is busy (50x slower).
REFERENCE = dict(learning_rate=0.05, n_estimators=300, num_leaves=15, verbose=-1, n_jobs=1)


def _categories(df, like=None):
    """Text columns as pandas categories (LightGBM's categorical input), with the
    categories of ``like`` when given."""
    df = df.copy()
    for c in df.columns:
        if not pd.api.types.is_numeric_dtype(df[c]) and not pd.api.types.is_bool_dtype(df[c]):
            cats = sorted(set((like if like is not None else df)[c].dropna()))
            df[c] = df[c].astype(pd.CategoricalDtype(cats))
    return df


def _cv_auc(make, X, y, seed=42):
    aucs = []
    for train, test in StratifiedKFold(5, shuffle=True, random_state=seed).split(X, y):
        m = make().fit(X.iloc[train], y[train])
        aucs.append(roc_auc_score(y[test], m.predict_proba(X.iloc[test])[:, 1]))
    return float(np.mean(aucs))


def test_telco_cross_validated_auc_matches_lightgbm(telco_path):
    df = nps.read_csv(telco_path)
    y = (df.pop("Churn") == "Yes").to_numpy().astype(int)
    X = _categories(df.drop(columns="customerID"))
    ours = _cv_auc(nps.BoostedChurnModel, X, y)
    theirs = _cv_auc(lambda: lgb.LGBMClassifier(**REFERENCE), X, y)
    assert ours >= theirs - 0.003, (ours, theirs)
    assert ours > 0.835


def test_orange_auc_matches_lightgbm(orange_dir):
    train = pd.read_csv(orange_dir / "churn-bigml-80.csv")
    test = pd.read_csv(orange_dir / "churn-bigml-20.csv")
    X = _categories(pd.concat([train, test], ignore_index=True))
    y = X.pop("Churn").astype(int).to_numpy()
    ours = _cv_auc(nps.BoostedChurnModel, X, y)
    theirs = _cv_auc(lambda: lgb.LGBMClassifier(**REFERENCE), X, y)
    assert ours >= theirs - 0.003, (ours, theirs)
    # The fixed 80 -> 20 split, as the data's README reports it.
    n = len(train)
    m = nps.BoostedChurnModel().fit(X.iloc[:n], y[:n])
    assert roc_auc_score(y[n:], m.churn_probability(X.iloc[n:])) > 0.9


def _toy(n=2000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 4))
    X[rng.random((n, 4)) < 0.1] = np.nan
    z = np.nan_to_num(X[:, 0]) * np.nan_to_num(X[:, 1]) + np.isnan(X[:, 2]) * 2 - 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return X, y


def test_scikit_learn_conventions():
    X, y = _toy()
    labels = np.where(y == 1, "Yes", "No")
    m = nps.BoostedChurnModel(n_estimators=50, seed=3)
    assert clone(m).get_params() == m.get_params()
    m.fit(X, labels)
    assert list(m.classes_) == ["No", "Yes"]
    assert set(m.predict(X[:50])) <= {"No", "Yes"}
    p = m.predict_proba(X)
    assert p.shape == (len(X), 2) and np.allclose(p.sum(axis=1), 1)
    # decision_function is the log-odds of predict_proba's churn column.
    np.testing.assert_allclose(1 / (1 + np.exp(-m.decision_function(X))), p[:, 1], rtol=1e-12)
    assert m.feature_importances_.shape == (4,) and m.feature_importances_.sum() == pytest.approx(1.0)
    assert m.n_features_in_ == 4
    # Pickled and read back: the same numbers to the bit.
    back = pickle.loads(pickle.dumps(m))
    assert np.array_equal(back.predict_proba(X), p)
    # Inside scikit-learn's cross-validation.
    auc = cross_val_score(nps.BoostedChurnModel(n_estimators=50), X, y, scoring="roc_auc", cv=3)
    ref = cross_val_score(lgb.LGBMClassifier(n_estimators=50, num_leaves=15, verbose=-1, n_jobs=1), X, y, scoring="roc_auc", cv=3)
    assert auc.mean() > ref.mean() - 0.01, (auc, ref)


def test_eval_set_and_early_stopping():
    X, y = _toy(3000)
    Xv, yv = _toy(1000, seed=1)
    m = nps.BoostedChurnModel(n_estimators=2000, learning_rate=0.3, early_stopping_rounds=10)
    m.fit(X, y, eval_set=[(Xv, yv)])
    loss = m.evals_result_["valid"]["log_loss"]
    assert m.best_iteration_ < 2000 and len(loss) == m.best_iteration_ + 10
    assert loss[m.best_iteration_ - 1] == min(loss)
    # The evaluation is the library's log loss of the kept model on the eval set.
    from sklearn.metrics import log_loss

    assert log_loss(yv, m.churn_probability(Xv)) == pytest.approx(loss[m.best_iteration_ - 1], rel=1e-9)


def test_tables_with_categories_and_dicts():
    rng = np.random.default_rng(5)
    n = 3000
    plan = rng.choice([f"plan{k}" for k in range(10)], size=n)
    tenure = rng.integers(1, 72, size=n).astype(float)
    tenure[rng.random(n) < 0.05] = np.nan
    z = np.isin(plan, ["plan1", "plan4", "plan7"]) * 2.5 - 1.5 - 0.02 * np.nan_to_num(tenure)
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    df = pd.DataFrame({"plan": pd.Categorical(plan), "tenure": tenure, "paperless": rng.random(n) < 0.5})
    m = nps.BoostedChurnModel(n_estimators=60).fit(df, y)
    tree = json.loads(m.to_json())["ensemble"]["trees"][0]
    assert tree["splits"][0]["feature"] == 0 and "categories" in tree["splits"][0]
    # One customer as a dict of columns gives the frame's number.
    one = {"plan": ["plan4"], "tenure": [np.nan], "paperless": np.array([True])}
    assert m.churn_probability(one)[0] == m.churn_probability(df.iloc[[0]].assign(plan="plan4", tenure=np.nan, paperless=True))[0]
    with pytest.raises(nps.NpsError, match="plan99") as e:
        m.churn_probability({"plan": ["plan99"], "tenure": [3.0], "paperless": np.array([True])})
    assert e.value.code == "UNKNOWN_VALUE"


def test_monotone_by_name():
    rng = np.random.default_rng(7)
    n = 4000
    contacts = rng.integers(0, 10, size=n).astype(float)
    other = rng.random(n)
    z = 0.4 * contacts - 2 - 2.0 * ((contacts >= 4) & (contacts <= 6)) + other
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    X = pd.DataFrame({"repeat_contacts": contacts, "other": other})
    grid = pd.DataFrame({"repeat_contacts": np.arange(10.0), "other": 0.5})
    free = nps.BoostedChurnModel().fit(X, y).churn_probability(grid)
    assert (np.diff(free) < 0).any()
    tied = nps.BoostedChurnModel(monotone={"repeat_contacts": 1}).fit(X, y).churn_probability(grid)
    assert (np.diff(tied) >= 0).all(), tied
    with pytest.raises(nps.NpsError, match="contacts_typo"):
        nps.BoostedChurnModel(monotone={"contacts_typo": 1}).fit(X, y)
    # A fraction is refused, not truncated to 0 (no constraint) on its way to an integer.
    with pytest.raises(nps.NpsError, match=r"monotone\[repeat_contacts\] must be -1, 0 or 1, got 0.5"):
        nps.BoostedChurnModel(monotone={"repeat_contacts": 0.5}).fit(X, y)


@pytest.mark.parametrize("params, match", [
    (dict(learning_rate=0), "learning_rate"),
    (dict(num_leaves=1), "num_leaves"),
    (dict(subsample=0), "subsample"),
    (dict(max_bin=1000), "max_bin"),
    (dict(class_weight="heavy"), "class_weight"),
])
def test_bad_parameters_name_themselves(params, match):
    X, y = _toy(200)
    with pytest.raises(nps.NpsError, match=match) as e:
        nps.BoostedChurnModel(**params).fit(X, y)
    assert isinstance(e.value, ValueError)


def test_bad_input():
    X, y = _toy(200)
    with pytest.raises(nps.NpsError, match="two classes"):
        nps.BoostedChurnModel().fit(X, np.arange(200) % 3)
    with pytest.raises(nps.NpsError, match=r"x\[4, 2\]"):
        Xi = X.copy()
        Xi[4, 2] = np.inf
        nps.BoostedChurnModel().fit(Xi, y)
    with pytest.raises(nps.NpsError, match="not fitted"):
        nps.BoostedChurnModel().predict_proba(X)
    with pytest.raises(nps.NpsError, match="kind"):
        nps.ChurnModel.from_json(nps.BoostedChurnModel(n_estimators=3).fit(X, y).to_json())
    with pytest.raises(nps.NpsError):
        nps.BoostedChurnModel.from_json('{"format": "nps.churn_model", "version": 2, "kind": "boosted_trees"}')


def test_shared_model_file_scores_and_explains_to_the_bit():
    from conftest import vectors

    v = vectors("boosted_model")
    m = nps.BoostedChurnModel.from_json(json.dumps(v["model"]))
    rows = pd.DataFrame(v["rows"], columns=v["inputs"])
    for c in ("plan", "segment"):
        rows[c] = rows[c].astype(object)
    assert m.churn_probability(rows).tolist() == v["probabilities"]
    assert m.decision_function(rows).tolist() == v["log_odds"]
    assert m.expected_value_ == v["expected_value"]
    c = m.contributions(rows)
    assert c.to_numpy().tolist() == v["contributions"]
    assert c.attrs["baseline"] == v["expected_value"]
    # Saved from Python, the file reads back to the same bits.
    assert nps.BoostedChurnModel.from_json(m.to_json()).churn_probability(rows).tolist() == v["probabilities"]


def _lightgbm_frame(n=1500, seed=3):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "tenure": rng.integers(0, 72, n).astype(float),
        "bill": rng.normal(60, 20, n),
        "contacts": rng.poisson(2, n).astype(float),
        "plan": pd.Categorical(rng.choice(["basic", "family", "max", "pro", "student", "unlimited"], n)),
    })
    X.loc[rng.random(n) < 0.1, "bill"] = np.nan
    z = -0.04 * X["tenure"] + 0.5 * X["contacts"] + np.isin(X["plan"], ["max", "student"]) * 1.5 \
        + np.nan_to_num(X["bill"] - 60) * 0.02
    y = (rng.random(n) < 1 / (1 + np.exp(-z))).astype(int)
    return X, y


def test_a_lightgbm_model_scores_and_explains_as_lightgbm():
    X, y = _lightgbm_frame()
    booster = lgb.LGBMClassifier(n_estimators=60, num_leaves=15, verbose=-1, n_jobs=1, min_data_per_group=20,
                                 cat_smooth=5).fit(X, y).booster_
    m = nps.BoostedChurnModel.from_lightgbm(booster.model_to_string())
    assert m.inputs_ == list(X.columns)
    raw = booster.predict(X, raw_score=True)
    np.testing.assert_allclose(m.decision_function(X), raw, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(m.churn_probability(X), booster.predict(X), rtol=1e-9, atol=1e-12)
    contrib = booster.predict(X, pred_contrib=True)
    ours = m.contributions(X)
    np.testing.assert_allclose(ours.to_numpy(), contrib[:, :-1], rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(ours.attrs["baseline"], contrib[0, -1], rtol=1e-9, atol=1e-9)
    # shap's TreeExplainer agrees too.
    shap = pytest.importorskip("shap")
    sv = shap.TreeExplainer(booster).shap_values(X.iloc[:50])
    np.testing.assert_allclose(ours.to_numpy()[:50], np.asarray(sv).reshape(50, -1), rtol=1e-9, atol=1e-9)
    # Interaction values as shap computes them (shap's own tree walk reads no LightGBM
    # categorical split, so on the numeric inputs alone).
    numeric = X.drop(columns="plan")
    plain = lgb.LGBMClassifier(n_estimators=60, num_leaves=15, verbose=-1, n_jobs=1).fit(numeric, y).booster_
    iv = np.asarray(shap.TreeExplainer(plain).shap_interaction_values(numeric.iloc[:5])).reshape(5, 3, 3)
    ours = nps.BoostedChurnModel.from_lightgbm(plain.model_to_string()).interactions(numeric.iloc[:5])
    np.testing.assert_allclose(ours[:, :-1, :-1], iv, atol=1e-9)
    # The category labels of the training frame, not codes.
    e = m.explain(X.iloc[:3])
    plan_values = set(e.loc[e.factor == "plan", "value"])
    assert plan_values <= set(X["plan"].cat.categories), plan_values


def test_an_xgboost_model_scores_and_explains_as_xgboost():
    xgb = pytest.importorskip("xgboost")
    X, y = _lightgbm_frame(seed=4)
    Xn = X.drop(columns="plan")
    clf = xgb.XGBClassifier(n_estimators=40, max_depth=4, tree_method="hist", n_jobs=1).fit(Xn, y)
    booster = clf.get_booster()
    m = nps.BoostedChurnModel.from_xgboost(booster.save_raw("json"))
    d = xgb.DMatrix(Xn)
    np.testing.assert_allclose(m.decision_function(Xn), booster.predict(d, output_margin=True), atol=1e-5)
    contrib = booster.predict(d, pred_contribs=True)
    np.testing.assert_allclose(m.contributions(Xn).to_numpy(), contrib[:, :-1], atol=1e-5)


def test_corrupted_model_files_are_named():
    X, y = _lightgbm_frame(300)
    text = lgb.LGBMClassifier(n_estimators=5, verbose=-1, n_jobs=1).fit(X, y).booster_.model_to_string()
    with pytest.raises(nps.NpsError, match="tree"):
        nps.BoostedChurnModel.from_lightgbm(text[: len(text) // 2])
    with pytest.raises(nps.NpsError):
        nps.BoostedChurnModel.from_xgboost('{"learner": {}}')
    ours = nps.BoostedChurnModel(n_estimators=5).fit(X, y).to_json()
    with pytest.raises(nps.NpsError, match="feature"):
        nps.BoostedChurnModel.from_json(ours.replace('"feature":1', '"feature":99', 1))


def test_explain_reads_like_the_logistic_models():
    X, y = _lightgbm_frame(800)
    m = nps.BoostedChurnModel(n_estimators=40).fit(X, y)
    e = m.explain(X.iloc[:4], top=2)
    assert list(e.columns) == ["customer", "probability", "direction", "rank", "factor", "contribution", "value", "typical",
                               "mix"]
    c = m.contributions(X.iloc[:4])
    np.testing.assert_allclose(c.sum(axis=1) + c.attrs["baseline"], m.decision_function(X.iloc[:4]), atol=1e-9)
    first = e[(e.customer == 0) & (e.direction == "raises")]
    assert (first.contribution > 0).all() and len(first) <= 2
    imp = m.importance(X)
    assert list(imp.index)[0] in ("contacts", "tenure", "plan")
    split = m.split_importance()
    assert set(split.columns) == {"gain", "splits"} and split["splits"].sum() > 0


def test_options_accept_numpy_scalars():
    # Grids built with numpy (np.arange, np.linspace: GridSearchCV's usual input) hold numpy
    # scalars; they are the same options as Python numbers.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    y = (X[:, 0] + rng.normal(size=300) > 0).astype(int)
    plain = nps.BoostedChurnModel(n_estimators=15, learning_rate=0.1, num_leaves=5, subsample=1.0).fit(X, y)
    numpy = nps.BoostedChurnModel(n_estimators=np.int64(15), learning_rate=np.float64(0.1), num_leaves=np.int32(5),
                                  subsample=np.float32(1.0)).fit(X, y)
    np.testing.assert_array_equal(numpy.churn_probability(X), plain.churn_probability(X))
    ltr = nps.BoostedLtrModel(n_estimators=np.int64(5), min_data_in_leaf=np.int64(5))
    answers = rng.integers(0, 11, size=300)
    assert ltr.fit(X, answers).predict_proba(X).shape == (300, 3)
