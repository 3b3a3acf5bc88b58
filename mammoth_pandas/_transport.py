"""HTTP plumbing of the client: credentials, retries, error mapping, idempotent writes.

- Credentials live in :class:`Secret` objects (masked ``repr``/``str``) and reach the
  wire only through :class:`MammothAuth`, applied per request, so no header dict, log line
  or exception message ever holds them.
- Reads are retried on the transport: a urllib3 :class:`MammothRetry` mounted through
  ``HTTPAdapter`` retries GETs on 429/500/502/503/504 and on connection errors, with
  exponential backoff, honouring ``Retry-After`` (each wait capped, the whole retry
  sequence bounded in count and in time: ``MammothRetry.total_time``). Connection
  attempts that failed before the request was sent are retried for every method:
  nothing reached the server.
- Reads whose body arrives truncated, is not JSON, or is JSON of the wrong shape (a
  gateway's ``200 {"message": ...}`` where a listing was asked for, see :class:`Expect`)
  are fetched again (bounded), then raise
  :class:`~mammoth_pandas.errors.MammothConnectionError` naming what was expected.
- Writes always carry an ``Idempotency-Key``. They are retried only when that makes a
  double action impossible: the server has shown in this session that it honours the key
  (it echoed the header), or the connection failed before the request was sent. Their
  retries are bounded like reads': in count (``max_retries``) and in time (the same
  ``total_time`` budget).
  Otherwise the caller gets ``MammothConnectionError(applied=None)`` saying that the
  action may or may not have been applied and how to check.
- Redirects are never followed: a 3xx is an error naming its ``Location``, so that the
  key pair cannot travel to another address.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Mapping
from typing import Any, NamedTuple

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import NewConnectionError
from urllib3.util.retry import Retry

from mammoth_pandas import contract as C
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

__all__ = ["Expect", "MammothAuth", "MammothRetry", "Secret", "Transport"]

log = logging.getLogger("mammoth_pandas.client")

#: Statuses on which reads are retried (a GET is idempotent, so a 500 is worth another try).
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Statuses on which a write is retried, only when the server honours idempotency keys.
WRITE_RETRY_STATUSES = frozenset({409, 429, 500, 502, 503, 504})


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


class Secret:
    """A credential whose ``repr`` and ``str`` never show it; ``reveal()`` returns it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> Any:
        raise TypeError("a Secret cannot be pickled")

    def __deepcopy__(self, memo: dict[int, Any]) -> Secret:
        return self


class MammothAuth(requests.auth.AuthBase):
    """Adds the key pair (``X-API-KEY``/``X-API-SECRET``) or the bearer token to a request."""

    def __init__(
        self,
        *,
        api_key: Secret | None = None,
        api_secret: Secret | None = None,
        token: Secret | None = None,
    ) -> None:
        self._api_key = api_key
        self._api_secret = api_secret
        self._token = token

    @property
    def kind(self) -> str:
        return "token" if self._token else "api_key"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        if self._token:
            request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        else:
            assert self._api_key is not None
            assert self._api_secret is not None
            request.headers[C.HEADER_API_KEY] = self._api_key.reveal()
            request.headers[C.HEADER_API_SECRET] = self._api_secret.reveal()
        return request

    def __repr__(self) -> str:
        return f"MammothAuth(kind={self.kind!r})"


