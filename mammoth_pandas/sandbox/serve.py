"""The sandbox's HTTP server: threads that answer kept-alive connections, hardened for abuse.

Werkzeug still routes and parses every request (:mod:`mammoth_pandas.sandbox.app`); this
module serves it, and :mod:`mammoth_pandas.sandbox.http11` reads and answers each request.
Werkzeug's development server gives every connection a thread that waits on it forever and
closes it after each answer; an event-loop server (waitress) hands every request from its
loop to a worker and back, which cost the sandbox more CPU than the request itself. Here:

- **Workers answer whole connections.** A connection with a request ready goes to one of
  ``threads`` workers, which answers it and, while no other connection waits for a worker,
  stays on it for a moment (:data:`LINGER`): the next page of a listing is read, answered
  and written by the same thread, with no hand-off.
- **An idle connection costs a socket, never a thread.** A connection with nothing to read
  is *parked*: one loop thread watches every parked connection (``epoll``/``poll``, no limit
  on descriptor numbers) and reads what arrives until a request is complete (a head, and a
  declared body of up to 64 KiB), then hands it to a worker. A client dripping its
  request a byte at a time holds no worker.
- ``read_timeout``: a parked connection silent for that long is closed, and so is one
  whose request has not fully arrived that long after its first byte; a worker reading a
  larger or chunked body gives up at the same deadline.
- ``max_connections``: at the cap, a new client takes the place of the connection idle
  the longest; if none is idle, new connections wait in the listen backlog. The cap is
  lowered, if need be, to leave a few descriptors of the process's limit free.
- Out of file descriptors (``EMFILE``), the server closes its longest-idle connection, or
  pauses accepting with a growing delay (up to one second), instead of spinning on a
  listening socket it cannot accept from.

A fault that drops a connection (``drop``, ``drop_after``, ``truncate``) closes it with
no answer and nothing logged, as the development server did.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import os
import queue
import selectors
import socket
import threading
import time
from collections import deque

from mammoth_pandas.sandbox.http11 import Connection, Exchange, WSGIApp, request_complete

__all__ = [
    "DEFAULT_MAX_CONNECTIONS",
    "DEFAULT_READ_TIMEOUT",
    "DEFAULT_THREADS",
    "LINGER",
    "SandboxServer",
]

log = logging.getLogger(__name__)

#: Seconds a connection may stay silent (or take to send one request) before it is closed.
DEFAULT_READ_TIMEOUT = 30.0
#: Client connections open at once.
DEFAULT_MAX_CONNECTIONS = 256
#: Threads running the application. Injected latency sleeps in one of them, so this
#: bounds how many delayed requests overlap (a client reading 16 pages at once with 20 ms
#: of latency needs 16).
DEFAULT_THREADS = 32
#: Seconds a worker waits on its connection for the next request before parking it.
LINGER = 0.02

#: accept() errors that mean "out of a resource", not "this one connection failed".
_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_BACKOFF_FIRST = 0.01
_BACKOFF_MAX = 1.0
_BACKLOG = 1024
#: Descriptors kept free of connections for the application's own use.
_HEADROOM = 16
#: The longest time between two looks for connections past their read timeout (seconds).
_SWEEP = 0.25


def _within_descriptors(wanted: int) -> int:
    """``wanted`` connections, or fewer if the descriptor limit cannot hold them all.

    :data:`_HEADROOM` descriptors stay free for the application (a module imported on first
    use, SQLite's temporary files), so that a client let in at the cap is also answered.
    """
    try:
        import resource

        soft = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
        in_use = len(os.listdir("/dev/fd"))
    except (ImportError, OSError, ValueError):
        return wanted
    if soft == resource.RLIM_INFINITY:
        return wanted
    return max(1, min(wanted, soft - in_use - _HEADROOM))


class _ConnectionHandle:
    """What a fault needs of a connection (``werkzeug.socket``): ``shutdown``.

    Whatever was written before has been sent (writes are synchronous), so a ``truncate``
    fault's half body reaches the client before the connection goes down.
    """

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def shutdown(self, how: int) -> None:
        self._sock.shutdown(how)


class SandboxServer:
    """A WSGI application served on ``host:port`` (``port=0`` picks a free one).

    Args:
        app: The WSGI application (replaceable while serving, through :attr:`app`).
        host: Address to bind.
        port: Port to bind; 0 picks a free one (see :attr:`server_port`).
        threads: Threads that run the application.
        read_timeout: Seconds a connection may stay silent, or take to send one request.
        max_connections: Client connections open at once.

    Raises:
        OSError: The address cannot be bound.
    """

    def __init__(
        self,
        app: WSGIApp,
        host: str,
        port: int,
        *,
        threads: int = DEFAULT_THREADS,
        read_timeout: float = DEFAULT_READ_TIMEOUT,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
    ) -> None:
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        if not read_timeout > 0:
            raise ValueError(f"read_timeout must be > 0 seconds, got {read_timeout}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be >= 1, got {max_connections}")
        self.app = app
        self.read_timeout = read_timeout
        self.max_connections = _within_descriptors(max_connections)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        listener = socket.socket(family, socket.SOCK_STREAM)
        try:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            listener.bind((host, port))
            listener.listen(_BACKLOG)
            listener.setblocking(False)
        except BaseException:
            listener.close()
            raise
        self._listener = listener
        bound = listener.getsockname()
        self.server_address: tuple[str, int] = (str(bound[0]), int(bound[1]))
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, None)
        self._listening = False
        self._lock = threading.Lock()
        self._open: set[Connection] = set()
        self._parked: set[Connection] = set()  # watched by the loop (only it touches them)
        self._returned: deque[Connection] = deque()  # handed back by workers
        self._work: queue.SimpleQueue[Connection | None] = queue.SimpleQueue()
        self._waiting = 0  # connections queued for a worker
        self.paused_until = 0.0
        self._next_sweep = 0.0
        self.backoff = _BACKOFF_FIRST
        self.accept_failures = 0
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()
        self._workers = [
            threading.Thread(target=self._worker, name=f"sandbox-worker-{n}", daemon=True)
            for n in range(threads)
        ]
        for worker in self._workers:
            worker.start()

    # -- what the sandbox and its tests read -------------------------------------------

    @property
    def server_port(self) -> int:
        """The bound port."""
        return int(self.server_address[1])

    @property
    def connections(self) -> int:
        """Client connections open now."""
        with self._lock:
            return len(self._open)

    # -- the loop ------------------------------------------------------------------------

    def serve_forever(self, poll_interval: float = 0.05) -> None:
        """Serve until :meth:`shutdown`; ``poll_interval`` bounds how late that returns."""
        self._stopped.clear()
        try:
            self._listen(True)
            while not self._stop.is_set():
                for key, _ in self._selector.select(timeout=poll_interval):
                    if key.fileobj is self._listener:
                        self._accept()
                    elif key.data is None:
                        self._drain_wake()
                    else:
                        self._read_parked(key.data)
                self._take_returned()
                self._maintain()
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait for it to return."""
        self._stop.set()
        self._wake()
        self._stopped.wait(timeout=10)

    def server_close(self) -> None:
        """Close the listening socket and every connection, and stop the threads."""
        self._stop.set()
        with self._lock:
            conns = list(self._open)
        for conn in conns:
            with contextlib.suppress(OSError):
                conn.sock.shutdown(socket.SHUT_RDWR)  # a worker blocked on it returns
        for _ in self._workers:
            self._work.put(None)
        deadline = time.monotonic() + 2.0
        for worker in self._workers:
            worker.join(timeout=max(0.0, deadline - time.monotonic()))
        for conn in conns:
            self._close(conn)
        with contextlib.suppress(KeyError, ValueError):
            self._selector.unregister(self._listener)
        self._selector.close()
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()

    def _listen(self, on: bool) -> None:
        if on != self._listening:
            if on:
                self._selector.register(self._listener, selectors.EVENT_READ, None)
            else:
                self._selector.unregister(self._listener)
            self._listening = on

    def _wake(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"x")

    def _drain_wake(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_r.recv(4096):
                pass

    def _accept(self) -> None:
        with self._lock:
            full = len(self._open) >= self.max_connections
        if full:
            if not self._evict_idle():
                self._listen(False)  # wait in the backlog until a connection closes
            return
        try:
            sock, address = self._listener.accept()
        except BlockingIOError:
            return  # another process took it, or the client went away
        except OSError as error:
            if error.errno in _EXHAUSTED:
                self._exhausted(error)
            return
        self.backoff = _BACKOFF_FIRST
        try:
            sock.setblocking(True)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        except OSError:  # the client went away between connect and accept
            sock.close()
            return
        conn = Connection(sock, address)
        with self._lock:
            self._open.add(conn)
        self._park(conn)

    def _exhausted(self, error: OSError) -> None:
        self.accept_failures += 1
        if self._evict_idle():
            return
        self.paused_until = time.monotonic() + self.backoff
        self._listen(False)
        if self.accept_failures == 1 or self.backoff >= _BACKOFF_MAX:
            log.warning(
                "the sandbox cannot accept connections (%s); retrying in %.2f s",
                errno.errorcode.get(error.errno or 0, error),
                self.backoff,
            )
        self.backoff = min(self.backoff * 2, _BACKOFF_MAX)

    def _evict_idle(self) -> bool:
        """Close the parked connection idle the longest; whether there was one."""
        idle = [conn for conn in self._parked if conn.idle]
        if not idle:
            return False
        oldest = min(idle, key=lambda conn: conn.last_activity)
        self._unpark(oldest)
        self._close(oldest)
        return True

    def _park(self, conn: Connection) -> None:
        self._parked.add(conn)
        try:
            self._selector.register(conn.sock, selectors.EVENT_READ, conn)
        except (OSError, ValueError):  # closed meanwhile
            self._parked.discard(conn)
            self._close(conn)

    def _unpark(self, conn: Connection) -> None:
        self._parked.discard(conn)
        with contextlib.suppress(KeyError, ValueError, OSError):
            self._selector.unregister(conn.sock)

    def _read_parked(self, conn: Connection) -> None:
        try:
            data = conn.sock.recv(65536)
        except OSError:
            data = b""
        if not data:
            self._unpark(conn)
            self._close(conn)
            return
        conn.received(data)
        if request_complete(conn.buffer):
            self._unpark(conn)
            self._dispatch(conn)

    def _dispatch(self, conn: Connection) -> None:
        with self._lock:
            self._waiting += 1
        self._work.put(conn)

    def _take_returned(self) -> None:
        while self._returned:
            conn = self._returned.popleft()
            if request_complete(conn.buffer):
                self._dispatch(conn)
            else:
                self._park(conn)

    def _maintain(self) -> None:
        """Timeouts of parked connections; accepting again after a pause or below the cap."""
        now = time.monotonic()
        if now >= self._next_sweep:
            self._next_sweep = now + min(self.read_timeout / 4, _SWEEP)
            cutoff = now - self.read_timeout
            late = [c for c in self._parked if min(c.last_activity, c.began or now) < cutoff]
            for conn in late:
                self._unpark(conn)
                self._close(conn)
        if not self._listening and now >= self.paused_until:
            with self._lock:
                room = len(self._open) < self.max_connections
            if room or any(conn.idle for conn in self._parked):
                self._listen(True)

    def _close(self, conn: Connection) -> None:
        with self._lock:
            was_open = conn in self._open
            self._open.discard(conn)
        with contextlib.suppress(OSError):
            conn.sock.close()
        if was_open and not self._listening:
            self._wake()  # the loop may accept again

    # -- the workers -----------------------------------------------------------------------

    def _worker(self) -> None:
        while (conn := self._work.get()) is not None:
            with self._lock:
                self._waiting -= 1
            try:
                self._serve(conn)
            except Exception:  # a server bug must not take a worker away
                log.exception("the sandbox failed to serve a connection")
                self._close(conn)

    def _serve(self, conn: Connection) -> None:
        """Answer requests on ``conn`` while they come; then park it or close it."""
        handles = {"werkzeug.socket": _ConnectionHandle(conn.sock)}
        while not self._stop.is_set():
            if not request_complete(conn.buffer):
                more = None if self._waiting else self._linger(conn)
                if more is None:  # others wait for a worker, or nothing came: park it
                    self._returned.append(conn)
                    self._wake()
                    return
                if not more:  # the client closed the connection
                    break
                continue
            exchange = Exchange(conn, server=self.server_address, read_timeout=self.read_timeout)
            try:
                keep = exchange.run(self.app, handles)
            except OSError:  # dropped by a fault, or by the client: no answer, no log line
                keep = False
            if not keep:
                self._close(conn)
                return
            conn.began = time.monotonic() if conn.buffer else 0.0
        self._close(conn)

    def _linger(self, conn: Connection) -> bool | None:
        """Wait up to :data:`LINGER` for more of the next request.

        True when some arrived, False when the client closed, None when nothing came.
        """
        try:
            conn.sock.settimeout(LINGER)
            data = conn.sock.recv(65536)
        except TimeoutError:
            return None
        except OSError:
            return False
        if data:
            conn.received(data)
        return bool(data)
