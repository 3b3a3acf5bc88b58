"""Request bodies: a ``create``'s source and mapping items, an ``update``'s patch."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.params._values import id_list

_MAPPING_FORMS = (
    "a list of {destination_c_id, source_c_id[, expected_destination_c_type]} or of "
    "{destination_c_name, source_c_name, ...} items (not mixed), or a Mapping from "
    "mammoth_pandas.mapping"
)


def distinct_source(
    source: tuple[int, int, int],
    destination: tuple[int, int, int],
    *,
    field: str = "source_id",
    error: type[MammothInputError] = MammothInputError,
) -> None:
    """Refuse a ``create`` whose source is not another dataset of the destination's project.

    ``source`` and ``destination`` are ``(workspace_id, project_id, dataset_id)``; ``error``
    is the class raised (the mapping helper raises its
    :class:`~mammoth_pandas.errors.MappingError`), naming ``field``.
    """
    if source == destination:
        raise error(
            field,
            f"dataset {source[2]} is the destination itself",
            accepted="another dataset of the destination's project",
        )
    if source[:2] != destination[:2]:
        raise error(
            field,
            "the source dataset is in another workspace or project",
            accepted="a source dataset in the destination's project",
        )


def mapping_items(mapping: Any) -> list[dict[str, Any]]:
    """The items of a ``create`` body's ``mapping``: every item checked, types upper-cased.

    Accepts a list of items by id or by name (not mixed) or a ``Mapping`` from
    :mod:`mammoth_pandas.mapping` (its ``payload()``).
    """
    if hasattr(mapping, "payload") and callable(mapping.payload):
        mapping = mapping.payload()
        if isinstance(mapping, Mapping) and "mapping" in mapping:
            mapping = mapping["mapping"]
    if isinstance(mapping, (str, bytes)) or not isinstance(mapping, Iterable):
        raise MammothInputError("mapping", f"got {type(mapping).__name__}", accepted=_MAPPING_FORMS)
    items = [dict(item) if isinstance(item, Mapping) else item for item in mapping]
    if not items:
        raise MammothInputError("mapping", "the mapping is empty", accepted=_MAPPING_FORMS)
    kinds = set()
    for n, item in enumerate(items):
        if not isinstance(item, dict):
            raise MammothInputError("mapping", f"item {n} is not a dict", accepted=_MAPPING_FORMS)
        by_id = "destination_c_id" in item or "source_c_id" in item
        by_name = "destination_c_name" in item or "source_c_name" in item
        if by_id and by_name:
            raise MammothInputError(
                "mapping", f"item {n} mixes ids and names", accepted=_MAPPING_FORMS
            )
        if not by_id and not by_name:
            raise MammothInputError("mapping", f"item {n} names no column", accepted=_MAPPING_FORMS)
        kinds.add("id" if by_id else "name")
        for key, value in item.items():
            if key == "expected_destination_c_type":
                kind = C.column_type(value)
                if kind not in C.COLUMN_TYPES:
                    raise MammothInputError(
                        f"mapping[{n}].expected_destination_c_type",
                        f"got {value!r}",
                        accepted=", ".join(C.MAPPING_TYPES),
                    )
                item[key] = kind.upper()
            elif key == "action":
                if value != "add_column":
                    raise MammothInputError(
                        f"mapping[{n}].action", f"got {value!r}", accepted="add_column"
                    )
            elif not isinstance(value, str) or not value:
                raise MammothInputError(
                    f"mapping[{n}].{key}",
                    f"got {value!r}",
                    accepted="a non-empty column id or name",
                )
    if len(kinds) > 1:
        raise MammothInputError(
            "mapping", "some items map by id and others by name", accepted=_MAPPING_FORMS
        )
    return items


def batch_patch(patch: Any, suspend: Any, restore: Any) -> dict[str, Any]:
    """The ``patch`` of an ``update`` body, from the seed's ``patch=`` or ``suspend=``/``restore=``.

    Refuses both forms at once, an empty patch and ids both suspended and restored.
    """
    accepted = (
        '{"op": "replace", "path": "batches", "value": {"suspend": [...], "restore": [...]}}, '
        "or suspend=/restore= lists of ids"
    )
    if patch is not None and (suspend is not None or restore is not None):
        raise MammothInputError(
            "patch", "give patch= or suspend=/restore=, not both", accepted=accepted
        )
    if patch is not None:
        if not isinstance(patch, Mapping):
            raise MammothInputError("patch", f"got {type(patch).__name__}", accepted=accepted)
        op = patch.get("op", "replace")
        op = getattr(op, "value", op)
        if op not in C.PATCH_OPS:
            raise MammothInputError("patch.op", f"got {op!r}", accepted=", ".join(C.PATCH_OPS))
        path = getattr(patch.get("path", "batches"), "value", patch.get("path", "batches"))
        if path != "batches":
            raise MammothInputError("patch.path", f"got {path!r}", accepted="batches")
        unknown = set(patch) - {"op", "path", "value"}
        if unknown:
            raise MammothInputError("patch", f"unknown keys {sorted(unknown)}", accepted=accepted)
        value = patch.get("value")
        if not isinstance(value, Mapping):
            raise MammothInputError("patch.value", f"got {value!r}", accepted=accepted)
        extra = set(value) - {"suspend", "restore"}
        if extra:
            raise MammothInputError(
                "patch.value", f"unknown keys {sorted(extra)}", accepted="suspend, restore"
            )
        suspend, restore = value.get("suspend"), value.get("restore")
    else:
        op = "replace"
    to_suspend = [] if suspend is None else id_list("suspend", suspend)
    to_restore = [] if restore is None else id_list("restore", restore)
    if not to_suspend and not to_restore:
        raise MammothInputError(
            "suspend" if patch is None else "patch.value",
            "no batch ids to suspend or restore",
            accepted="at least one id",
        )
    both = set(to_suspend) & set(to_restore)
    if both:
        raise MammothInputError(
            "restore",
            f"ids {sorted(both)} are both suspended and restored",
            accepted="disjoint lists",
        )
    value_out: dict[str, list[int]] = {}
    if to_suspend:
        value_out["suspend"] = to_suspend
    if to_restore:
        value_out["restore"] = to_restore
    return {"op": op, "path": "batches", "value": value_out}
