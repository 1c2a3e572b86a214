"""nps on Apache Spark (the extra ``nps[spark]``): the same numbers on a customer base that
no longer fits one machine. See docs/spark.md."""

from typing import Any, Optional, Sequence, Union

STATE: tuple

def breakdown(df: Any, score: str, by: Union[str, Sequence[str]], weight: Optional[str] = None, *,
              method: str = "adjusted_wald", level: float = 0.95, prior: Optional[tuple] = None, scale: Any = None,
              non_integer: str = "error", missing: str = "error", out_of_range: str = "error",
              dropna: Optional[bool] = None, spark: bool = False) -> Any:
    """NPS by segment of a Spark DataFrame: the pandas frame of :func:`nps.breakdown` on the
    collected columns (counts exact, statistics to 1e-12), or a Spark DataFrame with
    ``spark=True``. Raises NpsError naming the row's group for an answer a policy refuses."""

def trend(df: Any, score: str, time: str, period: str = "month", weight: Optional[str] = None, *,
          method: str = "adjusted_wald", compare: str = "wald", level: float = 0.95, prior: Optional[tuple] = None,
          scale: Any = None, non_integer: str = "error", missing: str = "error", out_of_range: str = "error",
          spark: bool = False) -> Any:
    """NPS by period (UTC) of a Spark DataFrame, each period compared with the one before: the
    frame of :func:`nps.trend` on the collected columns."""

def features(events: Any, definitions: Any = None, as_of: Any = None, declared_kinds: Sequence[str] = (),
             partitions: Optional[int] = None) -> Any:
    """Churn features per customer of a Spark DataFrame of events, as of ``as_of``: a Spark
    DataFrame (``customer`` and one double column per feature) equal to
    :func:`nps.features.compute` (or ``retention`` when ``definitions`` is None) to the bit.
    An executor holds one Arrow batch and at most one customer's events besides."""

def score(df: Any, model: Any, output: str = "churn_probability") -> Any:
    """``df`` with the model's probabilities added (``output``, or ``p_detractor``,
    ``p_passive``, ``p_promoter`` for a likelihood-to-recommend model), to the bit."""

def explain(df: Any, model: Any, top: int = 3, output: str = "factors") -> Any:
    """``df`` with ``churn_probability`` and ``output``: the ``top`` factors raising and
    lowering each customer's risk, an array of structs (direction, rank, factor,
    contribution, value, value_text, typical, typical_text)."""

def decide(df: Any, model: Any, catalog: Any, top: int = 3, mapping: Optional[dict] = None,
           trace: bool = False) -> Any:
    """``df`` with ``churn_probability``, ``action_k`` and ``priority_k`` for k = 1..top, as
    ``catalog.decide`` decides a frame with the model's contributions as factors; ``trace``
    (an array of structs id, status, detail, priority) with ``trace=True``."""

def stratified_sample(df: Any, y: str, rows: int = 1_000_000, seed: int = 42) -> Any:
    """About ``rows`` rows collected to the driver (pandas), each class of ``y`` at the same
    rate, seeded; all of ``df`` when it has at most ``rows`` rows."""

def fit(df: Any, y: str, model: Any = None, sample_weight: Optional[str] = None, *, sample_rows: int = 1_000_000,
        seed: int = 42) -> Any:
    """Trains ``model`` (``nps.ChurnModel()`` by default) on a Spark DataFrame, every column
    but ``y`` and ``sample_weight`` an input: a ChurnModel over the partitions (coefficients
    within 1e-8 of the single-machine fit at ``tol=1e-10``), other kinds on a stratified
    sample of ``sample_rows`` rows on the driver. Returns the fitted model."""

