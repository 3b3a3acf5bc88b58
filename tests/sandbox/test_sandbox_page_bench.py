"""The sandbox page benchmark runs end to end at a small scale (figures are not checked:
speed is measured by running the benchmark, never asserted in tests)."""

from __future__ import annotations

from bench import bench_sandbox_page


def test_page_benchmark_produces_its_table() -> None:
    report = bench_sandbox_page.run(scale=3_000, pages=3)
    assert "3,000 batches" in report
    lines = [line for line in report.splitlines() if line.startswith("| ")]
    assert len(lines) == 11  # the header and ten measures
    assert all(line.rstrip().endswith(("ms |", "× |", "per page |")) for line in lines)
