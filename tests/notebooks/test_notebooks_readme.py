"""The README's notebooks section: the Binder link command, the token option, the notebooks."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from mammoth_pandas import lab

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README.split("<!-- section:notebooks -->", 1)[1].split("<!-- /section:notebooks -->")[0]


def test_no_placeholder_owner_anywhere() -> None:
    """The Binder link is derived from the reader's own remote, never a made-up owner."""
    assert not re.search(r"\bOWNER\b", README)
    assert "mybinder.org/v2/gh/OWNER" not in README
    assert "mammoth-pandas lab --binder-url" in SECTION


def test_the_binder_command_prints_the_link_for_a_remote(tmp_path: Path) -> None:
    """``lab --binder-url`` reads ``origin`` of the checkout and prints its link."""
    repo = tmp_path / "clone"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True, timeout=30)
    subprocess.run(
        ["git", "-C", str(repo), "remote", "add", "origin", "git@github.com:acme/mp.git"],
        check=True, timeout=30,
    )  # fmt: skip
    assert lab.binder_url(lab.origin_url(repo)) == (
        "https://mybinder.org/v2/gh/acme/mp/HEAD?labpath=notebooks"
    )
    shown = re.search(r"^(https://mybinder\.org/v2/gh/\S+)$", SECTION, flags=re.M)
    assert shown is not None
    assert shown.group(1).endswith("/HEAD?labpath=notebooks")


def test_the_token_option_is_jupyter_server_2s() -> None:
    assert "--IdentityProvider.token=" in SECTION
    for deprecated in ("--ServerApp.token", "--NotebookApp.token"):
        assert deprecated not in README


def test_every_notebook_is_listed_and_every_listed_one_exists() -> None:
    listed = set(re.findall(r"\(notebooks/([\w-]+\.ipynb)\)", SECTION))
    assert listed == {p.name for p in (REPO / "notebooks").glob("*.ipynb")}


def test_the_commands_named_exist() -> None:
    assert "make lab" in SECTION
    assert "lab:" in (REPO / "Makefile").read_text(encoding="utf-8")
    assert (REPO / "binder" / "requirements.txt").is_file()
    assert (REPO / "binder" / "postBuild").is_file()
