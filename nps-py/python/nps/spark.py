"""nps on Apache Spark (the optional extra ``nps[spark]``): the same numbers on a customer
base that no longer fits one machine.

Every number still comes from the core. The NPS reports are mergeable: each partition
tallies its answers by group with the core (``Tally`` states: the counts, weights and
squared weights of the three categories, and the answers skipped or off the scale), Spark
sums the states of a group, and the driver computes NPS, intervals, tests and flags from
the merged tallies with the core, as :func:`nps.breakdown` and :func:`nps.trend` do on
the collected answers (the counts exactly, the statistics to 1e-12: only the order of the
additions differs). A logistic churn model is scored in the JVM, as the one Spark SQL
expression the core writes for it (``ChurnModel.spark_sql``), with no Python worker.
Other scoring, explanation and decisions add columns through Arrow batches (``mapInArrow``),
with the model file broadcast once and read once per executor process. Either way each
row's numbers are the single-machine ones, to the bit.

Bad input is never dropped silently: an answer the policies refuse stops the job with the
core's error (the row's group and value named), and what the policies leave out is counted
in ``skipped`` and ``out_of_range``, as on one machine.

The executors must run the Python that has ``nps`` (set ``PYSPARK_PYTHON``, or
``spark.pyspark.python``, to it).
"""

from __future__ import annotations

import re
from typing import Any, Mapping, Optional, Sequence, Union

import numpy as np

from . import _checks, _nps
from ._errors import error
from ._tables import _is_missing
from ._nps import NpsError

#: The columns of a tally's mergeable state, in the order the core writes them.
STATE = ("detractors", "passives", "promoters", "w_detractors", "w_passives", "w_promoters",
         "q_detractors", "q_passives", "q_promoters", "skipped", "out_of_range")


def _spark():
    try:
        from pyspark.sql import functions as F
        from pyspark.sql import types as T
    except ImportError:  # pragma: no cover - the extra is not installed
        raise ImportError("nps.spark needs PySpark: pip install 'nps[spark]'") from None
    return F, T


def _scale_breaks(scale: Any) -> Any:
    """A scale as plain numbers, for the executors."""
    if isinstance(scale, _nps.Scale):
        return (scale.min, scale.detractor_max, scale.passive_max, scale.max)
    return scale


def _error_batch(schema: Any, code: str, message: str) -> Any:
    import pyarrow as pa

    arrays = [pa.nulls(1, type=f.type) for f in schema]
    names = list(schema.names)
    arrays[names.index("_code")] = pa.array([code])
    arrays[names.index("_error")] = pa.array([message])
    return pa.RecordBatch.from_arrays(arrays, schema=schema)


def _row_place(keys: Any, i: int) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in keys.iloc[i].items())


def _tally_batch(batch: Any, schema: Any, by: list, score: str, weight: Optional[str], options: tuple,
                 dropna: Optional[bool], group_of: Any = None) -> Any:
    """One Arrow batch tallied by group: one output row per group (the keys and the state),
    or one row holding the error."""
    import pyarrow as pa

    frame = batch.to_pandas()
    if group_of is not None:  # a trend: the period start of each answer's time
        frame = group_of(frame)
    keys = frame[by]
    missing_key = keys.isna().any(axis=1).to_numpy()
    dropped = 0
    if missing_key.any():
        if dropna is None:
            name = by[int(np.argmax(keys.isna().to_numpy()[int(np.argmax(missing_key))]))]
            return _error_batch(schema, "MISSING_VALUE", f"{name} is missing in a row (dropna=False keeps the missing "
                                                         "segments as a group, dropna=True leaves their answers out)")
        if dropna:
            dropped = int(missing_key.sum())
            frame, keys = frame[~missing_key], keys[~missing_key]
    codes = keys.groupby(by, dropna=False, sort=False).ngroup().to_numpy(dtype=np.int64)
    scores = frame[score].to_numpy()
    weights = None if weight is None else frame[weight].to_numpy(dtype=np.float64)
    try:
        groups, states = _nps._tally_groups(scores, codes, weights, *options)
    except NpsError as e:
        found = re.search(r"(scores|weights)\[(\d+)\]", str(e))
        message = str(e)
        if found:
            column = score if found.group(1) == "scores" else weight
            message = message.replace(found.group(0), f"{column} (in the row {_row_place(keys, int(found.group(2)))})")
        return _error_batch(schema, e.code, message)
    first = np.zeros(len(groups), dtype=np.int64)
    seen = {}
    for i, c in enumerate(codes.tolist()):  # the first row of each group, for its key
        seen.setdefault(c, i)
    first[:] = [seen[g] for g in groups.tolist()]
    names = list(schema.names)
    arrays = []
    for f in schema:
        if f.name in by:
            arrays.append(pa.array(keys[f.name].iloc[first].tolist(), type=f.type, from_pandas=True))
        elif f.name in STATE:
            arrays.append(pa.array(states[:, STATE.index(f.name)], type=f.type))
        elif f.name == "_dropped":
            arrays.append(pa.array([dropped] + [0] * (len(groups) - 1) if len(groups) else [], type=f.type))
        else:
            arrays.append(pa.nulls(len(groups), type=f.type))
    out = pa.RecordBatch.from_arrays(arrays, names=names)
    if dropped and not len(groups):
        carrier = [pa.nulls(1, type=f.type) if f.name != "_dropped" else pa.array([dropped], type=f.type) for f in schema]
        out = pa.RecordBatch.from_arrays(carrier, names=names)
    return out


