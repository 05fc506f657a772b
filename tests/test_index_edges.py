"""Resolved edges stored beside the index snapshot: later graphs answer from them, exactly."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import GitRepo
from tactful.server.index import RepoIndex
from tactful.server.settings import Settings

LIB = """def area(w, h):
    return w * h


class Box:
    def size(self):
        return area(1, 2)

    def grow(self, n):
        return self.size() + n
"""
USE = """from lib import area, Box
from lib import area as surface


def one():
    return area(1, 2) + Box().size() + surface(3, 4)


def two(box):
    return box.grow(2)
"""
# Mentions `area` and `size` but calls its own: finding lib's callers must not load it.
OTHER = """def area():
    return 0


def size():
    return area()
"""
APP = "import { helper } from './util';\n\nexport function run(x: number) {\n  return helper(x, 1);\n}\n"
UTIL = "export function helper(a: number, b: number) {\n  return a + b;\n}\n"


@pytest.fixture
def repo(git_repo: GitRepo) -> GitRepo:
    git_repo.write("lib.py", LIB)
    git_repo.write("use.py", USE)
    git_repo.write("other.py", OTHER)
    git_repo.write("web/app.ts", APP)
    git_repo.write("web/util.ts", UTIL)
    git_repo.commit("base")
    return git_repo


def _settings(tmp_path: Path) -> Settings:
    return Settings(cache_dir=str(tmp_path / "cache"))


def _indexed(repo: GitRepo, tmp_path: Path) -> None:
    """What ``tactful index`` does: build, resolve every call site, store the edges."""
    index = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    index.build()
    index.graph.resolved_counts()
    assert index.save_edges()


def _view(index: RepoIndex, names: list[tuple[str, str]]) -> tuple[object, ...]:
    """Callers and callees of each definition (asked before anything loads every file), then
    the resolved counts."""
    graph = index.graph
    walks = [
        (path, name, graph.callers(name, path), graph.callees(name, path), graph.direct_calls(d))
        for path, name in names
        for d in graph.find(name, path)
    ]
    return tuple(walks), graph.resolved_counts()


def _names(index: RepoIndex) -> list[tuple[str, str]]:
    return sorted({(d.path, d.qualified_name) for t in index.all_tags() for d in t.definitions})


def _fresh(repo: GitRepo, tmp_path: Path, edit=None) -> RepoIndex:
    index = RepoIndex(repo.root, _settings(tmp_path / "fresh"), workers=1)
    index.build()
    if edit is not None:
        edit(index)
    return index


def test_an_unchanged_repository_resolves_nothing_again(repo: GitRepo, tmp_path: Path) -> None:
    _indexed(repo, tmp_path)
    warm = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    warm.build()
    assert warm.graph.has_edges
    callers = warm.graph.callers("area", "lib.py", depth=1)
    assert sorted(c.caller for c in callers) == ["Box.size", "one", "one"]  # area() and surface()
    assert not warm.graph.loaded("other.py")  # it mentions area but calls its own
    fresh = _fresh(repo, tmp_path)
    names = _names(fresh)
    assert _view(warm, names) == _view(fresh, names)
    assert warm.graph.live_resolutions == 0


EDITS = {
    "body only": ("lib.py", LIB.replace("return w * h", "total = w * h\n    return total")),
    "signature": ("lib.py", LIB.replace("def area(w, h):", "def area(w, h, d=1):")),
    "moved down": ("lib.py", "\n\n" + LIB),
    "new definition": ("use.py", USE + "\n\ndef area(x):\n    return x\n"),
    "caller gone": ("use.py", USE.replace(" + surface(3, 4)", "")),
    "method renamed": ("lib.py", LIB.replace("def size(self)", "def measure(self)")),
    "typescript": ("web/util.ts", UTIL.replace("b: number)", "b: number, c = 0)")),
}


@pytest.mark.parametrize("case", sorted(EDITS))
def test_an_edited_file_gives_the_answers_of_a_fresh_resolution(
    repo: GitRepo, tmp_path: Path, case: str
) -> None:
    path, text = EDITS[case]
    _indexed(repo, tmp_path)

    def edit(index: RepoIndex) -> None:  # as a review loads the change's new side
        index.update_file(path, text)

    warm = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    warm.build()
    edit(warm)
    assert warm.graph.has_edges  # an edited file keeps the others' edges usable
    fresh = _fresh(repo, tmp_path, edit)
    names = _names(fresh)
    assert _view(warm, names) == _view(fresh, names)


def test_an_edited_file_keeps_the_edges_of_its_unchanged_call_sites(
    repo: GitRepo, tmp_path: Path
) -> None:
    _indexed(repo, tmp_path)
    warm = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    warm.build()
    warm.update_file(
        "lib.py", "\n\n" + LIB.replace("return w * h", "total = w * h\n    return total")
    )
    warm.update_file("use.py", USE)  # the same text again: not a change at all
    callees = warm.graph.callees("Box.grow", "lib.py", depth=1)
    assert [(c.qualified_name, c.span.start_line) for c in callees] == [("Box.size", 9)]
    assert [c.caller for c in warm.graph.callers("Box.size", "lib.py", depth=1)] == ["Box.grow"]
    assert warm.graph.live_resolutions == 0


@pytest.mark.parametrize("case", ["signature", "new definition"])
def test_a_working_tree_change_before_the_build_counts_as_changed(
    repo: GitRepo, tmp_path: Path, case: str
) -> None:
    path, text = EDITS[case]
    _indexed(repo, tmp_path)
    repo.write(path, text)
    warm = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    warm.build()
    assert warm.graph.has_edges
    fresh = _fresh(repo, tmp_path)
    names = _names(fresh)
    assert _view(warm, names) == _view(fresh, names)


def test_a_new_or_deleted_file_drops_the_stored_edges(repo: GitRepo, tmp_path: Path) -> None:
    _indexed(repo, tmp_path)
    repo.write("extra.py", "from lib import area\n\n\ndef three():\n    return area(5, 6)\n")
    (repo.root / "other.py").unlink()
    warm = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    warm.build()
    assert not warm.graph.has_edges  # the module layout the edges rest on changed
    fresh = _fresh(repo, tmp_path)
    names = _names(fresh)
    assert _view(warm, names) == _view(fresh, names)


def test_tactful_index_resolves_again_only_what_changed(cli, repo: GitRepo) -> None:
    first = cli("index", cwd=repo.root)
    assert first.returncode == 0, first.stderr
    assert "resolving every call site" in first.stdout
    second = cli("index", cwd=repo.root)
    assert "resolving (0 call sites again, the rest from stored edges)" in second.stdout
    repo.write("lib.py", LIB.replace("def area(w, h):", "def area(w, h, d=1):"))
    third = cli("index", cwd=repo.root)
    # The four call sites listed under `area` (lib.py's, use.py's two, other.py's); lib.py's
    # self.size() is still there with the same imports, so it keeps its edge.
    assert "resolving (4 call sites again" in third.stdout, third.stdout

    def figures(out: str) -> list[str]:
        return [line for line in out.splitlines() if not line.startswith("time")]

    assert figures(second.stdout)[1:] == figures(first.stdout)[1:]  # all but parsed/cached
    assert figures(third.stdout)[1:] == figures(first.stdout)[1:]


@pytest.mark.parametrize("stored", [b"not marshal at all", "other snapshot"])
def test_damaged_or_foreign_edges_are_ignored(repo: GitRepo, tmp_path: Path, stored) -> None:
    from tactful.server.index import CACHE_VERSION
    from tactful.server.index_cache import TagStore
    from tactful.server.index_edges import edges_key, encode_edges

    _indexed(repo, tmp_path)
    store = TagStore(tmp_path / "cache" / "index")
    key = edges_key(repo.root.resolve(), CACHE_VERSION)
    # Edges resolved over another snapshot (another digest) describe other files.
    value = encode_edges(b"\0" * 16, {}) if stored == "other snapshot" else stored
    store.set_many([(key, value)])
    warm = RepoIndex(repo.root, _settings(tmp_path), workers=1)
    warm.build()
    assert not warm.graph.has_edges
    fresh = _fresh(repo, tmp_path)
    names = _names(fresh)
    assert _view(warm, names) == _view(fresh, names)


def test_a_rewritten_snapshot_gets_its_edges_stored_with_it(cli, repo: GitRepo) -> None:
    from tactful.server.index import SNAPSHOT_SLACK

    for i in range(SNAPSHOT_SLACK + 8):  # enough new files that the build rewrites the snapshot
        repo.write(
            f"pkg/m{i}.py", f"from lib import area\n\n\ndef f{i}():\n    return area({i}, 1)\n"
        )
    repo.commit("more")
    assert "resolving every call site" in cli("index", cwd=repo.root).stdout
    for i in range(SNAPSHOT_SLACK + 8):
        repo.write(
            f"pkg/m{i}.py", f"from lib import area\n\n\ndef f{i}():\n    return area(1, {i})\n"
        )
    changed = cli(
        "index", cwd=repo.root
    ).stdout  # layout kept: stored edges serve, then stored anew
    assert "call sites again, the rest from stored edges" in changed, changed
    again = cli("index", cwd=repo.root).stdout
    assert "resolving (0 call sites again" in again, again
