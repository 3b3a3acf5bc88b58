"""Bounded time and memory against a loopback server that misbehaves (``hostile.py``):
decompression bombs, endless bodies, bytes dripped one at a time, endless headers,
odd ``Retry-After`` values, JSON nested past the recursion limit."""

from __future__ import annotations

import tracemalloc

import pytest

from mammoth_pandas.errors import MammothConnectionError, RateLimitError, ServerError
from tests.reliability import hostile as H
from tests.reliability.hostile import HostileServer

CAP = 1 << 20  # the body cap set for these tests (the default is 64 MiB)


def _peak_while(call) -> tuple[int, BaseException | None]:
    tracemalloc.start()
    try:
        try:
            call()
        except Exception as exc:
            error: BaseException | None = exc
        else:
            error = None
        return tracemalloc.get_traced_memory()[1], error
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(("name", "size"), [("gzip_bomb", 20 << 20), ("huge_body", 20 << 20)])
def test_a_body_past_the_cap_is_refused_and_memory_stays_under_it(
    hostile: HostileServer, figures, no_wait, name: str, size: int
) -> None:
    hostile.mode = name
    hostile.options.update(decoded=size, size=size)
    if name == "gzip_bomb":
        H._BOMBS[size] = H._bomb(size)  # built before measuring
    client = hostile.client(max_retries=1)
    client._transport.max_body = CAP
    peak, error = _peak_while(lambda: client.batches.list(1, 1, 5))
    assert isinstance(error, MammothConnectionError), error
    assert "larger than" in str(error)
    assert peak < 4 * CAP, f"peak {peak:,} bytes"
    figures.add("hostile_held")


@pytest.mark.parametrize("name", ["drip_body", "endless_headers"])
def test_timeout_bounds_a_read_that_drips(hostile: HostileServer, figures, name: str) -> None:
    hostile.mode = name
    # A byte every 50 ms: no single socket read times out; after 5 s the server gives up.
    hostile.options.update(every=0.05, drip_for=5.0)
    client = hostile.client(timeout=0.5, max_retries=0)
    with pytest.raises(MammothConnectionError, match=r"0\.5 s") as info:
        client.batches.list(1, 1, 5)
    assert info.value.applied is False
    figures.add("hostile_held")


def test_a_write_that_runs_out_of_time_may_have_been_applied(
    hostile: HostileServer, figures
) -> None:
    hostile.mode = "drip_body"
    hostile.options.update(every=0.05, drip_for=5.0)
    client = hostile.client(timeout=0.5, max_retries=0)
    with pytest.raises(MammothConnectionError, match=r"0\.5 s") as info:
        client.batches.delete(1, 1, 5, 3)
    assert info.value.applied is None
    figures.add("hostile_held")


def test_json_nested_past_the_recursion_limit_is_a_typed_error(
    hostile: HostileServer, figures, no_wait
) -> None:
    hostile.mode = "nested_json"
    with pytest.raises(MammothConnectionError, match="nested"):
        hostile.client(max_retries=1).batches.list(1, 1, 5)
    figures.add("hostile_held")


BACKOFF = [0.2, 0.4, 0.8, 1.6, 3.2]  # the helper's waits for attempts 1..5


@pytest.mark.parametrize(
    ("value", "waits"),
    [
        ("1.5", [1.5] * 5),
        ("0.25", [0.25] * 5),
        ("-3", BACKOFF),
        ("", BACKOFF),
        ("soon", BACKOFF),
        ("nan", BACKOFF),
    ],
)
def test_retry_after_is_read_as_well_as_it_can_be(
    hostile: HostileServer, figures, transport_clock, value: str, waits: list[float]
) -> None:
    hostile.mode = "retry_after"
    hostile.options["value"] = value
    with pytest.raises(RateLimitError, match="6 attempts"):
        hostile.client(max_retries=5).batches.list(1, 1, 5)
    assert len(hostile.calls("/batches")) == 6
    assert transport_clock.waits == waits
    figures.add("hostile_held")


def test_retry_after_as_an_http_date_is_honoured(
    hostile: HostileServer, figures, transport_clock
) -> None:
    hostile.mode = "retry_after"
    hostile.options["value"] = "date+3"
    with pytest.raises(RateLimitError, match="3 attempts"):
        hostile.client(max_retries=2).batches.list(1, 1, 5)
    assert len(transport_clock.waits) == 2
    assert all(1.0 <= w <= 3.5 for w in transport_clock.waits), transport_clock.waits
    figures.add("hostile_held")


def test_a_server_error_whose_retries_run_out_says_how_many_attempts(
    hostile: HostileServer, figures, transport_clock
) -> None:
    hostile.mode = "retry_after"
    hostile.options.update(status=503, value="garbage")
    with pytest.raises(ServerError, match="4 attempts") as info:
        hostile.client(max_retries=3).batches.list(1, 1, 5)
    assert "no answer" not in str(info.value)
    assert len(hostile.calls("/batches")) == 4
    figures.add("hostile_held")
