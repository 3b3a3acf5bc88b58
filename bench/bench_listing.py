"""Listing benchmark: the client against its floor and the plain approach, in one run.

The servers run in processes of their own, as real services do, so that their work does
not share the client's interpreter:

- a **replay server** (:mod:`bench.replay_server`): pages rendered ahead of time, the
  injected latency and no other work, so the client is what is measured;
- the **sandbox** (``python -m mammoth_pandas.sandbox``), the local API, for the end-to-end
  figure.

Figures, each a ratio against a baseline measured in the same run:

1. wall time to list every batch into a DataFrame, at the default settings and at fixed
   concurrencies, against the plain approach (a sequential ``requests`` loop,
   ``pd.DataFrame(records)``, dtype fixes) and against the floor
   ``max(requests / concurrency × latency, client CPU)``;
2. the same against a server that refuses (429) requests above a concurrency limit: the
   adaptive default against the best fixed setting;
3. CPU per row for decoding and building the frame, on page bodies rendered beforehand:
   the client's path against ``json.loads`` + ``pd.DataFrame`` (best of ``repeat``);
   memory of the frame against an object-dtype frame of the same records;
4. a scale curve: wall time, CPU per row and the peak of traced memory while listing,
   against the final frame's size;
5. a held-out configuration (another record mix and latency, never tuned on), apart.
"""

from __future__ import annotations

import argparse
import contextlib
import gc
import json
import os
import platform
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import requests

from bench.listing_servers import replay_process, sandbox_process, served
from mammoth_pandas import MammothClient, _concurrency, frames
from mammoth_pandas import params as P
from mammoth_pandas._answers import page_records
from mammoth_pandas._decode import loads
from mammoth_pandas._paging import PageCollector
from mammoth_pandas.sandbox import DEMO

PAGE = 100
DATASET = (DEMO.workspace_id, DEMO.project_id, DEMO.scale)
LISTING = "/workspaces/{}/projects/{}/datasets/{}/batches".format(*DATASET)


# -- the listings measured -------------------------------------------------------------------


@dataclass
class Run:
    """One listing: wall and CPU seconds, requests sent, rows, and what went wrong."""

    wall: float
    cpu: float
    rows: int
    requests: int = 0
    refused: int = 0
    error: str = ""
    frame: pd.DataFrame | None = None


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


def _timed(action: Callable[[], pd.DataFrame]) -> Run:
    gc.collect()
    wall, cpu = time.perf_counter(), time.process_time()
    error = ""
    frame: pd.DataFrame | None = None
    try:
        frame = action()
    except Exception as exc:  # a listing that fails is a figure too
        error = f"{type(exc).__name__}: {str(exc)[:120]}"
    run = Run(time.perf_counter() - wall, time.process_time() - cpu, 0, error=error)
    run.frame = frame
    run.rows = 0 if frame is None else len(frame)
    return run


def sequential(base: str, headers: dict[str, str]) -> Run:
    """The plain approach against the server at ``base``."""
    url = base + LISTING
    return _timed(lambda: plain_listing(url, headers))


@contextlib.contextmanager
def fixed_concurrency() -> Iterator[None]:
    """Listings start at their ceiling (``max_workers``) instead of growing to it."""
    saved = _concurrency.DEFAULT_START
    _concurrency.DEFAULT_START = 1_000_000
    try:
        yield
    finally:
        _concurrency.DEFAULT_START = saved


def client_listing(
    base: str, headers: dict[str, str], *, workers: int | None = None, fixed: bool = False
) -> Run:
    """``batches.list`` of the whole dataset (``workers=None``: the client's default)."""
    kwargs: dict[str, Any] = {} if workers is None else {"max_workers": workers}
    client = MammothClient(
        base, api_key=headers["X-API-KEY"], api_secret=headers["X-API-SECRET"], **kwargs
    )
    client.batches.list(*DATASET, limit=1)  # a warm connection, as in a session
    with fixed_concurrency() if fixed else contextlib.nullcontext():
        return _timed(lambda: client.batches.list(*DATASET))


def counted(base: str, measure: Callable[[], Run]) -> Run:
    """``measure()`` with the replay server's count of requests served and refused."""
    before = served(base)
    run = measure()
    after = served(base)
    run.requests = after["served"] - before["served"]
    run.refused = after["refused"] - before["refused"]
    return run


def floor(run: Run, concurrency: int, latency: float) -> float:
    """``max(requests / concurrency × latency, client CPU)``: no client can beat it."""
    return max(run.requests / concurrency * latency, run.cpu)


# -- parse + build ---------------------------------------------------------------------------


