"""Tables that fit the terminal: the columns that matter first, long text shortened.

``--format table`` output is cut to the terminal's width (``shutil.get_terminal_size``,
so ``COLUMNS`` wins, and 100 characters when there is no terminal): the columns are taken
in order of use while they fit, and the wide ones (names, sources) share what is left,
shortened in the middle so that both ends stay readable (``custom…5_01_19.csv``
keeps the date that tells batches apart). ``--wide`` prints every column in full.
"""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd
from tabulate import tabulate

__all__ = [
    "BATCH_LAYOUT",
    "DATASET_LAYOUT",
    "PROJECT_LAYOUT",
    "Layout",
    "fit_series",
    "fit_table",
    "width",
]

#: Spaces between columns in tabulate's "simple" format.
_GAP = 2
#: A shortened column keeps at least this many characters.
_MIN_FLEX = 12
#: What a column may show without a terminal to measure.
_FALLBACK = 100


def width() -> int:
    """The terminal's width in characters (``COLUMNS`` first, then 100 without a terminal)."""
    return max(20, shutil.get_terminal_size((_FALLBACK, 24)).columns)


@dataclass(frozen=True)
class Layout:
    """Which columns a table shows first, and which may be shortened.

    ``order`` ranks the columns (the index first when named); ``required`` are shown
    whatever the width; ``flexible`` are shortened in the middle to fit; ``derived``
    maps a new column to a function of the frame that fills it (such as one ``source``
    column for the seven ``source_*`` fields), and ``replaces`` lists the columns it
    stands for (shown only with ``--wide``).
    """

    order: tuple[str, ...]
    required: tuple[str, ...]
    flexible: tuple[str, ...]
    replaces: tuple[str, ...] = ()
    #: Width a flexible column keeps before a further column is added (default 12).
    floors: tuple[tuple[str, int], ...] = ()


BATCH_LAYOUT = Layout(
    order=("id", "name", "state", "created_at", "row_count", "source", "column_count"),
    required=("id", "name", "state", "created_at"),
    flexible=("name", "source"),
    floors=(("name", 24), ("source", 16)),
    replaces=(
        "source_type",
        "source_dataset_id",
        "source_dataset_name",
        "source_resource_path",
        "source_file_name",
        "source_url",
        "source_connector",
    ),
)

DATASET_LAYOUT = Layout(
    order=("id", "name", "status", "active_batches", "active_rows", "column_count", "created_at"),
    required=("id", "name"),
    flexible=("name",),
)


def _text(value: Any, *, minutes: bool) -> str:
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, float) and value != value:
        return ""
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M" if minutes else "%Y-%m-%d %H:%M:%S")
    return str(value).replace("\n", " ")


def shorten(text: str, size: int, *, middle: bool = True) -> str:
    """``text`` in at most ``size`` characters: ``custom…5_01_19.csv`` (or ``…`` last)."""
    if len(text) <= size:
        return text
    if size <= 1:
        return "…"[:size]
    if not middle:
        return text[: size - 1] + "…"
    tail = -(-(size - 1) * 3 // 5)  # the end (a date, a file suffix) keeps a little more
    head = size - 1 - tail
    return text[:head] + "…" + text[len(text) - tail :]


def _source(frame: pd.DataFrame) -> list[str]:
    """One ``source`` per batch: ``file: customers.csv``, ``dataset: CRM export (102)``…"""

    def get(name: str) -> list[str]:
        if name not in frame.columns:
            return [""] * len(frame)
        return [_text(v, minutes=True) for v in frame[name].tolist()]

    out = []
    for kind, name, ds_id, file_name, connector in zip(
        get("source_type"), get("source_dataset_name"), get("source_dataset_id"),
        get("source_file_name"), get("source_connector"), strict=True,
    ):  # fmt: skip
        if name or ds_id:
            detail = (name or "dataset") + (f" ({ds_id})" if ds_id else "")
        else:
            detail = file_name or connector
        out.append(f"{kind}: {detail}" if kind and detail else kind or detail)
    return out


def _columns(frame: pd.DataFrame, layout: Layout) -> dict[str, list[str]]:
    """Every column as text, the index first, derived columns added, empty ones dropped."""
    out: dict[str, list[str]] = {}
    if frame.index.name is not None:
        out[str(frame.index.name)] = [_text(v, minutes=True) for v in frame.index]
    for name in frame.columns:
        if str(name) in layout.replaces:
            continue
        out[str(name)] = [_text(v, minutes=True) for v in frame[name].tolist()]
    if layout.replaces and any(c in frame.columns for c in layout.replaces):
        out["source"] = _source(frame)
    return {k: v for k, v in out.items() if not v or any(v)}


PROJECT_LAYOUT = Layout(order=("id", "name"), required=("id", "name"), flexible=("name",))


def fit_table(frame: pd.DataFrame, layout: Layout, size: int) -> tuple[str, list[str]]:
    """The table of ``frame`` in at most ``size`` characters a line; and the columns left out.

    Only the required columns can make a line longer than ``size`` (a very narrow
    terminal), and then only by what their shortest forms need.
    """
    columns = _columns(frame, layout)
    natural = {k: max([len(k), *map(len, v)]) for k, v in columns.items()}
    ranked = [c for c in layout.order if c in columns]
    ranked += [c for c in columns if c not in ranked]
    floors = dict(layout.floors)
    floor = {
        c: min(natural[c], max(floors.get(c, _MIN_FLEX), len(c)))
        for c in layout.flexible
        if c in columns
    }

    def need(names: Sequence[str]) -> int:
        return sum(floor.get(c, natural[c]) for c in names) + _GAP * (len(names) - 1)

    chosen = [c for c in ranked if c in layout.required]
    for name in ranked:
        if name not in chosen and need([*chosen, name]) <= size:
            chosen.append(name)
    chosen = [c for c in ranked if c in chosen]
    widths = {c: floor.get(c, natural[c]) for c in chosen}
    spare = size - need(chosen)
    flexible = [c for c in chosen if c in floor]
    if need(chosen) > size:  # a narrow terminal: the required columns give up their floors
        for name in flexible:
            widths[name] = max(len(name), _MIN_FLEX)
        spare = size - sum(widths.values()) - _GAP * (len(chosen) - 1)
    while spare > 0 and flexible:  # share what is left among the shortened columns
        short = [c for c in flexible if widths[c] < natural[c]]
        if not short:
            break
        share = max(1, spare // len(short))
        for name in short:
            grow = min(share, natural[name] - widths[name], spare)
            widths[name] += grow
            spare -= grow
    rows = [
        [shorten(columns[c][i], widths[c], middle=c in floor) for c in chosen]
        for i in range(len(frame))
    ]
    hidden = [c for c in ranked if c not in chosen]
    return _render(chosen, rows, [widths[c] for c in chosen]), hidden


def _render(headers: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]) -> str:
    """A plain table: headers, dashes, rows, two spaces between columns, no trailing blanks."""

    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(headers), line(["-" * w for w in widths]), *map(line, rows)])


def fit_series(series: pd.Series, size: int) -> str:
    """One record (field, value) with values shortened to fit ``size``."""
    fields = [str(k) for k in series.index]
    values = [_text(v, minutes=False) for v in series.tolist()]
    room = max(_MIN_FLEX, size - max(map(len, ["field", *fields])) - _GAP)
    rows = [[f, shorten(v, room, middle=False)] for f, v in zip(fields, values, strict=True)]
    name = "" if series.name is None else str(series.name)
    return tabulate(rows, headers=["field", name], tablefmt="simple", disable_numparse=True)
