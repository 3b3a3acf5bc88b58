"""The sandbox under abuse: idle and slow sockets, a connection cap, too few descriptors.

Every test talks to a real sandbox over real sockets; those that need a file-descriptor
limit run the sandbox's command line in a process of its own with ``RLIMIT_NOFILE``
lowered. The development server the sandbox used before failed each of them: it gave
every connection a thread that waited on it forever (a thousand idle sockets, a thousand
threads), closed nothing, and once out of descriptors spun on its listening socket
without ever answering again.
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from mammoth_pandas.sandbox import Sandbox

resource = pytest.importorskip("resource", reason="descriptor limits are a POSIX notion")

ROOT = Path(__file__).resolve().parents[2]
LINUX = sys.platform.startswith("linux")


class SandboxProcess:
    """The sandbox's command line in a process of its own (port 0, no demo data)."""

    def __init__(self, process: subprocess.Popen[str], url: str) -> None:
        self.process = process
        self.url = url
        self.port = int(url.split(":")[2].split("/")[0])

    def health(self, timeout: float) -> requests.Response:
        with requests.Session() as session:
            return session.get(self.url.rsplit("/api/v2", 1)[0] + "/health", timeout=timeout)

    def cpu_seconds(self) -> float:
        """User + system CPU time the process has used (Linux ``/proc``)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def threads(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("Threads:"):
                return int(line.split()[1])
        raise AssertionError("no thread count in /proc")


@contextlib.contextmanager
def sandbox_process(*flags: str, nofile: int | None = None) -> Iterator[SandboxProcess]:
    def limit() -> None:
        if nofile is not None:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))

    command = [sys.executable, "-m", "mammoth_pandas.sandbox", "--port", "0", "--no-seed"]
    process = subprocess.Popen(
        [*command, *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        cwd=ROOT,
        preexec_fn=limit,  # only calls setrlimit, safe between fork and exec
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        assert "ready at" in first, f"the sandbox did not start: {first!r}"
        yield SandboxProcess(process, first.rsplit(" ", 1)[-1].strip())
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


@contextlib.contextmanager
def open_sockets(port: int, count: int, first_bytes: bytes = b"") -> Iterator[list[socket.socket]]:
    """``count`` connections to the port, each sending ``first_bytes`` (maybe nothing)."""
    sockets: list[socket.socket] = []
    try:
        for _ in range(count):
            conn = socket.create_connection(("127.0.0.1", port), timeout=10)
            if first_bytes:
                conn.sendall(first_bytes)
            sockets.append(conn)
        yield sockets
    finally:
        for conn in sockets:
            conn.close()


def closed_by_server(conn: socket.socket, within: float, keep_busy: bytes = b"") -> bool:
    """Whether the server closes ``conn`` within ``within`` seconds; ``keep_busy`` is
    sent every 0.2 s meanwhile (a client dripping its request)."""
    deadline = time.monotonic() + within
    conn.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            if conn.recv(4096) == b"":
                return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except TimeoutError:
            pass
        if keep_busy:
            try:
                conn.sendall(keep_busy)
            except (ConnectionResetError, BrokenPipeError):
                return True
    return False


def wait_until(condition: Callable[[], bool], within: float) -> bool:
    deadline = time.monotonic() + within
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)  # polling with a bound, not synchronisation
    return True


@pytest.fixture
def more_descriptors() -> Iterator[None]:
    """Lets this test process hold a thousand sockets (the soft limit, up to the hard)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = 4096 if hard == resource.RLIM_INFINITY else min(4096, hard)
    if wanted < 1200:
        pytest.skip(f"the hard descriptor limit ({hard}) is below a thousand sockets")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, wanted), hard))
    try:
        yield
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


# -- timeouts -------------------------------------------------------------------------------


def test_a_silent_connection_is_closed_after_the_read_timeout():
    with (
        Sandbox(seed=False, read_timeout=0.5) as sb,
        socket.create_connection(("127.0.0.1", sb.port), timeout=10) as conn,
    ):
        assert closed_by_server(conn, within=10)


def test_a_request_dripped_a_byte_at_a_time_is_cut_off():
    """Activity alone does not keep a connection: its request must arrive in time."""
    with (
        Sandbox(seed=False, read_timeout=0.5) as sb,
        socket.create_connection(("127.0.0.1", sb.port), timeout=10) as conn,
    ):
        conn.sendall(b"GET /health HTTP/1.1\r\n")
        assert closed_by_server(conn, within=10, keep_busy=b"X")
        # while a prompt client on the same sandbox is answered
        with requests.get(sb.root_url + "/health", timeout=10) as answer:
            assert answer.status_code == 200


def test_a_kept_alive_connection_lasts_until_the_read_timeout():
    """Idle, but not yet for ``read_timeout``: the connection is still there to reuse."""
    with Sandbox(seed=False, read_timeout=30) as sb, requests.Session() as session:
        for _ in range(3):
            assert session.get(sb.root_url + "/health", timeout=10).status_code == 200
        assert sb._server is not None
        assert sb._server.connections == 1


# -- the connection cap ---------------------------------------------------------------------


def test_at_the_cap_a_new_client_takes_the_place_of_the_longest_idle():
    with Sandbox(seed=False, max_connections=3) as sb:
        assert sb._server is not None
        server = sb._server
        with open_sockets(sb.port, 3) as idle:
            assert wait_until(lambda: server.connections == 3, within=10)
            with requests.get(sb.root_url + "/health", timeout=10) as answer:
                assert answer.status_code == 200
            assert closed_by_server(idle[0], within=10)  # the oldest made room
            assert server.connections <= 3


def test_a_thousand_idle_sockets_cost_no_threads_and_block_no_one(more_descriptors):
    with (
        sandbox_process("--max-connections", "256") as sb,
        open_sockets(sb.port, 1000) as idle,
    ):
        assert len(idle) == 1000
        with sb.health(timeout=10) as answer:
            assert answer.status_code == 200
        if LINUX:  # one thread per connection would be a thousand
            assert sb.threads() < 100


# -- out of file descriptors ----------------------------------------------------------------


def test_out_of_descriptors_idle_connections_make_room_for_a_new_client():
    """With ``ulimit -n 64``, idle sockets take every descriptor; a new client is still
    answered at once (the longest-idle connection is closed for it)."""
    with (
        sandbox_process("--read-timeout", "60", nofile=64) as sb,
        open_sockets(sb.port, 80) as idle,
    ):
        assert len(idle) == 80
        with sb.health(timeout=10) as answer:
            assert answer.status_code == 200


@pytest.mark.skipif(not LINUX, reason="reads the process's CPU time from /proc")
def test_out_of_descriptors_with_no_idle_connection_it_backs_off_then_recovers():
    """Every descriptor held by a request still arriving: nothing can be closed to make
    room, so accepting pauses (it does not spin: little CPU while it waits), and once
    the read timeout has cut the slow requests off, a new client is answered."""
    with (
        sandbox_process("--read-timeout", "3", nofile=64) as sb,
        open_sockets(sb.port, 80, first_bytes=b"GET /health HTTP/1.1\r\n") as slow,
    ):
        assert len(slow) == 80
        before, started = sb.cpu_seconds(), time.monotonic()
        time.sleep(1.5)  # the window the CPU time is measured over
        used = (sb.cpu_seconds() - before) / (time.monotonic() - started)
        assert used < 0.3, f"the sandbox used {used:.0%} of a CPU while out of descriptors"
        with sb.health(timeout=20) as answer:
            assert answer.status_code == 200
