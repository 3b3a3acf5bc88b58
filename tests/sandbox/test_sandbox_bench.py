"""The sandbox serving benchmark runs end to end at a small scale (its figures are not
checked: speed is measured by running the benchmark, not by tests)."""

from __future__ import annotations

from bench import bench_sandbox


def test_sandbox_benchmark_produces_its_table() -> None:
    report = bench_sandbox.run(scale=500, pages=10, rounds=1)
    lines = report.splitlines()
    assert lines[0].startswith("| measure | sandbox (keep-alive) | waitress |")
    assert any(
        line.startswith("| wall time of one 100-row page, one connection |") for line in lines
    )
    assert any(line.startswith("| wall time, `batches.list` of all 500 batches") for line in lines)
    assert "CPU cores" in lines[-1]
    assert "load average" in lines[-1]
