"""Language detection and the tree-sitter plumbing (cached and incremental parses)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tactful.analyzers import languages as L
from tactful.analyzers.diff import parse_hunk
from tactful.analyzers.patch import apply_file_change

CODEREVIEWER = Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer"


@pytest.mark.parametrize(
    ("path", "text", "language"),
    [
        ("a/b.py", None, "python"),
        ("x.tsx", None, "tsx"),
        ("x.h", None, "c"),
        ("x.hpp", None, "cpp"),
        ("Program.cs", None, "csharp"),
        ("Rakefile", None, "ruby"),
        ("bin/tool", "#!/usr/bin/env python3\nprint(1)\n", "python"),
        ("bin/run", "#!/usr/bin/node\n", "javascript"),
        ("notes.txt", "hello", None),
    ],
)
def test_detect_language(path: str, text: str | None, language: str | None) -> None:
    assert L.detect_language(path, text) == language


def test_aliases_from_codereviewer() -> None:
    assert [L.normalize_language(x) for x in ("py", ".cs", "rb", "js", "cpp", "go", "cobol")] == [
        "python", "csharp", "ruby", "javascript", "cpp", "go", None,
    ]  # fmt: skip


def test_tsx_query_inherits_typescript() -> None:
    tsx = L.load_query("tactful.analyzers.queries", "tsx.scm", "tsx")
    typescript = L.load_query("tactful.analyzers.queries", "typescript.scm", "typescript")
    assert tsx.pattern_count == typescript.pattern_count > 0


def test_incremental_parse_equals_a_fresh_parse_on_real_changes() -> None:
    if not CODEREVIEWER.is_dir():
        pytest.skip(f"{CODEREVIEWER} not available")
    compared = 0
    for name in ("quality-estimation-100.jsonl", "msg-test-100.jsonl"):
        for line in (CODEREVIEWER / name).read_text("utf-8").splitlines():
            record = json.loads(line)
            language = L.normalize_language(record["lang"])
            assert language is not None
            new = apply_file_change(record["oldf"], parse_hunk(record["patch"], "x"), strict=False)
            old_data, new_data = record["oldf"].encode(), new.encode()
            incremental = L.parse_edited(
                language, L.parse_cached(language, old_data), old_data, new_data
            )
            assert str(incremental.root_node) == str(L.parse(language, new_data).root_node)
            compared += 1
    assert compared == 200


def test_cached_parse_returns_independent_copies() -> None:
    data = b"def f():\n    return 1\n"
    first, second = L.parse_cached("python", data), L.parse_cached("python", data)
    assert first is not second
    first.edit(0, 3, 3, (0, 0), (0, 3), (0, 3))
    assert str(second.root_node) == str(L.parse("python", data).root_node)
