"""``mammoth-pandas lab`` without starting anything: its command line and its refusals.
(The browser tests run it for real: tests/browser/test_browser_lab.py.)"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from mammoth_pandas import MammothClient, cli, lab
from mammoth_pandas.sandbox import DEMO

REPO = Path(__file__).resolve().parents[2]


def test_default_folder_is_the_checkouts_notebooks() -> None:
    assert lab.default_notebooks_dir() == REPO / "notebooks"


def test_command_runs_this_interpreters_jupyterlab_on_the_folder(tmp_path: Path) -> None:
    command = lab.build_command(tmp_path, port=9000, open_browser=False)
    assert command[:3] == [sys.executable, "-m", "jupyterlab"]
    assert f"--ServerApp.root_dir={tmp_path}" in command
    assert "--ServerApp.ip=127.0.0.1" in command
    assert "--ServerApp.port=9000" in command
    assert "--no-browser" in command


def test_settings_given_after_the_separator_win(tmp_path: Path) -> None:
    extra = ["--ServerApp.ip=0.0.0.0", "--no-browser", "--IdentityProvider.token=abc"]
    command = lab.build_command(tmp_path, open_browser=False, extra=extra)
    assert command.count("--no-browser") == 1
    assert [a for a in command if a.startswith("--ServerApp.ip=")] == ["--ServerApp.ip=0.0.0.0"]
    assert command[-3:] == extra


def test_missing_folder_is_refused_before_anything_starts(tmp_path: Path, capsys) -> None:
    code = cli.main(["lab", "--notebooks", str(tmp_path / "nowhere"), "--no-browser"])
    assert code == 2
    assert "no notebooks folder" in capsys.readouterr().err


def test_help_lists_the_options(capsys) -> None:
    assert lab.main(["--help"]) == 0
    out = capsys.readouterr().out
    for option in ("--notebooks", "--port", "--no-browser", "--db"):
        assert option in out


def test_the_kernels_environment_reaches_the_sandbox(sandbox) -> None:
    env = lab.sandbox_environment(sandbox)
    assert set(env) == {"MAMMOTH_API_URL", "MAMMOTH_API_KEY", "MAMMOTH_API_SECRET"}
    client = MammothClient.from_env(env)
    assert len(client.batches.list(1, 1, DEMO.customers)) > 0


def run_lab(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``mammoth-pandas lab`` with JupyterLab asked only for its --help (it serves nothing)."""
    return subprocess.run(
        [sys.executable, "-m", "mammoth_pandas", "lab", "--no-browser", *args, "--", "--help"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_without_credentials_it_starts_a_sandbox_for_jupyterlab() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAMMOTH")}
    result = run_lab([], env)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^Sandbox running at http://127\.0\.0\.1:\d+/api/v2$", result.stdout, re.M)
    assert "JupyterLab" in result.stdout  # JupyterLab's own --help ran after it


def test_with_a_configured_server_it_starts_no_sandbox(sandbox) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAMMOTH")}
    env.update(lab.sandbox_environment(sandbox))
    result = run_lab([], env)
    assert result.returncode == 0, result.stderr
    assert f"Using the Mammoth API at {sandbox.url}" in result.stdout
    assert "Sandbox running" not in result.stdout
    assert sandbox.api_secret not in result.stdout + result.stderr


def test_help_names_the_current_token_option(capsys) -> None:
    assert lab.main(["--help"]) == 0
    out = capsys.readouterr().out
    assert "--IdentityProvider.token=" in out
    assert "ServerApp.token" not in out


REMOTES = {
    "git@github.com:acme/mammoth-pandas.git": "gh/acme/mammoth-pandas/HEAD",
    "https://github.com/acme/mammoth-pandas": "gh/acme/mammoth-pandas/HEAD",
    "ssh://git@github.com/acme/mammoth-pandas.git": "gh/acme/mammoth-pandas/HEAD",
    "https://gitlab.com/group/sub/project.git": "gl/group%2Fsub%2Fproject/HEAD",
    "https://git.example.org/team/repo": "git/https%3A%2F%2Fgit.example.org%2Fteam%2Frepo.git/HEAD",
}


def test_binder_links_from_remote_urls() -> None:
    for remote, tail in REMOTES.items():
        assert lab.binder_url(remote) == f"https://mybinder.org/v2/{tail}?labpath=notebooks"


def test_credentials_in_the_remote_never_reach_the_link() -> None:
    link = lab.binder_url("https://someone:s3cr3t-token@github.com/acme/mp.git")
    assert link == "https://mybinder.org/v2/gh/acme/mp/HEAD?labpath=notebooks"
    link = lab.binder_url("https://someone:s3cr3t-token@git.example.org/acme/mp.git")
    assert "s3cr3t" not in link
    assert "someone" not in link


def test_a_local_or_nameless_remote_is_refused(tmp_path: Path) -> None:
    for remote in (str(tmp_path), "../elsewhere", "https://github.com/", "https://github.com/acme"):
        with pytest.raises(ValueError, match="origin"):
            lab.binder_url(remote)


def test_binder_url_without_an_origin_exits_2(tmp_path: Path) -> None:
    """A checkout with no origin: the command says so, exits 2, and starts nothing."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True, timeout=30)
    with pytest.raises(ValueError, match="no 'origin' remote"):
        lab.origin_url(tmp_path)
    result = subprocess.run(
        [sys.executable, "-m", "mammoth_pandas", "lab", "--binder-url"],
        capture_output=True, text=True, timeout=60, check=False,
        env={**os.environ, "GIT_DIR": str(tmp_path / ".git")},
    )  # fmt: skip
    assert result.returncode == 2
    assert "no Binder link" in result.stderr
    assert "Sandbox running" not in result.stdout
