"""A faithful local Mammoth API v2 server (batches, jobs, datasets), backed by SQLite.

::

    from mammoth_pandas.sandbox import Sandbox, DEMO

    with Sandbox() as sb:                     # background thread, free port, seeded data
        client = sb.client()
        client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers)

``Sandbox(db_path="demo.db")`` keeps its state in a file across restarts; without a path
the database lives in a temporary directory removed on :meth:`Sandbox.stop`.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mammoth_pandas import contract as contract
from mammoth_pandas.sandbox.faults import FaultConfig, Faults
from mammoth_pandas.sandbox.seed import DEMO

if TYPE_CHECKING:
    from mammoth_pandas.sandbox.app import SandboxApp
    from mammoth_pandas.sandbox.jobs import JobRunner
    from mammoth_pandas.sandbox.serve import SandboxServer
    from mammoth_pandas.sandbox.store import Store

__all__ = ["DEMO", "FaultConfig", "Faults", "Sandbox"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class Sandbox:
    """The sandbox server, run in a background thread.

    ``port=0`` picks a free port; ``sb.url`` is the base URL for clients. Credentials are
    generated when not given. ``job_delay`` is how long a job stays ``processing`` before
    the worker applies it. ``faults`` takes the settings of :meth:`Faults.set`.

    Serving (see :mod:`mammoth_pandas.sandbox.serve`): connections are kept alive between
    requests; ``threads`` run requests; a connection silent for ``read_timeout`` seconds,
    or that takes longer than that to send one request, is closed; at most
    ``max_connections`` are open at once (a new one replaces the one idle the longest).
    """

    def __init__(
        self,
        db_path: str | Path | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        api_secret: str | None = None,
        token: str | None = None,
        seed: bool = True,
        scale: int = 0,
        job_delay: float = 0.05,
        faults: FaultConfig | dict[str, Any] | None = None,
        # The defaults of mammoth_pandas.sandbox.serve, written out so that importing the
        # package does not import the server.
        threads: int = 32,
        read_timeout: float = 30.0,
        max_connections: int = 256,
    ) -> None:
        if scale < 0:
            raise ValueError(f"scale must be >= 0, got {scale}")
        if job_delay < 0:
            raise ValueError(f"job_delay must be >= 0 seconds, got {job_delay}")
        if threads < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        if not read_timeout > 0:
            raise ValueError(f"read_timeout must be > 0 seconds, got {read_timeout}")
        if max_connections < 1:
            raise ValueError(f"max_connections must be >= 1, got {max_connections}")
        self.db_path = Path(db_path) if db_path is not None else None
        if self.db_path is not None:
            from mammoth_pandas.sandbox.dbfile import check_database

            check_database(self.db_path, contents=False)  # the whole file at start()
        self.host = host
        self.port = port
        self.api_key = api_key or "mk_" + _credential(16)
        self.api_secret = api_secret or _credential(32)
        self.token = token or "mm_" + _credential(32)
        self.seed = seed
        self.scale = scale
        self.job_delay = job_delay
        self.threads = threads
        self.read_timeout = read_timeout
        self.max_connections = max_connections
        self.faults = Faults(faults)
        self._tmpdir: str | None = None
        self._store: Store | None = None
        self._runner: JobRunner | None = None
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle ----------------------------------------------------------------------

    def start(self) -> Sandbox:
        """Check the database, seed it (unless told not to), and serve; returns ``self``."""
        from mammoth_pandas.sandbox.app import SandboxApp
        from mammoth_pandas.sandbox.dbfile import SandboxDatabaseError, check_database
        from mammoth_pandas.sandbox.jobs import JobRunner
        from mammoth_pandas.sandbox.store import Store

        if self._server is not None:
            return self
        if self.host not in LOCAL_HOSTS:
            warnings.warn(
                f"the sandbox listens on {self.host}, reachable from other machines",
                RuntimeWarning,
                stacklevel=2,
            )
        path = self.db_path
        if path is None:
            self._tmpdir = tempfile.mkdtemp(prefix="mammoth-sandbox-")
            path = Path(self._tmpdir) / "sandbox.db"
        else:
            check_database(path)
        try:
            self._store = Store(path)
            _prepare(self._store, seed=self.seed, scale=self.scale)
        except sqlite3.Error as error:  # what the check cannot see (a read-only filesystem …)
            self.stop()
            raise SandboxDatabaseError(path, f"SQLite cannot use it ({error})") from None
        self._runner = JobRunner(self._store, self.faults)
        app = SandboxApp(
            self._store,
            self._runner,
            self.faults,
            credentials=(self.api_key, self.api_secret, self.token),
            job_delay=self.job_delay,
        )
        try:
            self._server = self._make_server(app)
        except OSError as exc:
            self.stop()
            raise OSError(f"the sandbox cannot listen on {self.host}:{self.port}") from exc
        self.port = self._server.server_port
        self._runner.start()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # stop() returns within 50 ms
            name="sandbox-http",
            daemon=True,
        )
        self._thread.start()
        return self

    def _make_server(self, app: SandboxApp) -> SandboxServer:
        """The HTTP server for ``app``, bound to ``host:port`` (not serving yet)."""
        from mammoth_pandas.sandbox.serve import SandboxServer

        return SandboxServer(
            app,
            self.host,
            self.port,
            threads=self.threads,
            read_timeout=self.read_timeout,
            max_connections=self.max_connections,
        )

    def stop(self) -> None:
        """Stop serving and the job runner; a temporary database is removed."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._runner is not None:
            self._runner.stop()
            self._runner = None
        if self._store is not None:
            self._store.close()
            self._store = None
        if self._tmpdir is not None:
            shutil.rmtree(self._tmpdir, ignore_errors=True)
            self._tmpdir = None

    def __enter__(self) -> Sandbox:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- for users and tests ------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def root_url(self) -> str:
        """The server's address without the ``/api/v2`` prefix."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    @property
    def url(self) -> str:
        """The base URL for clients, ``http://127.0.0.1:PORT/api/v2``."""
        return self.root_url + contract.API_PREFIX

    @property
    def headers(self) -> dict[str, str]:
        """Authentication headers for a plain HTTP client."""
        return {contract.HEADER_API_KEY: self.api_key, contract.HEADER_API_SECRET: self.api_secret}

    def client(self, **kwargs: Any) -> Any:
        """A :class:`~mammoth_pandas.client.MammothClient` on this sandbox (``kwargs`` go to it)."""
        # Deliberate lazy import: the sandbox stands beside the client and shares only
        # mammoth_pandas.contract with it; this convenience alone reaches across.
        from mammoth_pandas.client import MammothClient

        return MammothClient(self.url, api_key=self.api_key, api_secret=self.api_secret, **kwargs)

    def _live_store(self) -> Store:
        if self._store is None:
            raise RuntimeError("the sandbox is not running; call start() or use 'with'")
        return self._store

    def rows(self, dataset_id: int, batch_id: int | None = None) -> list[dict[str, Any]]:
        """Stored rows keyed by ``c_id``: one batch's, or the dataset's active batches'."""
        with self._live_store().read() as db:
            return db.rows_of(dataset_id, batch_id)

    def actions(self) -> list[dict[str, Any]]:
        """The log of applied mutations: job id, operation, batch ids, idempotency key."""
        from mammoth_pandas.sandbox.views import actions

        with self._live_store().read() as db:
            return actions(db)

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Block until no job is ``processing`` (raises TimeoutError after ``timeout``)."""
        if self._runner is None:
            raise RuntimeError("the sandbox is not running; call start() or use 'with'")
        self._runner.wait_idle(timeout)

    @contextmanager
    def hold_jobs(self) -> Iterator[None]:
        """Keep every job ``processing`` inside the block (to observe the in-between)."""
        if self._runner is None:
            raise RuntimeError("the sandbox is not running; call start() or use 'with'")
        runner = self._runner
        runner.hold(True)
        try:
            yield
        finally:
            runner.hold(False)

    def __repr__(self) -> str:
        state = self.url if self.running else "stopped"
        return f"Sandbox({state}, api_key='{self.api_key[:4]}…', api_secret='***')"


_CREDENTIAL_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def _credential(length: int) -> str:
    """A random credential of letters and digits.

    Never starts with ``-`` (a URL-safe token can), which a shell user pasting it after
    ``--api-secret`` would see taken for an option.
    """
    import secrets

    return "".join(secrets.choice(_CREDENTIAL_ALPHABET) for _ in range(length))


def _prepare(store: Store, *, seed: bool, scale: int) -> None:
    """Seed an empty database, add the scale dataset, and settle what a crash left."""
    import time

    from mammoth_pandas.sandbox import seed as seeding

    now = time.time()

    with store.write() as db:
        if db.meta("initialised") is None:
            if seed:
                seeding.seed(db)
            else:
                db.insert_project(1, 1, "Demo project")
            db.set_meta("initialised", "1")
        seeding.seed_scale(db, scale)
        # Jobs a crash left processing run again now: each job applies in one transaction,
        # so an interrupted one left nothing behind.
        db.rerun_interrupted_jobs(now)
