"""Next best action (``nps_core::action``): the catalogue and its decisions, learning which
actions work, the control group, off-policy evaluation of a decision log and retention
uplift. See docs/actions.md.

``ActionCatalog`` and ``Learner`` are also at the top of the package (``nps.ActionCatalog``).
"""

from __future__ import annotations

import html

from ._nps import PROPENSITY_DRAWS, ActionCatalog, Learner, in_control_group, off_policy, uplift

__all__ = [
    "PROPENSITY_DRAWS",
    "ActionCatalog",
    "Decision",
    "Learner",
    "in_control_group",
    "off_policy",
    "uplift",
]


class Decision(dict):
    """The result of ``ActionCatalog.decide``: a dict with ``actions`` (best first),
    ``trace`` (one entry per catalogue action) and, for a logged decision, ``log``. Jupyter
    shows it as a table of the ranked actions."""

    def _repr_html_(self) -> str:
        rows = []
        for a in self.get("actions", []):
            cells = [str(a["rank"]), a["id"], a["label"], a["channel"], f"{a['priority']:.4g}", f"{a['value']:.4g}"]
            rows.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>")
        if not rows:
            rows.append('<tr><td colspan="6">no action</td></tr>')
        head = "".join(f"<th>{h}</th>" for h in ("rank", "id", "label", "channel", "priority", "value"))
        return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
