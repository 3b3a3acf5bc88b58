"""From a credential alone to a batch's rows, over real HTTP against the sandbox."""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas import MammothClient
from mammoth_pandas.dataset import BatchHandle, DatasetHandle
from mammoth_pandas.errors import MammothInputError, NotFoundError
from mammoth_pandas.handles import ProjectHandle, WorkspaceHandle
from mammoth_pandas.sandbox import DEMO, Sandbox

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers


@pytest.fixture
def token_client(sandbox: Sandbox) -> MammothClient:
    """A client holding only the bearer token: no ids, no key pair."""
    return MammothClient(sandbox.url, token=sandbox.token)


def _first_batch(client: MammothClient, dataset_id: int = DS, **filters: object) -> pd.Series:
    batches = client.batches.list(WS, PR, dataset_id, sort="id", **filters)
    assert len(batches), "the demo dataset has batches"
    return batches.iloc[0]


def test_a_token_alone_finds_the_workspace_and_its_projects(token_client, recording) -> None:
    ws = token_client.workspace()
    assert isinstance(ws, WorkspaceHandle)
    assert ws.id == WS
    assert ws.name
    assert token_client.workspace() is ws  # read once per client
    projects = token_client.projects.list()
    assert projects.index.name == "id"
    assert {PR, DEMO.other_project_id} <= set(projects.index)
    assert projects["name"].dtype == "string"
    assert isinstance(projects["created_at"].dtype, pd.DatetimeTZDtype)


def test_the_workspace_is_read_once(recording) -> None:
    client, session = recording
    client.workspace()
    client.workspace()
    client.projects.list()
    paths = [r.path_url.split("?")[0] for r in session.sent]
    assert paths.count("/api/v2/workspaces/current") == 1


def test_projects_take_fields_sort_and_limit(token_client) -> None:
    names_only = token_client.projects.list(fields=["name"])
    assert list(names_only.columns) == ["name"]
    newest = token_client.projects.list(sort="-id", limit=1)
    assert list(newest.index) == [max(token_client.projects.list().index)]


def test_bad_project_options_are_refused_before_any_request(recording) -> None:
    client, session = recording
    client.workspace()
    before = len(session.sent)
    with pytest.raises(MammothInputError, match="fields: unknown field 'colour'"):
        client.projects.list(fields="colour")
    with pytest.raises(MammothInputError, match="sort: cannot sort on 'row_count'"):
        client.projects.list(sort="row_count")
    with pytest.raises(MammothInputError, match="limit"):
        client.projects.list(limit=-1)
    assert len(session.sent) == before


def test_handles_chain_down_to_a_batch_and_default_their_ids(token_client) -> None:
    project = token_client.workspace().project(PR)
    assert isinstance(project, ProjectHandle)
    ds = project.dataset(DS)
    assert isinstance(ds, DatasetHandle)
    assert ds.ids == (WS, PR, DS)
    pd.testing.assert_frame_equal(ds.batches(), token_client.batches.list(WS, PR, DS))
    batch_id = int(ds.batches().index[0])
    batch = ds.batch(batch_id)
    assert isinstance(batch, BatchHandle)
    assert batch.info()["name"] == ds.get(batch_id)["name"]
    assert list(project.datasets().index) == list(token_client.datasets.list(WS, PR).index)


def test_a_project_is_needed_when_the_workspace_has_several(token_client) -> None:
    with pytest.raises(MammothInputError, match=r"project_id: workspace 1 has 2 projects"):
        token_client.datasets.list()


def test_datasets_listing_filters_sorts_and_serves_the_newer_fields(token_client) -> None:
    every = token_client.datasets.list(project_id=PR)
    assert DS in every.index
    assert every["created_by"].dtype == "string"
    newest_first = token_client.datasets.list(project_id=PR, sort="-created_at")
    assert newest_first["created_at"].is_monotonic_decreasing
    creator = every.loc[DS, "created_by"]
    mine = token_client.datasets.list(project_id=PR, created_by=creator)
    assert len(mine) >= 1
    assert set(mine["created_by"]) == {creator}
    detailed = token_client.datasets.list(
        project_id=PR, fields=["name", "description", "resource_path", "data_url"]
    )
    assert {"description", "resource_path", "data_url"} <= set(detailed.columns)
    assert detailed.loc[DS, "data_url"].endswith(f"/datasets/{DS}/data")
    recent = token_client.datasets.list(project_id=PR, updated_at=(every["updated_at"].min(), None))
    assert len(recent) == len(every)


def test_bad_dataset_filters_name_their_field(token_client) -> None:
    with pytest.raises(MammothInputError, match="updated_at"):
        token_client.datasets.list(WS, PR, updated_at=("2024-02-01", "2024-01-01"))
    with pytest.raises(MammothInputError, match="status: unknown status 'happy'"):
        token_client.datasets.list(WS, PR, status="happy")
    with pytest.raises(MammothInputError, match="sort: cannot sort on 'colour'"):
        token_client.datasets.list(WS, PR, sort="colour")


