"""tests/vectors/features.json, read here as in Rust and Node: the retention set and a declared
set using every aggregation, from the same events, to the last bit."""

import json
import math

import numpy as np
import pandas as pd

import nps
from conftest import ROOT

V = json.loads((ROOT / "tests" / "vectors" / "features.json").read_text())


def _events() -> pd.DataFrame:
    e = V["events"]
    return pd.DataFrame({"customer": e["customer"], "time": e["time"], "kind": e["kind"],
                         "value": np.array(e["value"], dtype=float), "duration": np.array(e["duration"], dtype=float),
                         "department": pd.Series(e["department"], dtype=object), "case": pd.Series(e["case"], dtype=object),
                         "flag": pd.Series(e["flag"], dtype=object)})


def _rows(frame: pd.DataFrame) -> dict:
    return {str(c): [None if math.isnan(x) else x for x in frame.loc[c].tolist()] for c in frame.index}


def test_retention_and_declared_sets_are_the_recorded_ones():
    events = _events()
    retention = nps.features.retention(events, as_of=V["as_of"], declared_kinds=V["declared_kinds"])
    assert list(retention.columns) == V["retention"]["names"]
    assert _rows(retention) == V["retention"]["rows"]
    declared = nps.features.compute(events, V["definitions"], as_of=V["as_of"], declared_kinds=V["declared_kinds"])
    assert list(declared.columns) == V["declared"]["names"]
    assert _rows(declared) == V["declared"]["rows"]
