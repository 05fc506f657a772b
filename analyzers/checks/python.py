"""Python pitfalls: mutable default arguments and ``== None`` (argument asserts: ``asserts``)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo, replace_fix
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

MUTABLE_LITERALS = frozenset(
    {
        "list",
        "dictionary",
        "set",
        "list_comprehension",
        "dictionary_comprehension",
        "set_comprehension",
    }
)
MUTABLE_FACTORIES = frozenset(
    {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque"}
)


def _is_mutable(ctx: CheckContext, value: ts.Node) -> bool:
    if value.type in MUTABLE_LITERALS:
        return True
    if value.type == "call":
        function = value.child_by_field_name("function")
        if function is not None:
            return ctx.node_text(function).rsplit(".", 1)[-1] in MUTABLE_FACTORIES
    return False


def _first_body_statement(block: ts.Node) -> tuple[ts.Node | None, ts.Node | None]:
    """(first statement after any docstring, the docstring) of a function body."""
    statements = [c for c in block.named_children if c.type != "comment"]
    docstring = None
    if (
        statements
        and statements[0].type == "expression_statement"
        and statements[0].named_child_count == 1
        and statements[0].named_children[0].type == "string"
    ):
        docstring = statements[0]
        statements = statements[1:]
    return (statements[0] if statements else None), docstring


def _none_default_fix(ctx: CheckContext, param: ts.Node, name: str, value: ts.Node) -> Fix | None:
    """``x=[]`` -> ``x=None`` plus ``if x is None: x = []`` at the top of the body."""
    if param.type != "default_parameter":
        return None  # an annotation would need `| None` too; leave that to the author
    value_text = ctx.node_text(value)
    function = param.parent.parent if param.parent is not None else None
    if "\n" in value_text or function is None or function.type != "function_definition":
        return None
    body = function.child_by_field_name("body")
    if body is None or body.start_point[0] == function.start_point[0]:
        return None  # one-line function: no block to insert into
    first, docstring = _first_body_statement(body)
    if first is not None:
        line = first.start_point[0] + 1
        if ctx.line(line)[: ctx.col(first.start_point)].strip():
            return None
    elif docstring is not None and docstring.end_point[0] + 2 <= len(ctx.lines):
        line = docstring.end_point[0] + 2
    else:
        return None
    anchor = first if first is not None else docstring
    assert anchor is not None
    indent = ctx.line(anchor.start_point[0] + 1)[: ctx.col(anchor.start_point)]
    def_indent = ctx.line(function.start_point[0] + 1)[: ctx.col(function.start_point)]
    step = (
        indent[len(def_indent) :]
        if indent.startswith(def_indent) and len(indent) > len(def_indent)
        else "    "
    )
    guard = f"{indent}if {name} is None:\n{indent}{step}{name} = {value_text}\n"
    return Fix(
        f"Default {name} to None and create a fresh value per call",
        (TextEdit(ctx.span(value), "None"), TextEdit(Span(line, 0, line, 0), guard)),
    )


def find_mutable_default(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.default"):
        param = captures["py.default"][0]
        value = captures["value"][0]
        if not _is_mutable(ctx, value) or not ctx.is_added(value.start_point[0] + 1):
            continue
        name = ctx.node_text(captures["name"][0])
        fix = _none_default_fix(ctx, param, name, value)
        function = param.parent.parent if param.parent is not None else None
        if function is None or _default_may_change(ctx, function, name):
            yield ctx.hit(
                value,
                f"The default for `{name}` is created once and shared by every call, so "
                "mutations leak between calls; default to None and build it inside.",
                fix,
            )
            continue
        # Only read here: nothing leaks today, so this is advice, not a defect.
        hit = ctx.hit(
            value,
            f"The default for `{name}` is one object shared by every call; this function only "
            "reads it, so nothing leaks yet, but a later edit that mutates it would.",
            fix,
        )
        yield dataclasses.replace(hit, confidence=READ_ONLY_DEFAULT_CONFIDENCE)


READ_ONLY_DEFAULT_CONFIDENCE = 0.35
"""A shared default that the function only reads is a latent pitfall, not a bug: low enough for
the gate to hide it from users who reject such advice."""

MUTATING_METHODS = frozenset(
    {
        "add", "append", "appendleft", "clear", "difference_update", "discard", "extend",
        "extendleft", "insert", "intersection_update", "pop", "popitem", "popleft", "remove",
        "reverse", "rotate", "setdefault", "sort", "symmetric_difference_update", "update",
    }
)  # fmt: skip
READING_BUILTINS = frozenset(
    {
        "all", "any", "bool", "dict", "enumerate", "frozenset", "isinstance", "iter", "len",
        "list", "max", "min", "repr", "reversed", "set", "sorted", "str", "sum", "tuple", "zip",
    }
)  # fmt: skip
"""Builtins that read or copy their argument: passing the default to them cannot change it."""
READING_PARENTS = frozenset(
    {
        "boolean_operator", "comparison_operator", "conditional_expression", "elif_clause",
        "if_statement", "not_operator", "while_statement", "parenthesized_expression",
    }
)  # fmt: skip


def _default_may_change(ctx: CheckContext, function: ts.Node, name: str) -> bool:
    """Whether the body may mutate the parameter or let it escape (return it, store it, pass it
    to a call that could keep or change it): the only ways a shared default leaks state.
    Anything this cannot tell apart counts as a change."""
    body = function.child_by_field_name("body")
    if body is None:
        return True
    stack = [body]
    while stack:
        node = stack.pop()
        stack.extend(node.children)
        if node.type == "identifier" and ctx.node_text(node) == name and _use_may_change(ctx, node):
            return True
    return False


def _use_may_change(ctx: CheckContext, node: ts.Node) -> bool:
    parent = node.parent
    if parent is None:
        return True
    kind = parent.type
    if kind == "attribute" and parent.child_by_field_name("object") == node:
        attribute = parent.child_by_field_name("attribute")
        method = ctx.node_text(attribute) if attribute is not None else ""
        holder = parent.parent
        if holder is not None and holder.type == "call":
            return method in MUTATING_METHODS
        # `x.attr = v` changes the object; reading `x.attr` does not.
        return holder is not None and holder.type in ("assignment", "augmented_assignment")
    if kind == "subscript" and parent.child_by_field_name("value") == node:
        holder = parent.parent
        if holder is None:
            return True
        if holder.type in ("assignment", "augmented_assignment"):
            return holder.child_by_field_name("left") == parent
        return holder.type == "delete_statement" or (
            holder.parent is not None and holder.parent.type == "delete_statement"
        )
    if kind == "assignment":
        return parent.child_by_field_name("left") != node  # `x = ...` rebinds; `y = x` aliases
    if kind in ("for_statement", "for_in_clause"):
        return parent.child_by_field_name("right") != node
    if kind in READING_PARENTS:
        return False
    if kind == "argument_list" and parent.parent is not None and parent.parent.type == "call":
        function = parent.parent.child_by_field_name("function")
        return function is None or ctx.node_text(function) not in READING_BUILTINS
    return True  # returned, yielded, stored in a container, augmented in place, ...


def find_none_comparison(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.none-comparison"):
        comparison = captures["py.none-comparison"][0]
        children = comparison.children
        if len(children) != 3 or children[1].type not in ("==", "!="):
            continue
        if ctx.is_test_file and _in_assertion(ctx, comparison):
            continue  # `assertTrue(x == None)` tests the object's __eq__ on purpose
        operator = children[1]
        replacement = "is" if operator.type == "==" else "is not"
        yield ctx.hit(
            comparison,
            f"Compare with None using `{replacement}`: `{operator.type}` calls __eq__, which "
            "objects may override.",
            replace_fix(ctx, operator, replacement, f"Use `{replacement}`"),
        )


def _in_assertion(ctx: CheckContext, node: ts.Node) -> bool:
    """Inside an ``assert`` statement or an ``assert*``/``assert_*`` call's arguments."""
    current = node.parent
    while current is not None and current.type not in ("function_definition", "module"):
        if current.type == "assert_statement":
            return True
        if current.type == "call":
            function = current.child_by_field_name("function")
            name = ctx.node_text(function).rpartition(".")[2] if function is not None else ""
            if name.startswith("assert") or name.startswith("fail"):
                return True
        current = current.parent
    return False


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "py.mutable-default",
            ("python",),
            Severity.WARNING,
            "correctness",
            "mutable default argument (list/dict/set); fix: default None + guard",
            True,
        ),
        find_mutable_default,
    ),
    Rule(
        RuleInfo(
            "py.none-comparison",
            ("python",),
            Severity.INFO,
            "style",
            "`== None` / `!= None` (fix: `is None` / `is not None`)",
            True,
        ),
        find_none_comparison,
    ),
)
