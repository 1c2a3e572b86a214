"""HTML for Jupyter (``_repr_html_``) of the results analysts look at: a title line and
small tables. Every number shown is the object's own (from the core); all text is escaped.
"""

from __future__ import annotations

import html
import json
import math
from typing import Any, Iterable, Optional, Sequence



def esc(value: Any) -> str:
    """Text made safe for HTML."""
    return html.escape(str(value), quote=True)


def num(value: Any, digits: int = 2) -> str:
    """A number for display: fixed digits, thousands separators for integers, a dash for
    NaN or None."""
    if value is None:
        return "&ndash;"
    if isinstance(value, bool):
        return esc(value)
    if isinstance(value, int):
        return f"{value:,}"
    value = float(value)
    if math.isnan(value):
        return "&ndash;"
    return f"{value:,.{digits}f}"


def pct(value: Any, digits: int = 1) -> str:
    """A fraction as a percentage."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "&ndash;"
    return f"{100.0 * float(value):.{digits}f}%"


def table(header: Optional[Sequence[str]], rows: Iterable[Sequence[str]]) -> str:
    """A table; header cells are escaped, body cells are given as HTML already (built with
    :func:`esc`, :func:`num` or :func:`pct`)."""
    parts = ["<table>"]
    if header:
        parts.append("<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in header) + "</tr></thead>")
    parts.append("<tbody>")
    for row in rows:
        cells = [f'<th style="text-align:left">{row[0]}</th>'] + [f"<td>{c}</td>" for c in row[1:]]
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</tbody></table>")
    return "".join(parts)


def block(kind: str, headline: str, *parts: str) -> str:
    """The object's kind in bold, a one-line summary (HTML), then its tables."""
    return f'<div class="nps-repr"><p><b>{esc(kind)}</b> &middot; {headline}</p>{"".join(parts)}</div>'


def tally(t: Any) -> str:
    """An NPS tally: counts and shares per category, NPS, SE and its interval."""
    weighted = t.is_weighted
    shares = (t.detractor_share, t.passive_share, t.promoter_share)
    header = ["category", "answers", "weight", "share"] if weighted else ["category", "answers", "share"]
    rows = []
    for name, count, weight, share in zip(("detractors (0-6)", "passives (7-8)", "promoters (9-10)"), t.counts,
                                          t.weights, shares):
        rows.append([esc(name), num(count)] + ([num(weight)] if weighted else []) + [pct(share)])
    summary = [[esc("NPS (points)"), num(t.nps)], [esc("standard error"), num(t.se)], [esc("answers"), num(t.n)]]
    if t.skipped:
        summary.append([esc("skipped (missing)"), num(t.skipped)])
    if t.out_of_range:
        summary.append([esc("skipped (off the scale)"), num(t.out_of_range)])
    if weighted:
        summary.append([esc("effective n (Kish)"), num(t.effective_n, 1)])
    try:
        i = t.interval()
        summary.append([esc(f"{i.level:.0%} interval ({i.method})"), f"{num(i.low)} to {num(i.high)}"])
    except ValueError:  # no answers: no interval
        pass
    return block("Tally", f"NPS {num(t.nps)} (SE {num(t.se)}, n = {num(t.n)})", table(header, rows), table(None, summary))


_DIRECTION = {1: "A is significantly higher", -1: "A is significantly lower", 0: "no significant difference"}


def comparison(c: Any) -> str:
    """A comparison of two NPS (A minus B)."""
    rows = [
        [esc("difference A - B (points)"), num(c.diff)],
        [esc("standard error"), num(c.se)],
        [esc("z"), num(c.z, 3)],
        [esc("p-value (two-sided)"), num(c.p_value, 4)],
        [esc(f"{c.level:.0%} interval"), f"{num(c.low)} to {num(c.high)}"],
        [esc("method"), esc(c.method)],
    ]
    return block("Comparison", f"{num(c.diff)} points: {esc(_DIRECTION.get(c.direction, c.direction))}", table(None, rows))


def _group_row(name: str, g: dict) -> list:
    return [esc(name), num(int(g["customers"])), num(int(g["churned"])), pct(g["rate"]),
            f"{pct(g['low'])} to {pct(g['high'])}"]


