"""End to end against the sandbox: derive from datasets, validate, append, check the rows."""

from __future__ import annotations

import pytest

from mammoth_pandas.errors import JobFailedError, MappingError
from mammoth_pandas.mapping import derive_mapping
from mammoth_pandas.sandbox import DEMO

# 101 Customers <- 102 CRM export, by the seed's schemas.
EXPECTED = {
    "column_1": "column_2",  # Customer <- Full name
    "column_2": "column_1",  # Email <- E-mail address
    "column_3": "column_3",  # City <- Town
    "column_4": None,  # Country: no counterpart
    "column_5": "column_4",  # Signup date <- Customer since (text dates)
    "column_6": "column_5",  # Lifetime value <- LTV (USD) (text numbers)
    "column_7": None,  # Orders: no counterpart
}


def _pairs(mapping) -> dict[str, str | None]:
    return {r.destination.c_id: (r.source.c_id if r.source else None) for r in mapping.rows}


def test_schema_only_mapping_from_datasets(client):
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(source, destination)
    found = _pairs(mapping)
    # Names alone: the sure pairs are found and nothing is guessed.
    assert found["column_2"] == "column_1"
    assert found["column_3"] == "column_3"
    assert found["column_6"] == "column_5"
    assert all(found[k] in (v, None) for k, v in EXPECTED.items())
    assert mapping.destination.has_ids
    assert mapping.source.has_ids


def test_dataset_ids_with_client_and_project(client, sandbox):
    mapping = derive_mapping(
        DEMO.crm_export,
        DEMO.customers,
        client=client,
        workspace_id=DEMO.workspace_id,
        project_id=DEMO.project_id,
        source_data=sandbox.rows(DEMO.crm_export),
        destination_data=sandbox.rows(DEMO.customers),
    )
    assert _pairs(mapping) == EXPECTED


def test_derive_validate_append_and_rows_land_in_the_right_columns(fresh_sandbox):
    sb = fresh_sandbox
    client = sb.client()
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(
        source,
        destination,
        source_data=sb.rows(DEMO.crm_export),
        destination_data=sb.rows(DEMO.customers),
    )
    assert _pairs(mapping) == EXPECTED
    assert sorted(mapping.unmatched_destination) == ["column_4", "column_7"]
    assert sorted(mapping.unused_source) == ["column_6", "column_7"]
    assert mapping.conflicts == []  # the text numbers and dates all parse

    before = set(client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers).index)
    job = mapping.validate()
    assert job.succeeded
    after_validate = set(
        client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.customers).index
    )
    assert after_validate == before

    job = mapping.append()
    assert job.succeeded
    batch_id = job.response["batch_id"]
    assert batch_id not in before

    source_rows = sb.rows(DEMO.crm_export)
    landed = sb.rows(DEMO.customers, batch_id)
    assert len(landed) == len(source_rows)
    by_email = {row["column_2"]: row for row in landed}
    for src in source_rows:
        row = by_email[src["column_1"]]
        assert row["column_1"] == src["column_2"]
        assert row["column_3"] == src["column_3"]
        assert row["column_4"] is None
        assert row["column_7"] is None
        assert float(row["column_6"]) == pytest.approx(float(src["column_5"].replace(",", "")))


def test_source_in_another_project_is_refused_before_sending(client):
    source = client.dataset(DEMO.workspace_id, 2, DEMO.partner_leads)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(source, destination)
    assert mapping.payload()
    with pytest.raises(MappingError, match="another workspace or project"):
        mapping.validate()


def test_nothing_mapped_is_refused_before_sending(client):
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.orders_legacy)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(source, destination)
    for row in list(mapping.rows):
        mapping.unset(row.destination.c_id)
    with pytest.raises(MappingError, match="no destination column is filled"):
        mapping.append()


def test_a_failed_append_job_raises_and_adds_no_batch(fresh_sandbox):
    sb = fresh_sandbox
    client = sb.client()
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(source, destination)
    before = set(destination.batches().index)
    sb.faults.set(job_failure=1.0)
    with pytest.raises(JobFailedError):
        mapping.append()
    sb.faults.clear()
    sb.wait_idle()
    assert set(destination.batches().index) == before


def test_append_without_waiting_returns_the_running_job(fresh_sandbox):
    sb = fresh_sandbox
    client = sb.client()
    source = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    destination = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(source, destination)
    job = mapping.append(wait=False)
    assert job.id
    done = job.wait(timeout=30)
    assert done.succeeded
    landed = sb.rows(DEMO.customers, done.response["batch_id"])
    assert landed
    assert {row["column_2"] for row in landed} == {r["column_1"] for r in sb.rows(DEMO.crm_export)}


def test_appending_a_dataset_into_itself_is_refused_before_sending(client):
    customers = client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers)
    mapping = derive_mapping(customers, customers)
    assert mapping.unmatched_destination == []
    with pytest.raises(MappingError, match="is the destination itself"):
        mapping.validate()
