"""A handle on one dataset, for notebooks.

::

    ds = client.dataset(1, 1, 101)
    ds.batches(state="active")          # DataFrame
    ds.suspend([5, 6])                  # Job (waited for)
    ds.schema()                         # c_id, c_name, c_type

A handle holds ids and its client, of which it uses ``batches`` and ``datasets``
(:class:`DatasetClient`); it does not import the client, which makes handles.
"""

from __future__ import annotations

from typing import Any, Protocol

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas.jobs import Job

__all__ = ["BatchHandle", "DatasetClient", "DatasetHandle"]


class DatasetClient(Protocol):
    """What a :class:`DatasetHandle` uses of its client (a ``MammothClient``)."""

    @property
    def batches(self) -> Any:
        """The client's batch operations (``client.batches``)."""
        ...

    @property
    def datasets(self) -> Any:
        """The client's dataset reads (``client.datasets``)."""
        ...


class DatasetHandle:
    """One dataset of one project: its batches, schema and the actions on them."""

    def __init__(
        self, client: DatasetClient, workspace_id: int, project_id: int, dataset_id: int
    ) -> None:
        self.client = client
        self.workspace_id, self.project_id, self.dataset_id = P.dataset_ids(
            workspace_id, project_id, dataset_id
        )

    @property
    def ids(self) -> tuple[int, int, int]:
        """``(workspace_id, project_id, dataset_id)``."""
        return (self.workspace_id, self.project_id, self.dataset_id)

    def __repr__(self) -> str:
        return (
            f"DatasetHandle(workspace_id={self.workspace_id}, project_id={self.project_id}, "
            f"dataset_id={self.dataset_id})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, DatasetHandle)
            and other.client is self.client
            and other.ids == self.ids
        )

    def __hash__(self) -> int:
        return hash((id(self.client), self.ids))

    # -- reads ---------------------------------------------------------------------------

    def batches(self, **filters: Any) -> pd.DataFrame:
        """The dataset's batches (all pages); filters as in ``client.batches.list``."""
        return self.client.batches.list(*self.ids, **filters)

    def iter_pages(self, **filters: Any) -> Any:
        """The dataset's batches page by page (``client.batches.iter_pages``)."""
        return self.client.batches.iter_pages(*self.ids, **filters)

    def get(self, batch_id: int, **kwargs: Any) -> pd.Series:
        """One batch's fields as a Series (``client.batches.get``)."""
        return self.client.batches.get(*self.ids, batch_id, **kwargs)

    def info(self) -> dict[str, Any]:
        """The dataset's details (name, status, stats, data_schema…)."""
        return self.client.datasets.get(*self.ids)

    def schema(self) -> pd.DataFrame:
        """The dataset's columns: ``c_id``, ``c_name``, ``c_type``."""
        return self.client.datasets.schema(*self.ids)

    def schema_records(self) -> list[dict[str, Any]]:
        """The dataset's columns as records (``c_id``, ``c_name``, ``c_type`` lowercase).

        The mapping helper reads a dataset's schema this way: no frame in between.
        """
        columns = self.client.datasets.get(*self.ids).get("data_schema") or []
        return [
            {**c, "c_type": C.column_type(c.get("c_type"))} for c in columns if isinstance(c, dict)
        ]

    def batch(self, batch_id: int) -> BatchHandle:
        """A handle on one batch of this dataset: ``.to_frame()`` reads its rows."""
        return BatchHandle(self, batch_id)

    def data(self, columns: Any = None, limit: int | None = None, **kwargs: Any) -> pd.DataFrame:
        """The dataset's rows (all, or the first ``limit``), typed from its schema."""
        frame: pd.DataFrame = self.client.datasets.data(
            *self.ids, columns=columns, limit=limit, **kwargs
        )
        return frame

    # -- actions -------------------------------------------------------------------------

    def suspend(self, ids: P.IdsLike, *, wait: bool = True, timeout: float = 60.0) -> Job:
        """Suspend batches: they keep their rows but leave the dataset's data."""
        return self.client.batches.update(*self.ids, suspend=ids, wait=wait, timeout=timeout)

    def restore(self, ids: P.IdsLike, *, wait: bool = True, timeout: float = 60.0) -> Job:
        """Bring suspended batches back into the dataset's data."""
        return self.client.batches.update(*self.ids, restore=ids, wait=wait, timeout=timeout)

    def delete(self, ids: P.IdsLike, *, wait: bool = True, timeout: float = 60.0) -> Job:
        """Delete one batch (an id) or several (a list) and their data."""
        return self.client.batches.remove(*self.ids, ids, wait=wait, timeout=timeout)

    def append_from(
        self,
        source_id: Any,
        mapping: Any,
        *,
        validate_only: bool = False,
        delete_source_ds: bool = False,
        wait: bool = True,
        timeout: float = 60.0,
    ) -> Job:
        """Append dataset ``source_id``'s rows as a new batch, columns per ``mapping``.

        ``mapping`` is a list of mapping items, or a ``Mapping`` from ``derive_mapping``.
        """
        if isinstance(source_id, DatasetHandle):
            source_id = source_id.dataset_id
        return self.client.batches.create(
            *self.ids,
            source_id=source_id,
            mapping=mapping,
            validate_only=validate_only,
            delete_source_ds=delete_source_ds,
            wait=wait,
            timeout=timeout,
        )

    def panel(self, **kwargs: Any) -> Any:
        """An ipywidgets panel to browse and act on this dataset's batches.

        Returns:
            A :class:`~mammoth_pandas.widgets.BatchPanel` on this dataset.
        """
        # Deliberate lazy import: the widgets sit above the client in the layering, and
        # importing the client must not import ipywidgets.
        from mammoth_pandas.widgets import BatchPanel

        return BatchPanel(self, **kwargs)


