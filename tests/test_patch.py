"""Applying parsed diffs in memory, and rebuilding files from a bare patch."""

from __future__ import annotations

import pytest
from tactful.analyzers.diff import parse_diff
from tactful.analyzers.patch import (
    PatchMismatch,
    apply_file_change,
    sparse_new_text,
    sparse_old_text,
)


def _apply(old: str, diff: str) -> str:
    (file,) = parse_diff(diff).files
    return apply_file_change(old, file)


def test_applies_hunks_in_order() -> None:
    old = "a\nb\nc\nd\ne\n"
    diff = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n-a\n+A\n b\n@@ -4,2 +4,3 @@\n d\n+D2\n e\n"
    assert _apply(old, diff) == "A\nb\nc\nd\nD2\ne\n"


def test_crlf_files_keep_their_line_endings() -> None:
    old = "one\r\ntwo\r\n"
    diff = "--- a/x\n+++ b/x\n@@ -1,2 +1,3 @@\n one\r\n+new\r\n two\r\n"
    assert _apply(old, diff) == "one\r\nnew\r\ntwo\r\n"


def test_form_feed_is_not_a_line_break() -> None:
    old = "a\x0cb\nc\n"
    diff = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\x0cb\n-c\n+C\n"
    assert _apply(old, diff) == "a\x0cb\nC\n"


def test_missing_newline_at_end_is_kept() -> None:
    old = "a\nb\n"
    diff = "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n\\ No newline at end of file\n"
    assert _apply(old, diff) == "a\nc"


def test_mismatch_names_the_line() -> None:
    with pytest.raises(PatchMismatch, match="old line 2"):
        _apply("a\nX\n", "--- a/x\n+++ b/x\n@@ -1,2 +1,2 @@\n a\n-b\n+c\n")


def test_sparse_texts_keep_line_numbers() -> None:
    diff = "--- a/x\n+++ b/x\n@@ -3,2 +3,3 @@\n c\n+new\n d\n"
    (file,) = parse_diff(diff).files
    assert sparse_new_text(file).split("\n")[2:5] == ["c", "new", "d"]
    assert sparse_old_text(file).split("\n")[2:4] == ["c", "d"]
