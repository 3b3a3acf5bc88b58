"""Listing while the dataset changes: a paged read of a few thousand batches, with a
writer appending (``create``) and deleting (``remove``) batches between pages. The writer
runs between ``iter_pages`` pages, so every run is the same run (no timing involved).

What a listing guarantees (stated in the README), for a sort on values that do not change
during the read (the default ``id``, ``created_at``, ``row_count``):

- never a duplicate: each batch id appears at most once;
- every batch that existed for the whole read, was not deleted and stayed in the filter
  is listed (the client's pages overlap, and it reads back when more batches went
  behind it than the overlap covers);
- batches created or deleted during the read may or may not be listed.
"""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field

import pandas as pd
import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.sandbox import DEMO, Sandbox
from tests.reliability.reliability_support import wait_for

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.scale
BATCHES = 3000
PAGE = 50
#: One column of the products dataset (105) appended into the events (900).
MAPPING = [
    {
        "destination_c_id": "column_1",
        "source_c_id": "column_2",
        "expected_destination_c_type": "TEXT",
    }
]


@pytest.fixture
def scale_sandbox(request) -> Iterator[Sandbox]:
    with Sandbox(job_delay=0.0, scale=getattr(request, "param", BATCHES)) as sb:
        yield sb


@dataclass
class Writer:
    """Changes the dataset between pages: appends, and deletes ahead of or behind the
    read position (ids already listed, or not yet)."""

    sb: Sandbox
    client: MammothClient
    before: set[int]
    ahead: int = 0
    behind: int = 0
    append: int = 1
    burst_at: int | None = None  # at this page, delete every batch listed so far
    pages: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))
    created: list[int] = field(default_factory=list)
    deleted: set[int] = field(default_factory=set)

    def between_pages(self, listed: set[int]) -> None:
        unread = sorted(self.before - listed - self.deleted)
        read = sorted((self.before & listed) - self.deleted)
        victims = self.rng.sample(unread, min(self.ahead, len(unread)))
        victims += self.rng.sample(read, min(self.behind, len(read)))
        if self.pages == self.burst_at:
            victims = read
        self.pages += 1
        if victims:
            self.client.batches.remove(WS, PR, DS, victims)
            self.deleted.update(victims)
        jobs = [
            self.client.batches.create(WS, PR, DS, source_id=DEMO.products, mapping=MAPPING)
            for _ in range(self.append)
        ]
        self.sb.wait_idle()
        for job in jobs:
            self.created.append(int(job.refresh().response["batch_id"]))


def _read_while_writing(
    sb: Sandbox, writer: Writer, figures, page_size: int = PAGE, **listing
) -> tuple[list[int], pd.DataFrame]:
    ids: list[int] = []
    pages = []
    client = sb.client()
    for page in client.batches.iter_pages(WS, PR, DS, page_size=page_size, **listing):
        pages.append(page)
        ids.extend(int(i) for i in page.index)
        writer.between_pages(set(ids))
    figures.add("listing_pages", len(pages))
    figures.add("listing_batches_read", len(ids))
    figures.add("listing_concurrent_appends", len(writer.created))
    figures.add("listing_concurrent_deletes", len(writer.deleted))
    figures.add("listing_duplicates", len(ids) - len(set(ids)))
    return ids, pd.concat(pages)


def _writer(sb: Sandbox, **kwargs) -> Writer:
    client = sb.client()
    before = {int(i) for i in client.batches.list(WS, PR, DS, fields="id").index}
    assert len(before) == sb.scale
    return Writer(sb, client, before, **kwargs)


def test_appends_and_deletions_ahead_of_the_read_position(scale_sandbox, figures):
    writer = _writer(scale_sandbox, ahead=2, append=1)
    ids, frame = _read_while_writing(scale_sandbox, writer, figures, fields="__min", max_workers=1)
    assert len(ids) == len(set(ids))  # no duplicates
    assert frame.index.is_unique
    survivors = writer.before - writer.deleted
    assert survivors <= set(ids)  # nothing that stayed was missed
    assert not (writer.deleted & set(ids))  # deleted before their page was read
    # Appended batches sort last (by id): each appended before the last page is listed.
    assert set(writer.created[:-1]) <= set(ids)
    assert len(writer.deleted) > 100
    assert ids == sorted(ids)


def test_newest_first_with_appends_landing_in_front_gives_no_duplicates(scale_sandbox, figures):
    """Sorted newest first, every append lands before the read position and pushes the
    listing back by one: the server repeats a batch per append; the client drops them."""
    writer = _writer(scale_sandbox, append=2)
    ids, frame = _read_while_writing(
        scale_sandbox, writer, figures, sort="-created_at", fields="__min", max_workers=1
    )
    assert len(ids) == len(set(ids))
    assert writer.before <= set(ids)
    assert frame["created_at"].is_monotonic_decreasing


