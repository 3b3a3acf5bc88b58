"""The README's notebooks section: the Binder badge, its one placeholder, the notebook list."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
README = (REPO / "README.md").read_text(encoding="utf-8")
SECTION = README.split("<!-- section:notebooks -->", 1)[1].split("<!-- /section:notebooks -->")[0]


def test_binder_badge_links_to_the_notebooks_folder() -> None:
    assert "[![Launch Binder](https://mybinder.org/badge_logo.svg)][binder]" in SECTION
    links = re.findall(r"^\[binder\]: (\S+)$", SECTION, flags=re.M)
    assert links == ["https://mybinder.org/v2/gh/OWNER/mammoth-pandas/HEAD?labpath=notebooks"]


def test_the_owner_placeholder_is_in_one_place() -> None:
    assert len(re.findall(r"\bOWNER\b", README)) == 2  # the marked note and the link
    note = SECTION.index("replace OWNER")
    assert note < SECTION.index("[binder]: ")


def test_every_notebook_is_listed_and_every_listed_one_exists() -> None:
    listed = set(re.findall(r"\(notebooks/([\w-]+\.ipynb)\)", SECTION))
    assert listed == {p.name for p in (REPO / "notebooks").glob("*.ipynb")}


def test_the_commands_named_exist() -> None:
    assert "make lab" in SECTION
    assert "lab:" in (REPO / "Makefile").read_text(encoding="utf-8")
    assert (REPO / "binder" / "requirements.txt").is_file()
    assert (REPO / "binder" / "postBuild").is_file()