def _merged(df: Any, by: list, columns: list, score: str, weight: Optional[str], options: tuple,
            dropna: Optional[bool], key_types: list, group_of: Any = None) -> list:
    """The merged states of each group, collected to the driver (checked for errors)."""
    F, T = _spark()
    fields = [T.StructField(name, t) for name, t in zip(by, key_types)]
    fields += [T.StructField(s, T.DoubleType()) for s in STATE]
    fields += [T.StructField("_code", T.StringType()), T.StructField("_error", T.StringType()),
               T.StructField("_dropped", T.LongType())]
    schema = T.StructType(fields)

    def tally(batches: Any) -> Any:
        import pyarrow as pa

        arrow_schema = pa.schema([pa.field(f.name, _arrow_type(f.dataType)) for f in schema.fields])
        for batch in batches:
            yield _tally_batch(batch, arrow_schema, by, score, weight, options, dropna, group_of)

    partial = df.select(*columns).mapInArrow(tally, schema)
    merged = partial.groupBy(*by).agg(*[F.sum(s).alias(s) for s in STATE], F.max("_code").alias("_code"),
                                      F.max("_error").alias("_error"), F.sum("_dropped").alias("_dropped"))
    rows = merged.collect()
    for r in rows:
        if r["_error"] is not None:
            raise error(r["_code"], r["_error"])
    return rows


def _arrow_type(t: Any) -> Any:
    import pyarrow as pa
    from pyspark.sql import types as T

    return {T.StringType: pa.string(), T.LongType: pa.int64(), T.IntegerType: pa.int32(), T.DoubleType: pa.float64(),
            T.BooleanType: pa.bool_(), T.ShortType: pa.int16(), T.ByteType: pa.int8(), T.FloatType: pa.float32(),
            T.DateType: pa.date32()}.get(type(t), pa.string())


def _options(scale: Any, non_integer: str, missing: str, out_of_range: str) -> tuple:
    return (_scale_breaks(scale), non_integer, missing, out_of_range)


def _label(v: Any) -> Any:
    return np.nan if v is None else v


def _sort_key(label: tuple) -> tuple:
    return tuple((v is None, 0 if v is None else v) for v in label)


def breakdown(df: Any, score: str, by: Union[str, Sequence[str]], weight: Optional[str] = None, *,
              method: str = _nps.DEFAULT_INTERVAL_METHOD, level: float = _nps.DEFAULT_LEVEL, prior: Optional[tuple] = None, scale: Any = None,
              non_integer: str = "error", missing: str = "error", out_of_range: str = "error",
              dropna: Optional[bool] = None, spark: bool = False) -> Any:
    """NPS by segment of a Spark DataFrame: ``score`` the answer column, ``by`` one key
    column or several, ``weight`` an optional weight column. The same frame as
    :func:`nps.breakdown` on the collected columns (index named after the key columns, a
    MultiIndex for several, ``attrs["dropped"]``); ``spark=True`` gives it as a Spark
    DataFrame (the keys as columns). Options as :func:`nps.breakdown`."""
    by = [by] if isinstance(by, str) else list(by)
    columns = by + [score] + ([weight] if weight else [])
    missing_columns = [c for c in columns if c not in df.columns]
    if missing_columns:
        raise error("INVALID_PARAMETER", f"df has no column {missing_columns[0]!r}; it has {', '.join(df.columns)}")
    key_types = [df.schema[c].dataType for c in by]
    rows = _merged(df, by, columns, score, weight, _options(scale, non_integer, missing, out_of_range), dropna,
                   key_types)
    dropped = int(sum(r["_dropped"] or 0 for r in rows))
    groups = [r for r in rows if not (dropna and all(r[b] is None for b in by))]
    groups.sort(key=lambda r: _sort_key(tuple(r[b] for b in by)))
    states = np.array([[r[s] for s in STATE] for r in groups], dtype=np.float64).reshape(len(groups), len(STATE))
    cols = _nps._breakdown_tallies(states, method, prior, float(level))
    cols.pop("code")
    import pandas as pd

    labels = [tuple(_label(r[b]) for b in by) for r in groups]
    if len(by) > 1:
        index = pd.MultiIndex.from_tuples(labels, names=by)
    else:
        index = pd.Index([lab[0] for lab in labels], name=by[0])
    frame = pd.DataFrame(cols, index=index)
    frame.attrs["dropped"] = dropped
    if spark:
        return df.sparkSession.createDataFrame(frame.reset_index())
    return frame


def trend(df: Any, score: str, time: str, period: str = "month", weight: Optional[str] = None, *,
          method: str = _nps.DEFAULT_INTERVAL_METHOD, compare: str = _nps.DEFAULT_COMPARE_METHOD, level: float = _nps.DEFAULT_LEVEL, prior: Optional[tuple] = None,
          scale: Any = None, non_integer: str = "error", missing: str = "error", out_of_range: str = "error",
          spark: bool = False) -> Any:
    """NPS by period of a Spark DataFrame (``time`` a timestamp, date or epoch-seconds
    column; periods in UTC): the same frame as :func:`nps.trend` on the collected columns,
    each period compared with the one before. Options as :func:`nps.trend`."""
    columns = [score, time] + ([weight] if weight else [])
    missing_columns = [c for c in columns if c not in df.columns]
    if missing_columns:
        raise error("INVALID_PARAMETER", f"df has no column {missing_columns[0]!r}; it has {', '.join(df.columns)}")
    _nps._period_starts(np.zeros(0, dtype=np.int64), period)  # an unknown period fails here, not on an executor
    F, T = _spark()

    def starts(frame: Any) -> Any:
        from .survey import _epoch_seconds

        seconds = _epoch_seconds(frame[time])
        return frame.assign(_start=_nps._period_starts(np.ascontiguousarray(seconds, dtype=np.int64), period))

    rows = _merged(df, ["_start"], columns, score, weight, _options(scale, non_integer, missing, out_of_range), None,
                   [T.LongType()], starts)
    rows.sort(key=lambda r: r["_start"])
    states = np.array([[r[s] for s in STATE] for r in rows], dtype=np.float64).reshape(len(rows), len(STATE))
    cols = _nps._trend_tallies([int(r["_start"]) for r in rows], states, period, method, prior, compare, float(level))
    cols["start"] = np.asarray(cols["start"], dtype="datetime64[s]")
    import pandas as pd

    frame = pd.DataFrame(cols).set_index("period")
    if spark:
        return df.sparkSession.createDataFrame(frame.reset_index())
    return frame


