"""Sizes against a proxy that refuses request lines over 8 KB (``hostile.py``, mode
``url_cap``): id lists too long for one URL are split into requests under the cap, and
their jobs followed together as one result."""

from __future__ import annotations

import pytest

from mammoth_pandas import params as P
from mammoth_pandas.errors import MammothInputError
from tests.reliability.hostile import HostileServer

CAP = 8192


def _deletes(hostile: HostileServer) -> list[dict]:
    return [r for r in hostile.requests if r["method"] == "DELETE"]


def _sent_ids(requests: list[dict]) -> list[int]:
    return sorted(int(x) for r in requests for x in r["query"]["ids"].split(","))


def test_a_long_id_list_to_remove_is_split_under_the_url_cap(
    hostile: HostileServer, figures, no_wait
) -> None:
    hostile.mode = "url_cap"
    ids = list(range(1, 3001))  # about 21 KB of query string
    job = hostile.client().batches.remove(1, 1, 5, ids, wait=True)
    deletes = _deletes(hostile)
    assert len(deletes) >= 3
    assert all(len(r["line"]) <= CAP for r in deletes)
    assert _sent_ids(deletes) == ids  # every id once
    assert job.succeeded
    assert len(job.jobs) == len(deletes)  # one result following every job
    figures.add("hostile_held")


def test_the_documented_id_cap_is_what_the_server_takes(
    hostile: HostileServer, figures, no_wait
) -> None:
    hostile.mode = "url_cap"
    ids = [10**18 + i for i in range(P.MAX_IDS)]  # the longest ids, as many as documented
    job = hostile.client().batches.remove(1, 1, 5, ids)
    deletes = _deletes(hostile)
    assert all(len(r["line"]) <= CAP for r in deletes)
    assert _sent_ids(deletes) == ids
    assert len(job.jobs) == len(deletes)
    with pytest.raises(MammothInputError, match="ids"):
        hostile.client().batches.remove(1, 1, 5, [*ids, 1])
    assert len(_deletes(hostile)) == len(deletes)  # refused before any request
    figures.add("hostile_held")


def test_a_long_id_filter_is_split_under_the_url_cap(
    hostile: HostileServer, figures, no_wait
) -> None:
    hostile.mode = "url_cap"
    frame = hostile.client().batches.list(1, 1, 5, id=range(1, 3001))
    assert frame.index.tolist() == list(range(1, 251))  # the server holds 250 of them
    listings = hostile.calls("/batches")
    assert len(listings) >= 3
    assert all(len(r["line"]) <= CAP for r in listings)
    figures.add("hostile_held")


def test_deleting_a_big_frame_is_split_under_the_url_cap(
    hostile: HostileServer, figures, no_wait
) -> None:
    hostile.mode = "url_cap"
    hostile.options["count"] = 2500
    frame = hostile.client().batches.list(1, 1, 5)
    assert len(frame) == 2500
    frame.mammoth.delete()
    deletes = _deletes(hostile)
    assert len(deletes) >= 2
    assert all(len(r["line"]) <= CAP for r in deletes)
    assert _sent_ids(deletes) == list(range(1, 2501))
    figures.add("hostile_held")
