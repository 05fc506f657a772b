"""The two definition extractors agree: change units and the call graph name code alike.

``analyzers/definitions.py`` (``queries/*.scm``) finds the definitions that change units are
made of; ``callgraph/tags.py`` (``callgraph/queries/*.scm``) finds the ones the repository
index links callers to. ``server/index.py`` joins them by qualified name, so they must give
the same definitions with the same qualified names and end lines (start lines differ on
purpose: a change unit grows over its decorators, template header or ``export``).

Compared on the syntax samples of all eleven languages (tests/data/syntax), on a real module
of the standard library, and on real files of the benchmark corpus (sdists unpacked under
``~/.cache/tactful/bench-corpus`` by bench/; skipped where absent). The differences that
are by design are listed in ``BY_DESIGN``; the one known disagreement is an xfail.
"""

from __future__ import annotations

import json
import sysconfig
from collections import Counter
from pathlib import Path

import pytest
from tactful.analyzers.callgraph.tags import extract_tags
from tactful.analyzers.definitions import definitions
from tactful.analyzers.languages import detect_language

DATA = Path(__file__).parent / "data" / "syntax"
CORPUS = Path.home() / ".cache" / "tactful" / "bench-corpus" / "trees"
FAMILY = {"function": "callable", "method": "callable", "constructor": "callable"}
"""Kinds compared as families: callables and containers (Ruby's top-level ``def`` is a
``method`` of ``Object`` to the graph and a ``function`` to change units)."""

CORPUS_FILES = {
    "c": "cjson-1.7.18-*/tree/cJSON.c",
    "cpp": "pugixml-1.14-*/tree/src/pugixml.cpp",
    "csharp": "newtonsoft-json-6.0.8-*/tree/Src/Newtonsoft.Json/JsonReader.cs",
    "go": "lib-pq-1.10.9-*/tree/rows.go",
    "java": "commons-cli-1.6.0-*/tree/src/main/java/org/apache/commons/cli/Options.java",
    "javascript": "ws-8.14.2-*/tree/lib/websocket.js",
    "php": "phpmailer-6.9.3-*/tree/src/SMTP.php",
    "ruby": "cjson-1.7.18-*/tree/tests/unity/extras/fixture/rakefile_helper.rb",
    "rust": "rpds-py-0.18.0-*/tree/src/lib.rs",
    "typescript": "trpc-server-10.45.2-*/tree/src/transformer.ts",
}


def by_design(language: str, only_units: Counter, only_graph: Counter) -> tuple[Counter, Counter]:
    """Drop the differences each extractor has on purpose; what is left is a disagreement."""

    def keep(items: Counter, drop) -> Counter:
        return Counter({k: v for k, v in items.items() if not drop(k)})

    if language == "rust":  # an ``impl`` block is a change unit's container, not a callee
        only_units = keep(only_units, lambda k: k[1] == "container")
    if language == "csharp":  # a property is a change unit (a method), never called with ()
        only_units = keep(only_units, lambda k: k[1] == "callable")
    if language == "c":  # a typedef'd struct is a container of a change unit, not a callee
        only_units = keep(only_units, lambda k: k[1] == "container")
    if language in ("typescript", "tsx"):  # an interface's method signature has no body to change
        only_graph = keep(only_graph, lambda k: k[1] == "callable" and "." in k[0])
    return only_units, only_graph


def differences(language: str, path: str, text: str) -> tuple[Counter, Counter]:
    units = Counter(
        (d.qualified_name, FAMILY.get(d.kind, "container"), d.span.end_line)
        for d in definitions(language, text)
    )
    graph = Counter(
        (d.qualified_name, FAMILY.get(d.kind, "container"), d.end_line)
        for d in extract_tags(language, path, text).definitions
    )
    return by_design(language, units - graph, graph - units)


def samples() -> list[Path]:
    return sorted(DATA.glob("*.old")) + sorted(DATA.glob("*.new"))


@pytest.mark.parametrize("path", samples(), ids=lambda p: p.name)
def test_syntax_samples(path: Path) -> None:
    text = path.read_text("utf-8")
    language = detect_language(f"x.{_extension(path.stem)}", text)
    assert language is not None
    only_units, only_graph = differences(language, path.name, text)
    assert (dict(only_units), dict(only_graph)) == ({}, {})
    assert definitions(language, text), "the sample defines something"


def test_samples_cover_eleven_languages() -> None:
    languages = {detect_language(f"x.{_extension(p.stem)}", "") for p in samples()}
    assert len(languages - {"tsx"}) == 11


def test_a_real_standard_library_module() -> None:
    path = Path(sysconfig.get_paths()["stdlib"]) / "json" / "decoder.py"
    text = path.read_text("utf-8")
    only_units, only_graph = differences("python", str(path), text)
    assert (dict(only_units), dict(only_graph)) == ({}, {})
    assert len(definitions("python", text)) > 5


KNOWN = {
    "cpp": "names under C++ macros (PUGI_IMPL_FN ...) differ between the extractors",
    "csharp": "a nested C# enum is a container to the graph, not to change units (queries/c_sharp.scm)",
    "typescript": "an arrow function in an object literal is a definition to the graph only",
}
"""Disagreements found by this test and not fixed yet: strict, so a fix shows up here."""


@pytest.mark.parametrize(
    "language",
    [pytest.param(language, marks=pytest.mark.xfail(strict=True, reason=KNOWN[language])) if language in KNOWN
     else language for language in sorted(CORPUS_FILES)],
)  # fmt: skip
def test_real_files_from_the_corpus(language: str) -> None:
    found = sorted(CORPUS.glob(CORPUS_FILES[language])) if CORPUS.is_dir() else []
    if not found:
        pytest.skip(f"benchmark corpus not unpacked here ({CORPUS_FILES[language]})")
    text = found[0].read_text("utf-8", "replace")
    only_units, only_graph = differences(language, str(found[0]), text)
    assert json.dumps(sorted(only_units)) == "[]" and json.dumps(sorted(only_graph)) == "[]"


def _extension(stem: str) -> str:
    return {"python": "py", "javascript": "js", "typescript": "ts", "tsx": "tsx", "csharp": "cs", "ruby": "rb",
            "rust": "rs", "go": "go", "java": "java", "c": "c", "cpp": "cpp", "php": "php"}[stem]  # fmt: skip