# ---------------------------------------------------------------------------------------
# Scoring and explanation: the model file broadcast once, read once per executor process.

_MODELS: dict = {}


def _model_file(model: Any) -> tuple:
    """(the class that reads the file, the file) of a fitted model of any kind."""
    from .boosted import BoostedChurnModel
    from .early_warning import BoostedLtrModel, LtrModel
    from .model import ChurnModel

    for cls in (ChurnModel, BoostedChurnModel, LtrModel, BoostedLtrModel):
        if isinstance(model, cls):
            return cls, model.to_json()
    raise error("INVALID_PARAMETER", f"model must be a fitted nps.ChurnModel, nps.BoostedChurnModel, nps.LtrModel or "
                                     f"nps.BoostedLtrModel, got {type(model).__name__}")


def _executor_model(cls: Any, text: Any) -> Any:
    key = (cls.__name__, hash(text.value))
    if key not in _MODELS:
        _MODELS[key] = cls.from_json(text.value)
    return _MODELS[key]


def _sql_fits(kind: str, data_type: Any) -> bool:
    """Whether a column of ``data_type`` is what the model's SQL expression reads for an
    input of ``kind`` (see ``ChurnModel.spark_sql``)."""
    _, T = _spark()
    integral = (T.ByteType, T.ShortType, T.IntegerType, T.LongType)
    if kind == "numeric":
        return isinstance(data_type, integral + (T.FloatType, T.DoubleType))
    if kind == "categorical":  # compared byte for byte, as the core compares labels (no collation)
        return isinstance(data_type, T.StringType) and getattr(data_type, "collation", "UTF8_BINARY") == "UTF8_BINARY"
    return isinstance(data_type, integral + (T.BooleanType,))


def _sql_scorer(df: Any, model: Any) -> Optional[str]:
    """The logistic churn model as a Spark SQL expression, when the model has one (no
    recalibration) and every input column has a type the expression reads; else None."""
    from .model import ChurnModel

    if not isinstance(model, ChurnModel):
        return None
    try:
        expression, kinds = model._model.spark_sql()
    except NpsError:  # the core has no SQL for this model (a recalibrated one)
        return None
    types = {f.name: f.dataType for f in df.schema.fields}
    return expression if all(_sql_fits(kind, types[name]) for name, kind in kinds) else None


def score(df: Any, model: Any, output: str = "churn_probability") -> Any:
    """``df`` with the model's probabilities added: ``output`` (a churn model's P(churn)),
    or ``p_detractor``, ``p_passive`` and ``p_promoter`` for a likelihood-to-recommend
    model. The model's inputs are read from the columns of the same names; the numbers are
    the single-machine ones, to the bit.

    A logistic churn model without recalibration whose inputs are typed as its SQL
    expression reads them (numeric inputs numeric, categorical ones strings, boolean ones
    booleans or integers) is scored in the JVM, as one Spark SQL expression
    (``ChurnModel.spark_sql``): nothing crosses to Python, and a row the core would refuse
    stops the job with the core's words. Another churn model is a scalar Arrow UDF
    (PySpark 4.1 or later: only the inputs cross to Python and the probability back);
    otherwise each Arrow batch crosses whole (``mapInArrow``)."""
    F, T = _spark()
    cls, text = _model_file(model)
    inputs = list(model._model.inputs)
    absent = [c for c in inputs if c not in df.columns]
    if absent:
        raise error("INVALID_PARAMETER", f"df has no column {absent[0]!r} (a model input); it has {', '.join(df.columns)}")
    sql = _sql_scorer(df, model)
    if sql is not None:
        return df.select("*", F.expr(sql).alias(output))
    ltr = cls.__name__.endswith("LtrModel")
    added = ["p_detractor", "p_passive", "p_promoter"] if ltr else [output]
    schema = T.StructType(df.schema.fields + [T.StructField(c, T.DoubleType()) for c in added])
    shared = df.sparkSession.sparkContext.broadcast(text)

    if not ltr and hasattr(F, "arrow_udf"):  # PySpark 4.1+: only the inputs go to Python and one column back
        def probability(*columns: Any) -> Any:
            import pyarrow as pa

            m = _executor_model(cls, shared)
            frame = pa.Table.from_arrays(list(columns), names=inputs).to_pandas()
            return pa.array(np.asarray(m.churn_probability(frame), dtype=np.float64).reshape(len(frame)))

        import pyarrow as pa

        probability.__annotations__ = {"columns": pa.Array, "return": pa.Array}  # arrays to an array
        udf = F.arrow_udf(probability, T.DoubleType())
        quoted = ["`" + c.replace("`", "``") + "`" for c in inputs]
        return df.select("*", udf(*[F.col(c) for c in quoted]).alias(output))

    def run(batches: Any) -> Any:
        import pyarrow as pa

        m = _executor_model(cls, shared)
        for batch in batches:
            frame = batch.select(inputs).to_pandas()
            p = m.predict_proba(frame) if ltr else m.churn_probability(frame)
            p = np.asarray(p, dtype=np.float64).reshape(batch.num_rows, len(added))
            yield pa.RecordBatch.from_arrays(list(batch.columns) + [pa.array(p[:, j]) for j in range(len(added))],
                                             names=list(batch.schema.names) + added)

    return df.mapInArrow(run, schema)


