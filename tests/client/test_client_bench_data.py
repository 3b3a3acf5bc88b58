"""The data-read benchmark runs end to end at a small scale (figures are not checked:
speed is measured by running the benchmark, not by tests)."""

from __future__ import annotations

import pandas as pd

from bench import bench_data
from bench.data_server import job_bodies, rows


def test_data_benchmark_produces_both_tables_for_both_mixes() -> None:
    report = bench_data.run(scale=350, latency=0.001)
    assert report.startswith("Machine: ")
    assert report.count("| floor: json.loads + pd.DataFrame (object columns) |") == 2
    assert report.count("| client, default settings |") == 2
    assert "held-out mix" in report


def test_the_client_path_and_the_floor_read_the_same_cells() -> None:
    bodies = job_bodies(rows(250, mixed_dates=True))
    typed = bench_data._client_path(bodies)
    floor = bench_data._floor(bodies)
    assert len(typed) == len(floor) == 250
    assert typed["Customer"].tolist() == floor["Customer"].tolist()
    assert typed["Orders"].tolist() == pd.to_numeric(floor["Orders"]).tolist()
    assert typed["Signup date"].notna().all()
