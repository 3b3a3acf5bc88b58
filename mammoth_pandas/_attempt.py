"""One HTTP attempt, bounded in wall time and in the size of its decoded body.

``requests``' ``timeout`` bounds each socket operation, not the attempt: a server that
drips one byte a second, or sends a header line that never ends, keeps every read short
and the attempt endless. So each attempt here has a wall-clock deadline kept by one
watchdog thread: when it passes, the watchdog shuts the attempt's socket down, which
ends any read blocked on it, and the attempt reports :class:`Failure` ``"timeout"``.
The socket is found through the connection pools that :class:`BoundedAdapter` mounts
(they note the connection each attempt takes, per thread).

The body is read as a stream and decoded here (``gzip``, ``deflate``, ``identity``, the
encodings the client asks for), at most ``cap`` decoded bytes in all: a decompression
bomb counts what it decodes to, and memory never holds more than ``cap`` bytes of it.
"""

from __future__ import annotations

import contextlib
import heapq
import http.client
import itertools
import math
import socket
import threading
import time
import zlib
from typing import Any

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

__all__ = [
    "ACCEPT_ENCODING",
    "Attempt",
    "BoundedAdapter",
    "Failure",
    "describe",
    "failure_of",
    "read_body",
    "read_raw",
    "send",
]

#: The encodings the client asks for, and the only ones it decodes.
ACCEPT_ENCODING = "gzip, deflate"
_CHUNK = 64 * 1024
_current = threading.local()


class Failure(Exception):
    """An attempt that got no usable answer.

    ``kind`` is ``"connect"`` (nothing was sent), ``"timeout"``, ``"lost"`` (the
    connection failed after sending), ``"cut"`` (the body ended early or would not
    decode) or ``"too_large"``; ``detail`` says what happened, for messages.
    """

    def __init__(self, kind: str, detail: str) -> None:
        self.kind = kind
        self.detail = detail
        super().__init__(detail)


