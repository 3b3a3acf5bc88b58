"""Validation of write request bodies: the update patch and the create mapping.

Each check raises a 400 naming the offending field as a dotted path
(``patch.value.suspend``, ``mapping.1.source_c_id``), before anything is changed.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox.errors import body_error
from mammoth_pandas.sandbox.sql import INT_MAX, INT_MIN
from mammoth_pandas.sandbox.store import Db

#: The top-level keys of each write body; any other key is refused (400 naming it).
PATCH_KEYS = ("patch",)
CREATE_KEYS = ("source_id", "mapping", "validate_only", "delete_source_ds", "new_ds_details")


def refuse_unknown_keys(body: dict[str, Any], accepted: tuple[str, ...]) -> None:
    """A top-level key outside ``accepted`` is a 400 naming that key."""
    unknown = [key for key in body if key not in accepted]
    if unknown:
        raise body_error(str(unknown[0]), f"unknown key (accepted: {', '.join(accepted)})")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def validate_patch(body: Any) -> tuple[list[int], list[int]]:
    """A PATCH body's suspend and restore ids; raises the 400 naming what is wrong."""
    if not isinstance(body, dict) or "patch" not in body:
        raise body_error("patch", "required: {'patch': {'op', 'path', 'value'}}")
    refuse_unknown_keys(body, PATCH_KEYS)
    patch = body["patch"]
    if not isinstance(patch, dict):
        raise body_error("patch", "must be one operation object, not a list")
    if patch.get("op") not in contract.PATCH_OPS:
        raise body_error("patch.op", f"must be one of {', '.join(contract.PATCH_OPS)}")
    if patch.get("path") != "batches":
        raise body_error("patch.path", "must be 'batches'")
    value = patch.get("value")
    if not isinstance(value, dict):
        raise body_error("patch.value", "must be an object {'suspend': [...], 'restore': [...]}")
    unknown = sorted(set(value) - {"suspend", "restore"})
    if unknown:
        raise body_error("patch.value", f"unknown keys {unknown} (accepted: suspend, restore)")
    lists: dict[str, list[int]] = {}
    for name in ("suspend", "restore"):
        items = value.get(name)
        if items is None:
            items = []
        if not isinstance(items, list) or not all(_is_int(i) for i in items):
            raise body_error(f"patch.value.{name}", "must be a list of integer batch ids")
        beyond = [i for i in items if not INT_MIN <= i <= INT_MAX]
        if beyond:
            raise body_error(
                f"patch.value.{name}", f"batch ids out of range (accepted: up to {INT_MAX})"
            )
        lists[name] = list(dict.fromkeys(items))
    both = sorted(set(lists["suspend"]) & set(lists["restore"]))
    if both:
        raise body_error("patch.value", f"batches both suspended and restored: {both}")
    if not lists["suspend"] and not lists["restore"]:
        raise body_error("patch.value", "give at least one batch id to suspend or restore")
    return lists["suspend"], lists["restore"]


def validate_create(db: Db, destination: sqlite3.Row, body: Any) -> dict[str, Any]:
    """Check a create request against both schemas; the job's parameters on success."""
    if not isinstance(body, dict):
        raise body_error("body", "expected a JSON object")
    source_id = body.get("source_id")
    if not isinstance(source_id, int) or isinstance(source_id, bool):
        raise body_error("source_id", "required: the id of the dataset to append")
    refuse_unknown_keys(body, CREATE_KEYS)
    if not INT_MIN <= source_id <= INT_MAX:
        raise body_error("source_id", f"out of range (accepted: up to {INT_MAX})")
    for flag in ("validate_only", "delete_source_ds"):
        if not isinstance(body.get(flag, False), bool):
            raise body_error(flag, "must be true or false")
    details = body.get("new_ds_details")
    if details is not None and not (
        isinstance(details, dict) and isinstance(details.get("name"), str)
    ):
        raise body_error("new_ds_details", "must be null or {'name': <string>}")
    invalid = "INVALID_SOURCE_DATASET"
    if source_id == destination["id"]:
        raise body_error("source_id", "the source is the destination dataset itself", name=invalid)
    source = db.dataset(source_id)
    if source is None:
        raise body_error("source_id", f"dataset {source_id} does not exist", name=invalid)
    if (source["workspace_id"], source["project_id"]) != (
        destination["workspace_id"],
        destination["project_id"],
    ):
        raise body_error("source_id", f"dataset {source_id} is not in this project", name=invalid)
    mapping = body.get("mapping")
    if not isinstance(mapping, list) or not mapping:
        raise body_error("mapping", "required: a non-empty list of column mappings")
    pairs = _resolve_mapping(
        mapping, db.dataset_schema(destination["id"]), db.dataset_schema(source_id)
    )
    return {
        "dataset_id": destination["id"],
        "source_id": source_id,
        "mapping": pairs,
        "validate_only": bool(body.get("validate_only", False)),
        "delete_source_ds": bool(body.get("delete_source_ds", False)),
        "name": details["name"] if details else None,
    }


_BY_ID = ("destination_c_id", "source_c_id")
_BY_NAME = ("destination_c_name", "source_c_name")


