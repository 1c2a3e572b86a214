import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="session")
def survey_vectors():
    return json.loads((ROOT / "tests" / "vectors" / "survey.json").read_text())
