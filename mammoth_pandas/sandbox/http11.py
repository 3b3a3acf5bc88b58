"""One HTTP/1.1 exchange on a connection: the request read and checked, the answer written.

:mod:`mammoth_pandas.sandbox.serve` owns the connections; this module only turns the bytes
of one request into a WSGI environ, runs the application and writes what it answered.
Requests are checked strictly, each refusal a short answer that closes the connection:

- a request line of three parts and an HTTP/1.x version, else ``400``;
- a head of at most :data:`MAX_HEAD` bytes, else ``431``;
- header names that are tokens, no folded lines, one ``Content-Length`` (digits only),
  never both ``Content-Length`` and ``Transfer-Encoding``, and only the ``chunked``
  transfer coding, else ``400`` (or ``501`` for another coding): what a request smuggler
  relies on is refused rather than guessed at;
- header names with an underscore are dropped (``X_API_KEY`` and ``X-API-KEY`` would
  otherwise be the same WSGI key).

A body is read from the connection as the application asks for it, within the request's
deadline (``read_timeout`` after its first byte). A connection stays open after an answer
unless the client asked to close it, spoke HTTP/1.0, or left part of its body unread.
"""

from __future__ import annotations

import itertools
import socket
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from email.utils import formatdate
from typing import Any
from urllib.parse import unquote_to_bytes

__all__ = ["MAX_HEAD", "BadRequest", "Connection", "Exchange", "request_complete"]

#: The longest request head accepted (request line and headers), in bytes.
MAX_HEAD = 64 * 1024
#: A chunk-size line longer than this is refused (no real client sends one).
_MAX_CHUNK_LINE = 1024
#: A body buffered before the application runs is at most this large (bytes); larger
#: declared bodies are read as the application asks for them.
MAX_BUFFERED_BODY = 64 * 1024

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

