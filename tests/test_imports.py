"""The import graph: no cycle inside ``server/lsp/``, and ``analyzers/`` never imports ``server/``.

Walks the real source with :mod:`ast`, counting every import, also the ones under
``if TYPE_CHECKING:`` and inside functions (a cycle a type checker or a late import hides
is still a cycle in the design). Then what a real review imports: a ``tactful review`` of a
one-line staged change, in a fresh interpreter, loads none of the heavy libraries it does
not use (start-up is most of a pre-commit review's cost).
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from support import GIT_ENV, GitRepo

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


HEAVY = ("numpy", "scipy", "sklearn", "matplotlib", "openai", "pygls", "lsprotocol", "rich")
"""Libraries a review without a model never needs (the gate decides in pure Python)."""
_REPORT_MODULES = (
    "import json, sys\n"
    "from tactful.server.cli import main\n"
    "code = main(sys.argv[2:])\n"
    "open(sys.argv[1], 'w').write(json.dumps(sorted(sys.modules)))\n"
    "sys.exit(code)\n"
)


def _modules_of(repo: Path, tmp_path: Path, *args: str) -> set[str]:
    out = tmp_path / "modules.json"
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        **GIT_ENV,
        "TACTFUL_CACHE_DIR": str(tmp_path / "cache"),
        "TACTFUL_DATA_DIR": str(tmp_path / "data"),
        "TACTFUL_CONFIG_DIR": str(tmp_path / "config"),
    }
    proc = subprocess.run(
        [sys.executable, "-c", _REPORT_MODULES, str(out), *args],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode in (0, 1), proc.stderr
    return {name.split(".")[0] for name in json.loads(out.read_text())}


@pytest.mark.parametrize("args", [("review",), ("review", "--no-llm", "--format", "sarif")])
def test_a_review_imports_no_heavy_library(git_repo: GitRepo, tmp_path: Path, args) -> None:
    git_repo.write("app.py", "def run(x):\n    return x + 1\n")
    git_repo.commit("base")
    git_repo.write("app.py", "def run(x):\n    return x + 2\n")
    git_repo.git("add", "app.py")
    loaded = _modules_of(git_repo.root, tmp_path, *args)
    assert "tactful" in loaded and "tree_sitter" in loaded  # it really reviewed
    assert sorted(loaded & set(HEAVY)) == []


def test_the_command_table_matches_what_the_modules_register() -> None:
    from tactful.server import cli

    full = cli.build_parser()
    commands = next(a for a in full._actions if a.dest == "command").choices  # type: ignore[union-attr]
    assert set(commands) == set(cli.COMMANDS)
    for command, module in cli.COMMANDS.items():
        alone = cli.build_parser([command])
        registered = next(a for a in alone._actions if a.dest == "command").choices  # type: ignore[union-attr]
        assert command in registered, f"{command} is not registered by {module}"


def test_version_imports_no_command_module(tmp_path: Path) -> None:
    # Editors run `tactful --version` on every candidate server at start-up.
    script = (
        "import sys\n"
        "from tactful.server.cli import main\n"
        "try:\n    main(['--version'])\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('tactful.server.cmd_')"
        f" or m.split('.')[0] in {HEAVY!r}))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert proc.stdout.splitlines() == [f"tactful {version('tactful')}", "[]"]
