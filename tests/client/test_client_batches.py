"""Every batch operation over real HTTP against the sandbox, called as in the seed SDK."""

from __future__ import annotations

import pandas as pd
import pytest

from mammoth_pandas import MammothClient
from mammoth_pandas.errors import (
    AuthenticationError,
    BadRequestError,
    MammothAPIError,
    NotFoundError,
)
from mammoth_pandas.jobs import Job
from mammoth_pandas.sandbox import DEMO, Sandbox

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers
MAPPING = [
    {
        "destination_c_id": "column_2",
        "source_c_id": "column_1",
        "expected_destination_c_type": "TEXT",
    },
    {
        "destination_c_id": "column_1",
        "source_c_id": "column_2",
        "expected_destination_c_type": "TEXT",
    },
    {
        "destination_c_id": "column_3",
        "source_c_id": "column_3",
        "expected_destination_c_type": "TEXT",
    },
]


def test_list_with_the_seed_example_parameters(client: MammothClient) -> None:
    full = client.batches.list(workspace_id=WS, project_id=PR, dataset_id=DS)
    wanted = [int(i) for i in full.index[:6]]
    start = full.loc[wanted, "created_at"].min()
    end = full.loc[wanted, "created_at"].max()
    seed_style = client.batches.list(
        workspace_id=WS, project_id=PR, dataset_id=DS, fields="id,name,state",
        id=",".join(map(str, wanted)),
        created_at=f"(from:'{start.isoformat().replace('+00:00', 'Z')}',"
        f"to:'{end.isoformat().replace('+00:00', 'Z')}')",
        status="active,suspended", row_count="", limit=10, offset=0, sort="(id:asc),(state:asc)",
    )  # fmt: skip
    pythonic = client.batches.list(
        WS, PR, DS, fields=["name", "state"], id=wanted, created_at=(start, end),
        status=["active", "suspended"], sort=[("id", "asc"), ("state", "asc")], limit=10,
    )  # fmt: skip
    pd.testing.assert_frame_equal(seed_style, pythonic)
    expected = full.loc[wanted]
    expected = expected[expected.state.isin(["active", "suspended"])]
    assert list(seed_style.index) == list(expected.index)
    assert list(seed_style.columns) == ["name", "state"]


def test_filters_each_match_a_local_filter(client: MammothClient) -> None:
    full = client.batches.list(WS, PR, DS)
    counts = sorted(set(full.row_count.dropna().astype(int)))[:3]
    by_count = client.batches.list(WS, PR, DS, row_count=counts)
    assert list(by_count.index) == list(full[full.row_count.isin(counts)].index)
    cut = full.created_at.sort_values().iloc[30]
    newer = client.batches.list(WS, PR, DS, created_at=(cut, None))
    assert list(newer.index) == list(full[full.created_at >= cut].index)
    older = client.batches.list(WS, PR, DS, created_at=slice(None, cut))
    assert list(older.index) == list(full[full.created_at <= cut].index)
    ordered = client.batches.list(WS, PR, DS, sort=["-created_at", "id"])
    assert list(ordered.index) == list(full.sort_values("created_at", ascending=False).index)
    by_rows = client.batches.list(WS, PR, DS, sort="(row_count:desc),(id:asc)")
    expected = full.reset_index().sort_values(["row_count", "id"], ascending=[False, True])
    assert list(by_rows.index) == list(expected.id)
    suspended = client.batches.list(WS, PR, DS, state="suspended")
    assert list(suspended.index) == list(full[full.state == "suspended"].index)


def test_limit_offset_and_page_size(client: MammothClient) -> None:
    full = client.batches.list(WS, PR, DS)
    for page_size in (1, 7, 50, 100):
        assert list(client.batches.list(WS, PR, DS, page_size=page_size).index) == list(full.index)
    assert list(client.batches.list(WS, PR, DS, limit=10).index) == list(full.index[:10])
    assert list(client.batches.list(WS, PR, DS, limit=25, page_size=10).index) == list(
        full.index[:25]
    )
    assert list(client.batches.list(WS, PR, DS, offset=50).index) == list(full.index[50:])
    assert list(client.batches.list(WS, PR, DS, offset=55, limit=3).index) == list(
        full.index[55:58]
    )
    assert len(client.batches.list(WS, PR, DS, offset=600)) == 0
    assert len(client.batches.list(WS, PR, DS, limit=0)) == 0


