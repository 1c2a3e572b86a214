"""scikit-learn's own estimator checks (``check_estimator``) on every nps estimator, with
the tags they declare: binary targets for the churn models, NaN allowed, dense input. The
LTR models learn from 0-10 answers, which the checks cannot produce: the checks that fail
for that reason alone are declared (``SKLEARN_EXPECTED_FAILED_CHECKS``), and the test makes
sure that nothing else fails and that each declared failure is that one."""

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import DataConversionWarning
from sklearn.utils import get_tags
from sklearn.utils.estimator_checks import check_estimator

import nps
from nps.early_warning import SKLEARN_EXPECTED_FAILED_CHECKS


def _run(estimator, expected=None):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return check_estimator(estimator, expected_failed_checks=expected, on_fail=None, on_skip=None)


def _failed(results):
    return [(r["check_name"], f"{type(r['exception']).__name__}: {r['exception']}"[:300])
            for r in results if r["status"] == "failed"]


@pytest.mark.parametrize("estimator", [nps.TableEncoder(), nps.ChurnModel(), nps.BoostedChurnModel(n_estimators=20)],
                         ids=lambda e: type(e).__name__)
def test_check_estimator_passes(estimator):
    results = _run(estimator)
    assert len(results) > 40
    assert _failed(results) == []


def test_the_tags_say_what_the_estimators_do_not_support():
    for est in (nps.ChurnModel(), nps.BoostedChurnModel()):
        tags = get_tags(est)
        assert tags.estimator_type == "classifier" and tags.classifier_tags.multi_class is False
        assert tags.input_tags.allow_nan and not tags.input_tags.sparse
    for est in (nps.LtrModel(), nps.BoostedLtrModel()):
        tags = get_tags(est)
        assert tags.estimator_type == "classifier" and tags.classifier_tags.multi_class
    assert get_tags(nps.TableEncoder()).target_tags.required is False


def _root(e):
    while e.__cause__ is not None or e.__context__ is not None:
        e = e.__cause__ or e.__context__
    return e


@pytest.mark.parametrize("estimator", [nps.LtrModel(), nps.BoostedLtrModel(n_estimators=20)],
                         ids=lambda e: type(e).__name__)
def test_check_estimator_on_the_ltr_models_fails_only_for_their_0_10_targets(estimator):
    results = _run(estimator, SKLEARN_EXPECTED_FAILED_CHECKS)
    assert _failed(results) == []
    xfail = [r for r in results if r["status"] == "xfail"]
    assert len(xfail) >= 28
    for r in xfail:
        root = _root(r["exception"])
        assert isinstance(root, nps.NpsError) and (
            "must be answers of every class" in str(root) or "y must be the 0-10 answers" in str(root)), (
            r["check_name"], str(root))
    passed = [r for r in results if r["status"] == "passed"]
    assert len(passed) >= 25


def test_the_ltr_models_follow_the_conventions_the_declared_checks_would_test():
    # What the declared checks would have tested, with real answers.
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 3))
    answers = np.clip(np.round(7 + 2 * X[:, 0] + rng.normal(size=300)), 0, 10)
    for make in (nps.LtrModel, lambda: nps.BoostedLtrModel(n_estimators=20)):
        m = make()
        with pytest.raises(nps.NpsError, match="not fitted yet") as e:
            m.predict(X)
        assert e.value.code == "NOT_FITTED"
        assert m.fit(X, answers) is m and m.n_features_in_ == 3
        p = m.predict_proba(X)
        w = np.ones(300)
        for weights in (list(w), pd.Series(w)):
            np.testing.assert_allclose(make().fit(X, answers, sample_weight=weights).predict_proba(X), p, atol=1e-12)
        with pytest.warns(DataConversionWarning, match="A column-vector y was passed"):
            column = make().fit(X, answers.reshape(-1, 1))
        np.testing.assert_array_equal(column.predict_proba(X), p)
        np.testing.assert_array_equal(make().fit(np.asfortranarray(X), answers).predict_proba(X), p)
        np.testing.assert_array_equal(m.predict_proba(X[::-1])[::-1], p)          # row order
        with pytest.raises(nps.NpsError, match="X has 1 features, but .* is expecting 3 features as input"):
            m.predict(X[:, :1])
        with pytest.raises(nps.NpsError, match="Reshape your data"):
            m.predict(X[0])
        with pytest.raises(nps.NpsError, match="sample_weight must be one weight per row"):
            make().fit(X, answers, sample_weight=np.ones(10))
        with pytest.raises(nps.NpsError, match="Unknown label type: y holds 'one'"):
            make().fit(X[:3], np.array(["one", "two", "three"]))
        with pytest.raises(nps.NpsError, match="sparse input is not supported"):
            import scipy.sparse

            make().fit(scipy.sparse.csr_matrix(X), answers)
        assert 0 <= m.score(X, answers) <= 1 and m.score(X, answers) == np.mean(
            np.argmax(p, axis=1) == np.where(answers <= 6, 0, np.where(answers <= 8, 1, 2)))
