"""nps: customer-retention analytics (NPS statistics, churn features, scoring, attribution,
next-best-action), computed by a Rust core.

Every NPS, difference, margin and standard error is in points (-100..100); names ending in
``_share`` are fractions.
"""

from ._nps import (
    ActionCatalog,
    Learner,
    ChurnByNps,
    Comparison,
    Interval,
    NpsError,
    PlanningShares,
    Scale,
    Tally,
    __version__,
    churn_by_nps,
    compare,
    prob_greater,
    sample_size,
    sample_size_difference,
)
from . import features, metrics, synth, value
from . import survival
from . import monitor
from . import uplift
from . import action
from . import store
from .store import Store
from .encode import TableEncoder, read_csv
from .model import ChurnModel, CrossValidation, cross_validate
from .boosted import BoostedChurnModel
from .early_warning import BoostedLtrModel, LtrModel, TicketScorer, predicted_nps
from .survey import breakdown, trend, validate_scores
from . import plot  # matplotlib is imported only when a plot is drawn
from . import _html

# ChurnByNps is built in nps-py/src/early_warning.rs; its Jupyter HTML is attached here.
ChurnByNps._repr_html_ = lambda self: _html.churn_by_nps(self)

__all__ = [
    "ActionCatalog",
    "Store",
    "store",
    "action",
    "Learner",
    "LtrModel",
    "BoostedLtrModel",
    "TicketScorer",
    "predicted_nps",
    "ChurnModel",
    "BoostedChurnModel",
    "TableEncoder",
    "cross_validate",
    "CrossValidation",
    "metrics",
    "monitor",
    "uplift",
    "plot",
    "read_csv",
    "ChurnByNps",
    "Comparison",
    "Interval",
    "NpsError",
    "PlanningShares",
    "Scale",
    "Tally",
    "__version__",
    "breakdown",
    "churn_by_nps",
    "compare",
    "features",
    "prob_greater",
    "sample_size",
    "sample_size_difference",
    "survival",
    "synth",
    "trend",
    "validate_scores",
    "value",
]