def explain(df: Any, model: Any, top: int = _nps.DEFAULT_TOP_FACTORS, output: str = "factors") -> Any:
    """``df`` with a churn model's explanation added: ``churn_probability`` and ``output``,
    an array of structs (direction ``raises`` / ``lowers``, rank, factor, contribution,
    value and typical: a number, or the text in ``value_text`` / ``typical_text``), the
    ``top`` factors each way, as ``model.explain`` gives them for one machine."""
    F, T = _spark()
    cls, text = _model_file(model)
    if cls.__name__.endswith("LtrModel"):
        raise error("INVALID_PARAMETER", "explain takes a churn model; a likelihood-to-recommend model explains "
                                         "detractor risk (explain_detractor)")
    inputs = list(model._model.inputs)
    factor = T.StructType([T.StructField("direction", T.StringType()), T.StructField("rank", T.LongType()),
                           T.StructField("factor", T.StringType()), T.StructField("contribution", T.DoubleType()),
                           T.StructField("value", T.DoubleType()), T.StructField("value_text", T.StringType()),
                           T.StructField("typical", T.DoubleType()), T.StructField("typical_text", T.StringType())])
    schema = T.StructType(df.schema.fields + [T.StructField("churn_probability", T.DoubleType()),
                                              T.StructField(output, T.ArrayType(factor))])
    shared = df.sparkSession.sparkContext.broadcast(text)
    top = _checks.whole(top, "top")

    def number(v: Any) -> Any:
        return float(v) if isinstance(v, (int, float, np.number)) and not isinstance(v, (bool, np.bool_)) else None

    def words(v: Any) -> Any:
        return None if v is None or number(v) is not None else str(v)

    def run(batches: Any) -> Any:
        import pyarrow as pa

        m = _executor_model(cls, shared)
        arrow_factor = pa.struct([pa.field(f.name, _arrow_type(f.dataType)) for f in factor.fields])
        for batch in batches:
            frame = batch.select(inputs).to_pandas()
            long = m.explain(frame, top=top)
            probability = np.full(batch.num_rows, np.nan)
            lists: list = [[] for _ in range(batch.num_rows)]
            positions = {label: i for i, label in enumerate(frame.index)}
            for r in long.itertuples(index=False):
                i = positions[r.customer]
                probability[i] = r.probability
                lists[i].append({"direction": r.direction, "rank": int(r.rank), "factor": r.factor,
                                 "contribution": float(r.contribution), "value": number(r.value),
                                 "value_text": words(r.value), "typical": number(r.typical),
                                 "typical_text": words(r.typical)})
            if batch.num_rows and np.isnan(probability).any():  # rows without factors (no inputs): score them
                p = np.asarray(m.churn_probability(frame), dtype=np.float64)
                probability = np.where(np.isnan(probability), p, probability)
            yield pa.RecordBatch.from_arrays(
                list(batch.columns) + [pa.array(probability), pa.array(lists, type=pa.list_(arrow_factor))],
                names=list(batch.schema.names) + ["churn_probability", output])

    return df.mapInArrow(run, schema)


# ---------------------------------------------------------------------------------------
# Features: events partitioned by customer, each partition's batches streamed through the
# core with at most one customer's events carried from one batch to the next.

_EVENT_COLUMNS = ("customer", "time", "kind", "value", "duration", "department", "case", "flag")


def _customer_run_start(table: Any) -> int:
    """The first row of the last customer's events in a table sorted by customer."""
    import pyarrow.compute as pc

    column = table.column("customer")
    last = column[len(column) - 1]
    if not last.is_valid:
        return 0
    return len(column) - int(pc.sum(pc.equal(column, last)).as_py())


