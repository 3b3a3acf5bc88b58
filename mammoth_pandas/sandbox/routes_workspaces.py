"""Workspace, project, job, health and sandbox-control routes."""

from __future__ import annotations

import time
from typing import Any

from werkzeug.routing import Rule
from werkzeug.wrappers import Request, Response

from mammoth_pandas.sandbox.errors import ApiError, body_error, json_response
from mammoth_pandas.sandbox.faults import FaultConfig
from mammoth_pandas.sandbox.query import PROJECT_SORTABLE, parse_int_list, parse_page, parse_sort
from mammoth_pandas.sandbox.store import job_json
from mammoth_pandas.sandbox.views import actions, project_fields, project_json, workspace_json
from mammoth_pandas.sandbox.web import P, Routes, check_ids, json_body, page_body

#: Projects per page by default.
PROJECTS_DEFAULT_LIMIT = 10

RULES = [
    Rule("/health", endpoint="health", methods=["GET"]),
    Rule(P + "/health", endpoint="api_health", methods=["GET"]),
    Rule("/__sandbox__/faults", endpoint="faults", methods=["GET", "PUT"]),
    Rule("/__sandbox__/actions", endpoint="actions", methods=["GET"]),
    Rule(P + "/jobs", endpoint="list_jobs", methods=["GET"]),
    Rule(P + "/jobs/<int:job_id>", endpoint="get_job", methods=["GET"]),
    Rule(P + "/workspaces/current", endpoint="current_workspace", methods=["GET"]),
    Rule(P + "/workspaces/<int:ws>/projects", endpoint="list_projects", methods=["GET"]),
]

#: Endpoints that answer without credentials and without injected faults.
OPEN_ENDPOINTS = frozenset({"health", "api_health"})


class WorkspaceRoutes(Routes):
    """Handlers of the workspace, project, job, health and control routes."""

    #: The workspace the sandbox's credentials belong to.
    workspace_id: int
    started: float

    # -- the caller's workspace and its projects ----------------------------------------

    def on_current_workspace(self, request: Request) -> Response:
        """``GET /workspaces/current``: the credential's workspace, as a one-item list."""
        page = parse_page(request.args, default=PROJECTS_DEFAULT_LIMIT)
        with self.store.read() as db:
            items = [workspace_json(db, self.workspace_id)]
        window = items[page.offset : page.offset + page.limit + 1]
        return json_response(
            page_body("workspaces", window, "api/v2/workspaces/current", request, page)
        )

    def on_list_projects(self, request: Request, ws: int) -> Response:
        """``GET /workspaces/{ws}/projects`` with ``limit``, ``offset``, ``fields``, ``sort``."""
        check_ids(ws)
        fields = project_fields(request.args.get("fields"))
        sort = parse_sort(request.args.get("sort"), PROJECT_SORTABLE)
        page = parse_page(request.args, default=PROJECTS_DEFAULT_LIMIT)
        with self.store.read() as db:
            if not db.project_exists(ws):
                raise ApiError("NOT_FOUND", f"Workspace {ws} not found")
            rows = db.projects_page(ws, sort, page)
        items = [project_json(row, fields) for row in rows]
        base = f"api/v2/workspaces/{ws}/projects"
        return json_response(page_body("projects", items, base, request, page))

    # -- jobs ---------------------------------------------------------------------------

    def on_get_job(self, request: Request, job_id: int) -> Response:
        """``GET /jobs/{job_id}``."""
        with self.store.read() as db:
            row = db.job(job_id)
        if row is None:
            raise ApiError("NOT_FOUND", f"Job {job_id} not found")
        return json_response({"job": job_json(row)})

    def on_list_jobs(self, request: Request) -> Response:
        """``GET /jobs?job_ids=…``: the known ones, in request order."""
        ids = parse_int_list(request.args.get("job_ids"), "job_ids") or []
        with self.store.read() as db:
            found = {}
            for job_id in ids:
                row = db.job(job_id)
                if row is not None:
                    found[job_id] = job_json(row)
        return json_response({"jobs": [found[i] for i in dict.fromkeys(ids) if i in found]})

    # -- health -------------------------------------------------------------------------

    def _health(self) -> tuple[bool, dict[str, Any]]:
        """Whether the database answers, and the details of database and job runner."""
        begin = time.perf_counter()
        try:
            with self.store.read() as db:
                datasets = db.health_probe()
            database: dict[str, Any] = {
                "status": "healthy",
                "datasets": datasets,
                "latency_ms": round((time.perf_counter() - begin) * 1000, 3),
            }
        except Exception as error:  # any failure of the probe is the answer
            database = {"status": "unhealthy", "error": type(error).__name__}
        details: dict[str, Any] = {"database": database}
        runner_health = getattr(self.runner, "health", None)
        if callable(runner_health):
            details["jobs"] = runner_health()
        return database["status"] == "healthy", details

    def on_health(self, request: Request) -> Response:
        """``GET /health`` (no credentials): ``ok`` while the database answers."""
        healthy, details = self._health()
        body: dict[str, Any] = {"status": "ok" if healthy else "unhealthy"}
        if "jobs" in details:
            body["jobs"] = details["jobs"]
        return json_response(body)

    def on_api_health(self, request: Request) -> Response:
        """``GET /api/v2/health``: the current API's shape."""
        healthy, details = self._health()
        return json_response(
            {
                "status": "healthy" if healthy else "unhealthy",
                "uptime_in_seconds": round(time.monotonic() - self.started, 3),
                "details": details,
            }
        )

    # -- sandbox controls ---------------------------------------------------------------

    def on_faults(self, request: Request) -> Response:
        """``GET``/``PUT /__sandbox__/faults``."""
        if request.method == "PUT":
            accepted = tuple(FaultConfig.__dataclass_fields__)
            body = json_body(request, accepted)
            if not isinstance(body, dict):
                raise body_error("body", "expected a JSON object of fault settings")
            try:
                self.faults.set(**body)
            except (TypeError, ValueError) as exc:
                raise body_error("body", str(exc)) from None
        return json_response({"faults": self.faults.as_dict()})

    def on_actions(self, request: Request) -> Response:
        """``GET /__sandbox__/actions``: the action log."""
        with self.store.read() as db:
            return json_response({"actions": actions(db)})
