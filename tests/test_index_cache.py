"""Repository index snapshot: a new index on an unchanged repository loads without parsing."""

from __future__ import annotations

import logging
from pathlib import Path

from tactful.server.index import CACHE_VERSION, RepoIndex
from tactful.server.index_cache import TagStore, snapshot_key
from tactful.server.settings import Settings

LIB = "def area(w, h):\n    return w * h\n\n\nclass Box:\n    def size(self):\n        return area(1, 2)\n"
USE = "from lib import area, Box\n\n\ndef one():\n    return area(1, 2) + Box().size()\n"
APP = "import { helper } from './util';\n\nexport function run(x: number) {\n  return helper(x, 1);\n}\n"
UTIL = "export function helper(a: number, b: number) {\n  return a + b;\n}\n"


def make_repo(git_repo) -> None:
    git_repo.write("lib.py", LIB)
    git_repo.write("use.py", USE)
    git_repo.write("web/app.ts", APP)
    git_repo.write("web/util.ts", UTIL)
    git_repo.write("latin.py", "s = 'caf\xe9'\n".encode("latin-1"))
    git_repo.write("vendor/dep.py", "def x():\n    pass\n")
    git_repo.commit("base")


def settings_for(tmp_path: Path) -> Settings:
    return Settings(cache_dir=str(tmp_path / "cache"))


def graph_view(index: RepoIndex) -> tuple[object, ...]:
    """What other parts see: tags, callers and callees of every definition."""
    graph = index.graph
    tags = sorted(index.all_tags(), key=lambda t: t.path)
    edges = [
        (
            d.path,
            d.qualified_name,
            graph.callers(d.qualified_name, d.path),
            graph.callees(d.qualified_name, d.path),
        )
        for t in tags
        for d in t.definitions
    ]
    return tuple(tags), tuple(edges), graph.resolved_counts()


def test_second_index_loads_the_snapshot_without_parsing(git_repo, tmp_path: Path) -> None:
    make_repo(git_repo)
    settings = settings_for(tmp_path)
    first = RepoIndex(git_repo.root, settings, workers=1)
    built = first.build()
    assert built.parsed == 5 and built.files == 4
    blob = TagStore(tmp_path / "cache" / "index").get(snapshot_key(first.root, CACHE_VERSION))
    assert isinstance(blob, bytes)

    second = RepoIndex(git_repo.root, settings, workers=1)
    warm = second.build()
    assert second.parse_count == 0
    assert (warm.parsed, warm.from_cache, warm.files, warm.lines) == (0, 4, 4, built.lines)
    assert set(warm.skipped) == set(built.skipped)
    assert graph_view(second) == graph_view(first)
    assert [c.caller for c in second.graph.callers("area", "lib.py")] == ["Box.size", "one"]


def test_changed_files_bypass_the_snapshot(git_repo, tmp_path: Path) -> None:
    make_repo(git_repo)
    settings = settings_for(tmp_path)
    RepoIndex(git_repo.root, settings, workers=1).build()
    git_repo.write("use.py", USE + "\n\ndef two():\n    return area(3, 4)\n")
    git_repo.write("extra.py", "from lib import area\n\n\ndef three():\n    return area(5, 6)\n")
    (git_repo.root / "web" / "util.ts").unlink()

    warm = RepoIndex(git_repo.root, settings, workers=1)
    stats = warm.build()
    assert (stats.parsed, stats.from_cache, stats.files) == (2, 2, 4)
    fresh = RepoIndex(git_repo.root, settings_for(tmp_path / "other"), workers=1)
    fresh.build()
    assert graph_view(warm) == graph_view(fresh)
    assert {c.caller for c in warm.graph.callers("area", "lib.py")} == {
        "Box.size",
        "one",
        "two",
        "three",
    }
    # The same edits again: the snapshot (or the per-file entries) cover everything.
    assert RepoIndex(git_repo.root, settings, workers=1).build().parsed == 0


