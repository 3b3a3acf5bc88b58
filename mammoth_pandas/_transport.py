"""HTTP plumbing of the client: credentials, retries, error mapping, idempotent writes.

- Credentials live in :class:`Secret` objects (masked ``repr``/``str``) and reach the
  wire only through :class:`MammothAuth`, applied per request, so no header dict, log line
  or exception message ever holds them. An error answer that echoes them (some gateways
  print the request's headers) is masked before anything keeps it: the message, ``body``
  and ``response`` of the error show ``********`` instead.
- Every attempt is bounded (:mod:`mammoth_pandas._attempt`): in wall time by ``timeout``
  (a server dripping bytes or headers cannot stretch it), and in size by ``max_body``
  decoded bytes (a decompression bomb counts what it decodes to).
- Reads are retried here, not in urllib3: on 429/500/502/503/504, connection errors,
  timeouts, and bodies that arrive truncated, are not JSON, or are JSON of the wrong shape
  (a gateway's ``200 {"message": ...}`` where a listing was asked for, see :class:`Expect`).
  Waits follow ``Retry-After`` when it can be read (:func:`mammoth_pandas._backoff.retry_after`),
  else the one backoff schedule (:func:`mammoth_pandas._backoff.delay`), each capped at
  ``retry.wait_cap``; the retries are bounded in count (``max_retries``) and in time
  (``retry.total_time``). When they run out the error is the last answer's
  (``RateLimitError``, ``ServerError``, or ``MammothConnectionError``), with the number of
  attempts made.
- Writes always carry an ``Idempotency-Key``. They are retried only when that makes a
  double action impossible: the server has shown in this session that it honours the key
  (it echoed the header), or the connection failed before the request was sent.
  Otherwise the caller gets ``MammothConnectionError(applied=None)`` saying that the
  action may or may not have been applied and how to check.
- Reads whose session allows it take the lean path (:mod:`mammoth_pandas._lean`): prepared
  once per URL by the session itself, then sent straight to the adapter's pool with only
  the query varying; the same request, the same retries and errors, half the client CPU
  of a page. A session customised beyond what that path honours takes ``session.request``.
- Redirects are never followed: a 3xx is an error naming its ``Location``, so that the
  key pair cannot travel to another address.
"""

from __future__ import annotations

import functools
import json
import logging
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, NamedTuple

import requests
from urllib3.util.retry import Retry

from mammoth_pandas import _backoff
from mammoth_pandas import contract as C
from mammoth_pandas._attempt import (
    ACCEPT_ENCODING,
    Attempt,
    BoundedAdapter,
    Failure,
    failure_of,
    read_body,
    read_raw,
    send,
)
from mammoth_pandas._concurrency import report_throttle
from mammoth_pandas._credentials import MASK, MammothAuth, Secret, mask_value, masker
from mammoth_pandas._decode import loads
from mammoth_pandas._lean import EnvironmentOnce, LeanGet, Route
from mammoth_pandas.errors import (
    AuthenticationError,
    BadRequestError,
    ConflictError,
    MammothAPIError,
    MammothConnectionError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

#: The client's own session class (the name the tests know it by).
_EnvironmentOnce = EnvironmentOnce

__all__ = ["MASK", "Expect", "MammothAuth", "RetryPolicy", "Secret", "Transport", "error_for"]

log = logging.getLogger("mammoth_pandas.client")

#: Statuses on which reads are retried (a GET is idempotent, so a 500 is worth another try).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Statuses on which a write is retried, only when the server honours idempotency keys.
WRITE_RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})
#: The largest decoded body read by default (64 MiB).
MAX_BODY = 64 << 20
#: The longest URL sent (path and query string): common proxies and servers refuse a
#: request line over 8 KB (``414``), so id lists are split to stay under this.
MAX_URL = 8000


class Expect(NamedTuple):
    """The shape a read's ``2xx`` body must have: an object whose ``key`` is a ``kind``.

    A body of another shape is not an empty answer but a wrong one (a proxy's or
    gateway's page), so :meth:`Transport.get` fetches it again, then gives up.
    """

    key: str
    kind: type
    what: str

    def matches(self, body: Any) -> bool:
        return isinstance(body, dict) and isinstance(body.get(self.key), self.kind)

    def describe(self) -> str:
        shape = "a list" if self.kind is list else "an object"
        return f"{self.what} (an object whose {self.key!r} is {shape})"


