"""Language pitfalls with few false positives: JS loose equality, unbounded C string copies, gets()."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo, replace_fix
from tactful.analyzers.model import Severity

NULLISH = frozenset({"null", "undefined"})
JS_LITERALS = frozenset({"string", "number", "true", "false", "template_string"})


def _is_typeof(ctx: CheckContext, node: ts.Node) -> bool:
    return node.type == "unary_expression" and ctx.node_text(node).startswith("typeof")


def find_loose_equality(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("js.loose-equality"):
        expression = captures["js.loose-equality"][0]
        left, right, operator = captures["left"][0], captures["right"][0], captures["op"][0]
        sides = (left, right)
        if any(s.type in NULLISH or ctx.node_text(s) in NULLISH for s in sides):
            continue  # `x == null` deliberately matches null and undefined
        if any(_is_typeof(ctx, s) for s in sides) or all(s.type in JS_LITERALS for s in sides):
            continue  # both sides have a known type, so == cannot coerce
        strict = operator.type + "="
        yield ctx.hit(
            expression,
            f'`{operator.type}` converts types before comparing ("1" == 1 is true); use `{strict}`.',
            replace_fix(ctx, operator, strict, f"Use `{strict}`"),
        )


def _enclosing_function(node: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None and current.type != "function_definition":
        current = current.parent
    return current


def _string_length(ctx: CheckContext, node: ts.Node) -> int | None:
    if node.type != "string_literal":
        return None
    return len(ctx.node_text(node).encode("utf-8")) - 2  # minus the quotes


def find_unbounded_copy(ctx: CheckContext) -> Iterator[Hit]:
    arrays: dict[tuple[int, str], ts.Node] = {}
    for captures in ctx.all_captures("c.array"):
        name = ctx.node_text(captures["name"][0])
        scope = _enclosing_function(captures["c.array"][0])
        arrays[(scope.id if scope else -1, name)] = captures["size"][0]
    for captures in ctx.captures("c.copy"):
        call = captures["c.copy"][0]
        dest = ctx.node_text(captures["dest"][0])
        function = ctx.node_text(captures["_fn"][0])
        scope = _enclosing_function(call)
        size = arrays.get((scope.id if scope else -1, dest)) or arrays.get((-1, dest))
        if size is None:
            continue  # not a fixed-size array we can see; its size is unknown here
        args = call.child_by_field_name("arguments")
        values = args.named_children if args is not None else []
        if function == "strcpy" and len(values) == 2 and size.type == "number_literal":
            length = _string_length(ctx, values[1])
            if (
                length is not None
                and "\\" not in ctx.node_text(values[1])
                and length < int(size.text or b"0", 0)
            ):
                continue  # a literal that fits
        if (
            function in ("sprintf", "vsprintf")
            and len(values) > 1
            and "%s" not in ctx.node_text(values[1])
        ):
            continue
        bounded = "snprintf" if "printf" in function else "a bounded copy (snprintf, strlcpy)"
        yield ctx.hit(
            call,
            f"{function}() into the fixed-size buffer `{dest}` has no bound and can overflow it; "
            f"use {bounded} with sizeof({dest}).",
        )


def find_gets(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("c.gets"):
        call = captures["c.gets"][0]
        yield ctx.hit(
            call,
            "gets() cannot limit how much it reads and was removed from C11; use fgets(buf, sizeof buf, stdin).",
        )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "js.loose-equality",
            JS_LIKE,
            Severity.INFO,
            "correctness",
            "`==`/`!=` (not against null/undefined, typeof, or two literals); fix: `===`/`!==`",
            True,
        ),
        find_loose_equality,
    ),
    Rule(
        RuleInfo(
            "c.unbounded-copy",
            ("c", "cpp"),
            Severity.WARNING,
            "security",
            "strcpy/strcat/sprintf into a local fixed-size array",
        ),
        find_unbounded_copy,
    ),
    Rule(
        RuleInfo("c.gets", ("c", "cpp"), Severity.WARNING, "security", "gets() call"),
        find_gets,
    ),
)
