"""The real-browser harness: JupyterLab on 127.0.0.1 with a token, driven by Debian's Chromium
through Playwright's sync API (Playwright never downloads a browser here).

- ``lab_sandbox``: a seeded sandbox the browser tests may change, started outside JupyterLab
  so that the notebooks (through ``MAMMOTH_API_*`` in JupyterLab's environment) and the
  tests (through a client) see the same data.
- ``jupyterlab``: a JupyterLab server on a temporary copy of ``notebooks/``.
- ``lab``: a :class:`LabPage` (one Chromium page) with helpers to open a notebook, run all
  cells, wait for the kernel and save numbered screenshots to ``test-artifacts/browser/``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from mammoth_pandas import contract
from mammoth_pandas.sandbox import Sandbox

REPO = Path(__file__).resolve().parents[2]
NOTEBOOKS_DIR = REPO / "notebooks"
ARTIFACTS = REPO / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("MAMMOTH_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
#: The notebook panel on show (JupyterLab hides the others with ``lm-mod-hidden``).
VISIBLE_NOTEBOOK = ".jp-NotebookPanel:not(.lm-mod-hidden)"
VIEWPORT = {"width": 1600, "height": 1000}
#: How long JupyterLab may take to answer, a kernel to start, a job to show its result.
START_TIMEOUT = 90.0
STEP_TIMEOUT_MS = 60_000

CREDENTIAL_VARIABLES = (
    contract.ENV_URL,
    contract.ENV_KEY,
    contract.ENV_SECRET,
    contract.ENV_TOKEN,
    contract.ENV_SDK_KEY,
    contract.ENV_SDK_SECRET,
)

# JupyterLab settings that keep a test run quiet, offline and free of prompts.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # Start the notebook's kernel without asking which one.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"autoStartDefaultKernel": True},
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def require_chromium() -> str:
    """The Chromium binary, or a test failure saying how to install it (never a skip)."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(
            f"Chromium not found at {CHROMIUM}: the browser tests need Debian's chromium "
            "(apt-get install chromium, as .ci/run does) or MAMMOTH_CHROMIUM pointing to one.",
            pytrace=False,
        )
    return CHROMIUM