def _sleep(seconds: float) -> None:  # indirection so tests can replace the waiting
    time.sleep(seconds)


@dataclass
class RetryPolicy:
    """How long the transport keeps retrying: ``max_retries`` retries at most, none
    starting after ``total_time`` seconds, each wait at most ``wait_cap`` seconds."""

    max_retries: int
    total_time: float = 60.0
    wait_cap: float = 10.0


def _parse_body(response: requests.Response) -> Any:
    content = response.content
    try:
        return json.loads(content) if content else None
    except (ValueError, RecursionError):
        return response.text[:500] if response.text else None


def _retry_after(response: requests.Response) -> float | None:
    return _backoff.retry_after(response.headers.get("Retry-After"))


def error_for(
    response: requests.Response, what: str, *, note: str | None = None, attempts: int = 1
) -> MammothAPIError:
    """The typed exception for an error answer; its message reads ``message`` then ``detail``.

    Args:
        response: The answer (its body already read and masked by the transport).
        what: The request, for the message (``"GET /jobs/7"``).
        note: A sentence added in brackets.
        attempts: How many attempts were made, said when more than one.
    """
    status = response.status_code
    body = _parse_body(response)
    message = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail") or body.get("error")
    elif isinstance(body, str) and body.strip():
        message = body.strip()
    text = f"{what} → HTTP {status}: {message or response.reason or 'error'}"
    notes = [note] if note else []
    retry_after = _retry_after(response) if status == 429 else None
    if retry_after is not None:
        notes.insert(0, f"retry after {retry_after:g} s")
    if attempts > 1:
        notes.append(f"gave up after {attempts} attempts")
    if notes:
        text += f" ({'; '.join(notes)})"
    kwargs: dict[str, Any] = {"status": status, "body": body, "response": response}
    if 300 <= status < 400:
        location = response.headers.get("Location", "?")
        return MammothAPIError(
            f"{what} → HTTP {status}: the server redirects to {location}; redirects are not "
            "followed, so that credentials never travel to another address: point "
            "server_url at the final address",
            **kwargs,
        )
    if status == 400 or status == 422:
        return BadRequestError(text, **kwargs)
    if status in (401, 403):
        hint = " (check the API key and secret, or the token)" if status == 401 else ""
        return AuthenticationError(text + hint, **kwargs)
    if status == 404:
        return NotFoundError(text, **kwargs)
    if status == 409:
        return ConflictError(text, **kwargs)
    if status == 429:
        return RateLimitError(text, retry_after=retry_after, **kwargs)
    if status >= 500:
        return ServerError(text, **kwargs)
    return MammothAPIError(text, **kwargs)


def _json(content: bytes) -> tuple[Any, str | None]:
    """The parsed body and ``None``, or ``None`` and what was wrong with it."""
    try:
        return loads(content), None
    except RecursionError:
        return None, "the answer was JSON nested too deeply to read"
    except ValueError:
        return None, "the answer was not valid JSON (truncated or garbled)"