class Attempt:
    """The wall-clock deadline of one attempt, made current for this thread by ``with``."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.deadline = time.monotonic() + seconds
        self.connection: Any = None
        self.expired = False
        self.done = False

    def __enter__(self) -> Attempt:
        _current.attempt = self
        _WATCHDOG.watch(self)
        return self

    def __exit__(self, *exc: object) -> None:
        with _WATCHDOG.lock:
            self.done = True
        _current.attempt = None

    def check(self) -> None:
        """Raise :class:`Failure` ``"timeout"`` once the deadline has passed."""
        if self.expired or time.monotonic() >= self.deadline:
            self.expired = True
            raise Failure("timeout", f"no complete answer within the timeout ({self.seconds:g} s)")

    def expire(self) -> None:
        """Called by the watchdog at the deadline: end any read blocked on the socket."""
        self.expired = True
        sock = getattr(self.connection, "sock", None)
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Watchdog:
    """One daemon thread expiring the attempts whose deadline passed, earliest first.

    The thread is woken only by an attempt due before it would next look by itself, so
    that attempts of the same timeout, one after another, cost no thread switch each."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._wake = threading.Condition(self.lock)
        self._heap: list[tuple[float, int, Attempt]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None
        self._until = math.inf  # when the thread next looks by itself (inf: when told)

    def watch(self, attempt: Attempt) -> None:
        with self.lock:
            heap = self._heap
            while heap and heap[0][2].done:  # finished attempts leave from the top
                heapq.heappop(heap)
            heapq.heappush(heap, (attempt.deadline, next(self._order), attempt))
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(
                    target=self._run, name="mammoth-deadlines", daemon=True
                )
                self._thread.start()
            if attempt.deadline < self._until:  # due before the thread would look: tell it
                self._wake.notify()

    def _run(self) -> None:
        with self.lock:
            while True:
                while self._heap and self._heap[0][2].done:
                    heapq.heappop(self._heap)
                if not self._heap:
                    self._until = math.inf
                    self._wake.wait()
                    continue
                deadline, _, attempt = self._heap[0]
                left = deadline - time.monotonic()
                if left > 0:
                    self._until = deadline
                    self._wake.wait(left)
                    continue
                heapq.heappop(self._heap)
                attempt.expire()


_WATCHDOG = _Watchdog()


def _note(connection: Any) -> Any:
    attempt = getattr(_current, "attempt", None)
    if attempt is not None:
        attempt.connection = connection
        if attempt.expired:
            attempt.expire()
    return connection


class _Pool(HTTPConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        return _note(super()._get_conn(timeout))


class _TLSPool(HTTPSConnectionPool):
    def _get_conn(self, timeout: float | None = None) -> Any:
        return _note(super()._get_conn(timeout))


_POOLS: dict[str, type[HTTPConnectionPool]] = {"http": _Pool, "https": _TLSPool}


class BoundedAdapter(HTTPAdapter):
    """An ``HTTPAdapter`` whose pools let the current :class:`Attempt` find its socket."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _POOLS

    def proxy_manager_for(self, proxy: str, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(proxy, **kwargs)
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = _POOLS
        return manager


class _Decoder:
    """Decodes one ``Content-Encoding`` layer, never more output than asked per call."""

    def __init__(self, encoding: str) -> None:
        self.encoding = encoding
        self._wbits = 16 + zlib.MAX_WBITS if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        self._z = zlib.decompressobj(self._wbits)
        self._first = True

    def feed(self, data: bytes, room: int) -> bytes:
        try:
            out = self._z.decompress(data, room)
        except zlib.error:
            if not (self._first and self.encoding == "deflate"):
                raise
            self._wbits = -zlib.MAX_WBITS  # a raw deflate stream, as some servers send
            self._z = zlib.decompressobj(self._wbits)
            out = self._z.decompress(data, room)
        self._first = False
        if self._z.eof and self._z.unused_data and len(out) < room:  # another gzip member
            rest = self._z.unused_data
            self._z = zlib.decompressobj(self._wbits)
            out += self.feed(rest, room - len(out))
        return out

    @property
    def pending(self) -> bytes:
        return self._z.unconsumed_tail


def _decoders(header: str) -> list[_Decoder]:
    names = [n.strip().lower() for n in header.split(",") if n.strip()]
    decoders = []
    for name in reversed(names):  # the last encoding applied is the first to undo
        if name == "identity":
            continue
        if name not in ("gzip", "x-gzip", "deflate"):
            raise Failure(
                "cut", f"the answer is in an encoding the client did not ask for ({name})"
            )
        decoders.append(_Decoder(name))
    return decoders


def read_body(response: requests.Response, attempt: Attempt, cap: int) -> bytes:
    """The decoded body of a streamed ``response``, at most ``cap`` bytes (see
    :func:`read_raw`)."""
    return read_raw(response.raw, response.headers.get("Content-Encoding", ""), attempt, cap)


def read_raw(raw: Any, encoding: str, attempt: Attempt, cap: int) -> bytes:
    """The decoded body of the urllib3 response ``raw`` sent in ``encoding`` (its
    ``Content-Encoding``), at most ``cap`` bytes.

    Raises:
        Failure: ``"too_large"`` past ``cap``, ``"timeout"`` past the attempt's deadline,
            ``"cut"`` when the body ends early or does not decode.
    """
    decoders = _decoders(encoding) if encoding else []
    out = bytearray()

    def add(data: bytes, level: int = 0) -> None:
        if level == len(decoders):
            out.extend(data)
            if len(out) > cap:
                raise Failure("too_large", f"the answer is larger than {cap:,} bytes (decoded)")
            return
        decoder = decoders[level]
        while data:
            add(decoder.feed(data, cap + 1 - len(out)), level + 1)
            data = decoder.pending

    try:
        for chunk in raw.stream(_CHUNK, decode_content=False):
            attempt.check()
            add(chunk)
    except Failure:
        raise
    except zlib.error as exc:
        raise Failure("cut", f"the answer did not decode ({exc})") from None
    except (urllib3.exceptions.HTTPError, http.client.HTTPException, OSError) as exc:
        attempt.check()
        raise Failure("cut", f"the answer was cut off ({type(exc).__name__})") from None
    attempt.check()
    return bytes(out)


def send(
    session: requests.Session, attempt: Attempt, method: str, url: str, **kwargs: Any
) -> requests.Response:
    """``session.request`` streamed, its errors as :class:`Failure` (kinds as above)."""
    try:
        return session.request(method, url, stream=True, **kwargs)
    except (
        requests.exceptions.RequestException,
        urllib3.exceptions.HTTPError,
        http.client.HTTPException,
        OSError,
    ) as exc:
        raise failure_of(exc, attempt) from None


def failure_of(exc: BaseException, attempt: Attempt) -> Failure:
    """The :class:`Failure` that a transport error of ``attempt`` means (kinds as above):
    a ``requests`` exception, or a urllib3 or socket error that ``requests`` let through."""
    if attempt.expired:
        return Failure("timeout", f"no complete answer within the timeout ({attempt.seconds:g} s)")
    if not isinstance(exc, requests.exceptions.RequestException):
        return Failure("lost", f"the connection failed ({describe(exc)})")
    if _before_sending(exc):
        return Failure("connect", f"could not connect ({describe(exc)})")
    if isinstance(exc, requests.exceptions.Timeout):
        return Failure("timeout", f"no answer in time ({describe(exc)})")
    if isinstance(
        exc,
        (requests.exceptions.ChunkedEncodingError, requests.exceptions.ContentDecodingError),
    ):
        return Failure("cut", f"the answer was cut off ({describe(exc)})")
    return Failure("lost", f"the connection failed ({describe(exc)})")


def _before_sending(exc: requests.exceptions.RequestException) -> bool:
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


def describe(exc: BaseException) -> str:
    """A short description of a transport error, without URLs' query strings."""
    text = str(exc)
    if len(text) > 200:
        text = text[:197] + "..."
    return f"{type(exc).__name__}: {text}"
