"""The language server's pure parts: positions, buffer diffs and settings."""

from __future__ import annotations

import random

import pytest
from lsprotocol import types
from tactful.analyzers.diff import parse_diff
from tactful.analyzers.model import Finding, Severity, Span
from tactful.analyzers.patch import apply_file_change
from tactful.analyzers.textdiff import split_lines, unified_diff
from tactful.server.lsp import config
from tactful.server.lsp.convert import from_range, severity_table, to_diagnostic, to_range
from tactful.server.settings import Settings

UTF8, UTF16, UTF32 = (
    types.PositionEncodingKind.Utf8,
    types.PositionEncodingKind.Utf16,
    types.PositionEncodingKind.Utf32,
)


@pytest.mark.parametrize(
    ("encoding", "start", "end"),
    [
        pytest.param(UTF16, 5, 8, id="utf-16: the emoji is a surrogate pair"),
        pytest.param(UTF8, 5, 11, id="utf-8: é is 2 bytes, the emoji 4"),
        pytest.param(UTF32, 5, 7, id="utf-32: code points"),
    ],
)
def test_positions_in_each_encoding(encoding: str, start: int, end: int):
    lines = ["first\n", 'x = "é😋" + y\n']
    span = Span(2, 5, 2, 7)  # code points: é and the emoji
    rng = to_range(lines, span, encoding)
    assert (rng.start.line, rng.start.character, rng.end.character) == (1, start, end)
    assert from_range(lines, rng, encoding) == span


def test_diagnostic_carries_rule_fingerprint_and_related_places():
    from tactful.analyzers.model import Location

    finding = Finding(
        "a.py",
        Span(1, 0, 1, 3),
        Severity.INFO,
        "py.x",
        "msg",
        unit="f",
        code="abc",
        related=(Location("b.py", Span(3, 0, 3, 1), "caller"),),
    )
    table = severity_table({"info": "hint", "bogus": "error"})
    diag = to_diagnostic(
        finding, ["abc\n"], UTF16, table, 4, lambda p: f"file:///r/{p}", lambda p: ["", "", "x\n"]
    )
    assert (diag.source, diag.code, diag.severity) == (
        "tactful",
        "py.x",
        types.DiagnosticSeverity.Hint,
    )
    assert diag.data == {
        "fingerprint": finding.fingerprint,
        "suggestionId": f"{finding.fingerprint}:4",
    }
    (related,) = diag.related_information
    assert related.location.uri == "file:///r/b.py" and related.location.range.start.line == 2


@pytest.mark.parametrize(
    ("old", "new"),
    [
        pytest.param("a\nb\nc\n", "a\nB\nc\n", id="one line"),
        pytest.param("a\nb", "a\nb\n", id="newline added at the end"),
        pytest.param("a\nb\n", "a\nb", id="newline removed at the end"),
        pytest.param("", "x\n", id="empty base"),
    ],
)
def test_buffer_diff_applies_back_to_the_buffer(old: str, new: str):
    (file,) = parse_diff(unified_diff("f.py", old, new)).files
    assert apply_file_change(old, file) == new


def test_buffer_diff_of_long_file_matches_random_edits():
    rng = random.Random(7)
    old_lines = [f"line {i}\n" for i in range(3000)]
    for _ in range(20):
        new_lines = list(old_lines)
        for _ in range(rng.randint(1, 4)):
            at = rng.randrange(len(new_lines))
            action = rng.choice(["insert", "delete", "change"])
            if action == "insert":
                new_lines.insert(at, "new\n")
            elif action == "delete":
                new_lines.pop(at)
            else:
                new_lines[at] = "changed\n"
        old, new = "".join(old_lines), "".join(new_lines)
        (file,) = parse_diff(unified_diff("f.py", old, new)).files
        assert apply_file_change(old, file) == new


def test_new_file_diff_and_no_change():
    (file,) = parse_diff(unified_diff("pkg/new.py", None, "x = 1\n")).files
    assert file.status.value == "added" and file.added_lines == (1,)
    assert unified_diff("f.py", "same\n", "same\n") == ""
    assert split_lines("a\nb") == ["a\n", "b"]
    # Only \n breaks lines (as in git and tree-sitter), not form feeds or U+2028.
    (file,) = parse_diff(unified_diff("f.py", "a\x0cb\u2028c\nd\n", "a\x0cb\u2028c\nD\n")).files
    assert file.added_lines == (2,) and file.removed_lines == (2,)


def test_client_settings_layer_over_repository_and_report_problems():
    base = Settings()
    settings, errors = config.client_settings(
        {"tactful": {"lsp": {"debounceMs": 0, "mergeBaseWith": "origin/main"}}}, base
    )
    assert (
        errors == []
        and settings.lsp.debounce_ms == 0
        and settings.lsp.merge_base_with == "origin/main"
    )
    settings, errors = config.client_settings(
        {"lsp": {"debounceMs": -5, "severityMap": {"warning": "loud"}}}, base
    )
    assert settings.lsp == base.lsp
    assert any("debounceMs" in e for e in errors) and any("loud" in e for e in errors)
    assert config.client_settings(None, base) == (base, [])
