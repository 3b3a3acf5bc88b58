"""A misbehaving loopback server: one mode per way a proxy, gateway or buggy deployment
can break an HTTP API, for the suites of ``tests/reliability``.

It is a raw ``http.server`` on ``127.0.0.1`` port 0 in a thread, so that a mode can
answer with anything, down to single bytes on the socket (a body dripped one byte at a
time, headers that never end), which a WSGI app cannot do. Every request is recorded
(:attr:`HostileServer.requests`) before its mode answers.

Usage::

    with HostileServer("short_pages") as server:
        client = server.client()
        client.batches.list(1, 1, 5)          # the mode decides what comes back
        server.mode = "same_page"             # switch modes between calls
        server.options["cap"] = 30            # a mode's knobs, read through server.option()

Adding a mode: write a function ``def name(h: Handler) -> None`` that answers through
``h.json(...)``, ``h.listing(...)`` or ``h.raw(...)``, decorate it with ``@mode``, and give
it a docstring saying what it does (the docstring is the documentation: ``describe()``
lists them). Modes see the parsed request (``h.path``, ``h.query``, ``h.headers``,
``h.body``) and the server (``h.server.hostile``) for knobs and counters.

The listing routes serve :data:`BATCHES` (250 batches, ids 1..250) unless a mode says
otherwise; any route under ``/jobs/`` answers a finished job unless the mode handles it.
"""

from __future__ import annotations

import gzip
import io
import json
import threading
import time
from collections.abc import Callable
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

__all__ = ["BATCHES", "MODES", "Handler", "HostileServer", "batch", "describe", "mode"]

API_KEY = "hostile-key-8d1f0c2a"
API_SECRET = "hostile-secret-5b7e9a41"
TOKEN = "hostile-token-3c6d2e90"

#: How long a dripping mode keeps dripping before it gives up on its own (seconds), so
#: that a client that never hangs up cannot keep a server thread for ever.
DRIP_FOR = 60.0


def batch(number: int, **fields: Any) -> dict[str, Any]:
    """One well-formed batch record with id ``number`` (``fields`` override)."""
    return {
        "id": number,
        "name": f"batch {number}",
        "state": "active",
        "created_at": "2024-01-01T00:00:00.000Z",
        "description": {},
        "row_count": number % 7,
        "column_count": 3,
        "source": {"type": "file", "file_name": f"b{number}.csv"},
        **fields,
    }


BATCHES: list[dict[str, Any]] = [batch(i) for i in range(1, 251)]

Mode = Callable[["Handler"], None]
MODES: dict[str, Mode] = {}


def mode(function: Mode) -> Mode:
    """Register ``function`` as the mode of its name."""
    MODES[function.__name__] = function
    return function


def describe() -> dict[str, str]:
    """Every mode with the first line of its docstring."""
    return {name: (f.__doc__ or "").strip().splitlines()[0] for name, f in MODES.items()}


