"""The Mammoth API v2 client: batches as typed DataFrames, every mutation as a :class:`Job`.

::

    from mammoth_pandas import MammothClient

    client = MammothClient("https://app.mammoth.io", api_key=..., api_secret=...)
    df = client.batches.list(workspace_id=4, project_id=4, dataset_id=121, status="active")
    df[df.row_count == 0].mammoth.delete()

The six batch operations keep the generated SDK's names and parameter names
(``list``, ``create``, ``remove``, ``update``, ``get``, ``delete``), so its examples port
by changing the import. Parameters also take Pythonic forms (see :mod:`mammoth_pandas.params`).
HTTP details (auth, retries, idempotency) live in :mod:`mammoth_pandas._transport`.
"""

from __future__ import annotations

import ipaddress
import itertools
import os
import threading
import uuid
import warnings
from collections.abc import Iterable, Iterator, Mapping
from typing import Any
from urllib.parse import urlsplit

import pandas as pd
import requests

from mammoth_pandas import contract as C
from mammoth_pandas import frames
from mammoth_pandas import params as P
from mammoth_pandas._paging import Pager
from mammoth_pandas._transport import Expect, MammothAuth, Secret, Transport
from mammoth_pandas.dataset import DatasetHandle
from mammoth_pandas.errors import MammothConfigError, MammothConnectionError, MammothInputError
from mammoth_pandas.jobs import Job

__all__ = ["DEFAULT_URL", "MammothClient", "client_for_token"]

DEFAULT_URL = "https://app.mammoth.io/api/v2"
ATTRS_KEY = "mammoth"

_CREDENTIALS_HELP = (
    "set MAMMOTH_API_KEY and MAMMOTH_API_SECRET (or MAMMOTHANALYTICS_API_KEY and "
    "MAMMOTHANALYTICS_API_SECRET, or MAMMOTH_API_TOKEN) and MAMMOTH_API_URL, or pass "
    "api_key= and api_secret= (or token=) to MammothClient; to try things without an "
    "account use the local sandbox (mammoth_pandas.Sandbox, or --sandbox on the command line)"
)

# Clients by token, so that a DataFrame can name the client it came from in plain,
# picklable ``attrs`` (pandas deep-copies ``attrs`` in many operations).
_REGISTRY: dict[str, MammothClient] = {}
Records = list[dict[str, Any]]
JobList = list[Job]
_REGISTRY_LOCK = threading.Lock()


def client_for_token(token: str) -> MammothClient | None:
    """The client registered under ``token`` in this process, if any."""
    return _REGISTRY.get(token)


def _normalise_url(server_url: str, allow_insecure_http: bool) -> str:
    """The API base URL. A refusal never repeats the URL (it may carry a secret): at most
    its scheme and host."""
    if not isinstance(server_url, str):
        raise MammothConfigError(
            f"server_url must be a URL string, got {type(server_url).__name__}"
        )
    if not server_url.strip():
        raise MammothConfigError("server_url must be a non-empty URL, got an empty string")
    url = server_url.strip().rstrip("/")
    try:
        parts = urlsplit(url)
        has_userinfo = parts.username is not None or parts.password is not None
    except ValueError:
        raise MammothConfigError(
            "server_url is not a valid URL (e.g. https://app.mammoth.io)"
        ) from None
    if has_userinfo:
        raise MammothConfigError(
            "server_url must not carry a user name or password; use api_key/api_secret or token"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        host = f"host {parts.hostname!r}" if parts.hostname else "no host"
        raise MammothConfigError(
            "server_url must be an http(s) URL with a host (e.g. https://app.mammoth.io), "
            f"got scheme {parts.scheme!r} and {host}"
        )
    if parts.query or parts.fragment:
        raise MammothConfigError("server_url must not carry a query string or fragment")
    if parts.scheme == "http" and not allow_insecure_http and not _is_loopback(parts.hostname):
        raise MammothConfigError(
            f"refusing plain http:// to {parts.hostname}: credentials would cross the network "
            "unencrypted; use https://, or pass allow_insecure_http=True if you accept that"
        )
    if not url.endswith(C.API_PREFIX):
        url += C.API_PREFIX
    return url


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _secret(name: str, value: Any) -> Secret | None:
    if value is None or value == "":
        return None
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):
        raise MammothConfigError(f"{name} must be a string, got {type(value).__name__}")
    return Secret(value)


