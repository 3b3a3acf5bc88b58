"""The sandbox's WSGI application: Werkzeug routing, auth, faults, idempotency, handlers.

Routes (``/api/v2`` prefix as in the wire contract)::

    GET    /health                                              no auth
    GET    /jobs/{job_id}            GET /jobs?job_ids=1,2
    GET    /workspaces/{ws}/projects/{pr}/datasets[/{ds}]
    GET    …/datasets/{ds}/batches                              list (200)
    POST   …/datasets/{ds}/batches                              create (200, job handle)
    DELETE …/datasets/{ds}/batches?ids=1,2                      remove (202, job handle)
    PATCH  …/datasets/{ds}/batches                              suspend / restore (202)
    GET    …/datasets/{ds}/batches/{batch_id}                   one batch (200)
    DELETE …/datasets/{ds}/batches/{batch_id}                   delete (202)
    GET|PUT /__sandbox__/faults, GET /__sandbox__/actions       the sandbox's own controls
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import logging
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox.bodies import validate_create, validate_patch
from mammoth_pandas.sandbox.errors import (
    ApiError,
    body_error,
    json_response,
    param_error,
    render,
)
from mammoth_pandas.sandbox.faults import Faults
from mammoth_pandas.sandbox.jobs import JobRunner
from mammoth_pandas.sandbox.query import parse_batch_query, parse_fields, parse_int, parse_int_list
from mammoth_pandas.sandbox.store import INT_MAX, Db, Store, job_json
from mammoth_pandas.sandbox.views import actions, batch_json, dataset_fields, dataset_json

log = logging.getLogger(__name__)

P = contract.API_PREFIX
DS = P + "/workspaces/<int:ws>/projects/<int:pr>/datasets"

URLS = Map(
    [
        Rule("/health", endpoint="health", methods=["GET"]),
        Rule("/__sandbox__/faults", endpoint="faults", methods=["GET", "PUT"]),
        Rule("/__sandbox__/actions", endpoint="actions", methods=["GET"]),
        Rule(P + "/jobs", endpoint="list_jobs", methods=["GET"]),
        Rule(P + "/jobs/<int:job_id>", endpoint="get_job", methods=["GET"]),
        Rule(DS, endpoint="list_datasets", methods=["GET"]),
        Rule(DS + "/<int:ds>", endpoint="get_dataset", methods=["GET"]),
        Rule(DS + "/<int:ds>/batches", endpoint="list_batches", methods=["GET"]),
        Rule(DS + "/<int:ds>/batches", endpoint="create_batch", methods=["POST"]),
        Rule(DS + "/<int:ds>/batches", endpoint="remove_batches", methods=["DELETE"]),
        Rule(DS + "/<int:ds>/batches", endpoint="update_batches", methods=["PATCH"]),
        Rule(DS + "/<int:ds>/batches/<int:batch_id>", endpoint="get_batch", methods=["GET"]),
        Rule(DS + "/<int:ds>/batches/<int:batch_id>", endpoint="delete_batch", methods=["DELETE"]),
    ],
    strict_slashes=False,
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SandboxApp:
    """The WSGI callable. ``credentials`` is (api_key, api_secret, token)."""

    def __init__(
        self,
        store: Store,
        runner: JobRunner,
        faults: Faults,
        *,
        credentials: tuple[str, str, str],
        job_delay: float,
    ) -> None:
        self.store = store
        self.runner = runner
        self.faults = faults
        self._active_counts: dict[int, tuple[int, int]] = {}
        self._key, self._secret, self._token = credentials
        self.job_delay = job_delay

    # -- plumbing -----------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        response = self.dispatch(request, environ)
        return response(environ, start_response)

    def dispatch(self, request: Request, environ: dict[str, Any]) -> Response:
        fault: str | None = None
        try:
            adapter = URLS.bind_to_environ(environ)
            try:
                endpoint, args = adapter.match()
            except NotFound:
                raise ApiError("NOT_FOUND", f"No route for {request.path}") from None
            except MethodNotAllowed as exc:
                allowed = ", ".join(sorted(exc.valid_methods or ()))
                raise ApiError(
                    "METHOD_NOT_ALLOWED",
                    f"{request.method} is not allowed on {request.path} (allowed: {allowed})",
                    headers={"Allow": allowed},
                ) from None
            except HTTPException as exc:  # e.g. a redirect for a missing slash
                raise ApiError("NOT_FOUND", f"No route for {request.path}: {exc}") from None
            if endpoint != "health":
                self._authenticate(request)
            _check_path_ids(args)
            if request.path.startswith(P + "/"):
                fault = self._early_fault(request, environ)
            handler: Callable[..., Response] = getattr(self, "on_" + endpoint)
            response = handler(request, **args)
        except ApiError as error:
            response = render(error)
        except _Answer as answer:
            response = answer.response
        except sqlite3.Error as error:
            response = render(ApiError("INTERNAL_ERROR", f"storage error: {error}"))
        except ConnectionError:  # a dropped connection: no answer at all
            raise
        except Exception as error:  # a sandbox bug still answers with the one envelope
            log.exception("sandbox request %s %s failed", request.method, request.path)
            response = render(ApiError("INTERNAL_ERROR", f"internal error: {error}"))
        key = request.headers.get(contract.HEADER_IDEMPOTENCY_KEY)
        if key and request.method in WRITE_METHODS:
            response.headers[contract.HEADER_IDEMPOTENCY_KEY] = key
        if fault == "drop_after":
            _drop(environ)
        return response

    def _authenticate(self, request: Request) -> None:
        key = request.headers.get(contract.HEADER_API_KEY, "")
        secret = request.headers.get(contract.HEADER_API_SECRET, "")
        if key or secret:
            key_ok = hmac.compare_digest(key.encode(), self._key.encode())
            secret_ok = hmac.compare_digest(secret.encode(), self._secret.encode())
            if key_ok and secret_ok:
                return
            raise ApiError("UNAUTHORIZED", "Invalid API key or secret")
        auth = request.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            if hmac.compare_digest(auth[7:].strip().encode(), self._token.encode()):
                return
            raise ApiError("UNAUTHORIZED", "Invalid bearer token")
        raise ApiError(
            "UNAUTHORIZED",
            "Missing credentials: send X-API-KEY and X-API-SECRET, or Authorization: Bearer",
        )

    def _early_fault(self, request: Request, environ: dict[str, Any]) -> str | None:
        """Latency and faults that answer instead of the handler (nothing is applied)."""
        config = self.faults.config
        if config.latency:
            time.sleep(config.latency)
        fault = self.faults.draw_request()
        if fault is None or fault == "drop_after":
            return fault
        retry = {"Retry-After": str(config.retry_after)}
        if fault == "rate_429":
            raise ApiError("TOO_MANY_REQUESTS", "Rate limit exceeded, retry later", headers=retry)
        if fault == "rate_500":
            raise ApiError("INTERNAL_ERROR", "Internal server error (injected)")
        if fault == "rate_502":
            raise ApiError("BAD_GATEWAY", "Bad gateway (injected)")
        if fault == "rate_503":
            raise ApiError("SERVICE_UNAVAILABLE", "Service unavailable (injected)", headers=retry)
        if fault == "drop":
            request.get_data(cache=True)  # the whole request is read, none of it left behind
            _drop(environ)
        if fault == "non_json":
            page = "<html><body><h1>Gateway maintenance</h1></body></html>"
            raise _Answer(Response(page, status=200, content_type="text/html"))
        # truncate: a real-looking JSON body cut in half, with the full Content-Length.
        raise _Answer(_truncated(environ))

    # -- common lookups -----------------------------------------------------------------

    def _dataset(self, db: Db, ws: int, pr: int, ds: int) -> sqlite3.Row:
        if ws < 1:
            raise param_error("workspace_id", f"{ws} is below 1")
        if pr < 1:
            raise param_error("project_id", f"{pr} is below 1")
        if not db.project_exists(ws):
            raise ApiError("NOT_FOUND", f"Workspace {ws} not found")
        if not db.project_exists(ws, pr):
            raise ApiError("NOT_FOUND", f"Project {pr} not found in workspace {ws}")
        row = db.dataset(ds)
        if row is None or row["workspace_id"] != ws or row["project_id"] != pr:
            raise ApiError("NOT_FOUND", f"Dataset {ds} not found in project {pr}")
        return row

    def _project(self, db: Db, ws: int, pr: int) -> None:
        if ws < 1:
            raise param_error("workspace_id", f"{ws} is below 1")
        if pr < 1:
            raise param_error("project_id", f"{pr} is below 1")
        if not db.project_exists(ws, pr):
            raise ApiError("NOT_FOUND", f"Project {pr} not found in workspace {ws}")

    # -- sandbox controls ---------------------------------------------------------------

    def on_health(self, request: Request) -> Response:
        return json_response({"status": "ok"})

    def on_faults(self, request: Request) -> Response:
        if request.method == "PUT":
            body = _json_body(request)
            if not isinstance(body, dict):
                raise body_error("body", "expected a JSON object of fault settings")
            try:
                self.faults.set(**body)
            except (TypeError, ValueError) as exc:
                raise body_error("body", str(exc)) from None
        return json_response({"faults": self.faults.as_dict()})

    def on_actions(self, request: Request) -> Response:
        with self.store.read() as db:
            return json_response({"actions": actions(db)})

    # -- reads --------------------------------------------------------------------------

    def on_get_job(self, request: Request, job_id: int) -> Response:
        with self.store.read() as db:
            row = db.job(job_id)
        if row is None:
            raise ApiError("NOT_FOUND", f"Job {job_id} not found")
        return json_response({"job": job_json(row)})

    def on_list_jobs(self, request: Request) -> Response:
        ids = parse_int_list(request.args.get("job_ids"), "job_ids") or []
        with self.store.read() as db:
            found = {}
            for job_id in ids:
                row = db.job(job_id)
                if row is not None:
                    found[job_id] = job_json(row)
        return json_response({"jobs": [found[i] for i in dict.fromkeys(ids) if i in found]})

    def on_list_datasets(self, request: Request, ws: int, pr: int) -> Response:
        fields = dataset_fields(request.args.get("fields"))
        limit = parse_int(
            request.args.get("limit"),
            "limit",
            default=contract.DEFAULT_LIMIT,
            minimum=0,
            maximum=contract.MAX_LIMIT,
        )
        offset = parse_int(request.args.get("offset"), "offset", default=0, minimum=0, maximum=None)
        ids = parse_int_list(request.args.get("id"), "id")
        with self.store.read() as db:
            self._project(db, ws, pr)
            sql = (
                "SELECT * FROM datasets WHERE workspace_id = ? AND project_id = ?"
                " AND status != 'deleted'"
            )
            params: list[Any] = [ws, pr]
            if ids:
                sql += f" AND id IN ({','.join('?' * len(ids))})"
                params += ids
            for column in ("name", "status"):
                values = _text_list(request.args.get(column))
                if values:
                    sql += f" AND {column} IN ({','.join('?' * len(values))})"
                    params += values
            rows = db.all(sql + " ORDER BY id LIMIT ? OFFSET ?", (*params, limit + 1, offset))
            page = [dataset_json(db, row, fields) for row in rows[:limit]]
        base = f"api/v2/workspaces/{ws}/projects/{pr}/datasets"
        return json_response(
            {
                "datasets": page,
                "next": _next(base, request, limit, offset, len(rows) > limit),
                "limit": limit,
                "offset": offset,
            }
        )

    def on_get_dataset(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        fields = dataset_fields(request.args.get("fields"))
        with self.store.read() as db:
            row = self._dataset(db, ws, pr, ds)
            return json_response({"dataset": dataset_json(db, row, fields)})

    def on_list_batches(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        query = parse_batch_query(request.args)
        where, params = query.where(ds)
        order = query.order_by()
        generation = self.store.generation  # read before the snapshot: never newer than it
        with self.store.read() as db:
            self._dataset(db, ws, pr, ds)
            # The offset is skipped inside the index (the subquery reads ids only), so a
            # page deep into a large dataset costs about what the first one does.
            rows = db.all(
                f"SELECT * FROM batches WHERE id IN (SELECT id FROM batches WHERE {where}"  # noqa: S608
                f" ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
                (*params, query.limit + 1, query.offset),
            )
            active = self._active_count(db, ds, generation)
        more = len(rows) > query.limit and query.limit > 0
        base = f"api/v2/workspaces/{ws}/projects/{pr}/datasets/{ds}/batches"
        return json_response(
            {
                "batches": [batch_json(row, query.fields) for row in rows[: query.limit]],
                "next": _next(base, request, query.limit, query.offset, more),
                "offset": query.offset,
                "limit": query.limit,
                "active_batches": active,
            }
        )

    def _active_count(self, db: Db, ds: int, generation: int) -> int:
        """Active batches of a dataset, counted once per committed write, not once per page."""
        cached = self._active_counts.get(ds)
        if cached is not None and cached[0] == generation:
            return cached[1]
        sql = "SELECT COUNT(*) FROM batches WHERE dataset_id = ? AND state = 'active'"
        count = int(db.scalar(sql, (ds,)))
        self._active_counts[ds] = (generation, count)
        return count

    def on_get_batch(self, request: Request, ws: int, pr: int, ds: int, batch_id: int) -> Response:
        fields = parse_fields(request.args.get("fields"))
        with self.store.read() as db:
            self._dataset(db, ws, pr, ds)
            row = db.batch(ds, batch_id)
        if row is None:
            raise ApiError("NOT_FOUND", f"Batch {batch_id} not found in dataset {ds}")
        return json_response({"batch": batch_json(row, fields)})

    # -- writes -------------------------------------------------------------------------

    def _write(
        self, request: Request, status: int, act: Callable[[Db], dict[str, Any]]
    ) -> Response:
        """Run ``act`` (request-time checks and changes, creating a job) in one transaction,
        honouring ``Idempotency-Key``: a repeated key with the same request gets the first
        answer back, with a different request a 409."""
        key = request.headers.get(contract.HEADER_IDEMPOTENCY_KEY)
        digest = _request_digest(request)
        with self.store.write() as db:
            if key:
                seen = db.one("SELECT * FROM idempotency WHERE key = ?", (key,))
                if seen is not None:
                    if seen["request_hash"] != digest:
                        raise ApiError(
                            "IDEMPOTENCY_KEY_REUSED",
                            f"Idempotency-Key {key!r} was already used for a different request",
                            extra=[{"key": "Idempotency-Key", "message": "reused"}],
                        )
                    return json_response(json.loads(seen["body"]), seen["status"])
            body = {"status_code": status, **act(db)}
            if key:
                db.run(
                    "INSERT INTO idempotency (key, request_hash, status, body, job_id)"
                    " VALUES (?, ?, ?, ?, ?)",
                    (key, digest, status, json.dumps(body), body.get("job_id")),
                )
        self.runner.notify()
        return json_response(body, status)

    def _job(self, db: Db, request: Request, operation: str, params: dict[str, Any]) -> int:
        return db.insert_job(
            operation=operation,
            path=request.path,
            params=params,
            run_after=time.time() + self.job_delay,
            idempotency_key=request.headers.get(contract.HEADER_IDEMPOTENCY_KEY),
        )

    def on_create_batch(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        body = _json_body(request)

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
        for batch_id in ids:
            db.run(
                "UPDATE batches SET prev_state = state, state = 'deleting' WHERE id = ?",
                (batch_id,),
            )
        return {str(i): states[i] for i in ids}

    def on_remove_batches(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        ids = parse_int_list(request.args.get("ids"), "ids")
        if not ids:
            raise param_error("ids", "give at least one batch id, e.g. ids=1,2,3")
        ids = list(dict.fromkeys(ids))

        def act(db: Db) -> dict[str, Any]:
            self._dataset(db, ws, pr, ds)
            _known_batches(db, ds, ids, "ids")
            prev = self._mark_deleting(db, ds, ids)
            params = {"dataset_id": ds, "ids": ids, "prev_states": prev}
            return {"job_id": self._job(db, request, "remove_batches", params)}

        return self._write(request, 202, act)

    def on_delete_batch(
        self, request: Request, ws: int, pr: int, ds: int, batch_id: int
    ) -> Response:
        def act(db: Db) -> dict[str, Any]:
            self._dataset(db, ws, pr, ds)
            if db.batch(ds, batch_id) is None:
                raise ApiError("NOT_FOUND", f"Batch {batch_id} not found in dataset {ds}")
            prev = self._mark_deleting(db, ds, [batch_id])
            params = {"dataset_id": ds, "ids": [batch_id], "prev_states": prev}
            return {"job_id": self._job(db, request, "delete_batch", params)}

        return self._write(request, 202, act)

    def on_update_batches(self, request: Request, ws: int, pr: int, ds: int) -> Response:
        suspend, restore = validate_patch(_json_body(request))

        def act(db: Db) -> dict[str, Any]:
            self._dataset(db, ws, pr, ds)
            _known_batches(db, ds, suspend, "patch.value.suspend")
            _known_batches(db, ds, restore, "patch.value.restore")
            params = {"dataset_id": ds, "suspend": suspend, "restore": restore}
            return {"job_id": self._job(db, request, "update_batches", params)}

        return self._write(request, 202, act)


class _Answer(Exception):
    """Short-circuits a request with a ready response (used by faults)."""

    def __init__(self, response: Response) -> None:
        self.response = response


# -- helpers ------------------------------------------------------------------------------


#: What each path id names, for the 404 of an id no row can have.
PATH_IDS = {
    "ws": "Workspace",
    "pr": "Project",
    "ds": "Dataset",
    "batch_id": "Batch",
    "job_id": "Job",
}


def _check_path_ids(args: Mapping[str, Any]) -> None:
    """A path id beyond SQLite's integer range names nothing: 404, before any query."""
    for name, value in args.items():
        if isinstance(value, int) and value > INT_MAX:
            raise ApiError(
                "NOT_FOUND",
                f"{PATH_IDS.get(name, name)} {value} not found (ids go up to {INT_MAX})",
            )


