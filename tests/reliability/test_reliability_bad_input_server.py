"""Bad input, server side: property-based requests (Hypothesis) against a sandbox over
real HTTP, with injection-like strings in every text parameter, path segment and body
field. For every answer: no 5xx, the body is valid against the OpenAPI description (with
the sandbox tests' validator), and a rejected request changed nothing (a snapshot of
batches, jobs, datasets and the action log before and after is identical)."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mammoth_pandas import contract as C
from mammoth_pandas.sandbox import DEMO, Sandbox
from tests.reliability.reliability_support import Figures

WS, PR, DS = DEMO.workspace_id, DEMO.project_id, DEMO.customers
HERE = Path(__file__).resolve().parent


def _spec_checker() -> Any:
    """The sandbox tests' validator (``oneOf`` read as ``anyOf``), loaded from its file."""
    path = HERE.parent / "sandbox" / "conftest.py"
    spec = importlib.util.spec_from_file_location("sandbox_spec_helpers", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SpecChecker()


INJECTIONS = [
    "' OR 1=1 --",
    '"; DROP TABLE batches; --',
    "1; DROP TABLE batches",
    "1) OR (1=1",
    "../",
    "../../etc/passwd",
    "..%2F..%2F",
    "%00",
    "\x00",
    "1\x00",
    "%",
    "ünïcødé ✓ 日本語 🦣",
    "\u202eevil",
    "A" * 5000,
    "9" * 400,
    "-1",
    "1e309",
    "NaN",
    "Infinity",
    "null",
    "true",
    "[]",
    "{}",
    "",
    " ",
    ",",
    ",,,",
    "1,,2",
    "(from:'x'); DROP TABLE batches;--')",
    "(from:'2024-01-01',to:'2023-01-01')",
    "(from:'0001-01-01T00:00:00Z')",
    "(from:'9999-12-31T23:59:59.999999Z')",
    "(to:'2024-01-01T00:00:00+14:00')",
    "(from:'2024-02-30')",
    "(from:'2024-W01-1')",
    "(from:'2024-01-01T00:00:00.1234567891234Z')",
    "(ID:ASC)",
    "(id: asc) ",
    "(id:asc);DELETE FROM batches",
    "(id:asc),(id:desc)",
    "__full,__min",
    "${jndi:ldap://127.0.0.1/a}",
    "<script>alert(1)</script>",
    "active' --",
    "{{7*7}}",
]

#: Integers well past SQLite's 64 bits are drawn too (finding 5, fixed).
BIG = 2**80
HUGE = "99999999999999999999999"

texts = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=30),
    st.integers(-BIG, BIG).map(str),
    st.lists(st.integers(-5, 2**40), max_size=4).map(lambda xs: ",".join(map(str, xs))),
    st.lists(st.sampled_from(INJECTIONS), min_size=1, max_size=3).map(",".join),
)
segments = st.one_of(
    st.sampled_from(["1", "0", "-1", "101", "1001", str(2**63 - 1), str(2**63), HUGE]),
    texts.filter(lambda s: s.strip() != "").map(lambda s: quote(s, safe="")),
)
LIST_PARAMS = ("fields", "id", "created_at", "status", "row_count", "limit", "offset", "sort")
json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-BIG, BIG),
    st.floats(allow_nan=False),
    texts,
)
json_values = st.recursive(
    json_leaf,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
mapping_items = st.fixed_dictionaries(
    {},
    optional={
        "destination_c_id": st.one_of(st.sampled_from(["column_1", "column_9"]), json_leaf),
        "source_c_id": st.one_of(st.sampled_from(["column_1", "column_2"]), json_leaf),
        "destination_c_name": st.one_of(st.just("Customer"), texts),
        "source_c_name": st.one_of(st.just("Full name"), texts),
        "expected_destination_c_type": st.one_of(st.sampled_from(["TEXT", "DATE"]), json_leaf),
        "action": st.one_of(st.just("add_column"), texts),
    },
)
create_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {},
        optional={
            "source_id": st.one_of(st.just(DEMO.crm_export), json_leaf),
            "mapping": st.one_of(st.lists(mapping_items, max_size=3), json_values),
            "validate_only": json_leaf,
            "delete_source_ds": st.one_of(st.just(False), json_leaf),
            "new_ds_details": st.one_of(st.none(), json_values),
        },
    ),
)
patch_bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {
            "patch": st.fixed_dictionaries(
                {},
                optional={
                    "op": st.one_of(st.just("replace"), texts, json_leaf),
                    "path": st.one_of(st.just("batches"), texts),
                    "value": st.one_of(
                        st.dictionaries(
                            st.sampled_from(["suspend", "restore", "archive", "' OR 1=1 --"]),
                            st.one_of(st.lists(json_leaf, max_size=3), json_leaf),
                            max_size=2,
                        ),
                        json_values,
                    ),
                },
            )
        }
    ),
)

