"""What the logic rules share: changed lines paired with the lines they replaced, a code
tokenizer, single-token swaps, and the enclosing function of a line.

A logic defect (a bound, an operand, a condition) usually lives in a line that was edited
rather than written: the old line beside the new one says what changed. Pairs come from
each run of removed lines followed by added lines in a hunk; lines pair one to one when
the run has as many of each, otherwise by text similarity.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.checks.base import CALLABLE_NODES, CheckContext, nodes_of
from tactful.analyzers.checks.edit_blocks import edit_blocks

LANGUAGES = (
    "python", "javascript", "typescript", "tsx", "go", "java", "c", "cpp", "csharp", "ruby",
    "php", "rust",
)  # fmt: skip

_TOKEN = re.compile(
    r"[$@]{0,2}[A-Za-z_][\w$]*(?:[?!](?!=))?|\d[\w.]*"
    r"|\.\.=|===|!==|<=>|->|::|\?\.|&&|\|\||[<>=!:+\-*/%&|^]=|<<|>>|\.\.|\S"
)
_MAX_MATCHES = 400
"""Most line comparisons for one unequal run of removed and added lines."""
_SIMILAR = 0.6
"""Least difflib ratio for an old and a new line of unequal runs to count as one edited line."""

WORD = re.compile(r"[$@]{0,2}[A-Za-z_][\w$]*")
NOT_VARIABLES = frozenset(
    {
        "true", "false", "True", "False", "None", "null", "nil", "NULL", "nullptr", "undefined",
        "self", "this", "super", "Self", "and", "or", "not", "in", "is", "new", "return", "if",
        "else", "elif", "for", "while", "let", "var", "const", "mut", "def", "fn", "func",
        "function", "int", "long", "float", "double", "char", "bool", "string", "void", "auto",
        "static", "final", "await", "async", "yield", "len", "size", "length", "_",
    }
)  # fmt: skip


@dataclass(frozen=True)
class LinePair:
    """An edited line: the old text and the new line that replaced it."""

    old_line: int
    old: str
    new_line: int
    new: str


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(_strip_comment(text))


def _strip_comment(text: str) -> str:
    # A trailing comment is not code; a `#` or `//` inside a string is rare enough on an edited line.
    return re.split(r"\s(?://|#)\s", text, maxsplit=1)[0]


def line_pairs(ctx: CheckContext) -> Iterator[LinePair]:
    """Every (old line, new line) pair of an edited line, across the file's hunks."""
    for hunk in ctx.file.hunks:
        for removed, added in edit_blocks(hunk):
            yield from _pair(removed, added)


def _pair(removed: list[tuple[int, str]], added: list[tuple[int, str]]) -> Iterator[LinePair]:
    if not removed or not added:
        return  # a `+` run before a `-` run: nothing replaced yet
    if len(removed) != len(added) and len(removed) * len(added) > _MAX_MATCHES:
        return  # a rewritten block, not an edited line: nothing to pair (and no quadratic cost)
    if len(removed) == len(added):
        for (o, old), (n, new) in zip(removed, added, strict=True):
            if old.strip() and new.strip():
                yield LinePair(o, old, n, new)
        return
    for n, new in added:
        if not new.strip():
            continue
        best = max(
            removed,
            key=lambda item: difflib.SequenceMatcher(None, item[1].strip(), new.strip()).ratio(),
        )
        if difflib.SequenceMatcher(None, best[1].strip(), new.strip()).ratio() >= _SIMILAR:
            yield LinePair(best[0], best[1], n, new)


def single_swap(old: str, new: str) -> tuple[str, str, int] | None:
    """The one token the edit replaced: (old token, new token, index in the new tokens), or None
    when the lines differ in anything else."""
    a, b = tokens(old), tokens(new)
    if len(a) != len(b):
        return None
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) != 1:
        return None
    i = diffs[0]
    return a[i], b[i], i


def nodes_on_added(ctx: CheckContext, types: frozenset[str]) -> Iterator[ts.Node]:
    """Nodes of ``types`` that start on an added line, each run of added lines searched on its
    own (one search over the rows from the first to the last change would walk the whole file)."""
    if ctx.tree is None:
        return
    runs: list[list[int]] = []
    for number in sorted(ctx.added):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    for first, last in runs:
        yield from nodes_on_rows(ctx, types, first - 1, last - 1)


def nodes_on_rows(
    ctx: CheckContext, types: frozenset[str], first: int, last: int
) -> Iterator[ts.Node]:
    """Nodes of ``types`` starting on 0-based rows ``first``..``last``, searched from the smallest
    node that covers those whole rows (not from the root: a file has hundreds of top-level nodes)."""
    assert ctx.tree is not None
    end = len(ctx.line(last + 1).encode("utf-8"))
    start = ctx.tree.root_node.descendant_for_point_range((first, 0), (last, end))
    for node in nodes_of(start or ctx.tree.root_node, types, (first, last)):
        if first <= node.start_point[0] <= last:
            yield node


def enclosing_function(node: ts.Node | None) -> ts.Node | None:
    while node is not None:
        if node.type in CALLABLE_NODES:
            return node
        node = node.parent
    return None


def node_at(tree: ts.Tree, line: int, text: str) -> ts.Node:
    """The smallest node at the first code character of 1-based ``line`` (``text`` is the line)."""
    col = len(text.encode("utf-8")) - len(text.lstrip().encode("utf-8"))
    found = tree.root_node.descendant_for_point_range((line - 1, col), (line - 1, col))
    return found if found is not None else tree.root_node


def is_variable(token: str) -> bool:
    return bool(WORD.fullmatch(token)) and token not in NOT_VARIABLES and not token[:1].isupper()