def _arrow_codes(column: Any) -> tuple:
    """Codes (uint32, NONE_CODE for a null) and the values they stand for, in first-seen
    order (as pandas' factorize gives them)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .features import NONE_CODE

    encoded = pc.dictionary_encode(column)
    codes = encoded.indices.cast(pa.uint32())
    if codes.null_count:
        codes = pc.fill_null(codes, NONE_CODE)
    return np.ascontiguousarray(codes.to_numpy()), encoded.dictionary


def _arrow_encoded(table: Any) -> Optional[dict]:
    """The columns the core reads, taken from an Arrow table without pandas (as
    ``features._encode`` encodes the same table converted to pandas, to the same numbers),
    or None when a column needs the pandas path: a type other than those Spark gives for
    the event columns, or a missing customer, time or kind (the pandas path names it)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .features import _TICKS, _customers

    table = table.combine_chunks()
    if not table.num_rows:
        return None

    def column(name: str) -> Any:
        if name not in table.column_names:
            return None
        c = table.column(name)
        return c.chunk(0) if c.num_chunks == 1 else pa.concat_arrays(c.chunks)

    customer, when, kind = column("customer"), column("time"), column("kind")
    if customer.null_count or when.null_count or kind.null_count:
        return None
    texts = (pa.types.is_string, pa.types.is_large_string)
    if pa.types.is_integer(customer.type) and not pa.types.is_uint64(customer.type):
        codes, labels, first = _customers(customer.to_numpy())
    elif any(t(customer.type) for t in texts):
        codes, labels = _arrow_codes(customer)
        first = None
    else:
        return None
    if not (pa.types.is_timestamp(when.type) and when.type.unit in _TICKS and any(t(kind.type) for t in texts)):
        return None
    enc = {"customer": codes, "customer_labels": labels,
           "time": np.ascontiguousarray(when.view(pa.int64()).to_numpy()), "time_ticks": _TICKS[when.type.unit]}
    enc["kind"], kinds = _arrow_codes(kind)
    enc["kind_names"] = [str(k) for k in kinds.to_pylist()]
    for name in ("value", "duration"):
        c = column(name)
        if c is None:
            enc[name] = np.empty(0, dtype=np.float64)
        elif pa.types.is_floating(c.type) or pa.types.is_integer(c.type):
            c = c.cast(pa.float64())
            enc[name] = np.ascontiguousarray(pc.fill_null(c, np.nan).to_numpy() if c.null_count else c.to_numpy())
        else:
            return None
    department = column("department")
    if department is None:
        enc["department"], enc["department_names"] = np.empty(0, dtype=np.uint32), []
    elif any(t(department.type) for t in texts):
        enc["department"], names = _arrow_codes(department)
        enc["department_names"] = [str(d) for d in names.to_pylist()]
    else:
        return None
    case = column("case")  # read for equality only (distinct cases): any injective codes do
    if case is None:
        enc["case"] = np.empty(0, dtype=np.uint32)
    elif pa.types.is_integer(case.type) or any(t(case.type) for t in texts):
        enc["case"] = _arrow_codes(case)[0]
    elif pa.types.is_floating(case.type):  # NaN is no case, and -0.0 the case 0.0, as for pandas
        case = pc.add(case.cast(pa.float64()), 0.0)
        enc["case"] = _arrow_codes(pc.if_else(pc.is_nan(case), pa.scalar(None, pa.float64()), case))[0]
    else:
        return None
    flag = column("flag")
    if flag is None:
        enc["flag"] = np.empty(0, dtype=np.uint8)
    elif pa.types.is_boolean(flag.type):
        flag = flag.cast(pa.uint8())
        enc["flag"] = np.ascontiguousarray((pc.fill_null(flag, 2) if flag.null_count else flag).to_numpy())
    else:
        return None
    if first is not None:
        enc["customer_first"] = first
    return enc


def _unread_columns(definitions: Optional[str], schema: Any) -> set:
    """The optional columns that need not cross to Python: those the definitions never name
    (``department``, ``case``, also read by ``distinct_count``, and ``flag``) and whose values
    cannot fail the checks (a department or a case is any value; a flag must be a boolean
    type). The retention set (None) reads them all."""
    if definitions is None:
        return set()
    import json

    from pyspark.sql import types as T

    words: set = set()

    def walk(x: Any) -> None:
        if isinstance(x, dict):
            words.update(str(k) for k in x)
            for v in x.values():
                walk(v)
        elif isinstance(x, list):
            for v in x:
                walk(v)
        elif isinstance(x, str):
            words.add(x)

    walk(json.loads(definitions))
    unread = set()
    if "department" not in words:
        unread.add("department")
    if "case" not in words and "distinct_count" not in words:
        unread.add("case")
    if "flag" not in words and "flag" in schema.names and isinstance(schema["flag"].dataType, T.BooleanType):
        unread.add("flag")
    return unread


def _customer_runs(batches: Any) -> Any:
    """Tables of whole customers from Arrow batches sorted by customer: each batch up to its
    last customer, whose events are carried over to the next (so at most one batch and one
    customer's events are held)."""
    import pyarrow as pa

    carry: list = []  # the batches (or their ends) of the customer that straddles batches
    for batch in batches:
        if not batch.num_rows:
            continue
        start = _customer_run_start(batch)  # within this batch: the carry is not read again
        if not start and carry:
            first = batch.column("customer")[0]
            if first.is_valid and first.as_py() != carry[-1].column("customer")[0].as_py():  # a new customer
                yield pa.Table.from_batches(carry)
                carry = []
        elif start:
            yield pa.Table.from_batches(carry + [batch.slice(0, start)])
            carry = []
        carry.append(batch.slice(start))
    if carry:
        yield pa.Table.from_batches(carry)


def _features_batch(table: Any, definitions: Optional[str], as_of: int, declared: list, names: list,
                    customer_type: Any) -> Any:
    import pyarrow as pa

    from .features import _compute

    try:
        enc = _arrow_encoded(table)
        if enc is None:
            values = _compute(table.to_pandas(), definitions, as_of, declared)
            labels, matrix = values.index.to_numpy(), values[names].to_numpy(dtype=np.float64)
        else:
            labels = enc.pop("customer_labels")
            computed, _, matrix = _nps._compute_features(enc, definitions, as_of, declared)
            labels = labels[: matrix.shape[0]]
            matrix = matrix[:, [computed.index(n) for n in names]]
    except NpsError as e:
        found = re.search(r"\[(\d+)\]", str(e))
        if found and int(found.group(1)) < table.num_rows:
            who = table.column("customer")[int(found.group(1))].as_py()
            raise error(e.code, f"{e} (an event of customer {who!r})") from None
        raise
    arrays = [labels.cast(customer_type) if isinstance(labels, pa.Array) else pa.array(labels, type=customer_type)]
    arrays += [pa.array(np.ascontiguousarray(matrix[:, j])) for j in range(len(names))]
    return pa.RecordBatch.from_arrays(arrays, names=["customer"] + names)


# The optional event columns and the Spark types the SQL path reads them as.
_SQL_OPTIONAL = (("value", "double"), ("duration", "double"), ("department", "string"), ("flag", "boolean"))


