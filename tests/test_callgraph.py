"""Call graph: tags per language, resolution on a multi-language fixture repo, signature changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from tactful.analyzers.callgraph import CallGraph, extract_tags, signature_change_findings
from tactful.analyzers.languages import LANGUAGES, detect_language
from tactful.analyzers.model import ChangeUnit, Severity, Span

FIXTURE = Path(__file__).parent / "fixtures" / "callgraph"


@pytest.fixture(scope="module")
def graph() -> CallGraph:
    tags = []
    for file in sorted(FIXTURE.rglob("*")):
        rel = file.relative_to(FIXTURE).as_posix()
        language = detect_language(rel)
        if file.is_file() and language:
            tags.append(extract_tags(language, rel, file.read_text("utf-8")))
    return CallGraph.build(tags)


def callers(
    graph: CallGraph, qname: str, path: str, depth: int = 1, arity: int | None = None
) -> set[tuple]:
    return {
        (c.path, c.span.start_line, c.caller, c.confidence)
        for c in graph.callers(qname, path, depth, arity)
    }


def callees(graph: CallGraph, qname: str, path: str, depth: int = 1) -> set[tuple]:
    return {(c.path, c.qualified_name, c.confidence) for c in graph.callees(qname, path, depth)}


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_language_query_compiles_and_finds_tags(language: str) -> None:
    samples = {
        "python": "def f(a):\n    g(a)\n",
        "javascript": "function f(a) { g(a); }",
        "typescript": "function f(a: number) { g(a); }",
        "tsx": "function f(a: number) { return g(a); }",
        "go": "package p\nfunc f(a int) { g(a) }",
        "java": "class A { void f(int a) { g(a); } }",
        "c": "void f(int a) { g(a); }",
        "cpp": "void f(int a) { g(a); }",
        "csharp": "class A { void f(int a) { g(a); } }",
        "ruby": "def f(a)\n  g(a)\nend\n",
        "php": "<?php function f($a) { g($a); }",
        "rust": "fn f(a: i32) { g(a); }",
    }
    tags = extract_tags(language, "x", samples[language])
    assert [d.name for d in tags.definitions if d.callable] == ["f"]
    assert [(r.name, r.arity) for r in tags.references] == [("g", 1)]
    assert tags.references[0].caller.endswith("f")


def test_parse_errors_keep_every_tag_they_can() -> None:
    text = "interface H<out K> { get(): K }\nexport function ok(a: number) { return helper(a) }\n"
    tags = extract_tags("typescript", "h.ts", text)
    assert tags.error_count > 0
    assert {d.qualified_name for d in tags.definitions} >= {"H", "ok"}
    assert [(r.name, r.caller) for r in tags.references] == [("helper", "ok")]


def test_python_same_file_import_alias_and_module_calls(graph: CallGraph) -> None:
    assert callers(graph, "helper", "py/app/util.py") == {
        ("py/app/models.py", 12, "Store._load", "imported"),
        ("py/app/main.py", 10, "run", "imported"),  # `from app.util import helper as bump`
    }
    # Same name in another module: only the call through `other.` reaches it.
    assert callers(graph, "helper", "py/app/other.py") == {
        ("py/app/main.py", 11, "run", "imported")
    }
    assert callers(graph, "Store._load", "py/app/models.py") == {
        ("py/app/models.py", 9, "Store.fetch", "exact")
    }
    assert callees(graph, "run", "py/app/main.py") == {
        ("py/app/models.py", "Store", "imported"),
        ("py/app/models.py", "Store.fetch", "name-only"),
        ("py/app/util.py", "helper", "imported"),
        ("py/app/other.py", "helper", "imported"),
        ("py/app/util.py", "fact", "imported"),
    }


def test_recursion_and_depth_two(graph: CallGraph) -> None:
    assert ("py/app/util.py", 8, "fact", "exact") in callers(graph, "fact", "py/app/util.py")
    deep = graph.callers("helper", "py/app/util.py", depth=2)
    assert {(c.caller, c.depth) for c in deep} >= {
        ("Store._load", 1),
        ("Store.fetch", 2),
        ("report", 2),
    }
    assert ("py/app/models.py", "Store._load", "exact") in callees(
        graph, "run", "py/app/main.py", depth=2
    )


def test_typescript_methods_and_imports(graph: CallGraph) -> None:
    assert callers(graph, "add", "ts/src/math.ts") == {
        ("ts/src/math.ts", 11, "Calc.sum", "exact"),
        ("ts/src/main.ts", 9, "main", "imported"),
    }
    assert callers(graph, "Calc.sum", "ts/src/math.ts") == {
        ("ts/src/math.ts", 7, "Calc.total", "exact")
    }
    assert ("ts/src/math.ts", "Calc", "imported") in callees(graph, "main", "ts/src/main.ts")


def test_go_receivers_packages_and_imports(graph: CallGraph) -> None:
    assert callers(graph, "Server.listen", "go/pkg/server/server.go") == {
        ("go/pkg/server/server.go", 12, "Server.Start", "exact")
    }
    assert callers(graph, "validate", "go/pkg/server/check.go") == {
        ("go/pkg/server/server.go", 16, "Server.listen", "exact")  # same package, other file
    }
    assert ("go/pkg/server/server.go", "New", "imported") in callees(
        graph, "main", "go/cmd/main.go"
    )


def test_java_overloads_by_arity(graph: CallGraph) -> None:
    path = "java/com/ex/Calc.java"
    assert callers(graph, "Calc.add", path, arity=2) == {(path, 13, "Calc.twice", "exact")}
    assert callers(graph, "Calc.add", path, arity=3) == {(path, 17, "Calc.thrice", "exact")}
    assert ("java/com/ex/Calc.java", "Calc", "imported") in callees(
        graph, "App.run", "java/com/ex/App.java"
    )


def test_rust_and_c(graph: CallGraph) -> None:
    assert callees(graph, "total", "rust/src/lib.rs") >= {
        ("rust/src/geo.rs", "area", "imported"),
        ("rust/src/geo.rs", "Shape.new", "exact"),
    }
    assert callers(graph, "Shape.scale", "rust/src/geo.rs") == {
        ("rust/src/geo.rs", 15, "Shape.perimeter", "exact")
    }
    assert callers(graph, "square", "c/util.c") == {("c/main.c", 4, "twice", "imported")}
    assert len(graph.callers("square", "c/util.c", depth=1)) == 2  # two calls on one line
    assert callees(graph, "main", "c/main.c", depth=2) == {
        ("c/main.c", "twice", "exact"),
        ("c/util.c", "square", "imported"),
    }


def test_external_imports_stay_unresolved() -> None:
    local = extract_tags("python", "a.py", "def join(a, b):\n    return a\n")
    user = extract_tags(
        "python", "b.py", "from os.path import join\n\ndef f():\n    return join('x', 'y')\n"
    )
    graph = CallGraph.build([local, user])
    assert graph.resolve(user.references[0]) == ()


def test_one_file_update_replaces_its_tags(graph: CallGraph) -> None:
    copy = CallGraph.build(graph.files.values())
    copy.replace_file(
        extract_tags(
            "python", "py/app/models.py", "from .util import helper\n\ndef other():\n    return 1\n"
        )
    )
    assert callers(copy, "helper", "py/app/util.py") == {("py/app/main.py", 10, "run", "imported")}
    assert copy.find("Store.fetch", "py/app/models.py") == []


def test_name_only_method_calls_follow_added_and_removed_files() -> None:
    """A call on an unknown receiver reaches every same-named method (up to three), so a file
    added, replaced or removed after the first lookup changes the answer."""
    call = extract_tags("ruby", "use.rb", "def go(x)\n  x.flush(1)\nend\n")
    first = extract_tags("ruby", "a.rb", "class A\n  def flush(n)\n  end\nend\n")
    graph = CallGraph.build([call, first])

    def reached() -> set[str]:
        return {d.path for d, _ in graph.resolve(call.references[0])}

    assert reached() == {"a.rb"}
    graph.replace_file(extract_tags("ruby", "b.rb", "class B\n  def flush(n)\n  end\nend\n"))
    assert reached() == {"a.rb", "b.rb"}
    graph.replace_file(extract_tags("ruby", "b.rb", "class B\n  def other(n)\n  end\nend\n"))
    assert reached() == {"a.rb"}
    graph.remove_file("a.rb")
    assert reached() == set()


# -- signature change on real git repositories ------------------------------------------


def _unit(path: str, name: str, lines: tuple[int, ...]) -> ChangeUnit:
    return ChangeUnit(path, "python", "function", name, None, Span.lines(1, 3), "", "", lines, ())


def _review(git_repo, files_before: dict[str, str], files_after: dict[str, str], unit: ChangeUnit):
    for path, text in files_before.items():
        git_repo.write(path, text)
    git_repo.commit("base")
    for path, text in files_after.items():
        git_repo.write(path, text)
    changed = git_repo.git("diff", "--name-only").split()
    old = [extract_tags("python", p, git_repo.git("show", f"HEAD:{p}")) for p in changed]
    tracked = git_repo.git("ls-files").split()
    new = [extract_tags("python", p, (git_repo.root / p).read_text()) for p in tracked]
    graph = CallGraph.build(new)
    old_defs = [d for t in old for d in t.definitions]
    new_defs = [d for t in new if t.path in changed for d in t.definitions]
    return signature_change_findings([unit], old_defs, new_defs, graph)


def test_added_parameter_flags_callers_not_updated(git_repo) -> None:
    before = {
        "lib.py": "def area(w, h):\n    return w * h\n",
        "a.py": "from lib import area\n\ndef one():\n    return area(1, 2)\n",
        "b.py": "from lib import area\n\ndef two():\n    return area(3, 4)\n",
    }
    after = {
        "lib.py": "def area(w, h, depth):\n    return w * h * depth\n",
        "a.py": "from lib import area\n\ndef one():\n    return area(1, 2, 3)\n",
    }
    findings = _review(git_repo, before, after, _unit("lib.py", "area", (1, 2)))
    assert len(findings) == 1
    finding = findings[0]
    assert (finding.rule, finding.source, finding.severity) == (
        "callgraph.signature-change",
        "callgraph",
        Severity.WARNING,
    )
    assert [(loc.path, loc.span.start_line) for loc in finding.related] == [("b.py", 4)]
    assert "(w, h) to (w, h, depth)" in finding.message


def test_renamed_parameter_flags_keyword_callers_only(git_repo) -> None:
    before = {
        "lib.py": "def scale(value, factor=2):\n    return value * factor\n",
        "use.py": "from lib import scale\n\ndef f():\n    return scale(1, factor=3) + scale(2, 4)\n",
    }
    after = {"lib.py": "def scale(value, ratio=2):\n    return value * ratio\n"}
    findings = _review(git_repo, before, after, _unit("lib.py", "scale", (1, 2)))
    assert len(findings) == 1
    assert [loc.message.split(":")[0] for loc in findings[0].related] == [
        "f passes removed keyword factor"
    ]


def test_compatible_change_is_silent(git_repo) -> None:
    before = {
        "lib.py": "def area(w, h):\n    return w * h\n",
        "a.py": "from lib import area\n\ndef one():\n    return area(1, 2)\n",
    }
    after = {"lib.py": "def area(w, h, depth=1):\n    return w * h * depth\n"}
    assert _review(git_repo, before, after, _unit("lib.py", "area", (1, 2))) == []