class Handler(BaseHTTPRequestHandler):
    """One request: parsed, recorded, then answered by the server's current mode."""

    protocol_version = "HTTP/1.1"
    server: _Server

    def log_message(self, format: str, *args: Any) -> None:
        pass

    # -- request -------------------------------------------------------------------------

    def _handle(self) -> None:
        parts = urlsplit(self.path)
        self.route = parts.path
        self.query = dict(parse_qsl(parts.query, keep_blank_values=True))
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        hostile = self.server.hostile
        hostile.record(self)
        try:
            MODES[hostile.mode](self)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PATCH = do_DELETE = do_PUT = _handle

    @property
    def offset(self) -> int:
        return int(self.query.get("offset", 0))

    @property
    def limit(self) -> int:
        return int(self.query.get("limit", 50))

    @property
    def is_job(self) -> bool:
        return "/jobs" in self.route

    # -- answers -------------------------------------------------------------------------

    def send(
        self,
        status: int,
        payload: bytes,
        headers: dict[str, str] | None = None,
        content_type: str = "application/json",
    ) -> None:
        """Answer ``status`` with ``payload`` as the body."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def json(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        """Answer ``status`` with ``body`` as JSON."""
        self.send(status, json.dumps(body).encode(), headers)

    def raw(self, data: bytes) -> None:
        """Write ``data`` as it is (status line and headers included) and close."""
        self.wfile.write(data)
        self.wfile.flush()
        self.close_connection = True

    def listing(
        self,
        records: list[dict[str, Any]] | None = None,
        *,
        served: int | None = None,
        echo: int | None = None,
        key: str = "batches",
        extra: dict[str, Any] | None = None,
    ) -> None:
        """A correct offset page of ``records`` (default :data:`BATCHES`): ``served``
        records at most (default: the ``limit`` asked), ``limit`` echoed as ``echo``
        (default: what was served at most), ``next`` non-empty while more follow."""
        records = BATCHES if records is None else records
        size = self.limit if served is None else min(served, self.limit)
        page = records[self.offset : self.offset + size]
        more = self.offset + size < len(records)
        nxt = f"{self.route}?limit={size}&offset={self.offset + size}" if more else ""
        body = {
            key: page,
            "next": nxt,
            "offset": self.offset,
            "limit": size if echo is None else echo,
            **(extra or {}),
        }
        self.json(200, body)

    def drip(self, head: bytes, byte: bytes, every: float) -> None:
        """Send ``head``, then ``byte`` every ``every`` seconds until the client hangs up
        (or the ``drip_for`` option, default :data:`DRIP_FOR`, passes)."""
        self.close_connection = True
        self.wfile.write(head)
        self.wfile.flush()
        stop = self.server.hostile.stopping
        ends = time.monotonic() + self.server.hostile.option("drip_for", DRIP_FOR)
        while time.monotonic() < ends and not stop.wait(every):
            self.wfile.write(byte)
            self.wfile.flush()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    hostile: HostileServer


class HostileServer:
    """The loopback server; ``mode`` names how it misbehaves (see :data:`MODES`)."""

    def __init__(self, mode: str = "well_behaved", **options: Any) -> None:
        if mode not in MODES:
            raise KeyError(f"no mode {mode!r}; modes: {sorted(MODES)}")
        self.mode = mode
        self.options: dict[str, Any] = dict(options)
        self.requests: list[dict[str, Any]] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), Handler)
        self._server.hostile = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="hostile-server", daemon=True
        )
        self._thread.start()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def option(self, name: str, default: Any) -> Any:
        return self.options.get(name, default)

    def record(self, h: Handler) -> None:
        entry = {
            "method": h.command,
            "path": h.route,
            "query": h.query,
            "headers": dict(h.headers),
            "line": h.requestline,
        }
        with self._lock:
            self.requests.append(entry)

    def calls(self, path_part: str = "") -> list[dict[str, Any]]:
        """The requests whose path holds ``path_part``."""
        with self._lock:
            return [r for r in self.requests if path_part in r["path"]]

    def client(self, **kwargs: Any) -> Any:
        """A ``MammothClient`` on this server with the key pair (``kwargs`` passed on)."""
        from mammoth_pandas.client import MammothClient

        credentials: dict[str, Any] = {"api_key": API_KEY, "api_secret": API_SECRET}
        if "token" in kwargs:
            credentials = {}
        return MammothClient(self.url, **credentials, **kwargs)

    def close(self) -> None:
        self.stopping.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _finished_job(h: Handler) -> None:
    number = int(h.route.rsplit("/", 1)[-1]) if h.route[-1].isdigit() else 1
    h.json(200, {"job": {"id": number, "status": "success", "response": {}}})


def _accepted(h: Handler) -> None:
    with h.server.hostile._lock:
        number = len(h.server.hostile.requests)
    h.json(202, {"status_code": 202, "job_id": number})


def _default(h: Handler) -> bool:
    """Answer the routes a mode does not misbehave on; ``True`` when answered."""
    if h.is_job:
        _finished_job(h)
        return True
    if h.command != "GET":
        _accepted(h)
        return True
    return False


# -- modes: completeness --------------------------------------------------------------------


@mode
def well_behaved(h: Handler) -> None:
    """A correct server: 250 batches in offset pages of the size asked for."""
    if not _default(h):
        h.listing(extra={"active_batches": len(BATCHES)})


@mode
def short_pages(h: Handler) -> None:
    """Serves at most ``cap`` (50) records a page whatever is asked, echoes ``"limit": 50``
    and a ``next`` link: a gateway or a lower server cap."""
    if not _default(h):
        h.listing(served=h.server.hostile.option("cap", 50))


@mode
def short_pages_unsaid(h: Handler) -> None:
    """Serves at most ``cap`` (50) records a page, echoes no ``limit``, and a non-empty
    ``next`` while more follow."""
    if not _default(h):
        served = h.server.hostile.option("cap", 50)
        records = BATCHES[h.offset : h.offset + min(served, h.limit)]
        more = h.offset + len(records) < len(BATCHES)
        h.json(200, {"batches": records, "next": "more" if more else ""})


@mode
def short_dataset_pages(h: Handler) -> None:
    """The dataset listing served at most ``cap`` (20) a page, ``"limit": 20``, ``next``."""
    if h.route.endswith("/datasets"):
        records = [{"id": i, "name": f"ds {i}", "status": "ready"} for i in range(1, 61)]
        h.listing(records, served=h.server.hostile.option("cap", 20), key="datasets")
    elif not _default(h):
        h.listing()


@mode
def offset_ignored(h: Handler) -> None:
    """Ignores ``offset``: every page is the first page, with a ``next`` link."""
    if not _default(h):
        page = BATCHES[: h.limit]
        h.json(200, {"batches": page, "next": "more", "offset": 0, "limit": h.limit})


@mode
def same_page_shuffled(h: Handler) -> None:
    """Ignores ``offset`` and shuffles the first page on each request."""
    if not _default(h):
        with h.server.hostile._lock:
            turn = len(h.server.hostile.requests)
        page = BATCHES[: h.limit]
        cut = turn % len(page)
        page = page[cut:] + page[:cut]
        h.json(200, {"batches": page, "next": "more", "offset": h.offset, "limit": h.limit})


@mode
def endless_new_ids(h: Handler) -> None:
    """Every page is full of ids never sent before, for ever (``active_batches``: 250)."""
    if not _default(h):
        start = 10_000 + h.offset
        page = [batch(start + i) for i in range(h.limit)]
        body = {"batches": page, "next": "more", "offset": h.offset, "limit": h.limit}
        h.json(200, {**body, "active_batches": h.server.hostile.option("active", 250)})


def _with_bad_record(h: Handler, bad: Callable[[int], Any]) -> None:
    """A correct listing whose record at position 5 of the page at offset ``at`` (100)
    is replaced by ``bad(id)``."""
    if _default(h):
        return
    records = [dict(r) for r in BATCHES]
    at = h.server.hostile.option("at", 100)
    if h.offset <= at + 5 < h.offset + h.limit:
        records[at + 5] = bad(at + 6)
    h.listing(records)


@mode
def item_not_object(h: Handler) -> None:
    """One item of the second page is a string, not an object."""
    _with_bad_record(h, lambda number: f"batch {number}")


@mode
def float_id(h: Handler) -> None:
    """One id of the second page is a float (``106.5``)."""
    _with_bad_record(h, lambda number: batch(number, id=number + 0.5))


@mode
def string_ids_later(h: Handler) -> None:
    """Ids are integers on the first page, strings (``"106"``) from the second on."""
    if _default(h):
        return
    if h.offset == 0:
        h.listing()
    else:
        h.listing([{**r, "id": str(r["id"])} for r in BATCHES])


@mode
def huge_id(h: Handler) -> None:
    """One id of the second page is beyond 64 bits (``2**64 + 106``)."""
    _with_bad_record(h, lambda number: batch(number, id=2**64 + number))


# -- modes: bounded time and memory ---------------------------------------------------------


def _bomb(decoded: int) -> bytes:
    """``decoded`` bytes of spaces, gzip-compressed (about a thousandth of the size)."""
    out = io.BytesIO()
    with gzip.GzipFile(fileobj=out, mode="wb", compresslevel=9) as packed:
        chunk = b" " * (1 << 20)
        for _ in range(decoded >> 20):
            packed.write(chunk)
    return out.getvalue()


_BOMBS: dict[int, bytes] = {}


@mode
def gzip_bomb(h: Handler) -> None:
    """A ``200`` whose gzip body is small on the wire but decodes to ``decoded`` bytes
    (100 MiB) of whitespace."""
    decoded = h.server.hostile.option("decoded", 100 << 20)
    if decoded not in _BOMBS:
        _BOMBS[decoded] = _bomb(decoded)
    h.send(200, _BOMBS[decoded], {"Content-Encoding": "gzip"})


@mode
def huge_body(h: Handler) -> None:
    """A ``200`` with a plain body of ``size`` bytes (50 MiB): ``[`` then spaces."""
    size = h.server.hostile.option("size", 50 << 20)
    h.send_response(200)
    h.send_header("Content-Type", "application/json")
    h.send_header("Content-Length", str(size))
    h.end_headers()
    h.wfile.write(b"[")
    chunk = b" " * (1 << 16)
    left = size - 1
    while left > 0:
        h.wfile.write(chunk[:left])
        left -= len(chunk)


@mode
def drip_body(h: Handler) -> None:
    """Sends the headers of a ``200``, then the body one byte every ``every`` (0.05) s."""
    head = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"
    h.drip(head, b" ", h.server.hostile.option("every", 0.05))


@mode
def endless_headers(h: Handler) -> None:
    """Sends a status line, then one header line that never ends, a byte every ``every``
    (0.05) s."""
    head = b"HTTP/1.1 200 OK\r\nX-Padding: "
    h.drip(head, b"a", h.server.hostile.option("every", 0.05))


@mode
def nested_json(h: Handler) -> None:
    """A ``200`` whose body is ``depth`` (100,000) nested JSON arrays."""
    depth = h.server.hostile.option("depth", 100_000)
    h.send(200, b"[" * depth + b"]" * depth)


@mode
def retry_after(h: Handler) -> None:
    """Answers every request ``status`` (429) with ``Retry-After: value``; the value
    ``"date+N"`` becomes an HTTP date N seconds ahead."""
    value = str(h.server.hostile.option("value", "1.5"))
    if value.startswith("date+"):
        value = formatdate(time.time() + float(value[5:]), usegmt=True)
    status = h.server.hostile.option("status", 429)
    h.json(status, {"detail": "slow down"}, {"Retry-After": value})


# -- modes: secrets -------------------------------------------------------------------------


@mode
def echo_headers(h: Handler) -> None:
    """Answers ``status`` (502) with the request's headers echoed, as JSON (``as_json``,
    the default) or as plain text, as some gateways' error pages do."""
    status = h.server.hostile.option("status", 502)
    headers = dict(h.headers)
    if h.server.hostile.option("as_json", True):
        body = {"message": f"bad gateway; request headers: {headers}", "headers": headers}
        h.json(status, body)
    else:
        text = "Bad gateway\n" + "\n".join(f"{k}: {v}" for k, v in headers.items())
        h.send(status, text.encode(), content_type="text/plain")


