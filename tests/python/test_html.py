"""Jupyter display (``_repr_html_``) of the results analysts look at: the HTML holds the
object's own numbers, is well formed, and escapes text that comes from the data."""

from html.parser import HTMLParser

import numpy as np
import pandas as pd
import pytest

import nps


class _Check(HTMLParser):
    """Collects the text and checks that every tag closes in order."""

    VOID = {"br", "hr", "img"}

    def __init__(self):
        super().__init__()
        self.stack, self.text, self.tags = [], [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        assert self.stack and self.stack[-1] == tag, (self.stack, tag)
        self.stack.pop()

    def handle_data(self, data):
        self.text.append(data)


def text_of(html):
    """The visible text of well-formed HTML (entities decoded)."""
    check = _Check()
    check.feed(html)
    check.close()
    assert not check.stack, f"unclosed tags {check.stack}"
    assert "script" not in check.tags
    return " ".join(check.text)


def test_tally_shows_counts_shares_nps_and_interval():
    t = nps.Tally.from_scores([0, 3, 7, 7, 8, 9, 9, 9, 10, 10, 10])
    text = text_of(t._repr_html_())
    i = t.interval()
    for expected in ["Tally", f"NPS {t.nps:.2f}", f"SE {t.se:.2f}", "n = 11", f"{i.low:.2f} to {i.high:.2f}",
                     "95% interval (adjusted_wald)", f"{100 * t.detractor_share:.1f}%", f"{100 * t.promoter_share:.1f}%"]:
        assert expected in text, expected
    assert t.counts == (2, 3, 6)
    assert "36.36" in text  # 100 x (6 - 2) / 11 by hand
    assert "off the scale" not in text
    skipped = text_of(nps.Tally.from_scores([9, 11, 12, 3], out_of_range="skip")._repr_html_())
    assert "skipped (off the scale)" in skipped and "2" in skipped.split("skipped (off the scale)")[1][:20]


def test_weighted_tally_shows_weights_and_effective_n():
    t = nps.Tally.from_scores([0, 9, 10], weights=[2.0, 1.0, 0.5])
    text = text_of(t._repr_html_())
    assert "effective n (Kish)" in text and f"{t.effective_n:.1f}" in text
    assert "2.00" in text and "1.50" in text  # the category weights (detractors 2, promoters 1 + 0.5)
    # (1.5 - 2) / 3.5 by hand
    assert f"{100 * (1.5 - 2.0) / 3.5:.2f}" in text


def test_comparison_shows_difference_p_value_and_verdict():
    a, b = nps.Tally.from_counts(10, 20, 70), nps.Tally.from_counts(40, 20, 40)
    c = nps.compare(a, b)
    text = text_of(c._repr_html_())
    assert c.diff == pytest.approx(60.0)
    for expected in [f"{c.diff:.2f}", f"{c.se:.2f}", f"{c.z:.3f}", f"{c.p_value:.4f}", f"{c.low:.2f} to {c.high:.2f}",
                     "A is significantly higher", "wald"]:
        assert expected in text, expected
    same = nps.compare(a, a)
    assert "no significant difference" in text_of(same._repr_html_())


def test_churn_by_nps_shows_groups_relative_risk_and_test():
    scores = [0, 3, 6, 6, 7, 8, 9, 10, 10, 10, 5, 9]
    churned = [True, True, False, True, False, True, False, False, False, True, True, False]
    r = nps.churn_by_nps(scores, churned)
    text = text_of(r._repr_html_())
    assert (r.detractors["rate"], r.promoters["rate"], r.relative_risk) == (0.8, 0.2, 4.0)  # docs/early-warning.md
    for expected in ["ChurnByNps", "detractors churn 80.0%", "promoters 20.0%", "4.00", f"{r.chi_square:.2f} on 2 df",
                     f"{100 * r.detractors['low']:.1f}% to {100 * r.detractors['high']:.1f}%", "score 10"]:
        assert expected in text, expected
    assert "score 1 " not in text  # nobody answered 1: no row


def test_churn_model_summary_shows_training_metrics_and_coefficients():
    rng = np.random.default_rng(3)
    X = pd.DataFrame({"calls": rng.poisson(2, 400).astype(float), "plan": rng.choice(["<b>pro</b>", "basic"], 400)})
    y = rng.random(400) < 1 / (1 + np.exp(-(X["calls"] - 2)))
    model = nps.ChurnModel().fit(X, y).record_metric("cv_roc_auc", 0.8123456)
    html = model._repr_html_()
    text = text_of(html)
    training = model.training_
    for expected in ["ChurnModel", "400 rows", f"{training['positives']:,} ({100 * training['positive_share']:.1f}%)",
                     f"converged in {training['convergence']['iterations']} iterations", "cv_roc_auc", "0.8123",
                     f"{model.coef_[0][0]:.3f}", "calls", "plan=<b>pro</b>"]:
        assert expected in text, expected
    assert "<b>pro</b>" not in html and "plan=&lt;b&gt;pro&lt;/b&gt;" in html  # data text is escaped
    unfitted = text_of(nps.ChurnModel(C=0.5)._repr_html_())
    assert "not fitted" in unfitted and "0.5" in unfitted


def test_ltr_model_summary_shows_respondents_by_category():
    rng = np.random.default_rng(4)
    X = pd.DataFrame({"contacts": rng.poisson(2, 300).astype(float)})
    scores = np.clip(np.round(9 - 1.5 * X["contacts"] + rng.normal(0, 1.5, 300)), 0, 10)
    ltr = nps.LtrModel().fit(X, scores)
    text = text_of(ltr._repr_html_())
    counts = [int((scores <= 6).sum()), int(((scores >= 7) & (scores <= 8)).sum()), int((scores >= 9).sum())]
    assert "LtrModel" in text and "300 respondents" in text
    for name, k in zip(["detractors", "passives", "promoters"], counts):
        assert f"{name} {k}" in " ".join(text.split()), (name, k)
    coef = np.array(__import__("json").loads(ltr.to_json())["coef"])
    assert f"{coef[0][0]:.3f}" in text and f"{coef[2][0]:.3f}" in text
    assert "not fitted" in text_of(nps.LtrModel()._repr_html_())


def test_jupyter_shows_these_summaries_not_the_estimator_diagram():
    formatters = pytest.importorskip("IPython.core.formatters")
    X = pd.DataFrame({"calls": [0.0, 1.0, 3.0, 4.0, 0.0, 5.0]})
    churn = nps.ChurnModel().fit(X, [0, 0, 1, 1, 0, 1])
    ltr = nps.LtrModel().fit(X, [10, 9, 3, 2, 8, 0])
    for model, kind in [(churn, "<b>ChurnModel</b>"), (ltr, "<b>LtrModel</b>")]:
        data, _ = formatters.DisplayFormatter().format(model)
        assert data["text/html"] == model._repr_html_() and kind in data["text/html"]
        assert data["text/plain"] == repr(model)
    for result in [nps.Tally.from_scores([9, 0]), nps.churn_by_nps([0, 9, 10], [1, 0, 0])]:
        data, _ = formatters.DisplayFormatter().format(result)
        assert data["text/html"] == result._repr_html_()