def _sql_types(schema: Any) -> bool:
    """Whether the event columns have the types the SQL path reads (others go to the
    event path, which converts or names them)."""
    from pyspark.sql import types as T

    def of(name: str, *types: Any) -> bool:
        return name not in schema.names or isinstance(schema[name].dataType, types)

    customer = schema["customer"].dataType
    number = (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.FloatType, T.DoubleType)
    return (isinstance(customer, (T.ByteType, T.ShortType, T.IntegerType, T.LongType, T.StringType))
            and isinstance(schema["time"].dataType, T.TimestampType) and isinstance(schema["kind"].dataType, T.StringType)
            and of("value", *number) and of("duration", *number) and of("department", T.StringType)
            and of("flag", T.BooleanType))


def _features_sql(events: Any, engine: Any, as_of: int) -> Any:
    """The features as Spark SQL written by the core (``FeatureEngine.spark_sql``), or None
    when the set or the events are for the event path: an aggregation Spark SQL does not
    compute as the core, column types the SQL does not read, or sums of magnitudes too far
    apart. Sums need one pass over the events first (their smallest and largest
    magnitudes)."""
    import json

    F, _ = _spark()
    if not _sql_types(events.schema):
        return None
    df = events.select(*[c for c in _EVENT_COLUMNS if c in events.columns and c != "case"])
    for name, kind in _SQL_OPTIONAL:
        if name not in df.columns:
            df = df.withColumn(name, F.lit(None).cast(kind))
    try:
        ranges = json.loads(engine.spark_sql_ranges())
        found = df.agg(*[F.expr(c["expression"]).alias(c["name"]) for c in ranges]).first().asDict() if ranges else {}
        sql = json.loads(engine.spark_sql(as_of, json.dumps(found)))
    except NpsError:
        return None
    df = df.select(*[F.expr(c["expression"]).alias(c["name"]) for c in sql["events"]])
    df = df.groupBy("customer").agg(*[F.expr(c["expression"]).alias(c["name"]) for c in sql["aggregates"]])
    for step in sql["steps"]:
        df = df.select(*[F.expr(c["expression"]).alias(c["name"]) for c in step])
    return df


def features(events: Any, definitions: Any = None, as_of: Any = None, declared_kinds: Sequence[str] = (),
             partitions: Optional[int] = None) -> Any:
    """Churn features of every customer of a Spark DataFrame of events (the columns of
    :mod:`nps.features`: ``customer``, ``time``, ``kind`` and the optional ones), as of
    ``as_of``: a Spark DataFrame with ``customer`` and one double column per feature, equal
    to :func:`nps.features.compute` (``definitions`` given) or :func:`nps.features.retention`
    (``definitions=None``) on the collected events, row for row, to the bit.

    The events are repartitioned by customer (``partitions``, Spark's default when None) and
    sorted by customer within each partition (the core orders each customer's events by
    time); each partition's Arrow batches go through the core with only the events of the
    customer that straddles two batches carried over, so an executor holds at most one
    customer's events and one batch. Events of one customer at the same second are taken in
    the order Spark gives them: a feature that depends on their order (the last of two
    answers given in the same second) can differ from one machine's."""
    if as_of is None:
        raise error("MISSING_VALUE", "as_of is required: the date the features are computed as of (events before it count)")
    from .features import _definitions_json
    from .survey import _epoch_second

    F, T = _spark()
    missing_columns = [c for c in ("customer", "time", "kind") if c not in events.columns]
    if missing_columns:
        raise error("INVALID_PARAMETER", f"events is missing the column(s) {', '.join(missing_columns)} (required: "
                                         f"customer, time, kind); it has {', '.join(events.columns)}")
    text = None if definitions is None else _definitions_json(definitions)
    declared = [str(k) for k in declared_kinds]
    engine = _nps.FeatureEngine(text, declared)  # bad definitions fail here, on the driver
    names = list(engine.names)
    when = _epoch_second(as_of, "as_of")
    in_sql = None if text is None else _features_sql(events, engine, when)
    if in_sql is not None:
        return in_sql
    customer_field = events.schema["customer"]
    schema = T.StructType([T.StructField("customer", customer_field.dataType)]
                          + [T.StructField(n, T.DoubleType()) for n in names])
    unread = _unread_columns(text, events.schema)
    columns = [c for c in _EVENT_COLUMNS if c in events.columns and c not in unread]
    by_customer = events.select(*columns)
    by_customer = (by_customer.repartition(partitions, "customer") if partitions else by_customer.repartition("customer"))
    by_customer = by_customer.sortWithinPartitions("customer")  # one key (a radix sort for integer ids)

    def run(batches: Any) -> Any:
        customer_type = _arrow_type(customer_field.dataType)
        for table in _customer_runs(batches):
            yield _features_batch(table, text, when, declared, names, customer_type)

    return by_customer.mapInArrow(run, schema)


# ---------------------------------------------------------------------------------------
# Decisions: a churn model's probability and contributions, then the catalogue's rules.

def _catalog_columns(df: Any, catalog: Any, mapping: dict) -> dict:
    """{catalogue field: the df column giving it}; a field without a column is an error."""
    fields = [f for f, _ in catalog.fields]
    given = {mapping.get(c, c): c for c in df.columns}
    absent = [f for f in fields if f not in given]
    if absent:
        raise error("MISSING_VALUE", f"df has no column for catalogue field(s) {', '.join(absent)} (columns: "
                                     f"{', '.join(df.columns)}): rename one with mapping=, or add a column of nulls")
    return {f: given[f] for f in fields}