# -- modes: sizes ---------------------------------------------------------------------------


@mode
def url_cap(h: Handler) -> None:
    """Refuses any request whose request line is longer than ``cap`` (8,192) bytes with
    ``414``, as common proxies do; otherwise a correct server of ``count`` (250) batches
    that accepts deletions."""
    if len(h.requestline) > h.server.hostile.option("cap", 8192):
        h.json(414, {"detail": "URI too long"})
        return
    if _default(h):
        return
    count = h.server.hostile.option("count", 250)
    records = BATCHES if count == len(BATCHES) else [batch(i) for i in range(1, count + 1)]
    wanted = h.query.get("id")
    if wanted:
        chosen = {int(x) for x in wanted.split(",")}
        records = [r for r in records if r["id"] in chosen]
    h.listing(records)


# -- modes: jobs and writes -----------------------------------------------------------------


@mode
def job_status(h: Handler) -> None:
    """Writes are accepted as job 7; the job's status is ``status`` (``"SUCCESS"``)."""
    if h.is_job:
        status = h.server.hostile.option("status", "SUCCESS")
        h.json(200, {"job": {"id": 7, "status": status, "response": {}}})
    elif h.command != "GET":
        h.json(202, {"status_code": 202, "job_id": 7})
    else:
        h.listing()


@mode
def write_without_job(h: Handler) -> None:
    """Writes are answered ``202`` with a body that names no job (``answer``: ``{}``)."""
    if h.command != "GET":
        h.json(202, h.server.hostile.option("answer", {}))
    else:
        _finished_job(h) if h.is_job else h.listing()
