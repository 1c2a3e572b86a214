"""The shared decisions of tests/vectors/actions.json (also read by the Rust and Node tests):
the same actions, priorities, trace (status, detail, condition, values seen) and errors."""

import importlib.util
import json

import pytest

import nps
from conftest import ROOT, vectors

VECTOR = vectors("actions")
CUSTOM = json.dumps(VECTOR["custom_catalogue"])


def decide(c):
    catalog = nps.ActionCatalog.playbook() if c["catalogue"] == "playbook" else nps.ActionCatalog.from_json(CUSTOM)
    args = {k: c[k] for k in ("score", "probability", "factors", "history", "top", "now", "uplift") if k in c}
    try:
        d = catalog.decide(c["customer"], ignore_extra=c.get("ignore_extra", False), **args)
    except nps.NpsError as e:
        return {"error": {"code": e.code, "message": str(e)}}
    return {"actions": [{k: a[k] for k in ("id", "priority", "value")} for a in d["actions"]],
            "trace": [{k: t[k] for k in ("id", "status", "detail", "priority", "condition", "seen")} for t in d["trace"]]}


@pytest.mark.parametrize("case", VECTOR["cases"], ids=[c["name"] for c in VECTOR["cases"]])
def test_each_case_decides_as_the_vector_says(case):
    assert decide(case) == case["expected"]


def test_the_vector_covers_decisions_and_errors():
    errors = [c for c in VECTOR["cases"] if "error" in c["expected"]]
    assert len(errors) >= 7 and len(VECTOR["cases"]) - len(errors) >= 8
    statuses = {t["status"] for c in VECTOR["cases"] for t in c["expected"].get("trace", [])}
    assert statuses == {"kept", "below_top_n", "not_eligible", "not_applicable", "not_suitable", "suppressed", "no_uplift"}


def test_the_vector_is_what_its_script_writes():
    """The script recomputes every answer with the current build and checks them against the
    rules by hand: the file cannot go stale."""
    spec = importlib.util.spec_from_file_location("make_actions", ROOT / "tests" / "vectors" / "make_actions.py")
    make = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make)
    assert json.loads(json.dumps(make.build())) == VECTOR


@pytest.mark.parametrize("case", VECTOR["learner_intervals"], ids=lambda c: f"{c['successes']}-{c['failures']}")
def test_learner_interval_equals_scipy(case):
    learner = nps.Learner(prior=tuple(case["prior"]), exploration=0.0, ramp_up=0)
    for _ in range(case["successes"]):
        learner.record("a", "s", True)
    for _ in range(case["failures"]):
        learner.record("a", "s", False)
    low, high = learner.interval("a", "s", level=case["level"])
    assert low == pytest.approx(case["expected"][0], rel=1e-10, abs=1e-300)
    assert high == pytest.approx(case["expected"][1], rel=1e-10)
    with pytest.raises(nps.NpsError, match="level must be strictly between 0 and 1, got 0"):
        learner.interval("a", "s", level=0.0)