def decide(df: Any, model: Any, catalog: Any, top: int = _nps.DEFAULT_TOP_ACTIONS, mapping: Optional[dict] = None,
           trace: bool = False) -> Any:
    """``df`` with the next best actions of every customer: ``churn_probability`` (the churn
    model's), then for k = 1..``top`` the columns ``action_k`` (the action id, null when
    fewer actions pass the rules) and ``priority_k``, as ``catalog.decide`` decides a pandas
    frame with the model's probability and its contributions as the factors (those the
    catalogue declares). The catalogue's fields are read from the columns of the same names
    (``mapping`` renames a column to a field). ``trace=True`` adds ``trace``: for every
    action, its id, status (``kept``, ``not_eligible``, ...), detail and priority, as
    ``catalog.decide`` traces one customer (a pass per row: slower)."""
    F, T = _spark()
    cls, text = _model_file(model)
    if cls.__name__.endswith("LtrModel"):
        raise error("INVALID_PARAMETER", "decide takes a churn model (nps.ChurnModel or nps.BoostedChurnModel)")
    inputs = list(model._model.inputs)
    absent = [c for c in inputs if c not in df.columns]
    if absent:
        raise error("INVALID_PARAMETER", f"df has no column {absent[0]!r} (a model input); it has {', '.join(df.columns)}")
    mapping = dict(mapping or {})
    fields = _catalog_columns(df, catalog, mapping)
    factors = [f for f in catalog.factors if f in inputs]
    top = _checks.whole(top, "top")
    entry = T.StructType([T.StructField("id", T.StringType()), T.StructField("status", T.StringType()),
                          T.StructField("detail", T.StringType()), T.StructField("priority", T.DoubleType())])
    added = [T.StructField("churn_probability", T.DoubleType())]
    for k in range(1, top + 1):
        added += [T.StructField(f"action_{k}", T.StringType()), T.StructField(f"priority_{k}", T.DoubleType())]
    if trace:
        added.append(T.StructField("trace", T.ArrayType(entry)))
    schema = T.StructType(df.schema.fields + added)
    shared_model = df.sparkSession.sparkContext.broadcast(text)
    shared_catalog = df.sparkSession.sparkContext.broadcast(catalog.to_json())

    def run(batches: Any) -> Any:
        import pyarrow as pa

        m = _executor_model(cls, shared_model)
        rules = _executor_model(type(catalog), shared_catalog)
        for batch in batches:
            frame = batch.select(sorted(set(inputs) | set(fields.values()))).to_pandas()
            p = np.asarray(m.churn_probability(frame[inputs]), dtype=np.float64).reshape(batch.num_rows)
            contributions = m.contributions(frame[inputs])[factors]
            customers = frame[list(fields.values())].set_axis(list(fields), axis=1)
            chosen = rules.decide(customers, probability=p, factors=contributions, top=top)
            arrays = list(batch.columns) + [pa.array(p)]
            for k in range(1, top + 1):
                arrays += [pa.array([v if isinstance(v, str) else None for v in chosen[f"action_{k}"]], type=pa.string()),
                           pa.array(chosen[f"priority_{k}"].to_numpy(dtype=np.float64))]
            if trace:
                traces = []
                for i, record in enumerate(customers.to_dict("records")):
                    record = {k: (None if _is_missing(v) else v) for k, v in record.items()}
                    said = {f: float(v) for f, v in contributions.iloc[i].items() if v == v}
                    d = rules.decide(record, probability=float(p[i]), factors=said, top=top)
                    traces.append([{k: e[k] for k in ("id", "status", "detail", "priority")} for e in d["trace"]])
                arrays.append(pa.array(traces, type=pa.list_(pa.struct([pa.field("id", pa.string()),
                                                                        pa.field("status", pa.string()),
                                                                        pa.field("detail", pa.string()),
                                                                        pa.field("priority", pa.float64())]))))
            yield pa.RecordBatch.from_arrays(arrays, names=[f.name for f in schema.fields])

    return df.mapInArrow(run, schema)



# ---------------------------------------------------------------------------------------
# Training: the logistic churn model over the partitions (its encoder from merged summaries,
# Newton's steps from merged sums); other kinds on a stratified sample on the driver.

def _input_specs(df: Any, inputs: list, kinds: Optional[Mapping[str, str]]) -> list:
    """The encoder specs of the inputs, as the single-machine fit infers them: numbers
    numeric, booleans boolean, text boolean when complete with two values that read as
    booleans and categorical otherwise (the core's rule, applied to each text column's few
    distinct values and whether one is missing)."""
    from pyspark.sql import types as T

    from .encode import _specs

    names, columns, booleans = [], [], []
    for c in inputs:
        t = df.schema[c].dataType
        if isinstance(t, T.BooleanType):
            booleans.append(c)
            names.append(c)
            columns.append(np.zeros(3))
        elif isinstance(t, T.NumericType):
            names.append(c)
            columns.append(np.zeros(3))
        else:
            seen = [r[0] for r in df.select(df[c].cast("string")).distinct().limit(4).collect()]
            values = [None if v is None else str(v) for v in seen][:3]
            values += [values[-1]] * (3 - len(values)) if values else [None] * 3
            names.append(c)
            columns.append(values)
    return _specs(names, columns, kinds, (), booleans)


def _label_classes(df: Any, y: str) -> np.ndarray:
    from .model import _classes

    labels = [r[0] for r in df.select(y).distinct().limit(3).collect()]
    if any(v is None for v in labels):
        raise error("MISSING_VALUE", f"the label column {y!r} has a missing value (null)")
    classes = _classes(np.asarray(labels))
    if len(classes) != 2:
        raise error("INVALID_PARAMETER", f"the label column {y!r} must hold exactly two classes (churn and not), got "
                                         f"{len(classes)}: {classes[:5].tolist()}")
    return classes


