"""Bad input, client side: every parameter of every operation and of the mapping helper,
given wrong types, out-of-range values, malformed ranges and sort terms, unknown states,
empty id lists, mixed mapping forms, NaN and None, and huge inputs. Each raises
``MammothInputError`` naming the field, before any request: the client's session records
every request it sends and must have sent none (its server address is a closed port, so
a request that did slip through could not change anything either)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pytest

from mammoth_pandas.client import MammothClient
from mammoth_pandas.dataset import DatasetHandle
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.mapping import Mapping, derive_mapping
from mammoth_pandas.sandbox import DEMO
from tests.conftest import RecordingSession

WS, PR, DS, SRC = DEMO.workspace_id, DEMO.project_id, DEMO.customers, DEMO.crm_export
ID = "destination_c_id"
SID = "source_c_id"
TYPE = "expected_destination_c_type"
GOOD = [{ID: "column_1", SID: "column_2", TYPE: "TEXT"}]
SQL = "' OR 1=1 --"
DROP = '"; DROP TABLE batches; --'

DEST_SCHEMA = [
    {"c_id": "column_1", "c_name": "Customer", "c_type": "text"},
    {"c_id": "column_2", "c_name": "Signup date", "c_type": "date"},
    {"c_id": "column_3", "c_name": "Lifetime value", "c_type": "numeric"},
]
SOURCE_SCHEMA = [
    {"c_id": "column_1", "c_name": "Full name", "c_type": "text"},
    {"c_id": "column_2", "c_name": "Customer since", "c_type": "date"},
    {"c_id": "column_3", "c_name": "LTV", "c_type": "numeric"},
]


@dataclass
class Ctx:
    client: MammothClient
    handle: DatasetHandle
    mapping: Mapping  # between two schemas: no dataset behind either side
    frames: Mapping  # between two DataFrames of data


Case = tuple[str, Callable[[Ctx], Any], str]


def _list(**kw: Any) -> Callable[[Ctx], Any]:
    return lambda c: c.client.batches.list(WS, PR, DS, **kw)


def _pages(**kw: Any) -> Callable[[Ctx], Any]:
    return lambda c: c.client.batches.iter_pages(WS, PR, DS, **kw)


def _create(**kw: Any) -> Callable[[Ctx], Any]:
    kw.setdefault("source_id", SRC)
    kw.setdefault("mapping", GOOD)
    return lambda c: c.client.batches.create(WS, PR, DS, **kw)


def _update(*args: Any, **kw: Any) -> Callable[[Ctx], Any]:
    return lambda c: c.client.batches.update(WS, PR, DS, *args, **kw)


def _derive(source: Any = SOURCE_SCHEMA, dest: Any = DEST_SCHEMA, **kw: Any) -> Callable:
    return lambda c: derive_mapping(source, dest, **kw)


PATCH = {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}

CASES: list[Case] = [
    # -- path ids, every operation --------------------------------------------------------
    ("list ws 0", lambda c: c.client.batches.list(0, PR, DS), "workspace_id"),
    ("list ws injection", lambda c: c.client.batches.list(f"1{SQL}", PR, DS), "workspace_id"),
    ("list ws float", lambda c: c.client.batches.list(1.5, PR, DS), "workspace_id"),
    ("list pr None", lambda c: c.client.batches.list(WS, None, DS), "project_id"),
    ("list pr negative", lambda c: c.client.batches.list(WS, -1, DS), "project_id"),
    ("list ds text", lambda c: c.client.batches.list(WS, PR, "../101"), "dataset_id"),
    ("list ds nan", lambda c: c.client.batches.list(WS, PR, float("nan")), "dataset_id"),
    ("list ds bool", lambda c: c.client.batches.list(WS, PR, True), "dataset_id"),
    ("list ds pd.NA", lambda c: c.client.batches.list(WS, PR, pd.NA), "dataset_id"),
    ("get batch negative", lambda c: c.client.batches.get(WS, PR, DS, -1), "batch_id"),
    ("get batch text", lambda c: c.client.batches.get(WS, PR, DS, "1001%00"), "batch_id"),
    ("get batch None", lambda c: c.client.batches.get(WS, PR, DS, None), "batch_id"),
    ("get ws 0", lambda c: c.client.batches.get(0, PR, DS, 1001), "workspace_id"),
    ("delete batch float", lambda c: c.client.batches.delete(WS, PR, DS, 2.5), "batch_id"),
    ("delete batch nan", lambda c: c.client.batches.delete(WS, PR, DS, np.nan), "batch_id"),
    ("delete pr str", lambda c: c.client.batches.delete(WS, "x", DS, 1001), "project_id"),
    ("remove ds None", lambda c: c.client.batches.remove(WS, PR, None, [1]), "dataset_id"),
    (
        "update ws bool",
        lambda c: c.client.batches.update(False, PR, DS, suspend=[1]),
        "workspace_id",
    ),
    (
        "create ds inf",
        lambda c: c.client.batches.create(WS, PR, float("inf"), source_id=SRC, mapping=GOOD),
        "dataset_id",
    ),
    ("jobs.get text", lambda c: c.client.jobs.get("five"), "job_id"),
    ("jobs.get negative", lambda c: c.client.jobs.get(-1), "job_id"),
    ("datasets.get ws 0", lambda c: c.client.datasets.get(0, PR, DS), "workspace_id"),
    ("datasets.schema ds text", lambda c: c.client.datasets.schema(WS, PR, DROP), "dataset_id"),
    ("datasets.list pr 0", lambda c: c.client.datasets.list(WS, 0), "project_id"),
    ("dataset handle ws 0", lambda c: c.client.dataset(0, PR, DS), "workspace_id"),
    # -- list / iter_pages filters --------------------------------------------------------
    ("fields unknown", _list(fields="colour"), "fields"),
    ("fields injection", _list(fields=f"id,{SQL}"), "fields"),
    ("fields non-str item", _list(fields=["id", 3]), "fields"),
    ("fields dict", _list(fields={"id": True}), "fields"),
    ("id text item", _list(id=[1, "x"]), "id"),
    ("id float", _list(id=1.5), "id"),
    ("id negative", _list(id="1,-3"), "id"),
    ("id nan", _list(id=np.array([1.0, np.nan])), "id"),
    ("id None item", _list(id=[1, None]), "id"),
    ("id empty item", _list(id="1,,2"), "id"),
    ("id huge", _list(id=range(1_000_000)), "id"),
    ("id injection", _list(id=f"1{SQL}"), "id"),
    ("status unknown", _list(status="archived"), "status"),
    ("status None item", _list(status=[None]), "status"),
    ("status number", _list(status=5), "status"),
    ("status injection", _list(status=DROP), "status"),
    ("state unknown", _list(state=["active", "gone"]), "state"),
    ("state and status", _list(status="active", state="active"), "state"),
    ("row_count negative", _list(row_count="-1"), "row_count"),
    ("row_count fraction", _list(row_count=[1.5]), "row_count"),
    ("row_count bool", _list(row_count=[True]), "row_count"),
    ("range unclosed", _list(created_at="(from:'2024-01-01'"), "created_at"),
    ("range bad bound", _list(created_at="(to:'garbage')"), "created_at"),
    ("range reversed", _list(created_at=("2024-02-01", "2024-01-01")), "created_at"),
    ("range slice step", _list(created_at=slice("2024-01-01", "2024-02-01", 2)), "created_at"),
    ("range unknown key", _list(created_at={"since": "2024-01-01"}), "created_at"),
    ("range bool", _list(created_at=True), "created_at"),
    ("range nan bound", _list(created_at=(float("nan"), None)), "created_at"),
    ("range impossible date", _list(created_at="2024-13-45"), "created_at"),
    ("range injection", _list(created_at=f"(from:'{SQL}')"), "created_at"),
    ("range one item", _list(created_at=["2024-01-01"]), "created_at"),
    ("sort direction", _list(sort="(id:sideways)"), "sort"),
    ("sort field", _list(sort="(colour:asc)"), "sort"),
    ("sort colon form", _list(sort="id:asc"), "sort"),
    ("sort empty list", _list(sort=[]), "sort"),
    ("sort repeated", _list(sort=["id", "-id"]), "sort"),
    ("sort number", _list(sort=42), "sort"),
    ("sort unclosed", _list(sort="(id:asc),(name:asc"), "sort"),
    ("sort injection", _list(sort=f"(id:asc);{DROP}"), "sort"),
    ("limit negative", _list(limit=-1), "limit"),
    ("limit fraction", _list(limit=2.5), "limit"),
    ("limit text", _list(limit="all"), "limit"),
    ("limit nan", _list(limit=float("nan")), "limit"),
    ("offset negative", _list(offset=-1), "offset"),
    ("offset text", _list(offset="x"), "offset"),
    ("offset inf", _list(offset=float("inf")), "offset"),
    ("offset None", _list(offset=None), "offset"),
    ("page_size 0", _list(page_size=0), "page_size"),
    ("page_size 1000", _list(page_size=1000), "page_size"),
    ("page_size None", _list(page_size=None), "page_size"),
    ("max_workers 0", _list(max_workers=0), "max_workers"),
    ("iter_pages bad sort", _pages(sort="(id:up)"), "sort"),
    ("iter_pages bad page", _pages(page_size=-5), "page_size"),
    ("list_many empty", lambda c: c.client.batches.list_many([]), "datasets"),
    ("list_many pair", lambda c: c.client.batches.list_many([(WS, PR)]), "datasets"),
    (
        "list_many bad filter",
        lambda c: c.client.batches.list_many([(WS, PR, DS)], status="x"),
        "status",
    ),
    (
        "get fields unknown",
        lambda c: c.client.batches.get(WS, PR, DS, 1001, fields="secret"),
        "fields",
    ),
    # -- create ---------------------------------------------------------------------------
    ("create source text", _create(source_id="102 OR 1=1"), "source_id"),
    ("create source None", _create(source_id=None), "source_id"),
    ("create source is destination", _create(source_id=DS), "source_id"),
    ("create mapping str", _create(mapping="column_1"), "mapping"),
    ("create mapping empty", _create(mapping=[]), "mapping"),
    ("create mapping None", _create(mapping=None), "mapping"),
    (
        "create mapping mixed forms",
        _create(
            mapping=[GOOD[0], {"destination_c_name": "Customer", "source_c_name": "Full name"}]
        ),
        "mapping",
    ),
    (
        "create item mixes keys",
        _create(mapping=[{ID: "column_1", "source_c_name": "Full name"}]),
        "mapping",
    ),
    ("create item names no column", _create(mapping=[{TYPE: "TEXT"}]), "mapping"),
    ("create item not a dict", _create(mapping=["column_1"]), "mapping"),
    (
        "create type unknown",
        _create(mapping=[{ID: "column_1", SID: "column_2", TYPE: "STRING"}]),
        "mapping[0].expected_destination_c_type",
    ),
    (
        "create type None",
        _create(mapping=[{ID: "column_1", SID: "column_2", TYPE: None}]),
        "mapping[0].expected_destination_c_type",
    ),
    (
        "create source col None",
        _create(mapping=[{ID: "column_1", SID: None}]),
        "mapping[0].source_c_id",
    ),
    (
        "create dest col empty",
        _create(mapping=[{ID: "", SID: "column_1"}]),
        "mapping[0].destination_c_id",
    ),
    (
        "create dest col nan",
        _create(mapping=[{ID: float("nan"), SID: "column_1"}]),
        "mapping[0].destination_c_id",
    ),
    (
        "create action unknown",
        _create(mapping=[{SID: "column_1", TYPE: "TEXT", "action": "drop_column"}]),
        "mapping[0].action",
    ),
    ("create validate_only str", _create(validate_only="yes"), "validate_only"),
    ("create delete_source_ds int", _create(delete_source_ds=1), "delete_source_ds"),
    ("create new_ds_details str", _create(new_ds_details="name"), "new_ds_details"),
    ("create wait str", _create(wait="true"), "wait"),
    ("create timeout 0", _create(timeout=0), "timeout"),
    ("create timeout nan", _create(timeout=float("nan")), "timeout"),
    ("create timeout negative", _create(timeout=-5), "timeout"),
    # -- remove / update / delete ---------------------------------------------------------
    ("remove ids None", lambda c: c.client.batches.remove(WS, PR, DS, None), "ids"),
    ("remove ids empty", lambda c: c.client.batches.remove(WS, PR, DS, []), "ids"),
    ("remove ids empty string", lambda c: c.client.batches.remove(WS, PR, DS, ""), "ids"),
    ("remove ids None item", lambda c: c.client.batches.remove(WS, PR, DS, [1, None]), "ids"),
    ("remove ids dict", lambda c: c.client.batches.remove(WS, PR, DS, {"a": 1}), "ids"),
    ("remove ids huge", lambda c: c.client.batches.remove(WS, PR, DS, list(range(10_001))), "ids"),
    ("remove ids injection", lambda c: c.client.batches.remove(WS, PR, DS, f"1,{SQL}"), "ids"),
    (
        "remove timeout inf",
        lambda c: c.client.batches.remove(WS, PR, DS, [1], timeout=float("inf")),
        "timeout",
    ),
    ("update nothing", _update(), "suspend"),
    ("update empty lists", _update(suspend=[], restore=[]), "suspend"),
    ("update overlap", _update(suspend=[1, 2], restore=[2]), "restore"),
    ("update suspend nan", _update(suspend=[np.nan]), "suspend"),
    ("update restore text", _update(restore="a,b"), "restore"),
    ("update patch and suspend", _update(PATCH, suspend=[1]), "patch"),
    ("update patch op", _update({**PATCH, "op": "delete"}), "patch.op"),
    ("update patch path", _update({**PATCH, "path": "datasets"}), "patch.path"),
    ("update patch value list", _update({**PATCH, "value": [1001]}), "patch.value"),
    ("update patch value key", _update({**PATCH, "value": {"archive": [1]}}), "patch.value"),
    ("update patch list", _update([PATCH]), "patch"),
    ("update patch extra key", _update({**PATCH, "from": "x"}), "patch"),
    ("update patch empty value", _update({**PATCH, "value": {}}), "patch.value"),
    ("update wait None", _update(suspend=[1], wait=None), "wait"),
    ("jobs.list empty", lambda c: c.client.jobs.list([]), "job_ids"),
    ("jobs.list None", lambda c: c.client.jobs.list(None), "job_ids"),
    ("jobs.list bool", lambda c: c.client.jobs.list([True]), "job_ids"),
    ("jobs.wait timeout 0", lambda c: c.client.jobs.wait([1], timeout=0), "timeout"),
    (
        "datasets.list page_size",
        lambda c: c.client.datasets.list(WS, PR, page_size=500),
        "page_size",
    ),
    # -- the dataset handle ---------------------------------------------------------------
    ("handle suspend empty", lambda c: c.handle.suspend([]), "suspend"),
    ("handle restore None item", lambda c: c.handle.restore([None]), "restore"),
    ("handle delete text", lambda c: c.handle.delete(["a"]), "ids"),
    ("handle append source text", lambda c: c.handle.append_from("x", GOOD), "source_id"),
    ("handle batches state", lambda c: c.handle.batches(status="bogus"), "status"),
    ("handle get batch", lambda c: c.handle.get(-7), "batch_id"),
    # -- the mapping helper ---------------------------------------------------------------
    ("derive min_confidence high", _derive(min_confidence=1.5), "min_confidence"),
    ("derive min_confidence nan", _derive(min_confidence=float("nan")), "min_confidence"),
    ("derive min_confidence text", _derive(min_confidence="high"), "min_confidence"),
    ("derive min_confidence None", _derive(min_confidence=None), "min_confidence"),
    ("derive source bool", _derive(source=True), "source"),
    ("derive source str", _derive(source="dataset 102"), "source"),
    ("derive source None", _derive(source=None), "source"),
    ("derive id without client", _derive(source=SRC), "source"),
    (
        "derive id bad workspace",
        lambda c: derive_mapping(SRC, c.handle, client=c.client, workspace_id=0, project_id=PR),
        "workspace_id",
    ),
    ("derive no columns", _derive(source=[]), "source"),
    ("derive item lacks type", _derive(dest=[{"c_id": "column_1", "c_name": "A"}]), "destination"),
    (
        "derive unknown type",
        _derive(dest=[{"c_id": "column_1", "c_name": "A", "c_type": "blob"}]),
        "destination.c_type",
    ),
    (
        "derive type None",
        _derive(source=[{"c_id": "c1", "c_name": "A", "c_type": None}]),
        "source.c_type",
    ),
    (
        "derive duplicate ids",
        _derive(dest=[DEST_SCHEMA[0], {**DEST_SCHEMA[1], "c_id": "column_1"}]),
        "destination",
    ),
    (
        "derive duplicate names",
        _derive(source=[SOURCE_SCHEMA[0], {**SOURCE_SCHEMA[1], "c_name": "Full name"}]),
        "source",
    ),
    (
        "derive empty column id",
        _derive(source=[{"c_id": "", "c_name": "A", "c_type": "text"}]),
        "source.c_id",
    ),
    ("derive item not a mapping", _derive(source=["column_1"]), "source"),
    (
        "derive frame duplicate names",
        _derive(source=pd.DataFrame([[1, 2]], columns=["a", "a"])),
        "source",
    ),
    ("derive source_data str", _derive(source_data="rows"), "source_data"),
    (
        "derive data with frame",
        _derive(dest=pd.DataFrame({"a": [1]}), destination_data=pd.DataFrame({"a": [1]})),
        "destination_data",
    ),
    ("override unknown dest", lambda c: c.mapping.override("column_9", "column_1"), "dest"),
    (
        "override unknown source",
        lambda c: c.mapping.override("column_1", f"column_1{SQL}"),
        "source",
    ),
    ("override type clash", lambda c: c.mapping.override("column_3", "column_2"), "source"),
    ("unset unknown", lambda c: c.mapping.unset("nope"), "dest"),
    ("confirm unknown", lambda c: c.mapping.confirm("../column_1"), "dest"),
    ("payload by position", lambda c: c.mapping.payload(by="position"), "by"),
    ("observe not callable", lambda c: c.mapping.observe(42), "callback"),
    ("validate schema sides", lambda c: c.mapping.validate(), "source"),
    ("append frame sides", lambda c: c.frames.append(), "source"),
]


@pytest.fixture(scope="module")
def ctx() -> tuple[Ctx, RecordingSession]:
    session = RecordingSession()
    client = MammothClient("http://127.0.0.1:1", api_key="k", api_secret="s", session=session)
    frames = derive_mapping(
        pd.DataFrame({"Full name": ["Ann"], "LTV": [1.0]}),
        pd.DataFrame({"Customer": ["Bob"], "Lifetime value": [2.0]}),
    )
    return Ctx(
        client, client.dataset(WS, PR, DS), derive_mapping(SOURCE_SCHEMA, DEST_SCHEMA), frames
    ), session


def _invoke(call: Callable[[Ctx], Any], context: Ctx) -> None:
    result = call(context)
    if hasattr(result, "__next__"):  # a lazy iterator must have refused already
        next(result)


def test_the_table_is_big_and_covers_every_operation() -> None:
    assert len(CASES) >= 150
    assert len({label for label, _, _ in CASES}) == len(CASES)
    fields = {field for _, _, field in CASES}
    for name in ("workspace_id", "project_id", "dataset_id", "batch_id", "job_id", "fields",
                 "id", "status", "state", "row_count", "created_at", "sort", "limit", "offset",
                 "page_size", "max_workers", "source_id", "mapping", "validate_only",
                 "delete_source_ds", "new_ds_details", "wait", "timeout", "ids", "suspend",
                 "restore", "patch", "job_ids", "min_confidence", "source", "destination",
                 "dest", "by", "callback"):  # fmt: skip
        assert name in fields, name


@pytest.mark.parametrize(("label", "call", "field"), CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_refused_before_any_request(ctx, figures, no_wait, label, call, field):
    context, session = ctx
    session.sent.clear()
    with pytest.raises(MammothInputError) as info:
        _invoke(call, context)
    error = info.value
    assert isinstance(error, ValueError)
    assert error.field == field
    assert str(error).startswith(f"{field}: ")  # the message names the field first
    assert error.accepted or "accepted" in str(error) or error.field in str(error)
    assert session.sent == []  # nothing left the process
    figures.add("bad_inputs_client")
