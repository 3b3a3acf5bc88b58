"""Evidence the mapping helper fetches itself when a side is a dataset on a server.

For each dataset side, :func:`fetch_evidence` reads a bounded sample of its rows (the
last ``sample`` rows of the dataset's data, so its most recent active batches come first)
and the project's column statistics (one request per project, shared by both sides). It
reads nothing more: ``ceil(sample / 100)`` data pages per side plus one statistics
request. ``sample=0`` reads neither rows nor statistics (names and types only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from mammoth_pandas.errors import MammothError, MappingError
from mammoth_pandas.mapping.evidence import SideEvidence

__all__ = ["DEFAULT_SAMPLE", "StatsCache", "fetch_evidence"]

#: Rows sampled per side by default.
DEFAULT_SAMPLE = 200


class StatsCache:
    """Column statistics per project, read at most once for both sides."""

    def __init__(self) -> None:
        """Start empty."""
        self._frames: dict[tuple[int, int], pd.DataFrame] = {}

    def get(self, client: Any, workspace_id: int, project_id: int) -> pd.DataFrame:
        """The project's column statistics (one request the first time)."""
        key = (workspace_id, project_id)
        if key not in self._frames:
            self._frames[key] = client.datasets.column_stats(workspace_id, project_id)
        return self._frames[key]


def _stats_records(frame: pd.DataFrame, dataset_id: int) -> list[dict[str, Any]] | None:
    mine = frame[frame["dataset_id"] == dataset_id]
    if mine.empty:
        return None
    records = []
    for row in mine.itertuples(index=False):
        records.append(
            {
                "name": row.column,
                "type": None if pd.isna(row.type) else str(row.type),
                "blank_count": None if pd.isna(row.blanks) else int(row.blanks),
                "blank_pct": None if pd.isna(row.blank_share) else float(row.blank_share) * 100,
                "distinct": None if pd.isna(row.distinct) else int(row.distinct),
                "rows": None if pd.isna(row.rows) else int(row.rows),
            }
        )
    return records


def _rows_total(stats: list[dict[str, Any]] | None) -> int | None:
    if not stats:
        return None
    totals = {r["rows"] for r in stats if r.get("rows") is not None}
    return totals.pop() if len(totals) == 1 else None


def fetch_evidence(
    dataset: Any,
    role: str,
    sample: int,
    stats: StatsCache,
    *,
    on_read: Callable[[str], None] | None = None,
) -> SideEvidence:
    """A dataset side with its sampled rows and column statistics.

    Args:
        dataset: a :class:`~mammoth_pandas.dataset.DatasetHandle`.
        role: ``"source"`` or ``"destination"`` (for error messages).
        sample: rows to sample (0: none, and no statistics either).
        stats: the statistics cache shared by both sides.
        on_read: told what was read, in words (``mapping.evidence_notes`` collects them).

    Raises:
        MappingError: the server refused a read (the reason is kept).
    """
    if sample <= 0:
        return SideEvidence(schema=dataset)
    ws, pr, ds = dataset.ids
    try:
        records = _stats_records(stats.get(dataset.client, ws, pr), ds)
        total = _rows_total(records)
        if total is None:
            info = dataset.info()
            count = (info.get("stats") or {}).get("row_count")
            total = count if isinstance(count, int) and not isinstance(count, bool) else 0
        n = min(sample, total)
        rows = dataset.data(limit=n, offset=total - n) if n else None
    except MammothError as exc:
        raise MappingError(
            f"{role}",
            f"could not read dataset {ds}'s evidence ({exc})",
            accepted="a readable dataset",
        ) from exc
    if on_read is not None:
        said = f"{n} sampled rows" if n else "no rows (the dataset is empty)"
        on_read(f"{role} dataset {ds}: {said} and its column statistics")
    return SideEvidence(schema=dataset, rows=rows, stats=records, rows_total=total or None)
