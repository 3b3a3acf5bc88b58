"""The listing benchmark runs end to end at a small scale (its figures are not checked:
speed is measured by running the benchmark, not by tests)."""

from __future__ import annotations

import pandas as pd

from bench import __main__ as bench_main
from bench import bench_listing


def test_listing_benchmark_produces_its_table() -> None:
    report = bench_listing.run(scale=2_000, latency=0.002, repeat=1)
    lines = report.splitlines()
    assert lines[0].startswith("| measure | mammoth-pandas | baseline | ratio | target |")
    assert any(line.startswith("| wall time, list all 2,") for line in lines)
    assert any(line.startswith("| CPU per row") for line in lines)
    assert any(line.startswith("| memory of the frame") for line in lines)


def test_client_build_matches_the_listing_dtypes() -> None:
    pages = [
        b'{"batches": [{"id": 2, "name": "a", "state": "active", "row_count": 1,'
        b' "created_at": "2024-01-01T00:00:00Z", "source": {"type": "file"}}], "next": ""}'
    ]
    frame = bench_listing.client_build(pages)
    assert list(frame.index) == [2]
    assert isinstance(frame.created_at.dtype, pd.DatetimeTZDtype)
    assert bench_listing.floor_build(pages).shape == (1, 6)


def test_bench_runner_lists_the_listing_benchmark() -> None:
    assert "listing" in bench_main.modules()
