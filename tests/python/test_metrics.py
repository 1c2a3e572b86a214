"""Churn-model metrics from Python: the shared vectors, scikit-learn side by side, bad input."""

import numpy as np
import pytest
from sklearn import metrics as skm
from sklearn.calibration import calibration_curve

import nps
from conftest import vectors

CASES = vectors("metrics")["cases"]


def close(a, b):
    assert a == pytest.approx(b, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("c", CASES, ids=lambda c: c["name"])
def test_shared_vectors(c):
    y, p, w = np.array(c["y"]), np.array(c["p"]), c["weights"]
    close(nps.metrics.roc_auc(y, p, w), c["roc_auc"])
    close(nps.metrics.average_precision(y, p, w), c["average_precision"])
    close(nps.metrics.log_loss(y, p, w), c["log_loss"])
    close(nps.metrics.brier(y, p, w), c["brier"])
    t = nps.metrics.threshold_metrics(y, p, c["threshold"])
    for k in ("accuracy", "precision", "recall", "f1"):
        close(t[k], c[k])
    lift = nps.metrics.lift_table(y, p, c["lift_bins"])
    for got, want in zip(lift.itertuples(), c["lift"]["rows"]):
        assert got.customers == want["customers"] and got.positives == want["positives"]
        close(got.lift, want["lift"])
        close(got.cumulative_gain, want["cumulative_gain"])
    cal = nps.metrics.calibration_table(y, p, c["bins"])
    np.testing.assert_allclose(cal["observed_rate"], c["calibration"]["observed_rate"], rtol=1e-12)


def test_side_by_side_with_scikit_learn_on_a_model():
    base = nps.synth.generate(customers=3_000, seed=8)
    f = nps.features.retention(base.events, as_of=base.as_of)
    y = base.labels["churned"].to_numpy()
    p = nps.ChurnModel().fit(f, y).churn_probability(f)
    w = np.random.default_rng(1).uniform(0.5, 2.0, len(y))
    close(nps.metrics.roc_auc(y, p), skm.roc_auc_score(y, p))
    close(nps.metrics.roc_auc(y, p, w), skm.roc_auc_score(y, p, sample_weight=w))
    close(nps.metrics.average_precision(y, p), skm.average_precision_score(y, p))
    close(nps.metrics.log_loss(y, p, w), skm.log_loss(y, p, sample_weight=w))
    close(nps.metrics.brier(y, p), skm.brier_score_loss(y, p))
    fpr, tpr, thr = nps.metrics.roc_curve(y, p)
    sk = skm.roc_curve(y, p, drop_intermediate=False)
    np.testing.assert_array_equal(fpr, sk[0])
    np.testing.assert_array_equal(tpr, sk[1])
    prob_true, prob_pred = calibration_curve(y, p, n_bins=10)
    cal = nps.metrics.calibration_table(y, p)
    np.testing.assert_allclose(cal["observed_rate"], prob_true, rtol=1e-12)
    np.testing.assert_allclose(cal["mean_predicted"], prob_pred, rtol=1e-12)
    lift = nps.metrics.lift_table(y, p)
    assert lift["cumulative_gain"].iloc[-1] == 1.0
    assert lift.attrs["base_rate"] == y.mean()
    assert lift["lift"].iloc[0] > 2  # the top decile holds well over twice its share of churners


def test_bad_input_names_field_index_and_value():
    with pytest.raises(nps.NpsError, match=r"y\[1\] = 2 is outside \{0, 1\} \(unless pos_label names the positive class \(y holds 0 and 2\)\)"):
        nps.metrics.roc_auc([0, 2], [0.1, 0.2])
    with pytest.raises(nps.NpsError, match="only class 1"):
        nps.metrics.roc_auc([1, 1], [0.1, 0.2])
    with pytest.raises(nps.NpsError, match=r"p\[0\] = 1.5 is outside \[0, 1\]"):
        nps.metrics.log_loss([1, 0], [1.5, 0.2])
    with pytest.raises(nps.NpsError, match="score has 1 elements but y has 2"):
        nps.metrics.roc_auc([0, 1], [0.1])
    with pytest.raises(nps.NpsError, match=r"score\[1\] is missing"):
        nps.metrics.roc_auc([0, 1], [0.1, np.nan])
    with pytest.raises(nps.NpsError, match="bins"):
        nps.metrics.lift_table([0, 1], [0.1, 0.2], bins=5)
    # numpy reads [0.1, "a"] as two strings: the error names the list's own culprit.
    with pytest.raises(nps.NpsError, match=r"^score\[1\] = 'a' is not a number$"):
        nps.metrics.roc_auc([0, 1], [0.1, "a"])
    with pytest.raises(nps.NpsError, match=r"^score\[0\] = '0.1' is not a number$"):
        nps.metrics.roc_auc([0, 1], np.array(["0.1", "x"]))
    assert nps.metrics.roc_auc(np.array([True, False]), [0.9, 0.1]) == 1.0


def test_labels_as_fit_takes_them_with_pos_label():
    # "Yes"/"No" as the Telco file holds them: fit takes them, and so does every metric; the
    # positive class is the one fit makes churn ("Yes"), or the one pos_label names.
    rng = np.random.default_rng(4)
    y01 = rng.integers(0, 2, 200)
    p = np.clip(y01 * 0.3 + rng.uniform(0, 0.7, 200), 0, 1)
    text = np.where(y01 == 1, "Yes", "No")
    series = __import__("pandas").Series(text, dtype=object)
    for y in (text, series, list(text), y01.astype(bool), np.where(y01 == 1, True, False).astype(object)):
        close(nps.metrics.roc_auc(y, p), skm.roc_auc_score(y01, p))
        close(nps.metrics.average_precision(y, p), skm.average_precision_score(y01, p))
        close(nps.metrics.log_loss(y, p), skm.log_loss(y01, p))
        close(nps.metrics.brier(y, p), skm.brier_score_loss(y01, p))
    # Named explicitly, the other class is positive: scikit-learn's pos_label.
    close(nps.metrics.average_precision(text, 1 - p, pos_label="No"),
          skm.average_precision_score(text, 1 - p, pos_label="No"))
    close(nps.metrics.brier(text, 1 - p, pos_label="No"), skm.brier_score_loss(text, 1 - p, pos_label="No"))
    close(nps.metrics.roc_auc(y01, p, pos_label=np.int64(1)), skm.roc_auc_score(y01, p))
    close(nps.metrics.roc_auc(y01.astype(bool), p, pos_label=np.bool_(True)), skm.roc_auc_score(y01, p))
    labels = np.where(y01 == 1, "churned", "stayed")
    close(nps.metrics.roc_auc(labels, p, pos_label="churned"), skm.roc_auc_score(y01, p))
    assert nps.metrics.threshold_metrics(text, p, 0.5, pos_label="Yes") == nps.metrics.threshold_metrics(y01, p, 0.5)
    assert nps.metrics.lift_table(text, p, 5).equals(nps.metrics.lift_table(y01, p, 5))
    assert nps.metrics.calibration_table(labels, p, 5, pos_label="churned").equals(nps.metrics.calibration_table(y01, p, 5))
    fpr, tpr, _ = nps.metrics.roc_curve(labels, p, pos_label="churned")
    np.testing.assert_array_equal(tpr, skm.roc_curve(y01, p, drop_intermediate=False)[1])
    # The model's own labels: fit on "Yes"/"No", evaluated on them.
    X = np.column_stack([y01 + rng.normal(0, 1, 200), rng.normal(size=200)])
    m = nps.ChurnModel().fit(X, text)
    assert list(m.classes_) == ["No", "Yes"]
    close(nps.metrics.roc_auc(text, m.churn_probability(X)), skm.roc_auc_score(y01, m.churn_probability(X)))
    # Labels without a default positive class must name it; the message lists them.
    with pytest.raises(nps.NpsError, match=r'y\[0\] must be 0 or 1, .* unless pos_label names the positive class \(y holds "churned" and "stayed"\), got "%s"' % labels[0]) as e:
        nps.metrics.roc_auc(labels, p)
    assert e.value.code == "INVALID_PARAMETER"
    with pytest.raises(nps.NpsError, match=r'pos_label must be one of y\'s labels \("No" and "Yes"\), got "yes"'):
        nps.metrics.roc_auc(text, p, pos_label="yes")
    with pytest.raises(nps.NpsError, match=r'y\[2\] must be one of two classes \(0 and 1\).*got 2'):
        nps.metrics.roc_auc([0, 1, 2], [0.1, 0.2, 0.3])
    with pytest.raises(nps.NpsError, match=r"y\[1\] is missing"):
        nps.metrics.roc_auc(["Yes", None, "No"], [0.1, 0.2, 0.3])
