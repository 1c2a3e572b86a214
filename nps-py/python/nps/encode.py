"""Tabular encoding with scikit-learn's transformer conventions.

``TableEncoder`` learns, from training data, how each column becomes model input: numeric
columns are mean-imputed (adding a ``<name>__missing`` indicator when training had gaps)
and standardised; categorical columns are one-hot encoded (``<name>=<category>``, sorted,
with ``<name>=__missing`` when training had gaps) with an explicit policy for categories not
seen in training; boolean columns (yes/no, true/false, 0/1) become 0/1. The numbers come
from the Rust core; this module converts tables.
"""

from __future__ import annotations

import json
from typing import Any, Mapping, Optional, Sequence

import numpy as np

from . import _nps
from ._errors import not_fitted
from . import _checks
from ._arrow import io
from ._tables import bool_columns, to_columns

try:  # scikit-learn is optional: with it, the classes plug into Pipeline and friends.
    from sklearn.base import BaseEstimator, TransformerMixin
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    from ._sklearn_compat import BaseEstimator, TransformerMixin


def read_csv(path: Any) -> Any:
    """Reads a CSV file with blank cells as missing (the Telco file's 11 blank
    ``TotalCharges`` are NaN, not 0 and not an error); numeric columns become float64.
    Returns a pandas DataFrame (a dict of columns without pandas)."""
    names, columns = _nps._read_csv(str(path))
    data = {n: (c if isinstance(c, np.ndarray) else np.array(c, dtype=object)) for n, c in zip(names, columns)}
    try:
        import pandas as pd
    except ImportError:
        return data
    return pd.DataFrame(data)


@io("X")
def infer_kinds(X: Any, exclude: Sequence[str] = ()) -> dict:
    """The kind each column would be encoded as: bool columns and complete yes/no or
    true/false text are boolean, numbers numeric, other text categorical."""
    names, columns = to_columns(X)
    return dict(_specs(names, columns, None, exclude, bool_columns(X)))


def _specs(names: list, columns: list, kinds: Optional[Mapping[str, str]], exclude: Sequence[str],
           booleans: Sequence[str] = ()) -> list:
    kinds = [(str(n), str(k)) for n, k in dict(kinds or {}).items()]
    return _nps._fit_specs(names, columns, kinds, list(exclude), list(booleans))


class TableEncoder(TransformerMixin, BaseEstimator):
    """Encodes a table for a model (scikit-learn transformer: ``fit``, ``transform``,
    ``fit_transform``, ``get_feature_names_out``).

    Parameters
    ----------
    kinds : dict, optional
        Column kind overrides, ``{"SeniorCitizen": "categorical"}``; the others are inferred
        (see :func:`infer_kinds`).
    exclude : sequence of str
        Columns to leave out (ids, the label).
    unseen : {"error", "ignore"}
        A category not seen in training: raise ``NpsError`` naming column, row and value, or
        encode as all zeros.
    standardize : bool
        Standardise numeric columns (mean 0, population standard deviation 1).
    """

    def __init__(self, kinds: Optional[Mapping[str, str]] = None, exclude: Sequence[str] = (), unseen: str = "error",
                 standardize: bool = True):
        self.kinds = kinds
        self.exclude = exclude
        self.unseen = unseen
        self.standardize = standardize

    @io("X", "y", "sample_weight")
    def fit(self, X: Any, y: Any = None) -> "TableEncoder":
        X = _checks.table(self, X, fit=True)
        names, columns = to_columns(X)
        specs = _specs(names, columns, self.kinds, self.exclude, bool_columns(X))
        self._encoder = _nps._TableEncoder.fit(names, columns, specs, self.unseen, bool(self.standardize))
        self.n_features_in_ = len(names)
        if hasattr(X, "columns"):
            self.feature_names_in_ = np.array(names, dtype=object)
        return self

    @io("X")
    def transform(self, X: Any) -> np.ndarray:
        self._fitted()
        X = _checks.table(self, X, fit=False)
        names, columns = to_columns(X, getattr(self, "feature_names_in_", None))
        return self._encoder.transform(names, columns)

    def __sklearn_tags__(self) -> Any:
        """scikit-learn's tags: a transformer that needs no y; NaN allowed (imputed, with an
        indicator), dense input only."""
        return _checks.tags_for(self, super().__sklearn_tags__())

    def get_feature_names_out(self, input_features: Any = None) -> np.ndarray:
        return np.array(self._fitted()._encoder.feature_names(), dtype=object)

    @property
    def specs_(self) -> dict:
        """The kind of each encoded source column."""
        return dict(self._fitted()._encoder.specs())

    def to_json(self) -> str:
        """The learned encoding as JSON (the same document a model file embeds)."""
        return self._fitted()._encoder.to_json()

    @classmethod
    def from_json(cls, text: str) -> "TableEncoder":
        """An encoder from its JSON; checked (``NpsError`` says what is wrong)."""
        core = _nps._TableEncoder.from_json(text)
        doc = json.loads(text)
        enc = cls(unseen=doc.get("unseen", "error"))
        enc._encoder = core
        enc.n_features_in_ = len(core.sources())
        return enc

    def _fitted(self) -> "TableEncoder":
        if not hasattr(self, "_encoder"):
            raise not_fitted("this TableEncoder is not fitted yet: call fit first")
        return self

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        if "_encoder" in state:
            state["_encoder"] = state["_encoder"].to_json()
        return state

    def __setstate__(self, state: dict) -> None:
        if "_encoder" in state:
            state["_encoder"] = _nps._TableEncoder.from_json(state["_encoder"])
        self.__dict__.update(state)
