"""The import graph: no cycle inside ``server/lsp/``, and ``analyzers/`` never imports ``server/``.

Walks the real source with :mod:`ast`, counting every import, also the ones under
``if TYPE_CHECKING:`` and inside functions (a cycle a type checker or a late import hides
is still a cycle in the design).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = {"tactful.server": ROOT / "server", "tactful.analyzers": ROOT / "analyzers"}


def module_name(path: Path) -> str:
    for package, folder in PACKAGES.items():
        if path.is_relative_to(folder):
            parts = path.relative_to(folder).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            return ".".join((package, *parts))
    raise ValueError(path)


def imports_of(path: Path, known: set[str]) -> set[str]:
    """The project modules ``path`` imports (``from pkg import mod`` counts as ``pkg.mod``)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return {name for name in found if name in known}


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for folder in PACKAGES.values() for p in folder.rglob("*.py")}
    known = set(files)
    return {name: imports_of(path, known) - {name} for name, path in files.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every strongly connected component with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in edges.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_the_lsp_modules() -> None:
    edges = graph()
    assert "tactful.server.lsp.diagnostics" in edges["tactful.server.lsp.handlers"]
    assert "tactful.server.lsp.server" in edges["tactful.server.lsp.handlers"]


def test_no_import_cycle_in_server_lsp() -> None:
    edges = graph()
    lsp = {name: {t for t in targets if t.startswith("tactful.server.lsp")}
           for name, targets in edges.items() if name.startswith("tactful.server.lsp")}  # fmt: skip
    assert cycles(lsp) == []


def test_a_cycle_is_found() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_analyzers_never_import_server() -> None:
    edges = graph()
    leaks = {name: sorted(t for t in targets if t.startswith("tactful.server"))
             for name, targets in edges.items() if name.startswith("tactful.analyzers")}  # fmt: skip
    assert {name: targets for name, targets in leaks.items() if targets} == {}