class MammothRetry(Retry):
    """urllib3 ``Retry`` whose ``Retry-After`` waits are capped and whose whole run is bounded.

    ``retry_after_cap`` caps each wait; ``total_time`` bounds the time from the first
    failure, after which the retries count as exhausted.
    """

    def __init__(
        self, *args: Any, retry_after_cap: float = 10.0, total_time: float = 60.0, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.retry_after_cap = retry_after_cap
        self.total_time = total_time
        self.started: float | None = None

    def new(self, **kwargs: Any) -> MammothRetry:
        retry: MammothRetry = super().new(**kwargs)
        retry.retry_after_cap = self.retry_after_cap
        retry.total_time = self.total_time
        retry.started = self.started if self.started is not None else time.monotonic()
        return retry

    def _remaining(self) -> float:
        if self.started is None:
            return self.total_time
        return self.total_time - (time.monotonic() - self.started)

    def is_exhausted(self) -> bool:
        return super().is_exhausted() or self._remaining() <= 0

    def sleep_for_retry(self, response: Any = None) -> bool:
        retry_after = self.get_retry_after(response) if response is not None else None
        if retry_after is None:
            return False
        _sleep(max(0.0, min(retry_after, self.retry_after_cap, self._remaining())))
        return True

    def _sleep_backoff(self) -> None:
        backoff = self.get_backoff_time()
        if backoff > 0:
            _sleep(min(backoff, max(0.0, self._remaining())))


def _parse_body(response: requests.Response) -> Any:
    try:
        return json.loads(response.content) if response.content else None
    except ValueError:
        return response.text[:500] if response.text else None


def _retry_after(response: requests.Response) -> float | None:
    value = response.headers.get("Retry-After")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def error_for(
    response: requests.Response, what: str, *, note: str | None = None
) -> MammothAPIError:
    """The typed exception for an error answer; its message reads ``message`` then ``detail``."""
    status = response.status_code
    body = _parse_body(response)
    message = None
    if isinstance(body, dict):
        message = body.get("message") or body.get("detail") or body.get("error")
    elif isinstance(body, str) and body.strip():
        message = body.strip()
    text = f"{what} → HTTP {status}: {message or response.reason or 'error'}"
    if note:
        text += f" ({note})"
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
        retry_after = _retry_after(response)
        if retry_after is not None:
            text += f" (retry after {retry_after:g} s)"
        return RateLimitError(text, retry_after=retry_after, **kwargs)
    if status >= 500:
        return ServerError(text, **kwargs)
    return MammothAPIError(text, **kwargs)


def _failed_before_sending(exc: requests.exceptions.ConnectionError) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, NewConnectionError)


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
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.auth = auth
        self.timeout = timeout
        self.max_retries = max_retries
        self.session = session if session is not None else requests.Session()
        self.honours_idempotency = False
        self.retry = MammothRetry(
            total=max_retries,
            connect=max_retries,
            read=max_retries,
            status=max_retries,
            other=0,
            allowed_methods=frozenset({"GET", "HEAD"}),
            status_forcelist=RETRY_STATUSES,
            backoff_factor=0.2,
            backoff_max=5.0,
            respect_retry_after_header=True,
            raise_on_status=False,
            raise_on_redirect=False,
        )
        adapter = HTTPAdapter(max_retries=self.retry, pool_maxsize=max(10, pool_size))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def url(self, path: str) -> str:
        return self.base_url + path

    # -- reads ---------------------------------------------------------------------------

    def get(
        self, path: str, params: Mapping[str, Any] | None = None, *, expect: Expect | None = None
    ) -> Any:
        """GET ``path`` and return its parsed JSON body (retried as described above); with
        ``expect``, a body of another shape counts as a failed attempt."""
        what = f"GET {path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self.session.get(
                    self.url(path),
                    params=params,
                    auth=self.auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.exceptions.ChunkedEncodingError as exc:
                problem = f"the answer was cut off ({type(exc).__name__})"
            except requests.exceptions.RequestException as exc:
                raise MammothConnectionError(
                    f"{what}: no answer after {self.max_retries} retries ({_describe(exc)})",
                    applied=False,
                ) from None
            else:
                if response.status_code >= 300:
                    raise error_for(response, what)
                try:
                    body = json.loads(response.content)
                except ValueError:
                    problem = "the answer was not valid JSON (truncated or garbled)"
                else:
                    if expect is None or expect.matches(body):
                        return body
                    problem = (
                        f"the answer (HTTP {response.status_code}) was not {expect.describe()}"
                    )
            log.debug("%s: %s (attempt %d)", what, problem, attempt)
            if attempt > self.max_retries:
                raise MammothConnectionError(
                    f"{what}: {problem}, {attempt} times; giving up", applied=False
                )
            _sleep(min(0.1 * 2 ** (attempt - 1), 2.0))

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
        # Retries are bounded in count (max_retries) and, like reads, in time: no retry
        # starts once the retry budget (MammothRetry.total_time) is spent.
        started = time.monotonic()

        def left() -> float:
            return self.retry.total_time - (time.monotonic() - started)

        def wait(seconds: float) -> None:
            _sleep(max(0.0, min(seconds, left())))

        attempt = 0
        while True:
            attempt += 1
            can_retry = self.honours_idempotency and attempt <= self.max_retries and left() > 0
            try:
                response = self.session.request(
                    method,
                    self.url(path),
                    params=params,
                    json=body,
                    headers=headers,
                    auth=self.auth,
                    timeout=self.timeout,
                    allow_redirects=False,
                )
            except requests.exceptions.ConnectionError as exc:
                if _failed_before_sending(exc):
                    raise MammothConnectionError(
                        f"{what}: could not connect ({_describe(exc)}); nothing was sent, "
                        "the action was not applied",
                        applied=False,
                    ) from None
                if can_retry:
                    log.debug("%s: connection lost, retrying with the same key", what)
                    wait(min(0.2 * 2 ** (attempt - 1), 5.0))
                    continue
                raise self._ambiguous(
                    what, f"the connection failed ({_describe(exc)})", check
                ) from None
            except (
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError,
            ) as exc:
                if can_retry:
                    log.debug("%s: answer cut off, retrying with the same key", what)
                    continue
                raise self._ambiguous(
                    what, f"the answer was cut off ({_describe(exc)})", check
                ) from None
            except requests.exceptions.Timeout as exc:
                if can_retry:
                    continue
                raise self._ambiguous(
                    what, f"no answer in time ({_describe(exc)})", check
                ) from None
            except requests.exceptions.RequestException as exc:
                raise self._ambiguous(what, _describe(exc), check) from None
            if response.headers.get(C.HEADER_IDEMPOTENCY_KEY) == key:
                self.honours_idempotency = True
                can_retry = attempt <= self.max_retries and left() > 0
            if response.status_code >= 300:
                if response.status_code in WRITE_RETRY_STATUSES and can_retry:
                    after = _retry_after(response)
                    wait(min(after if after is not None else 0.2 * 2 ** (attempt - 1), 10.0))
                    continue
                note = None
                if response.status_code >= 500:
                    note = f"the action may or may not have been applied; {check}"
                raise error_for(response, what, note=note)
            try:
                return json.loads(response.content) if response.content else {}
            except ValueError:
                if can_retry:
                    continue
                raise MammothConnectionError(
                    f"{what}: the server accepted the request (HTTP {response.status_code}) but "
                    f"its answer was unreadable, so the job id is unknown; {check}",
                    applied=True,
                ) from None

    @staticmethod
    def _ambiguous(what: str, problem: str, check: str) -> MammothConnectionError:
        return MammothConnectionError(
            f"{what}: {problem}. The action may or may not have been applied, and retrying "
            f"could apply it twice; {check}",
            applied=None,
        )


def _describe(exc: BaseException) -> str:
    """A short description of a transport error, without URLs' query strings."""
    text = str(exc)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(exc).__name__}: {text}"
