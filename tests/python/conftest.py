import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def survey_vectors():
    return json.loads((ROOT / "tests" / "vectors" / "survey.json").read_text())


def vectors(name):
    return json.loads((ROOT / "tests" / "vectors" / f"{name}.json").read_text())


TELCO = ROOT.parent / "shared" / "data" / "telco" / "Telco-Customer-Churn.csv"


@pytest.fixture(scope="session")
def telco_path():
    """The IBM Telco file beside the project: skipped when absent, except in CI (CI=true),
    where its absence is a failure."""
    import os

    if not TELCO.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the Telco data is missing at {TELCO}")
        pytest.skip(f"{TELCO} not found (the shared data sits beside the project)")
    return TELCO


ORANGE = ROOT.parent / "shared" / "data" / "orange"


@pytest.fixture(scope="session")
def orange_dir():
    """The Orange Telecom 80/20 files beside the project (as ``telco_path``)."""
    import os

    if not (ORANGE / "churn-bigml-80.csv").exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true and the Orange data is missing at {ORANGE}")
        pytest.skip(f"{ORANGE} not found (the shared data sits beside the project)")
    return ORANGE
