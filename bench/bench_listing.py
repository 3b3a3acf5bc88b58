"""Listing benchmark: the client against the plain approach, on one sandbox, in one run.

A sandbox holds ``scale`` batches in one dataset and adds ``latency`` seconds to every
request. It runs in a process of its own (``mammoth-pandas sandbox``), as a real service
would, so that its work does not share the client's interpreter. Three figures, each a
ratio against a baseline measured in the same run:

1. wall time to list every batch into a DataFrame: the client (concurrent pages) against
   the plain approach (a sequential ``requests`` loop over pages, ``pd.DataFrame(records)``,
   dtype fixes);
2. CPU time per row for parsing and building the frame, on page bodies fetched beforehand
   (so no latency counts): the client's own code against the floor ``json.loads`` +
   ``pd.DataFrame`` on the same bytes (``time.process_time``, best of ``repeat``);
3. memory of the resulting frame (``memory_usage(deep=True)``) against an object-dtype
   frame of the same records.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import secrets
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import requests

from mammoth_pandas import MammothClient, frames
from mammoth_pandas import params as P
from mammoth_pandas._answers import page_records
from mammoth_pandas._paging import PageCollector
from mammoth_pandas.sandbox import DEMO

PAGE = 100


@contextlib.contextmanager
def sandbox_process(scale: int, latency: float) -> Iterator[tuple[str, dict[str, str]]]:
    """A sandbox in its own process; yields its base URL and the auth headers."""
    key, secret = secrets.token_urlsafe(16), secrets.token_urlsafe(24)
    command = [sys.executable, "-m", "mammoth_pandas.sandbox.cli", "--port", "0"]
    command += ["--scale", str(scale), "--latency", str(latency)]
    # The "=" form: a generated key may begin with "-", which argparse would read as a flag.
    command += [f"--api-key={key}", f"--api-secret={secret}"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        first = process.stdout.readline()
        if "ready at" not in first:
            raise RuntimeError(f"the sandbox did not start: {first!r}")
        yield first.rsplit(" ", 1)[-1].strip(), {"X-API-KEY": key, "X-API-SECRET": secret}
    finally:
        process.terminate()
        process.wait(timeout=30)
        if process.stdout is not None:
            process.stdout.close()


def plain_listing(url: str, headers: dict[str, str]) -> pd.DataFrame:
    """What one writes without the client: page through sequentially, then fix dtypes."""
    session = requests.Session()
    records: list[dict[str, Any]] = []
    offset = 0
    while True:
        response = session.get(
            url, params={"limit": PAGE, "offset": offset}, headers=headers, timeout=30
        )
        response.raise_for_status()
        page = response.json()["batches"]
        records.extend(page)
        if len(page) < PAGE:
            break
        offset += PAGE
    df = pd.DataFrame(records).set_index("id")
    df["created_at"] = pd.to_datetime(df["created_at"], utc=True, format="ISO8601")
    df["row_count"] = df["row_count"].astype("Int64")
    df["column_count"] = df["column_count"].astype("Int64")
    df["state"] = df["state"].astype("category")
    return df


def fetch_pages(url: str, headers: dict[str, str]) -> list[bytes]:
    session = requests.Session()
    pages = []
    offset = 0
    while True:
        body = session.get(
            url, params={"limit": PAGE, "offset": offset}, headers=headers, timeout=30
        ).content
        pages.append(body)
        if len(json.loads(body)["batches"]) < PAGE:
            return pages
        offset += PAGE


def floor_build(pages: list[bytes]) -> pd.DataFrame:
    records = [r for body in pages for r in json.loads(body)["batches"]]
    return pd.DataFrame(records)


def client_build(pages: list[bytes]) -> pd.DataFrame:
    """The client's path from page bytes to the listing frame (as ``batches.list`` runs it)."""
    collector = PageCollector()
    records: list[dict[str, Any]] = []
    for body in pages:
        page, _ = page_records(json.loads(body))
        records.extend(collector.take(page))
    return frames.batch_frame(records, P.fields(None), unique=True)


