"""Boosted churn scoring: ``BoostedChurnModel``, gradient-boosted decision trees with
scikit-learn's estimator conventions, exact TreeSHAP attribution, and a model file that
scores identically in Rust, Python and Node.

It takes a pandas DataFrame (numbers with NaN for missing, booleans, and text or
``category`` columns, which are split natively as sets of categories), a dict of arrays, or
a 2-D numpy array with NaN for missing values (no imputation needed). Models trained with
LightGBM or XGBoost can be read with :meth:`BoostedChurnModel.from_lightgbm` and
:meth:`BoostedChurnModel.from_xgboost`. Training, scoring and explaining release the GIL.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from . import _nps
from ._errors import error
from . import _checks
from ._arrow import flavor, io, read
from ._tables import bool_columns, to_columns
from .encode import _specs
from .model import _binary_target, _contribution_frame, _CoreModel, _explanation_frame, _numeric_matrix

try:
    from sklearn.base import BaseEstimator, ClassifierMixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    from ._sklearn_compat import BaseEstimator, ClassifierMixin


# The estimator's parameters that are the core's BoostingOptions, one for one.
_OPTIONS = ("n_estimators", "learning_rate", "num_leaves", "max_depth", "min_data_in_leaf", "min_sum_hessian_in_leaf",
            "lambda_l2", "min_gain_to_split", "max_bin", "subsample", "colsample", "seed", "early_stopping_rounds",
            "validation_fraction", "max_cat_to_onehot", "max_cat_threshold", "cat_smooth", "cat_l2",
            "min_data_per_group", "threads")


def _plain(value: Any) -> Any:
    """A numpy scalar as the Python number or bool it holds (``json.dumps``' ``default``):
    options from a numpy grid (``np.arange``) are options like any other."""
    if isinstance(value, np.generic):
        return value.item()
    raise error("INVALID_PARAMETER",
                f"an option must be a number, a bool, a string or None, got {value!r} ({type(value).__name__})")


class BoostedChurnModel(_CoreModel, ClassifierMixin, BaseEstimator):
    """Gradient-boosted trees for churn (scikit-learn conventions: ``fit`` with
    ``eval_set``, ``predict_proba``, ``predict``, ``decision_function``,
    ``get_params``/``set_params``, ``classes_``, ``feature_importances_``; pickles).

    The defaults (300 rounds at learning rate 0.05, 7 leaves, at least 20 customers a
    leaf) need no tuning on churn data; see docs/scoring.md for how they were chosen.

    Parameters
    ----------
    n_estimators, learning_rate, num_leaves, max_depth, min_data_in_leaf,
    min_sum_hessian_in_leaf, lambda_l2, min_gain_to_split, max_bin :
        LightGBM's meanings (``max_depth=0``: no limit).
    subsample, colsample : float
        Share of rows each round and of inputs each tree trains on.
    seed : int
        Every random draw; the same seed gives the same model file whatever ``threads``.
    monotone : dict, optional
        ``{input: +1 or -1}``: the risk never falls (+1) or never rises (-1) as the input
        rises, so a score can be defended ("more repeat contacts never lowers the risk").
    early_stopping_rounds : int
        Stop when the validation log loss has not improved for this many rounds (0: never),
        on ``eval_set`` or, without one, on ``validation_fraction`` of the rows.
    class_weight : None, "balanced" or {0: w0, 1: w1}
    max_cat_to_onehot, max_cat_threshold, cat_smooth, cat_l2, min_data_per_group :
        Categorical splits, LightGBM's meanings.
    threads : int
        0: one per core.
    kinds : dict, optional
        Column kind overrides (``"numeric"``, ``"categorical"``, ``"boolean"``).
    record_reference : bool
        Keep a summary of the training inputs and score in the model (``reference_summary``)
        so that ``nps.monitor.drift(model, X_now)`` needs no training rows (docs/monitoring.md);
        the trees do not depend on it.
    """

    _core = _nps._BoostedChurnModel

    def __init__(self, n_estimators: int = 300, learning_rate: float = 0.05, num_leaves: int = 7, max_depth: int = 0,
                 min_data_in_leaf: int = 20, min_sum_hessian_in_leaf: float = 1e-3, lambda_l2: float = 0.0,
                 min_gain_to_split: float = 0.0, max_bin: int = 255, subsample: float = 1.0, colsample: float = 1.0,
                 seed: int = 0, monotone: Optional[Mapping[str, int]] = None, early_stopping_rounds: int = 0,
                 validation_fraction: float = 0.1, class_weight: Any = None, max_cat_to_onehot: int = 4,
                 max_cat_threshold: int = 32, cat_smooth: float = 10.0, cat_l2: float = 10.0,
                 min_data_per_group: int = 100, threads: int = 0, kinds: Optional[Mapping[str, str]] = None,
                 record_reference: bool = True):
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
        self.monotone = monotone
        self.early_stopping_rounds = early_stopping_rounds
        self.validation_fraction = validation_fraction
        self.class_weight = class_weight
        self.max_cat_to_onehot = max_cat_to_onehot
        self.max_cat_threshold = max_cat_threshold
        self.cat_smooth = cat_smooth
        self.cat_l2 = cat_l2
        self.min_data_per_group = min_data_per_group
        self.threads = threads
        self.kinds = kinds
        self.record_reference = record_reference

    # -- training ---------------------------------------------------------------------------

    def _options(self, names: list, classes: np.ndarray) -> str:
        options = {k: getattr(self, k) for k in _OPTIONS}
        named = [(str(k), float(v)) for k, v in dict(self.monotone or {}).items()]  # as given: int() would make 0.5 0
        options["monotone"] = _nps._monotone_by_name([str(n) for n in names], named)
        cw = self.class_weight
        if isinstance(cw, Mapping):
            cw = (float(cw.get(classes[0], cw.get(0, 1.0))), float(cw.get(classes[1], cw.get(1, 1.0))))
        options["class_weight"] = json.loads(_nps._class_weight_json(cw))
        return json.dumps(options, default=_plain)

    @io("X", "y", "sample_weight")
    def fit(self, X: Any, y: Any, sample_weight: Any = None, eval_set: Optional[Sequence] = None) -> "BoostedChurnModel":
        """Fits on X (rows are customers) and y (two classes; ``classes_[1]`` is churn).
        ``eval_set``: ``[(X_valid, y_valid)]``, evaluated each round (``evals_result_``) and
        used for early stopping when ``early_stopping_rounds`` is set."""
        X = _checks.table(self, X, fit=True)
        y = _checks.target(self, X, y)
        w = _checks.weights(sample_weight, _checks.rows(X))
        width = np.shape(X)[1] if isinstance(X, np.ndarray) else 0
        matrix = None if self.kinds else _numeric_matrix(X, [f"x{j}" for j in range(width)])
        names, columns = (matrix[1], None) if matrix is not None else to_columns(X)
        classes, y01 = _binary_target(X, y)
        options = self._options(names, classes)
        eval_x = eval_y = None
        if eval_set:
            if len(eval_set) != 1:
                raise error("INVALID_PARAMETER", f"eval_set must hold one (X, y) pair, got {len(eval_set)}")
            ex, ey = (read(v, "eval_set") if flavor(v) else v for v in eval_set[0])
            eval_y = (np.asarray(ey) == classes[1]).astype(np.float64)
            eval_x = ex
        if matrix is not None:
            ev = None if eval_x is None else _numeric_matrix(eval_x, names)
            if eval_x is not None and ev is None:
                raise error("INVALID_PARAMETER", "eval_set's X must be numeric like X")
            self._model = _nps._BoostedChurnModel.fit_matrix(matrix[0], names, y01, w,
                                                             None if ev is None else ev[0], eval_y, options,
                                                             record_reference=bool(self.record_reference))
        else:
            specs = _specs(names, columns, self.kinds, (), bool_columns(X))
            eval_columns = None
            if eval_x is not None:
                en, eval_columns = to_columns(eval_x)
                if en != names:
                    raise error("INVALID_PARAMETER", f"eval_set's X must have X's columns ({', '.join(names)}), got {', '.join(en)}")
            self._model = _nps._BoostedChurnModel.fit(names, columns, y01, w, specs, eval_columns, eval_y, options,
                                                      record_reference=bool(self.record_reference))
        self.classes_ = classes
        self._set_fitted_attributes(names if hasattr(X, "columns") else None, len(names))
        return self

    def _set_fitted_attributes(self, names: Optional[list], n_inputs: int) -> None:
        self.n_features_in_ = n_inputs
        if names is not None:
            self.feature_names_in_ = np.array(names, dtype=object)
        boosting = self.training_["boosting"]
        self.best_iteration_ = boosting["rounds"]
        self.evals_result_ = {"valid": {"log_loss": list(boosting["validation_loss"])}}

    # -- scoring ----------------------------------------------------------------------------

    def _columns(self, X: Any) -> tuple[list, list]:
        self._fitted()
        if hasattr(X, "columns") or isinstance(X, dict):
            return to_columns(X)
        return to_columns(X, self._model.inputs)

    def _tree_rows(self, X: Any) -> np.ndarray:
        """X as the trees read it: one float per input (category codes, NaN missing)."""
        X, _ = self._input(X)
        matrix = _numeric_matrix(X, self._model.inputs)
        if matrix is not None and "categorical" not in self._model.kinds:
            return self._model.tree_rows_matrix(*matrix)
        names, columns = self._columns(X)
        return self._model.tree_rows(names, columns)

    @io("X")
    def decision_function(self, X: Any) -> np.ndarray:
        """Log-odds of churn per row (the raw score)."""
        rows = self._tree_rows(X)
        return self._model.raw_scores(rows)

    @io("X")
    def churn_probability(self, X: Any) -> Union[np.ndarray, float]:
        """P(churn) per row: the core's number, the same to the bit in Rust and Node. One
        customer (a dict ``{input: value}`` or a Series such as ``X.iloc[0]``) gives one
        float."""
        self._fitted()
        X, one = self._input(X)
        matrix = _numeric_matrix(X, self._model.inputs)
        if matrix is not None and "categorical" not in self._model.kinds:
            p = self._model.predict_proba_matrix(*matrix)
        else:
            names, columns = self._columns(X)
            p = self._model.predict_proba(names, columns)
        return float(p[0]) if one else p

    @io("X")
    def predict_proba(self, X: Any) -> np.ndarray:
        """Probabilities, one column per class in ``classes_`` order (the second is churn)."""
        p = self.churn_probability(self._input(X)[0])
        return np.column_stack([1.0 - p, p])

    @io("X")
    def predict(self, X: Any) -> np.ndarray:
        """The more likely class of each row (churn where the log-odds are positive)."""
        z = self.decision_function(X)
        return self.classes_[(z > 0).astype(int)]

    # -- why: factor attribution ------------------------------------------------------------

    @property
    def expected_value_(self) -> float:
        """The log-odds every attribution starts from (TreeSHAP's expected value)."""
        return self._fitted()._model.expected_value

    @io("X")
    def contributions(self, X: Any) -> Any:
        """Each input's exact contribution to each row's log-odds (path-dependent TreeSHAP,
        as LightGBM's ``pred_contrib`` and shap's ``TreeExplainer``), against the expected
        value (``attrs["baseline"]``): baseline + row sum = log-odds. A DataFrame (rows as
        X's, one column per input) or an array without pandas."""
        X, _ = self._input(X)
        c = self._model.contributions(self._tree_rows(X))
        return _contribution_frame(c[:, :-1], self._model.inputs, self._model.expected_value, X)

    @io("X")
    def importance(self, X: Any) -> Any:
        """Global importance: the mean absolute contribution of each input over X, largest
        first (see ``split_importance`` for gain and split counts)."""
        c = self.contributions(X)
        return c.abs().mean().sort_values(ascending=False) if hasattr(c, "abs") else np.abs(c).mean(axis=0)

    @io("X")
    def interactions(self, X: Any) -> np.ndarray:
        """SHAP interaction values: rows x (inputs + 1) x (inputs + 1), as shap's
        ``shap_interaction_values``: ``[i, a, b]`` (a != b) is half the interaction of inputs
        a and b for row i, the diagonal the main effects, ``[i, -1, -1]`` the expected value;
        each row of a matrix sums to the input's contribution."""
        return self._model.interactions(self._tree_rows(X))

    @io("X")
    def explain(self, X: Any, top: int = _nps.DEFAULT_TOP_FACTORS) -> Any:
        """The ``top`` factors raising and lowering each row's risk, as an agent reads them
        (the same frame as ``ChurnModel.explain``; one customer as a dict or a Series too)."""
        X, _ = self._input(X)
        names, columns = self._columns(X)
        return _explanation_frame(self._model.explain(names, columns, _checks.whole(top, "top")), X)

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: a binary classifier (two classes), NaN allowed (trees route
        missing values), dense input only."""
        return _checks.tags_for(self, super().__sklearn_tags__(), binary=True)

    # -- importance -------------------------------------------------------------------------

    @property
    def feature_importances_(self) -> np.ndarray:
        """Total split gain of each input, normalised to sum to 1 (scikit-learn's
        convention for tree ensembles)."""
        gain, _ = self._fitted()._model.importance()
        total = gain.sum()
        return gain / total if total > 0 else gain

    def split_importance(self) -> Any:
        """Gain and split counts of each input, largest gain first (a DataFrame with
        pandas)."""
        gain, splits = self._fitted()._model.importance()
        try:
            import pandas as pd
        except ImportError:
            return {"gain": gain, "splits": np.asarray(splits)}
        frame = pd.DataFrame({"gain": gain, "splits": splits}, index=self._model.inputs)
        return frame.sort_values("gain", ascending=False)

    # -- the model file ---------------------------------------------------------------------

    @property
    def inputs_(self) -> list:
        """Names of the inputs the model reads."""
        return self._fitted()._model.inputs

    @property
    def training_(self) -> dict:
        """Training metadata: rows, positives, rounds kept, validation loss by round."""
        return json.loads(self._fitted()._model.to_json())["training"]

    def record_metric(self, name: str, value: float) -> "BoostedChurnModel":
        """Stores an evaluation result (e.g. ``cv_roc_auc``) in the model file."""
        self._fitted()._model.set_metric(name, float(value))
        return self

    @classmethod
    def _from_core(cls, core: Any) -> "BoostedChurnModel":
        options = json.loads(core.options_json)
        params = {k: options[k] for k in _OPTIONS}
        monotone = {n: m for n, m in zip(core.inputs, options.get("monotone") or []) if m}
        cw = options["class_weight"]
        cw = None if cw == "none" else ("balanced" if cw == "balanced" else {0: cw["custom"]["negative"], 1: cw["custom"]["positive"]})
        model = cls(**params, monotone=monotone or None, class_weight=cw)
        model._model = core
        model.classes_ = np.array([0, 1])
        model._set_fitted_attributes(core.inputs, len(core.inputs))
        return model

    @classmethod
    def from_lightgbm(cls, text: str) -> "BoostedChurnModel":
        """A model from LightGBM's model text (``booster.model_to_string()``, or
        ``LGBMClassifier().booster_``'s): scores and contributions equal LightGBM's within
        1e-9, with no LightGBM at run time. Categorical inputs take the category labels of
        the training frame (``pandas_categorical``), or the codes when it had none."""
        return cls._from_core(_nps._BoostedChurnModel.from_lightgbm(text))

    @classmethod
    def from_xgboost(cls, text: str) -> "BoostedChurnModel":
        """A model from XGBoost's JSON (``booster.save_raw("json")``): scores within 1e-5
        (XGBoost computes in single precision)."""
        if isinstance(text, (bytes, bytearray)):
            text = bytes(text).decode("utf-8")
        return cls._from_core(_nps._BoostedChurnModel.from_xgboost(text))

    @classmethod
    def from_json(cls, text: str) -> "BoostedChurnModel":
        """A model from its file; everything is checked (``NpsError`` says what is wrong).
        ``classes_`` are 0 and 1."""
        return cls._from_core(_nps._BoostedChurnModel.from_json(text))
