"""Errors turned into defaults: a new handler, or a deleted throw, that hands callers a
plausible value (``None``, ``false``, ``[]``, ...) where the old code let the failure reach them."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo, nodes_of
from tactful.analyzers.checks.error_propagation import HANDLER_TYPES, THROW_TYPES
from tactful.analyzers.checks.errors import BROAD_PY
from tactful.analyzers.model import Severity, Span

# Values a handler returns to pretend nothing failed.
DEFAULT_VALUES = frozenset(
    {
        "null",
        "None",
        "nil",
        "undefined",
        "false",
        "False",
        "0",
        "-1",
        '""',
        "''",
        "[]",
        "{}",
        "()",
        "default",
        "Optional.empty()",
        "Collections.emptyList()",
        "Collections.emptyMap()",
        "Collections.emptySet()",
        "List.of()",
        "Map.of()",
        "string.Empty",
        "String.Empty",
        "Array.Empty<T>()",
    }
)
FUNCTION_TYPES = frozenset(
    {
        "function_definition",
        "method_declaration",
        "constructor_declaration",
        "function_declaration",
        "method_definition",
        "local_function_statement",
    }
)
CATCH_TYPES = frozenset({"catch_clause", "except_clause"})


def _enclosing_function(node: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        current = current.parent
    return current


def _function_name(ctx: CheckContext, function: ts.Node) -> str:
    name = function.child_by_field_name("name")
    return ctx.node_text(name) if name is not None else ""


def _old_function_catches(ctx: CheckContext, name: str) -> bool | None:
    """Whether the old file's functions called ``name`` caught anything (None: no such function)."""
    tree = ctx.old_tree
    if tree is None or not name:
        return None
    found: bool | None = None
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        if node.type in FUNCTION_TYPES:
            name_node = node.child_by_field_name("name")
            if name_node is not None and (name_node.text or b"").decode("utf-8", "replace") == name:
                found = bool(found) or _has_catch(node)
                continue
        stack.extend(node.named_children)
    return found


def _has_catch(node: ts.Node) -> bool:
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        if current.type in CATCH_TYPES:
            return True
        if current.type not in FUNCTION_TYPES:  # a nested function's handlers are its own
            stack.extend(current.named_children)
    return False


def _returns_default(ctx: CheckContext, body: ts.Node) -> str | None:
    """The default value when the handler's body is only ``return <default>``."""
    statements = [s for s in body.named_children]
    if len(statements) != 1 or statements[0].type != "return_statement":
        return None
    values = statements[0].named_children
    if not values:
        return "nothing"
    value = (
        values[0].named_children[0]
        if values[0].type == "expression_list" and values[0].named_child_count == 1
        else values[0]
    )
    text = " ".join(ctx.node_text(value).split())
    return (
        text
        if text in DEFAULT_VALUES or text.startswith("new ArrayList") or text.startswith("default(")
        else None
    )


def find_error_to_default(ctx: CheckContext) -> Iterator[Hit]:
    """A new handler that answers every error with a default value where the old code let it propagate."""
    if ctx.old_text is None:
        return
    capture = "py.except" if ctx.language == "python" else "catch"
    for captures in ctx.captures(capture):
        clause = captures[capture][0]
        if ctx.language == "python":
            body = next((c for c in clause.named_children if c.type == "block"), None)
            value = clause.child_by_field_name("value")
            caught = (
                value.named_children[0]
                if value is not None and value.type == "as_pattern"
                else value
            )
            if caught is None:
                continue  # a bare except is py.bare-except's finding: one comment per line
            names = {n.strip("() ") for n in ctx.node_text(caught).split(",")}
            if not names & BROAD_PY:
                continue  # `except KeyError: return None` is an ordinary lookup idiom
        else:
            body = captures["body"][0]
        if body is None or not ctx.is_added(body.start_point[0] + 1):
            continue
        default = _returns_default(ctx, body)
        function = _enclosing_function(clause)
        if default is None or function is None:
            continue
        if _old_function_catches(ctx, _function_name(ctx, function)) is not False:
            continue  # a new function, or the old one already handled errors
        span = ctx.span(clause)
        first_line = ctx.line(span.start_line)[span.start_col :].rstrip()
        yield Hit(
            Span(
                span.start_line, span.start_col, span.start_line, span.start_col + len(first_line)
            ),
            f"Errors used to propagate from {_function_name(ctx, function)}(); now every failure returns "
            f"{default}, so callers cannot tell it from a real result. Let it propagate, or log it.",
            first_line,
        )


def find_throw_became_default(ctx: CheckContext) -> Iterator[Hit]:
    """A hunk deletes a throw/raise and adds a `return <default>` in its place."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed or not hunk.added:
            continue
        removed_rows = {n - 1 for n in hunk.removed}
        added_rows = {n - 1 for n in hunk.added}
        old_span = (hunk.old_start - 1, hunk.old_start + hunk.old_count - 1)
        new_span = (hunk.new_start - 1, hunk.new_start + hunk.new_count - 1)
        if not any(
            n.start_point[0] in removed_rows
            for n in nodes_of(old_tree.root_node, THROW_TYPES, old_span)
        ):
            continue
        new_nodes = list(nodes_of(ctx.tree.root_node, THROW_TYPES | {"return_statement"}, new_span))
        if any(n.type in THROW_TYPES and n.start_point[0] in added_rows for n in new_nodes):
            continue
        for node in new_nodes:
            if node.type != "return_statement" or node.start_point[0] not in added_rows:
                continue
            if _inside(node, HANDLER_TYPES):
                continue  # generic.error-swallowed-by-change speaks for handlers
            body = node.parent
            default = (
                _returns_default(ctx, body)
                if body is not None and body.named_child_count == 1
                else None
            )
            values = node.named_children
            text = " ".join(ctx.node_text(values[0]).split()) if values else "nothing"
            if default is None and text not in DEFAULT_VALUES:
                continue
            yield Hit(
                ctx.span(node),
                f"The change replaces the error raised here with `return {text}`; callers that relied on the "
                "exception now get a value that looks like an answer. Keep the throw, or make sure every caller checks.",
                ctx.node_text(node),
                confidence=0.6,
            )
            break


def _inside(node: ts.Node, types: frozenset[str]) -> bool:
    current = node.parent
    while current is not None and current.type not in FUNCTION_TYPES:
        if current.type in types:
            return True
        current = current.parent
    return False


# ----------------------------------------------------------------------------- error-first callbacks


RULES: tuple[Rule, ...] = (
    *(
        Rule(
            RuleInfo(
                f"{prefix}.error-to-default",
                languages,
                Severity.WARNING,
                "error-handling",
                "a new handler returns a default value where the old function let errors propagate",
                confidence=0.5,
            ),
            find_error_to_default,
        )
        for prefix, languages in (
            ("py", ("python",)),
            ("js", JS_LIKE),
            ("java", ("java",)),
            ("csharp", ("csharp",)),
        )
    ),
    Rule(
        RuleInfo(
            "generic.throw-to-default",
            ("python", *JS_LIKE, "java", "csharp", "php", "ruby", "cpp"),
            Severity.WARNING,
            "error-handling",
            "a removed throw/raise replaced by `return false/null/...`",
            confidence=0.6,
        ),
        find_throw_became_default,
    ),
)
