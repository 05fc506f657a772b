"""The edited blocks of a hunk: each run of removed lines with the added lines after it.

Rules that compare a line with the line it replaced (a swapped call, a changed bound) pair
them within these blocks; numbering both sides lets a finding point at either version.
"""

from __future__ import annotations

from collections.abc import Iterator

from tactful.analyzers.model import Hunk


def edit_blocks(hunk: Hunk) -> Iterator[tuple[list[tuple[int, str]], list[tuple[int, str]]]]:
    """Each run of removed lines with the added lines that follow it, with line numbers."""
    old_line, new_line = hunk.old_start, hunk.new_start
    removed: list[tuple[int, str]] = []
    added: list[tuple[int, str]] = []
    for raw in hunk.lines:
        tag, body = raw[:1], raw[1:]
        if tag == "-":
            if added:  # an added run ends here; it pairs only with removed lines before it
                if removed:
                    yield removed, added
                removed, added = [], []
            removed.append((old_line, body))
            old_line += 1
        elif tag == "+":
            added.append((new_line, body))
            new_line += 1
        elif tag == " ":
            if removed and added:
                yield removed, added
            removed, added = [], []
            old_line += 1
            new_line += 1
    if removed and added:
        yield removed, added
