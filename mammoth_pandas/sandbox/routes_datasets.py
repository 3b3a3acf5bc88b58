"""Dataset routes: list, get, the rows of a batch or a dataset (jobs), column statistics."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from mammoth_pandas.sandbox.errors import ApiError, json_response
from mammoth_pandas.sandbox.query import parse_dataset_query, parse_page
from mammoth_pandas.sandbox.reads import UNREADABLE_STATES, parse_columns
from mammoth_pandas.sandbox.views import dataset_fields, datasets_json
from mammoth_pandas.sandbox.web import DS, Routes, page_body

#: Rows per data read page by default (the maximum is the listings' 100).
DATA_DEFAULT_LIMIT = 50

RULES = [
    Rule(DS, endpoint="list_datasets", methods=["GET"]),
    Rule(DS + "/column-stats", endpoint="column_stats", methods=["GET"]),
    Rule(DS + "/<int:ds>", endpoint="get_dataset", methods=["GET"]),
    Rule(DS + "/<int:ds>/data", endpoint="dataset_data", methods=["GET"]),
    Rule(DS + "/<int:ds>/batches/<int:batch_id>/data", endpoint="batch_data", methods=["GET"]),
]


class DatasetRoutes(Routes):
    """Handlers of the dataset routes."""

    def on_list_datasets(self, request: Request, ws: int, pr: int) -> Response:
        """``GET …/datasets`` with filters, ranges, sort and the newer fields."""
        fields = dataset_fields(request.args.get("fields"))
        query = parse_dataset_query(request.args)
        with self.store.read() as db:
            self._project(db, ws, pr)
            rows = db.datasets_page(ws, pr, query)
            items: list[Any] = datasets_json(db, rows[: query.page.limit], fields)
        items += rows[query.page.limit :]  # the one row beyond the page says "more"
        base = f"api/v2/workspaces/{ws}/projects/{pr}/datasets"
        return json_response(page_body("datasets", items, base, request, query.page))

    def on_get_dataset(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        """``GET …/datasets/{ds}``."""
        fields = dataset_fields(request.args.get("fields"))
        with self.store.read() as db:
            row = self._dataset(db, ws, pr, ds)
            return json_response({"dataset": datasets_json(db, [row], fields)[0]})

    def on_column_stats(self, request: Request, ws: int, pr: int) -> Response:
        """``GET …/datasets/column-stats``: the statistics stored at the last change."""
        with self.store.read() as db:
            self._project(db, ws, pr)
            return json_response({"datasets": db.column_stats(ws, pr)})

    def on_batch_data(self, request: Request, ws: int, pr: int, ds: int, batch_id: int) -> Response:
        """``GET …/batches/{batch_id}/data``: a job whose response holds the rows."""
        return self._read(request, ws, pr, ds, batch_id)

    def on_dataset_data(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        """``GET …/datasets/{ds}/data``: the active batches' rows, as a job."""
        return self._read(request, ws, pr, ds, None)

    def _read(self, request: Request, ws: int, pr: int, ds: int, batch_id: int | None) -> Response:
        page = parse_page(request.args, default=DATA_DEFAULT_LIMIT)
        with self.store.write() as db:
            row = self._dataset(db, ws, pr, ds)
            if batch_id is not None:
                batch = db.batch(ds, batch_id)
                if batch is None:
                    raise ApiError("NOT_FOUND", f"Batch {batch_id} not found in dataset {ds}")
                if batch["state"] in UNREADABLE_STATES:
                    raise ApiError(
                        "BATCH_BEING_DELETED",
                        f"Batch {batch_id} is being deleted; its rows cannot be read",
                        extra=[{"key": "batch_id", "message": f"state is {batch['state']}"}],
                    )
            columns = parse_columns(request.args.get("columns"), json.loads(row["data_schema"]))
            params: dict[str, Any] = {
                "dataset_id": ds,
                "batch_id": batch_id,
                "columns": columns,
                "limit": page.limit,
                "offset": page.offset,
            }
            operation = "read_dataset_data" if batch_id is None else "read_batch_data"
            job_id = self._job(db, request, operation, params)
        self.runner.notify()
        return json_response({"status_code": 202, "job_id": job_id}, 202)
