"""Reads under injected faults: every read operation recovers and returns exactly what it
returns with no faults, spends exactly one extra request per fault, and gives up after a
bounded number of attempts with a typed error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd
import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import (
    MammothConnectionError,
    RateLimitError,
    ServerError,
)
from mammoth_pandas.frames import concat_keep_categories
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.sandbox.faults import REQUEST_FAULTS
from tests.reliability.reliability_support import wait_for

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers

#: Faults a read must survive: every one the sandbox can inject.
RECOVERABLE = REQUEST_FAULTS

Read = Callable[[MammothClient, dict[str, Any]], Any]


def _pages(client: MammothClient, ctx: dict[str, Any]) -> pd.DataFrame:
    pages = list(client.batches.iter_pages(WS, PR, DS, page_size=7, max_workers=1))
    return concat_keep_categories(pages)


#: name -> (read, whether it makes the same requests on every run). Listings fetched with
#: several workers fetch pages ahead, and a page fetched past the end is not always
#: cancelled in time, so their request count varies.
READS: dict[str, tuple[Read, bool]] = {
    "batches.list": (lambda c, ctx: c.batches.list(WS, PR, DS, page_size=10, max_workers=1), True),
    "batches.list parallel": (lambda c, ctx: c.batches.list(WS, PR, DS, page_size=10), False),
    "batches.list filtered": (
        lambda c, ctx: c.batches.list(
            WS, PR, DS, status=["active", "suspended"], sort="-created_at", page_size=9
        ),
        False,
    ),
    "batches.iter_pages": (_pages, True),
    "batches.get": (
        lambda c, ctx: c.batches.get(WS, PR, DS, ctx["batch_id"], fields="__full"),
        True,
    ),
    "jobs.get": (lambda c, ctx: c.jobs.get(ctx["job_ids"][0]).to_dict(), True),
    "jobs.list": (lambda c, ctx: [j.to_dict() for j in c.jobs.list(ctx["job_ids"])], True),
    "datasets.get": (lambda c, ctx: c.datasets.get(WS, PR, DS), True),
    "datasets.schema": (lambda c, ctx: c.datasets.schema(WS, PR, DEMO.crm_export), True),
    "datasets.list": (lambda c, ctx: c.datasets.list(WS, PR, page_size=2), True),
    "dataset.batches": (lambda c, ctx: c.dataset(WS, PR, DS).batches(state="active"), True),
}


@pytest.fixture(scope="module")
def context(fault_sandbox: Sandbox) -> dict[str, Any]:
    """Jobs to read back (validation-only appends, which change no data) and a batch id."""
    client = fault_sandbox.client()
    mapping = [
        {
            "destination_c_id": "column_1",
            "source_c_id": "column_2",
            "expected_destination_c_type": "TEXT",
        }
    ]
    jobs = [
        client.batches.create(
            WS, PR, DS, source_id=DEMO.crm_export, mapping=mapping, validate_only=True
        )
        for _ in range(3)
    ]
    fault_sandbox.wait_idle()
    assert fault_sandbox.actions() == []
    batch_id = int(client.batches.list(WS, PR, DS, limit=5).index[3])
    return {"job_ids": [j.id for j in jobs], "batch_id": batch_id}


def _same(left: Any, right: Any) -> None:
    if isinstance(left, pd.DataFrame):
        pd.testing.assert_frame_equal(left, right)
        assert left.attrs.get("mammoth", {}).get("datasets") == right.attrs.get("mammoth", {}).get(
            "datasets"
        )
    elif isinstance(left, pd.Series):
        pd.testing.assert_series_equal(left, right)
    else:
        assert left == right


def _baseline(sb: Sandbox, counter: Any, name: str, ctx: dict[str, Any]) -> tuple[Any, int]:
    read, _ = READS[name]
    counter.reset()
    expected = read(sb.client(), ctx)
    return expected, counter.requests


@pytest.mark.parametrize("fault", RECOVERABLE)
@pytest.mark.parametrize("name", sorted(READS))
def test_read_recovers_exactly_after_two_faults(
    fault_sandbox, read_faults, context, no_wait, figures, name, fault
):
    expected, requests = _baseline(fault_sandbox, read_faults, name, context)
    deterministic = READS[name][1]
    if deterministic:
        assert _baseline(fault_sandbox, read_faults, name, context)[1] == requests
    read_faults.reset()
    read_faults.force(fault, fault)  # the first two requests of the read fail
    got = READS[name][0](fault_sandbox.client(), context)
    _same(got, expected)
    assert read_faults.pending == 0
    assert read_faults.faults == {fault: 2}
    if deterministic:  # one extra request per fault, nothing else repeated
        assert read_faults.requests == requests + 2
    figures.add("reads_survived")


def test_a_500_on_a_read_is_a_typed_server_error(fault_sandbox, read_faults, context, no_wait):
    read_faults.force(*["rate_500"] * 3)  # the first attempt and both retries
    with pytest.raises(ServerError) as info:
        fault_sandbox.client(max_retries=2).batches.get(WS, PR, DS, context["batch_id"])
    assert info.value.status == 500
    assert "500" in str(info.value)


@pytest.mark.parametrize("seed", [11, 23, 37])
def test_reads_under_seeded_mixed_faults_are_exact(
    fault_sandbox, read_faults, context, no_wait, figures, seed
):
    """Every read operation, repeatedly, with every recoverable fault drawn at random."""
    expected = {name: _baseline(fault_sandbox, read_faults, name, context)[0] for name in READS}
    read_faults.reset()
    fault_sandbox.faults.set(
        rate_429=0.04,
        rate_500=0.03,
        rate_502=0.03,
        rate_503=0.03,
        drop=0.03,
        drop_after=0.03,
        truncate=0.03,
        non_json=0.03,
        latency=0.001,
        retry_after=0,
        seed=seed,
    )
    # Pages fetched in parallel take the dice in no fixed order; eight retries keep a
    # request collecting more faults than it may retry out of reach (0.25**9 < 4e-6).
    client = fault_sandbox.client(max_retries=8)
    runs = 0
    for _ in range(3):
        for name, (read, _) in READS.items():
            _same(read(client, context), expected[name])
            runs += 1
    assert read_faults.injected >= 5  # the dice did fire
    figures.add("reads_survived", runs)


@pytest.mark.parametrize(
    ("fault", "error", "applied"),
    [
        ("rate_429", RateLimitError, None),
        ("rate_500", ServerError, None),
        ("rate_502", ServerError, None),
        ("rate_503", ServerError, None),
        ("drop", MammothConnectionError, False),
        ("truncate", MammothConnectionError, False),
        ("non_json", MammothConnectionError, False),
    ],
)
def test_reads_give_up_after_a_bounded_number_of_attempts(
    fault_sandbox, read_faults, no_wait, figures, fault, error, applied
):
    fault_sandbox.faults.set(**{fault: 1.0}, retry_after=0)
    client = fault_sandbox.client(max_retries=3)
    with pytest.raises(error) as info:
        client.batches.list(WS, PR, DS, page_size=100)
    assert read_faults.requests == 4  # the first attempt and three retries, no more
    assert len(no_wait) <= 3  # at most one wait between attempts
    if applied is not None:
        assert info.value.applied is applied
    figures.add("typed_errors")


def test_retry_after_is_honoured_but_capped_and_bounded(fault_sandbox, read_faults, no_wait):
    """A server asking to wait an hour does not hold the notebook for an hour."""
    fault_sandbox.faults.set(rate_429=1.0, retry_after=3600)
    with pytest.raises(RateLimitError) as info:
        fault_sandbox.client(max_retries=4).batches.get(WS, PR, DS, 1001)
    assert info.value.retry_after == 3600
    assert read_faults.requests == 5
    assert len(no_wait) == 4
    assert all(0 < wait <= 10.0 for wait in no_wait)  # each wait capped
    assert sum(no_wait) <= 60.0  # and the whole sequence bounded


def test_retry_after_zero_and_small_values_are_used_as_given(fault_sandbox, read_faults, no_wait):
    fault_sandbox.faults.set(rate_503=1.0, retry_after=2)
    with pytest.raises(ServerError):
        fault_sandbox.client(max_retries=2).jobs.list([1])
    assert no_wait == [2.0, 2.0]


def test_a_server_slower_than_the_timeout_ends_in_a_typed_error(
    fault_sandbox, read_faults, no_wait, figures
):
    fault_sandbox.faults.set(latency=0.3)
    client = fault_sandbox.client(timeout=0.05, max_retries=2)
    with pytest.raises(MammothConnectionError) as info:
        client.datasets.get(WS, PR, DS)
    assert info.value.applied is False
    wait_for(read_faults.idle, what="the slow answers to finish")
    assert read_faults.requests == 3
    figures.add("typed_errors")


def test_latency_alone_changes_nothing(fault_sandbox, read_faults, context, no_wait, figures):
    expected, requests = _baseline(fault_sandbox, read_faults, "batches.list", context)
    fault_sandbox.faults.set(latency=0.02)
    read_faults.reset()
    _same(fault_sandbox.client().batches.list(WS, PR, DS, page_size=10, max_workers=1), expected)
    assert read_faults.requests == requests
    assert no_wait == []
    figures.add("reads_survived")


def test_read_retries_stop_after_sixty_seconds_of_waiting(
    fault_sandbox, read_faults, transport_clock
):
    """With a generous retry count, the time bound is what stops a server that keeps
    asking to wait 10 s: about 60 s of (fake) waiting, not 50 retries."""
    clock = transport_clock
    fault_sandbox.faults.set(rate_429=1.0, retry_after=10)
    with pytest.raises(RateLimitError):
        fault_sandbox.client(max_retries=50).batches.get(WS, PR, DS, 1001)
    assert sum(clock.waits) <= 60.0
    assert read_faults.requests <= 8  # 60 s of 10 s waits, and the first attempt
    assert read_faults.requests >= 6