_TOKEN = frozenset(b"!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_REASONS = {400: "Bad Request", 431: "Request Header Fields Too Large", 501: "Not Implemented"}


class BadRequest(Exception):
    """A request refused before the application saw it; answered ``status``, then closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


class Connection:
    """One client connection: its socket, the bytes read but not used yet, and its times."""

    __slots__ = ("address", "began", "buffer", "last_activity", "sock")

    def __init__(self, sock: socket.socket, address: Any) -> None:
        self.sock = sock
        self.address = address
        self.buffer = b""
        #: When the request now arriving sent its first byte (0: none is arriving).
        self.began = 0.0
        self.last_activity = time.monotonic()

    def received(self, data: bytes) -> None:
        """Bytes read off the socket: kept, and the request's first byte remembered."""
        now = time.monotonic()
        if not self.buffer and data:
            self.began = now
        self.buffer += data
        self.last_activity = now

    @property
    def idle(self) -> bool:
        """No part of a request has arrived since the last answer."""
        return not self.buffer


def request_complete(buffer: bytes) -> bool:
    """Whether ``buffer`` holds what is needed to answer its first request without waiting.

    A whole head and, for a declared body up to :data:`MAX_BUFFERED_BODY`, the whole body.
    A head over :data:`MAX_HEAD`, a malformed or repeated length, a ``Transfer-Encoding`` or
    an ``Expect`` header count as complete: the exchange refuses what is malformed, and reads
    the rest (after ``100 Continue``) as the application asks.
    """
    buffer = buffer.lstrip(b"\r\n")
    end = buffer.find(b"\r\n\r\n")
    if end < 0:
        return len(buffer) > MAX_HEAD
    head = buffer[:end].lower()
    at = head.find(b"\r\ncontent-length:")
    if at < 0 or head.count(b"\r\ncontent-length:") > 1:
        return True
    if b"\r\nexpect:" in head or b"\r\ntransfer-encoding:" in head:
        return True  # the client waits for "100 Continue"; the exchange refuses both lengths
    value = head[at + 17 :].split(b"\r\n", 1)[0].strip()
    if not value.isdigit():
        return True
    length = int(value)
    return length > MAX_BUFFERED_BODY or len(buffer) - end - 4 >= length


class _Body:
    """``wsgi.input``: the request body off the connection, within the request's deadline.

    With ``length`` (``Content-Length``) it ends there; with ``None`` the body is chunked and
    decoded here. A client that stops sending, or closes, mid-body aborts the request
    (:class:`ConnectionAbortedError`, which the application lets through).
    """

    def __init__(self, exchange: Exchange, length: int | None, expect_continue: bool) -> None:
        self._exchange = exchange
        self._chunked = length is None
        # Bytes of the body (or of the current chunk) not yet read.
        self._left = 0 if length is None else length
        self._done = length == 0
        self._continue = expect_continue

    @property
    def finished(self) -> bool:
        """The whole body was read (the connection can serve another request)."""
        return self._done

    def _fill(self, wanted: int) -> None:
        """Read until the buffer holds ``wanted`` bytes."""
        ex = self._exchange
        if self._continue and len(ex.conn.buffer) < wanted:
            self._continue = False  # the client waits for this before it sends the body
            ex.conn.sock.sendall(b"HTTP/1.1 100 Continue\r\n\r\n")
        while len(ex.conn.buffer) < wanted:
            ex.conn.buffer += ex.recv()

    def _take(self, count: int) -> bytes:
        self._fill(count)
        conn = self._exchange.conn
        data, conn.buffer = conn.buffer[:count], conn.buffer[count:]
        return data

    def _line(self) -> bytes:
        conn = self._exchange.conn
        while (end := conn.buffer.find(b"\r\n")) < 0:
            if len(conn.buffer) > _MAX_CHUNK_LINE:
                raise ConnectionAbortedError("a chunk-size line too long")
            self._fill(len(conn.buffer) + 1)
        line, conn.buffer = conn.buffer[:end], conn.buffer[end + 2 :]
        return line

    def _next_chunk(self) -> None:
        size = self._line().split(b";", 1)[0].strip()
        try:
            self._left = int(size, 16) if size and len(size) <= 16 else -1
        except ValueError:
            self._left = -1
        if self._left < 0:
            raise ConnectionAbortedError(f"a malformed chunk size {size[:20]!r}")
        if self._left == 0:
            while self._line():  # trailers, up to the empty line
                pass
            self._done = True

    def read(self, size: int = -1) -> bytes:
        """Up to ``size`` bytes of the body (all of it when ``size`` is negative)."""
        parts: list[bytes] = []
        wanted = sys.maxsize if size is None or size < 0 else size
        while wanted > 0 and not self._done:
            if self._chunked and self._left == 0:
                self._next_chunk()
                continue
            data = self._take(min(wanted, self._left))
            parts.append(data)
            wanted -= len(data)
            self._left -= len(data)
            if self._left == 0:
                if self._chunked:
                    if self._take(2) != b"\r\n":
                        raise ConnectionAbortedError("a chunk not followed by CRLF")
                else:
                    self._done = True
        return b"".join(parts)

    def discard_buffered(self) -> None:
        """Skip what is left of a declared body if it has all arrived (no reading)."""
        conn = self._exchange.conn
        if not self._chunked and not self._done and len(conn.buffer) >= self._left:
            conn.buffer = conn.buffer[self._left :]
            self._left = 0
            self._done = True

    def readline(self, size: int = -1) -> bytes:
        """Up to and including the next newline (for WSGI's sake; the sandbox reads blocks)."""
        out = b""
        while not out.endswith(b"\n") and (size < 0 or len(out) < size):
            byte = self.read(1)
            if not byte:
                break
            out += byte
        return out

    def __iter__(self) -> Any:
        while line := self.readline():
            yield line


class Exchange:
    """One request on ``conn`` and its answer (see the module docstring).

    ``handles`` maps environ keys to objects the application may use (the sandbox's fault
    injection finds the connection under ``werkzeug.socket``).
    """

    def __init__(self, conn: Connection, *, server: tuple[str, int], read_timeout: float) -> None:
        self.conn = conn
        self.server = server
        self.read_timeout = read_timeout
        self.keep_alive = False

    def recv(self) -> bytes:
        """Bytes off the socket before the request's deadline; else the request is aborted."""
        conn = self.conn
        left = conn.began + self.read_timeout - time.monotonic()
        if left <= 0:
            raise ConnectionAbortedError("the request did not arrive within the read timeout")
        conn.sock.settimeout(left)
        try:
            data = conn.sock.recv(65536)
        except TimeoutError:
            raise ConnectionAbortedError("the request did not arrive in time") from None
        if not data:
            raise ConnectionAbortedError("the client closed the connection mid-request")
        conn.last_activity = time.monotonic()
        return data

    def parse(self) -> tuple[dict[str, Any], _Body]:
        """The environ of the request at the start of the buffer (whose head is complete)."""
        conn = self.conn
        conn.buffer = conn.buffer.lstrip(b"\r\n")  # empty lines before a request are allowed
        end = conn.buffer.find(b"\r\n\r\n")
        if end < 0 or end > MAX_HEAD:
            raise BadRequest(431, f"the request head is larger than {MAX_HEAD} bytes")
        head, conn.buffer = conn.buffer[:end], conn.buffer[end + 4 :]
        lines = head.split(b"\r\n")
        parts = lines[0].split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1.") or not parts[0]:
            raise BadRequest(400, "the request line is not 'METHOD target HTTP/1.x'")
        method, target, version = parts
        if not set(method) <= _TOKEN:
            raise BadRequest(400, "the method is not a token")
        if target.startswith((b"http://", b"https://")):  # absolute form
            target = b"/" + target.split(b"/", 3)[3] if target.count(b"/") >= 3 else b"/"
        path, _, query = target.partition(b"?")
        path = path.split(b"#", 1)[0]
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method.decode("ascii"),
            "SCRIPT_NAME": "",
            "PATH_INFO": unquote_to_bytes(path).decode("latin-1"),
            "QUERY_STRING": query.decode("latin-1"),
            "RAW_URI": target.decode("latin-1"),
            "SERVER_NAME": self.server[0],
            "SERVER_PORT": str(self.server[1]),
            "SERVER_PROTOCOL": version.decode("ascii"),
            "REMOTE_ADDR": str(conn.address[0]) if conn.address else "",
            "REMOTE_PORT": str(conn.address[1]) if conn.address else "",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "http",
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": False,
            "wsgi.run_once": False,
        }
        lengths: set[bytes] = set()
        coding: bytes | None = None
        close = version == b"HTTP/1.0"
        expect = False
        for line in lines[1:]:
            name, colon, value = line.partition(b":")
            if not colon or not name or not set(name) <= _TOKEN:
                raise BadRequest(400, "a header line is not 'Name: value' (or is folded)")
            value = value.strip(b" \t")
            lower = name.lower()
            if lower == b"content-length":
                lengths.add(value)
                continue
            if lower == b"transfer-encoding":
                coding = value.lower() if coding is None else coding + b"," + value.lower()
                continue
            if lower == b"connection":
                close = close or b"close" in {t.strip() for t in value.lower().split(b",")}
            elif lower == b"expect":
                expect = value.lower() == b"100-continue"
            if b"_" in name:
                continue
            key = name.decode("ascii").upper().replace("-", "_")
            text = value.decode("latin-1")
            if key == "CONTENT_TYPE":
                environ[key] = text
                continue
            key = "HTTP_" + key
            environ[key] = environ[key] + "," + text if key in environ else text
        length: int | None = 0
        if coding is not None:
            if lengths:
                raise BadRequest(400, "both Content-Length and Transfer-Encoding were sent")
            if coding != b"chunked":
                raise BadRequest(501, "only the chunked transfer coding is understood")
            length = None
            environ["wsgi.input_terminated"] = True
        elif lengths:
            if len(lengths) > 1 or not next(iter(lengths)).isdigit():
                raise BadRequest(400, "Content-Length is not one whole number")
            length = int(next(iter(lengths)))
            environ["CONTENT_LENGTH"] = str(length)
        self.keep_alive = not close
        body = _Body(self, length, expect and length != 0)
        environ["wsgi.input"] = body
        return environ, body

    def run(self, app: WSGIApp, handles: dict[str, Any]) -> bool:
        """Read one request, answer it; whether the connection may serve another."""
        try:
            environ, body = self.parse()
        except BadRequest as refusal:
            self.refuse(refusal)
            return False
        environ.update(handles)
        answer: dict[str, Any] = {}

        written: list[bytes] = []

        def start_response(status: str, headers: list[tuple[str, str]], exc: Any = None) -> Any:
            if exc is not None and answer.get("sent"):
                raise exc[1].with_traceback(exc[2])
            answer["status"], answer["headers"] = status, headers
            return written.append  # WSGI's write(): sent before the returned body

        result = app(environ, start_response)
        try:
            body.discard_buffered()
            if not body.finished:
                self.keep_alive = False  # an unread body would be read as the next request
            chunks = iter(result)
            if written:
                chunks = itertools.chain(written, chunks)
            self._send(answer, chunks, head_only=environ["REQUEST_METHOD"] == "HEAD")
            return self.keep_alive
        finally:
            close = getattr(result, "close", None)
            if close is not None:
                close()

    def _send(self, answer: dict[str, Any], chunks: Iterator[bytes], *, head_only: bool) -> None:
        """Write the answer: its body joined when no length was declared, else as it comes."""
        headers: list[tuple[str, str]] = answer["headers"]
        declared = any(name.lower() == "content-length" for name, _ in headers)
        first = b"".join(chunks) if not declared else next(chunks, b"")
        lines = [f"HTTP/1.1 {answer['status']}\r\n"]
        lines += [f"{name}: {value}\r\n" for name, value in headers]
        if not declared:
            lines.append(f"Content-Length: {len(first)}\r\n")
        lines.append(f"Date: {_date()}\r\nServer: mammoth-sandbox\r\n")
        if not self.keep_alive:
            lines.append("Connection: close\r\n")
        lines.append("\r\n")
        sock = self.conn.sock
        sock.settimeout(self.read_timeout)  # a client that stops reading is given up on
        answer["sent"] = True
        sock.sendall("".join(lines).encode("latin-1") + (b"" if head_only else first))
        if declared:
            for chunk in chunks:
                if chunk and not head_only:
                    sock.sendall(chunk)

    def refuse(self, refusal: BadRequest) -> None:
        """Answer a refused request in a short plain-text body, and mark the end."""
        text = f"{refusal.message}\n".encode()
        reason = _REASONS.get(refusal.status, "Bad Request")
        head = (
            f"HTTP/1.1 {refusal.status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(text)}\r\nConnection: close\r\n\r\n"
        )
        self.keep_alive = False
        self.conn.sock.settimeout(self.read_timeout)
        self.conn.sock.sendall(head.encode("latin-1") + text)


_dated: tuple[int, str] = (0, "")


def _date() -> str:
    """The ``Date`` header's value, formatted once a second."""
    global _dated
    second = int(time.time())
    if _dated[0] != second:
        _dated = (second, formatdate(second, usegmt=True))
    return _dated[1]
