"""The listing benchmark runs end to end at a small scale, and its replay server answers
as the API does (figures are not checked: speed is measured by running the benchmark,
not by tests)."""

from __future__ import annotations

import threading
import time

import pandas as pd
import requests

from bench import __main__ as bench_main
from bench import bench_listing
from bench.replay_server import FIRST_ID

HEADERS = {"X-API-KEY": "k", "X-API-SECRET": "s"}


def test_listing_benchmark_produces_its_tables() -> None:
    report = bench_listing.run(scale=2_000, latency=0.002, repeat=1, settings=(8,), curve=(500,))
    lines = report.splitlines()
    assert lines[0].startswith("Machine: ")
    assert "CPUs" in lines[0]
    assert "load average" in lines[0]
    assert any(line.startswith("| sequential `requests` loop (baseline) |") for line in lines)
    assert any(line.startswith("| default (adaptive, `max_workers`") for line in lines)
    assert any(line.startswith("| fixed 8 in flight") for line in lines)
    assert any(line.startswith("| CPU per row, decode + build frame |") for line in lines)
    assert any(line.startswith("| memory of the frame |") for line in lines)
    assert any(line.startswith("| 500 |") for line in lines)  # the scale curve
    assert any(line.startswith("**Held-out configuration**") for line in lines)
    assert any(line.startswith("| client, default settings |") for line in lines)  # sandbox
    assert "error:" not in report
    assert lines[-1].startswith("Load average at the end")


def test_client_build_matches_the_listing_dtypes() -> None:
    pages = [
        b'{"batches": [{"id": 2, "name": "a", "state": "active", "row_count": 1,'
        b' "created_at": "2024-01-01T00:00:00Z", "source": {"type": "file"}}], "next": ""}'
    ]
    frame = bench_listing.client_build(pages)
    assert list(frame.index) == [2]
    assert isinstance(frame.created_at.dtype, pd.DatetimeTZDtype)
    assert bench_listing.floor_build(pages).shape == (1, 6)


def test_rendered_pages_hold_every_batch_once() -> None:
    pages = bench_listing.render_pages(250)
    frame = bench_listing.client_build(pages)
    assert list(frame.index) == list(range(FIRST_ID, FIRST_ID + 250))


def test_replay_server_pages_like_the_api() -> None:
    with bench_listing.replay_process(230, 0.0) as base:
        url = base + bench_listing.LISTING
        first = requests.get(url, params={"limit": 100, "offset": 0}, timeout=10)
        assert first.status_code == 200
        assert first.headers.get("Connection", "keep-alive").lower() != "close"
        body = first.json()
        assert [b["id"] for b in body["batches"]] == list(range(FIRST_ID, FIRST_ID + 100))
        assert body["limit"] == 100
        assert body["offset"] == 0
        assert body["next"]
        last = requests.get(url, params={"limit": 100, "offset": 200}, timeout=10).json()
        assert len(last["batches"]) == 30
        assert last["next"] == ""
        assert requests.get(base + "/nowhere", timeout=10).status_code == 404
        assert bench_listing.served(base)["served"] == 3


def test_replay_server_refuses_above_its_concurrency_limit() -> None:
    with bench_listing.replay_process(100, 2.0, max_in_flight=2, retry_after="3") as base:
        url = base + bench_listing.LISTING
        answers: list[int] = []
        threads = [
            threading.Thread(
                target=lambda: answers.append(requests.get(url, timeout=30).status_code)
            )
            for _ in range(2)
        ]
        for thread in threads:
            thread.start()
        deadline = time.monotonic() + 20
        while bench_listing.served(base)["in_flight"] < 2 and time.monotonic() < deadline:
            time.sleep(0.01)  # polling, bounded: both requests are being answered
        third = requests.get(url, timeout=30)
        assert third.status_code == 429
        assert third.headers["Retry-After"] == "3"
        for thread in threads:
            thread.join(timeout=30)
        assert answers == [200, 200]
        assert bench_listing.served(base)["refused"] == 1


def test_bench_runner_lists_the_listing_benchmark() -> None:
    assert "listing" in bench_main.modules()


def test_bench_runner_refuses_an_unknown_benchmark(capsys) -> None:
    import pytest

    with pytest.raises(SystemExit) as exit_info:
        bench_main.main(["nope"])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert "no benchmark nope; there are: " in err
    assert "listing" in err.rsplit("there are: ", 1)[-1]
