"""Integers beyond SQLite's 64-bit range: a 400 naming the field, or a 404 for a path id,
never a 500, and nothing changed."""

from __future__ import annotations

import pytest

from mammoth_pandas.sandbox import DEMO

HUGE = 2**63  # one past the largest SQLite INTEGER
LARGEST = 2**63 - 1
DS = f"/workspaces/1/projects/1/datasets/{DEMO.customers}"
MAP = [
    {
        "destination_c_id": "column_1",
        "source_c_id": "column_1",
        "expected_destination_c_type": "TEXT",
    }
]


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", f"/workspaces/{HUGE}/projects/1/datasets/{DEMO.customers}/batches"),
        ("GET", f"/workspaces/1/projects/{HUGE}/datasets"),
        ("GET", f"/workspaces/1/projects/1/datasets/{HUGE}"),
        ("GET", f"{DS}/batches/{HUGE}"),
        ("DELETE", f"{DS}/batches/{HUGE}"),
        ("GET", f"/jobs/{HUGE * 10**6}"),
    ],
)
def test_a_path_id_beyond_the_range_is_not_found(api, method, path):
    response = api.request(method, path)
    assert response.status_code == 404, response.text
    assert response.json()["name"] == "NOT_FOUND"
    assert str(LARGEST) in response.json()["message"]


@pytest.mark.parametrize(
    ("method", "path", "params", "field"),
    [
        ("GET", f"{DS}/batches", {"id": f"1001,{HUGE}"}, "id"),
        ("GET", f"{DS}/batches", {"row_count": str(HUGE)}, "row_count"),
        ("GET", f"{DS}/batches", {"offset": str(HUGE)}, "offset"),
        ("GET", "/jobs", {"job_ids": str(HUGE)}, "job_ids"),
        ("GET", "/workspaces/1/projects/1/datasets", {"id": str(HUGE)}, "id"),
        ("GET", "/workspaces/1/projects/1/datasets", {"offset": str(HUGE)}, "offset"),
        ("DELETE", f"{DS}/batches", {"ids": f"1001,{HUGE}"}, "ids"),
    ],
)
def test_a_query_integer_beyond_the_range_is_a_400_naming_it(api, method, path, params, field):
    response = api.request(method, path, params=params)
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field
    assert str(LARGEST) in response.json()["extra"][0]["message"]


def test_the_largest_integer_is_still_accepted(api):
    listing = api.get(f"{DS}/batches", params={"id": str(LARGEST), "offset": str(LARGEST)})
    assert listing.status_code == 200
    assert listing.json()["batches"] == []
    assert api.get(f"{DS}/batches/{LARGEST}").status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"source_id": HUGE, "mapping": MAP}, "source_id"),
        ({"source_id": -HUGE - 1, "mapping": MAP}, "source_id"),
    ],
)
def test_a_body_integer_beyond_the_range_is_a_400_naming_it(fresh_api, body, field):
    response = fresh_api.post(f"{DS}/batches", json=body)
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == field
    assert fresh_api.sb.actions() == []


@pytest.mark.parametrize("name", ["suspend", "restore"])
def test_a_patch_id_beyond_the_range_is_a_400_naming_it(fresh_api, name):
    response = fresh_api.update(DEMO.customers, **{name: [1001, HUGE]})
    assert response.status_code == 400, response.text
    assert response.json()["extra"][0]["key"] == f"patch.value.{name}"
    fresh_api.sb.wait_idle()
    assert fresh_api.sb.actions() == []
    assert fresh_api.batch(DEMO.customers, 1001)["state"] == "active"
