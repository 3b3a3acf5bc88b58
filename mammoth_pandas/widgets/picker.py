"""A dataset picker for someone who starts from a token: workspace, project, dataset.

::

    picker = mammoth_pandas.browse(client)   # shows the workspace, its projects…
    picker                                   # …a dataset dropdown, and Open

The credential's workspace is shown by name; choosing a project lists its datasets (name,
id and active rows); Open shows a :class:`~mammoth_pandas.widgets.BatchPanel` on the
chosen dataset below the picker (``picker.panel``). Every read runs in a background
thread, one step at a time; an answer that a newer choice has overtaken is dropped, and
errors go to the status line in words.
"""

from __future__ import annotations

import html
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import ipywidgets as widgets
import pandas as pd

from mammoth_pandas import contract as C
from mammoth_pandas.errors import MammothInputError
from mammoth_pandas.widgets._dom import close_all, css
from mammoth_pandas.widgets._status import StatusLine
from mammoth_pandas.widgets._text import describe_error, plural
from mammoth_pandas.widgets.batch_panel import BatchPanel

if TYPE_CHECKING:
    from mammoth_pandas.client import MammothClient

__all__ = ["DatasetPicker", "browse"]

T = TypeVar("T")


def _count(value: Any) -> str:
    return "?" if value is None or pd.isna(value) else f"{int(value):,}"


def _options(frame: pd.DataFrame, label: Callable[[int, pd.Series], str]) -> list[Any]:
    """A dropdown's ``(label, id)`` options, one per row of a listing indexed by id."""
    ids: list[Any] = frame.index.tolist()
    return [(label(int(i), frame.iloc[n]), int(i)) for n, i in enumerate(ids)]


def project_label(project_id: int, row: pd.Series) -> str:
    """``Demo project (1)``."""
    name = row.get("name")
    return f"{name} ({project_id})" if isinstance(name, str) and name else f"project {project_id}"


def dataset_label(dataset_id: int, row: pd.Series) -> str:
    """``Customers (101) · 736 active rows``."""
    name = row.get("name")
    shown = f"{name} ({dataset_id})" if isinstance(name, str) and name else f"dataset {dataset_id}"
    return f"{shown} · {_count(row.get('row_count'))} active rows"