def _resolve_mapping(
    mapping: list[Any], dest_schema: list[dict[str, str]], source_schema: list[dict[str, str]]
) -> list[list[Any]]:
    """``[destination c_id, source c_id, None]`` per item.

    An ``add_column`` item gives ``[None, source c_id, {"c_name", "c_type"}]`` (the column is
    created by the job).
    """
    style: str | None = None
    pairs: list[list[Any]] = []
    seen: set[str] = set()
    for index, item in enumerate(mapping):
        at = f"mapping.{index}"
        if not isinstance(item, dict):
            raise body_error(at, "must be an object", name="INVALID_MAPPING")
        if "action" in item:
            style = _check_style(item, style, at)
            pairs.append(_add_column(item, style, dest_schema, source_schema, at, seen))
            continue
        has_id = any(k in item for k in _BY_ID)
        has_name = any(k in item for k in _BY_NAME)
        if has_id and has_name:
            raise body_error(at, "mixes column ids and names", name="INVALID_MAPPING")
        if not has_id and not has_name:
            raise body_error(
                at,
                "needs destination_c_id/source_c_id or destination_c_name/source_c_name",
                name="INVALID_MAPPING",
            )
        style = _same_style(style, "id" if has_id else "name", at)
        dest_key, src_key = _BY_ID if style == "id" else _BY_NAME
        lookup = "c_id" if style == "id" else "c_name"
        dest_col = _column(item, dest_key, lookup, dest_schema, at, "destination")
        src_col = _column(item, src_key, lookup, source_schema, at, "source")
        expected = _expected_type(item, at)
        if expected != dest_col["c_type"].upper():
            raise body_error(
                f"{at}.expected_destination_c_type",
                f"is {expected} but destination column {dest_col['c_id']!r}"
                f" ({dest_col['c_name']}) is {dest_col['c_type'].upper()}",
                name="INVALID_MAPPING",
            )
        if dest_col["c_id"] in seen:
            raise body_error(
                f"{at}.{dest_key}",
                f"destination column {dest_col['c_id']!r} is mapped twice",
                name="INVALID_MAPPING",
            )
        seen.add(dest_col["c_id"])
        pairs.append([dest_col["c_id"], src_col["c_id"], None])
    return pairs


def _check_style(item: dict[str, Any], style: str | None, at: str) -> str:
    """The style (``id`` or ``name``) of an ``add_column`` item, by its source key."""
    kind = "id" if "source_c_id" in item else "name" if "source_c_name" in item else None
    if kind is None:
        raise body_error(f"{at}.source_c_id", "required: the source column", name="INVALID_MAPPING")
    return _same_style(style, kind, at)


def _same_style(style: str | None, kind: str, at: str) -> str:
    """``kind``, the style of the item at ``at``, unless earlier items used the other one."""
    if style is not None and style != kind:
        raise body_error(
            at,
            f"mapping is by {style} but this item is by {kind}; never mix",
            name="INVALID_MAPPING",
        )
    return kind


def _expected_type(item: dict[str, Any], at: str) -> str:
    """The item's ``expected_destination_c_type``, which must be one of the contract's."""
    expected = item.get("expected_destination_c_type")
    if expected not in contract.MAPPING_TYPES:
        raise body_error(
            f"{at}.expected_destination_c_type",
            f"must be one of {', '.join(contract.MAPPING_TYPES)}",
            name="INVALID_MAPPING",
        )
    return str(expected)


def _add_column(
    item: dict[str, Any],
    style: str,
    dest_schema: list[dict[str, str]],
    source_schema: list[dict[str, str]],
    at: str,
    seen: set[str],
) -> list[Any]:
    """A newer servers' item: ``{source_c_id, expected_destination_c_type, action: add_column}``."""
    if item["action"] != "add_column":
        raise body_error(f"{at}.action", "the only action is 'add_column'", name="INVALID_MAPPING")
    if any(k in item for k in ("destination_c_id", "destination_c_name")):
        raise body_error(at, "an add_column item has no destination column", name="INVALID_MAPPING")
    src_key, lookup = ("source_c_id", "c_id") if style == "id" else ("source_c_name", "c_name")
    src_col = _column(item, src_key, lookup, source_schema, at, "source")
    expected = _expected_type(item, at)
    name = src_col["c_name"]
    if any(c["c_name"] == name for c in dest_schema) or f"+{name}" in seen:
        raise body_error(
            f"{at}.{src_key}",
            f"the destination already has a column named {name!r}",
            name="INVALID_MAPPING",
        )
    seen.add(f"+{name}")
    return [None, src_col["c_id"], {"c_name": name, "c_type": expected.lower()}]


def _column(
    item: dict[str, Any],
    key: str,
    lookup: str,
    schema: list[dict[str, str]],
    at: str,
    side: str,
) -> dict[str, str]:
    value = item.get(key)
    if not isinstance(value, str) or not value:
        raise body_error(f"{at}.{key}", "required: a column " + lookup, name="INVALID_MAPPING")
    for column in schema:
        if column[lookup] == value:
            return column
    known = ", ".join(column[lookup] for column in schema)
    raise body_error(
        f"{at}.{key}",
        f"unknown {side} column {value!r} (known: {known})",
        name="INVALID_MAPPING",
    )
