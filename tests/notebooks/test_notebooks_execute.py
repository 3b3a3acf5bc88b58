"""Every notebook in ``notebooks/`` runs top to bottom, and the repository keeps them clean.

With no Mammoth credentials in the kernel's environment, each notebook must start its own
sandbox (and say so); with credentials, it must use the configured server instead. The
notebooks' own ``assert`` statements check their results; any error fails the test.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest

from mammoth_pandas import contract
from mammoth_pandas.sandbox import DEMO, Sandbox

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))
NOTEBOOK_IDS = [p.name for p in NOTEBOOKS]

STARTED_SANDBOX = re.compile(
    r"No Mammoth credentials configured: started a local sandbox at http://127\.0\.0\.1:\d+/api/v2"
)


def code_cells(nb: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def cell_text(cell: nbformat.NotebookNode) -> str:
    """Everything a code cell printed or displayed as text."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(output.get("text", ""))
        elif "data" in output:
            parts.append(output["data"].get("text/plain", ""))
    return "".join(parts)


def test_the_three_notebooks_are_there() -> None:
    names = {p.name for p in NOTEBOOKS}
    assert {"01-explore-batches.ipynb", "02-mapping.ipynb", "03-panels.ipynb"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """The repository keeps notebooks cleared: no outputs, counts or widget state."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in code_cells(nb):
        assert cell.outputs == [], f"{path.name}: a cell has outputs: {cell.source[:60]!r}"
        assert cell.execution_count is None, f"{path.name}: an execution count is stored"
    assert "widgets" not in nb.metadata, f"{path.name}: widget state is stored"
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_starts_with_the_shared_setup_cell(path: Path) -> None:
    first = code_cells(nbformat.read(path, as_version=4))[0].source
    assert 'os.environ.get("MAMMOTH_API_URL")' in first
    assert "Sandbox().start()" in first
    assert "MammothClient.from_env()" in first


@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_checks_its_results(path: Path) -> None:
    """Each notebook asserts things about what it did, not only displays them."""
    cells = code_cells(nbformat.read(path, as_version=4))
    asserts = sum(cell.source.count("assert ") for cell in cells)
    assert asserts >= 3, f"{path.name} has {asserts} assert statements"


@pytest.mark.notebooks
@pytest.mark.parametrize("path", NOTEBOOKS, ids=NOTEBOOK_IDS)
def test_notebook_runs_with_no_credentials(path: Path, execute_notebook) -> None:
    nb = execute_notebook(path)

    cells = code_cells(nb)
    assert STARTED_SANDBOX.search(cell_text(cells[0])), cell_text(cells[0])
    assert all(cell.execution_count is not None for cell in cells)
    errors = [o for c in cells for o in c.outputs if o.output_type == "error"]
    assert errors == []


@pytest.mark.notebooks
def test_notebook_uses_configured_credentials(
    execute_notebook, fresh_sandbox: Sandbox, client
) -> None:
    """With MAMMOTH_API_* set, the notebook talks to that server and starts no sandbox."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAMMOTH", "MAMMOTHANALYTICS"))}
    env.update(
        {
            contract.ENV_URL: fresh_sandbox.url,
            contract.ENV_KEY: fresh_sandbox.api_key,
            contract.ENV_SECRET: fresh_sandbox.api_secret,
        }
    )
    nb = execute_notebook(REPO / "notebooks" / "01-explore-batches.ipynb", env=env)

    first = cell_text(code_cells(nb)[0])
    assert "started a local sandbox" not in first
    assert f"Using the Mammoth API at {fresh_sandbox.url}" in first
    # The notebook's suspend and restore reached this sandbox, and left the states as they were.
    actions = fresh_sandbox.actions()
    assert [a["operation"] for a in actions] == ["update_batches", "update_batches"], actions
    assert {a["dataset_id"] for a in actions} == {DEMO.customers}
    assert actions[0]["batch_ids"] == actions[1]["batch_ids"] != []
    ours = fresh_sandbox.client().batches.list(1, 1, DEMO.customers)["state"].astype(str)
    seeded = client.batches.list(1, 1, DEMO.customers)["state"].astype(str)
    assert ours.equals(seeded)
    secret_seen = [c for c in code_cells(nb) if fresh_sandbox.api_secret in cell_text(c)]
    assert secret_seen == []