class Transport:
    """One ``requests.Session`` with auth, retries and a timeout; JSON in, typed errors out."""

    def __init__(
        self,
        base_url: str,
        *,
        auth: MammothAuth,
        timeout: float,
        session: requests.Session | None,
        max_retries: int,
        pool_size: int,
        max_body: int = MAX_BODY,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_body = max_body
        self.session = session if session is not None else EnvironmentOnce()
        self.honours_idempotency = False
        self.retry = RetryPolicy(max_retries)
        # Retries happen in this class; urllib3 only reports (no retry, no redirect).
        adapter = BoundedAdapter(
            max_retries=Retry(total=0, read=False, redirect=False, raise_on_status=False),
            pool_maxsize=max(10, pool_size),
        )
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.lean = LeanGet(
            self.session,
            adapter,
            headers={"Accept-Encoding": ACCEPT_ENCODING},
            auth=auth,
            timeout=timeout,
        )

    def url(self, path: str) -> str:
        return self.base_url + path

    def id_chunks(
        self, path: str, name: str, ids: list[int], params: Mapping[str, Any] | None = None
    ) -> list[list[int]]:
        """``ids`` split into consecutive groups, each of which fits one URL of ``path``
        (with ``params``) as ``name=1,2,3`` within :data:`MAX_URL`."""
        fixed = requests.Request("GET", self.url(path), params=dict(params or {})).prepare().url
        room = MAX_URL - len(fixed or "") - len(name) - 2
        chunks: list[list[int]] = []
        used = room + 1
        for number in ids:
            cost = len(str(number)) + 3  # the comma is sent as %2C
            if used + cost > room:
                chunks.append([])
                used = -3  # the first id of a group has no comma before it
            chunks[-1].append(number)
            used += cost
        return chunks

    # -- one attempt ---------------------------------------------------------------------

    def _attempt(
        self, method: str, path: str, *, params: Any, body: Any = None, headers: Any = None
    ) -> tuple[requests.Response, bytes]:
        """One exchange through ``session.request``, bounded in time and size; the answer
        and its decoded body (masked when it is an error answer).

        Raises:
            Failure: no usable answer (see :class:`mammoth_pandas._attempt.Failure`).
        """
        sent_headers = {"Accept-Encoding": ACCEPT_ENCODING, **(headers or {})}
        with Attempt(self.timeout) as attempt:
            response = send(
                self.session,
                attempt,
                method,
                self.url(path),
                params=params,
                json=body,
                headers=sent_headers,
                auth=self.auth,
                timeout=self.timeout,
                allow_redirects=False,
            )
            try:
                content = read_body(response, attempt, self.max_body)
            except Failure:
                response.close()
                raise
        return self._kept(response, content)

    def _read(self, path: str, params: Any) -> tuple[int, requests.Response | None, bytes]:
        """One GET attempt: the status, the answer and its decoded body. The answer is
        ``None`` for a 2xx answer of the lean path (:mod:`mammoth_pandas._lean`), taken
        whenever the session allows; an error answer is always there.

        Raises:
            Failure: no usable answer.
        """
        route = self.lean.route(self.url(path))
        if route is not None:
            return self._lean_attempt(route, params)
        response, content = self._attempt("GET", path, params=params)
        return response.status_code, response, content

    def _lean_attempt(
        self, route: Route, params: Any
    ) -> tuple[int, requests.Response | None, bytes]:
        with Attempt(self.timeout) as attempt:
            try:
                raw, query = self.lean.send(route, params)
            except requests.exceptions.RequestException as exc:
                raise failure_of(exc, attempt) from None
            try:
                status = raw.status
                response = None
                if status >= 300 or self.lean.sets_cookie(raw):
                    response = self.lean.response(route, query, raw)
                encoding = raw.headers.get("Content-Encoding", "")
                content = read_raw(raw, encoding, attempt, self.max_body)
            except Failure:
                raw.close()  # a body not read whole: the connection is not used again
                raw.release_conn()
                raise
        if response is not None:
            return (status, *self._kept(response, content))
        raw.release_conn()  # the body was read whole: the connection goes back to the pool
        return status, None, content

    def _kept(self, response: requests.Response, content: bytes) -> tuple[requests.Response, bytes]:
        """``response`` holding its body read whole (masked when it is an error answer),
        its connection back in the pool; and that body."""
        if response.status_code >= 300:
            content = self._masked(response, content)
        response._content = content
        response._content_consumed = True  # type: ignore[attr-defined]
        response.close()  # the body was read whole: the connection goes back to the pool
        return response, content

    def _masked(self, response: requests.Response, content: bytes) -> bytes:
        """Mask the credentials wherever an error answer (body, headers) or the request
        it keeps would show them."""
        mask = masker(self.auth.revealed())
        text = content.decode("utf-8", "replace")
        masked = mask(text)
        for name, value in list(response.headers.items()):
            response.headers[name] = mask(value)
        request = response.request
        if request is not None:
            for name in ("Authorization", C.HEADER_API_KEY, C.HEADER_API_SECRET):
                if name in request.headers:
                    request.headers[name] = MASK
        return masked.encode() if masked != text else content

    def _error(self, response: requests.Response, what: str, **kwargs: Any) -> MammothAPIError:
        error = error_for(response, what, **kwargs)
        error.body = mask_value(error.body, masker(self.auth.revealed()))
        return error

    def _budget(self, started: float) -> float:
        return self.retry.total_time - (time.monotonic() - started)

    def _may_retry(self, attempt: int, started: float) -> bool:
        return attempt <= self.retry.max_retries and self._budget(started) > 0

    def _pause(self, attempt: int, started: float, after: float | None) -> None:
        """Wait before the next attempt: ``after`` (the answer's ``Retry-After`` in seconds,
        ``None`` when absent or unreadable), else the backoff."""
        wait = _backoff.delay(attempt) if after is None else after
        _sleep(max(0.0, min(wait, self.retry.wait_cap, self._budget(started))))

    # -- reads ---------------------------------------------------------------------------

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, expect: Expect | None = None
    ) -> Any:
        """GET ``path`` and return its parsed JSON body (retried as described above); with
        ``expect``, a body of another shape counts as a failed attempt."""
        what = f"GET {path}"
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            try:
                status, response, content = self._read(path, params)
            except Failure as failure:
                if failure.kind == "too_large":
                    raise MammothConnectionError(
                        f"{what}: {failure.detail}; refused", applied=False
                    ) from None
                problem = failure.detail
            else:
                if response is not None and status >= 300:
                    if status in RETRY_STATUSES and self._may_retry(attempt, started):
                        log.debug("%s: HTTP %d (attempt %d)", what, status, attempt)
                        after = _retry_after(response)
                        report_throttle(
                            status, after, functools.partial(self._pause, attempt, started, after)
                        )
                        continue
                    raise self._error(response, what, attempts=attempt)
                body, unreadable = _json(content)
                if unreadable is None and (expect is None or expect.matches(body)):
                    return body
                problem = unreadable or (
                    f"the answer (HTTP {status}) was not {expect.describe() if expect else ''}"
                )
            log.debug("%s: %s (attempt %d)", what, problem, attempt)
            if not self._may_retry(attempt, started):
                times = "once" if attempt == 1 else f"{attempt} attempts"
                raise MammothConnectionError(
                    f"{what}: {problem} ({times}); giving up", applied=False
                )
            self._pause(attempt, started, None)

    # -- writes --------------------------------------------------------------------------

    def write(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        check: str = "list the batches or the jobs to see whether it was applied",
    ) -> Any:
        """Send a mutation with an ``Idempotency-Key``; return the parsed JSON answer."""
        what = f"{method} {path}"
        key = str(uuid.uuid4())
        headers = {C.HEADER_IDEMPOTENCY_KEY: key}
        started = time.monotonic()
        attempt = 0
        while True:
            attempt += 1
            can_retry = self.honours_idempotency and self._may_retry(attempt, started)
            try:
                response, content = self._attempt(
                    method, path, params=params, body=body, headers=headers
                )
            except Failure as failure:
                if failure.kind == "connect":
                    if self._may_retry(attempt, started):  # nothing reached the server
                        self._pause(attempt, started, None)
                        continue
                    raise MammothConnectionError(
                        f"{what}: {failure.detail}; nothing was sent, the action was not applied",
                        applied=False,
                    ) from None
                if can_retry and failure.kind != "too_large":
                    log.debug("%s: %s, retrying with the same key", what, failure.detail)
                    self._pause(attempt, started, None)
                    continue
                raise self._ambiguous(what, failure.detail, check) from None
            if response.headers.get(C.HEADER_IDEMPOTENCY_KEY) == key:
                self.honours_idempotency = True
                can_retry = self._may_retry(attempt, started)
            status = response.status_code
            if status >= 300:
                if status in WRITE_RETRY_STATUSES and can_retry:
                    self._pause(attempt, started, _retry_after(response))
                    continue
                note = None
                if status >= 500:
                    note = f"the action may or may not have been applied; {check}"
                raise self._error(response, what, note=note, attempts=attempt)
            if not content:
                return {}
            answer, problem = _json(content)
            if problem is None:
                return answer
            if can_retry:
                continue
            raise MammothConnectionError(
                f"{what}: the server accepted the request (HTTP {status}) but "
                f"{problem.replace('the answer', 'its answer')}, "
                f"so the job id is unknown; {check}",
                applied=True,
            )

    @staticmethod
    def _ambiguous(what: str, problem: str, check: str) -> MammothConnectionError:
        return MammothConnectionError(
            f"{what}: {problem}. The action may or may not have been applied, and retrying "
            f"could apply it twice; {check}",
            applied=None,
        )