def test_pages_fetched_ahead_in_parallel_with_appends(scale_sandbox, figures):
    writer = _writer(scale_sandbox, append=1)
    ids, _ = _read_while_writing(scale_sandbox, writer, figures, fields="__min", max_workers=4)
    assert len(ids) == len(set(ids))
    assert writer.before <= set(ids)


@pytest.mark.parametrize("sort", [None, "-row_count"])
def test_deletions_behind_the_read_position_miss_nothing_that_stayed(scale_sandbox, figures, sort):
    writer = _writer(scale_sandbox, behind=1, append=1)
    ids, _ = _read_while_writing(
        scale_sandbox, writer, figures, sort=sort, fields="__min", max_workers=1
    )
    assert len(ids) == len(set(ids))
    missed = (writer.before - writer.deleted) - set(ids)
    figures.add("listing_missed_under_deletes_behind", len(missed))
    assert not missed, f"{len(missed)} batches that existed throughout were not listed"


def test_batches_leaving_the_filter_behind_the_read_position_miss_nothing(scale_sandbox, figures):
    client = scale_sandbox.client()
    active = [int(i) for i in client.batches.list(WS, PR, DS, status="active", fields="id").index]
    listed: list[int] = []
    suspended: set[int] = set()
    for page in client.batches.iter_pages(
        WS, PR, DS, status="active", fields="__min", page_size=PAGE, max_workers=1
    ):
        listed.extend(int(i) for i in page.index)
        victim = listed[len(listed) // 2]
        if victim not in suspended:
            client.batches.update(WS, PR, DS, suspend=[victim])
            suspended.add(victim)
        scale_sandbox.wait_idle()
    assert len(listed) == len(set(listed))
    missed = set(active) - suspended - set(listed)
    assert not missed, f"{len(missed)} active batches were not listed"


#: name -> (writer settings, listing settings)
SCENARIOS: dict[str, tuple[dict, dict]] = {
    "10 deleted behind per page (more than the overlap)": ({"behind": 10}, {}),
    "10 behind per page, pages fetched ahead": ({"behind": 10}, {"max_workers": 4}),
    "everything listed so far deleted at page 6": ({"burst_at": 6}, {}),
    "newest first: appends in front, deletions behind": (
        {"behind": 3, "append": 2},
        {"sort": "-created_at"},
    ),
    "30 behind, 30 ahead, pages of 100 fetched ahead": (
        {"behind": 30, "ahead": 30, "append": 0},
        {"page_size": 100, "max_workers": 4},
    ),
    "pages of 2, one behind per page": ({"behind": 1, "append": 0}, {"page_size": 2}),
}


@pytest.mark.parametrize("scale_sandbox", [1500], indirect=True)
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_heavier_changes_miss_nothing_that_stayed(scale_sandbox, figures, scenario):
    writing, listing = SCENARIOS[scenario]
    writer = _writer(scale_sandbox, **writing)
    if listing.get("page_size") == 2:  # a shorter read: one request per listed batch
        kept = sorted(writer.before)[:150]
        scale_sandbox.client().batches.remove(WS, PR, DS, sorted(writer.before - set(kept)))
        scale_sandbox.wait_idle()
        writer.before = set(kept)
    ids, _ = _read_while_writing(
        scale_sandbox, writer, figures, **{"fields": "__min", "max_workers": 1, **listing}
    )
    assert len(ids) == len(set(ids))
    missed = (writer.before - writer.deleted) - set(ids)
    assert not missed, f"{len(missed)} batches that existed throughout were not listed"
    assert writer.deleted


def test_pages_of_one_batch_miss_nothing_that_stayed(scale_sandbox, figures):
    writer = _writer(scale_sandbox, behind=1, append=0)
    kept = sorted(writer.before)[:60]
    scale_sandbox.client().batches.remove(WS, PR, DS, sorted(writer.before - set(kept)))
    scale_sandbox.wait_idle()
    writer.before = set(kept)
    ids, _ = _read_while_writing(
        scale_sandbox, writer, figures, page_size=1, fields="__min", max_workers=1
    )
    assert len(ids) == len(set(ids))
    missed = (writer.before - writer.deleted) - set(ids)
    assert not missed, f"{len(missed)} batches that existed throughout were not listed"


def test_stopping_a_paged_read_early_leaves_no_threads_and_stops_fetching(scale_sandbox):
    def page_threads() -> list[str]:
        return [t.name for t in threading.enumerate() if t.name.startswith("mammoth-page")]

    client = scale_sandbox.client()
    pages = client.batches.iter_pages(WS, PR, DS, page_size=50, fields="id", max_workers=4)
    for number, _ in enumerate(pages):
        if number == 1:
            break
    pages.close()  # what leaving a notebook loop and dropping the iterator does
    wait_for(lambda: not page_threads(), timeout=10, what="the page threads to end")
    listed = client.batches.list(WS, PR, DS, limit=1)
    assert len(listed) == 1  # the client is still usable
