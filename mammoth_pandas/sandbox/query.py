"""Parsing of query strings: batch, dataset and project listings, pages, ranges, sorts.

Every parameter arrives as a string; an empty string means "no filter". A malformed value
raises a 400 naming the parameter (see :func:`mammoth_pandas.sandbox.errors.param_error`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox.errors import param_error
from mammoth_pandas.sandbox.sql import INT_MAX
from mammoth_pandas.sandbox.timefmt import iso

_RANGE = re.compile(r"^\(\s*(?P<body>.*?)\s*\)$", re.S)
_BOUND = re.compile(r"^(?P<name>from|to)\s*:\s*'(?P<value>[^']*)'$")
_SORT_TERM = re.compile(r"^\(\s*(?P<field>[a-z_]+)\s*:\s*(?P<dir>[a-z]+)\s*\)$")


#: An open range: (from, to), either bound None.
Range = tuple[str | None, str | None]

#: Fields a dataset listing may be sorted on.
DATASET_SORTABLE = ("id", "name", "status", "created_at", "updated_at", "created_by")
#: Fields a project listing may be sorted on.
PROJECT_SORTABLE = ("id", "name", "status", "created_at", "updated_at")


@dataclass(frozen=True)
class Page:
    """``limit`` and ``offset`` of a listing."""

    limit: int
    offset: int = 0


@dataclass
class BatchQuery:
    """A parsed batch listing: projection, filters, order and page."""

    fields: tuple[str, ...]
    ids: list[int] | None = None
    states: list[str] | None = None
    row_counts: list[int] | None = None
    created: Range = (None, None)
    sort: list[tuple[str, str]] = field(default_factory=lambda: [("id", "asc")])
    page: Page = Page(contract.DEFAULT_LIMIT)


@dataclass
class DatasetQuery:
    """A parsed dataset listing: filters, order and page (the projection is separate)."""

    ids: list[int] | None = None
    names: list[str] | None = None
    statuses: list[str] | None = None
    created_by: list[str] | None = None
    source_types: list[str] | None = None
    created: Range = (None, None)
    updated: Range = (None, None)
    sort: list[tuple[str, str]] = field(default_factory=lambda: [("id", "asc")])
    page: Page = Page(contract.DEFAULT_LIMIT)


def parse_fields(raw: str | None, key: str = "fields") -> tuple[str, ...]:
    """Field names or presets (``__min``, ``__standard``, ``__full``), in request order."""
    text = (raw or "").strip()
    if not text:
        return contract.FIELD_PRESETS[contract.DEFAULT_FIELDS]
    out: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item in contract.FIELD_PRESETS:
            names = contract.FIELD_PRESETS[item]
        elif item in contract.BATCH_FIELDS:
            names = (item,)
        else:
            accepted = ", ".join((*contract.FIELD_PRESETS, *contract.BATCH_FIELDS))
            raise param_error(key, f"unknown field {item!r} (accepted: {accepted})")
        out.extend(name for name in names if name not in out)
    if not out:
        return contract.FIELD_PRESETS[contract.DEFAULT_FIELDS]
    return tuple(out)


def parse_int_list(raw: str | None, key: str, *, minimum: int = 0) -> list[int] | None:
    """A comma separated list of ints at least ``minimum`` (``None`` when empty)."""
    text = (raw or "").strip()
    if not text:
        return None
    values: list[int] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if not re.fullmatch(r"[+-]?\d+", item):
            raise param_error(key, f"{item!r} is not an integer (expected e.g. 1,2,3)")
        value = int(item)
        if value < minimum:
            raise param_error(key, f"{value} is below {minimum}")
        if value > INT_MAX:
            raise param_error(key, f"{value} is out of range (accepted: {minimum}..{INT_MAX})")
        values.append(value)
    return values or None


def parse_states(raw: str | None) -> list[str] | None:
    """A comma separated list of batch states (``None`` when empty)."""
    text = (raw or "").strip()
    if not text:
        return None
    states: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        if not item:
            continue
        if item not in contract.BATCH_STATES:
            accepted = ", ".join(contract.BATCH_STATES)
            raise param_error("status", f"unknown state {item!r} (accepted: {accepted})")
        states.append(item)
    return states or None


def parse_timestamp(value: str, key: str) -> str:
    """An ISO 8601 time as the store's UTC text; raises the 400 naming ``key``."""
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise param_error(key, f"{value!r} is not an ISO-8601 timestamp") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return iso(moment)


