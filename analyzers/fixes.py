"""Applying and validating fixes: text edits on the new file that must keep it parseable.

A fix is only worth offering when applying it cannot make things worse. :func:`validate_fix`
checks the three ways a mechanical edit goes wrong: it does not apply (spans outside the
text or overlapping), it breaks the syntax (more tree-sitter error nodes than before), or it
breaks the indentation (tabs where the block uses spaces, a Python block indented
inconsistently). The deterministic checks and the LLM reviewer both go through here.

Positions follow :mod:`tactful.analyzers.model`: 1-based lines, 0-based code-point
columns, end exclusive. A span may end at ``(last line + 1, 0)``, the end of the text.
"""

from __future__ import annotations

import io
import itertools
import tokenize
from collections.abc import Sequence

import tree_sitter as ts
from tactful.analyzers.languages import ParseTooSlow, bounded_parse, count_error_nodes, parse
from tactful.analyzers.model import Fix, Span, TextEdit
from tactful.analyzers.text import line_offsets


class FixError(ValueError):
    """An edit that cannot be applied: out of range or overlapping another edit."""


def apply_edits(text: str, edits: Sequence[TextEdit]) -> str:
    """Return ``text`` with every edit applied; spans refer to the original ``text``.

    Raises :class:`FixError` when a span lies outside the text, ends before it starts, or
    overlaps another edit (two insertions at the same point count as overlapping, since
    their order would be a guess).
    """
    return _apply(text, line_offsets(text), edits)


def _apply(text: str, starts: Sequence[int], edits: Sequence[TextEdit]) -> str:
    ranges = sorted(
        (
            (
                _offset(text, starts, e.span.start_line, e.span.start_col),
                _offset(text, starts, e.span.end_line, e.span.end_col),
                e.new_text,
            )
            for e in edits
        ),
        key=lambda r: (r[0], r[1]),
    )
    for start, end, _ in ranges:
        if end < start:
            raise FixError(f"edit ends before it starts (offsets {start}..{end})")
    for (a_start, a_end, _), (b_start, b_end, _) in zip(ranges, ranges[1:], strict=False):
        if b_start < a_end or (a_start == a_end == b_start == b_end):
            raise FixError(f"edits overlap at offset {b_start}")
    pieces: list[str] = []
    cursor = 0
    for start, end, new_text in ranges:
        pieces.append(text[cursor:start])
        pieces.append(new_text)
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)


def validate_fix(text: str, fix: Fix, language: str | None) -> str | None:
    """None when ``fix`` applies cleanly to ``text``; otherwise the reason, in one line."""
    return FixValidator(text, language).check(fix)


class FixValidator:
    """Validates many fixes against one text, parsing the original once.

    Each fix is re-parsed incrementally from the original tree, so checking the fixes of a
    large file costs about one parse, not one per fix.
    """

    def __init__(self, text: str, language: str | None, tree: ts.Tree | None = None) -> None:
        self.text = text
        self.language = language
        self._lines = text.split("\n")
        self._starts = line_offsets(text)
        self._byte_starts = list(
            itertools.accumulate((len(line.encode("utf-8")) + 1 for line in self._lines), initial=0)
        )
        self._tree = tree if tree is not None or language is None else parse(language, text)
        self._errors_before = count_error_nodes(self._tree) if self._tree is not None else 0

    def check(self, fix: Fix) -> str | None:
        """None when ``fix`` is safe to offer; otherwise the reason, in one line."""
        if not fix.edits:
            return "fix has no edits"
        try:
            result = _apply(self.text, self._starts, fix.edits)
        except FixError as exc:
            return f"fix does not apply: {exc}"
        if self.language is not None:
            try:
                errors_after = count_error_nodes(self._reparse(fix.edits, result))
            except ParseTooSlow as exc:
                return f"fix not checked: {exc}"
            if errors_after > self._errors_before:
                return f"fix breaks the syntax: {errors_after} error nodes after, {self._errors_before} before"
        for edit in fix.edits:
            reason = _indentation_problem(self._lines, edit, python=self.language == "python")
            if reason:
                return reason
        if self.language == "python" and not self._python_region_ok(result, fix.edits):
            return "fix leaves Python indentation inconsistent"
        return None

    def _reparse(self, edits: Sequence[TextEdit], result: str) -> ts.Tree:
        assert self.language is not None and self._tree is not None
        tree = self._tree.copy()
        # Describe the edits to the old tree from the last to the first, so positions stay valid.
        for edit in sorted(
            edits, key=lambda e: (e.span.start_line, e.span.start_col), reverse=True
        ):
            start_point = self._point(edit.span.start_line, edit.span.start_col)
            old_end_point = self._point(edit.span.end_line, edit.span.end_col)
            start_byte = self._byte_starts[start_point[0]] + start_point[1]
            old_end_byte = self._byte_starts[old_end_point[0]] + old_end_point[1]
            inserted = edit.new_text.encode("utf-8")
            rows = inserted.count(b"\n")
            new_end_point = (
                (start_point[0] + rows, len(inserted) - inserted.rfind(b"\n") - 1)
                if rows
                else (start_point[0], start_point[1] + len(inserted))
            )
            tree.edit(
                start_byte,
                old_end_byte,
                start_byte + len(inserted),
                start_point,
                old_end_point,
                new_end_point,
            )
        changed = sum(len(edit.new_text.encode("utf-8")) + 1 for edit in edits)
        return bounded_parse(self.language, result.encode("utf-8"), tree, changed=changed)

    def _point(self, line: int, col: int) -> tuple[int, int]:
        """(row, byte column) of a position, as tree-sitter counts; the end of text is allowed."""
        row = line - 1
        if row >= len(self._lines):
            return len(self._lines) - 1, len(self._lines[-1].encode("utf-8"))
        return row, len(self._lines[row][:col].encode("utf-8"))

    def _python_region_ok(self, result: str, edits: Sequence[TextEdit]) -> bool:
        """Python's tokenizer accepts the edited top-level statement(s) unless it rejected them before.

        Only the region from the top-level line before the first edit to the top-level line
        after the last one is tokenized, in both versions, so large files stay cheap.
        """
        first = min(e.span.start_line for e in edits)
        last = max(e.span.end_line for e in edits)
        begin, end = _top_level_region(self._lines, first, last)
        start = self._starts[begin]
        stop = self._starts[end] if end < len(self._starts) else len(self.text)
        before = self.text[start:stop]
        after = result[start : stop + len(result) - len(self.text)]
        return _tokenizes(after) or not _tokenizes(before)