SETTINGS = settings(
    max_examples=70,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Target:
    """One sandbox, a validating HTTP session, and the before/after snapshot."""

    def __init__(self, sb: Sandbox, figures: Figures) -> None:
        self.sb = sb
        self.checker = _spec_checker()
        self.session = requests.Session()
        self.session.headers.update(sb.headers)
        self.figures = figures

    def snapshot(self) -> dict[str, Any]:
        # Straight from the database: what a rejected request must not have touched.
        with self.sb._live_store().read() as db:
            return {
                "batches": [tuple(r) for r in db.all("SELECT * FROM batches ORDER BY id")],
                "rows": db.scalar("SELECT COUNT(*) FROM rows"),
                "jobs": [tuple(r) for r in db.all("SELECT id, status FROM jobs ORDER BY id")],
                "datasets": [tuple(r) for r in db.all("SELECT * FROM datasets ORDER BY id")],
                "actions": self.sb.actions(),
            }

    def send(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        self.sb.wait_idle()
        before = self.snapshot()
        response = self.session.request(method, self.sb.url + path, timeout=10, **kwargs)
        self.figures.add("bad_inputs_server")
        assert response.status_code < 500, (method, path, kwargs, response.text[:300])
        assert "Traceback" not in response.text  # no internals in an answer
        self.checker.validate(response)
        if response.status_code >= 400:
            self.figures.add("bad_inputs_server_rejected")
            self.sb.wait_idle()
            assert self.snapshot() == before, (method, path, kwargs, response.text[:300])
        else:
            self.figures.add("bad_inputs_server_accepted")
        return response


@pytest.fixture(scope="module")
def target(figures: Figures) -> Iterator[Target]:
    with Sandbox(job_delay=0.0) as sb:
        yield Target(sb, figures)


def _ds_path(ws: str = str(WS), pr: str = str(PR), ds: str = str(DS)) -> str:
    return f"/workspaces/{ws}/projects/{pr}/datasets/{ds}"


@SETTINGS
@given(
    params=st.dictionaries(st.sampled_from(LIST_PARAMS), texts, max_size=5),
    extra=st.dictionaries(texts.filter(lambda s: s not in LIST_PARAMS), texts, max_size=1),
)
def test_list_batches_with_hostile_query_strings(target, params, extra):
    response = target.send("GET", _ds_path() + "/batches", params={**extra, **params})
    if response.status_code == 200:
        assert len(response.json()["batches"]) <= 100


@SETTINGS
@given(ws=segments, pr=segments, ds=segments, batch=segments, fields=st.none() | texts)
def test_paths_with_hostile_segments(target, ws, pr, ds, batch, fields):
    params = {} if fields is None else {"fields": fields}
    target.send("GET", _ds_path(ws, pr, ds) + "/batches", params=params)
    target.send("GET", _ds_path(str(WS), str(PR), ds) + f"/batches/{batch}", params=params)
    target.send("GET", _ds_path(ws, pr, ds), params=params)


@SETTINGS
@given(job_ids=texts, job=segments, limit=texts, offset=texts, ids=texts)
def test_jobs_and_datasets_with_hostile_parameters(target, job_ids, job, limit, offset, ids):
    target.send("GET", "/jobs", params={"job_ids": job_ids})
    target.send("GET", f"/jobs/{job}")
    target.send(
        "GET",
        f"/workspaces/{WS}/projects/{PR}/datasets",
        params={"limit": limit, "offset": offset, "id": ids},
    )


@SETTINGS
@given(body=create_bodies, ds=st.sampled_from([str(DS), "0", "9999"]) | segments)
def test_create_with_hostile_bodies(target, body, ds):
    target.send("POST", _ds_path(ds=ds) + "/batches", json=body)


@SETTINGS
@given(body=patch_bodies)
def test_update_with_hostile_bodies(target, body):
    target.send("PATCH", _ds_path() + "/batches", json=body)


@SETTINGS
@given(ids=texts, batch=segments)
def test_remove_and_delete_with_hostile_ids(target, ids, batch):
    target.send("DELETE", _ds_path() + "/batches", params={"ids": ids})
    target.send("DELETE", _ds_path() + f"/batches/{batch}")


@SETTINGS
@given(
    raw=st.one_of(
        st.binary(max_size=200),
        st.sampled_from(INJECTIONS).map(str.encode),
        st.just(b"{" * 5000),
        st.just(b'{"patch": ' * 200),
        st.just(json.dumps({"source_id": 102, "mapping": ["x"] * 5000}).encode()),
    ),
    method=st.sampled_from(["POST", "PATCH"]),
    content_type=st.sampled_from(
        ["application/json", "text/plain", "application/x-www-form-urlencoded"]
    ),
)
def test_raw_bodies_that_are_not_json(target, raw, method, content_type):
    target.send(method, _ds_path() + "/batches", data=raw, headers={"Content-Type": content_type})


def test_the_sandbox_still_answers_and_was_never_corrupted(target):
    """After all of the above: the data is intact and every rejected request left no trace."""
    client = target.sb.client()
    listing = client.batches.list(WS, PR, DS)
    assert listing.index.is_unique
    stats = client.datasets.get(WS, PR, DS)["stats"]
    active = listing[listing.state == "active"]
    assert stats["batch_count"] == len(active)
    assert stats["row_count"] == int(active.row_count.sum())
    applied = target.sb.actions()
    if applied:  # every applied action belongs to a job that succeeded
        jobs = client.jobs.list([a["job_id"] for a in applied])
        assert {j.id for j in jobs} == {a["job_id"] for a in applied}
        assert all(j.succeeded for j in jobs)


DS_PATH = f"/workspaces/{WS}/projects/{PR}/datasets/{DS}"
MAP = [
    {
        "destination_c_id": "column_1",
        "source_c_id": "column_1",
        "expected_destination_c_type": "TEXT",
    }
]
HUGE_INPUTS = {
    "path workspace_id": ("GET", f"/workspaces/{HUGE}/projects/1/datasets/101/batches", {}),
    "path project_id": ("GET", f"/workspaces/1/projects/{HUGE}/datasets/101/batches", {}),
    "path dataset_id": ("GET", f"/workspaces/1/projects/1/datasets/{HUGE}", {}),
    "path batch_id": ("GET", f"{DS_PATH}/batches/{HUGE}", {}),
    "path batch_id (delete)": ("DELETE", f"{DS_PATH}/batches/{HUGE}", {}),
    "path job_id": ("GET", f"/jobs/{HUGE}", {}),
    "query id": ("GET", f"{DS_PATH}/batches", {"params": {"id": HUGE}}),
    "query row_count": ("GET", f"{DS_PATH}/batches", {"params": {"row_count": HUGE}}),
    "query offset": ("GET", f"{DS_PATH}/batches", {"params": {"offset": HUGE}}),
    "query job_ids": ("GET", "/jobs", {"params": {"job_ids": HUGE}}),
    "query datasets id": ("GET", "/workspaces/1/projects/1/datasets", {"params": {"id": HUGE}}),
    "query ids (remove)": ("DELETE", f"{DS_PATH}/batches", {"params": {"ids": HUGE}}),
    "body source_id": (
        "POST",
        f"{DS_PATH}/batches",
        {"json": {"source_id": int(HUGE), "mapping": MAP}},
    ),
    "body suspend": (
        "PATCH",
        f"{DS_PATH}/batches",
        {
            "json": {
                "patch": {"op": "replace", "path": "batches", "value": {"suspend": [int(HUGE)]}}
            }
        },
    ),
}


@pytest.mark.parametrize("where", sorted(HUGE_INPUTS))
def test_integers_beyond_64_bits_are_refused_not_a_500(target, where):
    method, path, kwargs = HUGE_INPUTS[where]
    response = target.send(method, path, **kwargs)
    assert response.status_code in (400, 404)


header_values = st.one_of(
    st.sampled_from(INJECTIONS),
    st.text(max_size=60),
    st.just("k" * 8000),
).filter(lambda s: s.isprintable() and s.strip() == s and _latin1(s))


def _latin1(text: str) -> bool:
    try:
        text.encode("latin-1")
    except UnicodeEncodeError:
        return False
    return True


@SETTINGS
@given(key=header_values, workspace=header_values, ids=st.sampled_from(["424242", "1001", ""]))
def test_hostile_idempotency_keys_and_headers(target, key, workspace, ids):
    headers = {C.HEADER_IDEMPOTENCY_KEY: key, C.HEADER_WORKSPACE: workspace}
    response = target.send("DELETE", _ds_path() + "/batches", params={"ids": ids}, headers=headers)
    if key:  # a write's key is echoed as sent, whatever it holds
        assert response.headers.get(C.HEADER_IDEMPOTENCY_KEY) == key
