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
from collections.abc import Iterator, Sequence

import tree_sitter as ts
from tactful.analyzers.callgraph.params import parameter_info
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.linemap import LineMap, line_maps
from tactful.analyzers.model import Severity

_RETURNS = frozenset({"return_statement", "return_expression", "return"})
_SIDE_EFFECT = re.compile(
    r"^\s*(?![ \t])(?!(?:return|yield|if|elif|else|while|for|switch|case|match|unless|when|assert|raise|throw|\}|#|//|/\*|\*)\b)"
    r"[^\n]{0,400}(?:\(|=)"
)
"""A statement that acts (a call or an assignment), not a test, a loop head or another return.
The lookahead after the indent stops the indent match from backtracking, which would let an
indented ``if (...)`` pass as a call."""
_EXIT_WORD = re.compile(r"\b(?:return|raise|throw|panic|abort|exit|bail)\b")
_PLAIN_RESULT = re.compile(r"^[@$]{0,2}[A-Za-z_]\w{0,60}(?:\.\w{1,60}){0,3}$")
_FAILURE_CALL = re.compile(r"(?i)\b\w{0,30}(?:err|fail|warn|log)\w{0,30}\s{0,2}\(")
_NO_DATA = re.compile(
    r"^\(?\s{0,4}(?:!|not\s)\s{0,4}[\w$@]{1,60}(?:(?:\.|->)[\w$]{1,60}){1,4}\s{0,4}\)?$"
    r"|^\(?\s{0,4}[\w$@]{1,60}(?:(?:\.|->)[\w$]{1,60}){1,4}\s{0,4}(?:==|===|is)\s{0,4}(?:None|null|nil|undefined)\s{0,4}\)?$"
)
"""``if not request.body`` / ``if x.items == nil``: nothing to process, so skipping the rest is the point."""
_NO_ROOM = re.compile(
    r"^\(?\s{0,4}(?:len\(\s{0,4})?[\w$@]{1,60}(?:(?:\.|->)[\w$]{1,60}){0,3}(?:\(\s{0,4}\))?\s{0,4}\)?"
    r"\s{0,4}(?:<=\s{0,4}0|<\s{0,4}1|===?\s{0,4}0)\s{0,4}\)?$"
    r"|^\(?\s{0,4}[\w$@]{1,60}(?:(?:\.|->)[\w$]{1,60}){0,3}\.(?:isEmpty|is_empty|empty)\(\s{0,4}\)\s{0,4}\)?$"
)
"""``if (width <= 0)`` / ``if len(items) == 0`` / ``if (text.isEmpty())``: an argument with no room
or nothing in it, where returning at once is the guard, not a dropped behaviour."""
_FALSY = re.compile(
    r"^\(?\s{0,4}(?:!|not\s)\s{0,4}\(?\s{0,4}([A-Za-z_$@][\w$@]{0,60})\s{0,4}\)?\s{0,4}\)?$"
)
"""``not values`` / ``!values``: a bare parameter tested for being empty or absent."""
_ITERATES = (
    r"\bfor\b[^\n]{{0,120}}\b(?:in|of)\s{{1,4}}\(?{name}\b(?!\s{{0,2}}[.(\[])"
    r"|\bforeach\s{{0,2}}\(\s{{0,4}}\$?{name}\s{{1,4}}as\b"
    r"|(?<![\w$@.]){name}\.(?:each|each_with_index|forEach|map)\b"
    r"|\brange\s{{1,4}}{name}\b"
)
"""The skipped code loops over the parameter (Python/JS/Go-style ``for``, PHP ``foreach``, Ruby
``each``, JS ``forEach``, Go ``range``)."""
_CONDITION_BEFORE = re.compile(r"\b(?:if|elif|unless|when|while)\b|&&|\|\||\?[^.?]")
_FAILURE = re.compile(r"(?i)err|fail|invalid|exception|null|nil|none|undefined|false")


