"""Adaptive concurrency: the pure policy on a fake clock, then the gate with real threads."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

import pytest

from mammoth_pandas._backoff import retry_after
from mammoth_pandas._concurrency import (
    AdaptiveLimit,
    ConcurrencyGate,
    Ticket,
    report_throttle,
)
from mammoth_pandas.errors import RateLimitError
from tests.conftest import FakeClock


def round_trip(policy: AdaptiveLimit, clock: FakeClock, duration: float) -> None:
    """One round: every request allowed now comes back after ``duration``."""
    clock.now += duration
    for _ in range(policy.limit):
        policy.on_success(duration, clock.now)


def test_starts_modestly_and_never_above_the_ceiling() -> None:
    assert AdaptiveLimit(32).limit == 4
    assert AdaptiveLimit(2).limit == 2
    assert AdaptiveLimit(1, start=8).limit == 1
    with pytest.raises(ValueError, match="ceiling"):
        AdaptiveLimit(0)


def test_quick_answers_double_the_limit_each_round_up_to_the_ceiling() -> None:
    policy, clock = AdaptiveLimit(32), FakeClock(now=100.0)
    seen = []
    for _ in range(5):
        round_trip(policy, clock, 0.02)
        seen.append(policy.limit)
    assert seen == [8, 16, 32, 32, 32]


def test_slow_answers_hold_the_limit() -> None:
    policy, clock = AdaptiveLimit(32), FakeClock(now=100.0)
    round_trip(policy, clock, 0.02)  # quickest seen: 20 ms
    assert policy.limit == 8
    round_trip(policy, clock, 0.2)  # ten times slower: the server queues
    assert policy.limit == 8
    round_trip(policy, clock, 0.03)  # within twice the quickest again: grows
    assert policy.limit == 16


def test_a_refusal_halves_once_per_round_and_pauses_no_one_else() -> None:
    policy, clock = AdaptiveLimit(32), FakeClock(now=100.0)
    round_trip(policy, clock, 0.02)
    round_trip(policy, clock, 0.02)
    assert policy.limit == 16
    sent_before = Ticket(clock.now, policy.epoch, 12)
    policy.on_throttle(sent_before, 1.5, clock.now)
    assert policy.limit == 6  # half of the 12 in flight
    # too many at once: the decrease answers it; only the refused request waits 1.5 s
    assert policy.pause_remaining(clock.now) == 0.0
    policy.on_throttle(sent_before, None, clock.now)  # same round: no second halving
    assert policy.limit == 6
    assert policy.decreases == 1
    assert policy.throttles == 2


def test_a_request_refused_alone_pauses_every_request_for_retry_after() -> None:
    policy, clock = AdaptiveLimit(32), FakeClock(now=100.0)
    policy.on_throttle(Ticket(clock.now, policy.epoch, 1), 1.5, clock.now)
    assert policy.pause_remaining(clock.now) == pytest.approx(1.5)
    clock.now += 1.0
    assert policy.pause_remaining(clock.now) == pytest.approx(0.5)
    clock.now += 1.0
    assert policy.pause_remaining(clock.now) == 0.0


def test_after_a_refusal_growth_is_additive_and_stays_below_the_refused_level() -> None:
    policy, clock = AdaptiveLimit(32, probe_after=10.0), FakeClock(now=100.0)
    for _ in range(2):
        round_trip(policy, clock, 0.02)
    policy.on_throttle(Ticket(clock.now, policy.epoch, 9), None, clock.now)
    assert policy.limit == 4
    limits = []
    for _ in range(8):
        round_trip(policy, clock, 0.02)
        limits.append(policy.limit)
    assert limits == [5, 6, 7, 8, 8, 8, 8, 8]  # one more per round, then held below 9
    clock.now += 10.0  # the refusal is old: probe again
    round_trip(policy, clock, 0.02)
    assert policy.limit == 9


def test_the_lowest_refused_level_of_a_round_is_the_one_kept() -> None:
    policy, clock = AdaptiveLimit(32, probe_after=10.0), FakeClock(now=100.0)
    for _ in range(2):
        round_trip(policy, clock, 0.02)
    assert policy.limit == 16
    epoch = policy.epoch
    # Sixteen sent at once to a server that takes eight: the answers to the refused ones
    # arrive in any order; the first one read (16 in flight) halves the limit …
    policy.on_throttle(Ticket(clock.now, epoch, 16), None, clock.now)
    assert policy.limit == 8
    # … and the others, sent in the same round, do not halve it again, but the lowest
    # number refused (9) is the level the limit stays below.
    for in_flight in (12, 9, 14):
        policy.on_throttle(Ticket(clock.now, epoch, in_flight), None, clock.now)
    assert policy.decreases == 1
    limits = []
    for _ in range(6):
        round_trip(policy, clock, 0.02)
        limits.append(policy.limit)
    assert limits == [8, 8, 8, 8, 8, 8]  # never 9 again while the refusal is recent
    clock.now += 10.0
    round_trip(policy, clock, 0.02)
    assert policy.limit == 9  # then probed again


def test_a_late_refusal_lowers_the_limit_below_its_level() -> None:
    policy, clock = AdaptiveLimit(32, probe_after=10.0), FakeClock(now=100.0)
    for _ in range(3):
        round_trip(policy, clock, 0.02)
    assert policy.limit == 32
    epoch = policy.epoch
    policy.on_throttle(Ticket(clock.now, epoch, 30), None, clock.now)
    assert policy.limit == 15
    policy.on_throttle(Ticket(clock.now, epoch, 6), None, clock.now)  # same round, 6 refused
    assert policy.limit == 5
    assert policy.decreases == 1
    policy.on_throttle(Ticket(clock.now, epoch, 1), None, clock.now)  # alone: no level
    assert policy.limit == 5


def test_refusals_never_go_below_one() -> None:
    policy, clock = AdaptiveLimit(8), FakeClock(now=100.0)
    for _ in range(10):
        policy.on_throttle(None, None, clock.now)
    assert policy.limit == 1
    round_trip(policy, clock, 0.02)
    assert policy.limit == 1  # below the refused level (1) nothing is allowed but one


def test_huge_retry_after_pauses_at_most_a_minute() -> None:
    policy, clock = AdaptiveLimit(8), FakeClock(now=100.0)
    policy.on_throttle(Ticket(clock.now, policy.epoch, 1), 1e9, clock.now)
    assert policy.pause_remaining(clock.now) == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [("2", 2.0), ("0.25", 0.25), (" 3 ", 3.0), ("-1", None), ("", None),
     ("soon", None), ("nan", None), ("inf", None), (None, None),
     ("Wed, 02 Dec 2026 12:00:30 GMT", 30.0), ("Wed, 02 Dec 2026 11:00:00 GMT", 0.0)],
)  # fmt: skip
def test_retry_after_is_read_as_seconds_an_http_date_or_absent(raw, seconds) -> None:
    now = datetime(2026, 12, 2, 12, 0, 0, tzinfo=timezone.utc)
    assert retry_after(raw, now=now) == seconds


# -- the gate, with real threads -----------------------------------------------------------


def test_gate_never_admits_more_than_the_limit() -> None:
    gate = ConcurrencyGate(AdaptiveLimit(3, start=3))
    lock = threading.Lock()
    active, peak = 0, 0
    release = threading.Event()
    entered = threading.Semaphore(0)

    def fetch(i: int) -> int:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
        entered.release()
        release.wait(timeout=10)
        with lock:
            active -= 1
        return i

    with ThreadPoolExecutor(max_workers=8) as pool:
        futures = [pool.submit(gate.run, fetch, i) for i in range(8)]
        for _ in range(3):
            assert entered.acquire(timeout=10)
        assert not entered.acquire(timeout=0.2)  # a fourth is held at the gate
        assert gate.in_flight == 3
        release.set()
        assert [f.result(timeout=10) for f in futures] == list(range(8))
    assert peak == 3
    assert gate.in_flight == 0


def test_gate_admits_in_arrival_order() -> None:
    gate = ConcurrencyGate(AdaptiveLimit(1, start=1))
    order: list[int] = []
    first_in = threading.Event()
    go = threading.Event()

    def fetch(i: int) -> None:
        if i == 0:
            first_in.set()
            go.wait(timeout=10)
        order.append(i)

    with ThreadPoolExecutor(max_workers=6) as pool:
        futures = [pool.submit(gate.run, fetch, 0)]
        assert first_in.wait(timeout=10)
        for i in range(1, 6):
            futures.append(pool.submit(gate.run, fetch, i))
            # each waiter has taken its ticket before the next one arrives
            deadline = 200
            while gate._next_ticket < i + 1 and deadline:
                threading.Event().wait(0.005)
                deadline -= 1
        go.set()
        for f in futures:
            f.result(timeout=10)
    assert order == [0, 1, 2, 3, 4, 5]


def test_a_throttle_reported_by_the_transport_halves_and_gives_the_retry_a_slot() -> None:
    gate = ConcurrencyGate(AdaptiveLimit(8, start=8))
    attempts = {"n": 0}

    def fetch() -> str:
        attempts["n"] += 1
        if attempts["n"] == 1:
            report_throttle(429, 0.0)  # what the transport does before retrying
        return "page"

    assert gate.run(fetch) == "page"
    assert gate.policy.limit == 4  # one in flight when refused → at most half of 8
    assert gate.policy.throttles == 1
    assert gate.in_flight == 0


def test_a_refused_request_gives_up_its_slot_while_it_waits_to_retry() -> None:
    gate = ConcurrencyGate(AdaptiveLimit(8, start=2))
    waiting = threading.Event()  # the refused request is in its Retry-After wait
    admitted = threading.Event()  # another request got in meanwhile
    holder_in = threading.Event()
    release_holder = threading.Event()
    waits: list[int] = []

    def pause() -> None:
        waits.append(gate.in_flight)
        waiting.set()
        assert admitted.wait(timeout=10)

    def refused() -> str:
        if not waits:
            report_throttle(429, 1.0, pause)
        return "retried"

    def holder() -> str:
        holder_in.set()
        assert release_holder.wait(timeout=10)
        return "held"

    with ThreadPoolExecutor(max_workers=3) as pool:
        first = pool.submit(gate.run, holder)
        assert holder_in.wait(timeout=10)
        second = pool.submit(gate.run, refused)
        assert waiting.wait(timeout=10)
        # limit 2 → 1 after the refusal (two in flight), and the holder still holds one:
        # the refused request's slot was given back, so one in flight, none waiting
        assert waits == [1]
        release_holder.set()
        assert first.result(timeout=10) == "held"
        third = pool.submit(gate.run, lambda: "new")
        assert third.result(timeout=10) == "new"  # admitted during the refused one's wait
        admitted.set()
        assert second.result(timeout=10) == "retried"
    assert gate.in_flight == 0
    assert gate.policy.throttles == 1


def test_report_throttle_runs_the_pause_even_outside_a_gate() -> None:
    ran: list[str] = []
    report_throttle(429, 1.0, lambda: ran.append("paused"))
    report_throttle(500, None, lambda: ran.append("paused"))
    assert ran == ["paused", "paused"]


def test_report_throttle_outside_a_gate_or_for_other_statuses_does_nothing() -> None:
    report_throttle(429, 1.0)  # no gate in this thread: nothing to tell
    gate = ConcurrencyGate(AdaptiveLimit(8, start=8))
    gate.run(lambda: report_throttle(500, 1.0))
    assert gate.policy.throttles == 0
    assert gate.policy.limit == 8


def test_a_refusal_that_outlasts_the_retries_still_halves_and_is_raised() -> None:
    gate = ConcurrencyGate(AdaptiveLimit(8, start=8))

    def fetch() -> None:
        raise RateLimitError("GET /x → HTTP 429", status=429, retry_after=None)

    with pytest.raises(RateLimitError):
        gate.run(fetch)
    assert gate.policy.limit == 4
    assert gate.in_flight == 0


def test_successful_pages_grow_the_gate_limit() -> None:
    clock = FakeClock(now=100.0)
    gate = ConcurrencyGate(AdaptiveLimit(16), clock=clock)

    def fetch() -> None:
        clock.now += 0.02

    for _ in range(4):
        gate.run(fetch)
    assert gate.limit == 8


# -- the pager against a server with a concurrency limit, over real HTTP --------------------


def test_listing_adapts_to_a_server_that_refuses_above_eight_in_flight(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from bench import bench_listing
    from bench.replay_server import FIRST_ID
    from mammoth_pandas import MammothClient, _concurrency

    # Start above the server's limit, and hold each answer 0.2 s, so that more than eight
    # are in flight at once (refusals certain) however slowly a loaded machine sends them.
    monkeypatch.setattr(_concurrency, "DEFAULT_START", 32)
    scale = 6_000
    with bench_listing.replay_process(scale, 0.2, max_in_flight=8, retry_after="0") as base:
        client = MammothClient(base, api_key="k", api_secret="s", max_workers=32)
        df = client.batches.list(*bench_listing.DATASET)
        counts = bench_listing.served(base)
    assert list(df.index) == list(range(FIRST_ID, FIRST_ID + scale))
    assert counts["refused"] >= 1  # the limit was found by probing it…
    assert counts["refused"] <= 20  # …and then respected: the refusals stay few


def test_gate_limit_stays_at_the_ceiling_of_one_for_sequential_reads() -> None:
    gate = ConcurrencyGate(AdaptiveLimit(1))
    for _ in range(5):
        gate.run(lambda: None)
    assert gate.limit == 1