def test_a_batch_reads_whole_typed_from_the_schema(client) -> None:
    batch = _first_batch(client)
    rows = client.batches.data(WS, PR, DS, int(batch.name))
    assert len(rows) == batch["row_count"]
    schema = client.datasets.schema(WS, PR, DS)
    assert list(rows.columns) == list(schema["c_name"])
    for _, col in schema.iterrows():
        kind = rows[col["c_name"]].dtype
        if col["c_type"] == "numeric":
            assert str(kind) in ("Int64", "Float64")
        elif col["c_type"] == "date":
            assert isinstance(kind, pd.DatetimeTZDtype)
        else:
            assert kind == "string"
    assert rows.attrs["unparsed"] == {}


def test_columns_by_name_or_id_and_a_limit(client) -> None:
    batch_id = int(_first_batch(client).name)
    schema = client.datasets.schema(WS, PR, DS)
    first, second = schema["c_name"].iloc[0], schema["c_id"].iloc[1]
    rows = client.batches.data(WS, PR, DS, batch_id, columns=[first, second], limit=3)
    assert list(rows.columns) == [first, schema["c_name"].iloc[1]]
    assert len(rows) == 3
    by_name = client.batches.data(WS, PR, DS, batch_id, columns=first, limit=3)
    pd.testing.assert_series_equal(by_name[first], rows[first])


def test_bad_data_reads_are_refused_by_name_before_rows_are_asked(recording) -> None:
    client, session = recording
    batch_id = int(_first_batch(client).name)
    with pytest.raises(MammothInputError, match="columns: unknown column 'Nope'"):
        client.batches.data(WS, PR, DS, batch_id, columns=["Nope"])
    with pytest.raises(MammothInputError, match="limit"):
        client.batches.data(WS, PR, DS, batch_id, limit=-1)
    before = len(session.sent)
    with pytest.raises(MammothInputError, match="max_workers"):
        client.batches.data(WS, PR, DS, batch_id, max_workers=0)
    with pytest.raises(MammothInputError, match="max_workers"):
        client.datasets.data(WS, PR, DS, max_workers=0)
    assert len(session.sent) == before  # refused before the schema is read
    assert not [r for r in session.sent if r.path_url.split("?")[0].endswith("/data")]


def test_a_batch_of_another_dataset_is_not_found(client) -> None:
    other = int(_first_batch(client, DEMO.orders).name)
    with pytest.raises(NotFoundError):
        client.batches.data(WS, PR, DS, other)


def test_a_dataset_reads_every_page_of_its_active_rows(client) -> None:
    info = client.datasets.get(WS, PR, DS)
    total = info["stats"]["row_count"]
    assert total > 100  # so that the read spans several pages
    rows = client.datasets.data(WS, PR, DS, max_workers=3)
    assert len(rows) == total
    assert rows.index.equals(pd.RangeIndex(total, name="row"))
    head = client.dataset(WS, PR, DS).data(limit=150)
    pd.testing.assert_frame_equal(head, rows.iloc[:150])


def test_a_suspended_batch_still_reads_and_stats_follow(fresh_client) -> None:
    ds = fresh_client.dataset(WS, PR, DS)
    batch = _first_batch(fresh_client, state="active")
    batch_id = int(batch.name)
    before = fresh_client.datasets.column_stats(WS, PR)
    ds.suspend([batch_id])
    rows = ds.batch(batch_id).to_frame()
    assert len(rows) == batch["row_count"]
    after = fresh_client.datasets.column_stats(WS, PR)
    mine = lambda f: f[f["dataset_id"] == DS]["rows"].iloc[0]  # noqa: E731
    assert mine(after) == mine(before) - batch["row_count"]


def test_column_stats_are_one_typed_row_per_dataset_column(client) -> None:
    stats = client.datasets.column_stats(WS, PR)
    assert list(stats.columns) == [
        "dataset_id", "dataset", "column", "type", "blanks", "blank_share", "distinct", "rows",
    ]  # fmt: skip
    assert str(stats["blanks"].dtype) == "Int64"
    assert stats["blank_share"].between(0, 1).all()
    schema = client.datasets.schema(WS, PR, DS)
    mine = stats[stats["dataset_id"] == DS]
    assert list(mine["column"]) == list(schema["c_name"])
    assert list(mine["type"].astype(str)) == list(schema["c_type"].astype(str))


def test_an_offset_reads_from_that_row_and_numbers_rows_from_it(client) -> None:
    every = client.datasets.data(WS, PR, DS)
    tail = client.datasets.data(WS, PR, DS, offset=len(every) - 120)
    assert len(tail) == 120
    pd.testing.assert_frame_equal(tail, every.iloc[-120:])
    assert client.datasets.data(WS, PR, DS, offset=len(every)).empty