def test_damaged_snapshot_falls_back_to_per_file_entries(git_repo, tmp_path: Path, caplog) -> None:
    make_repo(git_repo)
    settings = settings_for(tmp_path)
    first = RepoIndex(git_repo.root, settings, workers=1)
    first.build()
    store = TagStore(tmp_path / "cache" / "index")
    key = snapshot_key(first.root, CACHE_VERSION)
    blob = store.get(key)
    assert isinstance(blob, bytes)
    caplog.set_level(logging.WARNING)
    for damaged in (blob[: len(blob) // 2], b"\x00garbage" * 100, "not bytes"):
        store.set_many([(key, damaged)])
        index = RepoIndex(git_repo.root, settings, workers=1)
        stats = index.build()
        assert (stats.parsed, stats.from_cache, stats.cache) == (0, 4, "disk")
        assert graph_view(index) == graph_view(first)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_callees_follow_updates(git_repo, tmp_path: Path) -> None:
    make_repo(git_repo)
    index = RepoIndex(git_repo.root, settings_for(tmp_path), workers=1)
    index.build()
    assert [c.qualified_name for c in index.graph.callees("one", "use.py", depth=1)] == [
        "area",
        "Box",
    ]
    index.update_file(
        "use.py",
        "from lib import area\n\n\ndef one():\n    return 7\n\n\ndef two():\n    return area(1, 1)\n",
    )
    assert index.graph.callees("one", "use.py") == []
    assert [c.qualified_name for c in index.graph.callees("two", "use.py")] == ["area"]


def unit_queries(index: RepoIndex) -> tuple[object, ...]:
    """What a review of a few units asks, before anything asks for the whole graph."""
    graph = index.graph
    return tuple(
        (graph.callers(name, path), graph.callees(name, path), graph.definitions_named("area"))
        for path, name in (("lib.py", "area"), ("use.py", "one"), ("lib.py", "Box.size"))
    )


def test_a_warm_index_loads_only_the_files_a_query_involves(git_repo, tmp_path: Path) -> None:
    make_repo(git_repo)
    for n in range(6):
        git_repo.write(f"other/mod{n}.py", f"def unrelated_{n}():\n    return print({n})\n")
    git_repo.commit("more")
    settings = settings_for(tmp_path)
    cold = RepoIndex(git_repo.root, settings, workers=1)
    cold.build()
    warm = RepoIndex(git_repo.root, settings, workers=1)
    assert warm.build().definitions == cold.build().definitions
    assert warm.graph.pending == 10
    assert unit_queries(warm) == unit_queries(cold)
    assert warm.graph.pending == 8  # lib.py and use.py loaded; web/ and other/ never needed
    assert graph_view(warm) == graph_view(cold) and warm.graph.pending == 0


def test_a_rewritten_snapshot_carries_stored_files_over_unchanged(git_repo, tmp_path: Path) -> None:
    make_repo(git_repo)
    settings = settings_for(tmp_path)
    RepoIndex(git_repo.root, settings, workers=1).build()
    # More new files than the snapshot's slack: the warm build rewrites it, copying the
    # rows of the files it never decoded.
    for n in range(40):
        git_repo.write(f"more/m{n}.py", f"from lib import area\n\n\ndef f{n}():\n    return area({n}, 1)\n")  # fmt: skip
    git_repo.write("lib.py", LIB + "\n\ndef volume(w, h, d):\n    return area(w, h) * d\n")
    warm = RepoIndex(git_repo.root, settings, workers=1)
    assert warm.build().parsed == 41
    third = RepoIndex(git_repo.root, settings, workers=1)
    assert third.build().parsed == 0 and third.graph.pending == 44
    fresh = RepoIndex(git_repo.root, settings_for(tmp_path / "other"), workers=1)
    fresh.build()
    assert unit_queries(third) == unit_queries(fresh)
    assert len(third.graph.callers("area", "lib.py", depth=1)) == 43
    assert graph_view(third) == graph_view(fresh)


def test_name_only_targets_come_in_the_same_order_from_a_cold_and_a_warm_index(
    git_repo, tmp_path: Path
) -> None:
    git_repo.write("a/x.rb", "class A\n  def flush(n)\n  end\nend\n")
    git_repo.write("b/y.rb", "class B\n  def flush(n)\n  end\n\n  def helper\n  end\nend\n")
    git_repo.write("c/use.rb", "def go(x)\n  x.flush(1)\nend\n")
    git_repo.commit("ruby")
    settings = settings_for(tmp_path)
    cold = RepoIndex(git_repo.root, settings, workers=1)
    cold.build()
    warm = RepoIndex(git_repo.root, settings, workers=1)
    warm.build()
    warm.graph.definitions_named("helper")  # loads b/y.rb before a/x.rb is ever needed

    def targets(index: RepoIndex) -> list[str]:
        (call,) = [r for r in index.graph.files["c/use.rb"].references if r.name == "flush"]
        return [d.qualified_name for d, _ in index.graph.resolve(call)]

    assert targets(warm) == targets(cold) == ["A.flush", "B.flush"]
