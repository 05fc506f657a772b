"""Guards in the old tree: which deleted statements are guards (an ``if`` that leaves the path
or wraps code in a null/size/type test, an assertion) and which names, of what kind, they test."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext
from tactful.analyzers.checks.guard_uses import _raises


@dataclass(frozen=True)
class _Guard:
    node: ts.Node
    subjects: tuple[tuple[str, str], ...]
    """(name, kind) pairs: kind is ``null``, ``falsy``, ``size``, ``type`` or ``value``."""
    exits: bool
    body: ts.Node | None


def _removed_guards(
    ctx: CheckContext, node: ts.Node, removed: frozenset[int], low: int, high: int
) -> Iterator[_Guard]:
    """Guards in the old tree that start on a removed line (rows ``low..high`` only)."""
    stack = [node]
    while stack:
        current = stack.pop()
        if current.end_point[0] < low or current.start_point[0] > high:
            continue
        if current.is_named and current.start_point[0] + 1 in removed:
            guard = _as_guard(ctx, current, removed)
            if guard is not None:
                yield guard
                continue
        stack.extend(reversed(current.children))


def _as_guard(ctx: CheckContext, node: ts.Node, removed: frozenset[int]) -> _Guard | None:
    if node.type in g.ASSERT_TYPES:
        if not _all_removed(node, removed) or not node.named_children:
            return None
        subjects = _subjects(node.named_children[0], exits=True)
        return _Guard(node, subjects, True, None) if subjects else None
    if node.type not in g.IF_TYPES:
        return None
    condition = node.child_by_field_name("condition")
    body = next((b for f in g.BODY_FIELDS if (b := node.child_by_field_name(f)) is not None), None)
    if condition is None or body is None:
        return None
    exits = _exits(body)
    if _has_else(node):
        # `if (x == null) throw ...; else if (...)` whose first branch the change deleted, the rest kept
        if not (exits and _all_removed(body, removed) and node.type not in g.NEGATED_IFS):
            return None
    elif exits and not _all_removed(node, removed):
        return None
    if node.type in g.NEGATED_IFS and not exits:
        return None
    subjects = _subjects(condition, exits=exits)
    # A check that only throws matters even when it tests no name (`if (0 !== $status) throw ...`).
    return _Guard(node, subjects, exits, body) if subjects or (exits and _raises(body)) else None


def _all_removed(node: ts.Node, removed: frozenset[int]) -> bool:
    return all(line in removed for line in range(node.start_point[0] + 1, node.end_point[0] + 2))


def _has_else(node: ts.Node) -> bool:
    if any(node.child_by_field_name(f) is not None for f in g.ELSE_FIELDS):
        return True
    return any(c.type in g.ELSE_TYPES for c in node.named_children)


def _exits(body: ts.Node) -> bool:
    """True when the guard's body leaves the path: its last statement returns, raises, jumps or aborts."""
    statements = (
        [c for c in body.named_children if "comment" not in c.type]
        if body.named_child_count
        else [body]
    )
    if body.type in g.EXIT_TYPES or body.type in g.CALL_TYPES:
        statements = [body]
    while len(statements) == 1 and statements[0].type in (
        "statement_list",
        "expression_statement",
        "block",
        "then",
    ):
        inner = [c for c in statements[0].named_children if "comment" not in c.type]
        if not inner:
            break
        statements = inner
    if not statements:
        return False
    last = statements[-1]
    if last.type == "expression_statement" and last.named_children:
        last = last.named_children[0]
    if last.type in g.EXIT_TYPES:
        return True
    if last.type in g.CALL_TYPES:
        return _callee(last) in g.EXIT_CALLS
    return False


def _callee(call: ts.Node) -> str:
    function = call.child_by_field_name("function") or call.child_by_field_name("macro")
    if function is None:
        function = call.child_by_field_name("name") or call.child_by_field_name("method")
    if function is None and call.named_children:
        function = call.named_children[0]
    text = (function.text or b"").decode("utf-8", "replace") if function is not None else ""
    # `\is_resource($x)`: PHP's global-namespace spelling of the same function
    return re.split(r"\.|::|->|\\", text)[-1].rstrip("!")


def _subject(node: ts.Node) -> str | None:
    while node.type in ("parenthesized_expression",) and node.named_child_count == 1:
        node = node.named_children[0]
    if (
        node.type in g.CALL_TYPES
        or "literal" in node.type
        or node.type in ("string", "integer", "number")
    ):
        return None
    text = (node.text or b"").decode("utf-8", "replace")
    if not g.SUBJECT.match(text) or text in g.NOT_SUBJECTS or text.isupper():
        return None
    return text


