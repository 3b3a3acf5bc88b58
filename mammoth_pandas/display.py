"""Text output for terminals: DataFrames and jobs rendered with ``tabulate``, CSV and JSON."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from tabulate import tabulate

from mammoth_pandas.jobs import Job

__all__ = ["FORMATS", "job_table", "render", "to_csv", "to_json", "to_table"]

FORMATS = ("table", "csv", "json")
_MAX_CELL = 48


def _cell(value: Any) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    text = str(value)
    return text if len(text) <= _MAX_CELL else text[: _MAX_CELL - 1] + "…"


def to_table(
    frame: pd.DataFrame | pd.Series,
    fmt: str = "simple",
    *,
    index: bool | None = None,
    drop_empty: bool = False,
) -> str:
    """A DataFrame (or Series) as a text table; missing values render as blanks.

    ``index`` defaults to showing a named index (such as the batch ``id``) and hiding an
    unnamed one; ``drop_empty`` leaves out columns with no value at all.
    """
    if isinstance(frame, pd.Series):
        rows = [[str(k), _cell(v)] for k, v in frame.items()]
        name = "" if frame.name is None else str(frame.name)
        return tabulate(rows, headers=["field", name], tablefmt=fmt, disable_numparse=True)
    if index is None:
        index = frame.index.name is not None
    if drop_empty and len(frame):
        frame = frame.loc[:, frame.notna().any(axis=0)]
    headers = list(map(str, frame.columns))
    rows = []
    for position in range(len(frame)):
        row = [_cell(v) for v in frame.iloc[position].tolist()]
        if index:
            row.insert(0, _cell(frame.index[position]))
        rows.append(row)
    if index:
        headers.insert(0, str(frame.index.name or ""))
    return tabulate(rows, headers=headers, tablefmt=fmt, disable_numparse=True)


def _jsonable(value: Any) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and value != value:
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat().replace("+00:00", "Z")
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        return value.item()
    return value


def to_json(frame: pd.DataFrame | pd.Series) -> str:
    """Records (the index as a field) as a JSON array, or one object for a Series."""
    if isinstance(frame, pd.Series):
        obj: Any = {str(k): _jsonable(v) for k, v in frame.items()}
        if frame.name is not None:
            obj = {"id": _jsonable(frame.name), **obj}
        return json.dumps(obj, indent=2)
    named = frame.reset_index() if frame.index.name else frame
    records = [
        {str(k): _jsonable(v) for k, v in zip(named.columns, row, strict=True)}
        for row in named.itertuples(index=False, name=None)
    ]
    return json.dumps(records, indent=2)


def to_csv(frame: pd.DataFrame | pd.Series) -> str:
    """A frame (or one record as a Series) as CSV text, times in ISO 8601."""
    if isinstance(frame, pd.Series):
        frame = frame.to_frame().T.rename_axis("id")
    return frame.to_csv(index=frame.index.name is not None, date_format="%Y-%m-%dT%H:%M:%S.%fZ")


def job_table(job: Job, fmt: str = "simple") -> str:
    """One job as a two-column table."""
    rows = [
        ("id", job.id),
        ("status", job.status),
        ("operation", job.operation or ""),
        ("path", job.path or ""),
    ]
    if job.failed:
        rows.append(("reason", job.reason))
    elif job.response:
        rows.append(("response", json.dumps(job.response, sort_keys=True)))
    return tabulate(
        [[k, "" if v is None else str(v)] for k, v in rows],
        headers=["job", ""],
        tablefmt=fmt,
        disable_numparse=True,
    )


def render(obj: pd.DataFrame | pd.Series | Job, fmt: str = "table") -> str:
    """Render a listing, a batch or a job as ``table``, ``csv`` or ``json``."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if isinstance(obj, Job):
        if fmt == "json":
            return json.dumps(obj.to_dict(), indent=2, default=str)
        if fmt == "csv":
            return to_csv(pd.DataFrame([obj.to_dict()]).set_index("id"))
        return job_table(obj)
    if fmt == "json":
        return to_json(obj)
    if fmt == "csv":
        return to_csv(obj)
    return to_table(obj, drop_empty=True)
