"""Sending a mapping: ``batches.create`` between two datasets, checked before anything is sent."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

from mammoth_pandas import params as P
from mammoth_pandas.errors import MappingError

if TYPE_CHECKING:
    from mammoth_pandas.jobs import Job
    from mammoth_pandas.mapping.sides import Side

__all__ = ["Sendable", "create"]


class Sendable(Protocol):
    """What sending reads of a mapping (:class:`~mammoth_pandas.mapping.model.Mapping`)."""

    source: Side
    destination: Side

    @property
    def client(self) -> Any:
        """The client to send with (``None``: the destination's)."""

    def payload(self, *, by: str = "id") -> list[dict[str, str]]:
        """The ``mapping`` items of the ``create`` body."""


def create(mapping: Sendable, *, validate_only: bool, wait: bool) -> Job:
    """``batches.create`` for a mapping between two datasets of one project."""
    src, dest = mapping.source.dataset, mapping.destination.dataset
    for side, handle in (("source", src), ("destination", dest)):
        if handle is None:
            raise MappingError(
                side,
                f"the {side} is a {_side_kind(mapping, side)}, not a dataset",
                accepted="derive_mapping() with a DatasetHandle (or dataset id) on both sides",
            )
    assert src is not None
    assert dest is not None
    P.distinct_source(
        (src.workspace_id, src.project_id, src.dataset_id),
        (dest.workspace_id, dest.project_id, dest.dataset_id),
        field="source",
        error=MappingError,
    )
    payload = mapping.payload()
    if not payload:
        raise MappingError(
            "mapping", "no destination column is filled", accepted="at least one mapped column"
        )
    client = mapping.client or dest.client
    return client.batches.create(
        dest.workspace_id,
        dest.project_id,
        dest.dataset_id,
        source_id=src.dataset_id,
        mapping=payload,
        validate_only=validate_only,
        wait=wait,
    )


def _side_kind(mapping: Sendable, role: str) -> str:
    side = mapping.source if role == "source" else mapping.destination
    return {"frame": "DataFrame", "schema": "schema"}.get(side.kind, side.kind)