def best_cpu(
    builds: dict[str, Callable[[list[bytes]], Any]], pages: list[bytes], repeat: int
) -> dict[str, float]:
    """Best ``time.process_time`` of each build over ``repeat`` rounds, interleaved so
    that both meet the same machine load, each starting from a collected heap."""
    best = dict.fromkeys(builds, float("inf"))
    for _ in range(repeat):
        for name, build in builds.items():
            gc.collect()
            start = time.process_time()
            build(pages)
            best[name] = min(best[name], time.process_time() - start)
    return best


def _seconds(value: float) -> str:
    return f"{value:.2f} s"


def run(scale: int = 100_000, latency: float = 0.02, workers: int = 16, repeat: int = 5) -> str:
    """Run the benchmark and return its markdown report."""
    started = time.perf_counter()
    with sandbox_process(scale, latency) as (base_url, headers):
        ws, pr, ds = DEMO.workspace_id, DEMO.project_id, DEMO.scale
        url = f"{base_url}/workspaces/{ws}/projects/{pr}/datasets/{ds}/batches"
        client = MammothClient(
            base_url,
            api_key=headers["X-API-KEY"],
            api_secret=headers["X-API-SECRET"],
            max_workers=workers,
        )
        client.batches.list(ws, pr, ds, limit=1)  # warm up connections and caches

        t0 = time.perf_counter()
        plain = plain_listing(url, headers)
        plain_wall = time.perf_counter() - t0
        t0 = time.perf_counter()
        listed = client.batches.list(ws, pr, ds)
        client_wall = time.perf_counter() - t0
        if list(listed.index) != list(plain.index):
            raise AssertionError("the client and the plain approach listed different batches")

        pages = fetch_pages(url, headers)
    rows = sum(len(json.loads(p)["batches"]) for p in pages)
    cpu = best_cpu({"floor": floor_build, "client": client_build}, pages, repeat)
    floor_cpu, client_cpu = cpu["floor"], cpu["client"]

    built = client_build(pages)
    records = [r for body in pages for r in json.loads(body)["batches"]]
    as_objects = pd.DataFrame(records, dtype=object)
    client_bytes = int(built.memory_usage(deep=True).sum())
    object_bytes = int(as_objects.memory_usage(deep=True).sum())

    speedup = plain_wall / client_wall
    cpu_ratio = client_cpu / floor_cpu
    memory_ratio = client_bytes / object_bytes
    table = [
        "| measure | mammoth-pandas | baseline | ratio | target | met |",
        "|---|---|---|---|---|---|",
        f"| wall time, list all {len(listed):,} batches | {_seconds(client_wall)} | "
        f"{_seconds(plain_wall)} (sequential `requests` loop + `pd.DataFrame` + dtype fixes) | "
        f"{speedup:.1f}× faster | ≥ 5× | {'yes' if speedup >= 5 else 'no'} |",
        f"| CPU per row, parse + build frame | {client_cpu / rows * 1e6:.2f} µs | "
        f"{floor_cpu / rows * 1e6:.2f} µs (`json.loads` + `pd.DataFrame`) | "
        f"{cpu_ratio:.2f}× | ≤ 1.5× | {'yes' if cpu_ratio <= 1.5 else 'no'} |",
        f"| memory of the frame | {client_bytes / 1e6:.1f} MB | "
        f"{object_bytes / 1e6:.1f} MB (object-dtype frame of the records) | "
        f"{memory_ratio:.2f} | ≤ 0.5 | {'yes' if memory_ratio <= 0.5 else 'no'} |",
    ]
    setup = (
        f"Sandbox (its own process) with {scale:,} batches in one dataset, "
        f"{latency * 1000:g} ms latency per request, {PAGE} batches per page, "
        f"client `max_workers={workers}`; CPU figures are "
        f"the best of {repeat}. Python {platform.python_version()}, pandas {pd.__version__}, "
        f"{os.cpu_count()} CPU cores; whole run {time.perf_counter() - started:.0f} s."
    )
    return "\n".join([*table, "", setup])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_listing", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="batches in the dataset")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--workers", type=int, default=16, help="client max_workers")
    args = parser.parse_args(argv)
    print(run(scale=args.scale, latency=args.latency, workers=args.workers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
