"""The defaults the Python signatures show are the core's: every ``level`` parameter of the
public functions and methods defaults to the core's confidence level and every ``alpha`` to
its significance level, every interval ``method`` and ``compare`` to the core's methods,
``power`` to its power and a model's ``recalibrate`` to its method (the extension's own
signatures restate them as literals, so that ``help()`` shows the value: this test keeps
them equal)."""

import importlib
import inspect

import pytest

from nps import _nps

MODULES = ["nps", "nps.action", "nps.survey", "nps.survival", "nps.monitor", "nps.early_warning", "nps.value",
           "nps.plot", "nps.uplift", "nps.spark"]
EXPECTED = {"level": _nps.DEFAULT_LEVEL, "alpha": _nps.DEFAULT_ALPHA, "method": _nps.DEFAULT_INTERVAL_METHOD,
            "compare": _nps.DEFAULT_COMPARE_METHOD, "power": _nps.DEFAULT_POWER}
# A `method` that is not an interval method: the comparison's, a recalibration's.
METHODS = {"nps.compare": _nps.DEFAULT_COMPARE_METHOD, "nps.ChurnModel.recalibrate": _nps.DEFAULT_RECALIBRATION,
           "nps.BoostedChurnModel.recalibrate": _nps.DEFAULT_RECALIBRATION}
# Python's own: a standalone Recalibrator defaults to isotonic regression (scikit-learn's
# CalibratedClassifierCV habit for a calibration set of its own); Node's takes no default.
OWN = {("nps.monitor.Recalibrator", "method"), ("nps.monitor.Recalibrator.__init__", "method")}


def callables():
    seen = {}
    for name in MODULES:
        module = importlib.import_module(name)
        for attr in dir(module):
            if attr.startswith("_"):
                continue
            value = getattr(module, attr)
            if not str(getattr(value, "__module__", None) or "nps").startswith("nps"):
                continue  # numpy's, pandas'
            members = [(attr, value)]
            if inspect.isclass(value):
                # The methods of the class and of its bases in nps (not those of a pandas or
                # scikit-learn base class).
                for klass in value.__mro__:
                    if not klass.__module__.startswith("nps"):
                        continue
                    own = vars(klass)
                    members += [(f"{attr}.{m}", getattr(value, m)) for m in own if not m.startswith("_")]
                    if "__init__" in own:
                        members.append((f"{attr}.__init__", value.__init__))
            for label, f in members:
                if callable(f) and id(f) not in seen:
                    seen[id(f)] = (f"{name}.{label}", f)
    return list(seen.values())


def defaults():
    found = []
    for label, f in callables():
        try:
            parameters = inspect.signature(f).parameters
        except (TypeError, ValueError):
            continue
        for p in parameters.values():
            if p.name in EXPECTED and p.default is not inspect.Parameter.empty and (label, p.name) not in OWN:
                found.append((label, p.name, p.default))
    return found


def test_the_core_constants():
    assert (_nps.DEFAULT_LEVEL, _nps.DEFAULT_ALPHA) == (0.95, 0.05)
    assert (_nps.DEFAULT_INTERVAL_METHOD, _nps.DEFAULT_COMPARE_METHOD) == ("adjusted_wald", "wald")
    assert (_nps.DEFAULT_POWER, _nps.DEFAULT_RECALIBRATION) == (0.8, "platt")


@pytest.mark.parametrize("label, name, default", defaults())
def test_defaults_are_the_core_s(label, name, default):
    expected = METHODS.get(label, EXPECTED[name]) if name == "method" else EXPECTED[name]
    assert default == expected, f"{label}: {name}={default!r}"


def test_the_scan_sees_the_extension_and_the_wrappers():
    labels = {label for label, _, _ in defaults()}
    for expected in ["nps.Tally.interval", "nps.compare", "nps.sample_size", "nps.churn_by_nps",
                     "nps.action.uplift", "nps.survival.KaplanMeier.__init__", "nps.monitor.auc_interval",
                     "nps.sample_size_difference", "nps.trend", "nps.spark.trend"]:
        assert expected in labels, sorted(labels)
    # A method the models share is seen once, under the first class that has it.
    assert {"nps.ChurnModel.recalibrate", "nps.BoostedChurnModel.recalibrate"} & labels, sorted(labels)
