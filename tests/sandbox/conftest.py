"""Sandbox test helpers: a plain ``requests`` session that validates every answer against
the OpenAPI description (``oneOf`` read as ``anyOf``), and job helpers.

The description is two files: ``mammoth-batches.yaml`` (the classic routes) and
``mammoth-current.yaml`` (the newer routes: workspaces, projects, data reads, column
statistics, health), merged into one document."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
import yaml

from mammoth_pandas.sandbox import Sandbox

SPEC_DIR = Path(__file__).resolve().parents[1] / "openapi"
SPEC_FILE = SPEC_DIR / "mammoth-batches.yaml"
NEWER_SPEC_FILE = SPEC_DIR / "mammoth-current.yaml"
ERROR_SCHEMA_REF = (
    "#/paths/~1workspaces~1{workspace_id}~1projects~1{project_id}~1datasets~1{dataset_id}"
    "~1batches~1{batch_id}/get/responses/400/content/application~1json/schema"
)


def _any_of(node: Any) -> Any:
    if isinstance(node, dict):
        return {("anyOf" if k == "oneOf" else k): _any_of(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_any_of(v) for v in node]
    return node


def _merged_spec() -> dict[str, Any]:
    """The classic description with the newer routes and their components added."""
    spec = yaml.safe_load(SPEC_FILE.read_text())
    newer = yaml.safe_load(NEWER_SPEC_FILE.read_text())
    for template, item in newer["paths"].items():
        assert template not in spec["paths"], f"{template} is described twice"
        spec["paths"][template] = item
    for kind, entries in newer["components"].items():
        target = spec["components"].setdefault(kind, {})
        for name, entry in entries.items():
            assert name not in target, f"components/{kind}/{name} is described twice"
            target[name] = entry
    return spec


def _pointer(*parts: str) -> str:
    return "#/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)


class SpecChecker:
    """Finds the response schema for (method, path, status) and validates a body."""

    def __init__(self) -> None:
        self.spec = _any_of(_merged_spec())
        # Literal segments win over parameters (``datasets/column-stats`` before
        # ``datasets/{dataset_id}``): fewer parameters are tried first.
        self.routes = [
            (re.compile("^" + re.sub(r"\{[a-z_]+\}", r"[^/]+", template) + "$"), template)
            for template in sorted(self.spec["paths"], key=lambda t: t.count("{"))
        ]

    def schema_ref(self, method: str, path: str, status: int) -> str:
        for pattern, template in self.routes:
            if pattern.match(path):
                operation = self.spec["paths"][template].get(method.lower())
                assert operation is not None, f"{method} {template} is not in the spec"
                entry = operation["responses"].get(str(status), {})
                if "$ref" in entry:
                    return self._response_ref(entry["$ref"])
                if "content" in entry:
                    return _pointer(
                        "paths",
                        template,
                        method.lower(),
                        "responses",
                        str(status),
                        "content",
                        "application/json",
                        "schema",
                    )
                assert status >= 400, f"{method} {template} {status} has no schema"
                return ERROR_SCHEMA_REF
        raise AssertionError(f"{path} matches no route of the spec")

    @staticmethod
    def _response_ref(ref: str) -> str:
        """``#/components/responses/X`` -> the pointer of its JSON schema."""
        return ref + "/content/application~1json/schema"

    def validate_schema(self, name: str, body: Any) -> None:
        """Validate ``body`` against ``#/components/schemas/<name>``."""
        ref = _pointer("components", "schemas", name)
        jsonschema.Draft202012Validator({**self.spec, "$ref": ref}).validate(body)

    def validate(self, response: requests.Response) -> None:
        path = requests.utils.urlparse(response.url).path
        if not path.startswith("/api/v2/"):
            return
        path = path[len("/api/v2") :]
        ref = self.schema_ref(response.request.method or "GET", path, response.status_code)
        body = response.json()
        jsonschema.Draft202012Validator({**self.spec, "$ref": ref}).validate(body)
        if response.status_code >= 400:  # one error envelope, both halves
            assert set(body) >= {"status_code", "detail", "extra", "error_code", "name", "message"}
            assert body["status_code"] == response.status_code


class Api:
    """Plain HTTP against a sandbox; every answer is checked against the spec."""

    def __init__(self, sb: Sandbox, checker: SpecChecker, *, auth: bool = True) -> None:
        self.sb = sb
        self.checker = checker
        self.session = requests.Session()
        if auth:
            self.session.headers.update(sb.headers)

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.sb.url + path

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        kwargs.setdefault("timeout", 10)
        response = self.session.request(method, self.url(path), **kwargs)
        self.checker.validate(response)
        return response

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("PATCH", path, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("DELETE", path, **kwargs)

    # -- shortcuts ----------------------------------------------------------------------

    @staticmethod
    def batches_path(ds: int, ws: int = 1, pr: int = 1) -> str:
        return f"/workspaces/{ws}/projects/{pr}/datasets/{ds}/batches"

    def all_batches(self, ds: int, **params: Any) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        offset = 0
        while True:
            page = self.get(
                self.batches_path(ds), params={**params, "limit": 100, "offset": offset}
            ).json()
            out += page["batches"]
            if len(page["batches"]) < 100:
                return out
            offset += 100

    def batch(self, ds: int, batch_id: int) -> dict[str, Any]:
        response = self.get(f"{self.batches_path(ds)}/{batch_id}", params={"fields": "__full"})
        assert response.status_code == 200, response.text
        return response.json()["batch"]

    def dataset(self, ds: int) -> dict[str, Any]:
        response = self.get(f"/workspaces/1/projects/1/datasets/{ds}")
        assert response.status_code == 200, response.text
        return response.json()["dataset"]

    def job(self, job_id: int) -> dict[str, Any]:
        response = self.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        return response.json()["job"]

    def finished(self, response: requests.Response) -> dict[str, Any]:
        """The job behind a write answer, once the sandbox is idle."""
        assert response.status_code in (200, 202), response.text
        self.sb.wait_idle()
        job = self.job(response.json()["job_id"])
        assert job["status"] != "processing"
        return job

    def update(
        self,
        ds: int,
        *,
        suspend: tuple[int, ...] | list[int] = (),
        restore: tuple[int, ...] | list[int] = (),
        **kwargs: Any,
    ) -> requests.Response:
        value = {"suspend": list(suspend), "restore": list(restore)}
        body = {"patch": {"op": "replace", "path": "batches", "value": value}}
        return self.patch(self.batches_path(ds), json=body, **kwargs)


@pytest.fixture(scope="session")
def checker() -> SpecChecker:
    return SpecChecker()


@pytest.fixture
def api(sandbox: Sandbox, checker: SpecChecker) -> Api:
    """Plain HTTP on the session sandbox (read-mostly)."""
    return Api(sandbox, checker)


@pytest.fixture
def fresh_api(fresh_sandbox: Sandbox, checker: SpecChecker) -> Api:
    """Plain HTTP on a sandbox of the test's own."""
    return Api(fresh_sandbox, checker)


@pytest.fixture
def anon(sandbox: Sandbox, checker: SpecChecker) -> Api:
    """Plain HTTP without credentials."""
    return Api(sandbox, checker, auth=False)


@pytest.fixture(scope="module")
def scaled(checker: SpecChecker) -> Any:
    """Plain HTTP on a sandbox of the module's own with 6,000 scale batches."""
    with Sandbox(scale=6_000, job_delay=0.0) as sb:
        yield Api(sb, checker)
