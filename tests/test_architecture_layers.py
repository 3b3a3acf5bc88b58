"""The package's layering, as its docstring states it: every import runs downwards.

Every ``import`` in ``mammoth_pandas/`` counts (at module level, under ``TYPE_CHECKING``
and inside functions) except the deliberate lazy imports listed in :data:`LAZY`, each
inside one named function. A module must sit in a layer of :data:`LAYERS`; it may import
its own layer or lower ones, and the imports form no cycle.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

import mammoth_pandas

PACKAGE = Path(mammoth_pandas.__file__).resolve().parent

#: Bottom first. A module belongs to the layer of the longest prefix that names it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("mammoth_pandas.contract", "mammoth_pandas.errors"),
    (
        "mammoth_pandas.params",
        "mammoth_pandas.frames",
        "mammoth_pandas.catalog",
        "mammoth_pandas._columns",
        "mammoth_pandas._decode",
        "mammoth_pandas.rows",
        "mammoth_pandas._backoff",
        "mammoth_pandas._attempt",
        "mammoth_pandas._lean",
        "mammoth_pandas._concurrency",
        "mammoth_pandas._credentials",
        "mammoth_pandas._transport",
        "mammoth_pandas._paging",
        "mammoth_pandas._seen",
        "mammoth_pandas._answers",
        "mammoth_pandas.jobs",
        "mammoth_pandas.history",
    ),
    ("mammoth_pandas.accessor", "mammoth_pandas.display"),
    ("mammoth_pandas.dataset", "mammoth_pandas.handles"),
    ("mammoth_pandas.client", "mammoth_pandas.sandbox"),
    ("mammoth_pandas.mapping",),
    ("mammoth_pandas.widgets",),
    (
        "mammoth_pandas.cli",
        "mammoth_pandas.demo",
        "mammoth_pandas.lab",
        "mammoth_pandas.__main__",
        "mammoth_pandas",
    ),
)

#: The sandbox stands beside the client: of the rest of the package it uses the contract.
SANDBOX_MAY_USE = ("mammoth_pandas.contract",)

#: (module, function, imported module): conveniences that reach up on purpose, lazily.
LAZY = {
    ("mammoth_pandas.dataset", "panel", "mammoth_pandas.widgets"),
    ("mammoth_pandas.mapping.model", "panel", "mammoth_pandas.widgets"),
    ("mammoth_pandas.sandbox", "client", "mammoth_pandas.client"),
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def resolve(name: str) -> str:
    """The module of the package that ``name`` (a module or a name in one) refers to."""
    while name not in MODULES and "." in name:
        name = name.rsplit(".", 1)[0]
    return name


def imports(module: str) -> Iterator[tuple[str, str | None, int]]:
    """(imported module, enclosing function or None, line) for every import of ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]

    def visit(node: ast.AST, function: str | None) -> Iterator[tuple[str, str | None, int]]:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                inner = child.name if function is None else function
            if isinstance(child, ast.Import):
                for alias in child.names:
                    if alias.name.startswith("mammoth_pandas"):
                        yield resolve(alias.name), inner, child.lineno
            elif isinstance(child, ast.ImportFrom):
                base = child.module or ""
                if child.level:
                    anchor = package.split(".")[: len(package.split(".")) - child.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                if base.startswith("mammoth_pandas"):
                    for alias in child.names:
                        yield resolve(f"{base}.{alias.name}"), inner, child.lineno
            yield from visit(child, inner)

    yield from visit(tree, None)


def layer_of(module: str) -> int:
    best: tuple[int, int] | None = None
    for number, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            named = module == prefix or (
                prefix != "mammoth_pandas" and module.startswith(prefix + ".")
            )
            if named and (best is None or len(prefix) > best[1]):
                best = (number, len(prefix))
    assert best is not None, f"{module} is in no layer: add it to LAYERS and the docstring"
    return best[0]


def edges() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {m: set() for m in MODULES}
    for module in MODULES:
        for target, function, _ in imports(module):
            if target != module and (module, function, target) not in LAZY:
                graph[module].add(target)
    return graph


@pytest.mark.parametrize("module", sorted(MODULES))
def test_every_import_runs_downwards(module: str) -> None:
    mine = layer_of(module)
    upward = [
        f"line {line}: {target} (layer {layer_of(target)})"
        for target, function, line in imports(module)
        if (module, function, target) not in LAZY and layer_of(target) > mine
    ]
    assert not upward, f"{module} (layer {mine}) imports upwards: {upward}"


@pytest.mark.parametrize(
    "module", sorted(m for m in MODULES if m.startswith("mammoth_pandas.sandbox"))
)
def test_the_sandbox_shares_only_the_contract(module: str) -> None:
    outside = {
        target
        for target, function, _ in imports(module)
        if not target.startswith("mammoth_pandas.sandbox")
        and target not in SANDBOX_MAY_USE
        and (module, function, target) not in LAZY
    }
    assert not outside, f"{module} uses {sorted(outside)}"


def test_the_lazy_imports_are_inside_their_functions() -> None:
    found = {
        (module, function, target)
        for module in MODULES
        for target, function, _ in imports(module)
        if function is not None
    }
    assert found >= LAZY, f"stale LAZY entries: {sorted(LAZY - found)}"


def test_no_import_cycle() -> None:
    graph = edges()
    state: dict[str, int] = {}  # 1 on the path, 2 done
    path: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                cycle = walk(nxt)
                if cycle:
                    return cycle
        path.pop()
        state[node] = 2
        return None

    for module in sorted(graph):
        if module not in state:
            cycle = walk(module)
            assert cycle is None, " -> ".join(cycle)


def test_the_package_docstring_states_the_layers() -> None:
    doc = mammoth_pandas.__doc__ or ""
    for prefixes in LAYERS:
        for prefix in prefixes:
            short = prefix.removeprefix("mammoth_pandas.").lstrip("_")
            if prefix != "mammoth_pandas" and not short.startswith("_"):
                assert short in doc, f"the package docstring does not place {prefix}"
