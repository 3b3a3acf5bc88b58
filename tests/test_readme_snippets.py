"""The README's Python examples stay true: the self-contained ones (they start their own
sandbox) run as written, and every other one at least compiles."""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S)
RUNNABLE = [block for block in BLOCKS if "with Sandbox(" in block]


def test_the_readme_has_runnable_examples() -> None:
    assert len(RUNNABLE) >= 3
    assert len(BLOCKS) > len(RUNNABLE)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"block{n}" for n in range(len(BLOCKS))])
def test_every_example_compiles(block: str) -> None:
    compile(block, "README.md", "exec")


@pytest.mark.parametrize("block", RUNNABLE, ids=[f"runnable{n}" for n in range(len(RUNNABLE))])
def test_self_contained_examples_run(block: str) -> None:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(block, "README.md", "exec"), {"__name__": "readme_example"})
    assert out.getvalue().strip(), "each example prints what it shows"
