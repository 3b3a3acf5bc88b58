"""Reading a batch's rows into a typed frame: against the naive floor and a sequential loop.

Two questions, each answered as ratios in one run:

- **Parse and build**: the client's path (decode each page's job body, read its shape,
  build typed columns: ``Int64``/``Float64``, UTC dates, ``string``) against the floor
  ``json.loads`` + ``pd.DataFrame`` on the same bodies (which leaves every column
  ``object``). CPU time, best of several rounds.
- **Over the network**: ``client.batches.data(...)`` against a replay server in its own
  process (:mod:`bench.data_server`) with 20 ms of latency per request, default settings
  first, against a sequential ``requests`` loop over the same pages (GET the page, GET its
  job, ``json.loads``, ``pd.DataFrame``).

A held-out configuration (dates in four formats, numbers partly as strings: the server
mix the client was not tuned on) is reported apart.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

import pandas as pd
import requests

from bench.data_server import BATCH, DATASET, SCHEMA, job_bodies, rows
from mammoth_pandas import MammothClient
from mammoth_pandas._decode import loads
from mammoth_pandas.rows import read_page, rows_frame, schema_columns

ROUNDS = 5


def _best(fn: Callable[[], Any], rounds: int = ROUNDS) -> float:
    best = float("inf")
    for _ in range(rounds):
        start = time.process_time()
        fn()
        best = min(best, time.process_time() - start)
    return best


def _floor(bodies: list[bytes]) -> pd.DataFrame:
    headers = [c["c_name"] for c in SCHEMA]
    parts = [
        pd.DataFrame(list(json.loads(b)["job"]["response"]["data"].values()), columns=headers)
        for b in bodies
    ]
    return pd.concat(parts, ignore_index=True)


def _client_path(bodies: list[bytes]) -> pd.DataFrame:
    schema = schema_columns(SCHEMA)
    pages = [read_page(loads(b)["job"]["response"], schema, None) for b in bodies]
    return rows_frame(pages, schema)


def _machine() -> str:
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return (
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}, pandas {pd.__version__}, "
        f"load average {load:.1f} at the start"
    )


class _Server:
    def __init__(self, n: int, latency: float, mixed: bool) -> None:
        command = [sys.executable, "-m", "bench.data_server", "--rows", str(n)]
        command += ["--latency", str(latency)] + (["--mixed-dates"] if mixed else [])
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        self.url = line.rsplit(" ", 1)[-1].strip()

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)
        if self.process.stdout is not None:
            self.process.stdout.close()


def _sequential(url: str, n: int) -> pd.DataFrame:
    base = f"{url}/api/v2/workspaces/1/projects/1/datasets/{DATASET}/batches/{BATCH}/data"
    headers = [c["c_name"] for c in SCHEMA]
    parts = []
    with requests.Session() as session:
        for offset in range(0, n, 100):
            job = session.get(base, params={"limit": 100, "offset": offset}, timeout=30).json()
            body = session.get(f"{url}/api/v2/jobs/{job['job_id']}", timeout=30).json()
            data = body["job"]["response"]["data"]
            parts.append(pd.DataFrame(list(data.values()), columns=headers))
    return pd.concat(parts, ignore_index=True)


def _wall(fn: Callable[[], Any]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def _network(n: int, latency: float, mixed: bool, settings: list[int | None]) -> list[str]:
    server = _Server(n, latency, mixed)
    try:
        client = MammothClient(server.url, api_key="bench", api_secret="bench")
        sequential = min(_wall(lambda: _sequential(server.url, n)) for _ in range(2))
        lines = [f"| sequential requests loop | {sequential:.2f} s | 1.0× |"]
        for workers in settings:
            label = "default settings" if workers is None else f"max_workers={workers}"
            wall = min(
                _wall(lambda w=workers: client.batches.data(1, 1, DATASET, BATCH, max_workers=w))
                for _ in range(3)
            )
            lines.append(f"| client, {label} | {wall:.2f} s | {sequential / wall:.1f}× |")
        frame = client.batches.data(1, 1, DATASET, BATCH)
        assert len(frame) == n, (len(frame), n)
        client.close()
        return lines
    finally:
        server.close()


def run(scale: int | None = None, latency: float = 0.02) -> str:
    """The tables, as markdown (``scale`` rows in the batch; 10,000 by default)."""
    n = scale or 10_000
    out = [f"Machine: {_machine()}. Batch of {n:,} rows, 6 columns, pages of 100.", ""]
    for title, mixed in (
        ("tuned mix (ISO dates)", False),
        ("held-out mix (dates in 4 formats)", True),
    ):
        bodies = job_bodies(rows(n, mixed_dates=mixed))
        floor = _best(lambda b=bodies: _floor(b))
        mine = _best(lambda b=bodies: _client_path(b))
        frame = _client_path(bodies)
        assert len(frame) == n
        assert not frame.attrs["unparsed"], frame.attrs["unparsed"]
        out += [
            f"**Parse and build, {title}** (CPU, best of {ROUNDS})",
            "",
            "| path | CPU | per row | ratio to floor |",
            "|---|---|---|---|",
            f"| floor: json.loads + pd.DataFrame (object columns) | {floor * 1e3:.1f} ms | "
            f"{floor / n * 1e6:.2f} µs | 1.00× |",
            f"| client: decode + shape + typed columns | {mine * 1e3:.1f} ms | "
            f"{mine / n * 1e6:.2f} µs | {mine / floor:.2f}× |",
            "",
        ]
        out += [
            f"**With {latency * 1e3:g} ms latency, {title}** "
            "(wall, best of 3; sequential best of 2)",
            "",
            "| reader | wall | speed-up |",
            "|---|---|---|",
            *_network(n, latency, mixed, [None, 8, 16]),
            "",
        ]
    return "\n".join(out)


if __name__ == "__main__":
    print(run(int(sys.argv[1]) if len(sys.argv) > 1 else None))
