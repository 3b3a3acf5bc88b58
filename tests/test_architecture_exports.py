"""mammoth_pandas.__init__: the lazy export table, its TYPE_CHECKING imports and __all__ agree."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import mammoth_pandas

INIT = Path(mammoth_pandas.__file__)


def _tree() -> ast.Module:
    return ast.parse(INIT.read_text(encoding="utf-8"))


def _type_checking_imports() -> dict[str, str]:
    """Name -> module, for every import under ``if TYPE_CHECKING:``."""
    found: dict[str, str] = {}
    for node in _tree().body:
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING":
            for child in node.body:
                assert isinstance(child, ast.ImportFrom), ast.dump(child)
                for alias in child.names:
                    found[alias.asname or alias.name] = child.module or ""
    return found


def _eager_names() -> set[str]:
    """Names bound at import time by plain ``from … import …`` statements."""
    return {
        alias.asname or alias.name
        for node in _tree().body
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("mammoth_pandas")
        for alias in node.names
    }


def test_the_lazy_table_and_the_type_checking_imports_name_the_same_modules() -> None:
    assert _type_checking_imports() == mammoth_pandas._LAZY


def test_all_is_the_lazy_names_the_eager_names_and_the_version() -> None:
    expected = set(mammoth_pandas._LAZY) | _eager_names() | {"__version__"}
    assert set(mammoth_pandas.__all__) == expected
    assert len(mammoth_pandas.__all__) == len(set(mammoth_pandas.__all__))


def test_every_lazy_name_resolves_to_what_its_module_defines() -> None:
    for name, module in mammoth_pandas._LAZY.items():
        assert getattr(mammoth_pandas, name) is getattr(importlib.import_module(module), name)