class DatasetPicker(widgets.VBox):
    """Workspace → project → dataset → Open, for a client built from a token.

    ``workspace_label``, ``project_dropdown``, ``dataset_dropdown``, ``open_button`` and
    ``status`` are the controls; ``workspace`` is the credential's workspace handle once
    read, ``projects`` and ``datasets`` the listings behind the dropdowns, ``panel`` the
    :class:`BatchPanel` opened last (``None`` before). ``wait(timeout)`` blocks until the
    background step under way has ended.
    """

    def __init__(self, client: MammothClient, *, page_size: int = 20) -> None:
        """Start reading the credential's workspace and projects through ``client``."""
        if isinstance(page_size, bool) or not isinstance(page_size, int):
            raise MammothInputError(
                "page_size", f"got {page_size!r}", accepted=f"an integer from 1 to {C.MAX_LIMIT}"
            )
        if not 1 <= page_size <= C.MAX_LIMIT:
            raise MammothInputError(
                "page_size", f"{page_size} is out of range", accepted=f"1 to {C.MAX_LIMIT}"
            )
        self.client = client
        self.page_size = page_size
        self.workspace: Any = None
        self.projects: pd.DataFrame | None = None
        self.datasets: pd.DataFrame | None = None
        self.panel: BatchPanel | None = None
        self._lock = threading.Lock()
        self._generation = 0
        self._thread: threading.Thread | None = None
        self._filling = False
        self._closed = False
        self.workspace_label = css(widgets.HTML("<b>Workspace</b> …"), "mp-picker-workspace")
        self.project_dropdown = css(
            widgets.Dropdown(options=[], value=None, description="Project"), "mp-picker-project"
        )
        self.dataset_dropdown = css(
            widgets.Dropdown(
                options=[], value=None, description="Dataset", layout={"width": "28em"}
            ),
            "mp-picker-dataset",
        )
        self.open_button = css(
            widgets.Button(description="Open", icon="folder-open", button_style="primary"),
            "mp-picker-open",
        )
        self.open_button.disabled = True
        self.status = StatusLine()
        self.panel_box = css(widgets.VBox(), "mp-picker-panel")
        wrap = {"flex_flow": "row wrap", "align_items": "center"}
        super().__init__(
            [
                widgets.HBox(
                    [
                        self.workspace_label,
                        self.project_dropdown,
                        self.dataset_dropdown,
                        self.open_button,
                    ],
                    layout=wrap,
                ),
                self.status,
                self.panel_box,
            ]
        )
        self.add_class("mp-picker")
        self.add_class("mp-panel")
        self.project_dropdown.observe(self._on_project, names="value")
        self.dataset_dropdown.observe(self._on_dataset, names="value")
        self.open_button.on_click(lambda _b: self.open())
        self._start("Reading the workspace", self._read_workspace, self._show_workspace)

    # -- background steps ---------------------------------------------------------------

    def _start(self, doing: str, work: Callable[[], T], done: Callable[[T], None]) -> None:
        """Run ``work()`` in a thread, then ``done(result)`` unless a newer step began."""
        with self._lock:
            if self._closed:
                return
            self._generation += 1
            generation = self._generation
        self.status.busy(f"{doing}…")

        def run() -> None:
            try:
                result = work()
            except Exception as exc:  # said in the status line, never raised into the void
                if self._current(generation):
                    self.status.error(describe_error(exc, doing=doing))
                return
            if not self._current(generation):
                if isinstance(result, widgets.Widget):  # a panel nobody will see
                    result.close()
                return
            try:
                done(result)
            except Exception as exc:  # said in the status line, never raised into the void
                self.status.error(describe_error(exc, doing=doing))

        thread = threading.Thread(target=run, name="mammoth-dataset-picker", daemon=True)
        with self._lock:
            self._thread = thread
        thread.start()

    def _current(self, generation: int) -> bool:
        with self._lock:
            return not self._closed and generation == self._generation

    def _read_workspace(self) -> tuple[Any, pd.DataFrame]:
        workspace = self.client.workspace()
        return workspace, self.client.projects.list(workspace.workspace_id)

    def _show_workspace(self, answer: tuple[Any, pd.DataFrame]) -> None:
        workspace, projects = answer
        self.workspace, self.projects = workspace, projects
        name = workspace.name or f"workspace {workspace.workspace_id}"
        self.workspace_label.value = (
            f"<b>Workspace</b> {html.escape(name)} ({int(workspace.workspace_id)})"
        )
        options = _options(projects, project_label)
        if not options:
            self.status.warning("This credential's workspace has no project it can see.")
            return
        try:
            chosen = int(workspace.default_project_id())
        except Exception:  # several projects and none pinned: the first one
            chosen = options[0][1]
        if chosen not in projects.index:
            chosen = options[0][1]
        self._fill(self.project_dropdown, options, chosen)
        self._list_datasets(chosen)

    def _list_datasets(self, project_id: int) -> None:
        self.datasets = None
        self._fill(self.dataset_dropdown, [], None)
        self.open_button.disabled = True
        workspace_id = int(self.workspace.workspace_id)
        self._start(
            f"Listing the datasets of project {project_id}",
            lambda: self.client.datasets.list(workspace_id, project_id),
            lambda frame: self._show_datasets(project_id, frame),
        )

    def _show_datasets(self, project_id: int, frame: pd.DataFrame) -> None:
        self.datasets = frame
        options = _options(frame, dataset_label)
        self._fill(self.dataset_dropdown, options, options[0][1] if options else None)
        self.open_button.disabled = not options
        if options:
            self.status.info(f"{plural(len(options), 'dataset', 'datasets')} in this project.")
        else:
            self.status.warning(f"Project {project_id} has no dataset.")

    def _fill(self, dropdown: widgets.Dropdown, options: list[Any], value: int | None) -> None:
        """Set a dropdown's options and value without running its observer."""
        self._filling = True
        try:
            dropdown.options = options
            dropdown.value = value
        finally:
            self._filling = False

    def _on_project(self, change: Any) -> None:
        if self._filling or change["new"] is None:
            return
        self._list_datasets(int(change["new"]))

    def _on_dataset(self, change: Any) -> None:
        if not self._filling:
            self.open_button.disabled = change["new"] is None

    # -- opening ------------------------------------------------------------------------

    def open(self) -> None:
        """Show a :class:`BatchPanel` on the chosen dataset below the picker (in the background)."""
        project_id, dataset_id = self.project_dropdown.value, self.dataset_dropdown.value
        if self.workspace is None or project_id is None or dataset_id is None:
            self.status.warning("Choose a project and a dataset first.")
            return
        workspace_id = int(self.workspace.workspace_id)
        handle = self.client.dataset(workspace_id, int(project_id), int(dataset_id))
        self._start(
            f"Opening dataset {int(dataset_id)}",
            lambda: BatchPanel(handle, page_size=self.page_size),
            self._show_panel,
        )

    def _show_panel(self, panel: BatchPanel) -> None:
        old, self.panel = self.panel, panel
        self.panel_box.children = (panel,)
        if old is not None:
            old.close()
        name = self._dataset_name(int(panel.handle.dataset_id))
        self.status.success(f"Opened {name}: {panel.status.text}")

    def _dataset_name(self, dataset_id: int) -> str:
        frame = self.datasets
        if frame is not None and dataset_id in frame.index:
            name = frame.loc[dataset_id].get("name")
            if isinstance(name, str) and name:
                return f"{name} (dataset {dataset_id})"
        return f"dataset {dataset_id}"

    # -- waiting and closing --------------------------------------------------------------

    def wait(self, timeout: float | None = 30.0) -> None:
        """Block until the background step under way (and any it started) has ended.

        Raises ``TimeoutError`` when one still runs after ``timeout`` seconds.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            with self._lock:
                thread = self._thread
            if thread is None:
                return
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            thread.join(left)
            if thread.is_alive():
                raise TimeoutError(f"the dataset picker still reads after {timeout} s")
            with self._lock:
                if self._thread is thread:  # no step started meanwhile
                    return

    def close(self) -> None:
        """Drop any answer still coming, close the opened panel and every widget."""
        lock = getattr(self, "_lock", None)  # None when __init__ refused its input
        if lock is not None:
            with lock:
                self._closed = True
        panel = getattr(self, "panel", None)
        if panel is not None:
            panel.close()
        close_all(list(self.children))
        self.layout.close()
        super().close()


def browse(client: MammothClient, *, page_size: int = 20) -> DatasetPicker:
    """A dataset picker for ``client``: workspace → project → dataset → a BatchPanel.

    Args:
        client: a :class:`~mammoth_pandas.MammothClient` (a token is enough).
        page_size: batches per page of the panel that Open shows.

    Raises:
        MammothInputError: ``client`` is not a client, or ``page_size`` is not 1..100.
    """
    for attribute in ("workspace", "projects", "datasets", "dataset"):
        if not hasattr(client, attribute):
            raise MammothInputError(
                "client",
                f"{type(client).__name__} has no {attribute!r}",
                accepted="a MammothClient, e.g. MammothClient(url, token=...)",
            )
    return DatasetPicker(client, page_size=page_size)
