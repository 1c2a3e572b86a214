"""Runs every ```python block of the guides in docs/ (documentation examples are tests)."""

import re
from pathlib import Path

import pytest

DOCS = Path(__file__).resolve().parents[2] / "docs"
BLOCKS = [
    pytest.param(code, id=f"{page.name}:{n}")
    for page in sorted(DOCS.glob("*.md"))
    for n, code in enumerate(re.findall(r"```python\n(.*?)```", page.read_text(), re.S), 1)
]


@pytest.mark.parametrize("code", BLOCKS)
def test_guide_example(code, monkeypatch):
    # From the repository root, as a reader runs them (paths such as examples/catalogues/...).
    monkeypatch.chdir(DOCS.parent)
    if "pyspark" in code:  # docs/spark.md: a local Spark, on Java
        from test_spark import java_or_fail

        java_or_fail()
    exec(compile(code, "<guide>", "exec"), {"__name__": "__guide__"})
