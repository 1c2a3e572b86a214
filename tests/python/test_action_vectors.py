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