def stratified_sample(df: Any, y: str, rows: int = 1_000_000, seed: int = 42) -> Any:
    """About ``rows`` rows of ``df`` collected to the driver as a pandas DataFrame, each class
    of the label column ``y`` sampled at the same rate (so the churn share is kept, within
    sampling noise), seeded. All of ``df`` when it has at most ``rows`` rows."""
    counts = {r[0]: r[1] for r in df.groupBy(y).count().collect()}
    total = sum(counts.values())
    if total <= rows:
        return df.toPandas()
    fraction = rows / total
    return df.sampleBy(y, {label: fraction for label in counts}, seed=seed).toPandas()


def fit(df: Any, y: str, model: Any = None, sample_weight: Optional[str] = None, *, sample_rows: int = 1_000_000,
        seed: int = 42) -> Any:
    """Trains ``model`` (a new, unfitted estimator; ``nps.ChurnModel()`` by default) on a Spark
    DataFrame: the label column ``y``, optional ``sample_weight`` column, every other column
    an input. Returns the fitted model (the same object), as ``model.fit(X, y)`` would.

    A :class:`nps.ChurnModel` is trained over the partitions: the encoder from merged
    summaries (the categories and means of the whole), then Newton's steps driven from the
    driver, each one pass over the data computing the loss, gradient and Hessian sums of
    every partition with the core. The coefficients equal the single-machine fit within the
    tolerance (``tol=1e-10``: within 1e-8). The data are cached for the passes. Other model
    kinds (boosted trees, likelihood to recommend) train on the driver on a
    :func:`stratified_sample` of ``sample_rows`` rows."""
    from .model import ChurnModel

    model = ChurnModel() if model is None else model
    if y not in df.columns:
        raise error("INVALID_PARAMETER", f"df has no label column {y!r}; it has {', '.join(df.columns)}")
    if sample_weight is not None and sample_weight not in df.columns:
        raise error("INVALID_PARAMETER", f"df has no weight column {sample_weight!r}; it has {', '.join(df.columns)}")
    inputs = [c for c in df.columns if c not in (y, sample_weight)]
    if type(model) is not ChurnModel:
        frame = stratified_sample(df, y, sample_rows, seed)
        weights = None if sample_weight is None else frame[sample_weight]
        if weights is None:
            return model.fit(frame[inputs], frame[y])
        return model.fit(frame[inputs], frame[y], sample_weight=weights)
    classes = _label_classes(df, y)
    specs = _input_specs(df, inputs, model.kinds)
    cw = model.class_weight
    if isinstance(cw, Mapping):
        cw = (float(cw.get(classes[0], cw.get(0, 1.0))), float(cw.get(classes[1], cw.get(1, 1.0))))
    options = (float(model.C), bool(model.fit_intercept), float(model.tol), int(model.max_iter), cw, model.unseen,
               bool(model.standardize))
    F, T = _spark()
    data = df.select(*inputs, y, *([sample_weight] if sample_weight else [])).persist()
    churn = classes[1].item() if isinstance(classes[1], np.generic) else classes[1]
    names = [s[0] for s in specs]

    def part(batch: Any) -> tuple:
        from ._tables import to_columns

        frame = batch.to_pandas()
        labels = frame[y]
        if labels.isna().any():
            raise error("MISSING_VALUE", f"the label column {y!r} has a missing value (null)")
        w = None if sample_weight is None else np.ascontiguousarray(frame[sample_weight].to_numpy(dtype=np.float64))
        _, columns = to_columns(frame[names])
        return columns, np.ascontiguousarray((labels == churn).to_numpy(dtype=np.float64)), w

    def summarise(batches: Any) -> Any:
        import pyarrow as pa

        summary = None
        for batch in batches:
            columns, _, w = part(batch)
            s = _nps._EncoderSummary.observe(names, columns, specs, w)
            if summary is None:
                summary = s
            else:
                summary.merge(s)
        if summary is not None:
            yield pa.RecordBatch.from_arrays([pa.array([summary.to_json()])], names=["summary"])

    try:
        summaries = [_nps._EncoderSummary.from_json(r[0]) for r in
                     data.mapInArrow(summarise, T.StructType([T.StructField("summary", T.StringType())])).collect()]
        if not summaries:
            raise error("EMPTY", "df has no rows")
        merged = summaries[0]
        for s in summaries[1:]:
            merged.merge(s)
        encoder = merged.encoder(model.unseen, bool(model.standardize))
        driver = _nps._DistributedFit(len(encoder.feature_names()), *options)
        shared = df.sparkSession.sparkContext.broadcast(encoder.to_json())
        while True:
            coef, intercept = driver.point()

            def sums(batches: Any, coef: Any = coef, intercept: Any = intercept) -> Any:
                import pyarrow as pa

                enc = _executor_model(_nps._TableEncoder, shared)
                total = None
                for batch in batches:
                    columns, labels, w = part(batch)
                    v = _nps._logistic_sums(enc, names, columns, labels, w, coef, intercept)
                    total = v if total is None else total + v
                if total is not None:
                    yield pa.RecordBatch.from_arrays([pa.array([total.tolist()], type=pa.list_(pa.float64()))],
                                                     names=["sums"])

            schema = T.StructType([T.StructField("sums", T.ArrayType(T.DoubleType()))])
            parts = [np.asarray(r[0], dtype=np.float64) for r in data.mapInArrow(sums, schema).collect()]
            if driver.update(parts):
                break
    finally:
        data.unpersist()
    model._model = driver.model(encoder)
    from datetime import datetime, timezone

    model._model.set_trained_at(datetime.now(timezone.utc).isoformat(timespec="seconds"))
    model.classes_ = classes
    model._set_fitted_attributes(inputs, len(inputs))
    return model
