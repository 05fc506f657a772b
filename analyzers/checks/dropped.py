"""Behaviour silently dropped: an early ``return`` added before the code that honoured a parameter.

The classic case returns a default SSL context before the client certificate parameter is
loaded: on the new path the caller's argument is silently ignored. The rule looks at
``return`` statements on added lines that are not the end of their function. A parameter
counts as dropped on that path when the function used it in the old version, nothing
before the return (its condition included) reads it, and the code after the return still
acts on it outside a ``return`` (a side effect the caller asked for: ``ctx.load_cert(cert)``,
``self.timeout = timeout``). A parameter that only feeds the other path's result
(``return default``) is the usual shape of a fast path and stays silent.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.callgraph.params import parameter_info
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.linemap import line_maps
from tactful.analyzers.model import Severity

_RETURNS = frozenset({"return_statement", "return_expression", "return"})
_RETURN_LINE = re.compile(r"^\s*(?:return|yield)\b")


def find_dropped_parameters(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.old_tree is None or ctx.language not in g.LANGUAGES or not ctx.added:
        return
    _, to_old = line_maps(ctx.file.hunks)
    seen: set[int] = set()
    for statement in _added_returns(ctx):
        function = _function_of(statement)
        if function is None or function.start_point[0] in seen:
            continue
        body = function.child_by_field_name("body")
        parameters = function.child_by_field_name("parameters")
        if body is None or parameters is None or statement.end_point[0] >= body.end_point[0] - 1:
            continue  # the return closes the function: no code after it to skip
        old_function = _old_function(ctx, to_old(function.start_point[0] + 1))
        if old_function is None:
            continue
        names, _, _ = parameter_info(ctx.language or "", parameters, "method")
        before = ctx.text.encode("utf-8")[body.start_byte : statement.end_byte].decode("utf-8", "replace")
        after_lines = [ctx.line(n) for n in range(statement.end_point[0] + 2, body.end_point[0] + 2)]
        old_body = old_function.child_by_field_name("body")
        old_text = ctx.node_text(old_body) if old_body is not None else ""
        for name in names:
            if not name or name in g.NOT_SUBJECTS or name.startswith("_"):
                continue
            pattern = re.compile(rf"(?<![\w$@.]){re.escape(name)}(?![\w$])")
            if pattern.search(before) or not pattern.search(old_text):
                continue
            acted = [line for line in after_lines if pattern.search(line) and not _RETURN_LINE.match(line)]
            if not acted or g.COMMENT_LINE.match(acted[0]):
                continue
            seen.add(function.start_point[0])
            yield Hit(
                ctx.span(statement),
                f"This new early return skips the code that uses `{name}`, so on this path the caller's "
                f"`{name}` is silently ignored (`{acted[0].strip()[:60]}` no longer runs).",
                ctx.node_text(statement),
                confidence=0.6,
            )
            break


def _added_returns(ctx: CheckContext) -> Iterator[ts.Node]:
    assert ctx.tree is not None
    low, high = min(ctx.added) - 1, max(ctx.added) - 1
    stack = [ctx.tree.root_node]
    while stack:
        node = stack.pop()
        if node.end_point[0] < low or node.start_point[0] > high:
            continue
        if node.type in _RETURNS and node.is_named and ctx.is_added(node.start_point[0] + 1):
            yield node
            continue
        stack.extend(reversed(node.children))


def _function_of(node: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None:
        if current.type in g.FUNCTION_TYPES:
            return current
        current = current.parent
    return None


def _old_function(ctx: CheckContext, old_line: int) -> ts.Node | None:
    """The old function that starts on ``old_line`` (the new function's header, mapped back)."""
    assert ctx.old_tree is not None
    node = ctx.old_tree.root_node.descendant_for_point_range((old_line - 1, 0), (old_line - 1, 0))
    while node is not None:
        if node.type in g.FUNCTION_TYPES and node.start_point[0] == old_line - 1:
            return node
        if node.start_point[0] < old_line - 1:
            break
        node = node.parent
    stack = [ctx.old_tree.root_node]
    while stack:  # the header line starts with a decorator or a modifier: look for a definition on that row
        current = stack.pop()
        if current.start_point[0] > old_line - 1 or current.end_point[0] < old_line - 1:
            continue
        if current.type in g.FUNCTION_TYPES and current.start_point[0] == old_line - 1:
            return current
        stack.extend(current.children)
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo("generic.dropped-parameter", g.LANGUAGES, Severity.WARNING, "correctness",
                 "an early return added before the code that honoured a parameter, which is now ignored on that path",
                 confidence=0.6),
        find_dropped_parameters,
    ),
)