class JupyterLabServer:
    """A JupyterLab process on 127.0.0.1 with a random token, serving ``root_dir``.

    ``command`` is what starts it (by default ``python -m jupyterlab``); the server options
    are appended to it, so a wrapper such as ``python -m mammoth_pandas lab --`` works too
    (its own settings give way to these).
    """

    def __init__(
        self,
        root_dir: Path,
        *,
        env: Mapping[str, str],
        settings_dir: Path,
        command: Sequence[str] | None = None,
        log_path: Path,
    ) -> None:
        self.root_dir = root_dir
        self.port = free_port()
        self.token = secrets.token_hex(16)
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        for name, values in LAB_SETTINGS.items():
            path = settings_dir / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values), encoding="utf-8")
        workspaces = settings_dir.parent / "workspaces"
        workspaces.mkdir(parents=True, exist_ok=True)
        self.args = [
            *(command or [sys.executable, "-m", "jupyterlab"]),
            "--no-browser",
            "--ServerApp.ip=127.0.0.1",
            f"--ServerApp.port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={root_dir}",
            "--allow-root",
            "--LabApp.extension_manager=readonly",
            "--LabApp.news_url=",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            f"--LabApp.user_settings_dir={settings_dir}",
            f"--LabApp.workspaces_dir={workspaces}",
        ]
        self.env = dict(env)
        # The notebooks ask for the kernel "python3": make it this interpreter, whatever
        # kernels the machine has registered (JUPYTER_PATH comes first in the search).
        spec = settings_dir.parent / "jupyter-path" / "kernels" / "python3" / "kernel.json"
        spec.parent.mkdir(parents=True, exist_ok=True)
        argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
        spec.write_text(
            json.dumps(
                {"argv": argv, "display_name": "Python 3 (ipykernel)", "language": "python"}
            ),
            encoding="utf-8",
        )
        self.env["JUPYTER_PATH"] = os.pathsep.join(
            p for p in (str(spec.parents[2]), self.env.get("JUPYTER_PATH", "")) if p
        )
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> JupyterLabServer:
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.args,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=self.env,
            cwd=self.root_dir,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.log()}")
            status = self.api("status")
            if status is not None:
                return self
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(
                    f"JupyterLab did not answer within {START_TIMEOUT}s:\n{self.log()}"
                )
            time.sleep(0.2)  # polling interval while waiting for the server to come up

    def api(self, path: str) -> Any:
        """GET ``/api/<path>`` with the token; the parsed JSON, or None if nothing answers."""
        request = urllib.request.Request(
            f"{self.base_url}/api/{path}", headers={"Authorization": f"token {self.token}"}
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return json.loads(response.read())
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            return None

    def url(self, notebook: str, workspace: str | None = None) -> str:
        """``/lab/tree/<notebook>``, in a workspace of its own when ``workspace`` is given
        (so that no notebook of an earlier page is restored beside it)."""
        place = f"/lab/workspaces/{workspace}" if workspace else "/lab"
        return f"{self.base_url}{place}/tree/{notebook}?token={self.token}"

    def log(self) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return text.replace(self.token, "<token>")[-6000:]

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        # SIGTERM: the server shuts its kernels down and exits; the group kill is the backstop.
        try:
            os.killpg(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
        except ProcessLookupError:
            pass
        with contextlib.suppress(ProcessLookupError):  # kernels left in the server's group
            os.killpg(self.process.pid, signal.SIGKILL)


class LabPage:
    """One Chromium page on a JupyterLab server, with numbered screenshots."""

    def __init__(self, page: Any, server: JupyterLabServer, artifact_prefix: str) -> None:
        self.page = page
        self.server = server
        self.prefix = artifact_prefix
        self.shots: list[Path] = []

    def screenshot(self, step: str, show: Any = None) -> Path:
        """Save the page as ``<test>-NN-<step>.png``, scrolled to ``show`` (a locator) if given."""
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        if show is not None:
            show.scroll_into_view_if_needed()
        name = re.sub(r"[^A-Za-z0-9_.-]+", "-", f"{self.prefix}-{len(self.shots) + 1:02d}-{step}")
        path = ARTIFACTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=False)
        self.shots.append(path)
        return path

    def open(self, notebook: str) -> None:
        """Open ``notebook`` and wait until its kernel is idle."""
        self.page.goto(self.server.url(notebook, workspace=f"w{secrets.token_hex(6)}"))
        self.page.wait_for_selector(f"{VISIBLE_NOTEBOOK} .jp-Notebook", timeout=STEP_TIMEOUT_MS)
        assert self.page.locator(".jp-NotebookPanel").count() == 1, "one notebook open"
        self.wait_kernel_idle()
        # Room for the panels' tables: collapse the file browser (click its open sidebar tab).
        # JupyterLab remembers the layout, so it may already be collapsed.
        open_tab = self.page.locator(".jp-SideBar.jp-mod-left .lm-TabBar-tab.lm-mod-current")
        if open_tab.count():
            open_tab.click()
        self.page.locator("#jp-left-stack").wait_for(state="hidden")
        self.screenshot("opened")

    def wait_kernel_idle(self, timeout_ms: int = STEP_TIMEOUT_MS) -> None:
        """Until the open notebook has a kernel (not "No Kernel") and it is idle."""
        self.page.wait_for_function(
            """(selector) => {
                const panel = document.querySelector(selector);
                if (!panel) return false;
                const name = panel.querySelector('.jp-Toolbar-kernelName');
                const state = panel.querySelector('.jp-Notebook-ExecutionIndicator');
                return !!name && !!state && name.textContent.trim() !== 'No Kernel'
                    && state.getAttribute('data-status') === 'idle';
            }""",
            arg=VISIBLE_NOTEBOOK,
            timeout=timeout_ms,
        )

    def run_all(self) -> None:
        """Run → Run All Cells through the menu, then wait until every cell has run."""
        self.page.get_by_role("menuitem", name="Run", exact=True).click()
        self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
        self.wait_all_cells_ran()

    def wait_all_cells_ran(self, timeout_ms: int = STEP_TIMEOUT_MS * 3) -> None:
        """Until every code cell has a count (none queued or running), then the kernel is idle.

        A cell that fails stops JupyterLab's run, so an error output ends the wait at once
        and fails the test with the traceback.
        """
        self.page.wait_for_function(
            """(selector) => {
                const panel = document.querySelector(selector);
                if (!panel) return false;
                const failed = [...panel.querySelectorAll(
                    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")]
                    .some(o => o.textContent.includes('Traceback'));
                const prompts = [...panel.querySelectorAll(
                    '.jp-CodeCell .jp-InputArea-prompt')].map(p => p.textContent.trim());
                return failed || (prompts.length > 0
                    && prompts.every(p => /^\\[\\d+\\]:$/.test(p)));
            }""",
            arg=VISIBLE_NOTEBOOK,
            timeout=timeout_ms,
        )
        errors = self.errors()
        if errors:
            self.screenshot("cell-error")
            raise AssertionError("a notebook cell failed:\n" + "\n\n".join(errors))
        self.wait_kernel_idle()

    def errors(self) -> list[str]:
        """Text of every error output (tracebacks) in the open notebook."""
        stderr = ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']"
        texts: list[str] = self.page.locator(f"{VISIBLE_NOTEBOOK} {stderr}").all_inner_texts()
        return [t for t in texts if "Traceback" in t or "Error" in t]


def lab_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """JupyterLab's environment: ours without credentials, with ``extra``, and this tree
    first on ``PYTHONPATH``, so that kernels import the code under test even where the
    package is installed from another checkout."""
    env = {k: v for k, v in os.environ.items() if k not in CREDENTIAL_VARIABLES}
    env.update(extra)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH", "")) if p)
    return env


def sandbox_environment(sb: Sandbox) -> dict[str, str]:
    """The variables that make a notebook's ``MammothClient.from_env()`` use ``sb``."""
    return {
        contract.ENV_URL: sb.url,
        contract.ENV_KEY: sb.api_key,
        contract.ENV_SECRET: sb.api_secret,
    }


@pytest.fixture(scope="module")
def lab_sandbox() -> Iterator[Sandbox]:
    """A seeded sandbox of this module's own, shared by its notebook and its tests."""
    with Sandbox(job_delay=0.05) as sb:
        yield sb


@pytest.fixture(scope="module")
def lab_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A temporary copy of ``notebooks/`` for JupyterLab to serve (and to save into)."""
    root = tmp_path_factory.mktemp("lab") / "notebooks"
    shutil.copytree(NOTEBOOKS_DIR, root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    return root


@pytest.fixture(scope="module")
def jupyterlab(
    lab_root: Path, lab_sandbox: Sandbox, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[JupyterLabServer]:
    """JupyterLab on ``lab_root`` whose kernels get ``lab_sandbox``'s credentials."""
    state = tmp_path_factory.mktemp("lab-state")
    server = JupyterLabServer(
        lab_root,
        env=lab_environment(sandbox_environment(lab_sandbox)),
        settings_dir=state / "settings",
        log_path=state / "jupyterlab.log",
    ).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium() -> Iterator[Any]:
    """Debian's Chromium, launched headless through Playwright (one per worker)."""
    from playwright.sync_api import sync_playwright

    executable = require_chromium()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def lab_command_server(lab_root: Path, tmp_path: Path) -> Iterator[JupyterLabServer]:
    """JupyterLab started by ``python -m mammoth_pandas lab`` with no Mammoth credentials."""
    server = JupyterLabServer(
        lab_root,
        env=lab_environment({}),
        settings_dir=tmp_path / "lab-state" / "settings",
        log_path=tmp_path / "lab-command.log",
        command=[sys.executable, "-m", "mammoth_pandas", "lab", "--notebooks", str(lab_root), "--"],
    ).start()
    yield server
    server.stop()


@pytest.fixture
def open_lab_page(chromium: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """``open_lab_page(server)``: a fresh Chromium page on ``server`` as a :class:`LabPage`.

    Screenshots are named after the test; a failing test still leaves a last screenshot.
    """
    prefix = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name)
    for old in ARTIFACTS.glob(f"{prefix}-*.png"):
        old.unlink()
    opened: list[tuple[Any, LabPage]] = []

    def open_page(server: JupyterLabServer) -> LabPage:
        context = chromium.new_context(viewport=VIEWPORT)
        page = context.new_page()
        page.set_default_timeout(STEP_TIMEOUT_MS)
        lab_page = LabPage(page, server, prefix)
        opened.append((context, lab_page))
        return lab_page

    yield open_page
    report = getattr(request.node, "rep_call", None)
    for context, lab_page in opened:
        if report is not None and report.failed:
            lab_page.screenshot("failure")
        context.close()


@pytest.fixture
def lab(open_lab_page: Any, jupyterlab: JupyterLabServer) -> LabPage:
    """A fresh page on the module's ``jupyterlab`` server."""
    page: LabPage = open_lab_page(jupyterlab)
    return page


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


# -- the batch panel's own notebook, and Voilà serving it ------------------------------------

BATCH_NOTEBOOK = "batch-panel-check.ipynb"
BATCH_SOURCE = [
    "from mammoth_pandas import BatchPanel, MammothClient\n"
    "from mammoth_pandas.sandbox import DEMO\n"
    "client = MammothClient.from_env()\n"
    "panel = BatchPanel(client.dataset(DEMO.workspace_id, DEMO.project_id, DEMO.customers))\n"
    "panel",
]


def write_batch_notebook(root: Path) -> str:
    """Write a notebook showing one batch panel on the demo dataset; its name."""
    cells = [
        {
            "cell_type": "code",
            "execution_count": None,
            "metadata": {},
            "outputs": [],
            "source": BATCH_SOURCE,
        }
    ]
    notebook = {
        "cells": cells,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (root / BATCH_NOTEBOOK).write_text(json.dumps(notebook), encoding="utf-8")
    return BATCH_NOTEBOOK


@pytest.fixture(scope="module")
def batch_notebook(lab_root: Path) -> str:
    """The batch panel notebook, written into ``lab_root``; its name."""
    return write_batch_notebook(lab_root)


@pytest.fixture
def browser_artifacts() -> Path:
    """The folder screenshots go to (created)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def voila(
    lab_root: Path,
    batch_notebook: str,
    lab_sandbox: Sandbox,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[str]:
    """Voilà serving the batch panel notebook; its URL."""
    port = free_port()
    log_path = tmp_path_factory.mktemp("voila") / "voila.log"
    env = lab_environment(sandbox_environment(lab_sandbox))
    kernels = tmp_path_factory.mktemp("voila-kernels") / "kernels" / "python3"
    kernels.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    spec = {"argv": argv, "display_name": "Python 3", "language": "python"}
    (kernels / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    env["JUPYTER_PATH"] = str(kernels.parents[1])
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "voila",
                str(lab_root / batch_notebook),
                "--no-browser",
                f"--port={port}",
                "--Voila.ip=127.0.0.1",
                "--Voila.port_retries=0",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=lab_root,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"Voilà exited early:\n{log_path.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(url + "voila/static/", timeout=2):
                    break
            except urllib.error.HTTPError:
                break  # it answers
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"Voilà did not answer:\n{log_path.read_text()[-4000:]}")
            time.sleep(0.2)  # polling interval while the server comes up
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