def render_pages(scale: int, mix: str = "events") -> list[bytes]:
    """The page bodies a listing of ``scale`` batches reads (as the replay server renders)."""
    from bench.replay_server import Pages

    pages = Pages(scale, mix)
    return [
        pages.body("/x", {"limit": [str(PAGE)], "offset": [str(o)]})
        for o in range(0, scale + 1, PAGE)
    ]


def floor_build(pages: list[bytes]) -> pd.DataFrame:
    """The floor: ``json.loads`` + ``pd.DataFrame`` of the records (no dtype work at all)."""
    records = [r for body in pages for r in json.loads(body)["batches"]]
    return pd.DataFrame(records)


def client_build(pages: list[bytes]) -> pd.DataFrame:
    """The client's path from page bytes to the listing frame (as ``batches.list`` runs it)."""
    collector = PageCollector()
    build = frames.batch_builder(P.fields(None))
    for body in pages:
        page, _ = page_records(loads(body))
        build.add(collector.take(page))
    return build.frame()


def _decoders() -> dict[str, Callable[[bytes], Any]]:
    found: dict[str, Callable[[bytes], Any]] = {"json.loads": json.loads}
    import msgspec

    found["msgspec"] = msgspec.json.Decoder().decode
    with contextlib.suppress(ImportError):
        import orjson

        found["orjson"] = orjson.loads
    return found


def best_cpu(
    builds: dict[str, Callable[[list[bytes]], Any]], pages: list[bytes], repeat: int
) -> dict[str, float]:
    """Best ``time.process_time`` of each build over ``repeat`` rounds, interleaved so
    that all meet the same machine load, each starting from a collected heap."""
    best = dict.fromkeys(builds, float("inf"))
    for _ in range(repeat):
        for name, build in builds.items():
            gc.collect()
            start = time.process_time()
            build(pages)
            best[name] = min(best[name], time.process_time() - start)
    return best


