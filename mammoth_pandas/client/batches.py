"""``client.batches``: the six batch operations of the generated SDK, typed.

The operations keep the SDK's names and parameter names (``list``, ``create``,
``remove``, ``update``, ``get``, ``delete``); parameters also take Pythonic forms (see
:mod:`mammoth_pandas.params`). A listing is a DataFrame indexed by batch id that
remembers its dataset in ``attrs["mammoth"]``, so ``df.mammoth`` can act on it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from typing import Any

import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas import frames
from mammoth_pandas import params as P
from mammoth_pandas._answers import BATCH, BATCH_LISTING, DATASET, Records, listing_page
from mammoth_pandas._paging import Page, Pager
from mammoth_pandas.client._base import Resource
from mammoth_pandas.client._query import LIST_DEFAULTS, ListQuery, sort_key
from mammoth_pandas.client._routes import batch_data_path, batch_path, batches_path, dataset_path
from mammoth_pandas.client.data import expected_rows, plan_read
from mammoth_pandas.errors import MammothConnectionError, MammothError, MammothInputError
from mammoth_pandas.jobs import Job, JobGroup

__all__ = ["ATTRS_KEY", "BatchesAPI"]

#: The key of a listing's ``attrs`` that says where it came from.
ATTRS_KEY = "mammoth"

Ids = tuple[int, int, int]


IdGroups = list[list[int]]


class BatchesAPI(Resource):
    """``client.batches``: the six batch operations of the generated SDK, typed."""

    # -- reads ---------------------------------------------------------------------------

    def iter_pages(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        fields: Any = None,
        id: P.IdsLike | None = None,
        created_at: P.DateRangeLike | None = None,
        status: P.StatesLike | None = None,
        state: P.StatesLike | None = None,
        row_count: P.IdsLike | None = None,
        limit: Any = None,
        offset: Any = 0,
        sort: P.SortLike | None = None,
        page_size: Any = C.MAX_LIMIT,
        max_workers: int | None = None,
        rows_per_frame: int = 1,
    ) -> Iterator[pd.DataFrame]:
        """Yield the listing page by page, each a typed DataFrame.

        Lazy: pages are fetched as you iterate. Validation happens before the first page is
        requested.

        ``rows_per_frame`` joins consecutive pages until a frame holds at least that many
        rows (the last may hold fewer): fewer, larger frames cost less to build.
        """
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        query = ListQuery(
            fields=fields, id=id, created_at=created_at, status=status, state=state,
            row_count=row_count, limit=limit, offset=offset, sort=sort, page_size=page_size,
        )  # fmt: skip
        workers = self._workers(max_workers)
        per_frame = P.count("rows_per_frame", rows_per_frame)
        return self._frames(ids, query, workers, per_frame)

    def _frames(
        self, ids: Ids, query: ListQuery, workers: int, rows_per_frame: int = 1
    ) -> Iterator[pd.DataFrame]:
        pending: Records = []
        for records in self._record_pages(ids, query, workers):
            pending.extend(records)
            if pending and len(pending) >= rows_per_frame:
                frame = frames.batch_frame(pending, query.fields, unique=True)
                pending = []
                yield self._with_origin(frame, ids)
        if pending:
            yield self._with_origin(frames.batch_frame(pending, query.fields, unique=True), ids)

    def list(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        fields: Any = None,
        id: P.IdsLike | None = None,
        created_at: P.DateRangeLike | None = None,
        status: P.StatesLike | None = None,
        state: P.StatesLike | None = None,
        row_count: P.IdsLike | None = None,
        limit: Any = None,
        offset: Any = 0,
        sort: P.SortLike | None = None,
        page_size: Any = C.MAX_LIMIT,
        max_workers: int | None = None,
    ) -> pd.DataFrame:
        """Every matching batch (all pages) as a DataFrame indexed by batch id.

        ``limit`` caps the number of rows (the seed SDK's one-page ``limit=10`` gives the
        same ten rows); ``page_size`` (1..100) is the size of each request.
        """
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        query = ListQuery(
            fields=fields, id=id, created_at=created_at, status=status, state=state,
            row_count=row_count, limit=limit, offset=offset, sort=sort, page_size=page_size,
        )  # fmt: skip
        build = frames.batch_builder(query.fields)  # page by page: no dict outlives its page
        for page in self._record_pages(ids, query, self._workers(max_workers)):
            build.add(page)
        return self._with_origin(build.frame(), ids)

    def list_many(
        self,
        datasets: Iterable[tuple[int, int, int]],
        **filters: Any,
    ) -> pd.DataFrame:
        """Several datasets' listings in one frame, their ids in front.

        The ``workspace_id``, ``project_id`` and ``dataset_id`` columns come first. ``datasets``
        holds ``(ws, project, dataset)``.
        """
        triples = []
        for item in datasets:
            if not isinstance(item, (tuple, list)) or len(item) != 3:
                raise MammothInputError(
                    "datasets", f"got {item!r}", accepted="(workspace_id, project_id, dataset_id)"
                )
            triples.append(P.dataset_ids(*item))
        if not triples:
            raise MammothInputError("datasets", "the list is empty", accepted="at least one")
        triples = list(dict.fromkeys(triples))
        if "limit" in filters:
            raise MammothInputError("limit", "not supported by list_many", accepted="no limit")
        unknown = set(filters) - set(LIST_DEFAULTS) - {"max_workers"}
        if unknown:
            raise TypeError(f"list_many() got unexpected keyword arguments {sorted(unknown)}")
        query = {k: v for k, v in filters.items() if k != "max_workers"}
        ListQuery(**{**LIST_DEFAULTS, **query})  # validate everything before any request
        self._workers(filters.get("max_workers"))
        parts = []
        for ws, pr, ds in triples:
            part = self.list(ws, pr, ds, **filters)
            for name, value in (("dataset_id", ds), ("project_id", pr), ("workspace_id", ws)):
                part.insert(0, name, pd.Series(value, index=part.index, dtype="Int64"))
            parts.append(part)
        combined = frames.concat_keep_categories(parts)  # categories differ between datasets
        combined.attrs = {ATTRS_KEY: self._origin(*triples)}
        return combined

    def get(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        batch_id: int,
        *,
        fields: Any = None,
    ) -> pd.Series:
        """One batch as a Series named by its id (values typed as in the listing)."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        bid = P.batch_id(batch_id)
        chosen = P.fields(fields)
        body = self._t.get(
            batch_path(*ids, bid),
            {"fields": P.fields_wire(chosen)},
            expect=BATCH,
        )
        record = dict(body["batch"])
        record.setdefault("id", bid)
        series = frames.batch_series(record, chosen)
        series.attrs = {ATTRS_KEY: self._origin(ids)}
        return series

    def data(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        batch_id: int,
        *,
        columns: Any = None,
        limit: Any = None,
        offset: Any = 0,
        max_workers: int | None = None,
    ) -> pd.DataFrame:
        """One batch's rows, typed from the dataset's schema.

        Args:
            workspace_id: the workspace.
            project_id: the project.
            dataset_id: the dataset.
            batch_id: the batch (a suspended batch's rows are still readable).
            columns: column names or c_ids (one, or a list); all columns by default.
            limit: at most this many rows (all by default: every page of 100 is read,
                ``max_workers`` at a time).
            offset: the first row to read (0 by default).
            max_workers: pages in flight at once (the client's ``max_workers`` by default).

        Columns carry the display names; numeric columns are ``Int64`` or ``Float64``,
        dates UTC, text ``string``; values that do not parse become NA and are counted in
        ``frame.attrs["unparsed"]``. A read that ends short of the batch's ``row_count``
        raises rather than return a partial frame.
        """
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        bid = P.batch_id(batch_id)
        most, first = P.row_limit(limit), P.non_negative_int("offset", offset)
        workers = self._workers(max_workers)
        dataset = self._t.get(dataset_path(*ids), expect=DATASET)["dataset"]
        read = plan_read(
            dataset, batch_data_path(*ids, bid), columns, limit=most, offset=first,
            what=f"batch {bid}",
        )  # fmt: skip
        record = self._t.get(batch_path(*ids, bid), {"fields": "id,state,row_count"}, expect=BATCH)
        read = replace(read, total=expected_rows(record["batch"], "row_count"))
        frame: pd.DataFrame = self._client._read_rows(read, workers)
        frame.attrs["mammoth_batch"] = [*ids, bid]
        return frame

    # -- writes --------------------------------------------------------------------------

    def create(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        source_id: int,
        mapping: Any,
        validate_only: bool = False,
        delete_source_ds: bool = False,
        new_ds_details: Mapping[str, Any] | None = None,
        wait: bool = False,
        timeout: float = 60.0,
    ) -> Job:
        """Append the rows of dataset ``source_id`` as a new batch, columns per ``mapping``."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        body: dict[str, Any] = {
            "source_id": P.path_id("source_id", source_id, minimum=0),
            "mapping": P.mapping_items(mapping),
            "validate_only": P.flag("validate_only", validate_only),
            "delete_source_ds": P.flag("delete_source_ds", delete_source_ds),
        }
        if new_ds_details is not None:
            if not isinstance(new_ds_details, Mapping):
                raise MammothInputError(
                    "new_ds_details",
                    f"got {type(new_ds_details).__name__}",
                    accepted='{"name": str}',
                )
            body["new_ds_details"] = dict(new_ds_details)
        P.distinct_source((*ids[:2], body["source_id"]), ids)
        wait_for = P.timeout(timeout)
        return self._submit("POST", batches_path(*ids), body, None, wait, wait_for)

    def remove(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        ids: P.IdsLike | None = None,
        *,
        wait: bool = False,
        timeout: float = 60.0,
    ) -> Job:
        """Delete several batches and their data (``ids``: ``"1,2,3"`` or a list)."""
        path_ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        if ids is None:
            raise MammothInputError("ids", "no batch ids given", accepted="at least one id")
        batch_ids = P.id_list("ids", ids, allow_empty=False)
        wait_for = P.timeout(timeout)
        path = batches_path(*path_ids)
        chunks = self._t.id_chunks(path, "ids", batch_ids)
        if len(chunks) == 1:
            return self._submit(
                "DELETE", path, None, {"ids": ",".join(map(str, chunks[0]))}, wait, wait_for
            )
        # Too long for one URL: one request per group of ids, their jobs followed as one.
        jobs: list[Job] = []
        for chunk in chunks:
            try:
                jobs.append(
                    self._submit(
                        "DELETE", path, None, {"ids": ",".join(map(str, chunk))}, False, wait_for
                    )
                )
            except MammothError as exc:
                if not jobs:
                    raise
                raise MammothConnectionError(
                    f"DELETE {path}: the ids were sent in {len(chunks)} requests; the first "
                    f"{len(jobs)} were accepted as jobs {[j.id for j in jobs]}, then: {exc}; "
                    "the rest were not removed: list the batches to see",
                    applied=None,
                ) from exc
        group = JobGroup(jobs)
        return group.wait(wait_for) if wait else group

    def update(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        patch: Mapping[str, Any] | None = None,
        *,
        suspend: P.IdsLike | None = None,
        restore: P.IdsLike | None = None,
        wait: bool = False,
        timeout: float = 60.0,
    ) -> Job:
        """Suspend and/or restore batches: the seed's ``patch=``, or ``suspend=``/``restore=``."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        body = {"patch": P.batch_patch(patch, suspend, restore)}
        wait_for = P.timeout(timeout)
        return self._submit("PATCH", batches_path(*ids), body, None, wait, wait_for)

    def delete(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        batch_id: int,
        *,
        wait: bool = False,
        timeout: float = 60.0,
    ) -> Job:
        """Delete one batch and its data."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        bid = P.batch_id(batch_id)
        wait_for = P.timeout(timeout)
        return self._submit("DELETE", batch_path(*ids, bid), None, None, wait, wait_for)

    # -- helpers -------------------------------------------------------------------------

    def _submit(
        self,
        method: str,
        path: str,
        body: Any,
        query: Mapping[str, Any] | None,
        wait: bool,
        timeout: float,
    ) -> Job:
        P.flag("wait", wait)
        answer = self._t.write(method, path, params=query, body=body)
        handle = answer if isinstance(answer, dict) else {}
        job_id = handle.get("job_id")
        named = isinstance(job_id, int) and not isinstance(job_id, bool)
        if not named and not handle.get("failure_reason"):
            raise MammothConnectionError(
                f"{method} {path}: the server accepted the request but its answer names no "
                f"job (job_id: {job_id!r}), so it cannot be followed; the action may or may "
                "not have been applied: list the batches to see",
                applied=None,
            )
        job = Job.from_handle(handle, client=self._client)
        return job.wait(timeout) if wait else job

    def _with_origin(self, frame: pd.DataFrame, ids: Ids) -> pd.DataFrame:
        frame.attrs = {ATTRS_KEY: self._origin(ids)}
        return frame

    def _fetch_page(self, path: str, params: dict[str, Any], offset: int, size: int) -> Page:
        query = {**params, "limit": size, "offset": offset}
        # active_batches counts every active batch: an upper bound of an active listing.
        total = "active_batches" if params.get("status") == "active" else None
        return listing_page(
            self._t.get(path, query, expect=BATCH_LISTING), BATCH_LISTING, total_key=total
        )

    def _record_pages(self, ids: Ids, query: ListQuery, workers: int) -> Iterator[Records]:
        """Pages of new records, in order.

        See :mod:`mammoth_pandas._paging` for how pages overlap so that a dataset changing during
        the read neither repeats nor hides a batch, and how pages are fetched ahead concurrently.
        """
        if query.empty:
            return
        path = batches_path(*ids)
        if query.ids:
            probe = {**query.params, "id": "", "limit": C.MAX_LIMIT, "offset": 10**9}
            chunks = self._t.id_chunks(path, "id", sorted(set(query.ids)), probe)
            if len(chunks) > 1:  # too long for one URL: one listing per group of ids
                yield self._split_listing(path, query, chunks, workers)
                return

        def fetch(offset: int, size: int) -> Page:
            return self._fetch_page(path, query.params, offset, size)

        yield from Pager(
            fetch,
            start=query.offset,
            page_size=query.page_size,
            limit=query.limit,
            workers=workers,
        )

    def _split_listing(
        self, path: str, query: ListQuery, chunks: IdGroups, workers: int
    ) -> Records:
        """The listing of an id filter too long for one URL.

        Each group of ids is read whole, then merged in the order asked for, ``offset`` and
        ``limit`` applied to the whole.
        """
        found: dict[Any, dict[str, Any]] = {}
        for chunk in chunks:
            params = {**query.params, "id": ",".join(map(str, chunk))}

            def fetch(offset: int, size: int, params: dict[str, Any] = params) -> Page:
                return self._fetch_page(path, params, offset, size)

            pager = Pager(fetch, start=0, page_size=query.page_size, limit=None, workers=workers)
            for page in pager:
                for record in page:
                    found.setdefault(record.get("id"), record)
        records = list(found.values())
        terms = re.findall(r"\((\w+):(asc|desc)\)", query.params.get("sort") or "(id:asc)")
        for name, direction in reversed(terms):  # stable sorts, last term first; None last
            descending = direction == "desc"
            records.sort(key=sort_key(name, descending), reverse=descending)
        end = None if query.limit is None else query.offset + query.limit
        return records[query.offset : end]