def _offset(text: str, starts: Sequence[int], line: int, col: int) -> int:
    if col < 0 or line < 1:
        raise FixError(f"position {line}:{col} is outside the text")
    if line == len(starts) + 1 and col == 0:  # the end of a text with no final newline
        return len(text)
    if line > len(starts):
        raise FixError(f"line {line} is past the end of the text ({len(starts)} lines)")
    begin = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)
    if col > end - begin:
        raise FixError(f"column {col} is past the end of line {line} ({end - begin} characters)")
    return begin + col


def _leading_whitespace(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def _indent_kind(indent: str) -> str:
    if not indent:
        return ""
    if "\t" in indent:
        return "tab" if indent.strip("\t") == "" else "mixed"
    return "space"


def _indentation_problem(lines: list[str], edit: TextEdit, *, python: bool) -> str | None:
    """Lines the edit writes must indent like the lines they replace (or their neighbours)."""
    new_lines = edit.new_text.split("\n")
    # The first piece continues the line where the span starts unless the span starts a line.
    written = new_lines if edit.span.start_col == 0 else new_lines[1:]
    written = [line for line in written if line.strip()]
    if not written:
        return None
    reference = _reference_indent(lines, edit.span)
    if reference is None:
        return None
    ref_kind = _indent_kind(reference)
    for line in written:
        indent = _leading_whitespace(line)
        kind = _indent_kind(indent)
        if kind and ref_kind and kind != ref_kind:
            return (
                f"fix indents with {kind}s where the code uses {ref_kind}s: {line.strip()[:40]!r}"
            )
        if python and not (indent.startswith(reference) or reference.startswith(indent)):
            return f"fix indentation {indent!r} does not line up with the block's {reference!r}"
    return None


def _reference_indent(lines: list[str], span: Span) -> str | None:
    """Indentation of the first non-blank line the span replaces, else the nearest one above/below."""
    last = span.last_line
    candidates = list(range(span.start_line, min(last, len(lines)) + 1))
    candidates += list(range(span.start_line - 1, 0, -1)) + list(range(last + 1, len(lines) + 1))
    for number in candidates:
        line = lines[number - 1]
        if line.strip():
            return _leading_whitespace(line)
    return None


def _top_level_region(lines: list[str], first: int, last: int) -> tuple[int, int]:
    """0-based [begin, end) line indexes: from the top-level line at or before ``first`` to the next after ``last``."""

    def top_level(index: int) -> bool:
        line = lines[index]
        return bool(line.strip()) and not line[0].isspace() and line[0] not in ")]}#"

    begin = min(max(first - 1, 0), len(lines) - 1)
    while begin > 0 and not top_level(begin):
        begin -= 1
    end = min(max(last, begin + 1), len(lines))
    while end < len(lines) and not top_level(end):
        end += 1
    return begin, end


def _tokenizes(source: str) -> bool:
    try:
        for _ in tokenize.generate_tokens(io.StringIO(source).readline):
            pass
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return False
    return True
