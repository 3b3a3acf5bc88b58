"""The mapping helper: derive, explain and correct the column mapping of an append.

::

    mapping = derive_mapping(source, destination)   # datasets, schemas or DataFrames
    mapping                                         # a table with the evidence
    mapping.override("column_3", "column_9")        # correct what needs it
    mapping.validate()                              # the server checks (validate_only)
    mapping.append()                                # the new batch; returns the Job

The steps are pure functions over plain data: :mod:`.sides` turns each side into columns,
:mod:`.score` compares every pair on name (:mod:`.normalize`), type and values
(:mod:`.infer`), and :mod:`.assign` picks the optimal one-to-one assignment, leaving a
destination column unmatched when nothing fits well enough.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from mammoth_pandas import params as P
from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping.decide import DEFAULT_MIN_CONFIDENCE, DEFAULT_SUGGEST_MIN
from mammoth_pandas.mapping.evidence import ColumnStats, SideEvidence
from mammoth_pandas.mapping.fetch import DEFAULT_SAMPLE, StatsCache, fetch_evidence
from mammoth_pandas.mapping.model import REVIEW_LEVELS, STATUSES, Mapping, Row
from mammoth_pandas.mapping.score import Weights, score_matrix
from mammoth_pandas.mapping.sides import (
    Column,
    Side,
    _is_dataset,
    infer_schema,
    to_side,
    with_value_stats,
)
from mammoth_pandas.mapping.store import MappingCheck

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "DEFAULT_SUGGEST_MIN",
    "REVIEW_LEVELS",
    "STATUSES",
    "Column",
    "ColumnStats",
    "Mapping",
    "MappingCheck",
    "Row",
    "Side",
    "SideEvidence",
    "Weights",
    "derive_mapping",
    "infer_schema",
]

Rows = pd.DataFrame | list[dict[str, Any]] | None


def derive_mapping(
    source: Any,
    destination: Any,
    *,
    client: Any = None,
    workspace_id: int | None = None,
    project_id: int | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    suggest_min: float = DEFAULT_SUGGEST_MIN,
    source_rows: Rows = None,
    destination_rows: Rows = None,
    source_stats: Rows = None,
    destination_stats: Rows = None,
    source_data: Rows = None,
    destination_data: Rows = None,
    weights: Weights | None = None,
    sample: int = DEFAULT_SAMPLE,
) -> Mapping:
    """Derive which source column fills each destination column.

    Each side is a :class:`~mammoth_pandas.dataset.DatasetHandle` (its schema is read
    through its client), a dataset id (with ``client``, ``workspace_id`` and
    ``project_id``), a schema (a DataFrame or a list of dicts with ``c_id``, ``c_name``,
    ``c_type``, types in any case), a DataFrame of data (column names become names and
    ids, types are inferred, values serve as evidence), or a
    :class:`~mammoth_pandas.mapping.evidence.SideEvidence` bundling a schema with its rows
    and statistics.

    Evidence beyond the schema, per side: ``source_rows`` / ``destination_rows`` (sampled
    rows: a DataFrame or a list of dicts, columns keyed by id or name; ``source_data`` /
    ``destination_data`` are the older names) and ``source_stats`` / ``destination_stats``
    (column statistics in the API's column-stats shape: records or a frame with ``name``,
    ``type``, ``blank_count``, ``blank_pct``, ``distinct``, ``rows``). The mapping records
    what it used in ``mapping.evidence``.

    When a side is a dataset on a server and no rows are given for it, the helper fetches
    its evidence itself: the last ``sample`` rows of its data (its most recent active
    batches; ``ceil(sample / 100)`` data pages) and the project's column statistics (one
    request for both sides). ``sample=0`` reads neither: names and types only.

    Pairs scoring at least ``min_confidence`` are confident (status ``matched``); with
    those fixed, the pairs left scoring at least ``suggest_min`` are suggestions (status
    ``suggested``): in the payload, marked for review. ``mapping.set_thresholds`` moves
    both. ``weights`` tunes how the evidence combines (see
    :class:`~mammoth_pandas.mapping.score.Weights`).

    Nothing is sent to the server and no input is changed. Raises :class:`MappingError`
    for a side that cannot be mapped (no columns, duplicate names or ids, unknown types,
    malformed rows or statistics) or a threshold outside 0..1.
    """
    confident = P.fraction("min_confidence", min_confidence, error=MappingError)
    suggest = min(P.fraction("suggest_min", suggest_min, error=MappingError), confident)
    if isinstance(sample, bool) or not isinstance(sample, int) or sample < 0:
        raise MappingError("sample", f"is {sample!r}", accepted="a whole number of rows >= 0")
    context = {"client": client, "workspace_id": workspace_id, "project_id": project_id}
    stats_cache = StatsCache()
    sides = []
    for role, rows, old, stats in (
        ("source", source_rows, source_data, source_stats),
        ("destination", destination_rows, destination_data, destination_stats),
    ):
        if rows is not None and old is not None:
            raise MappingError(
                f"{role}_data",
                f"given with {role}_rows",
                accepted=f"one of {role}_rows, {role}_data",
            )
        label = f"{role}_data" if old is not None else f"{role}_rows"
        side = source if role == "source" else destination
        named = isinstance(side, int) and not isinstance(side, bool)
        if named and None not in (client, workspace_id, project_id):
            side = client.dataset(workspace_id, project_id, side)
        if _is_dataset(side) and rows is None and old is None and stats is None:
            side = fetch_evidence(side, role, sample, stats_cache)
        sides.append(
            to_side(
                side,
                role,
                data=rows if rows is not None else old,
                stats=stats,
                data_label=label,
                **context,
            )
        )
    src, dest = sides
    # One side known by its rows, the other by its statistics: compare statistics.
    if "stats" in dest.evidence and "rows" in src.evidence:
        src = with_value_stats(src)
    if "stats" in src.evidence and "rows" in dest.evidence:
        dest = with_value_stats(dest)
    matrix = score_matrix(dest.columns, src.columns, weights)
    handle_client = client
    if handle_client is None and dest.dataset is not None:
        handle_client = getattr(dest.dataset, "client", None)
    return Mapping.derive(
        src,
        dest,
        client=handle_client,
        min_confidence=confident,
        suggest_min=suggest,
        weights=weights,
        matrix=matrix,
    )
