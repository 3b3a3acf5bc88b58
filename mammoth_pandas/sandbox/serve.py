"""The sandbox's HTTP server: waitress under the Werkzeug application, hardened for abuse.

Werkzeug still routes and parses every request (:mod:`mammoth_pandas.sandbox.app`); this
module only serves it. Werkzeug's development server answers every request with
``Connection: close`` and gives each connection a thread that waits on it forever, so a
client paid a TCP handshake per page and a thousand idle sockets meant a thousand blocked
threads. Waitress reads and writes sockets in one event loop and runs the application on
a pool of threads, so:

- HTTP/1.1 connections stay open between requests (keep-alive), as the docs promise;
- an idle connection costs a socket, never a thread;
- ``read_timeout``: a connection with no traffic for that long is closed, and so is one
  whose request has not fully arrived that long after its first byte (a client that
  drips a byte a second cannot hold a socket forever);
- ``max_connections``: at the cap, a new client takes the place of the connection idle
  the longest; if none is idle, new connections wait in the listen backlog;
- out of file descriptors (``EMFILE``), the server closes its longest-idle connection,
  or pauses accepting with a growing delay (up to one second), instead of spinning on a
  listening socket it cannot accept from.

A fault that drops a connection (``drop``, ``drop_after``, ``truncate``) closes it with
no answer and nothing logged, as the development server did.
"""

from __future__ import annotations

import errno
import logging
import select
import socket
import threading
import time
from collections.abc import Callable
from typing import Any

from waitress import wasyncore
from waitress.channel import HTTPChannel
from waitress.server import TcpWSGIServer
from waitress.task import ThreadedTaskDispatcher, WSGITask

__all__ = ["DEFAULT_MAX_CONNECTIONS", "DEFAULT_READ_TIMEOUT", "DEFAULT_THREADS", "SandboxServer"]

log = logging.getLogger(__name__)

#: Seconds a connection may stay silent (or take to send one request) before it is closed.
DEFAULT_READ_TIMEOUT = 30.0
#: Client connections open at once.
DEFAULT_MAX_CONNECTIONS = 256
#: Threads running the application. Injected latency sleeps in one of them, so this
#: bounds how many delayed requests overlap (a client reading 16 pages at once with 20 ms
#: of latency needs 16).
DEFAULT_THREADS = 32

#: accept() errors that mean "out of a resource", not "this one connection failed".
_EXHAUSTED = frozenset({errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM})
_BACKOFF_FIRST = 0.01
_BACKOFF_MAX = 1.0
#: How often the event loop wakes without traffic (to stop, and to close idle connections).
_TICK = 0.05

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Any]


_queue_log = logging.getLogger(__name__ + ".queue")
_queue_log.setLevel(logging.ERROR)  # "Task queue depth is N": a burst, not a problem


class _QuietDispatcher(ThreadedTaskDispatcher):
    """Waitress's thread pool, without a warning each time every thread is busy."""

    queue_logger = _queue_log


class _ConnectionHandle:
    """What a fault needs of a connection: ``shutdown``.

    It shuts the connection down after what was written so far has gone out (a ``truncate`` fault
    sends half a body, then drops the connection).
    """

    def __init__(self, channel: _Channel) -> None:
        self._channel = channel

    def shutdown(self, how: int) -> None:
        channel = self._channel
        deadline = time.monotonic() + 1.0
        with channel.outbuf_lock:
            while channel.total_outbufs_len and time.monotonic() < deadline:
                try:
                    channel._flush_some(do_close=False)
                except OSError:
                    break
                if channel.total_outbufs_len:
                    channel.outbuf_lock.wait(0.005)
        channel.socket.shutdown(how)


class _Task(WSGITask):
    """One request.

    The environ carries a handle on the connection under the key the development server used for its
    socket (``werkzeug.socket``), so that a fault can drop it.
    """

    def get_environment(self) -> dict[str, Any]:
        environ: dict[str, Any] = super().get_environment()
        environ["werkzeug.socket"] = _ConnectionHandle(self.channel)
        return environ

    def finish(self) -> None:
        super().finish()
        # Send the answer from this thread rather than leaving it to the event loop (one
        # wake-up and one thread switch less per request). Safe: while this request is
        # being served, the event loop only sends under the same lock.
        # (Waitress itself flushes from a worker this way when its buffer runs high; an
        # error marks the connection to be closed by the event loop.)
        channel = self.channel
        with channel.outbuf_lock:
            channel._flush_exception(channel._flush_some, do_close=False)

    def service(self) -> None:
        try:
            super().service()
        except OSError:
            # A dropped connection (by a fault, or by the client): no answer, no log line;
            # the channel closes instead of reading what is left of it as a next request.
            self.close_on_finish = True


class _Channel(HTTPChannel):
    """One client connection; remembers when its current request began to arrive."""

    task_class = _Task
    request_began = 0.0

    def received(self, data: bytes) -> bool:
        if self.request is None and data:
            self.request_began = time.time()
        return bool(super().received(data))

    def idle(self) -> bool:
        """No request is being received, queued or answered, and nothing waits to be sent."""
        return not self.requests and self.request is None and not self.total_outbufs_len


