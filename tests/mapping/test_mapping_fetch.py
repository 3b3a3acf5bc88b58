"""The helper fetches its own evidence when both sides are datasets: bounded, and said."""

from __future__ import annotations

import math

import pytest

from mammoth_pandas import derive_mapping
from mammoth_pandas.errors import MappingError
from mammoth_pandas.sandbox import DEMO

WS, PR = DEMO.workspace_id, DEMO.project_id


def _reads(session) -> dict[str, int]:
    counts = {"data": 0, "stats": 0, "jobs": 0}
    for request in session.sent:
        path = request.path_url.split("?")[0]
        if path.endswith("/data"):
            counts["data"] += 1
        elif path.endswith("/column-stats"):
            counts["stats"] += 1
        elif "/jobs/" in path:
            counts["jobs"] += 1
    return counts


@pytest.mark.parametrize("sample", [50, 150, 250])
def test_two_datasets_sample_rows_and_read_statistics_once(recording, sample) -> None:
    client, session = recording
    source = client.dataset(WS, PR, DEMO.crm_export)
    destination = client.dataset(WS, PR, DEMO.customers)
    mapping = derive_mapping(source, destination, sample=sample)
    assert mapping.evidence == {
        "source": ("schema", "rows", "stats"),
        "destination": ("schema", "rows", "stats"),
    }
    reads = _reads(session)
    sizes = [
        client.datasets.get(WS, PR, d)["stats"]["row_count"]
        for d in (DEMO.crm_export, DEMO.customers)
    ]
    assert reads["data"] == sum(math.ceil(min(sample, n) / 100) for n in sizes)
    assert reads["stats"] == 1


def test_sample_zero_reads_names_and_types_only(recording) -> None:
    client, session = recording
    mapping = derive_mapping(
        client.dataset(WS, PR, DEMO.crm_export), client.dataset(WS, PR, DEMO.customers), sample=0
    )
    assert mapping.evidence == {"source": ("schema",), "destination": ("schema",)}
    assert _reads(session) == {"data": 0, "stats": 0, "jobs": 0}


def test_rows_given_by_hand_are_not_fetched_again(recording) -> None:
    client, session = recording
    destination = client.dataset(WS, PR, DEMO.customers)
    rows = destination.data(limit=20)
    before = _reads(session)["data"]
    derive_mapping(
        client.dataset(WS, PR, DEMO.crm_export), destination, destination_rows=rows, sample=0
    )
    assert _reads(session)["data"] == before


@pytest.mark.parametrize("sample", [-1, 2.5, True, "10"])
def test_a_bad_sample_is_refused_by_name(client, sample) -> None:
    ds = client.dataset(WS, PR, DEMO.customers)
    with pytest.raises(MappingError, match="sample"):
        derive_mapping(ds, ds, sample=sample)
