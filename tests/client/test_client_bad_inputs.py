# ruff: noqa: E501 (a table reads best one case per line)
"""Bad input never reaches the server: each raises MammothInputError naming the parameter,
and the recording session shows that no request went out."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.sandbox import DEMO

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers
GOOD_MAP = [{"destination_c_id": "column_1", "source_c_id": "column_1"}]

Call = Callable[[MammothClient], Any]

CASES: list[tuple[str, Call, str]] = [
    # list
    ("ws zero", lambda c: c.batches.list(0, PR, DS), "workspace_id"),
    ("ws bool", lambda c: c.batches.list(True, PR, DS), "workspace_id"),
    ("project str", lambda c: c.batches.list(WS, "one", DS), "project_id"),
    ("dataset negative", lambda c: c.batches.list(WS, PR, -1), "dataset_id"),
    ("dataset nan", lambda c: c.batches.list(WS, PR, float("nan")), "dataset_id"),
    ("dataset None", lambda c: c.batches.list(WS, PR, None), "dataset_id"),
    ("unknown state", lambda c: c.batches.list(WS, PR, DS, status="archived"), "status"),
    ("state typo in list", lambda c: c.batches.list(WS, PR, DS, status=["active", "actve"]), "status"),
    ("state and status", lambda c: c.batches.list(WS, PR, DS, status="active", state="active"), "state"),
    ("page size 0", lambda c: c.batches.list(WS, PR, DS, page_size=0), "page_size"),
    ("page size 101", lambda c: c.batches.list(WS, PR, DS, page_size=101), "page_size"),
    ("page size float", lambda c: c.batches.list(WS, PR, DS, page_size=10.5), "page_size"),
    ("limit negative", lambda c: c.batches.list(WS, PR, DS, limit=-1), "limit"),
    ("limit str", lambda c: c.batches.list(WS, PR, DS, limit="ten"), "limit"),
    ("limit bool", lambda c: c.batches.list(WS, PR, DS, limit=True), "limit"),
    ("offset negative", lambda c: c.batches.list(WS, PR, DS, offset=-10), "offset"),
    ("offset nan", lambda c: c.batches.list(WS, PR, DS, offset=float("nan")), "offset"),
    ("id bool", lambda c: c.batches.list(WS, PR, DS, id=[1, False]), "id"),
    ("id nan", lambda c: c.batches.list(WS, PR, DS, id=np.array([1.0, np.nan])), "id"),
    ("id None item", lambda c: c.batches.list(WS, PR, DS, id=[1, None]), "id"),
    ("id negative", lambda c: c.batches.list(WS, PR, DS, id="1,-2"), "id"),
    ("id text", lambda c: c.batches.list(WS, PR, DS, id="1;2"), "id"),
    ("id dict", lambda c: c.batches.list(WS, PR, DS, id={"id": 1}), "id"),
    ("id huge", lambda c: c.batches.list(WS, PR, DS, id=range(20_000)), "id"),
    ("row_count negative", lambda c: c.batches.list(WS, PR, DS, row_count=[-1]), "row_count"),
    ("row_count text", lambda c: c.batches.list(WS, PR, DS, row_count="many"), "row_count"),
    ("range malformed", lambda c: c.batches.list(WS, PR, DS, created_at="(from:2024)"), "created_at"),
    ("range reversed", lambda c: c.batches.list(WS, PR, DS, created_at=("2024-02-01", "2024-01-01")), "created_at"),
    ("range triple", lambda c: c.batches.list(WS, PR, DS, created_at=("2024", "2025", "2026")), "created_at"),
    ("range not a date", lambda c: c.batches.list(WS, PR, DS, created_at=("last week", None)), "created_at"),
    ("range number", lambda c: c.batches.list(WS, PR, DS, created_at=12345), "created_at"),
    ("range NaT", lambda c: c.batches.list(WS, PR, DS, created_at=(pd.NaT, None)), "created_at"),
    ("range dict key", lambda c: c.batches.list(WS, PR, DS, created_at={"after": "2024-01-01"}), "created_at"),
    ("injection in range", lambda c: c.batches.list(WS, PR, DS, created_at="(from:'x'); DROP TABLE batches;--')"), "created_at"),
    ("sort direction", lambda c: c.batches.list(WS, PR, DS, sort="(id:up)"), "sort"),
    ("sort field", lambda c: c.batches.list(WS, PR, DS, sort=["-colour"]), "sort"),
    ("sort repeated", lambda c: c.batches.list(WS, PR, DS, sort=["id", "-id"]), "sort"),
    ("sort unclosed", lambda c: c.batches.list(WS, PR, DS, sort="(id:asc"), "sort"),
    ("sort injection", lambda c: c.batches.list(WS, PR, DS, sort="(id:asc);DELETE"), "sort"),
    ("sort tuple of 3", lambda c: c.batches.list(WS, PR, DS, sort=[("id", "asc", 1)]), "sort"),
    ("fields unknown", lambda c: c.batches.list(WS, PR, DS, fields="id,password"), "fields"),
    ("fields preset typo", lambda c: c.batches.list(WS, PR, DS, fields="__all"), "fields"),
    ("fields number", lambda c: c.batches.list(WS, PR, DS, fields=[1]), "fields"),
    ("max_workers zero", lambda c: c.batches.list(WS, PR, DS, max_workers=0), "max_workers"),
    ("iter_pages bad state", lambda c: c.batches.iter_pages(WS, PR, DS, status="gone"), "status"),
    ("list_many empty", lambda c: c.batches.list_many([]), "datasets"),
    ("list_many pair", lambda c: c.batches.list_many([(1, 1)]), "datasets"),
    ("list_many bad filter", lambda c: c.batches.list_many([(WS, PR, DS)], status="x"), "status"),
    # get
    ("get batch bool", lambda c: c.batches.get(WS, PR, DS, True), "batch_id"),
    ("get batch str", lambda c: c.batches.get(WS, PR, DS, "1001; drop"), "batch_id"),
    ("get batch float", lambda c: c.batches.get(WS, PR, DS, 1001.5), "batch_id"),
    ("get fields", lambda c: c.batches.get(WS, PR, DS, 1001, fields="nope"), "fields"),
    # create
    ("create source bool", lambda c: c.batches.create(WS, PR, DS, source_id=True, mapping=GOOD_MAP), "source_id"),
    ("create source self", lambda c: c.batches.create(WS, PR, DS, source_id=DS, mapping=GOOD_MAP), "source_id"),
    ("create mapping empty", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=[]), "mapping"),
    ("create mapping str", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping="column_1"), "mapping"),
    ("create mapping mixed", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=[
        {"destination_c_id": "column_1", "source_c_id": "column_1"},
        {"destination_c_name": "Email", "source_c_name": "E-mail address"}]), "mapping"),
    ("create item mixed", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=[
        {"destination_c_id": "column_1", "source_c_name": "Town"}]), "mapping"),
    ("create item no column", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=[{"x": 1}]), "mapping"),
    ("create type", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=[
        {"destination_c_id": "column_1", "source_c_id": "column_1", "expected_destination_c_type": "STRING"}]),
     "mapping[0].expected_destination_c_type"),
    ("create None column", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=[
        {"destination_c_id": None, "source_c_id": "column_1"}]), "mapping[0].destination_c_id"),
    ("create validate_only str", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=GOOD_MAP, validate_only="no"), "validate_only"),
    ("create delete_source int", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=GOOD_MAP, delete_source_ds=1), "delete_source_ds"),
    ("create details list", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=GOOD_MAP, new_ds_details=["x"]), "new_ds_details"),
    ("create timeout", lambda c: c.batches.create(WS, PR, DS, source_id=102, mapping=GOOD_MAP, timeout=0), "timeout"),
    # remove
    ("remove None", lambda c: c.batches.remove(WS, PR, DS, None), "ids"),
    ("remove empty list", lambda c: c.batches.remove(WS, PR, DS, []), "ids"),
    ("remove empty string", lambda c: c.batches.remove(WS, PR, DS, ""), "ids"),
    ("remove empty index", lambda c: c.batches.remove(WS, PR, DS, pd.Index([], dtype="int64")), "ids"),
    ("remove bool", lambda c: c.batches.remove(WS, PR, DS, [True]), "ids"),
    ("remove nan", lambda c: c.batches.remove(WS, PR, DS, [float("nan")]), "ids"),
    ("remove wait str", lambda c: c.batches.remove(WS, PR, DS, [1001], wait="yes"), "wait"),
    # update
    ("update nothing", lambda c: c.batches.update(WS, PR, DS), "suspend"),
    ("update empty lists", lambda c: c.batches.update(WS, PR, DS, suspend=[], restore=[]), "suspend"),
    ("update both forms", lambda c: c.batches.update(WS, PR, DS, {"value": {"suspend": [1]}}, suspend=[2]), "patch"),
    ("update overlap", lambda c: c.batches.update(WS, PR, DS, suspend=[1001], restore=[1001]), "restore"),
    ("update op", lambda c: c.batches.update(WS, PR, DS, {"op": "merge", "path": "batches", "value": {"suspend": [1]}}), "patch.op"),
    ("update path", lambda c: c.batches.update(WS, PR, DS, {"op": "replace", "path": "rows", "value": {"suspend": [1]}}), "patch.path"),
    ("update value list", lambda c: c.batches.update(WS, PR, DS, {"op": "replace", "path": "batches", "value": [1]}), "patch.value"),
    ("update value key", lambda c: c.batches.update(WS, PR, DS, {"value": {"pause": [1]}}), "patch.value"),
    ("update empty patch", lambda c: c.batches.update(WS, PR, DS, {"value": {"suspend": []}}), "patch.value"),
    ("update patch list", lambda c: c.batches.update(WS, PR, DS, [{"op": "replace"}]), "patch"),
    ("update suspend text", lambda c: c.batches.update(WS, PR, DS, suspend="all"), "suspend"),
    ("update restore bool", lambda c: c.batches.update(WS, PR, DS, restore=[False]), "restore"),
    # delete
    ("delete batch None", lambda c: c.batches.delete(WS, PR, DS, None), "batch_id"),
    ("delete batch list", lambda c: c.batches.delete(WS, PR, DS, [1, 2]), "batch_id"),
    ("delete timeout nan", lambda c: c.batches.delete(WS, PR, DS, 1001, timeout=float("nan")), "timeout"),
    # jobs and datasets
    ("job id bool", lambda c: c.jobs.get(True), "job_id"),
    ("job ids empty", lambda c: c.jobs.list([]), "job_ids"),
    ("dataset ws", lambda c: c.datasets.get(-1, PR, DS), "workspace_id"),
    ("datasets page", lambda c: c.datasets.list(WS, PR, page_size=500), "page_size"),
    ("schema project", lambda c: c.datasets.schema(WS, 0, DS), "project_id"),
]  # fmt: skip


def test_there_are_many_cases() -> None:
    assert len(CASES) >= 50


@pytest.mark.parametrize(("label", "call", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_any_request(
    recording, label: str, call: Call, field: str
) -> None:
    client, session = recording
    with pytest.raises(MammothInputError) as info:
        call(client)
    assert info.value.field == field, str(info.value)
    assert str(info.value).startswith(field)
    assert info.value.accepted
    assert session.sent == [], f"{label}: a request went out"


def test_a_dataset_handle_refuses_bad_ids_at_once(client: MammothClient) -> None:
    with pytest.raises(MammothInputError):
        client.dataset(WS, PR, "x")


def test_empty_id_filter_lists_nothing_without_asking(recording) -> None:
    client, session = recording
    df = client.batches.list(WS, PR, DS, id=[])
    assert len(df) == 0
    assert "state" in df.columns
    assert session.sent == []
