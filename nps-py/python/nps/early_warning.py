"""Early warning: likelihood to recommend for customers who never answer.

``LtrModel`` predicts detractor / passive / promoter from the features (trained on
respondents, applied to everyone; scikit-learn conventions, ``predict_proba`` columns in the
order detractor, passive, promoter). ``predicted_nps`` turns probabilities into the NPS of a
group with an interval, and, given the actual answers, into a blended NPS of the whole base.
``BoostedLtrModel`` is the same with
gradient-boosted trees (a softmax over the three categories; its detractor attribution is
TreeSHAP's). ``nps.churn_by_nps`` links answers to churn. ``LtrModel.detractor_contributions``,
``explain_detractor`` and ``alerts`` say which inputs drive each customer's detractor risk
(the exact attribution of ln(P(detractor) / P(promoter))). ``TicketScorer`` is the one call
at ticket time (features, churn score and factors, detractor risk, next best actions). The
numbers come from the Rust core.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any, Mapping, Optional

import numpy as np

from . import _nps
from ._errors import error
from . import _checks
from ._arrow import flavor, io, read
from ._tables import bool_columns, to_columns
from .encode import _specs
from . import boosted as _boosted
from .model import _CoreModel, _numeric_matrix

#: The retention features that hold a respondent's survey answer (or mix it with contact
#: scores): leave them out of an ``LtrModel`` trained on respondents, or it learns the
#: label itself and predicts nothing for those who never answered.
SURVEY_ANSWER_FEATURES: tuple = tuple(_nps.SURVEY_ANSWER_FEATURES)

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    from ._sklearn_compat import BaseEstimator, ClassifierMixin

CATEGORIES = np.array(["detractor", "passive", "promoter"], dtype=object)


#: Why the LTR models fail some of scikit-learn's estimator checks: the checks train on class
#: labels (0, 1, 2, or 'one', 'two'), which an LTR model reads as 0-10 answers (0, 1 and 2 are
#: all detractors) and refuses, since a model of the three NPS categories needs answers of
#: every category. Nothing in scikit-learn's tags can declare a 0-10 target.
SKLEARN_TARGET_REASON = ("the check's targets are class labels (0, 1, 2 or 'one', 'two'); an LTR model learns from "
                         "0-10 answers of every category (0, 1 and 2 are all detractors)")

#: scikit-learn's estimator checks that fail for an LTR model for that reason alone, for
#: ``check_estimator(model, expected_failed_checks=SKLEARN_EXPECTED_FAILED_CHECKS)``;
#: every other check passes (tests/python/test_sklearn_checks.py).
SKLEARN_EXPECTED_FAILED_CHECKS: dict = {name: SKLEARN_TARGET_REASON for name in (
    "check_classifier_data_not_an_array", "check_classifiers_classes", "check_classifiers_train",
    "check_dict_unchanged", "check_dont_overwrite_parameters", "check_dtype_object", "check_estimators_dtypes",
    "check_estimators_fit_returns_self", "check_estimators_overwrite_params", "check_estimators_pickle",
    "check_f_contiguous_array_estimator", "check_fit2d_1feature", "check_fit2d_predict1d",
    "check_fit_check_is_fitted", "check_fit_idempotent", "check_fit_score_takes_y",
    "check_methods_sample_order_invariance", "check_methods_subset_invariance", "check_n_features_in",
    "check_n_features_in_after_fitting", "check_non_transformer_estimators_n_iter", "check_pipeline_consistency",
    "check_positive_only_tag_during_fit", "check_readonly_memmap_input",
    "check_sample_weight_equivalence_on_dense_data", "check_sample_weights_list",
    "check_sample_weights_not_an_array", "check_sample_weights_not_overwritten",
    "check_sample_weights_pandas_series", "check_sample_weights_shape", "check_supervised_y_2d")}


class _LtrEstimator(_CoreModel, ClassifierMixin, BaseEstimator):
    """What both likelihood-to-recommend estimators share once fitted: probabilities in
    the column order detractor, passive, promoter (``classes_``), the predicted NPS, the
    evaluation against answers and the detractor attribution. Their core models have the
    same methods."""

    @io("X")
    def predict_proba(self, X: Any) -> np.ndarray:
        """P(detractor), P(passive), P(promoter) per row (X: a table, or one respondent as a
        dict or a Series)."""
        X, _ = self._input(X)
        matrix = _numeric_matrix(X, self._model.inputs)
        if matrix is not None:
            return self._model.predict_proba_matrix(*matrix)
        names, columns = to_columns(X) if hasattr(X, "columns") or isinstance(X, dict) else to_columns(X, self._model.inputs)
        return self._model.predict_proba(names, columns)

    @io("X")
    def predict(self, X: Any) -> np.ndarray:
        """The most likely category per row."""
        return CATEGORIES[np.argmax(self.predict_proba(X), axis=1)]

    @io("X")
    def detractor_risk(self, X: Any) -> np.ndarray:
        """P(detractor) per row."""
        return self.predict_proba(X)[:, 0]

    @io("X")
    def predicted_nps(self, X: Any, level: float = _nps.DEFAULT_LEVEL) -> dict:
        """The predicted NPS of the rows of X with its interval (see :func:`predicted_nps`),
        counting the uncertainty of the model's level from its training respondents."""
        return predicted_nps(self.predict_proba(X), trained_on=self._model.training_rows, level=level)

    @io("X", "answers")
    def evaluate(self, X: Any, answers: Any, threshold: float = 0.5) -> dict:
        """Multiclass log loss, detractor-vs-rest ROC AUC, precision and recall of the
        detractor alert ``P(detractor) >= threshold`` on the rows that answered (``answers``
        0-10, NaN where none), and coverage (the share of rows with a prediction)."""
        return _nps._evaluate_ltr(self.predict_proba(X), np.asarray(answers, dtype=np.float64), float(threshold))

    @io("X")
    def detractor_contributions(self, X: Any) -> Any:
        """Each input's exact contribution to each row's detractor log-odds,
        ln(P(detractor) / P(promoter)), against a baseline (``attrs["baseline"]``):
        baseline + row sum = the row's log-odds. ``LtrModel``: the baseline is the value at
        the training mean and columns of one source are summed back to it (the log-odds is
        linear in the inputs, so the attribution is exact; P(detractor) against the other
        two is not). ``BoostedLtrModel``: TreeSHAP of the detractor output minus that of the
        promoter output, against the difference of their expected values (exact too: the
        log-odds is the difference of the two raw scores). It is what NPS weighs. A
        DataFrame (rows as X's, one column per input; ``attrs["log_odds"]`` and
        ``attrs["risk"]`` hold each row's log-odds and P(detractor)) or an array without
        pandas."""
        X, _ = self._input(X)
        matrix = _numeric_matrix(X, self._model.inputs)
        if matrix is not None:
            c, baseline, z, risk = self._model.detractor_contributions_matrix(*matrix)
        else:
            names, columns = to_columns(X) if hasattr(X, "columns") or isinstance(X, dict) else to_columns(X, self._model.inputs)
            c, baseline, z, risk = self._model.detractor_contributions(names, columns)
        try:
            import pandas as pd
        except ImportError:  # pragma: no cover - pandas is a test dependency
            return c
        frame = pd.DataFrame(c, columns=self._model.inputs, index=getattr(X, "index", None))
        frame.attrs.update(baseline=baseline, log_odds=z, risk=risk)
        return frame

    @io("X")
    def explain_detractor(self, X: Any, top: int = _nps.DEFAULT_TOP_FACTORS) -> Any:
        """The ``top`` inputs pushing each row most towards detractor (``raises``) and towards
        promoter (``lowers``): one row per (customer, factor) with the customer's
        P(detractor) and the contribution to ln(P(detractor) / P(promoter))."""
        top = _checks.whole(top, "top", minimum=0)
        frame = self.detractor_contributions(X)
        risk = frame.attrs["risk"]
        records = []
        ranked = zip(*_nps._top_factor_indices(np.ascontiguousarray(frame.to_numpy(), dtype=np.float64), top))
        for i, (label, row, up_down) in enumerate(zip(frame.index, frame.to_numpy(), ranked)):
            for direction, factors in zip(("raises", "lowers"), up_down):
                for rank, j in enumerate(factors, 1):
                    records.append({"customer": label, "detractor_risk": risk[i], "direction": direction, "rank": rank,
                                    "factor": frame.columns[j], "contribution": row[j]})
        import pandas as pd

        return pd.DataFrame.from_records(records, columns=["customer", "detractor_risk", "direction", "rank", "factor",
                                                           "contribution"])

    @io("X", "value")
    def alerts(self, X: Any, value: Any = None, top: int = _nps.DEFAULT_ALERTS,
               factors: int = _nps.DEFAULT_TOP_FACTORS) -> Any:
        """The customers most at risk of being detractors, ranked by P(detractor) times
        ``value`` (e.g. monthly revenue; 1 for everyone when not given): a DataFrame with
        detractor_risk, value, expected (their product) and the ``factors`` inputs pushing
        each one most towards detractor (``top_factors``, a list of names, largest first,
        with their contributions to ln(P(detractor) / P(promoter)) in
        ``factor_contributions``), highest expected first."""
        top, factors = _checks.whole(top, "top", minimum=0), _checks.whole(factors, "factors", minimum=0)
        X, _ = self._input(X)
        frame = self.detractor_contributions(X)
        risk = np.asarray(frame.attrs["risk"], dtype=np.float64)
        v = None if value is None else np.ascontiguousarray(value, dtype=np.float64).reshape(-1)
        c = np.ascontiguousarray(frame.to_numpy(), dtype=np.float64)
        order, values, expected, raising = _nps._detractor_alerts(risk, v, c, top, factors)
        import pandas as pd

        names = list(frame.columns)
        index = np.asarray(getattr(X, "index", np.arange(len(risk))))[order]
        return pd.DataFrame({"detractor_risk": risk[order], "value": values, "expected": expected,
                             "top_factors": [[names[j] for j in up] for up in raising],
                             "factor_contributions": [[float(c[i, j]) for j in up] for i, up in zip(order, raising)]},
                            index=pd.Index(index, name="customer"))

    @property
    def inputs_(self) -> list:
        return self._fitted()._model.inputs

    @io("X", "y", "sample_weight")
    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """The share of respondents whose predicted category (detractor, passive, promoter)
        is the category of their answer (``y``: 0-10 answers; weighted by
        ``sample_weight``). scikit-learn's ``score`` of a classifier, with the answers read
        as the categories they fall in."""
        answers = np.ascontiguousarray(y, dtype=np.float64).reshape(-1)
        w = None if sample_weight is None else np.ascontiguousarray(_checks.weights(sample_weight, len(answers)))
        return _nps._ltr_accuracy(np.ascontiguousarray(self.predict_proba(X), dtype=np.float64), answers, w)

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: a classifier of the three NPS categories, trained on 0-10
        answers; NaN allowed, dense input only."""
        return _checks.tags_for(self, super().__sklearn_tags__())


class LtrModel(_LtrEstimator):
    """Likelihood to recommend: a multinomial (softmax) logistic regression of the NPS
    category on the inputs, L2-regularised (scikit-learn's objective; ``C`` has its
    meaning), fitted by Newton's method. ``fit(X, scores)`` takes the respondents' 0-10
    answers; ``predict_proba`` gives three columns (detractor, passive, promoter).

    Leave out inputs that contain the answer itself (the last NPS answer, or interaction
    scores that average in survey answers): for respondents they are the label.
    """

    _core = _nps._LtrModel

    def __init__(self, C: float = 1.0, fit_intercept: bool = True, tol: float = 1e-8, max_iter: int = 100,
                 standardize: bool = True, kinds: Optional[Mapping[str, str]] = None, unseen: str = "error"):
        self.C = C
        self.fit_intercept = fit_intercept
        self.tol = tol
        self.max_iter = max_iter
        self.standardize = standardize
        self.kinds = kinds
        self.unseen = unseen

    @io("X", "y", "sample_weight")
    def fit(self, X: Any, y: Any, sample_weight: Any = None) -> "LtrModel":
        """Fits on respondents: X their inputs, y their 0-10 answers."""
        X = _checks.table(self, X, fit=True)
        scores = np.ascontiguousarray(_checks.target(self, X, y, classifier=False), dtype=np.float64)
        w = _checks.weights(sample_weight, _checks.rows(X))
        options = (float(self.C), bool(self.fit_intercept), float(self.tol), _checks.whole(self.max_iter, "max_iter"), self.unseen,
                   bool(self.standardize))
        width = np.shape(X)[1] if isinstance(X, np.ndarray) else 0
        matrix = None if self.kinds else _numeric_matrix(X, [f"x{j}" for j in range(width)])
        if matrix is not None:
            self._model = _nps._LtrModel.fit_matrix(matrix[0], matrix[1], scores, w, *options)
        else:
            names, columns = to_columns(X)
            specs = _specs(names, columns, self.kinds, (), bool_columns(X))
            self._model = _nps._LtrModel.fit(names, columns, scores, w, specs, *options)
        self._model.set_trained_at(datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self.classes_ = CATEGORIES
        self.n_features_in_ = len(self._model.inputs)
        return self

    @classmethod
    def from_json(cls, text: str) -> "LtrModel":
        """A model from its file, checked (``NpsError`` says what is wrong)."""
        core = _nps._LtrModel.from_json(text)
        lo = json.loads(text)["options"]["logistic"]
        model = cls(C=lo["c"], fit_intercept=lo["fit_intercept"], tol=lo["tol"], max_iter=lo["max_iter"])
        model._model = core
        model.classes_ = CATEGORIES
        model.n_features_in_ = len(core.inputs)
        return model

    def _repr_html_(self) -> str:
        """A summary for Jupyter: training respondents by category, convergence and the
        largest coefficients (or the parameters when not fitted)."""
        from . import _html

        return _html.ltr_model(self)

    def _repr_mimebundle_(self, **kwargs: Any) -> dict:
        """Jupyter shows this summary, not scikit-learn's estimator diagram (which
        ``BaseEstimator`` offers through this method, ahead of ``_repr_html_``)."""
        return {"text/plain": repr(self), "text/html": self._repr_html_()}



# The estimator's parameters that are the core's BoostingOptions, one for one (those of
# ``BoostedChurnModel`` but the binary ones: class weights and monotone constraints).
_BOOSTING_OPTIONS = _boosted._OPTIONS


class BoostedLtrModel(_LtrEstimator):
    """Likelihood to recommend by gradient-boosted trees: a softmax over detractor,
    passive and promoter, one tree per category per round (scikit-learn conventions as
    ``LtrModel``: ``fit(X, scores)`` with the respondents' 0-10 answers, ``predict_proba``
    with columns detractor, passive, promoter, ``classes_``, ``get_params``/``set_params``;
    pickles). Its probabilities go to :func:`predicted_nps` unchanged, and
    ``TicketScorer(..., ltr=)`` takes it as it takes an ``LtrModel``.

    The parameters are ``BoostedChurnModel``'s (LightGBM's meanings). Respondents are
    usually few: with a thousand or two, stop early (``early_stopping_rounds=30``, on
    ``eval_set`` or on ``validation_fraction`` of them) rather than run all 300 rounds.
    Inputs are read as ``BoostedChurnModel`` reads them (NaN missing; text or
    ``category`` columns split natively). Leave out inputs that contain the answer itself
    (``SURVEY_ANSWER_FEATURES``).
    """

    _core = _nps._BoostedLtrModel

    def __init__(self, n_estimators: int = 300, learning_rate: float = 0.05, num_leaves: int = 7, max_depth: int = 0,
                 min_data_in_leaf: int = 20, min_sum_hessian_in_leaf: float = 1e-3, lambda_l2: float = 0.0,
                 min_gain_to_split: float = 0.0, max_bin: int = 255, subsample: float = 1.0, colsample: float = 1.0,
                 seed: int = 0, early_stopping_rounds: int = 0, validation_fraction: float = 0.1,
                 max_cat_to_onehot: int = 4, max_cat_threshold: int = 32, cat_smooth: float = 10.0,
                 cat_l2: float = 10.0, min_data_per_group: int = 100, threads: int = 0,
                 kinds: Optional[Mapping[str, str]] = None):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.max_depth = max_depth
        self.min_data_in_leaf = min_data_in_leaf
        self.min_sum_hessian_in_leaf = min_sum_hessian_in_leaf
        self.lambda_l2 = lambda_l2
        self.min_gain_to_split = min_gain_to_split
        self.max_bin = max_bin
        self.subsample = subsample
        self.colsample = colsample
        self.seed = seed
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.max_cat_to_onehot = max_cat_to_onehot
        self.max_cat_threshold = max_cat_threshold
        self.cat_smooth = cat_smooth
        self.cat_l2 = cat_l2
        self.min_data_per_group = min_data_per_group
        self.threads = threads
        self.kinds = kinds

    @io("X", "y", "sample_weight")
    def fit(self, X: Any, y: Any, sample_weight: Any = None, eval_set: Optional[Any] = None) -> "BoostedLtrModel":
        """Fits on respondents: X their inputs, y their 0-10 answers. ``eval_set``:
        ``[(X_valid, answers_valid)]``, evaluated each round (``evals_result_``) and used for
        early stopping when ``early_stopping_rounds`` is set."""
        X = _checks.table(self, X, fit=True)
        scores = np.ascontiguousarray(_checks.target(self, X, y, classifier=False), dtype=np.float64)
        w = _checks.weights(sample_weight, _checks.rows(X))
        options = json.dumps({k: getattr(self, k) for k in _BOOSTING_OPTIONS}, default=_boosted._plain)
        eval_x = eval_scores = None
        if eval_set:
            if len(eval_set) != 1:
                raise error("INVALID_PARAMETER", f"eval_set must hold one (X, answers) pair, got {len(eval_set)}")
            eval_x, ey = (read(v, "eval_set") if flavor(v) else v for v in eval_set[0])
            eval_scores = np.ascontiguousarray(ey, dtype=np.float64)
        width = np.shape(X)[1] if isinstance(X, np.ndarray) else 0
        matrix = None if self.kinds else _numeric_matrix(X, [f"x{j}" for j in range(width)])
        if matrix is not None:
            ev = None if eval_x is None else _numeric_matrix(eval_x, matrix[1])
            if eval_x is not None and ev is None:
                raise error("INVALID_PARAMETER", "eval_set's X must be numeric like X")
            self._model = _nps._BoostedLtrModel.fit_matrix(matrix[0], matrix[1], scores, w,
                                                           None if ev is None else ev[0], eval_scores, options)
        else:
            names, columns = to_columns(X)
            specs = _specs(names, columns, self.kinds, (), bool_columns(X))
            eval_columns = None
            if eval_x is not None:
                en, eval_columns = to_columns(eval_x)
                if en != names:
                    raise error("INVALID_PARAMETER", f"eval_set's X must have X's columns ({', '.join(names)}), got {', '.join(en)}")
            self._model = _nps._BoostedLtrModel.fit(names, columns, scores, w, specs, eval_columns, eval_scores,
                                                    options)
        self._model.set_trained_at(datetime.now(timezone.utc).isoformat(timespec="seconds"))
        self._set_fitted_attributes()
        return self

    def _set_fitted_attributes(self) -> None:
        self.classes_ = CATEGORIES
        self.n_features_in_ = len(self._model.inputs)
        boosting = self.training_["boosting"]
        self.best_iteration_ = boosting["rounds"]
        self.evals_result_ = {"valid": {"multi_logloss": list(boosting["validation_loss"])}}

    @property
    def training_(self) -> dict:
        """Training metadata: respondents by category, rounds kept, validation loss by round."""
        return json.loads(self._fitted()._model.training_json)

    @property
    def detractor_baseline_(self) -> float:
        """ln(P(detractor) / P(promoter)) before any input is known: the baseline of
        ``detractor_contributions``."""
        return self._fitted()._model.detractor_baseline

    @classmethod
    def from_json(cls, text: str) -> "BoostedLtrModel":
        """A model from its file (``nps.ltr_model`` version 2, ``kind: boosted_trees``),
        checked (``NpsError`` says what is wrong)."""
        core = _nps._BoostedLtrModel.from_json(text)
        options = json.loads(core.options_json)
        model = cls(**{k: options[k] for k in _BOOSTING_OPTIONS})
        model._model = core
        model._set_fitted_attributes()
        return model


TicketScorer = _nps.TicketScorer


@io("answers")
def predicted_nps(proba: Any, trained_on: int = 0, level: float = _nps.DEFAULT_LEVEL, answers: Any = None) -> dict:
    """NPS from (detractor, passive, promoter) probabilities: 100 x (mean P(promoter) -
    mean P(detractor)), with an interval for the NPS the group would show if everyone
    answered. It counts each customer's answer as a draw from their probabilities and, when
    ``trained_on`` (the number of training respondents) is given, the uncertainty of the
    model's overall level; not the uncertainty of its slopes. With ``answers`` (0-10, NaN
    for customers who did not answer) it is the blended NPS of the whole base: actual
    answers where they exist, predictions elsewhere. Returns n, nps, se, low, high, level."""
    p = np.ascontiguousarray(proba, dtype=np.float64)
    if p.ndim != 2:
        raise error("INVALID_PARAMETER", f"proba must be rows x 3 (detractor, passive, promoter), got {p.ndim} dimension(s)")
    return _nps._predicted_nps(p, _checks.whole(trained_on, "trained_on"), float(level), answers)
