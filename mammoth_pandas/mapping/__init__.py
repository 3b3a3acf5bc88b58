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

import numpy as np
import pandas as pd

from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping.assign import assign
from mammoth_pandas.mapping.model import STATUSES, Mapping, Row
from mammoth_pandas.mapping.score import Weights, score_matrix
from mammoth_pandas.mapping.sides import Column, Side, infer_schema, to_side

__all__ = [
    "DEFAULT_MIN_CONFIDENCE",
    "STATUSES",
    "Column",
    "Mapping",
    "Row",
    "Side",
    "Weights",
    "derive_mapping",
    "infer_schema",
]

#: Pairs scoring below this are never proposed.
DEFAULT_MIN_CONFIDENCE = 0.6


def derive_mapping(
    source: Any,
    destination: Any,
    *,
    client: Any = None,
    workspace_id: int | None = None,
    project_id: int | None = None,
    min_confidence: float = DEFAULT_MIN_CONFIDENCE,
    source_data: pd.DataFrame | list[dict[str, Any]] | None = None,
    destination_data: pd.DataFrame | list[dict[str, Any]] | None = None,
    weights: Weights | None = None,
) -> Mapping:
    """Derive which source column fills each destination column.

    Each side is a :class:`~mammoth_pandas.dataset.DatasetHandle` (its schema is read
    through its client), a dataset id (with ``client``, ``workspace_id`` and
    ``project_id``), a schema (a DataFrame or a list of dicts with ``c_id``, ``c_name``,
    ``c_type``, types in any case) or a DataFrame of data (column names become names and
    ids, types are inferred, values serve as evidence). ``source_data`` and
    ``destination_data`` add rows (a DataFrame or a list of dicts, columns keyed by id or
    name) to a dataset or schema side: the API serves schemas, not rows.

    Pairs scoring below ``min_confidence`` are never proposed; ``weights`` tunes how name,
    type and value evidence combine (see :class:`~mammoth_pandas.mapping.score.Weights`).

    Nothing is sent to the server and no input is changed. Raises :class:`MappingError`
    for a side that cannot be mapped (no columns, duplicate names or ids, unknown types).
    """
    if (
        isinstance(min_confidence, bool)
        or not isinstance(min_confidence, (int, float))
        or not 0.0 <= float(min_confidence) <= 1.0
    ):
        raise MappingError(
            "min_confidence", f"is {min_confidence!r}", accepted="a number from 0 to 1"
        )
    context = {"client": client, "workspace_id": workspace_id, "project_id": project_id}
    src = to_side(source, "source", data=source_data, **context)
    dest = to_side(destination, "destination", data=destination_data, **context)
    evidence = score_matrix(dest.columns, src.columns, weights)
    scores = np.array([[ev.score for ev in row] for row in evidence], dtype="float64")
    choices = assign(scores, threshold=max(float(min_confidence), 1e-9))
    rows = []
    for i, choice in enumerate(choices):
        column = dest.columns[i]
        candidates = tuple((src.columns[j], evidence[i][j]) for j in choice.candidates)
        if choice.source is not None:
            ev = evidence[i][choice.source]
            words = ev.words()
            if choice.status == "ambiguous" and choice.rival is not None:
                words += f"; close to {src.columns[choice.rival].c_name!r}"
            rows.append(
                Row(column, src.columns[choice.source], ev.score, words, choice.status, candidates)
            )
        elif choice.status == "ambiguous":
            names = ", ".join(f"{c.c_name!r} {ev.score:.2f}" for c, ev in candidates[:3])
            rows.append(
                Row(
                    column, None, 0.0, f"too close to call between {names}", "ambiguous", candidates
                )
            )
        elif candidates:
            best, ev = candidates[0]
            rows.append(
                Row(
                    column,
                    None,
                    0.0,
                    f"nothing fits well enough; best {best.c_name!r} {ev.score:.2f}: {ev.words()}",
                    "unmatched",
                    candidates,
                )
            )
        else:
            rows.append(Row(column, None, 0.0, "no source column can fill it", "unmatched", ()))
    handle_client = client
    if handle_client is None and dest.dataset is not None:
        handle_client = getattr(dest.dataset, "client", None)
    return Mapping(
        src, dest, rows, client=handle_client, min_confidence=float(min_confidence), weights=weights
    )
