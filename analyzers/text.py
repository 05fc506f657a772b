"""Line arithmetic on text: where lines start, and the text of a :class:`Span`.

Positions follow :mod:`tactful.analyzers.model`: 1-based lines, 0-based code-point
columns, end exclusive. Offsets are code-point indexes into the ``str``. A column past the
end of its line is clamped to the line's end (the newline itself stays outside), and a line
past the end of the text means the end of the text, so a stale span never raises.
"""

from __future__ import annotations

from collections.abc import Sequence

from tactful.analyzers.model import Span


def line_offsets(text: str) -> tuple[int, ...]:
    """Offset of the first character of each line; index 0 is line 1.

    A text ending in a newline has an empty last line after it, as editors count.
    """
    offsets = [0]
    find = text.find
    position = find("\n")
    while position != -1:
        offsets.append(position + 1)
        position = find("\n", position + 1)
    return tuple(offsets)


def offset_of(text: str, line: int, col: int, offsets: Sequence[int] | None = None) -> int:
    """The offset of (``line``, ``col``) in ``text``, clamped into the text and its line.

    Pass ``offsets`` (from :func:`line_offsets`) when converting many positions.
    """
    starts = line_offsets(text) if offsets is None else offsets
    if line < 1:
        return 0
    if line > len(starts):
        return len(text)
    start = starts[line - 1]
    end = starts[line] - 1 if line < len(starts) else len(text)  # the line's newline, or the end
    if end > start and text[end - 1] == "\r" and line < len(starts):
        end -= 1  # keep a CRLF pair outside the line, too
    return start + min(max(col, 0), end - start)


def span_text(text: str, span: Span, offsets: Sequence[int] | None = None) -> str:
    """The text that ``span`` covers (a span ending at column 0 takes its last newline)."""
    starts = line_offsets(text) if offsets is None else offsets
    begin = offset_of(text, span.start_line, span.start_col, starts)
    if span.end_col == 0 and 1 < span.end_line <= len(starts):
        end = starts[span.end_line - 1]  # the start of the line after: keeps the newline
    else:
        end = offset_of(text, span.end_line, span.end_col, starts)
    return text[begin : max(begin, end)]


def line_range_text(text: str, first: int, last: int, offsets: Sequence[int] | None = None) -> str:
    """Lines ``first``..``last`` (1-based, inclusive) without the final newline."""
    starts = line_offsets(text) if offsets is None else offsets
    first = max(first, 1)
    if first > len(starts) or last < first:
        return ""
    end = starts[last] - 1 if last < len(starts) else len(text)
    return text[starts[first - 1] : end].removesuffix("\r")
