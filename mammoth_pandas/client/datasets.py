"""``client.datasets``: dataset details, schemas and listings."""

from __future__ import annotations

from typing import Any

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas import frames
from mammoth_pandas import params as P
from mammoth_pandas._answers import DATASET, DATASET_LISTING, Records, listing_page
from mammoth_pandas._paging import Page, Pager
from mammoth_pandas.client._base import Resource
from mammoth_pandas.client._routes import dataset_path, datasets_path

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
        self, workspace_id: int, project_id: int, *, page_size: int = C.MAX_LIMIT
    ) -> pd.DataFrame:
        """Every dataset of the project (all pages), indexed by dataset id.

        Pages are read through the same :class:`~mammoth_pandas._paging.Pager` as batch
        listings, so a project changing during the read neither repeats nor hides one.
        """
        ws = P.path_id("workspace_id", workspace_id, minimum=1)
        pr = P.path_id("project_id", project_id, minimum=1)
        size = P.page_size(page_size)
        path = datasets_path(ws, pr)

        def fetch(offset: int, limit: int) -> Page:
            query = {"limit": limit, "offset": offset}
            return listing_page(self._t.get(path, query, expect=DATASET_LISTING), DATASET_LISTING)

        records: Records = []
        pager = Pager(fetch, start=0, page_size=size, limit=None, workers=1, noun="dataset")
        for page in pager:
            records.extend(page)
        return frames.dataset_frame(records)