class MammothClient:
    """A client of the Mammoth API v2 (batches, jobs, datasets).

    ``server_url`` (default :data:`DEFAULT_URL`) may end with ``/api/v2`` or not; plain
    ``http://`` is refused except to a loopback host (such as the sandbox) unless
    ``allow_insecure_http=True``. Authenticate with ``api_key`` and ``api_secret`` (or
    the generated SDK's ``security=`` object or dict carrying them), or with a bearer
    ``token``. ``timeout`` (seconds) applies to every request; ``session`` lets you bring
    your own ``requests.Session`` (one with ``verify=False`` is refused); ``max_retries``
    bounds the transport's retries; ``max_workers`` bounds concurrent page fetches.
    The ``repr`` shows the URL and the kind of credentials, never their values.
    """

    def __init__(
        self,
        server_url: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        token: str | None = None,
        timeout: float = 30.0,
        session: requests.Session | None = None,
        max_retries: int = 5,
        max_workers: int = 4,
        allow_insecure_http: bool = False,
        security: Any = None,
    ) -> None:
        if security is not None:  # the generated SDK's models.Security(api_key=, api_secret=)
            if api_key is not None or api_secret is not None:
                raise MammothConfigError("give security= or api_key=/api_secret=, not both")
            api_key, api_secret = (
                security.get(name)
                if isinstance(security, Mapping)
                else getattr(security, name, None)
                for name in ("api_key", "api_secret")
            )
        key, secret, bearer = (
            _secret("api_key", api_key),
            _secret("api_secret", api_secret),
            _secret("token", token),
        )
        if bearer is None and (key is None or secret is None):
            missing = "api_secret" if key else "api_key" if secret else "credentials"
            raise MammothConfigError(f"no {missing}: {_CREDENTIALS_HELP}")
        self.timeout = _positive("timeout", timeout)
        self.max_retries = _count("max_retries", max_retries, minimum=0)
        self.max_workers = _count("max_workers", max_workers, minimum=1)
        if session is not None and session.verify is False:
            raise MammothConfigError(
                "the session has TLS verification turned off (verify=False); "
                "mammoth-pandas never sends credentials without verifying the server"
            )
        self.url = _normalise_url(server_url or DEFAULT_URL, allow_insecure_http)
        self._auth = MammothAuth(api_key=key, api_secret=secret, token=bearer)
        self._transport = Transport(
            self.url,
            auth=self._auth,
            timeout=self.timeout,
            session=session,
            max_retries=self.max_retries,
            pool_size=self.max_workers + 2,
        )
        self.batches = BatchesAPI(self)
        self.jobs = JobsAPI(self)
        self.datasets = DatasetsAPI(self)
        self.token = uuid.uuid4().hex
        with _REGISTRY_LOCK:
            _REGISTRY[self.token] = self

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **kwargs: Any) -> MammothClient:
        """A client from ``MAMMOTH_API_URL`` and ``MAMMOTH_API_KEY``/``_SECRET``
        (or ``MAMMOTHANALYTICS_API_KEY``/``_SECRET``, or ``MAMMOTH_API_TOKEN``)."""
        env = os.environ if environ is None else environ
        key = env.get(C.ENV_KEY) or env.get(C.ENV_SDK_KEY)
        secret = env.get(C.ENV_SECRET) or env.get(C.ENV_SDK_SECRET)
        token = env.get(C.ENV_TOKEN)
        if not token and not (key and secret):
            raise MammothConfigError(f"no credentials in the environment: {_CREDENTIALS_HELP}")
        return cls(
            env.get(C.ENV_URL) or None,
            api_key=key,
            api_secret=secret,
            token=token,
            **kwargs,
        )

    @property
    def session(self) -> requests.Session:
        return self._transport.session

    def dataset(self, workspace_id: int, project_id: int, dataset_id: int) -> DatasetHandle:
        """A handle on one dataset, for notebooks: ``.batches()``, ``.suspend()``, ``.schema()``…"""
        return DatasetHandle(self, workspace_id, project_id, dataset_id)

    def close(self) -> None:
        self._transport.session.close()
        with _REGISTRY_LOCK:
            _REGISTRY.pop(self.token, None)

    def __enter__(self) -> MammothClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"MammothClient(url={self.url!r}, auth={self._auth.kind!r})"

    __str__ = __repr__

    def __reduce__(self) -> Any:
        raise TypeError("a MammothClient holds credentials and cannot be pickled")

    def __deepcopy__(self, memo: dict[int, Any]) -> MammothClient:
        return self

    def __copy__(self) -> MammothClient:
        return self