class _Server(TcpWSGIServer):
    channel_class = _Channel
    next_channel_cleanup: float = 0.0

    def __init__(self, *args: Any, read_timeout: float, max_connections: int, **kw: Any):
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.paused_until = 0.0
        self.backoff = _BACKOFF_FIRST
        self.accept_failures = 0
        super().__init__(*args, **kw)

    def readable(self) -> bool:
        """Whether the event loop should accept.

        Not while backing off, and at the cap only once the longest-idle connection has made room
        for a waiting client.
        """
        now = time.time()
        if now >= self.next_channel_cleanup:
            self.next_channel_cleanup = now + self.adj.cleanup_interval
            self.maintenance(now)
        if not self.accepting or now < self.paused_until:
            return False
        if len(self.active_channels) < self.max_connections:
            return True
        return self._waiting_client() and self._longest_idle() is not None

    def _waiting_client(self) -> bool:
        try:
            ready, _, _ = select.select([self.socket], [], [], 0)
        except (OSError, ValueError):
            return False
        return bool(ready)

    def _longest_idle(self) -> _Channel | None:
        idle = [c for c in self.active_channels.values() if c.idle() and not c.will_close]
        return min(idle, key=lambda channel: channel.last_activity, default=None)

    def _evict_idle(self) -> bool:
        """Close the connection idle the longest; whether there was one.

        Called while the event loop dispatches, never while it builds its poll list; the
        caller accepts on the next round, so that the descriptor freed here, if the new
        connection reuses it, is never mistaken for the old one's in this round's events.
        """
        oldest = self._longest_idle()
        if oldest is None:
            return False
        oldest.handle_close()
        return True

    def handle_accept(self) -> None:
        if len(self.active_channels) >= self.max_connections:
            self._evict_idle()  # readable() saw an idle one; accept on the next round
            return
        try:
            accepted = self.accept()
        except OSError as error:
            accepted = None
            if error.errno in _EXHAUSTED:
                self._exhausted(error)
            return
        if accepted is None:  # nothing to accept after all (another process took it)
            return
        conn, addr = accepted
        self.backoff = _BACKOFF_FIRST
        try:
            self.set_socket_options(conn)
        except OSError:  # the client went away between connect and accept
            conn.close()
            return
        self.channel_class(self, conn, self.fix_addr(addr), self.adj, map=self._map)

    def _exhausted(self, error: OSError) -> None:
        self.accept_failures += 1
        if self._evict_idle():
            return
        self.paused_until = time.time() + self.backoff
        if self.accept_failures == 1 or self.backoff >= _BACKOFF_MAX:
            log.warning(
                "the sandbox cannot accept connections (%s); retrying in %.2f s",
                errno.errorcode.get(error.errno or 0, error),
                self.backoff,
            )
        self.backoff = min(self.backoff * 2, _BACKOFF_MAX)

    def maintenance(self, now: float) -> None:
        """Close connections silent for ``read_timeout``, and those slow to send a request.

        A connection is slow when its request has been arriving for longer than ``read_timeout``.
        """
        cutoff = now - self.read_timeout
        for channel in list(self.active_channels.values()):
            silent = not channel.requests and channel.last_activity < cutoff
            slow = channel.request is not None and channel.request_began < cutoff
            if silent or slow:
                channel.will_close = True


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
        self._map: dict[int, Any] = {}
        dispatcher = _QuietDispatcher()
        dispatcher.set_thread_count(threads)
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        try:
            self._server = _Server(
                app,
                map=self._map,
                dispatcher=dispatcher,
                sockinfo=(family, socket.SOCK_STREAM, None, (host, port)),
                read_timeout=read_timeout,
                max_connections=max_connections,
                host=host,
                port=port,
                threads=threads,
                # Our own limits replace waitress's (which only stops accepting).
                connection_limit=max_connections + 16,
                channel_timeout=read_timeout,
                cleanup_interval=max(min(read_timeout / 4, 1.0), _TICK),
                asyncore_use_poll=True,  # select() fails past file descriptor 1024
                log_socket_errors=False,
                # No proxy in front: headers reach the application as sent, unwrapped.
                clear_untrusted_proxy_headers=False,
                ident="mammoth-sandbox",
            )
        except BaseException:
            wasyncore.close_all(self._map)  # the listening socket and the wake-up pipe
            dispatcher.shutdown(timeout=1)
            raise
        self._stop = threading.Event()
        self._stopped = threading.Event()
        self._stopped.set()

    @property
    def app(self) -> WSGIApp:
        """The application being served."""
        application: WSGIApp = self._server.application
        return application

    @app.setter
    def app(self, app: WSGIApp) -> None:
        self._server.application = app

    @property
    def server_address(self) -> tuple[str, int]:
        """The bound ``(host, port)``."""
        return str(self._server.effective_host), int(self._server.effective_port)

    @property
    def server_port(self) -> int:
        """The bound port."""
        return int(self._server.effective_port)

    @property
    def connections(self) -> int:
        """Client connections open now."""
        return len(self._server.active_channels)

    @property
    def accept_failures(self) -> int:
        """How many times accepting failed for want of a resource (``EMFILE`` …)."""
        return int(self._server.accept_failures)

    def serve_forever(self, poll_interval: float = _TICK) -> None:
        """Serve until :meth:`shutdown`; ``poll_interval`` bounds how late that returns."""
        self._stopped.clear()
        try:
            while not self._stop.is_set():
                wasyncore.poll2(timeout=poll_interval, map=self._map)
        finally:
            self._stopped.set()

    def shutdown(self) -> None:
        """Stop :meth:`serve_forever` and wait for it to return."""
        self._stop.set()
        self._server.pull_trigger()
        self._stopped.wait(timeout=10)

    def server_close(self) -> None:
        """Close the listening socket and every connection, and stop the threads."""
        self._server.task_dispatcher.shutdown(timeout=1)
        wasyncore.close_all(self._map)
