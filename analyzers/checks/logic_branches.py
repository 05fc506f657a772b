"""Wrong variable in parallel branches: an edit inside one branch of an ``if``/``elif`` chain
put the name that another branch tests where this branch's own test names the old one.

``if lo is not None and v < lo: v = lo`` / ``elif hi is not None and v > hi: v = hi`` edited
to ``v = lo`` in the second branch: the branch tests ``hi`` but now uses ``lo``, which is
what the first branch is about. The edit must swap exactly one name, the branch's own
condition must name the old one and not the new one, and a sibling branch's condition must
name the new one and not the old one; anything else (a new default, a rename, a fix that
touches the conditions) stays silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.logic_lines import (
    LANGUAGES,
    is_variable,
    line_pairs,
    node_at,
    single_swap,
)
from tactful.analyzers.model import Severity, Span

_IFS = frozenset({"if_statement", "if_expression", "if", "elif_clause", "elsif", "else_if_clause"})
_ELSE = frozenset({"else_clause", "else"})


def find_branch_copy_paste(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.is_test_file:
        return
    for pair in line_pairs(ctx):
        swap = single_swap(pair.old, pair.new)
        if swap is None:
            continue
        was, now, _ = swap
        if not (is_variable(was) and is_variable(now)):
            continue
        found = _branch_of(node_at(ctx.tree, pair.new_line, pair.new))
        if found is None:
            continue
        own, chain = found
        if own[0] is None or own[0].start_point[0] + 1 == pair.new_line:
            continue  # an else branch has no test; an edited test is not a body slip
        mine = ctx.node_text(own[0])
        if not (_names(mine, was) and not _names(mine, now)):
            continue
        sibling = next(
            (
                cond
                for cond, _ in chain
                if cond is not None
                and cond != own[0]
                and _names(ctx.node_text(cond), now)
                and not _names(ctx.node_text(cond), was)
            ),
            None,
        )
        if sibling is None:
            continue
        yield Hit(
            Span(pair.new_line, 0, pair.new_line, len(ctx.line(pair.new_line))),
            (
                f"This branch tests `{was}` (`{_flat(mine)}`) but the change makes it use `{now}`, "
                f"which is what the branch on line {sibling.start_point[0] + 1} tests: "
                f"a copy of the wrong branch?"
            ),
            pair.new.strip(),
            confidence=0.7,
        )


def _names(text: str, name: str) -> bool:
    return bool(re.search(rf"(?<![\w$.]){re.escape(name)}(?![\w$])", text))


def _flat(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= 60 else flat[:57] + "..."


Branch = tuple[ts.Node | None, ts.Node]


def _branch_of(node: ts.Node | None) -> tuple[Branch, list[Branch]] | None:
    """The innermost branch body holding ``node`` and every branch of its chain."""
    while node is not None:
        parent = node.parent
        if parent is not None and (
            parent.type in _ELSE or (parent.type in _IFS and node not in _bodies(parent))
        ):
            return None  # an else body (no test of its own) or the test itself
        if parent is not None and parent.type in _IFS:
            top = parent
            while top.parent is not None and (
                top.parent.type in _ELSE or (top.parent.type in _IFS and top.type in _IFS)
            ):
                top = top.parent
            if top.type in _ELSE and top.parent is not None:
                top = top.parent
            chain = list(_branches(top))
            own = next((b for b in chain if b[1] == node), None)
            return (own, chain) if own is not None else None
        node = parent
    return None


def _bodies(node: ts.Node) -> list[ts.Node]:
    return [
        b
        for b in (node.child_by_field_name("consequence"), node.child_by_field_name("body"))
        if b is not None
    ]


def _branches(node: ts.Node) -> Iterator[Branch]:
    if node.type in _IFS:
        for body in _bodies(node)[:1]:
            yield node.child_by_field_name("condition"), body
        for alternative in node.children_by_field_name("alternative"):
            yield from _branches(alternative)
    elif node.type in _ELSE:
        inner = next((c for c in node.named_children if c.type in _IFS), None)
        if inner is not None:
            yield from _branches(inner)
        else:
            yield None, node


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.branch-copy-paste",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "an edit in one branch of an if/elif chain uses the name another branch tests instead of its own",
            confidence=0.7,
        ),
        find_branch_copy_paste,
    ),
)
