"""Hostile input against every public function and class of `nps` (issue 20).

The functions are found by introspection (each module's public names), and each is called
with every malformed shape of a table (wrong types, NaN and infinities, huge and empty arrays,
non-UTF-8 text, deeply nested JSON, mismatched lengths) in each argument position. The rule
(docs/reliability.md#hostile-input): a call returns, or raises an `Exception` — `nps.NpsError`
(a `ValueError`) for a bad value, `TypeError` for an argument of the wrong Python type (the
Python convention, and what pyo3's conversion raises), `ValueError`/`KeyError`/`IndexError`/
`AttributeError`/`OverflowError` from numpy or pandas converting the argument, `OSError` for
a path that cannot be read. It never raises
a `BaseException` that is not an `Exception` (pyo3's `PanicException`: a Rust panic), and
the process never dies: the battery runs in a child process and the parent checks it exits
cleanly.
"""

import inspect
import json
import math
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest

import nps

MODULES = [
    "",
    "action",
    "boosted",
    "early_warning",
    "encode",
    "features",
    "metrics",
    "model",
    "monitor",
    "survey",
    "survival",
    "synth",
    "uplift",
    "value",
]
# Helpers the modules import for themselves, not part of the API; plotting needs a display
# library and is exercised by test_plot.py.
NOT_API = {"error", "not_fitted", "to_columns", "bool_columns", "flavor", "read", "io", "one_row", "plot"}
ACCEPTED = (nps.NpsError, TypeError, ValueError, KeyError, IndexError, AttributeError, OverflowError, OSError)


def deep(n):
    text = "[" * n + "]" * n
    return text


HOSTILE = {
    "none": None,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "huge_int": 2**70,
    "negative": -1,
    "bool": True,
    "text": "x",
    "empty_text": "",
    "surrogate": "\udcff\ud800",
    "bytes": b"\xff\xfe\x00",
    "deep_json": deep(100_000),
    "deep_json_object": '{"a":' * 10_000 + "1" + "}" * 10_000,
    "json_wrong_shape": json.dumps({"format": "nps.churn_model", "version": 1, "inputs": [None]}),
    "empty_list": [],
    "empty_array": np.array([], dtype=float),
    "nan_array": np.full(5, np.nan),
    "inf_array": np.array([np.inf, -np.inf, 1.0]),
    "huge_array": np.zeros(2_000_000),
    "object_array": np.array([object(), None], dtype=object),
    "text_array": np.array(["a", "\udcff"], dtype=object),
    "matrix_3d": np.zeros((2, 2, 2)),
    "dict": {"a": [1, 2, 3], "b": [1]},
    "nested_list": [[1, 2], [3]],
    "object": object(),
}


def public(module):
    names = getattr(module, "__all__", None) or [n for n in dir(module) if not n.startswith("_")]
    out = []
    for name in names:
        obj = getattr(module, name, None)
        if name in NOT_API or not callable(obj) or not getattr(obj, "__module__", "").startswith("nps"):
            continue
        out.append((f"{module.__name__}.{name}", obj))
    return out


def callables():
    """Every public function, class and (bound to a default instance) method, once."""
    seen, out = set(), []
    for m in MODULES:
        module = getattr(nps, m) if m else nps
        for name, obj in public(module):
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            out.append((name, obj))
            if inspect.isclass(obj) and not issubclass(obj, BaseException):
                try:
                    instance = obj()
                except BaseException:  # noqa: BLE001 - a class without a default constructor
                    instance = None
                for attr in dir(obj):
                    owner = next((k for k in obj.__mro__ if attr in vars(k)), None)
                    sklearn = attr.endswith("_request") or attr in ("get_metadata_routing", "get_params", "set_params")
                    if attr.startswith("_") or attr == "save" or sklearn or not getattr(owner, "__module__", "").startswith("nps"):
                        continue  # scikit-learn's own methods (get_params, set_*_request) are not ours
                    target = getattr(instance if instance is not None else obj, attr, None)
                    if callable(target) and not inspect.isclass(target):
                        out.append((f"{name}.{attr}", target))
    return out


