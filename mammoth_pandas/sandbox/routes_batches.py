"""Batch routes: list, get, create (append), remove, delete, update (suspend / restore)."""

from __future__ import annotations

import json
from typing import Any

from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from mammoth_pandas.sandbox.bodies import validate_create, validate_patch
from mammoth_pandas.sandbox.errors import ApiError, param_error
from mammoth_pandas.sandbox.listing_index import DEEP_OFFSET, ListingIndex
from mammoth_pandas.sandbox.query import (
    BatchQuery,
    parse_batch_query,
    parse_fields,
    parse_int_list,
)
from mammoth_pandas.sandbox.store import Db
from mammoth_pandas.sandbox.web import DS, Routes, json_body, next_link_of

B = DS + "/<int:ds>/batches"

RULES = [
    Rule(B, endpoint="list_batches", methods=["GET"]),
    Rule(B, endpoint="create_batch", methods=["POST"]),
    Rule(B, endpoint="remove_batches", methods=["DELETE"]),
    Rule(B, endpoint="update_batches", methods=["PATCH"]),
    Rule(B + "/<int:batch_id>", endpoint="get_batch", methods=["GET"]),
    Rule(B + "/<int:batch_id>", endpoint="delete_batch", methods=["DELETE"]),
]


class BatchRoutes(Routes):
    """Handlers of the batch routes."""

    _listing_extras: dict[int, tuple[int, str]]
    _listing_index: ListingIndex

    def on_list_batches(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        """``GET …/batches``: one query for the page, rendered by SQLite."""
        body = self.batches_listing(request.args, ws, pr, ds)
        return Response(body, status=200, content_type="application/json")

    def batches_listing(self, args: MultiDict[str, str], ws: int, pr: int, ds: int) -> str:
        """The body of a batch listing's page, from its query string's ``args``.

        Each batch's text comes from the database as it is (stored when the batch was written,
        or rendered by SQLite), and Python only joins them.
        """
        query = parse_batch_query(args)
        generation = self.store.generation
        with self.store.read() as db:
            self._dataset(db, ws, pr, ds)  # the snapshot begins with this first query
            known = generation if self.store.stable(generation) else None
            items = self._page(db, ds, query, known)
            extras = self._extras(db, ds, known)
        limit, offset = query.page.limit, query.page.offset
        more = len(items) > limit and limit > 0
        base = f"api/v2/workspaces/{ws}/projects/{pr}/datasets/{ds}/batches"
        link = json.dumps(next_link_of(base, args, limit, offset, more))
        return (
            f'{{"batches":[{",".join(items[:limit])}],"next":{link},'
            f'"offset":{offset},"limit":{limit}{extras}}}'
        )

    def _page(self, db: Db, ds: int, query: BatchQuery, generation: int | None) -> list[str]:
        """``limit + 1`` batches from the offset.

        The offset is skipped by the database on shallow pages; the batches are looked up through
        the listing index on deep ones.
        """
        offset, count = query.page.offset, query.page.limit + 1
        if generation is None or offset < DEEP_OFFSET or query.page.limit == 0:
            return db.batches_page(ds, query)
        key = (ds, tuple(query.sort), _shape(query))
        ids = self._listing_index.window(
            key, generation, offset, count, lambda: db.listing_ids(ds, query)
        )
        return db.batches_by_ids(ids, query)

    def _extras(self, db: Db, ds: int, generation: int | None) -> str:
        """``active_batches`` (and ``pending_batches`` when a file waits) as a JSON fragment.

        Computed once per committed write, not once per page.
        """
        cached = self._listing_extras.get(ds)
        if cached is not None and generation is not None and cached[0] == generation:
            return cached[1]
        fragment = f',"active_batches":{db.active_batch_count(ds)}'
        pending = db.pending_batches(ds)
        if pending:
            fragment += ',"pending_batches":' + json.dumps(pending, separators=(",", ":"))
        if generation is not None:
            self._listing_extras[ds] = (generation, fragment)
        return fragment

    def on_get_batch(self, request: Request, ws: int, pr: int, ds: int, batch_id: int) -> Response:
        """``GET …/batches/{batch_id}``."""
        fields = parse_fields(request.args.get("fields"))
        with self.store.read() as db:
            self._dataset(db, ws, pr, ds)
            text = db.batch_json(ds, batch_id, fields)
        if text is None:
            raise ApiError("NOT_FOUND", f"Batch {batch_id} not found in dataset {ds}")
        return Response(f'{{"batch":{text}}}', status=200, content_type="application/json")

    def on_create_batch(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        """``POST …/batches``: append another dataset's rows (a job)."""
        body = json_body(request)

        def act(db: Db) -> dict[str, Any]:
            destination = self._dataset(db, ws, pr, ds)
            params = validate_create(db, destination, body)
            return {"job_id": self._job(db, request, "create_batch", params)}

        return self._write(request, 200, act)

    def _mark_deleting(self, db: Db, ds: int, ids: list[int]) -> dict[str, str]:
        states = db.batch_states(ds, ids)
        busy = [i for i in ids if states[i] in ("deleting", "pending_delete")]
        if busy:
            raise ApiError(
                "BATCH_BUSY",
                f"Batches already being deleted: {busy}",
                extra=[{"key": "ids", "message": f"already being deleted: {busy}"}],
            )
        db.mark_deleting(ids)
        return {str(i): states[i] for i in ids}

    def on_remove_batches(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        """``DELETE …/batches?ids=…`` (a job)."""
        ids = parse_int_list(request.args.get("ids"), "ids")
        if not ids:
            raise param_error("ids", "give at least one batch id, e.g. ids=1,2,3")
        ids = list(dict.fromkeys(ids))

        def act(db: Db) -> dict[str, Any]:
            self._dataset(db, ws, pr, ds)
            known_batches(db, ds, ids, "ids")
            prev = self._mark_deleting(db, ds, ids)
            params = {"dataset_id": ds, "ids": ids, "prev_states": prev}
            return {"job_id": self._job(db, request, "remove_batches", params)}

        return self._write(request, 202, act)

    def on_delete_batch(
        self, request: Request, ws: int, pr: int, ds: int, batch_id: int
    ) -> Response:
        """``DELETE …/batches/{batch_id}`` (a job)."""

        def act(db: Db) -> dict[str, Any]:
            self._dataset(db, ws, pr, ds)
            if db.batch(ds, batch_id) is None:
                raise ApiError("NOT_FOUND", f"Batch {batch_id} not found in dataset {ds}")
            prev = self._mark_deleting(db, ds, [batch_id])
            params = {"dataset_id": ds, "ids": [batch_id], "prev_states": prev}
            return {"job_id": self._job(db, request, "delete_batch", params)}

        return self._write(request, 202, act)

    def on_update_batches(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        """``PATCH …/batches``: suspend and restore (a job)."""
        suspend, restore = validate_patch(json_body(request))

        def act(db: Db) -> dict[str, Any]:
            self._dataset(db, ws, pr, ds)
            known_batches(db, ds, suspend, "patch.value.suspend")
            known_batches(db, ds, restore, "patch.value.restore")
            params = {"dataset_id": ds, "suspend": suspend, "restore": restore}
            return {"job_id": self._job(db, request, "update_batches", params)}

        return self._write(request, 202, act)


def _shape(query: BatchQuery) -> tuple[object, ...]:
    """What selects a listing's rows (the filters), as a hashable key."""
    return (
        tuple(query.ids or ()),
        tuple(query.states or ()),
        tuple(query.row_counts or ()),
        query.created,
    )


def known_batches(db: Db, ds: int, ids: list[int], key: str) -> None:
    """Every id is a batch of the dataset, or a 400 naming ``key`` and the unknown ids."""
    states = db.batch_states(ds, ids)
    unknown = [i for i in ids if i not in states]
    if unknown:
        raise ApiError(
            "INVALID_BATCH_IDS",
            f"Unknown batch ids for dataset {ds}: {unknown}",
            extra=[{"key": key, "message": f"unknown batch ids: {unknown}"}],
        )
