"""The timeline above the batch table: batches (or rows) per day, week or month by state.

An inline SVG in an HTML widget (bars stacked by state, in the theme's state colours)
and a stock ``SelectionRangeSlider`` under it: moving the slider's ends sets the panel's
created-from and created-to dates. It is drawn from the current filter on every page
(the dataset's index), leaving the date range out so that the slider can widen it again;
the chosen range is shaded.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Callable
from typing import Any

import ipywidgets as widgets
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.widgets._dom import css
from mammoth_pandas.widgets._theme import state_colour

__all__ = ["Timeline", "buckets", "svg"]

_WIDTH, _HEIGHT, _AXIS = 1000, 110, 16


def _freq(first: pd.Timestamp, last: pd.Timestamp) -> str:
    days = (last - first).days
    return "D" if days <= 92 else ("W" if days <= 3 * 366 else "M")


def buckets(frame: pd.DataFrame, metric: str = "batches") -> tuple[pd.DataFrame, str]:
    """Counts (or row sums) per period and state: index the period starts (dates),
    columns the states; and the period (``D``, ``W`` or ``M``)."""
    created = pd.to_datetime(frame["created_at"], utc=True) if len(frame) else None
    if created is None or created.isna().all():
        return pd.DataFrame(columns=list(C.BATCH_STATES)), "D"
    first, last = created.min(), created.max()
    freq = _freq(first, last)
    naive = created.dt.tz_convert("UTC").dt.tz_localize(None)
    period = naive.dt.to_period(freq).dt.start_time.dt.date
    values = frame["row_count"].fillna(0).astype("int64") if metric == "rows" else 1
    table = (
        pd.DataFrame({"period": period, "state": frame["state"].astype("string"), "v": values})
        .groupby(["period", "state"])["v"]
        .sum()
        .unstack(fill_value=0)
    )
    full = pd.period_range(first.tz_localize(None), last.tz_localize(None), freq=freq)
    table = table.reindex([p.start_time.date() for p in full], fill_value=0)
    ordered = [s for s in C.BATCH_STATES if s in table.columns]
    ordered += [s for s in table.columns if s not in ordered]
    return table[ordered], freq


def svg(table: pd.DataFrame, freq: str, selected: tuple[Any, Any] | None = None) -> str:
    """The stacked bars of ``buckets(...)`` as an SVG (``selected``: a shaded date range)."""
    if table.empty:
        return '<div class="mp-empty">No dates to draw.</div>'
    periods = list(table.index)
    n = len(periods)
    slot = _WIDTH / n
    peak = max(1, int(table.sum(axis=1).max()))
    scale = (_HEIGHT - _AXIS - 4) / peak
    parts = [
        f'<svg viewBox="0 0 {_WIDTH} {_HEIGHT}" preserveAspectRatio="none" role="img" '
        f'aria-label="batches over time">'
    ]
    if selected is not None and (selected[0] is not None or selected[1] is not None):
        lo = 0 if selected[0] is None else sum(1 for p in periods if p < selected[0])
        hi = n if selected[1] is None else sum(1 for p in periods if p <= selected[1])
        parts.append(
            f'<rect class="mp-timeline-range" x="{lo * slot:.1f}" y="0" '
            f'width="{max(0, hi - lo) * slot:.1f}" height="{_HEIGHT - _AXIS}"/>'
        )
    base = _HEIGHT - _AXIS
    values = table.to_numpy(dtype="int64")
    for i, period in enumerate(periods):
        y = float(base)
        for j, state in enumerate(table.columns):
            value = int(values[i, j])
            if not value:
                continue
            h = value * scale
            y -= h
            parts.append(
                f'<rect x="{i * slot + slot * 0.1:.1f}" y="{y:.1f}" width="{slot * 0.8:.1f}" '
                f'height="{h:.1f}" style="fill:{state_colour(str(state))}">'
                f"<title>{html.escape(str(period))}: {value:,} {html.escape(str(state))}"
                "</title></rect>"
            )
    parts.append(f'<line class="mp-timeline-axis" x1="0" x2="{_WIDTH}" y1="{base}" y2="{base}"/>')
    label = {"D": "per day", "W": "per week", "M": "per month"}[freq]
    parts.append(f'<text x="2" y="{_HEIGHT - 3}">{html.escape(str(periods[0]))}</text>')
    parts.append(
        f'<text x="{_WIDTH - 2}" y="{_HEIGHT - 3}" text-anchor="end">'
        f"{html.escape(str(periods[-1]))}</text>"
    )
    parts.append(
        f'<text x="{_WIDTH / 2}" y="{_HEIGHT - 3}" text-anchor="middle">{label}; '
        f"peak {peak:,}</text>"
    )
    parts.append("</svg>")
    return "".join(parts)


class Timeline(widgets.VBox):
    """The chart (``chart``), the metric toggle (``metric``) and the range (``range``).

    ``on_range(start, end)`` is called with dates (``None, None``: the whole span) when
    the user moves the slider.
    """

    def __init__(self, on_range: Callable[[dt.date | None, dt.date | None], None]) -> None:
        self.chart = css(widgets.HTML(), "mp-timeline-chart")
        self.metric = css(
            widgets.ToggleButtons(
                options=["batches", "rows"],
                value="batches",
                style={"button_width": "5.5em"},
                layout={"flex": "0 0 auto", "width": "auto"},
            ),
            "mp-timeline-metric",
        )
        self.range = css(
            widgets.SelectionRangeSlider(
                options=[("—", 0)],
                index=(0, 0),
                description="Created",
                continuous_update=False,
                layout={"flex": "1 1 auto", "width": "auto"},
                style={"description_width": "4em"},
                disabled=True,
            ),
            "mp-timeline-range-slider",
        )
        controls = widgets.HBox([self.range, self.metric], layout={"width": "100%"})
        super().__init__([self.chart, controls])
        self.add_class("mp-timeline")
        self._on_range = on_range
        self._periods: list[dt.date] = []
        self._freq = "D"
        self._quiet = False
        self._frame: pd.DataFrame | None = None
        self._selected: tuple[dt.date | None, dt.date | None] = (None, None)
        self.range.observe(self._moved, names="index")
        self.metric.observe(lambda _c: self._redraw(), names="value")

    def show(
        self, frame: pd.DataFrame | None, selected: tuple[dt.date | None, dt.date | None]
    ) -> None:
        """Draw ``frame`` (``None``: not known yet) with ``selected`` shaded."""
        self._frame = frame
        self._selected = selected
        self._redraw()

    def _redraw(self) -> None:
        frame = self._frame
        if frame is None:
            self.chart.value = '<div class="mp-empty">Timeline: reading the batches…</div>'
            return
        table, freq = buckets(frame, self.metric.value)
        self._periods, self._freq = list(table.index), freq
        start, end = self._selected
        self.chart.value = svg(table, freq, (start, end) if start or end else None)
        self._quiet = True
        try:
            if self._periods:
                options = [(str(p), i) for i, p in enumerate(self._periods)]
                self.range.options = options
                lo = sum(1 for p in self._periods if start is not None and p < start)
                hi = len(self._periods) - 1
                if end is not None:
                    hi = max(lo, sum(1 for p in self._periods if p <= end) - 1)
                self.range.index = (min(lo, hi), hi)
                self.range.disabled = False
            else:
                self.range.disabled = True
        finally:
            self._quiet = False

    def _period_end(self, start: dt.date) -> dt.date:
        stamp = pd.Timestamp(start)
        end = {
            "D": stamp,
            "W": stamp + pd.Timedelta(days=6),
            "M": stamp + pd.offsets.MonthEnd(0),
        }[self._freq]
        return end.date()

    def _moved(self, change: Any) -> None:
        if self._quiet or not self._periods:
            return
        lo, hi = change["new"]
        if lo == 0 and hi == len(self._periods) - 1:
            self._on_range(None, None)
        else:
            self._on_range(self._periods[lo], self._period_end(self._periods[hi]))
