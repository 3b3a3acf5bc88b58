"""mammoth_pandas.browse: from a token to a batch panel, through the sandbox over HTTP."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import pytest

import mammoth_pandas
from mammoth_pandas.client import MammothClient
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.sandbox import DEMO, Sandbox
from mammoth_pandas.widgets import BatchPanel, DatasetPicker


def until(predicate: Callable[[], bool], timeout: float = 30.0) -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not predicate():
        assert time.monotonic() < deadline, "the condition did not hold in time"
        pause.wait(0.01)


@pytest.fixture
def token_client(sandbox: Sandbox) -> MammothClient:
    """A client built from a token alone, as a newcomer has it."""
    return MammothClient(sandbox.url, token=sandbox.token)


@pytest.fixture
def picker(token_client: MammothClient) -> Iterator[DatasetPicker]:
    chooser = mammoth_pandas.browse(token_client)
    chooser.wait()
    yield chooser
    chooser.close()


def option_ids(dropdown: Any) -> list[int]:
    return [value for _label, value in dropdown.options]


def test_browse_is_a_lazy_public_name():
    from mammoth_pandas.widgets import browse

    assert "browse" in mammoth_pandas.__all__
    assert mammoth_pandas.browse is browse


def test_the_picker_shows_the_workspace_its_projects_and_the_datasets(
    picker: DatasetPicker, token_client: MammothClient
):
    workspace = token_client.workspace()
    assert workspace.name
    assert picker.workspace_label.value == f"<b>Workspace</b> {workspace.name} (1)"
    projects = token_client.projects.list()
    assert option_ids(picker.project_dropdown) == [int(i) for i in projects.index]
    assert picker.project_dropdown.options[0][0] == f"{projects.loc[1, 'name']} (1)"
    assert picker.project_dropdown.value == DEMO.project_id
    datasets = token_client.datasets.list(DEMO.workspace_id, DEMO.project_id)
    assert option_ids(picker.dataset_dropdown) == [int(i) for i in datasets.index]
    labels = dict((value, label) for label, value in picker.dataset_dropdown.options)
    row_count = int(datasets.loc[DEMO.customers, "row_count"])
    assert labels[DEMO.customers] == f"Customers (101) · {row_count:,} active rows"
    assert labels[DEMO.crm_export].startswith("CRM export (102) · ")
    assert picker.dataset_dropdown.value == DEMO.customers
    assert not picker.open_button.disabled
    assert picker.status.text == f"{len(datasets)} datasets in this project."
    assert picker.panel is None


def test_choosing_a_project_lists_its_datasets(picker: DatasetPicker, token_client: MammothClient):
    picker.project_dropdown.value = DEMO.other_project_id
    picker.wait()
    other = token_client.datasets.list(DEMO.workspace_id, DEMO.other_project_id)
    assert option_ids(picker.dataset_dropdown) == [int(i) for i in other.index]
    assert DEMO.partner_leads in option_ids(picker.dataset_dropdown)
    assert picker.dataset_dropdown.value == DEMO.partner_leads
    assert picker.status.text == "1 dataset in this project."
    picker.project_dropdown.value = DEMO.project_id
    picker.wait()
    assert DEMO.crm_export in option_ids(picker.dataset_dropdown)


def test_open_shows_a_batch_panel_on_the_chosen_dataset_below_the_picker(
    picker: DatasetPicker, token_client: MammothClient
):
    picker.dataset_dropdown.value = DEMO.crm_export
    picker.open_button.click()
    picker.wait()
    first = picker.panel
    assert isinstance(first, BatchPanel)
    assert picker.panel_box.children == (first,)
    assert picker.children[-1] is picker.panel_box
    assert (first.handle.workspace_id, first.handle.project_id, first.handle.dataset_id) == (
        DEMO.workspace_id,
        DEMO.project_id,
        DEMO.crm_export,
    )
    listing = token_client.batches.list(DEMO.workspace_id, DEMO.project_id, DEMO.crm_export)
    assert first.total == len(listing)
    assert first.page_ids == sorted(int(i) for i in listing.index)
    assert picker.status.text == f"Opened CRM export (dataset 102): {first.status.text}"
    assert picker.status.level == "success"

    picker.dataset_dropdown.value = DEMO.customers
    picker.open_button.click()
    picker.wait()
    second = picker.panel
    assert isinstance(second, BatchPanel)
    assert second is not first
    assert second.handle.dataset_id == DEMO.customers
    assert picker.panel_box.children == (second,)
    assert first.comm is None  # the panel it replaced is closed
    # the opened panel is a working one: its preview reads through the same client
    second.clicks.click(second.page_ids[0])
    second.preview.wait()
    assert isinstance(second.preview.frame, pd.DataFrame)
    assert second.preview.shown_batch_id == second.page_ids[0]


def test_a_project_list_overtaken_by_another_choice_is_dropped(
    token_client: MammothClient, monkeypatch: pytest.MonkeyPatch
):
    real = token_client.datasets.list
    release = threading.Event()
    held_threads: list[threading.Thread] = []

    def held(workspace_id: int, project_id: int, **kwargs: Any) -> pd.DataFrame:
        frame = real(workspace_id, project_id, **kwargs)
        if project_id == DEMO.project_id and not held_threads:
            held_threads.append(threading.current_thread())
            release.wait(30)
        return frame

    monkeypatch.setattr(token_client.datasets, "list", held)
    chooser = mammoth_pandas.browse(token_client)
    try:
        until(lambda: bool(held_threads))
        assert chooser.status.text == "Listing the datasets of project 1…"
        chooser.project_dropdown.value = DEMO.other_project_id
        chooser.wait()
        assert option_ids(chooser.dataset_dropdown) == [DEMO.partner_leads]
        release.set()
        held_threads[0].join(30)
        assert not held_threads[0].is_alive()
        assert option_ids(chooser.dataset_dropdown) == [DEMO.partner_leads]
        assert chooser.project_dropdown.value == DEMO.other_project_id
        assert chooser.status.text == "1 dataset in this project."
    finally:
        release.set()
        chooser.close()


def test_a_refused_token_says_so_in_the_status_line(sandbox: Sandbox):
    wrong = "mm_this_token_is_not_known_to_the_server"
    chooser = mammoth_pandas.browse(MammothClient(sandbox.url, token=wrong, max_retries=0))
    try:
        chooser.wait()
        assert chooser.status.level == "error"
        text = chooser.status.text
        assert text.startswith("Reading the workspace failed: the server refused the credentials")
        assert wrong not in text
        assert wrong not in chooser.status.value
        assert "Traceback" not in text
        assert chooser.project_dropdown.options == ()
        assert chooser.dataset_dropdown.options == ()
        assert chooser.open_button.disabled
        chooser.open()
        assert chooser.status.text == "Choose a project and a dataset first."
        assert chooser.panel is None
    finally:
        chooser.close()


def test_a_lost_server_says_so_in_the_status_line(fresh_sandbox: Sandbox):
    chooser = mammoth_pandas.browse(fresh_sandbox.client(max_retries=0))
    try:
        chooser.wait()
        assert DEMO.customers in option_ids(chooser.dataset_dropdown)
        fresh_sandbox.stop()
        chooser.project_dropdown.value = DEMO.other_project_id
        chooser.wait()
        assert chooser.status.level == "error"
        assert chooser.status.text.startswith(
            "Listing the datasets of project 2 failed: lost the connection"
        )
        assert chooser.dataset_dropdown.options == ()
        assert chooser.open_button.disabled
    finally:
        chooser.close()


@pytest.mark.parametrize("client", [None, "https://example.invalid", 42])
def test_browse_refuses_what_is_not_a_client(client: Any):
    with pytest.raises(MammothInputError, match="client"):
        mammoth_pandas.browse(client)


@pytest.mark.parametrize("page_size", [0, 101, "20", True])
def test_browse_refuses_a_bad_page_size_before_any_request(
    token_client: MammothClient, page_size: Any
):
    with pytest.raises(MammothInputError, match="page_size"):
        mammoth_pandas.browse(token_client, page_size=page_size)