def _operator(node: ts.Node) -> str:
    operator = node.child_by_field_name("operator")
    if operator is not None:
        return (operator.text or b"").decode()
    parts = [(c.text or b"").decode() for c in node.children if not c.is_named]
    return " ".join(parts)


def _is_null(node: ts.Node) -> bool:
    return (node.text or b"").decode("utf-8", "replace") in g.NULL_WORDS


KIND_STRENGTH = {"falsy": 0, "null": 1, "value": 2, "size": 3, "type": 3}
"""Of two tests on one name, the one a replacement must match: a null test does not stand in
for a type or size check."""


def _subjects(condition: ts.Node, *, exits: bool) -> tuple[tuple[str, str], ...]:
    """Names a condition tests, with the kind of test; ordering tests count only for exits."""
    found: dict[str, str] = {}
    stack = [condition]
    bare = _subject(condition)
    if bare is not None:
        found[bare] = "falsy"
    while stack:
        node = stack.pop()
        kind_names: list[tuple[str | None, str]] = []
        if node.type in g.BINARY_TYPES:
            operands = [c for c in node.named_children if "comment" not in c.type]
            operator = _operator(node)
            if len(operands) == 2:
                left, right = operands
                if operator in g.EQUALITY or operator.startswith(("is", "==", "!=")):
                    if _is_null(right):
                        kind_names.append((_subject(left), "null"))
                    elif _is_null(left):
                        kind_names.append((_subject(right), "null"))
                elif operator in g.ORDERING:
                    sides = [_subject(left), _subject(right)]
                    if not exits or sides == [None, None]:
                        continue  # `cap(k) > len(k)` is a fast path, not a bounds check on an index
                    kind_names += [(side, "size") for side in sides]
                elif operator in ("&&", "||", "and", "or"):
                    kind_names += [(_subject(left), "null"), (_subject(right), "null")]
                elif operator == "instanceof":
                    kind_names.append((_subject(left), "type"))
        elif node.type in g.UNARY_TYPES:
            operand = node.child_by_field_name("argument") or node.child_by_field_name("operand")
            if operand is None and node.named_children:
                operand = node.named_children[-1]
            if operand is not None and _operator(node).strip() in g.NEGATIONS:
                kind_names.append((_subject(operand), "falsy"))
        elif node.type in g.TYPE_TEST_TYPES and node.named_children:
            kind_names.append((_subject(node.named_children[0]), "type"))
        elif node.type in g.LET_CONDITIONS:
            value = node.child_by_field_name("value")
            if value is not None:
                kind_names.append((_subject(value), "null"))
        elif node.type in g.CALL_TYPES:
            callee = _callee(node)
            if callee in g.TEST_CALLS:
                kind = "type" if callee in g.TYPE_CALLS else "size"
                if callee in (
                    "nil?",
                    "is_none",
                    "is_some",
                    "isNull",
                    "nonNull",
                    "is_null",
                    "isset",
                    "hasattr",
                    "is_resource",
                ):
                    kind = "null"
                function = node.child_by_field_name("function") or node.child_by_field_name(
                    "receiver"
                )
                receiver = (
                    function.child_by_field_name("object") or function.child_by_field_name("value")
                    if function is not None
                    else None
                )
                if receiver is None:
                    receiver = node.child_by_field_name("receiver") or node.child_by_field_name(
                        "object"
                    )
                if receiver is not None:
                    kind_names.append((_subject(receiver), kind))
                arguments = node.child_by_field_name("arguments")
                if arguments is not None and arguments.named_children:
                    first = arguments.named_children[0]
                    if first.type == "argument" and first.named_children:
                        first = first.named_children[0]
                    kind_names.append((_subject(first), kind))
        elif node.type in (
            "member_expression",
            "attribute",
            "field_expression",
            "selector_expression",
            "member_access_expression",
            "field_access",
        ):
            fields = [c for c in node.named_children]
            if len(fields) == 2 and (fields[1].text or b"").decode() in g.SIZE_MEMBERS:
                kind_names.append((_subject(fields[0]), "size"))
        for name, kind in kind_names:
            # `x && !x.respond_to?(:to_str)` guards the type, not only null: the stronger test counts
            if name is not None and KIND_STRENGTH.get(kind, 0) > KIND_STRENGTH.get(
                found.get(name, ""), -1
            ):
                found[name] = kind
        if node.type not in g.CALL_TYPES or node is condition:
            stack.extend(node.named_children)
    return tuple(found.items())
