"""Parsing of the batch listing's query string into one SQL query.

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
from mammoth_pandas.sandbox.store import INT_MAX, iso

_RANGE = re.compile(r"^\(\s*(?P<body>.*?)\s*\)$", re.S)
_BOUND = re.compile(r"^(?P<name>from|to)\s*:\s*'(?P<value>[^']*)'$")
_SORT_TERM = re.compile(r"^\(\s*(?P<field>[a-z_]+)\s*:\s*(?P<dir>[a-z]+)\s*\)$")


@dataclass
class BatchQuery:
    fields: tuple[str, ...]
    ids: list[int] | None = None
    states: list[str] | None = None
    row_counts: list[int] | None = None
    created_from: str | None = None
    created_to: str | None = None
    sort: list[tuple[str, str]] = field(default_factory=lambda: [("id", "asc")])
    limit: int = contract.DEFAULT_LIMIT
    offset: int = 0

    def where(self, dataset_id: int) -> tuple[str, list[object]]:
        clauses = ["dataset_id = ?"]
        params: list[object] = [dataset_id]
        for column, values in (
            ("id", self.ids),
            ("state", self.states),
            ("row_count", self.row_counts),
        ):
            if values is not None:
                clauses.append(f"{column} IN ({','.join('?' * len(values))})")
                params.extend(values)
        if self.created_from is not None:
            clauses.append("created_at >= ?")
            params.append(self.created_from)
        if self.created_to is not None:
            clauses.append("created_at <= ?")
            params.append(self.created_to)
        return " AND ".join(clauses), params

    def order_by(self) -> str:
        terms = [f"{name} {direction.upper()}" for name, direction in self.sort]
        if all(name != "id" for name, _ in self.sort):
            terms.append("id ASC")
        return ", ".join(terms)


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


def parse_created_at(raw: str | None) -> tuple[str | None, str | None]:
    """``(from:'…',to:'…')``; either bound may be missing or empty (open)."""
    text = (raw or "").strip()
    if not text:
        return None, None
    match = _RANGE.match(text)
    if match is None:
        raise param_error("created_at", "expected (from:'<ISO-8601>',to:'<ISO-8601>')")
    bounds: dict[str, str | None] = {"from": None, "to": None}
    body = match["body"]
    seen: set[str] = set()
    for part in (p.strip() for p in body.split(",")) if body else ():
        bound = _BOUND.match(part)
        if bound is None or bound["name"] in seen:
            raise param_error("created_at", "expected (from:'<ISO-8601>',to:'<ISO-8601>')")
        seen.add(bound["name"])
        if bound["value"].strip():
            bounds[bound["name"]] = parse_timestamp(bound["value"], "created_at")
    return bounds["from"], bounds["to"]


def parse_sort(raw: str | None) -> list[tuple[str, str]]:
    text = (raw or "").strip()
    if not text:
        return [("id", "asc")]
    terms: list[tuple[str, str]] = []
    for item in re.split(r"(?<=\))\s*,\s*", text):
        match = _SORT_TERM.match(item.strip())
        if match is None:
            raise param_error("sort", f"{item!r} is not a term (field:asc|desc), e.g. (id:asc)")
        name, direction = match["field"], match["dir"]
        if name not in contract.SORTABLE_FIELDS:
            accepted = ", ".join(contract.SORTABLE_FIELDS)
            raise param_error("sort", f"cannot sort on {name!r} (accepted: {accepted})")
        if direction not in contract.SORT_DIRECTIONS:
            raise param_error("sort", f"direction {direction!r} is not asc or desc")
        terms.append((name, direction))
    return terms


def parse_int(raw: str | None, key: str, *, default: int, minimum: int, maximum: int | None) -> int:
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


def parse_batch_query(args: Mapping[str, str]) -> BatchQuery:
    created_from, created_to = parse_created_at(args.get("created_at"))
    return BatchQuery(
        fields=parse_fields(args.get("fields")),
        ids=parse_int_list(args.get("id"), "id"),
        states=parse_states(args.get("status")),
        row_counts=parse_int_list(args.get("row_count"), "row_count"),
        created_from=created_from,
        created_to=created_to,
        sort=parse_sort(args.get("sort")),
        limit=parse_int(
            args.get("limit"),
            "limit",
            default=contract.DEFAULT_LIMIT,
            minimum=0,
            maximum=contract.MAX_LIMIT,
        ),
        offset=parse_int(args.get("offset"), "offset", default=0, minimum=0, maximum=None),
    )
