"""Sandbox serving benchmark: the sandbox's server against waitress and Werkzeug's.

Three sandboxes run side by side, each in a process of its own, seeded alike with ``scale``
batches in one dataset: the sandbox as it ships, and the same application served by
waitress (an event loop handing each request to a worker thread; what the sandbox used
before) and by Werkzeug's development server (a thread per connection). Measures, taken
in rounds that alternate between the three so that all meet the same machine load:

1. wall time of one 100-row page on a kept-alive connection (``http.client``, one request
   at a time, offsets spread over the dataset), mean per page over ``pages`` pages;
2. wall time for the client (``MammothClient.batches.list``, default settings) to list
   every batch, with no latency injected.

::

    python -m bench.bench_sandbox                 # 100,000 batches (about 1 minute)
    python -m bench.bench_sandbox --scale 5000    # a quick smoke run
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import platform
import secrets
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

from mammoth_pandas import MammothClient
from mammoth_pandas.sandbox import DEMO, Sandbox

PAGE = 100
KINDS = ("sandbox", "waitress", "werkzeug")


class DevServerSandbox(Sandbox):
    """The sandbox served by Werkzeug's development server (the baseline)."""

    def _make_server(self, app: Any) -> Any:
        from werkzeug.serving import WSGIRequestHandler, make_server

        class Quiet(WSGIRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
                return None

        return make_server(self.host, self.port, app, threaded=True, request_handler=Quiet)


class WaitressSandbox(Sandbox):
    """The sandbox served by waitress (its event loop hands each request to a worker)."""

    def _make_server(self, app: Any) -> Any:
        from waitress.server import create_server

        server = create_server(app, host=self.host, port=self.port, threads=self.threads)

        class Served:
            server_port = int(server.effective_port)  # type: ignore[union-attr]

            def serve_forever(self, poll_interval: float = 0.05) -> None:
                server.run()

            def shutdown(self) -> None:
                server.task_dispatcher.shutdown(timeout=1)

            def server_close(self) -> None:
                server.close()

        return Served()


def serve(kind: str, scale: int, latency: float, key: str, secret: str) -> None:
    """Run one sandbox in this process until stdin closes (the child side)."""
    cls = {"sandbox": Sandbox, "waitress": WaitressSandbox, "werkzeug": DevServerSandbox}[kind]
    sandbox = cls(
        scale=scale,
        api_key=key,
        api_secret=secret,
        faults={"latency": latency} if latency else None,
    )
    with sandbox:
        print(f"ready at {sandbox.url}", flush=True)
        sys.stdin.read()


@contextlib.contextmanager
def sandbox_process(
    kind: str, scale: int, latency: float = 0.0
) -> Iterator[tuple[str, dict[str, str]]]:
    """A sandbox of ``kind`` in its own process; yields its base URL and auth headers."""
    key, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    command = [sys.executable, "-m", "bench.bench_sandbox", "--serve", kind]
    command += ["--scale", str(scale), "--latency", str(latency)]
    command += [f"--api-key={key}", f"--api-secret={secret}"]
    root = Path(__file__).resolve().parents[1]  # where ``-m bench…`` is found
    process = subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=root
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if "ready at" not in first:
            raise RuntimeError(f"the {kind} sandbox did not start: {first!r}")
        yield first.rsplit(" ", 1)[-1].strip(), {"X-API-KEY": key, "X-API-SECRET": secret}
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()


def _list_path(base_url: str) -> tuple[str, int, str]:
    rest = base_url.split("://", 1)[1]
    hostport, prefix = rest.split("/", 1)
    host, port = hostport.rsplit(":", 1)
    ws, pr, ds = DEMO.workspace_id, DEMO.project_id, DEMO.scale
    return host, int(port), f"/{prefix}/workspaces/{ws}/projects/{pr}/datasets/{ds}/batches"


def page_times(base_url: str, headers: dict[str, str], pages: int, scale: int) -> float:
    """Mean wall seconds per 100-row page, one connection, one request at a time."""
    host, port, path = _list_path(base_url)
    conn = http.client.HTTPConnection(host, port, timeout=30)
    last = max(scale // PAGE - 1, 1)
    offsets = [(i * 7919 % last) * PAGE for i in range(pages)]  # spread over the dataset
    try:
        start = time.perf_counter()
        for offset in offsets:
            conn.request("GET", f"{path}?limit={PAGE}&offset={offset}", headers=headers)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200 or len(body) < 1000:
                raise RuntimeError(f"page at offset {offset}: {response.status}")
        return (time.perf_counter() - start) / pages
    finally:
        conn.close()


def listing_time(base_url: str, headers: dict[str, str], scale: int) -> float:
    """Wall seconds for the client, on its default settings, to list the whole dataset."""
    client = MammothClient(
        base_url, api_key=headers["X-API-KEY"], api_secret=headers["X-API-SECRET"]
    )
    ws, pr, ds = DEMO.workspace_id, DEMO.project_id, DEMO.scale
    start = time.perf_counter()
    frame = client.batches.list(ws, pr, ds)
    elapsed = time.perf_counter() - start
    if len(frame) != scale:
        raise RuntimeError(f"listed {len(frame)} batches of {scale}")
    return elapsed


def machine() -> str:
    """A one-line description of the machine and its load."""
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = "n/a"
    with contextlib.suppress(OSError, AttributeError):
        load = "{:.1f} / {:.1f} / {:.1f}".format(*os.getloadavg())
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in ("werkzeug", "waitress"))
    return (
        f"{os.cpu_count()} CPU cores ({model}), {platform.system()} {platform.release()}, "
        f"Python {platform.python_version()}, {versions}; load average (1/5/15 min) {load}"
    )


def run(scale: int = 100_000, pages: int = 500, rounds: int = 3) -> str:
    """Run the benchmark and return its markdown report."""
    started = time.perf_counter()
    before = machine()
    page: dict[str, list[float]] = {kind: [] for kind in KINDS}
    listing: dict[str, list[float]] = {kind: [] for kind in KINDS}
    with contextlib.ExitStack() as stack:
        targets = {kind: stack.enter_context(sandbox_process(kind, scale)) for kind in KINDS}
        for kind in KINDS:  # warm up caches and connections
            page_times(*targets[kind], pages=20, scale=scale)
        for _ in range(rounds):
            for kind in KINDS:
                page[kind].append(page_times(*targets[kind], pages=pages, scale=scale))
            for kind in KINDS:
                listing[kind].append(listing_time(*targets[kind], scale=scale))
    pages_ms = {kind: statistics.median(page[kind]) * 1e3 for kind in KINDS}
    lists_s = {kind: statistics.median(listing[kind]) for kind in KINDS}
    ours_page, ours_list = pages_ms["sandbox"], lists_s["sandbox"]
    table = [
        "| measure | sandbox (keep-alive) | waitress | Werkzeug development server "
        "| target | met |",
        "|---|---|---|---|---|---|",
        f"| wall time of one {PAGE}-row page, one connection | {ours_page:.2f} ms | "
        f"{pages_ms['waitress']:.2f} ms ({pages_ms['waitress'] / ours_page:.1f}×) | "
        f"{pages_ms['werkzeug']:.2f} ms ({pages_ms['werkzeug'] / ours_page:.1f}×; a new "
        f"connection per page) | ≤ 1.5 ms | {_met(ours_page <= 1.5)} |",
        f"| wall time, `batches.list` of all {scale:,} batches (default settings, "
        f"no latency) | {ours_list:.2f} s | {lists_s['waitress']:.2f} s "
        f"({lists_s['waitress'] / ours_list:.1f}×) | {lists_s['werkzeug']:.2f} s "
        f"({lists_s['werkzeug'] / ours_list:.1f}×) | ≤ 2 s | {_met(ours_list <= 2.0)} |",
    ]
    setup = (
        f"Each sandbox in its own process, {scale:,} batches in one dataset, no latency; "
        f"medians of {rounds} alternating rounds ({pages} pages each for the page time). "
        f"Machine: {before}; whole run {time.perf_counter() - started:.0f} s."
    )
    return "\n".join([*table, "", setup])


def _met(flag: bool) -> str:
    return "yes" if flag else "no"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_sandbox", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="batches in the dataset")
    parser.add_argument("--pages", type=int, default=500, help="pages timed per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--serve", choices=KINDS, help=argparse.SUPPRESS)
    parser.add_argument("--latency", type=float, default=0.0, help=argparse.SUPPRESS)
    parser.add_argument("--api-key", help=argparse.SUPPRESS)
    parser.add_argument("--api-secret", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.serve, args.scale, args.latency, args.api_key, args.api_secret)
        return 0
    print(run(scale=args.scale, pages=args.pages, rounds=args.rounds))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
