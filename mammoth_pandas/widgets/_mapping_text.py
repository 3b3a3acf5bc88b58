"""What the mapping panel says about a pair, as plain data and small HTML pieces.

Pure functions over the mapping's rows and columns: the review level of a row and its
colour, sample values of a column, what converting text into a number or a date would
leave empty, the label of each dropdown option, and the panel's stylesheet (colours from
JupyterLab's theme variables, with plain fallbacks elsewhere).
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from mammoth_pandas.errors import BadRequestError, JobFailedError
from mammoth_pandas.mapping.infer import parse_dates, parse_numbers, text_values

__all__ = [
    "SAMPLE_ROWS",
    "Conversion",
    "chip",
    "conversion",
    "incompatible",
    "option_label",
    "rejection",
    "review_of",
    "sample_values",
    "stylesheet",
]

#: At most this many source values are converted to count what would be empty.
SAMPLE_ROWS = 400

#: Tone of each review level: the class ``mp-tone-<tone>`` colours it.
_TONES = ("confident", "suggested", "by-hand", "empty", "problem", "neutral")

#: (word on the badge, tone) by row status.
_STATUS_VIEW: dict[str, tuple[str, str]] = {
    "matched": ("confident", "confident"),
    "suggested": ("suggested", "suggested"),
    "ambiguous": ("ambiguous", "suggested"),
    "unmatched": ("unmatched", "suggested"),
    "manual": ("set by hand", "by-hand"),
    "confirmed": ("confirmed", "confident"),
    "unset": ("left empty", "empty"),
}


@dataclass(frozen=True)
class Review:
    """How a row reads: the badge word, its tone, and whether it asks to be checked."""

    word: str
    tone: str
    to_review: bool


def review_of(row: Any) -> Review:
    """The badge of ``row``: ``confident``, ``suggested``, ``set by hand``… and its tone.

    Reads the row's ``review`` level (``confident``, ``suggested``, ``by hand``, ``empty``)
    where the mapping gives one, and its ``status`` otherwise.
    """
    status = str(row.status)
    word, tone = _STATUS_VIEW.get(status, (status, "suggested"))
    level = getattr(row, "review", None)
    if level == "suggested" and status not in ("ambiguous", "unmatched"):
        word, tone = "suggested", "suggested"
    by_hand = status in ("manual", "confirmed", "unset")
    return Review(word, tone, to_review=not by_hand and tone == "suggested")


def chip(text: str, tone: str, *, title: str = "") -> str:
    """A small coloured badge: ``<span class="mp-chip mp-tone-…">text</span>``."""
    hover = f' title="{html.escape(title)}"' if title else ""
    return f'<span class="mp-chip mp-tone-{tone}"{hover}>{html.escape(text)}</span>'


def _values(column: Any) -> pd.Series | None:
    values = getattr(column, "values", None)
    if values is None:
        return None
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    return series


_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[ T](\d{2}:\d{2})(?::\d{2})?(?:\.\d+)?)?(?:\+00:00|Z)?$"
)


def _readable(value: str) -> str:
    """``2022-12-18 00:00:00+00:00`` as ``2022-12-18``; ``…T17:29:00Z`` to the minute."""
    match = _TIMESTAMP.match(value)
    if match is None:
        return value
    day, clock = match.group(1), match.group(2)
    return day if clock in (None, "00:00") else f"{day} {clock}"


def sample_values(column: Any, n: int = 3, *, width: int = 24) -> list[str]:
    """Up to ``n`` distinct non-empty values of ``column`` (shortened to ``width``).

    Empty when the mapping was derived without rows for that side.
    """
    own = getattr(column, "sample_values", None)
    if callable(own):
        found = [str(v) for v in own(n)]
    else:
        values = _values(column)
        found = []
        if values is not None:
            for text in text_values(values.head(200)):
                if text not in found:
                    found.append(text)
                if len(found) == n:
                    break
    shown = [_readable(t) for t in found[:n]]
    return [t if len(t) <= width else t[: width - 1] + "…" for t in shown]


def incompatible(source_type: str, destination_type: str) -> bool:
    """Whether the API refuses the pair outright (a date into a number, or the reverse)."""
    return {source_type, destination_type} == {"numeric", "date"}


@dataclass(frozen=True)
class Conversion:
    """Text going into a NUMERIC or DATE column: the server converts it.

    ``empty`` of ``total`` sample values would not parse and arrive empty; both are
    ``None`` when the source's rows are unknown.
    """

    kind: str
    empty: int | None
    total: int | None

    @property
    def checked(self) -> bool:
        return self.total is not None

    def text(self) -> str:
        """``converts; 3 of 24 sample values would be empty`` (or why it is unchecked)."""
        if self.total is None:
            return (
                f"converts to {self.kind}; values unchecked (no sample rows): "
                "what does not parse arrives empty"
            )
        if self.total == 0:
            return "converts; the sample has no values to check"
        return f"converts; {self.empty} of {self.total} sample values would be empty"

    @property
    def tone(self) -> str:
        if self.total is not None and not self.empty:
            return "confident"
        return "suggested"


def conversion(source: Any, destination: Any) -> Conversion | None:
    """What filling ``destination`` from ``source`` converts, or ``None`` (same kind, or text).

    Only text into NUMERIC or DATE converts; the count comes from at most
    :data:`SAMPLE_ROWS` of the source's values, evenly spread.
    """
    dest_type, src_type = destination.c_type, source.c_type
    if dest_type not in ("numeric", "date") or src_type != "text":
        return None
    kind = "numbers" if dest_type == "numeric" else "dates"
    values = _values(source)
    if values is None:
        return Conversion(kind, None, None)
    texts = text_values(values)
    if len(texts) > SAMPLE_ROWS:
        positions = np.linspace(0, len(texts) - 1, SAMPLE_ROWS).round().astype(int)
        texts = [texts[i] for i in positions]
    if not texts:
        return Conversion(kind, 0, 0)
    sample = pd.Series(texts, dtype=object)
    parsed, _share = parse_numbers(sample) if dest_type == "numeric" else parse_dates(sample)
    return Conversion(kind, int(parsed.isna().sum()), len(texts))


def option_label(
    column: Any,
    score: float | None,
    *,
    destination_type: str,
    used_by: str | None = None,
    samples: Sequence[str] = (),
) -> str:
    """A dropdown entry: ``E-mail address (TEXT) · 0.93 · e.g. ana@… · fills 'Email'``."""
    parts = [f"{column.c_name} ({column.c_type.upper()})"]
    if score is not None:
        parts.append(f"{score:.2f}")
    if incompatible(column.c_type, destination_type):
        parts.append(f"cannot fill {destination_type.upper()}")
    elif samples:
        parts.append("e.g. " + samples[0])
    if used_by is not None:
        parts.append(f"fills {used_by!r}")
    return " · ".join(parts)


def _mix(colour: str, percent: int) -> str:
    return f"color-mix(in srgb, {colour} {percent}%, transparent)"


_TONE_COLOURS: dict[str, str] = {
    "confident": "var(--jp-success-color1, #12b76a)",
    "suggested": "var(--jp-warn-color1, #f79009)",
    "by-hand": "var(--jp-brand-color1, #1570ef)",
    "empty": "var(--jp-ui-font-color2, #667085)",
    "problem": "var(--jp-error-color1, #d92d20)",
    "neutral": "var(--jp-ui-font-color2, #667085)",
}

_SHEET = """
.mp-mapping-panel { color: var(--jp-ui-font-color1, #1d2939); }
.mp-mapping-panel .widget-html-content { line-height: 1.35; }
.mp-mapping-panel .mp-chip { border-radius: 8px; padding: 0 6px; border: 1px solid;
  white-space: nowrap; color: var(--jp-ui-font-color1, #1d2939); }
%(tones)s
.mp-mapping-panel .mp-muted { color: var(--jp-ui-font-color2, #667085); }
.mp-mapping-panel .mp-section { font-weight: 600; margin-top: 6px;
  border-bottom: 1px solid var(--jp-border-color2, #d0d5dd); }
.mp-mapping-panel .mp-mapping-row { border-bottom: 1px solid var(--jp-border-color3, #eaecf0);
  padding: 2px 0; }
.mp-mapping-panel .mp-tinted { border-radius: 3px; padding: 1px 4px; }
.mp-mapping-panel .mp-swap { border: 1px solid var(--jp-warn-color1, #f79009);
  border-radius: 4px; padding: 2px 6px; margin-left: 13em; align-items: center;
  background: %(swap_bg)s; }
.mp-mapping-panel .mp-samples { margin-left: 13em; font-size: 90%%; }
"""


def stylesheet() -> str:
    """The mapping panel's ``<style>``, scoped to ``.mp-mapping-panel``."""
    tones = "\n".join(
        f".mp-mapping-panel .mp-tone-{tone} {{ border-color: {colour}; "
        f"background: {_mix(colour, 16)}; }}"
        for tone, colour in _TONE_COLOURS.items()
    )
    sheet = _SHEET % {"tones": tones, "swap_bg": _mix(_TONE_COLOURS["suggested"], 10)}
    return f"<style>{sheet}</style>"


def rejection(exc: BaseException) -> str:
    """The server's reasons for refusing an append, in words."""
    if isinstance(exc, JobFailedError):
        return f"job {exc.job.id} ended as {exc.job.status}: {exc.reason or 'no reason given'}."
    assert isinstance(exc, BadRequestError)
    detail = (exc.detail or str(exc)).rstrip(".")
    extra = exc.extra if isinstance(exc.extra, list) else []
    reasons = [
        f"{item.get('key')}: {item.get('message')}"
        for item in extra
        if isinstance(item, dict) and item.get("message")
    ]
    return detail + (" (" + "; ".join(reasons) + ")" if reasons else "") + "."
