"""The defaults the Python signatures show are the core's: every ``level`` parameter of the
public functions and methods defaults to the core's confidence level and every ``alpha`` to
its significance level (the extension's own signatures restate them as literals, so that
``help()`` shows the number: this test keeps them equal)."""

import importlib
import inspect

import pytest

from nps import _nps

MODULES = ["nps", "nps.action", "nps.survey", "nps.survival", "nps.monitor", "nps.early_warning", "nps.value",
           "nps.plot", "nps.uplift", "nps.spark"]
EXPECTED = {"level": _nps.DEFAULT_LEVEL, "alpha": _nps.DEFAULT_ALPHA}


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
                # The class's own methods (not those of a pandas base class).
                own = vars(value)
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
            if p.name in EXPECTED and p.default is not inspect.Parameter.empty:
                found.append((label, p.name, p.default))
    return found


def test_the_core_constants():
    assert (_nps.DEFAULT_LEVEL, _nps.DEFAULT_ALPHA) == (0.95, 0.05)


@pytest.mark.parametrize("label, name, default", defaults())
def test_level_and_alpha_default_to_the_core(label, name, default):
    assert default == EXPECTED[name], f"{label}: {name}={default!r}"


def test_the_scan_sees_the_extension_and_the_wrappers():
    labels = {label for label, _, _ in defaults()}
    for expected in ["nps.Tally.interval", "nps.compare", "nps.sample_size", "nps.churn_by_nps",
                     "nps.action.uplift", "nps.survival.KaplanMeier.__init__", "nps.monitor.auc_interval"]:
        assert expected in labels, sorted(labels)