def parse_range(raw: str | None, key: str = "created_at") -> Range:
    """``(from:'…',to:'…')``; either bound may be missing or empty (open)."""
    text = (raw or "").strip()
    if not text:
        return None, None
    shape = "expected (from:'<ISO-8601>',to:'<ISO-8601>')"
    match = _RANGE.match(text)
    if match is None:
        raise param_error(key, shape)
    bounds: dict[str, str | None] = {"from": None, "to": None}
    body = match["body"]
    seen: set[str] = set()
    for part in (p.strip() for p in body.split(",")) if body else ():
        bound = _BOUND.match(part)
        if bound is None or bound["name"] in seen:
            raise param_error(key, shape)
        seen.add(bound["name"])
        if bound["value"].strip():
            bounds[bound["name"]] = parse_timestamp(bound["value"], key)
    return bounds["from"], bounds["to"]


def parse_sort(
    raw: str | None, sortable: tuple[str, ...] = contract.SORTABLE_FIELDS
) -> list[tuple[str, str]]:
    """``(field:asc|desc),…`` over the ``sortable`` fields; ``(id:asc)`` when empty."""
    text = (raw or "").strip()
    if not text:
        return [("id", "asc")]
    terms: list[tuple[str, str]] = []
    for item in re.split(r"(?<=\))\s*,\s*", text):
        match = _SORT_TERM.match(item.strip())
        if match is None:
            raise param_error("sort", f"{item!r} is not a term (field:asc|desc), e.g. (id:asc)")
        name, direction = match["field"], match["dir"]
        if name not in sortable:
            accepted = ", ".join(sortable)
            raise param_error("sort", f"cannot sort on {name!r} (accepted: {accepted})")
        if direction not in contract.SORT_DIRECTIONS:
            raise param_error("sort", f"direction {direction!r} is not asc or desc")
        terms.append((name, direction))
    return terms


def parse_int(raw: str | None, key: str, *, default: int, minimum: int, maximum: int | None) -> int:
    """An integer parameter within its bounds, ``default`` when empty."""
    text = (raw or "").strip()
    if not text:
        return default
    if not re.fullmatch(r"[+-]?\d+", text):
        raise param_error(key, f"{raw!r} is not an integer")
    value = int(text)
    top = INT_MAX if maximum is None else min(maximum, INT_MAX)
    if value < minimum or value > top:
        raise param_error(key, f"{value} is out of range (accepted: {minimum}..{top})")
    return value


def parse_page(args: Mapping[str, str], *, default: int = contract.DEFAULT_LIMIT) -> Page:
    """``limit`` (0..100) and ``offset`` (>= 0)."""
    return Page(
        parse_int(
            args.get("limit"), "limit", default=default, minimum=0, maximum=contract.MAX_LIMIT
        ),
        parse_int(args.get("offset"), "offset", default=0, minimum=0, maximum=None),
    )


def parse_text_list(raw: str | None) -> list[str] | None:
    """Comma separated values, stripped; None when there are none."""
    values = [item.strip() for item in (raw or "").split(",") if item.strip()]
    return values or None


def parse_batch_query(args: Mapping[str, str]) -> BatchQuery:
    """The batch listing's query string."""
    return BatchQuery(
        fields=parse_fields(args.get("fields")),
        ids=parse_int_list(args.get("id"), "id"),
        states=parse_states(args.get("status")),
        row_counts=parse_int_list(args.get("row_count"), "row_count"),
        created=parse_range(args.get("created_at")),
        sort=parse_sort(args.get("sort")),
        page=parse_page(args),
    )


def parse_dataset_query(args: Mapping[str, str]) -> DatasetQuery:
    """The dataset listing's query string (without ``fields``)."""
    return DatasetQuery(
        ids=parse_int_list(args.get("id"), "id"),
        names=parse_text_list(args.get("name")),
        statuses=parse_text_list(args.get("status")),
        created_by=parse_text_list(args.get("created_by")),
        source_types=parse_text_list(args.get("source_type")),
        created=parse_range(args.get("created_at"), "created_at"),
        updated=parse_range(args.get("updated_at"), "updated_at"),
        sort=parse_sort(args.get("sort"), DATASET_SORTABLE),
        page=parse_page(args),
    )
