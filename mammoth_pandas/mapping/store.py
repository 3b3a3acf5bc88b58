"""Reusable mappings: to and from JSON, and what changed in the sides since.

``mapping.to_json()`` keeps both sides' schemas and every row's decision;
``Mapping.from_json(text)`` gives the mapping back (optionally on datasets, to append
again); ``mapping.check(source, destination)`` compares the stored schemas with the sides as
they are now and reports new, gone, renamed and retyped columns, and the pairs they touch.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from mammoth_pandas import params as P
from mammoth_pandas.errors import MappingError
from mammoth_pandas.mapping.rows import STATUSES, Row
from mammoth_pandas.mapping.sides import Column, Side, to_side

__all__ = [
    "FORMAT",
    "MappingCheck",
    "SideChanges",
    "check",
    "compare_sides",
    "dump",
    "load",
    "rebound",
    "restore",
]

#: The ``format`` key of a stored mapping.
FORMAT = "mammoth-mapping/1"


@dataclass(frozen=True)
class SideChanges:
    """What changed in one side since a mapping was stored (lists of column ids)."""

    role: str
    new: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    retyped: list[tuple[str, str, str]] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        """Whether anything changed on this side."""
        return bool(self.new or self.gone or self.renamed or self.retyped)

    def lines(self) -> list[str]:
        """One line per change, in words."""
        out = [f"{self.role}: new column {c!r}" for c in self.new]
        out += [f"{self.role}: column {c!r} is gone" for c in self.gone]
        out += [f"{self.role}: column {c!r} renamed {a!r} → {b!r}" for c, a, b in self.renamed]
        out += [
            f"{self.role}: column {c!r} retyped {a.upper()} → {b.upper()}"
            for c, a, b in self.retyped
        ]
        return out


@dataclass(frozen=True)
class MappingCheck:
    """The result of ``mapping.check(source, destination)``.

    ``affected`` lists the destination column ids whose pair touches a gone, renamed or
    retyped column (on either side); ``ok`` is true when nothing changed at all.
    """

    source: SideChanges
    destination: SideChanges
    affected: list[str]

    @property
    def ok(self) -> bool:
        """Whether both sides are as they were when the mapping was made."""
        return not (self.source.changed or self.destination.changed)

    def __str__(self) -> str:
        if self.ok:
            return "Mapping check: both sides are unchanged"
        lines = ["Mapping check: the sides changed since the mapping was made"]
        lines += [f"- {line}" for line in self.source.lines() + self.destination.lines()]
        if self.affected:
            lines.append(f"- pairs to review (destination): {', '.join(self.affected)}")
        return "\n".join(lines)

    __repr__ = __str__


def compare_sides(role: str, before: Side, now: Side) -> SideChanges:
    """Columns new, gone, renamed (same id, other name) and retyped between two sides.

    For sides without real ids (DataFrames, where the id is the name) a column that
    changed name shows as gone and new.
    """
    old = {c.c_id: c for c in before.columns}
    cur = {c.c_id: c for c in now.columns}
    new = [k for k in cur if k not in old]
    gone = [k for k in old if k not in cur]
    renamed = [
        (k, old[k].c_name, cur[k].c_name)
        for k in cur
        if k in old and old[k].c_name != cur[k].c_name
    ]
    retyped = [
        (k, old[k].c_type, cur[k].c_type)
        for k in cur
        if k in old and old[k].c_type != cur[k].c_type
    ]
    return SideChanges(role, new, gone, renamed, retyped)


def _column_record(column: Column) -> dict[str, str]:
    return {"c_id": column.c_id, "c_name": column.c_name, "c_type": column.c_type}


def dump(
    source: Side,
    destination: Side,
    rows: list[dict[str, Any]],
    settings: dict[str, Any],
) -> str:
    """The stored form of a mapping as JSON text."""
    return json.dumps(
        {
            "format": FORMAT,
            "source": {
                "kind": source.kind,
                "dataset_id": getattr(source.dataset, "dataset_id", None),
                "columns": [_column_record(c) for c in source.columns],
            },
            "destination": {
                "kind": destination.kind,
                "dataset_id": getattr(destination.dataset, "dataset_id", None),
                "columns": [_column_record(c) for c in destination.columns],
            },
            "rows": rows,
            "settings": settings,
        },
        indent=2,
        ensure_ascii=False,
    )


def load(text: str | bytes | dict[str, Any]) -> dict[str, Any]:
    """Parse and check a stored mapping; raises :class:`MappingError` naming what is wrong."""
    if isinstance(text, dict):
        data = text
    else:
        try:
            data = json.loads(text)
        except (TypeError, ValueError) as exc:
            raise MappingError(
                "text", f"is not JSON ({exc})", accepted="mapping.to_json() output"
            ) from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise MappingError(
            "format",
            f"is {data.get('format') if isinstance(data, dict) else None!r}",
            accepted=FORMAT,
        )
    for key in ("source", "destination"):
        side = data.get(key)
        if not isinstance(side, dict) or not isinstance(side.get("columns"), list):
            raise MappingError(key, "has no column list", accepted="a side with columns")
    rows = data.get("rows")
    if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
        raise MappingError("rows", "is not a list of objects", accepted="mapping rows")
    for row in rows:
        if not isinstance(row.get("destination_c_id"), str):
            raise MappingError(
                "rows.destination_c_id",
                f"is {row.get('destination_c_id')!r}",
                accepted="a column id",
            )
    return data


def restore(text: str | bytes | dict[str, Any]) -> tuple[Side, Side, list[Row], dict[str, float]]:
    """The sides, rows and thresholds of a stored mapping."""
    data = load(text)
    src = to_side(data["source"]["columns"], "source")
    dest = to_side(data["destination"]["columns"], "destination")
    raw: dict[str, Any] = data["settings"] if isinstance(data.get("settings"), dict) else {}
    settings = {}
    for key, default in (("min_confidence", 0.6), ("suggest_min", 0.42)):
        settings[key] = P.fraction(f"settings.{key}", raw.get(key, default), error=MappingError)
    stored = {r["destination_c_id"]: r for r in data["rows"]}
    rows: list[Row] = []
    for column in dest.columns:
        item = stored.get(column.c_id, {})
        source_id = item.get("source_c_id")
        source = src.find(str(source_id)) if source_id is not None else None
        if source_id is not None and source is None:
            raise MappingError(
                "rows.source_c_id",
                f"{source_id!r} is not a stored source column",
                accepted=", ".join(c.c_id for c in src.columns),
            )
        status = item.get("status", "unmatched" if source is None else "matched")
        if status not in STATUSES:
            raise MappingError("rows.status", f"is {status!r}", accepted=", ".join(STATUSES))
        score, confidence = item.get("score"), item.get("confidence")
        rows.append(
            Row(
                column,
                source,
                float(confidence) if isinstance(confidence, (int, float)) else 0.0,
                str(item.get("evidence") or "stored mapping"),
                status,
                (),
                float(score) if isinstance(score, (int, float)) else None,
            )
        )
    return src, dest, rows, settings


def rebound(rows: Sequence[Row], source: Side, destination: Side) -> list[Row]:
    """The stored rows on new sides, by column id; pairs whose columns are gone drop out."""
    by_dest = {r.destination.c_id: r for r in rows}
    out = []
    for column in destination.columns:
        old = by_dest.get(column.c_id)
        found = source.find(old.source.c_id) if old is not None and old.source else None
        if old is None or (old.source is not None and found is None):
            out.append(Row(column, None, 0.0, "not in the stored mapping", "unmatched"))
        else:
            out.append(replace(old, destination=column, source=found))
    return out


def check(rows: Sequence[Row], before: tuple[Side, Side], now: tuple[Side, Side]) -> MappingCheck:
    """Compare the stored sides with the sides as they are now (see :class:`MappingCheck`)."""
    s_changes = compare_sides("source", before[0], now[0])
    d_changes = compare_sides("destination", before[1], now[1])
    touched_src = set(s_changes.gone) | {c for c, _, _ in s_changes.renamed + s_changes.retyped}
    touched_dest = set(d_changes.gone) | {c for c, _, _ in d_changes.renamed + d_changes.retyped}
    affected = [
        r.destination.c_id
        for r in rows
        if r.destination.c_id in touched_dest
        or (r.source is not None and r.source.c_id in touched_src)
    ]
    return MappingCheck(s_changes, d_changes, affected)
