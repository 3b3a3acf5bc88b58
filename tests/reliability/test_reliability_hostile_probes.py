"""The batch panel's count probes are bounded against servers that never run out."""

from __future__ import annotations

import pytest

from mammoth_pandas.errors import MammothConnectionError
from mammoth_pandas.widgets._batch_source import BatchFilters, BatchSource
from tests.reliability.hostile import HostileServer


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("offset_ignored", "the server ignores offset"),
        ("same_page_shuffled", "the server ignores offset"),
        ("endless_new_ids", "past any listing's size"),
    ],
)
def test_count_probes_end_with_an_error_not_for_ever(
    hostile: HostileServer, figures, name: str, words: str
) -> None:
    hostile.mode = name
    source = BatchSource(hostile.client().dataset(1, 1, 5))
    with pytest.raises(MammothConnectionError, match=words):
        source.count(BatchFilters())
    assert len(hostile.calls("/batches")) <= 40  # a bounded number of probes
    figures.add("hostile_held")