def _drop(environ: dict[str, Any]) -> None:
    """Close the client's connection with no answer at all."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    raise ConnectionAbortedError("connection dropped by sandbox fault injection")


def _truncated(environ: dict[str, Any]) -> Response:
    payload = json.dumps({"batches": [], "next": "", "detail": "x" * 200}).encode()

    def body() -> Iterator[bytes]:
        yield payload[: len(payload) // 2]
        _drop(environ)

    response = Response(body(), status=200, content_type="application/json")
    response.headers["Content-Length"] = str(len(payload))
    return response


def _json_body(request: Request) -> Any:
    raw = request.get_data(cache=True)
    if not raw.strip():
        raise body_error("body", "a JSON body is required")
    try:
        return json.loads(raw)
    except ValueError as exc:
        raise body_error("body", f"not valid JSON ({exc})") from None


def _request_digest(request: Request) -> str:
    raw = request.get_data(cache=True)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True) if raw.strip() else ""
    except ValueError:
        body = raw.decode("utf-8", "replace")
    query = sorted(request.args.items(multi=True))
    text = json.dumps([request.method, request.path, query, body])
    return hashlib.sha256(text.encode()).hexdigest()


def _next(base: str, request: Request, limit: int, offset: int, more: bool) -> str:
    if not more:
        return ""
    params = [(k, v) for k, v in request.args.items(multi=True) if k not in ("limit", "offset")]
    params += [("limit", str(limit)), ("offset", str(offset + limit))]
    return f"{base}?{urlencode(params)}"


def _text_list(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def _known_batches(db: Db, ds: int, ids: list[int], key: str) -> None:
    states = db.batch_states(ds, ids)
    unknown = [i for i in ids if i not in states]
    if unknown:
        raise ApiError(
            "INVALID_BATCH_IDS",
            f"Unknown batch ids for dataset {ds}: {unknown}",
            extra=[{"key": key, "message": f"unknown batch ids: {unknown}"}],
        )
