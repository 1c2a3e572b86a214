"""One customer scored and explained from Python: a dict of inputs or a pandas Series (a row
of the training frame, ``X.iloc[0]``) is one row, for every model kind; anything else gets a
message that says what to pass."""

import re

import numpy as np
import pandas as pd
import pytest

import nps


def _table(n=400, seed=5):
    rng = np.random.default_rng(seed)
    X = pd.DataFrame({
        "tenure": rng.integers(0, 72, n).astype(float),
        "charges": rng.uniform(20, 120, n),
        "contract": rng.choice(["Month-to-month", "One year", "Two year"], n),
        "paperless": rng.choice(["Yes", "No"], n),
        "senior": rng.integers(0, 2, n).astype(bool),
    })
    X.loc[3, "charges"] = np.nan
    z = -0.04 * X["tenure"] + 0.01 * X["charges"].fillna(70) + (X["contract"] == "Month-to-month") * 1.2
    y = np.where(rng.random(n) < 1 / (1 + np.exp(-z.to_numpy())), "Yes", "No")
    return X, y


@pytest.mark.parametrize("make", [lambda: nps.ChurnModel(), lambda: nps.BoostedChurnModel(n_estimators=30)],
                         ids=["logistic", "boosted"])
def test_a_dict_or_a_series_is_one_customer(make):
    X, y = _table()
    model = make().fit(X, y)
    for i in (0, 3, 7):
        row = X.iloc[i]                                   # a Series named by its index label
        want = model.churn_probability(X.iloc[[i]])[0]
        assert model.churn_probability(row) == want       # one row in, one number out
        assert isinstance(model.churn_probability(row), float)
        as_dict = {k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
        assert model.churn_probability(as_dict) == want
        assert model.churn_probability(dict(row)) == want  # numpy scalars as they come
        np.testing.assert_array_equal(model.predict_proba(row), model.predict_proba(X.iloc[[i]]))
        np.testing.assert_array_equal(model.decision_function(as_dict), model.decision_function(X.iloc[[i]]))
        assert list(model.predict(row)) == list(model.predict(X.iloc[[i]]))
        pd.testing.assert_frame_equal(model.explain(row), model.explain(X.iloc[[i]]))
        pd.testing.assert_frame_equal(model.contributions(row), model.contributions(X.iloc[[i]]))
    # A dict has no label: the customer is 0; missing values as None or NaN.
    e = model.explain(dict(X.iloc[0], charges=None))
    assert set(e["customer"]) == {0}
    assert model.churn_probability(dict(X.iloc[0], charges=np.nan)) == model.churn_probability(
        X.iloc[[0]].assign(charges=np.nan))[0]


def test_ltr_models_take_one_respondent():
    rng = np.random.default_rng(2)
    X = pd.DataFrame({"contacts": rng.poisson(2, 600).astype(float), "plan": rng.choice(["a", "b"], 600)})
    answers = np.clip(np.round(8 - X["contacts"] + rng.normal(0, 2, 600)), 0, 10)
    for model in (nps.LtrModel().fit(X, answers), nps.BoostedLtrModel(n_estimators=20).fit(X, answers)):
        row = X.iloc[5]
        np.testing.assert_array_equal(model.predict_proba(row), model.predict_proba(X.iloc[[5]]))
        np.testing.assert_array_equal(model.predict_proba({"contacts": 2.0, "plan": "b"}),
                                      model.predict_proba(pd.DataFrame({"contacts": [2.0], "plan": ["b"]})))
        pd.testing.assert_frame_equal(model.explain_detractor(row), model.explain_detractor(X.iloc[[5]]))


def test_what_to_pass_otherwise():
    X, y = _table()
    model = nps.ChurnModel().fit(X, y)
    one = "one customer: a dict {input: value} or a pandas Series such as X.iloc[0]"
    for bad in (X.iloc[0].to_numpy(), list(X.iloc[0])):
        with pytest.raises(nps.NpsError, match=r"X must be a table .* or " + re.escape(one)) as e:
            model.churn_probability(bad)
        assert e.value.code == "INVALID_PARAMETER" and "got a 1-D array of 5 values" in str(e.value)
    with pytest.raises(nps.NpsError, match=r"got str") as e:
        model.explain("customer 7")
    with pytest.raises(nps.NpsError, match=r'unknown column "senior"'):
        model.churn_probability({k: v for k, v in X.iloc[0].items() if k != "senior"})
    # The numeric fast path too.
    numeric = nps.ChurnModel().fit(X[["tenure", "charges"]].fillna(0).to_numpy(), y)
    assert numeric.churn_probability({"x0": 10.0, "x1": 50.0}) == numeric.churn_probability(np.array([[10.0, 50.0]]))[0]
    with pytest.raises(nps.NpsError, match="got a 1-D array of 2 values.*reshape"):
        numeric.churn_probability(np.array([10.0, 50.0]))
