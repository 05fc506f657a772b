"""Assertions that validate a public function's arguments: checks that production builds drop.

``python -O`` strips ``assert``, the JVM runs without ``-ea`` (assertions off) by default,
and ``Debug.Assert`` is compiled out of C# release builds. An assertion the change adds at
the top of a public function, on one of its parameters, is input validation that will
silently vanish where it matters; the fix raises a real exception. Assertions on internal
state, in private helpers, below the function's real work, in tests and in scripts are
what assertions are for and stay silent. C, C++ and Rust are left out on purpose: there an
``assert`` on a precondition is the idiomatic contract, and ``assert!`` stays in release.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import (
    CALLABLE_NODES,
    CheckContext,
    Hit,
    Rule,
    RuleInfo,
    nodes_of,
)
from tactful.analyzers.checks.purpose import is_script
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

DROPPED_BY = {
    "python": "`python -O` removes it",
    "java": "the JVM skips assertions unless run with -ea",
    "csharp": "release builds compile Debug.Assert away",
}
NAME_FIELDS = ("name", "pattern", "declarator")
LEADING_OK = frozenset(
    {"comment", "assert_statement", "if_statement", "line_comment", "block_comment"}
)
"""Statements that may come before a validating assertion (other validation, comments)."""
WRAP = frozenset({"boolean_operator", "conditional_expression", "lambda", "named_expression"})


def _assertion(ctx: CheckContext, node: ts.Node) -> ts.Node | None:
    """The asserted condition when ``node`` is an assertion statement of this language."""
    if ctx.language in ("python", "java") and node.type == "assert_statement":
        return node.named_children[0] if node.named_children else None
    if ctx.language == "csharp" and node.type == "expression_statement":
        call = node.named_children[0] if node.named_children else None
        if call is None or call.type != "invocation_expression":
            return None
        function = call.child_by_field_name("function")
        if function is None or not ctx.node_text(function).endswith("Debug.Assert"):
            return None
        arguments = call.child_by_field_name("arguments")
        return arguments.named_children[0] if arguments and arguments.named_children else None
    return None


def _parameter_names(params: ts.Node) -> set[str]:
    names: set[str] = set()
    for param in params.named_children:
        node: ts.Node | None = param
        while node is not None and node.type != "identifier":
            named = next(
                (node.child_by_field_name(f) for f in NAME_FIELDS if node.child_by_field_name(f)),
                None,
            )
            node = named or next((c for c in node.named_children if c.type == "identifier"), None)
        if node is not None and node.text:
            names.add(node.text.decode("utf-8", "replace"))
    return names - {"self", "cls"}


def _is_public(ctx: CheckContext, function: ts.Node) -> bool:
    """A public function or method, not nested in another function nor in a private class."""
    name_node = function.child_by_field_name("name")
    if name_node is None:
        return False
    owner = function.parent
    while owner is not None:
        if owner.type in CALLABLE_NODES:
            return False
        owner_name = owner.child_by_field_name("name") if "class" in owner.type else None
        if owner_name is not None and ctx.node_text(owner_name).startswith("_"):
            return False
        owner = owner.parent
    if ctx.language == "python":
        name = ctx.node_text(name_node)
        return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))
    return any(
        "public" in ctx.node_text(c).split()
        for c in function.children
        if c.type in ("modifiers", "modifier")
    )


def _leading(ctx: CheckContext, statement: ts.Node) -> bool:
    """True when only docstrings, comments and other validation come before ``statement``."""
    sibling = statement.prev_named_sibling
    while sibling is not None:
        docstring = (
            sibling.type == "expression_statement"
            and sibling.named_child_count > 0
            and sibling.named_children[0].type == "string"
        )
        if not (docstring or sibling.type in LEADING_OK or _assertion(ctx, sibling) is not None):
            return False
        sibling = sibling.prev_named_sibling
    return True


def _python_fix(ctx: CheckContext, statement: ts.Node, condition: ts.Node) -> Fix | None:
    if not ctx.whole_lines(statement, ("#",)) or statement.start_point[0] != statement.end_point[0]:
        return None
    parts = statement.named_children
    cond = ctx.node_text(condition)
    if condition.type in WRAP:
        cond = f"({cond})"
    message = (
        ctx.node_text(parts[1]) if len(parts) > 1 else repr(f"expected {ctx.node_text(condition)}")
    )
    line = statement.start_point[0] + 1
    indent = ctx.line(line)[: ctx.col(statement.start_point)]
    replacement = f"{indent}if not {cond}:\n{indent}    raise ValueError({message})\n"
    return Fix(
        "Raise ValueError instead of asserting", (TextEdit(Span.lines(line, line), replacement),)
    )


def find_validating_asserts(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.language not in DROPPED_BY or not ctx.added:
        return
    if ctx.is_test_file or (ctx.language == "python" and is_script(ctx)):
        return  # a Python script's functions are not an API (Java and C# have no scripts)
    rows = (min(ctx.added) - 1, max(ctx.added) - 1)
    kinds = frozenset({"assert_statement", "expression_statement"})
    for statement in nodes_of(ctx.tree.root_node, kinds, rows):
        if not ctx.is_added(statement.start_point[0] + 1):
            continue
        condition = _assertion(ctx, statement)
        if condition is None or _narrows_type(ctx, condition):
            continue
        function = _enclosing_function(statement)
        params = function.child_by_field_name("parameters") if function is not None else None
        if function is None or params is None or not _is_public(ctx, function):
            continue
        checked = sorted(_parameter_names(params) & _identifiers(ctx, condition))
        if not checked or not _leading(ctx, statement):
            continue
        fix = _python_fix(ctx, statement, condition) if ctx.language == "python" else None
        yield Hit(
            ctx.span(statement),
            f"This assertion validates the argument `{checked[0]}`, but {DROPPED_BY[ctx.language]}; "
            "raise an exception callers can rely on instead.",
            ctx.node_text(statement),
            fix,
        )


def _narrows_type(ctx: CheckContext, condition: ts.Node) -> bool:
    """``assert isinstance(x, T)`` in Python: type narrowing for the type checker."""
    return (
        ctx.language == "python"
        and condition.type == "call"
        and ctx.node_text(condition).startswith("isinstance(")
    )


def _enclosing_function(node: ts.Node) -> ts.Node | None:
    parent = node.parent
    while parent is not None and parent.type not in CALLABLE_NODES:
        parent = parent.parent
    if parent is None or node.parent is None or node.parent.parent != parent:
        return None  # only an assertion directly in the function's body validates its input
    return parent


def _identifiers(ctx: CheckContext, node: ts.Node) -> set[str]:
    return {ctx.node_text(n) for n in nodes_of(node, frozenset({"identifier"}))}


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.assert-validation",
            tuple(DROPPED_BY),
            Severity.WARNING,
            "correctness",
            "an added assertion on a public function's argument (stripped by -O, off without "
            "-ea, compiled out of release builds)",
            True,
            0.7,
        ),
        find_validating_asserts,
    ),
)
