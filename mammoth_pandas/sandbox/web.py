"""What every route module shares: request bodies, page envelopes, lookups, jobs, writes."""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode

from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox.bodies import refuse_unknown_keys
from mammoth_pandas.sandbox.errors import ApiError, body_error, json_response, param_error
from mammoth_pandas.sandbox.faults import Faults
from mammoth_pandas.sandbox.jobs import JobRunner
from mammoth_pandas.sandbox.query import Page
from mammoth_pandas.sandbox.store import Db, Store

P = contract.API_PREFIX
#: The prefix of every route under one project's datasets.
DS = P + "/workspaces/<int:ws>/projects/<int:pr>/datasets"

#: The largest request body accepted (bytes); a larger one is answered 413.
MAX_CONTENT_LENGTH = 1 << 20


def too_large(limit: int) -> ApiError:
    """The 413 of a body over ``limit`` bytes."""
    return ApiError(
        "PAYLOAD_TOO_LARGE",
        f"Request body too large (accepted: up to {limit} bytes)",
        extra=[{"key": "body", "message": f"larger than {limit} bytes"}],
    )


#: Where the WSGI environ carries the body cap and the body once read.
BODY_CAP_KEY = "mammoth_sandbox.max_content_length"
BODY_KEY = "mammoth_sandbox.body"


def read_body(request: Request) -> bytes:
    """The request body, read once, never more than the cap.

    A declared length over it was refused before the handler ran; a chunked body is read up to one
    byte past the cap, and reaching that byte is the 413.
    """
    cached: bytes | None = request.environ.get(BODY_KEY)
    if cached is not None:
        return cached
    limit = int(request.environ.get(BODY_CAP_KEY, MAX_CONTENT_LENGTH))
    if request.content_length is not None:
        raw = request.get_data(cache=True)
    else:
        raw = request.stream.read(limit + 1)
    if len(raw) > limit:
        raise too_large(limit)
    request.environ[BODY_KEY] = raw
    return raw


def json_body(request: Request, accepted: Iterable[str] | None = None) -> Any:
    """The request's JSON body.

    With ``accepted``, an object whose top-level keys are all among them (an unknown key is a 400
    naming it).
    """
    raw = read_body(request)
    if not raw.strip():
        raise body_error("body", "a JSON body is required")
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise body_error("body", f"not valid JSON ({exc})") from None
    if accepted is not None and isinstance(body, dict):
        refuse_unknown_keys(body, tuple(accepted))
    return body


def request_digest(request: Request) -> str:
    """A digest of method, path, query and (normalised) body: what an idempotency key binds."""
    raw = read_body(request)
    try:
        body = json.dumps(json.loads(raw), sort_keys=True) if raw.strip() else ""
    except (ValueError, RecursionError):
        body = raw.decode("utf-8", "replace")
    query = sorted(request.args.items(multi=True))
    text = json.dumps([request.method, request.path, query, body])
    return hashlib.sha256(text.encode()).hexdigest()


def query_args(environ: dict[str, Any]) -> MultiDict[str, str]:
    """The query string's parameters, parsed as Werkzeug's ``Request.args`` parses them.

    For a route answered without building a :class:`Request` (see ``SandboxApp.__call__``).
    """
    text = environ.get("QUERY_STRING", "").encode("latin-1").decode()
    return MultiDict(parse_qsl(text, keep_blank_values=True, errors="werkzeug.url_quote"))


def next_link(base: str, request: Request, limit: int, offset: int, more: bool) -> str:
    """The ``next`` of a page: the same query at the next offset, or ``""``."""
    return next_link_of(base, request.args, limit, offset, more)


def next_link_of(base: str, args: MultiDict[str, str], limit: int, offset: int, more: bool) -> str:
    """:func:`next_link` from the request's parsed query string ``args``."""
    if not more:
        return ""
    if all(k in ("limit", "offset") for k in args):  # a plain page: nothing else to carry
        return f"{base}?limit={limit}&offset={offset + limit}"
    params = [(k, v) for k, v in args.items(multi=True) if k not in ("limit", "offset")]
    params += [("limit", str(limit)), ("offset", str(offset + limit))]
    return f"{base}?{urlencode(params)}"


def page_body(
    name: str, items: list[Any], base: str, request: Request, page: Page
) -> dict[str, Any]:
    """``{name: items[:limit], next, limit, offset}`` from ``limit + 1`` fetched items."""
    limit, offset = page.limit, page.offset
    more = len(items) > limit and limit > 0
    return {
        name: items[:limit],
        "next": next_link(base, request, limit, offset, more),
        "limit": limit,
        "offset": offset,
    }


class Routes:
    """Base of the route mixins: the state they share and the lookups they all use."""

    store: Store
    runner: JobRunner
    faults: Faults
    job_delay: float

    def _dataset(self, db: Db, ws: int, pr: int, ds: int) -> Any:
        """The dataset row, after checking workspace and project (one query)."""
        check_ids(ws, pr)
        row = db.locate(ws, pr, ds)
        if not row["ws_ok"]:
            raise ApiError("NOT_FOUND", f"Workspace {ws} not found")
        if not row["pr_ok"]:
            raise ApiError("NOT_FOUND", f"Project {pr} not found in workspace {ws}")
        if row["id"] is None or row["workspace_id"] != ws or row["project_id"] != pr:
            raise ApiError("NOT_FOUND", f"Dataset {ds} not found in project {pr}")
        return row

    def _project(self, db: Db, ws: int, pr: int) -> None:
        check_ids(ws, pr)
        if not db.project_exists(ws, pr):
            raise ApiError("NOT_FOUND", f"Project {pr} not found in workspace {ws}")

    def _job(self, db: Db, request: Request, operation: str, params: dict[str, Any]) -> int:
        return db.insert_job(
            operation=operation,
            path=request.path,
            params=params,
            run_after=time.time() + self.job_delay,
            idempotency_key=request.headers.get(contract.HEADER_IDEMPOTENCY_KEY),
        )

    def _write(
        self, request: Request, status: int, act: Callable[[Db], dict[str, Any]]
    ) -> Response:
        """Run ``act`` (request-time checks and changes, creating a job) in one transaction.

        Honours ``Idempotency-Key``: a repeated key with the same request gets the first answer
        back, with a different request a 409.
        """
        key = request.headers.get(contract.HEADER_IDEMPOTENCY_KEY)
        digest = request_digest(request)
        with self.store.write() as db:
            if key:
                seen = db.idempotent_answer(key)
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
                db.remember_answer(key, digest, status, body)
        self.runner.notify()
        return json_response(body, status)


def check_ids(ws: int, pr: int | None = None) -> None:
    """Workspace and project ids start at 1: a lower one is a 400 naming it."""
    if ws < 1:
        raise param_error("workspace_id", f"{ws} is below 1")
    if pr is not None and pr < 1:
        raise param_error("project_id", f"{pr} is below 1")