def _positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise MammothConfigError(f"{name} must be a positive number of seconds, got {value!r}")
    if value == float("inf"):
        raise MammothConfigError(f"{name} must be finite")
    return float(value)


def _count(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise MammothConfigError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return value


def _dataset_path(ws: int, pr: int, ds: int) -> str:
    return f"/workspaces/{ws}/projects/{pr}/datasets/{ds}"


class _ListQuery:
    """A validated listing request: wire parameters plus paging."""

    def __init__(
        self,
        *,
        fields: Any,
        id: Any,
        created_at: Any,
        status: Any,
        state: Any,
        row_count: Any,
        limit: Any,
        offset: Any,
        sort: Any,
        page_size: Any,
    ) -> None:
        if status is not None and state is not None:
            raise MammothInputError("state", "give status= or state=, not both", accepted="one")
        id, row_count, status, state, created_at, sort = (
            None if isinstance(v, str) and not v.strip() else v
            for v in (id, row_count, status, state, created_at, sort)
        )
        self.fields = P.fields(fields)
        ids = None if id is None else P.id_list("id", id)
        counts = None if row_count is None else P.row_counts(row_count)
        states = status if state is None else state
        state_list = (
            None if states is None else P.states(states, "status" if state is None else "state")
        )
        self.empty = any(x == [] for x in (ids, counts, state_list))
        self.params = {
            "fields": P.fields_wire(self.fields),
            "id": ",".join(map(str, ids or [])),
            "created_at": P.created_at(created_at),
            "status": ",".join(state_list or []),
            "row_count": ",".join(map(str, counts or [])),
        }
        wire_sort = P.sort(sort)
        if wire_sort:
            self.params["sort"] = wire_sort
        self.limit = P.limit(limit)
        self.offset = P.non_negative_int("offset", offset)
        self.page_size = P.page_size(page_size)
        if self.limit == 0:
            self.empty = True


class BatchesAPI:
    """``client.batches``: the six batch operations of the generated SDK, typed."""

    def __init__(self, client: MammothClient) -> None:
        self._client = client

    @property
    def _t(self) -> Transport:
        return self._client._transport

    # -- reads ---------------------------------------------------------------------------

    def iter_pages(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        fields: Any = None,
        id: Any = None,
        created_at: Any = None,
        status: Any = None,
        state: Any = None,
        row_count: Any = None,
        limit: Any = None,
        offset: Any = 0,
        sort: Any = None,
        page_size: Any = C.MAX_LIMIT,
        max_workers: int | None = None,
    ) -> Iterator[pd.DataFrame]:
        """Yield the listing page by page, each a typed DataFrame (lazy: pages are fetched
        as you iterate). Validation happens before the first page is requested."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        query = _ListQuery(
            fields=fields, id=id, created_at=created_at, status=status, state=state,
            row_count=row_count, limit=limit, offset=offset, sort=sort, page_size=page_size,
        )  # fmt: skip
        workers = self._workers(max_workers)
        return self._frames(ids, query, workers)

    def _frames(
        self, ids: tuple[int, int, int], query: _ListQuery, workers: int
    ) -> Iterator[pd.DataFrame]:
        for records in self._record_pages(ids, query, workers):
            if records:
                frame = frames.batch_frame(records, query.fields, unique=True)
                yield self._with_origin(frame, ids)

    def list(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        *,
        fields: Any = None,
        id: Any = None,
        created_at: Any = None,
        status: Any = None,
        state: Any = None,
        row_count: Any = None,
        limit: Any = None,
        offset: Any = 0,
        sort: Any = None,
        page_size: Any = C.MAX_LIMIT,
        max_workers: int | None = None,
    ) -> pd.DataFrame:
        """Every matching batch (all pages) as a DataFrame indexed by batch id.

        ``limit`` caps the number of rows (the seed SDK's one-page ``limit=10`` gives the
        same ten rows); ``page_size`` (1..100) is the size of each request.
        """
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        query = _ListQuery(
            fields=fields, id=id, created_at=created_at, status=status, state=state,
            row_count=row_count, limit=limit, offset=offset, sort=sort, page_size=page_size,
        )  # fmt: skip
        records: Records = []
        for page in self._record_pages(ids, query, self._workers(max_workers)):
            records.extend(page)
        frame = frames.batch_frame(records, query.fields, unique=True)
        return self._with_origin(frame, ids)

    def list_many(
        self,
        datasets: Iterable[tuple[int, int, int]],
        **filters: Any,
    ) -> pd.DataFrame:
        """Several datasets' listings in one frame, with ``workspace_id``, ``project_id``
        and ``dataset_id`` columns in front. ``datasets`` holds ``(ws, project, dataset)``."""
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
        unknown = set(filters) - set(_LIST_DEFAULTS) - {"max_workers"}
        if unknown:
            raise TypeError(f"list_many() got unexpected keyword arguments {sorted(unknown)}")
        query = {k: v for k, v in filters.items() if k != "max_workers"}
        _ListQuery(**{**_LIST_DEFAULTS, **query})  # validate everything before any request
        self._workers(filters.get("max_workers"))
        parts = []
        for ws, pr, ds in triples:
            part = self.list(ws, pr, ds, **filters)
            for name, value in (("dataset_id", ds), ("project_id", pr), ("workspace_id", ws)):
                part.insert(0, name, pd.Series(value, index=part.index, dtype="Int64"))
            parts.append(part)
        combined = _concat_keep_categories(parts)  # categories differ between datasets
        combined.attrs = {
            ATTRS_KEY: {
                "client": self._client.token,
                "datasets": [list(t) for t in triples],
            }
        }
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
            f"{_dataset_path(*ids)}/batches/{bid}",
            {"fields": P.fields_wire(chosen)},
            expect=BATCH,
        )
        record = dict(body["batch"])
        record.setdefault("id", bid)
        series = frames.batch_series(record, chosen)
        series.attrs = {ATTRS_KEY: self._origin(ids)}
        return series

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
            "mapping": _mapping_items(mapping),
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
        if body["source_id"] == ids[2]:
            raise MammothInputError(
                "source_id", "the source is the destination dataset", accepted="another dataset"
            )
        wait_for = P.timeout(timeout)
        return self._submit("POST", f"{_dataset_path(*ids)}/batches", body, None, wait, wait_for)

    def remove(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        ids: Any = None,
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
        query = {"ids": ",".join(map(str, batch_ids))}
        return self._submit(
            "DELETE", f"{_dataset_path(*path_ids)}/batches", None, query, wait, wait_for
        )

    def update(
        self,
        workspace_id: int,
        project_id: int,
        dataset_id: int,
        patch: Mapping[str, Any] | None = None,
        *,
        suspend: Any = None,
        restore: Any = None,
        wait: bool = False,
        timeout: float = 60.0,
    ) -> Job:
        """Suspend and/or restore batches: the seed's ``patch=``, or ``suspend=``/``restore=``."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        body = {"patch": _patch(patch, suspend, restore)}
        wait_for = P.timeout(timeout)
        return self._submit("PATCH", f"{_dataset_path(*ids)}/batches", body, None, wait, wait_for)

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
        return self._submit(
            "DELETE", f"{_dataset_path(*ids)}/batches/{bid}", None, None, wait, wait_for
        )

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
        job = Job.from_handle(answer if isinstance(answer, dict) else {}, client=self._client)
        return job.wait(timeout) if wait else job

    def _workers(self, max_workers: int | None) -> int:
        if max_workers is None:
            return self._client.max_workers
        if isinstance(max_workers, bool) or not isinstance(max_workers, int) or max_workers < 1:
            raise MammothInputError(
                "max_workers", f"got {max_workers!r}", accepted="None or an integer >= 1"
            )
        return max_workers

    def _origin(self, ids: tuple[int, int, int]) -> dict[str, Any]:
        ws, pr, ds = ids
        return {"client": self._client.token, "datasets": [[ws, pr, ds]]}

    def _with_origin(self, frame: pd.DataFrame, ids: tuple[int, int, int]) -> pd.DataFrame:
        frame.attrs = {ATTRS_KEY: self._origin(ids)}
        return frame

    def _fetch_page(
        self, path: str, params: dict[str, Any], offset: int, size: int
    ) -> tuple[Records, Any]:
        query = {**params, "limit": size, "offset": offset}
        return page_records(self._t.get(path, query, expect=BATCH_LISTING))

    def _record_pages(
        self, ids: tuple[int, int, int], query: _ListQuery, workers: int
    ) -> Iterator[Records]:
        """Pages of new records, in order: see :mod:`mammoth_pandas._paging` for how pages
        overlap so that a dataset changing during the read neither repeats nor hides a
        batch, and how pages are fetched ahead concurrently."""
        if query.empty:
            return
        path = f"{_dataset_path(*ids)}/batches"

        def fetch(offset: int, size: int) -> tuple[Records, Any]:
            return self._fetch_page(path, query.params, offset, size)

        yield from Pager(
            fetch,
            start=query.offset,
            page_size=query.page_size,
            limit=query.limit,
            workers=workers,
        )


def page_records(body: Any) -> tuple[Records, Any]:
    """A listing page's batch records and its ``next``. The transport has checked that the
    body is a listing (:data:`BATCH_LISTING`); items that are not objects are skipped."""
    if not BATCH_LISTING.matches(body):
        raise MammothConnectionError(
            f"the answer was not {BATCH_LISTING.describe()}", applied=False
        )
    return [b for b in body["batches"] if isinstance(b, dict)], body.get("next")


#: What each read's answer must hold; any other 2xx body is fetched again, then refused.
BATCH_LISTING = Expect("batches", list, "a batch listing")
BATCH = Expect("batch", dict, "a batch")
DATASET_LISTING = Expect("datasets", list, "a dataset listing")
DATASET = Expect("dataset", dict, "a dataset")
JOB_LISTING = Expect("jobs", list, "a job listing")
JOB = Expect("job", dict, "a job")

_LIST_DEFAULTS: dict[str, Any] = {
    "fields": None,
    "id": None,
    "created_at": None,
    "status": None,
    "state": None,
    "row_count": None,
    "limit": None,
    "offset": 0,
    "sort": None,
    "page_size": C.MAX_LIMIT,
}


def _concat_keep_categories(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate listing frames, unioning categoricals so that they stay categorical."""
    if len(parts) == 1:
        return parts[0].copy()
    with warnings.catch_warnings():
        # pandas 2 warns that all-NA parts will count towards the result dtype; every part
        # carries the declared dtypes (categoricals are rebuilt below), so nothing changes.
        warnings.simplefilter("ignore", FutureWarning)
        combined = pd.concat(parts)
    for name in parts[0].columns:
        dtype = parts[0][name].dtype
        if not isinstance(dtype, pd.CategoricalDtype):
            continue
        if name == "state":
            known = list(dtype.categories)
            extra = {c for p in parts for c in p[name].cat.categories if c not in set(known)}
            categories = known + sorted(extra)
        else:
            categories = sorted({c for p in parts for c in p[name].cat.categories})
        values = combined[name].astype(object).where(combined[name].notna(), None)
        combined[name] = pd.Categorical(values.tolist(), categories=categories)
    return combined


_MAPPING_FORMS = (
    "a list of {destination_c_id, source_c_id[, expected_destination_c_type]} or of "
    "{destination_c_name, source_c_name, ...} items (not mixed), or a Mapping from "
    "mammoth_pandas.mapping"
)


def _mapping_items(mapping: Any) -> list[dict[str, Any]]:
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
                if not isinstance(value, str) or value.upper() not in C.MAPPING_TYPES:
                    raise MammothInputError(
                        f"mapping[{n}].expected_destination_c_type",
                        f"got {value!r}",
                        accepted=", ".join(C.MAPPING_TYPES),
                    )
                item[key] = value.upper()
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


def _patch(patch: Any, suspend: Any, restore: Any) -> dict[str, Any]:
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
    to_suspend = [] if suspend is None else P.id_list("suspend", suspend)
    to_restore = [] if restore is None else P.id_list("restore", restore)
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


class JobsAPI:
    """``client.jobs``: look up jobs by id."""

    def __init__(self, client: MammothClient) -> None:
        self._client = client

    def _fetch(self, job_id: int) -> dict[str, Any]:
        body = self._client._transport.get(f"/jobs/{P.path_id('job_id', job_id)}", expect=JOB)
        job: dict[str, Any] = body["job"]
        return job

    def get(self, job_id: int) -> Job:
        return Job(self._fetch(job_id), client=self._client)

    def list(self, job_ids: Any) -> JobList:
        ids = P.id_list("job_ids", job_ids, allow_empty=False)
        body = self._client._transport.get(
            "/jobs", {"job_ids": ",".join(map(str, ids))}, expect=JOB_LISTING
        )
        return [Job(j, client=self._client) for j in body["jobs"] if isinstance(j, dict)]

    def wait(self, job_ids: Any, timeout: float = 60.0) -> JobList:
        """Wait for several jobs; raises on the first that failed."""
        wait_for = P.timeout(timeout)
        return [job.wait(wait_for) for job in self.list(job_ids)]


class DatasetsAPI:
    """``client.datasets``: dataset details, schemas and listings."""

    def __init__(self, client: MammothClient) -> None:
        self._client = client

    def get(self, workspace_id: int, project_id: int, dataset_id: int) -> dict[str, Any]:
        """The dataset's details as a dict (``id``, ``name``, ``data_schema``, ``stats``…)."""
        ids = P.dataset_ids(workspace_id, project_id, dataset_id)
        body = self._client._transport.get(_dataset_path(*ids), expect=DATASET)
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
        """Every dataset of the project (all pages), indexed by dataset id."""
        ws = P.path_id("workspace_id", workspace_id, minimum=1)
        pr = P.path_id("project_id", project_id, minimum=1)
        size = P.page_size(page_size)
        path = f"/workspaces/{ws}/projects/{pr}/datasets"
        records: Records = []
        for offset in itertools.count(0, size):
            query = {"limit": size, "offset": offset}
            body = self._client._transport.get(path, query, expect=DATASET_LISTING)
            page = [d for d in body["datasets"] if isinstance(d, dict)]
            records.extend(page)
            if len(page) < size or body.get("next") == "":
                break
        return frames.dataset_frame(records)


# The accessor registers itself on import; importing the client makes ``df.mammoth`` exist.
from mammoth_pandas import accessor as _accessor  # noqa: E402, F401