def arity(f):
    try:
        sig = inspect.signature(f)
    except (TypeError, ValueError):
        return 1
    required = [
        p
        for p in sig.parameters.values()
        if p.default is inspect.Parameter.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    return max(1, min(len(required), 4))


def call_all(f, n):
    """`f` with each hostile shape in each position, the others a small valid-looking array."""
    plain = np.array([0.0, 1.0, 1.0])
    problems = []
    for label, value in HOSTILE.items():
        for pos in range(n):
            args = [plain] * n
            args[pos] = value
            try:
                f(*args)
            except ACCEPTED:
                pass
            except RecursionError:
                pass  # Python's own guard against deep structures, raised before nps sees them
            except Exception as e:  # noqa: BLE001
                problems.append(f"{label}@{pos}: {type(e).__name__}: {str(e)[:120]}")
            except BaseException as e:  # noqa: BLE001 - a panic crossing the boundary
                problems.append(f"{label}@{pos}: PANIC {type(e).__name__}: {str(e)[:200]}")
    return problems


CALLABLES = callables()


def test_the_battery_reaches_every_module():
    reached = {id(f) for _, f in CALLABLES}
    for m in MODULES[1:]:
        found = public(getattr(nps, m))
        assert found and all(id(f) in reached for _, f in found), m
    assert len(CALLABLES) > 150


# Wrong shapes that reach something other than the documented errors today: none. A function
# added here must say why.
KNOWN: dict = {}


@pytest.fixture(autouse=True)
def _in_a_scratch_directory(tmp_path, monkeypatch):
    """Functions and methods that take a path (``save``, ``nps.Store``) called with a hostile
    string write a file of that name: in a scratch directory, not the checkout."""
    monkeypatch.chdir(tmp_path)


@pytest.mark.parametrize("name, f", CALLABLES, ids=[n for n, _ in CALLABLES])
def test_hostile_arguments_give_the_documented_errors(name, f):
    if name.endswith((".show", ".plot")) or ".plot" in name:
        pytest.skip("plotting")
    problems = call_all(f, arity(f))
    problems = [p for p in problems if p.split(":")[0] not in KNOWN.get(name, ())]
    assert problems == [], f"{name}: " + "\n".join(problems)


def test_from_json_of_every_file_kind_refuses_hostile_text_with_nps_error():
    readers = [
        nps.ChurnModel.from_json,
        nps.BoostedChurnModel.from_json,
        nps.LtrModel.from_json,
        nps.BoostedLtrModel.from_json,
        nps.TicketScorer.from_json,
        nps.ActionCatalog.from_json,
        nps.features.CustomerHistory.from_json,
    ]
    texts = ["", "null", "[]", "{}", deep(100_000), '{"a":' * 10_000 + "1" + "}" * 10_000, "\ud800", "1e999"]
    for read in readers:
        for text in texts:
            try:
                read(text)
            except nps.NpsError as e:
                assert e.code, (read, text[:20])
            except (TypeError, UnicodeEncodeError):
                assert text == "\ud800"  # a lone surrogate is no str pyo3 can pass as UTF-8
            else:
                # An empty catalogue is a catalogue (every section may be left out).
                assert read is nps.ActionCatalog.from_json and text == "{}", f"{read} read {text[:20]!r}"


def test_mismatched_lengths_name_both_sides():
    with pytest.raises(nps.NpsError) as e:
        nps.metrics.roc_auc([0, 1, 1], [0.2, 0.4])
    assert e.value.code == "LENGTH_MISMATCH"


def test_nan_and_infinity_in_scores_are_refused_with_the_value():
    for bad in (math.nan, math.inf, -math.inf):
        with pytest.raises(nps.NpsError):
            nps.Tally.from_scores([9, bad])


def test_the_battery_never_kills_the_interpreter():
    # The battery in a child: a crash (abort, segfault) shows as a signal exit, not a test error.
    code = textwrap.dedent(
        """
        import sys
        sys.path.insert(0, {here!r})
        import test_hostile as t
        n = 0
        for name, f in t.CALLABLES:
            if ".plot" in name or name.endswith(".show"):
                continue
            t.call_all(f, t.arity(f))
            n += 1
        print("called", n)
        """
    ).format(here=os.path.dirname(__file__))
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "called" in r.stdout


def test_a_panic_inside_a_binding_call_becomes_a_python_exception():
    # pyo3 catches the unwind at the boundary of every function and raises PanicException
    # (a BaseException: it is a bug, not an input error); the interpreter goes on.
    from nps import _nps

    with pytest.raises(BaseException) as e:
        _nps._panic_for_test()
    assert type(e.value).__name__ == "PanicException"
    assert "deliberate panic" in str(e.value)
    assert nps.Tally.from_scores([10, 0]).n == 2