def test_iter_pages_is_lazy_and_matches_list(recording) -> None:
    client, session = recording
    pages = client.batches.iter_pages(WS, PR, DS, page_size=25, max_workers=1)
    assert session.sent == []
    first = next(pages)
    assert len(first) == 25
    assert len(session.sent) == 1
    rest = list(pages)
    assert sum(len(p) for p in rest) == 35
    combined = pd.concat([first, *rest])
    assert list(combined.index) == list(client.batches.list(WS, PR, DS).index)


def test_concurrent_pages_equal_a_sequential_read(client: MammothClient) -> None:
    sequential = client.batches.list(WS, PR, DS, page_size=7, max_workers=1)
    for workers in (2, 4, 8):
        concurrent = client.batches.list(WS, PR, DS, page_size=7, max_workers=workers)
        pd.testing.assert_frame_equal(sequential, concurrent)


def test_list_many_combines_datasets(client: MammothClient) -> None:
    combined = client.batches.list_many(
        [(WS, PR, DEMO.customers), (WS, PR, DEMO.orders)], max_workers=2, page_size=20
    )
    customers = client.batches.list(WS, PR, DEMO.customers)
    orders = client.batches.list(WS, PR, DEMO.orders)
    assert len(combined) == len(customers) + len(orders)
    assert list(combined.columns[:3]) == ["workspace_id", "project_id", "dataset_id"]
    assert (combined.dataset_id == DEMO.orders).sum() == len(orders)
    assert isinstance(combined.state.dtype, pd.CategoricalDtype)
    assert isinstance(combined.source_type.dtype, pd.CategoricalDtype)
    assert combined.attrs["mammoth"]["datasets"] == [
        [WS, PR, DEMO.customers],
        [WS, PR, DEMO.orders],
    ]


def test_get_by_seed_names(client: MammothClient) -> None:
    batch = client.batches.get(
        workspace_id=WS, project_id=PR, dataset_id=DS, batch_id=1001, fields="id,name"
    )
    assert batch.name == 1001
    assert list(batch.index) == ["name"]