class BatchHandle:
    """One batch of one dataset: its details, its rows, and the actions on it."""

    def __init__(self, dataset: DatasetHandle, batch_id: int) -> None:
        """Bind ``batch_id`` (validated) to ``dataset``."""
        self.dataset = dataset
        self.batch_id = P.batch_id(batch_id)

    @property
    def ids(self) -> tuple[int, int, int, int]:
        """``(workspace_id, project_id, dataset_id, batch_id)``."""
        return (*self.dataset.ids, self.batch_id)

    def __repr__(self) -> str:
        ws, pr, ds = self.dataset.ids
        return (
            f"BatchHandle(workspace_id={ws}, project_id={pr}, dataset_id={ds}, "
            f"batch_id={self.batch_id})"
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, BatchHandle)
            and other.dataset == self.dataset
            and (other.batch_id == self.batch_id)
        )

    def __hash__(self) -> int:
        return hash((self.dataset, self.batch_id))

    def info(self, **kwargs: Any) -> pd.Series:
        """The batch's fields as a Series (``client.batches.get``)."""
        series: pd.Series = self.dataset.client.batches.get(*self.ids, **kwargs)
        return series

    def to_frame(
        self, columns: Any = None, limit: int | None = None, **kwargs: Any
    ) -> pd.DataFrame:
        """The batch's rows (all, or the first ``limit``), typed from the dataset's schema."""
        frame: pd.DataFrame = self.dataset.client.batches.data(
            *self.ids, columns=columns, limit=limit, **kwargs
        )
        return frame

    def head(self, n: int = 10, columns: Any = None) -> pd.DataFrame:
        """The batch's first ``n`` rows (one request for up to 100)."""
        return self.to_frame(columns=columns, limit=n)

    def suspend(self, **kwargs: Any) -> Job:
        """Suspend this batch (see ``DatasetHandle.suspend``)."""
        return self.dataset.suspend([self.batch_id], **kwargs)

    def restore(self, **kwargs: Any) -> Job:
        """Restore this batch (see ``DatasetHandle.restore``)."""
        return self.dataset.restore([self.batch_id], **kwargs)

    def delete(self, **kwargs: Any) -> Job:
        """Delete this batch and its rows (see ``DatasetHandle.delete``)."""
        return self.dataset.delete(self.batch_id, **kwargs)
