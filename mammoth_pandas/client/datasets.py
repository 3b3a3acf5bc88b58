"""``client.datasets``: dataset details, schemas and listings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mammoth_pandas import catalog, frames
from mammoth_pandas import contract as C
from mammoth_pandas import params as P
from mammoth_pandas._answers import (
    COLUMN_STATS,
    DATASET,
    DATASET_LISTING,
)
from mammoth_pandas.client._base import Resource
from mammoth_pandas.client._routes import (
    column_stats_path,
    dataset_data_path,
    dataset_path,
    datasets_path,
)
from mammoth_pandas.client.data import expected_rows, plan_read

__all__ = ["DatasetsAPI"]


class DatasetsAPI(Resource):
    """``client.datasets``: dataset details, schemas and listings."""

    def get(self, workspace_id: int, project_id: int, dataset_id: int) -> dict[str, Any]:
        """The dataset's details as a dict (``id``, ``name``, ``data_schema``, ``stats``…)."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        body = self._t.get(dataset_path(*ids), expect=DATASET)
        dataset: dict[str, Any] = body["dataset"]
        return dataset

    def schema(self, workspace_id: int, project_id: int, dataset_id: int) -> pd.DataFrame:
        """The dataset's columns: ``c_id``, ``c_name``, ``c_type`` (lowercase)."""
        dataset = self.get(workspace_id, project_id, dataset_id)
        schema = frames.schema_frame(list(dataset.get("data_schema") or []))
        schema.attrs = {"mammoth_dataset": [int(workspace_id), int(project_id), int(dataset_id)]}
        return schema

    def list(
        self,
        workspace_id: int | None = None,
        project_id: int | None = None,
        *,
        id: Any = None,
        name: Any = None,
        status: Any = None,
        created_at: Any = None,
        updated_at: Any = None,
        created_by: Any = None,
        source_type: Any = None,
        sort: Any = None,
        fields: Any = None,
        limit: Any = None,
        page_size: Any = C.MAX_LIMIT,
    ) -> pd.DataFrame:
        """Every dataset of the project (all pages), indexed by dataset id.

        Args:
            workspace_id: the workspace; the credential's own when omitted.
            project_id: the project; when omitted, the workspace's only project (or the
                one the credential is pinned to).
            id: dataset ids (a list or ``"1,2"``).
            name: exact dataset names.
            status: dataset statuses (``ready``, ``processing``, …).
            created_at: a time range, in the forms batch listings take.
            updated_at: a time range, likewise.
            created_by: the creators' names or ids.
            source_type: source types (``file``, ``dataset``, ``webhook``, …).
            sort: sort terms (e.g. ``"-created_at"``) on id, name, status, created_at,
                updated_at.
            fields: the dataset fields to ask for (the newer ``description``,
                ``resource_path``, ``data_url``, ``additional_info`` become columns).
            limit: at most this many datasets.
            page_size: datasets per request (1..100).

        ``batch_count`` and ``row_count`` come from the dataset's stats, which count its
        **active** batches only (suspended batches keep their rows outside the dataset).
        Pages are read through the same :class:`~mammoth_pandas._paging.Pager` as batch
        listings, so a project changing during the read neither repeats nor hides one.
        """
        chosen = P.catalog_fields("fields", fields, catalog.DATASET_FIELDS)
        query: dict[str, Any] = {}
        if chosen:
            query["fields"] = ",".join(chosen)
        if id is not None:
            ids = P.id_list("id", id)
            if not ids:
                return catalog.dataset_listing_frame([], chosen)
            query["id"] = ",".join(map(str, ids))
        for key, value in (
            ("name", name),
            ("created_by", created_by),
            ("source_type", source_type),
        ):
            if value is not None:
                query[key] = ",".join(P.names(key, value))
        if status is not None:
            query["status"] = ",".join(P.dataset_statuses(status))
        for key, value in (("created_at", created_at), ("updated_at", updated_at)):
            wire = P.created_at(value, key)
            if wire:
                query[key] = wire
        wire_sort = P.sort(sort, sortable=catalog.DATASET_SORTABLE)
        if wire_sort:
            query["sort"] = wire_sort
        most = P.limit(limit)
        size = P.page_size(page_size)
        ws, pr = self._client._project_ids(workspace_id, project_id)
        if most == 0:
            return catalog.dataset_listing_frame([], chosen)
        records = self._read_listing(
            datasets_path(ws, pr), query, DATASET_LISTING, page_size=size, limit=most,
            noun="dataset",
        )  # fmt: skip
        return catalog.dataset_listing_frame(records, chosen)

    def data(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        columns: Any = None,
        limit: Any = None,
        offset: Any = 0,
        max_workers: int | None = None,
    ) -> pd.DataFrame:
        """The dataset's rows (its active batches'), typed from its schema.

        Args:
            workspace_id: the workspace.
            project_id: the project.
            dataset_id: the dataset.
            columns: column names or c_ids (one, or a list); all columns by default.
            limit: at most this many rows (all by default: every page is read).
            offset: the first row to read (0 by default).
            max_workers: pages in flight at once (the client's ``max_workers`` by default).

        Columns carry the display names; numeric columns are ``Int64`` or ``Float64``,
        dates UTC, text ``string``; values that do not parse become NA and are counted in
        ``frame.attrs["unparsed"]``. A read that ends short of the dataset's row count
        raises rather than return a partial frame.
        """
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        most, first = P.row_limit(limit), P.non_negative_int("offset", offset)
        workers = self._workers(max_workers)
        dataset = self.get(*ids)
        read = plan_read(
            dataset, dataset_data_path(*ids), columns, limit=most, offset=first,
            what=f"dataset {ids[2]}", total=expected_rows(dataset, "stats", "row_count"),
        )  # fmt: skip
        return self._client._read_rows(read, workers)

    def column_stats(
        self, workspace_id: int | None = None, project_id: int | None = None
    ) -> pd.DataFrame:
        """Per-column statistics of the project's datasets, newest dataset first.

        One row per dataset column: ``dataset_id``, ``dataset``, ``column``, ``type``,
        ``blanks``, ``blank_share`` (0–1), ``distinct``, ``rows``. The server keeps them
        from the last load; nothing is computed on request.
        """
        ws, pr = self._client._project_ids(workspace_id, project_id)
        body = self._t.get(column_stats_path(ws, pr), expect=COLUMN_STATS)
        return catalog.column_stats_frame(body)
