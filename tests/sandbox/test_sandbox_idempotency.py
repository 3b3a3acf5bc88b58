"""``Idempotency-Key`` on writes: a repeat returns the first job, a different request a 409."""

from __future__ import annotations

import pytest

from mammoth_pandas.sandbox import DEMO

LIST = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"
KEY = {"Idempotency-Key": "3f1c7d8e-retry-1"}


def test_repeated_update_returns_the_first_job_and_acts_once(fresh_api):
    first = fresh_api.update(DEMO.customers, suspend=[1001], headers=KEY)
    again = fresh_api.update(DEMO.customers, suspend=[1001], headers=KEY)
    assert first.status_code == again.status_code == 202
    assert first.json() == again.json()
    assert (
        first.headers["Idempotency-Key"]
        == again.headers["Idempotency-Key"]
        == KEY["Idempotency-Key"]
    )
    fresh_api.sb.wait_idle()
    third = fresh_api.update(DEMO.customers, suspend=[1001], headers=KEY)
    assert third.json()["job_id"] == first.json()["job_id"]
    actions = fresh_api.sb.actions()
    assert len(actions) == 1
    assert actions[0]["idempotency_key"] == KEY["Idempotency-Key"]
    assert actions[0]["job_id"] == first.json()["job_id"]


def test_repeated_delete_does_not_trip_over_its_own_deleting_state(fresh_api):
    first = fresh_api.delete(f"{LIST}/1002", headers=KEY)
    again = fresh_api.delete(f"{LIST}/1002", headers=KEY)
    assert again.status_code == 202
    assert again.json()["job_id"] == first.json()["job_id"]
    assert fresh_api.finished(again)["status"] == "success"
    assert [a["operation"] for a in fresh_api.sb.actions()] == ["delete_batch"]


def test_repeated_create_appends_once(fresh_api):
    body = {
        "source_id": DEMO.crm_export,
        "mapping": [
            {
                "destination_c_id": "column_1",
                "source_c_id": "column_2",
                "expected_destination_c_type": "TEXT",
            }
        ],
        "validate_only": False,
        "delete_source_ds": False,
    }
    first = fresh_api.post(LIST, json=body, headers=KEY)
    # The same JSON written differently is the same request.
    same = fresh_api.post(
        LIST,
        data='{"delete_source_ds":false,"validate_only":false,"mapping":[{"source_c_id":'
        '"column_2","expected_destination_c_type":"TEXT","destination_c_id":"column_1"}],'
        '"source_id":102}',
        headers={**KEY, "Content-Type": "application/json"},
    )
    assert first.status_code == same.status_code == 200
    assert same.json()["job_id"] == first.json()["job_id"]
    fresh_api.sb.wait_idle()
    assert len(fresh_api.all_batches(DEMO.customers)) == 61


@pytest.mark.parametrize(
    "second",
    [
        lambda api: api.update(DEMO.customers, suspend=[1003], headers=KEY),
        lambda api: api.update(DEMO.orders, suspend=[1064], headers=KEY),
        lambda api: api.delete(f"{LIST}/1001", headers=KEY),
    ],
)
def test_same_key_for_a_different_request_is_a_409(fresh_api, second):
    fresh_api.update(DEMO.customers, suspend=[1001], headers=KEY)
    response = second(fresh_api)
    assert response.status_code == 409
    body = response.json()
    assert body["name"] == "IDEMPOTENCY_KEY_REUSED"
    assert "Idempotency-Key" in body["detail"]
    assert response.headers["Idempotency-Key"] == KEY["Idempotency-Key"]
    fresh_api.sb.wait_idle()
    assert len(fresh_api.sb.actions()) == 1


def test_key_is_echoed_on_error_answers_and_absent_without_one(api):
    bad = api.update(DEMO.customers, suspend=[424242], headers={"Idempotency-Key": "k-err"})
    assert bad.status_code == 400
    assert bad.headers["Idempotency-Key"] == "k-err"
    read = api.get(LIST, headers={"Idempotency-Key": "k-read"})
    assert "Idempotency-Key" not in read.headers


def test_a_rejected_request_does_not_burn_the_key(fresh_api):
    key = {"Idempotency-Key": "k-retry-after-fix"}
    assert fresh_api.update(DEMO.customers, suspend=[424242], headers=key).status_code == 400
    fixed = fresh_api.update(DEMO.customers, suspend=[1001], headers=key)
    assert fixed.status_code == 202


def test_no_key_means_two_actions(fresh_api):
    fresh_api.finished(fresh_api.update(DEMO.customers, suspend=[1001]))
    fresh_api.finished(fresh_api.update(DEMO.customers, suspend=[1001]))
    assert len(fresh_api.sb.actions()) == 2
