"""Turning pages while the panel's first count of a large dataset still runs."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel
from mammoth_pandas.widgets._batch_source import BatchFilters, BatchSource

IDS = (DEMO.workspace_id, DEMO.project_id, DEMO.scale)


@pytest.fixture(scope="module")
def thousand() -> Iterator[Sandbox]:
    with Sandbox(scale=1_000) as sb:
        yield sb


@pytest.fixture
def held_count(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Counts probe the server as always, then wait for the event before they answer (a
    count that takes long on a large dataset, made to take as long as the test needs)."""
    gate = threading.Event()
    real: Callable[..., int] = BatchSource._server_count

    def held(self: BatchSource, filters: BatchFilters, **kwargs: Any) -> int:
        total = real(self, filters, **kwargs)
        assert gate.wait(60), "the test never let the count answer"
        return total

    monkeypatch.setattr(BatchSource, "_server_count", held)
    yield gate
    gate.set()


def _in_time(action: Callable[[], None]) -> None:
    """Run ``action`` and fail (rather than hang) if it waits for the held count."""
    worker = threading.Thread(target=action, daemon=True)
    worker.start()
    worker.join(20)
    assert not worker.is_alive(), "the page change waited for the count"


def test_pages_turn_before_the_first_count_ends(thousand: Sandbox, held_count: threading.Event):
    client = thousand.client()
    panel = BatchPanel(client.dataset(*IDS), overview=False)
    try:
        order = panel._filters.server_sort()
        expected = client.batches.list(*IDS, sort=order, fields=["id"], limit=60).index.tolist()
        assert panel.page_ids == expected[:20]
        assert panel.page_label.value == "of …"
        # a full page may have another after it: ▶ is offered, ⏭ needs the count
        assert not panel.next_button.disabled
        assert panel.last_button.disabled
        _in_time(panel.next_button.click)
        assert panel.page_ids == expected[20:40]
        assert (panel.page_input.value, panel.page_label.value) == (2, "of …")
        assert not panel.prev_button.disabled
        assert not panel.next_button.disabled
        _in_time(lambda: setattr(panel.page_input, "value", 3))
        assert panel.page_ids == expected[40:60]
        _in_time(panel.prev_button.click)
        assert panel.page_ids == expected[20:40]

        held_count.set()
        assert panel.total == 1_000  # waits for the count
        assert (panel.page_input.value, panel.page_label.value) == (2, "of 50")
        assert panel.page_ids == expected[20:40]
        assert not panel.last_button.disabled
        panel.last_button.click()
        assert panel.page_input.value == 50
        assert panel.next_button.disabled
    finally:
        panel.close()


def test_a_page_past_the_end_waits_for_the_count(thousand: Sandbox, held_count: threading.Event):
    """A page number beyond the rows is clamped to the count once it is known, as before."""
    client = thousand.client()
    panel = BatchPanel(client.dataset(*IDS), overview=False)
    try:
        turning = threading.Thread(target=lambda: panel._go(10_000), daemon=True)
        turning.start()  # no rows there: the page change waits for the count
        held_count.set()
        turning.join(20)
        assert not turning.is_alive()
        assert (panel.page_input.value, panel.page_label.value) == (50, "of 50")
        assert len(panel.page_ids) == 20
    finally:
        panel.close()
