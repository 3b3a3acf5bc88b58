"""The sandbox's WSGI application: Werkzeug routing, auth, faults, body cap, dispatch.

Routes (``/api/v2`` prefix as in the wire contract); the handlers live in the route
modules ``routes_workspaces``, ``routes_datasets`` and ``routes_batches``::

    GET    /health, /api/v2/health                              no auth
    GET    /jobs/{job_id}            GET /jobs?job_ids=1,2
    GET    /workspaces/current       GET /workspaces/{ws}/projects
    GET    /workspaces/{ws}/projects/{pr}/datasets[/{ds}]
    GET    …/datasets/column-stats                              stored column statistics
    GET    …/datasets/{ds}/data                                 rows of a dataset (202, job)
    GET    …/datasets/{ds}/batches                              list (200)
    POST   …/datasets/{ds}/batches                              create (200, job handle)
    DELETE …/datasets/{ds}/batches?ids=1,2                      remove (202, job handle)
    PATCH  …/datasets/{ds}/batches                              suspend / restore (202)
    GET    …/datasets/{ds}/batches/{batch_id}                   one batch (200)
    GET    …/datasets/{ds}/batches/{batch_id}/data              rows of a batch (202, job)
    DELETE …/datasets/{ds}/batches/{batch_id}                   delete (202)
    GET|PUT /__sandbox__/faults, GET /__sandbox__/actions       the sandbox's own controls
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import socket
import sqlite3
import time
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map
from werkzeug.wrappers import Request, Response

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox import routes_batches, routes_datasets, routes_workspaces
from mammoth_pandas.sandbox.errors import ApiError, param_error, render
from mammoth_pandas.sandbox.faults import Faults
from mammoth_pandas.sandbox.jobs import JobRunner
from mammoth_pandas.sandbox.listing_index import ListingIndex
from mammoth_pandas.sandbox.routes_batches import BatchRoutes
from mammoth_pandas.sandbox.routes_datasets import DatasetRoutes
from mammoth_pandas.sandbox.routes_workspaces import OPEN_ENDPOINTS, WorkspaceRoutes
from mammoth_pandas.sandbox.seed import DEMO
from mammoth_pandas.sandbox.sql import INT_MAX
from mammoth_pandas.sandbox.store import Store
from mammoth_pandas.sandbox.web import (
    BODY_CAP_KEY,
    MAX_CONTENT_LENGTH,
    query_args,
    read_body,
    too_large,
)

log = logging.getLogger(__name__)

P = contract.API_PREFIX

URLS = Map(
    [*routes_workspaces.RULES, *routes_datasets.RULES, *routes_batches.RULES],
    strict_slashes=False,
)

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class SandboxApp(WorkspaceRoutes, DatasetRoutes, BatchRoutes):
    """The WSGI callable.

    ``credentials`` is (api_key, api_secret, token); a request body over ``max_content_length``
    bytes is answered 413.
    """

    def __init__(
        self,
        store: Store,
        runner: JobRunner,
        faults: Faults,
        *,
        credentials: tuple[str, str, str],
        job_delay: float,
        max_content_length: int = MAX_CONTENT_LENGTH,
        workspace_id: int = DEMO.workspace_id,
    ) -> None:
        """Serve ``store``, running jobs on ``runner`` and drawing faults from ``faults``."""
        self.store = store
        self.runner = runner
        self.faults = faults
        self._listing_extras = {}
        self._listing_index = ListingIndex()
        self._key, self._secret, self._token = credentials
        self.job_delay = job_delay
        self.max_content_length = max_content_length
        self.workspace_id = workspace_id
        self.started = time.monotonic()

    # -- plumbing -----------------------------------------------------------------------

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        """Answer one WSGI request."""
        environ[BODY_CAP_KEY] = self.max_content_length
        if environ.get("REQUEST_METHOD") == "GET" and _bodiless(environ):
            body = self._lean_listing(environ)
            if isinstance(body, bytes):
                headers = [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
                start_response("200 OK", headers)
                return [body]
            if body is not None:  # an error, in the one envelope
                return body(environ, start_response)
        request = Request(environ)
        response = self.dispatch(request, environ)
        return response(environ, start_response)

    def _lean_listing(self, environ: dict[str, Any]) -> bytes | Response | None:
        """A batch listing's page answered without Werkzeug's request and response objects.

        A listing is what a client asks for a thousand times in a row, and those objects
        (a missing header costs Werkzeug an exception) were a fifth of the page's CPU once the
        rows were stored rendered. The checks and faults are :meth:`dispatch`'s, in its
        order, with its answers (auth, ``X-WORKSPACE-ID``, path ids, latency and faults, the
        parameters); the caller takes this path only for a GET without a body. None: another
        route (or none), which :meth:`dispatch` answers.
        """
        try:
            endpoint, args = _match(environ)
        except HTTPException:
            return None
        if endpoint != "list_batches":
            return None

        def header(name: str) -> str:  # what Werkzeug's EnvironHeaders reads
            return str(environ.get("HTTP_" + name.upper().replace("-", "_"), ""))

        try:
            self._authenticate(header)
            self._check_workspace_header(header, endpoint, args)
            _check_path_ids(args)
            fault = self._early_fault(None, environ)
            body = self.batches_listing(query_args(environ), **args).encode()
        except Exception as error:
            return self._failure(error, environ)
        if fault == "drop_after":
            _drop(environ)
        return body

    def dispatch(self, request: Request, environ: dict[str, Any]) -> Response:
        """Route, authenticate, draw a fault and run the handler.

        Every error is rendered in the one envelope.
        """
        fault: str | None = None
        try:
            try:
                endpoint, args = _match(environ)
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
            if endpoint not in OPEN_ENDPOINTS:

                def header(name: str) -> str:
                    return str(request.headers.get(name, ""))

                self._authenticate(header)
                self._check_workspace_header(header, endpoint, args)
            _check_path_ids(args)
            length = request.content_length
            if length is not None and length > self.max_content_length:
                raise too_large(self.max_content_length)
            if request.path.startswith(P + "/") and endpoint not in OPEN_ENDPOINTS:
                fault = self._early_fault(request, environ)
            handler: Callable[..., Response] = getattr(self, "on_" + endpoint)
            response = handler(request, **args)
        except Exception as error:
            response = self._failure(error, environ)
        key = request.headers.get(contract.HEADER_IDEMPOTENCY_KEY)
        if key and request.method in WRITE_METHODS:
            response.headers[contract.HEADER_IDEMPOTENCY_KEY] = key
        if fault == "drop_after":
            _drop(environ)
        return response

    @staticmethod
    def _failure(error: Exception, environ: dict[str, Any]) -> Response:
        """The answer to a request whose handling raised ``error``.

        A dropped connection (``ConnectionError``) is raised again: no answer at all.
        """
        if isinstance(error, ApiError):
            return render(error)
        if isinstance(error, _Answer):
            return error.response
        if isinstance(error, sqlite3.Error):
            return render(ApiError("INTERNAL_ERROR", f"storage error: {error}"))
        if isinstance(error, ConnectionError):
            raise error
        # a sandbox bug still answers with the one envelope
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO")
        log.error("sandbox request %s %s failed", method, path, exc_info=error)
        return render(ApiError("INTERNAL_ERROR", f"internal error: {error}"))

    def _authenticate(self, header: Callable[[str], str]) -> None:
        """The request's key pair or bearer token (``header`` reads a header, "" if absent)."""
        key = header(contract.HEADER_API_KEY)
        secret = header(contract.HEADER_API_SECRET)
        if key or secret:
            key_ok = hmac.compare_digest(key.encode(), self._key.encode())
            secret_ok = hmac.compare_digest(secret.encode(), self._secret.encode())
            if key_ok and secret_ok:
                return
            raise ApiError("UNAUTHORIZED", "Invalid API key or secret")
        auth = header("Authorization")
        if auth.startswith("Bearer "):
            if hmac.compare_digest(auth[7:].strip().encode(), self._token.encode()):
                return
            raise ApiError("UNAUTHORIZED", "Invalid bearer token")
        raise ApiError(
            "UNAUTHORIZED",
            "Missing credentials: send X-API-KEY and X-API-SECRET, or Authorization: Bearer",
        )

    def _early_fault(self, request: Request | None, environ: dict[str, Any]) -> str | None:
        """Latency and faults that answer instead of the handler (nothing is applied).

        ``request`` is None on the lean listing path, for a request without a body.
        """
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
            if request is not None:
                read_body(request)  # the whole request is read, none of it left behind
            _drop(environ)
        if fault == "non_json":
            page = "<html><body><h1>Gateway maintenance</h1></body></html>"
            raise _Answer(Response(page, status=200, content_type="text/html"))
        # truncate: a real-looking JSON body cut in half, with the full Content-Length.
        raise _Answer(_truncated(environ))

    def _check_workspace_header(
        self, header: Callable[[str], str], endpoint: str, args: Mapping[str, Any]
    ) -> None:
        """``X-WORKSPACE-ID`` may be absent; present, it must be an id of the right workspace.

        The right workspace is the path's (or, for ``/workspaces/current``, the credential's); else
        403.
        """
        raw = header(contract.HEADER_WORKSPACE).strip()
        if not raw:
            return
        if not raw.isdigit() or int(raw) > INT_MAX:
            raise param_error(contract.HEADER_WORKSPACE, f"{raw!r} is not a workspace id")
        given = int(raw)
        expected = args.get("ws")
        if expected is None and endpoint == "current_workspace":
            expected = self.workspace_id
        if expected is not None and given != expected:
            raise ApiError(
                "FORBIDDEN",
                f"{contract.HEADER_WORKSPACE} {given} contradicts the workspace {expected}"
                " of the request",
                extra=[{"key": contract.HEADER_WORKSPACE, "message": f"expected {expected}"}],
            )


#: Routes matched before, by method and path: a listing asks the same path page after
#: page, and Werkzeug's matcher costs more than the rest of the routing.
_MATCHED: dict[tuple[str, str, str], tuple[str, dict[str, Any]]] = {}
_MATCHED_MAX = 1024


def _match(environ: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """``(endpoint, args)`` of the request; raises what Werkzeug's matcher raises.

    Only successful matches are remembered; the arguments are copied for each request.
    """
    key = (
        environ.get("REQUEST_METHOD", "GET"),
        environ.get("SCRIPT_NAME", ""),
        environ.get("PATH_INFO", ""),
    )
    found = _MATCHED.get(key)
    if found is None:
        endpoint, args = URLS.bind_to_environ(environ).match()
        if len(_MATCHED) >= _MATCHED_MAX:
            _MATCHED.clear()
        found = _MATCHED[key] = (str(endpoint), dict(args))
    return found[0], dict(found[1])


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


def _bodiless(environ: dict[str, Any]) -> bool:
    """The request declared no body (no ``Content-Length``, not chunked)."""
    return "CONTENT_LENGTH" not in environ and not environ.get("wsgi.input_terminated")


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