def churn_by_nps(r: Any) -> str:
    """Churn by NPS category and by answer, relative risk and chi-square test."""
    level = f"{r.level:.0%}"
    header = ["", "customers", "churned", "churn rate", f"{level} interval (Wilson)"]
    groups = [_group_row(n, g) for n, g in (("detractors (0-6)", r.detractors), ("passives (7-8)", r.passives),
                                            ("promoters (9-10)", r.promoters))]
    scores = [_group_row(f"score {s}", g) for s, g in enumerate(r.by_score) if g["customers"] > 0]
    low, high = r.relative_risk_interval
    tests = [
        [esc("relative risk, detractors / promoters"), f"{num(r.relative_risk)} ({level}: {num(low)} to {num(high)})"],
        [esc("chi-square (independence)"), f"{num(r.chi_square)} on {num(int(r.chi_square_df))} df"],
        [esc("p-value"), esc(f"{r.p_value:.3g}")],
    ]
    headline = (f"detractors churn {pct(r.detractors['rate'])}, passives {pct(r.passives['rate'])}, "
                f"promoters {pct(r.promoters['rate'])}")
    by_score = f"<details><summary>by answer</summary>{table(header, scores)}</details>"
    return block("ChurnByNps", headline, table(header, groups), table(None, tests), by_score)


def _convergence(training: dict) -> str:
    c = training.get("convergence", {})
    state = "converged" if c.get("converged") else "NOT converged"
    return esc(f"{state} in {c.get('iterations', '?')} iterations ({c.get('solver', '')})")


def _parameters(model: Any) -> str:
    params = model.get_params()
    return table(None, [[esc(k), esc(v)] for k, v in params.items()])


def _coefficients(columns: Sequence[str], coef: Sequence[Sequence[float]], names: Sequence[str], top: int) -> str:
    """The ``top`` encoded columns with the largest absolute coefficient (any class)."""
    size = [max(abs(row[j]) for row in coef) for j in range(len(columns))]
    order = sorted(range(len(columns)), key=lambda j: -size[j])[:top]
    rows = [[esc(columns[j])] + [num(row[j], 3) for row in coef] for j in order]
    return table(["column"] + list(names), rows)


def churn_model(m: Any) -> str:
    """A churn model: training, convergence, recorded metrics, largest coefficients."""
    if not hasattr(m, "_model"):
        return block("ChurnModel", "not fitted", _parameters(m))
    file = json.loads(m._model.to_json())
    training = file["training"]
    rows = [
        [esc("inputs"), num(len(file["inputs"]))],
        [esc("encoded columns"), num(len(file["columns"]))],
        [esc("training rows"), num(int(training["rows"]))],
        [esc("churners in training"), f"{num(int(training['positives']))} ({pct(training['positive_share'])})"],
        [esc("fit"), _convergence(training)],
        [esc("trained at"), esc(training.get("trained_at") or "")],
    ]
    rows += [[esc(k), num(v, 4)] for k, v in sorted(training.get("metrics", {}).items())]
    coef = _coefficients(file["columns"], [file["coef"]], ["coefficient"], 10)
    headline = f"logistic regression, C = {num(m.C, 3)}, {num(len(file['inputs']))} inputs, {num(int(training['rows']))} rows"
    return block("ChurnModel", headline, table(None, rows), f"<details><summary>largest coefficients</summary>{coef}</details>")


def ltr_model(m: Any) -> str:
    """A likelihood-to-recommend model: training answers by category, convergence,
    largest coefficients per category."""
    if not hasattr(m, "_model"):
        return block("LtrModel", "not fitted", _parameters(m))
    file = json.loads(m._model.to_json())
    training = file["training"]
    counts = training.get("class_counts", [])
    rows = [
        [esc("inputs"), num(len(file["inputs"]))],
        [esc("training respondents"), num(int(training["rows"]))],
    ]
    for name, k in zip(("detractors", "passives", "promoters"), counts):
        rows.append([esc(f"  {name}"), num(int(k))])
    rows += [[esc("fit"), _convergence(training)], [esc("trained at"), esc(training.get("trained_at") or "")]]
    coef = _coefficients(file["columns"], file["coef"], ["detractor", "passive", "promoter"], 10)
    headline = (f"multinomial logistic regression, C = {num(m.C, 3)}, {num(len(file['inputs']))} inputs, "
                f"{num(int(training['rows']))} respondents")
    return block("LtrModel", headline, table(None, rows), f"<details><summary>largest coefficients</summary>{coef}</details>")
