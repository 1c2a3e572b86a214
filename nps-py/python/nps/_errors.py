"""``nps.NpsError`` raised from Python with its ``code``, as the core raises it: every error
the package raises carries one of the core's codes (the same as Node's ``err.code``), or
``NOT_FITTED`` for an estimator used before ``fit`` (Python only: Node loads fitted models)."""

from __future__ import annotations

from ._nps import NpsError

#: The codes an ``NpsError`` carries: the core's (``nps_core::NpsError::code``, Node's
#: ``err.code``) and ``NOT_FITTED``.
CODES = ("EMPTY", "MISSING_VALUE", "OUT_OF_RANGE", "NON_INTEGER", "NEGATIVE", "LENGTH_MISMATCH",
         "INVALID_PARAMETER", "UNKNOWN_VALUE", "TOO_MANY_CATEGORIES", "NOT_FITTED")

try:  # scikit-learn's own exception, so that its tools (check_is_fitted) recognise ours
    from sklearn.exceptions import NotFittedError as _SklearnNotFitted
except ImportError:  # pragma: no cover - exercised only without scikit-learn
    class _SklearnNotFitted(AttributeError):  # type: ignore[no-redef]
        pass


class NotFittedError(NpsError, _SklearnNotFitted):
    """An estimator used before ``fit``: an ``nps.NpsError`` (code ``NOT_FITTED``) and
    scikit-learn's ``NotFittedError``."""


def error(code: str, message: str) -> NpsError:
    """An ``NpsError`` with ``message`` and ``code`` (one of :data:`CODES`), to raise."""
    if code not in CODES:  # a bug in the package, not in the caller's input
        raise AssertionError(f"unknown error code {code!r}")
    e = NpsError(message)
    e.code = code
    return e


def not_fitted(message: str) -> NotFittedError:
    """The error of an estimator used before ``fit`` (code ``NOT_FITTED``)."""
    e = NotFittedError(message)
    e.code = "NOT_FITTED"
    return e