def traced_peak(action: Callable[[], pd.DataFrame]) -> tuple[int, pd.DataFrame]:
    """Peak bytes traced while ``action`` runs, above what was held before it."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        frame = action()
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return peak, frame


def frame_bytes(frame: pd.DataFrame) -> int:
    return int(frame.memory_usage(deep=True).sum())


# -- the report ------------------------------------------------------------------------------


def machine() -> str:
    model = platform.processor() or "?"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    import msgspec

    return (
        f"{os.cpu_count()} CPUs ({model}), Python {platform.python_version()}, "
        f"pandas {pd.__version__}, numpy {np.__version__}, msgspec {msgspec.__version__}, "
        f"{platform.system()} {platform.release()}"
    )


def load() -> str:
    with contextlib.suppress(OSError):
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    return "?"


def _s(seconds: float) -> str:
    return f"{seconds:.2f} s"


def _x(ratio: float) -> str:
    return f"{ratio:.2f}×"


def _met(ok: bool) -> str:
    return "yes" if ok else "no"


def listing_table(
    base: str, headers: dict[str, str], latency: float, settings: tuple[int, ...]
) -> tuple[list[str], dict[str, float]]:
    """Sequential loop, client at the default settings and at each fixed setting."""
    default_workers = MammothClient(base, api_key="k", api_secret="s").max_workers
    plain = counted(base, lambda: sequential(base, headers))
    runs: list[tuple[str, int, Run]] = [
        ("default (adaptive, `max_workers` " f"{default_workers})", default_workers,
         counted(base, lambda: client_listing(base, headers)))
    ]  # fmt: skip
    for workers in settings:
        run = counted(base, lambda w=workers: client_listing(base, headers, workers=w, fixed=True))  # type: ignore[misc]
        runs.append((f"fixed {workers} in flight", workers, run))
    rows = [
        "| client setting | wall | client CPU | requests | floor | wall / floor | vs sequential |",
        "|---|---:|---:|---:|---:|---:|---:|",
        f"| sequential `requests` loop (baseline) | {_s(plain.wall)} | {_s(plain.cpu)} | "
        f"{plain.requests:,} | – | – | 1.00× |",
    ]
    fixed = [(name, w, r) for name, w, r in runs[1:] if not r.error]
    ranked = fixed or runs[:1]
    best = min(ranked, key=lambda item: item[2].wall / floor(item[2], item[1], latency))
    for name, workers, run in runs:
        low = floor(run, workers, latency)
        mark = " **(best)**" if run is best[2] and fixed else ""
        rows.append(
            f"| {name}{mark} | {_s(run.wall)} | {_s(run.cpu)} | {run.requests:,} | {_s(low)} | "
            f"{_x(run.wall / low)} | {plain.wall / run.wall:.1f}× faster |"
            + (f" error: {run.error}" if run.error else "")
        )
    default = runs[0][2]
    figures = {
        "speedup": plain.wall / default.wall,
        "default_floor": default.wall / floor(default, default_workers, latency),
        "best_floor": best[2].wall / floor(best[2], best[1], latency),
        "rows": float(default.rows),
    }
    same = default.frame is None or plain.frame is None
    if not same and list(default.frame.index) != list(plain.frame.index):  # type: ignore[union-attr]
        raise AssertionError("the client and the plain approach listed different batches")
    return rows, figures


def limited_table(
    scale: int, latency: float, limit: int, retry_after: str, headers: dict[str, str]
) -> tuple[list[str], float]:
    """A server that refuses (429) above ``limit`` requests in flight."""
    rows = [
        "| client setting | wall | 429s drawn | error | vs best fixed |",
        "|---|---:|---:|---|---:|",
    ]
    with replay_process(scale, latency, max_in_flight=limit, retry_after=retry_after) as base:
        fixed = {
            w: counted(base, lambda w=w: client_listing(base, headers, workers=w, fixed=True))  # type: ignore[misc]
            for w in sorted({max(1, limit // 2), limit})
        }
        adaptive = counted(base, lambda: client_listing(base, headers))
    ok = [r for r in fixed.values() if not r.error]
    best = min(r.wall for r in ok) if ok else float("nan")
    for w, run in fixed.items():
        rows.append(
            f"| fixed {w} in flight | {_s(run.wall)} | {run.refused:,} | {run.error or 'none'} | "
            f"{_x(run.wall / best)} |"
        )
    rows.append(
        f"| default (adaptive) | {_s(adaptive.wall)} | {adaptive.refused:,} | "
        f"{adaptive.error or 'none'} | {_x(adaptive.wall / best)} |"
    )
    return rows, (adaptive.wall / best if not adaptive.error else float("inf"))


def scale_table(scales: tuple[int, ...], latency: float, headers: dict[str, str]) -> list[str]:
    rows = [
        "| batches | wall | CPU per row | peak traced while listing | final frame | peak / frame |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    xs, ys = [], []
    for scale in scales:
        with replay_process(scale, latency) as base:
            run = client_listing(base, headers)
            client = MammothClient(base, api_key="k", api_secret="s")
            peak, frame = traced_peak(lambda c=client: c.batches.list(*DATASET))  # type: ignore[misc]
        size = frame_bytes(frame)
        xs.append(scale)
        ys.append(run.cpu)
        rows.append(
            f"| {scale:,} | {_s(run.wall)} | {run.cpu / scale * 1e6:.1f} µs | "
            f"{peak / 1e6:.1f} MB | {size / 1e6:.1f} MB | {_x(peak / size)} |"
        )
    if len(xs) >= 2:
        slope, intercept = np.polyfit(np.array(xs, float), np.array(ys, float), 1)
        rows.append("")
        rows.append(
            f"Least-squares fit of the client's CPU: {intercept * 1e3:.0f} ms + "
            f"{slope * 1e6:.2f} µs × rows (all requests, decoding and frame building)."
        )
    return rows


def run(
    scale: int = 100_000,
    latency: float = 0.02,
    repeat: int = 5,
    settings: tuple[int, ...] = (8, 16, 32, 64),
    sandbox: bool = True,
    curve: tuple[int, ...] | None = None,
) -> str:
    """Run the benchmark and return its markdown report."""
    started = time.perf_counter()
    headers = {"X-API-KEY": "bench-key", "X-API-SECRET": "bench-secret"}
    out = [f"Machine: {machine()}; load average at start {load()} (1, 5, 15 min).", ""]

    out.append(
        f"**Replay server**, {scale:,} batches, {latency * 1000:g} ms latency, pages of {PAGE}:"
    )
    out.append("")
    with replay_process(scale, latency) as base:
        rows, figs = listing_table(base, headers, latency, settings)
    out += rows
    out.append("")

    limit = 8
    limited, ratio = limited_table(scale, latency, limit, "1", headers)
    out.append(
        f"**Concurrency-limited replay server** (429 with `Retry-After: 1` above {limit} "
        f"requests in flight), {scale:,} batches, {latency * 1000:g} ms:"
    )
    out += ["", *limited, ""]

    sandbox_speedup = float("nan")
    if sandbox:
        with sandbox_process(scale, latency) as (base, sb_headers):
            api = base
            plain = sequential(api, sb_headers)
            default = client_listing(api, sb_headers)
        sandbox_speedup = plain.wall / default.wall
        out.append(
            f"**Sandbox** (`python -m mammoth_pandas.sandbox`, its own process), {scale:,} "
            f"batches, {latency * 1000:g} ms:"
        )
        out += [
            "",
            "| | wall | client CPU |",
            "|---|---:|---:|",
            f"| sequential `requests` loop | {_s(plain.wall)} | {_s(plain.cpu)} |",
            f"| client, default settings | {_s(default.wall)} | {_s(default.cpu)} |"
            + (f" error: {default.error}" if default.error else ""),
            "",
        ]

    pages = render_pages(scale)
    rows_n = scale
    decoders = _decoders()
    builds: dict[str, Callable[[list[bytes]], Any]] = {
        "floor": floor_build,
        "client": client_build,
    }
    for name, decode in decoders.items():
        builds[f"decode:{name}"] = lambda ps, d=decode: [d(p) for p in ps]  # type: ignore[misc]
    cpu = best_cpu(builds, pages, repeat)
    built = client_build(pages)
    as_objects = pd.DataFrame(
        [r for body in pages for r in json.loads(body)["batches"]], dtype=object
    )
    cpu_ratio = cpu["client"] / cpu["floor"]
    memory_ratio = frame_bytes(built) / frame_bytes(as_objects)
    decode_line = ", ".join(
        f"{name} {cpu[f'decode:{name}'] / rows_n * 1e6:.2f} µs" for name in decoders
    )
    out += [
        f"**Parse + build**, {rows_n:,} rows rendered beforehand, best of {repeat}:",
        "",
        "| measure | mammoth-pandas | baseline | ratio |",
        "|---|---:|---:|---:|",
        f"| CPU per row, decode + build frame | {cpu['client'] / rows_n * 1e6:.2f} µs | "
        f"{cpu['floor'] / rows_n * 1e6:.2f} µs (`json.loads` + `pd.DataFrame`) | "
        f"{_x(cpu_ratio)} |",
        f"| memory of the frame | {frame_bytes(built) / 1e6:.1f} MB | "
        f"{frame_bytes(as_objects) / 1e6:.1f} MB (object-dtype frame) | {memory_ratio:.2f} |",
        "",
        f"Decoding alone, per row: {decode_line}.",
        "",
    ]
    del pages, built, as_objects

    scales = curve or (scale // 100, scale // 10, scale, scale * 10)
    out.append(f"**Scale curve** (replay server, {latency * 1000:g} ms, default settings):")
    out += ["", *scale_table(tuple(s for s in scales if s > 0), latency, headers), ""]

    held_scale, held_latency = max(100, (scale * 3) // 10), latency * 2.5
    with replay_process(held_scale, held_latency, mix="rich") as base:
        held, _ = listing_table(base, headers, held_latency, ())
    out.append(
        f"**Held-out configuration** (never tuned on): {held_scale:,} batches of the `rich` "
        f"mix (file, dataset and cloud sources, error columns), {held_latency * 1000:g} ms:"
    )
    out += ["", *held, ""]

    out.append("| target | figure | met |")
    out.append("|---|---:|---|")
    out += [
        f"| replay, default ≥ 8× faster than sequential | {figs['speedup']:.1f}× | "
        f"{_met(figs['speedup'] >= 8)} |",
        f"| replay, default within 1.3× of the floor | {_x(figs['default_floor'])} | "
        f"{_met(figs['default_floor'] <= 1.3)} |",
        f"| replay, best setting within 1.15× of the floor | {_x(figs['best_floor'])} | "
        f"{_met(figs['best_floor'] <= 1.15)} |",
        f"| 429 above {limit}: adaptive within 1.3× of the best fixed, no error | {_x(ratio)} | "
        f"{_met(ratio <= 1.3)} |",
        f"| sandbox, default ≥ 6× faster than sequential | {sandbox_speedup:.1f}× | "
        f"{_met(sandbox_speedup >= 6)} |",
        f"| CPU per row ≤ 1.0× the floor | {_x(cpu_ratio)} | {_met(cpu_ratio <= 1.0)} |",
        f"| frame memory ≤ 0.25× object frame | {memory_ratio:.2f} | "
        f"{_met(memory_ratio <= 0.25)} |",
        "",
        f"Load average at the end {load()}; whole run {time.perf_counter() - started:.0f} s.",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.bench_listing", description=__doc__)
    parser.add_argument("--scale", type=int, default=100_000, help="batches in the dataset")
    parser.add_argument("--latency", type=float, default=0.02, help="seconds per request")
    parser.add_argument("--repeat", type=int, default=5, help="rounds of the CPU figures")
    parser.add_argument("--no-sandbox", action="store_true", help="skip the sandbox figure")
    args = parser.parse_args(argv)
    report = run(
        scale=args.scale, latency=args.latency, repeat=args.repeat, sandbox=not args.no_sandbox
    )
    print(report)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
