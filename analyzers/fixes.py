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
import tokenize
from collections.abc import Sequence

from tactful.analyzers.languages import count_error_nodes, parse
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
    starts = line_offsets(text)
    ranges = sorted(
        ((_offset(text, starts, e.span.start_line, e.span.start_col),
          _offset(text, starts, e.span.end_line, e.span.end_col), e.new_text) for e in edits),
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
    return validate_fix_with_baseline(text, fix, language, None)


def validate_fix_with_baseline(
    text: str, fix: Fix, language: str | None, errors_before: int | None
) -> str | None:
    """:func:`validate_fix`, reusing an already counted number of error nodes in ``text``."""
    if not fix.edits:
        return "fix has no edits"
    try:
        result = apply_edits(text, fix.edits)
    except FixError as exc:
        return f"fix does not apply: {exc}"
    if language is not None:
        if errors_before is None:
            errors_before = count_error_nodes(parse(language, text))
        errors_after = count_error_nodes(parse(language, result))
        if errors_after > errors_before:
            return f"fix breaks the syntax: {errors_after} error nodes after, {errors_before} before"
    for edit in fix.edits:
        reason = _indentation_problem(text, edit, python=language == "python")
        if reason:
            return reason
    if language == "python" and _python_indentation_ok(text) and not _python_indentation_ok(result):
        return "fix leaves Python indentation inconsistent"
    return None


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


def _indentation_problem(text: str, edit: TextEdit, *, python: bool) -> str | None:
    """Lines the edit writes must indent like the lines they replace (or their neighbours)."""
    new_lines = edit.new_text.split("\n")
    # The first piece continues the line where the span starts unless the span starts a line.
    written = new_lines if edit.span.start_col == 0 else new_lines[1:]
    written = [line for line in written if line.strip()]
    if not written:
        return None
    reference = _reference_indent(text, edit.span)
    if reference is None:
        return None
    ref_kind = _indent_kind(reference)
    for line in written:
        indent = _leading_whitespace(line)
        kind = _indent_kind(indent)
        if kind and ref_kind and kind != ref_kind:
            return f"fix indents with {kind}s where the code uses {ref_kind}s: {line.strip()[:40]!r}"
        if python and not (indent.startswith(reference) or reference.startswith(indent)):
            return f"fix indentation {indent!r} does not line up with the block's {reference!r}"
    return None


def _reference_indent(text: str, span: Span) -> str | None:
    """Indentation of the first non-blank line the span replaces, else the nearest one above/below."""
    lines = text.split("\n")
    last = span.end_line - 1 if span.end_col == 0 and span.end_line > span.start_line else span.end_line
    candidates = list(range(span.start_line, min(last, len(lines)) + 1))
    candidates += list(range(span.start_line - 1, 0, -1)) + list(range(last + 1, len(lines) + 1))
    for number in candidates:
        line = lines[number - 1]
        if line.strip():
            return _leading_whitespace(line)
    return None


def _python_indentation_ok(source: str) -> bool:
    try:
        for _ in tokenize.generate_tokens(io.StringIO(source).readline):
            pass
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return False
    return True