def test_update_with_the_seed_patch_and_with_lists(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    active = [int(i) for i in client.batches.list(WS, PR, DS, status="active").index[:3]]
    job = client.batches.update(
        workspace_id=WS, project_id=PR, dataset_id=DS,
        patch={"op": "replace", "path": "batches", "value": {"suspend": active[:2], "restore": []}},
    )  # fmt: skip
    assert isinstance(job, Job)
    job.wait(30)
    states = client.batches.list(WS, PR, DS, id=active).state
    assert list(states) == ["suspended", "suspended", "active"]
    client.batches.update(WS, PR, DS, restore=active[:1], suspend=active[2:], wait=True)
    states = client.batches.list(WS, PR, DS, id=active).state
    assert list(states) == ["active", "suspended", "suspended"]
    applied = [a for a in fresh_sandbox.actions() if a["operation"] == "update_batches"]
    assert len(applied) == 2


def test_remove_and_delete(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    before = client.batches.list(WS, PR, DS)
    victims = [int(i) for i in before[before.state == "active"].index[:3]]
    job = client.batches.remove(
        workspace_id=WS, project_id=PR, dataset_id=DS, ids=",".join(map(str, victims[:2]))
    )
    job.wait(30)
    assert job.succeeded
    job = client.batches.delete(
        workspace_id=WS, project_id=PR, dataset_id=DS, batch_id=victims[2], wait=True
    )
    assert job.succeeded
    after = client.batches.list(WS, PR, DS)
    assert not set(victims) & set(after.index)
    assert len(after) == len(before) - 3
    with pytest.raises(NotFoundError):
        client.batches.get(WS, PR, DS, victims[2])


def test_create_appends_a_batch(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    before = client.batches.list(WS, PR, DS)
    check = client.batches.create(
        workspace_id=WS, project_id=PR, dataset_id=DS, source_id=DEMO.crm_export,
        mapping=MAPPING, validate_only=True, delete_source_ds=False, wait=True,
    )  # fmt: skip
    assert check.succeeded
    assert len(client.batches.list(WS, PR, DS)) == len(before)
    job = client.batches.create(WS, PR, DS, source_id=DEMO.crm_export, mapping=MAPPING, wait=True)
    assert job.succeeded
    after = client.batches.list(WS, PR, DS)
    new = after.loc[sorted(set(after.index) - set(before.index))]
    assert len(new) == 1
    assert new.source_dataset_id.iloc[0] == DEMO.crm_export
    assert new.row_count.iloc[0] == len(fresh_sandbox.rows(DEMO.crm_export))
    rows = fresh_sandbox.rows(DS, int(new.index[0]))
    source = fresh_sandbox.rows(DEMO.crm_export)
    assert sorted(r["column_2"] for r in rows) == sorted(r["column_1"] for r in source)
    assert all(r.get("column_6") is None for r in rows)


def test_create_rejected_by_the_server_is_a_bad_request(fresh_client: MammothClient) -> None:
    bad = [{"destination_c_id": "column_99", "source_c_id": "column_1"}]
    with pytest.raises(BadRequestError) as info:
        fresh_client.batches.create(WS, PR, DS, source_id=DEMO.crm_export, mapping=bad, wait=True)
    assert info.value.status == 400
    assert info.value.detail
    assert isinstance(info.value.body, dict)
    assert info.value.response is not None


def test_unknown_ids_are_not_found(client: MammothClient) -> None:
    with pytest.raises(NotFoundError) as info:
        client.batches.list(WS, PR, 999_999)
    assert info.value.status == 404
    assert isinstance(info.value, LookupError)
    with pytest.raises(NotFoundError):
        client.batches.get(WS, PR, DS, 999_999)
    with pytest.raises(NotFoundError):
        client.jobs.get(987_654)
    with pytest.raises(NotFoundError):
        client.datasets.get(WS, 77, DS)


def test_update_with_unknown_ids_is_a_bad_request(client: MammothClient) -> None:
    with pytest.raises(BadRequestError) as info:
        client.batches.update(WS, PR, DS, suspend=[999_999])
    message = str(info.value)
    assert "400" in message
    assert info.value.body.get("message") or info.value.body.get("detail")


def test_wrong_credentials_are_an_authentication_error(sandbox: Sandbox) -> None:
    client = MammothClient(sandbox.url, api_key=sandbox.api_key, api_secret="wrong-secret")
    with pytest.raises(AuthenticationError) as info:
        client.batches.list(WS, PR, DS)
    assert info.value.status == 401
    assert isinstance(info.value, MammothAPIError)


def test_bearer_token_and_base_url_without_prefix(sandbox: Sandbox) -> None:
    root = sandbox.url.removesuffix("/api/v2")
    client = MammothClient(root + "/", token=sandbox.token)
    assert client.url == sandbox.url
    assert len(client.batches.list(WS, PR, DS, limit=5)) == 5


def test_dataset_handle(fresh_sandbox: Sandbox) -> None:
    client = fresh_sandbox.client()
    ds = client.dataset(WS, PR, DS)
    assert ds.dataset_id == DS
    assert ds.client is client
    active = ds.batches(state="active")
    target = [int(active.index[0])]
    assert ds.suspend(target).succeeded
    assert ds.get(target[0])["state"] == "suspended"
    assert ds.restore(target).succeeded
    assert ds.get(target[0])["state"] == "active"
    assert list(ds.schema().c_id)[:2] == ["column_1", "column_2"]
    assert ds.info()["name"] == "Customers"
    job = ds.append_from(DEMO.crm_export, MAPPING, validate_only=True)
    assert job.succeeded
    assert ds.delete(target).succeeded
    assert target[0] not in ds.batches().index


def test_append_from_takes_a_derived_mapping(fresh_sandbox: Sandbox) -> None:
    from mammoth_pandas import derive_mapping

    client = fresh_sandbox.client()
    destination, source = client.dataset(WS, PR, DS), client.dataset(WS, PR, DEMO.crm_export)
    mapping = derive_mapping(source, destination)
    job = destination.append_from(source, mapping, validate_only=True)
    assert job.succeeded
    assert job.response["valid"] is True
    assert job.response["row_count"] == len(fresh_sandbox.rows(DEMO.crm_export))
