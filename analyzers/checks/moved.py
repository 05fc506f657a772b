"""Added lines that only repeat code the change also removed: moved, re-indented, re-commented.

A line whose text (up to whitespace) the change also removed was moved or re-indented; a
line whose code, before any trailing comment, the change also removed only had its comment
edited (a ``# noqa`` dropped, a note added). What the code on such a line says predates the
change, so a rule about that code has nothing new to say; a rule about the comment (a TODO
added after the code) still does, since its hit starts inside the comment.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext


@dataclass(frozen=True)
class MovedLines:
    """Where new code repeats old code: whole lines, and lines up to a trailing comment."""

    whole: frozenset[int] = frozenset()
    code_before: tuple[tuple[int, int], ...] = ()
    """(line, column where its trailing comment starts) for lines whose code was kept."""

    def __bool__(self) -> bool:
        return bool(self.whole or self.code_before)

    def covers(self, line: int, column: int) -> bool:
        """True when the text at ``line``:``column`` is old code."""
        if line in self.whole:
            return True
        return any(n == line and column < cut for n, cut in self.code_before)


def normalised(line: str) -> str:
    return " ".join(line.split())


def moved_lines(ctx: CheckContext) -> MovedLines:
    if ctx.old_text is None or not ctx.added:
        return MovedLines()
    removed_rows = sorted(ctx.removed)
    removed = {normalised(ctx.old_line(n)) for n in removed_rows}
    removed.discard("")
    if not removed:
        return MovedLines()
    whole = frozenset(n for n in ctx.added if normalised(ctx.line(n)) in removed)
    candidates = sorted(n for n in ctx.added if n not in whole)
    if not candidates or ctx.tree is None or ctx.old_tree is None:
        return MovedLines(whole)
    new_cuts = _comment_starts(ctx.tree, candidates)
    old_cuts = _comment_starts(ctx.old_tree, removed_rows)
    if not new_cuts and not old_cuts:
        return MovedLines(whole)
    old_code = removed | {normalised(_before(ctx.old_line(n), c)) for n, c in old_cuts.items()}
    old_code.discard("")
    kept = []
    for n in candidates:
        line = ctx.line(n)
        cut = new_cuts.get(n)
        code = normalised(_before(line, cut) if cut is not None else line)
        if code and code in old_code:
            kept.append((n, _column(line, cut) if cut is not None else len(line) + 1))
    return MovedLines(whole, tuple(kept))


def _before(line: str, byte_col: int) -> str:
    return line.encode("utf-8")[:byte_col].decode("utf-8", "ignore")


def _column(line: str, byte_col: int) -> int:
    return len(_before(line, byte_col))


def _comment_starts(tree: ts.Tree, lines: Iterable[int]) -> dict[int, int]:
    """Byte column where a comment starts after code, for each 1-based line that has one."""
    wanted = set(lines)
    if not wanted:
        return {}
    low, high = min(wanted) - 1, max(wanted) - 1
    out: dict[int, int] = {}
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.end_point[0] < low or node.start_point[0] > high:
            continue
        if "comment" in node.type:
            row, col = node.start_point
            if row + 1 in wanted and col > 0 and row + 1 not in out:
                out[row + 1] = col
            continue
        stack.extend(node.children)
    return out