def find_dropped_parameters(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.old_tree is None or ctx.language not in g.LANGUAGES or not ctx.added:
        return
    if ctx.is_test_file:
        return  # a test returning early skips assertions, not a caller's argument
    _, to_old = line_maps(ctx.file.hunks)
    seen: set[int] = set()
    for statement in _added_returns(ctx):
        if not _plain_result(ctx, statement) or _failure_or_nothing_to_do(ctx, statement):
            continue  # an error return is a failure path, not a silently different success
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
        before = ctx.text.encode("utf-8")[body.start_byte : statement.end_byte].decode(
            "utf-8", "replace"
        )
        after_lines = [
            ctx.line(n) for n in range(statement.end_point[0] + 2, body.end_point[0] + 2)
        ]
        if _nothing_to_iterate(_condition_text(ctx, statement), names, after_lines):
            continue
        if _block_already_returned(ctx, statement, to_old):
            continue
        old_body = old_function.child_by_field_name("body")
        old_text = ctx.node_text(old_body) if old_body is not None else ""
        for name in names:
            if not name or name in g.NOT_SUBJECTS or name.startswith("_"):
                continue
            pattern = re.compile(rf"(?<![\w$@.]){re.escape(name)}(?![\w$])")
            if pattern.search(before) or not _honoured_on_every_path(old_text, pattern):
                continue
            if old_body is not None and _under_other_condition(old_body, old_text, pattern):
                continue
            acted = [line for line in after_lines if pattern.search(line)]
            if not acted or not _SIDE_EFFECT.match(acted[0]):
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


def _plain_result(ctx: CheckContext, statement: ts.Node) -> bool:
    """``return``, ``return ctx``, ``return self.default``: a success value, not an error or a sentinel."""
    values = [c for c in statement.named_children if "comment" not in c.type]
    if not values:
        return True
    text = ctx.node_text(values[0]) if len(values) == 1 else ""
    return bool(_PLAIN_RESULT.match(text)) and not _FAILURE.search(text)


def _failure_or_nothing_to_do(ctx: CheckContext, statement: ts.Node) -> bool:
    """The return's block reports an error first, or its condition says there is no data to act on."""
    block = statement.parent
    if block is None:
        return False
    before = ctx.text.encode("utf-8")[block.start_byte : statement.start_byte].decode(
        "utf-8", "replace"
    )
    if _FAILURE_CALL.search(before):
        return True
    text = _condition_text(ctx, statement)
    return bool(text and (_NO_DATA.match(text) or _NO_ROOM.match(text)))


def _condition_text(ctx: CheckContext, statement: ts.Node) -> str:
    """The condition of the ``if`` whose block holds ``statement`` (empty when there is none)."""
    block = statement.parent
    guard = block if block is None or block.type in g.IF_TYPES else block.parent
    condition = (
        guard.child_by_field_name("condition")
        if guard is not None and guard.type in g.IF_TYPES
        else None
    )
    return ctx.node_text(condition) if condition is not None else ""


def _nothing_to_iterate(condition: str, names: Sequence[str], after_lines: list[str]) -> bool:
    """``if not values: return`` where the skipped code loops over ``values``: with nothing in
    it there is nothing to do, the idiomatic spelling of ``if len(values) == 0``."""
    found = _FALSY.match(condition)
    if found is None or found.group(1) not in names:
        return False
    loop = re.compile(_ITERATES.format(name=re.escape(found.group(1))))
    return any(loop.search(line) for line in after_lines)


def _block_already_returned(ctx: CheckContext, statement: ts.Node, to_old: LineMap) -> bool:
    """The new return sits in a kept ``if`` whose old version already returned the same value
    (``if (value === undefined) { return payload; }`` now returns it on most of that path):
    the path skipped the rest of the function before the change too."""
    if ctx.old_tree is None:
        return False
    returned = _compact(ctx.node_text(statement))
    node = statement.parent
    while node is not None and node.type not in g.FUNCTION_TYPES:
        header = node.start_point[0] + 1
        if node.type in g.IF_TYPES and not ctx.is_added(header):
            old_header = to_old(header)
            old_if = _old_if(ctx.old_tree, old_header) if old_header else None
            if old_if is not None and any(
                _compact(ctx.node_text(r)) == returned for r in _returns_in(old_if)
            ):
                return True
        node = node.parent
    return False


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text).rstrip(";")


def _old_if(tree: ts.Tree, line: int) -> ts.Node | None:
    row = line - 1
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.start_point[0] > row or node.end_point[0] < row:
            continue
        if node.type in g.IF_TYPES and node.start_point[0] == row:
            return node
        stack.extend(node.named_children)
    return None


def _returns_in(node: ts.Node) -> Iterator[ts.Node]:
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        if current.type in _RETURNS:
            yield current
        elif current.type not in g.FUNCTION_TYPES:
            stack.extend(current.named_children)


def _honoured_on_every_path(old_body: str, pattern: re.Pattern[str]) -> bool:
    """The old function used the parameter and had no exit before its first use."""
    found = pattern.search(old_body)
    if found is None or _EXIT_WORD.search(old_body[: found.start()]):
        return False
    # `if (io === "input") json.x = …`: a use behind a condition on its own line is conditional.
    line_start = old_body.rfind("\n", 0, found.start()) + 1
    return not _CONDITION_BEFORE.search(old_body[line_start : found.start()])


def _under_other_condition(old_body: ts.Node, old_text: str, pattern: re.Pattern[str]) -> bool:
    """The old first use sat in an ``if`` block whose test is about something else
    (``if (handler != null) { handler.accept(option); }``): the old code skipped the parameter
    on that path too, so an early return on the opposite test is the same behaviour."""
    found = pattern.search(old_text)
    if found is None:
        return False
    start = old_body.start_byte + len(old_text[: found.start()].encode("utf-8"))
    node = old_body.descendant_for_byte_range(start, start)
    while node is not None and node != old_body:
        parent = node.parent
        if parent is not None and parent.type in g.IF_TYPES:
            condition = parent.child_by_field_name("condition")
            if condition is not None and node != condition:
                text = (condition.text or b"").decode("utf-8", "replace")
                return not pattern.search(text)
        node = parent
    return False


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
    while (
        stack
    ):  # the header line starts with a decorator or a modifier: look for a definition on that row
        current = stack.pop()
        if current.start_point[0] > old_line - 1 or current.end_point[0] < old_line - 1:
            continue
        if current.type in g.FUNCTION_TYPES and current.start_point[0] == old_line - 1:
            return current
        stack.extend(current.children)
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.dropped-parameter",
            g.LANGUAGES,
            Severity.WARNING,
            "correctness",
            "an early return added before the code that honoured a parameter, which is now ignored on that path",
            confidence=0.6,
        ),
        find_dropped_parameters,
    ),
)
