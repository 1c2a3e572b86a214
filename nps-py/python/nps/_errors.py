"""``nps.NpsError`` raised from Python with its ``code``, as the core raises it: every error
the package raises carries one of the core's codes (the same as Node's ``err.code``)."""

from __future__ import annotations

from ._nps import NpsError

#: The codes an ``NpsError`` carries (``nps_core::NpsError::code``).
CODES = ("EMPTY", "MISSING_VALUE", "OUT_OF_RANGE", "NON_INTEGER", "NEGATIVE", "LENGTH_MISMATCH",
         "INVALID_PARAMETER", "UNKNOWN_VALUE", "TOO_MANY_CATEGORIES")


def error(code: str, message: str) -> NpsError:
    """An ``NpsError`` with ``message`` and ``code`` (one of :data:`CODES`), to raise."""
    assert code in CODES, code
    e = NpsError(message)
    e.code = code
    return e
