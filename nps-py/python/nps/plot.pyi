"""Type stubs for nps.plot (matplotlib, optional: ``pip install 'nps[plot]'``). Each plot
returns the matplotlib Axes it drew on (a new figure's when ``ax`` is None)."""

from typing import Any, Optional

from matplotlib.axes import Axes

from .model import ChurnModel

DETRACTOR: str
PASSIVE: str
PROMOTER: str
MAIN: str
RAISES: str
LOWERS: str
TOTAL: str

def trend(table: Any = None, ax: Optional[Axes] = None, *, scores: Any = None, timestamps: Any = None,
          period: str = "month", title: Optional[str] = None) -> Axes:
    """NPS by period (``nps.trend``'s DataFrame) with its interval band and markers on
    significant changes."""
def breakdown(table: Any = None, ax: Optional[Axes] = None, *, scores: Any = None, segments: Any = None,
              title: Optional[str] = None) -> Axes:
    """NPS by segment (``nps.breakdown``'s DataFrame) with interval error bars."""
def gain(table: Any = None, ax: Optional[Axes] = None, *, y: Any = None, score: Any = None, bins: int = 10,
         title: Optional[str] = None) -> Axes:
    """Cumulative gain by bin (``nps.metrics.lift_table``) against a random ranking."""
def lift(table: Any = None, ax: Optional[Axes] = None, *, y: Any = None, score: Any = None, bins: int = 10,
         title: Optional[str] = None) -> Axes:
    """Lift per bin (bars) and cumulative lift (line) from ``nps.metrics.lift_table``."""
def calibration(table: Any = None, ax: Optional[Axes] = None, *, y: Any = None, p: Any = None, bins: int = 10,
                title: Optional[str] = None) -> Axes:
    """Reliability diagram (``nps.metrics.calibration_table``) with the diagonal."""
def waterfall(model: ChurnModel, X: Any, customer: Any = None, ax: Optional[Axes] = None, *, top: int = 8,
              title: Optional[str] = None) -> Axes:
    """One customer's log-odds from the baseline through each factor's contribution, with
    the probability."""
def churn_by_score(result: Any = None, ax: Optional[Axes] = None, *, scores: Any = None, churned: Any = None,
                   level: float = 0.95, title: Optional[str] = None) -> Axes:
    """Churn rate by NPS answer 0-10 (``nps.churn_by_nps``) with Wilson intervals."""
def survival(estimate: Any, ax: Optional[Axes] = None, *, ci: bool = True, title: Optional[str] = None) -> Axes:
    """Kaplan-Meier curves (one ``KaplanMeier`` or a dict of them) with confidence bands."""
