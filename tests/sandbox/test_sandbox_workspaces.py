"""The caller's workspace, projects, health and ``X-WORKSPACE-ID``, over real HTTP.

Every answer goes through the ``Api`` helper, which validates it against the spec
(``mammoth-current.yaml`` for these routes)."""

from __future__ import annotations

import pytest

from mammoth_pandas.sandbox import DEMO

WS = DEMO.workspace_id
CUSTOMERS = f"/workspaces/1/projects/1/datasets/{DEMO.customers}/batches"


def test_current_workspace_names_the_credentials_workspace_and_its_projects(api):
    body = api.get("/workspaces/current").json()
    assert (body["next"], body["limit"], body["offset"]) == ("", 10, 0)
    [workspace] = body["workspaces"]
    assert workspace["id"] == WS
    assert workspace["name"] == "Demo workspace"
    assert workspace["status"] == "ACTIVE"
    assert [p["id"] for p in workspace["projects"]] == [1, 2]
    assert workspace["projects"][0]["name"] == "Demo project"
    assert workspace["projects"][0]["owner_workspace_id"] == WS


def test_current_workspace_with_a_bearer_token(anon):
    response = anon.get("/workspaces/current", headers={"Authorization": f"Bearer {anon.sb.token}"})
    assert response.status_code == 200
    assert response.json()["workspaces"][0]["id"] == WS
    assert anon.get("/workspaces/current").status_code == 401


def test_projects_page_sort_and_fields(api):
    body = api.get(f"/workspaces/{WS}/projects").json()
    assert [p["id"] for p in body["projects"]] == [1, 2]
    assert set(body["projects"][0]) == {
        "id",
        "name",
        "owner_workspace_id",
        "status",
        "created_at",
        "updated_at",
        "properties",
    }
    assert (body["limit"], body["offset"], body["next"]) == (10, 0, "")
    first = api.get(f"/workspaces/{WS}/projects", params={"limit": 1}).json()
    assert [p["id"] for p in first["projects"]] == [1]
    assert "offset=1" in first["next"]
    assert first["next"].startswith(f"api/v2/workspaces/{WS}/projects?")
    by_name = api.get(f"/workspaces/{WS}/projects", params={"sort": "(name:desc)"}).json()
    assert [p["name"] for p in by_name["projects"]] == ["Partners", "Demo project"]
    small = api.get(f"/workspaces/{WS}/projects", params={"fields": "id,name"}).json()
    assert small["projects"] == [{"id": 1, "name": "Demo project"}, {"id": 2, "name": "Partners"}]
    assert api.get(f"/workspaces/{WS}/projects", params={"limit": 0}).json()["projects"] == []


@pytest.mark.parametrize(
    ("params", "key"),
    [
        ({"limit": 101}, "limit"),
        ({"limit": -1}, "limit"),
        ({"offset": "x"}, "offset"),
        ({"fields": "id,colour"}, "fields"),
        ({"sort": "(colour:asc)"}, "sort"),
        ({"sort": "(name:up)"}, "sort"),
    ],
)
def test_projects_bad_parameters_are_named(api, params, key):
    response = api.get(f"/workspaces/{WS}/projects", params=params)
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == key


def test_projects_of_an_unknown_or_invalid_workspace(api):
    assert api.get("/workspaces/9/projects").status_code == 404
    assert api.get("/workspaces/0/projects").status_code == 400


def test_api_health_in_the_current_shape(anon):
    body = anon.get("/health").json()  # no credentials needed
    assert body["status"] == "healthy"
    assert body["uptime_in_seconds"] >= 0
    assert body["details"]["database"]["status"] == "healthy"
    assert body["details"]["database"]["datasets"] >= 6
    root = anon.get(anon.sb.root_url + "/health").json()
    assert root["status"] == "ok"


def test_health_reports_the_job_runner_when_it_can(fresh_api, monkeypatch):
    runner = fresh_api.sb._runner
    monkeypatch.setattr(
        runner, "health", lambda: {"status": "ok", "processed": 3, "failed": 0}, raising=False
    )
    body = fresh_api.get("/health").json()
    assert body["details"]["jobs"] == {"status": "ok", "processed": 3, "failed": 0}
    root = fresh_api.get(fresh_api.sb.root_url + "/health").json()
    assert root["jobs"]["processed"] == 3


def test_health_says_unhealthy_when_the_database_fails(fresh_api, monkeypatch):
    from mammoth_pandas.sandbox.store import Db

    def broken(self):
        raise OSError("disk gone")

    monkeypatch.setattr(Db, "health_probe", broken)
    body = fresh_api.get("/health").json()
    assert body["status"] == "unhealthy"
    assert body["details"]["database"] == {"status": "unhealthy", "error": "OSError"}
    assert fresh_api.get(fresh_api.sb.root_url + "/health").json()["status"] == "unhealthy"


@pytest.mark.parametrize(
    "path",
    [CUSTOMERS, "/workspaces/current", f"/workspaces/{WS}/projects", "/jobs?job_ids=1"],
)
def test_workspace_header_absent_or_agreeing_is_accepted(api, path):
    assert api.get(path).status_code == 200
    assert api.get(path, headers={"X-WORKSPACE-ID": str(WS)}).status_code == 200
    assert api.get(path, headers={"X-WORKSPACE-ID": ""}).status_code == 200


@pytest.mark.parametrize("path", [CUSTOMERS, "/workspaces/current", f"/workspaces/{WS}/projects"])
def test_workspace_header_that_contradicts_the_request_is_403(api, path):
    response = api.get(path, headers={"X-WORKSPACE-ID": "2"})
    assert response.status_code == 403
    body = response.json()
    assert body["name"] == "FORBIDDEN"
    assert body["extra"][0]["key"] == "X-WORKSPACE-ID"
    assert "contradicts" in body["message"]


def test_workspace_header_that_is_no_id_is_400(api):
    response = api.get(CUSTOMERS, headers={"X-WORKSPACE-ID": "one"})
    assert response.status_code == 400
    assert response.json()["extra"][0]["key"] == "X-WORKSPACE-ID"


def test_a_refused_workspace_header_changes_nothing(fresh_api):
    body = {"patch": {"op": "replace", "path": "batches", "value": {"suspend": [1001]}}}
    response = fresh_api.patch(CUSTOMERS, json=body, headers={"X-WORKSPACE-ID": "7"})
    assert response.status_code == 403
    fresh_api.sb.wait_idle()
    assert fresh_api.batch(DEMO.customers, 1001)["state"] == "active"
    assert fresh_api.sb.actions() == []
