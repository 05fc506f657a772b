"""Errors the change stopped propagating: a handler that re-raised, passed its error on or
stopped, and after the change only drops it; an error-first callback that no longer checks
its error."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import JS_LIKE, CheckContext, Hit, Rule, RuleInfo, nodes_of
from tactful.analyzers.checks.errors import _catch_variable
from tactful.analyzers.model import Hunk, Severity, Span

# ----------------------------------------------------------------------------- handlers that stopped propagating

HANDLER_TYPES = frozenset({"except_clause", "catch_clause", "rescue"})
THROW_TYPES = frozenset({"raise_statement", "throw_statement", "throw_expression"})
RAISE_METHODS = frozenset({"raise", "fail"})
NESTED_FUNCTIONS = frozenset(
    {
        "function_definition",
        "lambda",
        "arrow_function",
        "function_expression",
        "function",
        "lambda_expression",
        "anonymous_function",
        "anonymous_function_creation_expression",
        "do_block",
    }
)
LOG_WORDS = (
    "log",
    "warn",
    "error",
    "print",
    "report",
    "reject",
    "fail",
    "abort",
    "emit",
    "fatal",
    "debug",
    "trace",
)


def _handler_body(handler: ts.Node) -> ts.Node | None:
    body = handler.child_by_field_name("body")
    if body is not None:
        return body
    return next(
        (c for c in handler.named_children if c.type in ("block", "then", "compound_statement")),
        None,
    )


def _handler_variable(ctx: CheckContext, handler: ts.Node) -> str:
    """The name the handler binds the error to ('' when it binds none)."""
    if handler.type == "except_clause":
        value = handler.child_by_field_name("value")
        alias = (
            value.child_by_field_name("alias")
            if value is not None and value.type == "as_pattern"
            else None
        )
        return ctx.node_text(alias).strip() if alias is not None else ""
    if handler.type == "rescue":
        variable = handler.child_by_field_name("variable")
        return ctx.node_text(variable).lstrip("=> ").strip() if variable is not None else ""
    parameters = handler.child_by_field_name("parameters")
    if parameters is not None:  # C++: catch (const std::exception& e)
        names = [n for n in _descendants(parameters) if n.type == "identifier"]
        return ctx.node_text(names[-1]) if names else ""
    return _catch_variable(ctx, handler)


def _descendants(node: ts.Node, skip_functions: bool = False) -> Iterator[ts.Node]:
    stack = list(node.named_children)
    while stack:
        current = stack.pop()
        yield current
        if skip_functions and current.type in NESTED_FUNCTIONS:
            continue
        stack.extend(current.named_children)


def _throws(ctx: CheckContext, body: ts.Node) -> bool:
    for node in _descendants(body, skip_functions=True):
        if node.type in THROW_TYPES:
            return True
        if node.type == "call":
            method = node.child_by_field_name("method") or node.child_by_field_name("function")
            if method is not None and ctx.node_text(method) in RAISE_METHODS:
                return True  # Ruby: `raise Error, "..."`
        elif (
            node.type == "identifier" and ctx.node_text(node) == "raise" and ctx.language == "ruby"
        ):
            return True  # Ruby: a bare `raise`
    return False


def _exits(body: ts.Node) -> bool:
    return any(
        n.type in ("return_statement", "return") for n in _descendants(body, skip_functions=True)
    )


def _in_condition(node: ts.Node, body: ts.Node) -> bool:
    current: ts.Node | None = node
    while current is not None and current != body:
        parent = current.parent
        if parent is not None and parent.child_by_field_name("condition") == current:
            return True
        current = parent
    return False


INSPECTING_CALLS = frozenset(
    {"str", "repr", "len", "type", "isinstance", "String", "getattr", "hasattr"}
)
MEMBER_TARGETS = frozenset(
    {
        "attribute",
        "member_expression",
        "field_access",
        "member_access_expression",
        "subscript",
        "subscript_expression",
        "member_access",
        "instance_variable",
        "element_reference",
    }
)


def _hands_on(ctx: CheckContext, node: ts.Node) -> bool:
    """This use of the error hands it to someone: a call, a return, a field, an object."""
    if node.type == "shorthand_property_identifier":
        return True
    parent = node.parent
    if parent is not None and parent.type == "argument":
        parent = parent.parent
    if parent is None:
        return False
    if parent.type in ("argument_list", "arguments"):
        call = parent.parent
        callee = call.child_by_field_name("function") if call is not None else None
        return callee is None or ctx.node_text(callee).rsplit(".", 1)[-1] not in INSPECTING_CALLS
    if parent.type in (
        "return_statement",
        "return",
        "yield",
        "pair",
        "keyword_argument",
        "array",
        "list",
    ):
        return True
    if parent.type in ("assignment", "assignment_expression", "assignment_statement"):
        left, right = parent.child_by_field_name("left"), parent.child_by_field_name("right")
        return right == node and left is not None and left.type in MEMBER_TARGETS
    return False


def _passes_on(ctx: CheckContext, body: ts.Node, variable: str) -> bool:
    """The handler hands its error on (to a call, a return, a field), outside a condition;
    reading it to decide (`arg = e.args[0]`, `if "x" in str(e)`) is not handing it on."""
    if not variable:
        return False
    return any(
        n.type in ("identifier", "name", "shorthand_property_identifier")
        and ctx.node_text(n) == variable
        and not _in_condition(n, body)
        and _hands_on(
            ctx,
            n.parent
            if n.type == "name" and n.parent is not None and n.parent.type == "variable_name"
            else n,
        )
        for n in _descendants(body, skip_functions=True)
    )


def _logs(ctx: CheckContext, body: ts.Node) -> bool:
    for node in _descendants(body, skip_functions=True):
        if node.type not in (
            "call",
            "call_expression",
            "method_invocation",
            "invocation_expression",
            "member_call_expression",
            "function_call_expression",
            "scoped_call_expression",
        ):
            continue
        callee = next(
            (
                node.child_by_field_name(f)
                for f in ("function", "name", "method")
                if node.child_by_field_name(f) is not None
            ),
            None,
        )
        if callee is not None and any(w in ctx.node_text(callee).lower() for w in LOG_WORDS):
            return True
    return False


def _handlers(root: ts.Node, first_row: int, last_row: int) -> list[ts.Node]:
    found: list[ts.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_point[0] < first_row or node.start_point[0] > last_row:
            continue
        if node.type in HANDLER_TYPES and (node.type != "rescue" or node.parent is not None):
            found.append(node)
        stack.extend(node.named_children)
    return sorted(found, key=lambda n: n.start_byte)


def _contains_row(node: ts.Node, rows: Iterable[int]) -> bool:
    return any(node.start_point[0] <= row - 1 <= node.end_point[0] for row in rows)


def find_handler_stopped_propagating(ctx: CheckContext) -> Iterator[Hit]:
    """A handler that re-raised, passed its error on or stopped the work, and after the change
    does none of that, nor logs."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed:
            continue
        old = _handlers(old_tree.root_node, hunk.old_start - 1, hunk.old_start + hunk.old_count - 2)
        new = _handlers(ctx.tree.root_node, hunk.new_start - 1, hunk.new_start + hunk.new_count - 2)
        if len(old) != len(new):
            continue  # handlers added or removed: no safe pairing
        for before, after in zip(old, new, strict=True):
            if not _contains_row(before, hunk.removed):
                continue
            old_body, new_body = _handler_body(before), _handler_body(after)
            if old_body is None:
                continue
            old_variable = _handler_variable(ctx, before)
            what = (
                "raised an error"
                if _throws(ctx, old_body)
                else "passed the error on"
                if _passes_on(ctx, old_body, old_variable)
                else "stopped the work here"
                if _exits(old_body)
                else ""
            )
            if not what:
                continue
            # Logging excuses a handler only when it is what the change added: one that logged and
            # raised before and only logs now has stopped propagating all the same.
            logged_before = what == "raised an error" and _logs(ctx, old_body)
            if new_body is not None and (
                _throws(ctx, new_body)
                or _passes_on(ctx, new_body, _handler_variable(ctx, after))
                or (_logs(ctx, new_body) and not logged_before)
                or what == "stopped the work here"
                and _exits(new_body)
            ):
                continue
            if new_body is not None and logged_before:
                message = (
                    "This handler logged the error and raised it; after the change it only logs it, so "
                    "the caller carries on as if it worked. Keep the raise, or return a failure."
                )
            else:
                message = (
                    f"This handler {what}; after the change it drops the error without a trace, so the "
                    "caller carries on as if it worked. Re-raise it, return it, or at least log it."
                )
            yield _handler_hit(ctx, after, hunk, message)


def _handler_hit(ctx: CheckContext, handler: ts.Node, hunk: Hunk, message: str) -> Hit:
    """At the handler's header when the hunk shows it, else at its first line inside the hunk."""
    span = ctx.span(handler)
    first, last = hunk.new_start, hunk.new_start + hunk.new_count - 1
    added = [n for n in hunk.added if span.start_line <= n <= span.end_line]
    if first <= span.start_line <= last:
        number, column = span.start_line, span.start_col
    elif added:
        number = added[0]
        column = len(ctx.line(number)) - len(ctx.line(number).lstrip())
    else:
        number = max(first, span.start_line)
        column = len(ctx.line(number)) - len(ctx.line(number).lstrip())
    text = ctx.line(number)[column:].rstrip()
    return Hit(
        Span(number, column, number, column + len(text)),
        message,
        text,
        anchored_on_removal=not ctx.is_added(number),
        confidence=0.7,
    )


# ----------------------------------------------------------------------------- error-first callbacks

CALLBACK_TYPES = frozenset({"arrow_function", "function_expression", "function"})
ERROR_PARAMETERS = frozenset({"err", "error", "er", "e"})


def _callbacks(root: ts.Node, rows: tuple[int, int]) -> list[ts.Node]:
    return sorted(nodes_of(root, CALLBACK_TYPES, rows), key=lambda n: n.start_byte)


def _error_parameter(ctx: CheckContext, function: ts.Node) -> tuple[str, bool]:
    """(the error-first parameter's name or '', whether the function has parameters at all)."""
    parameters = function.child_by_field_name("parameters") or function.child_by_field_name(
        "parameter"
    )
    if parameters is None:
        return "", False
    if parameters.type == "identifier":
        first: ts.Node | None = parameters
    else:
        first = parameters.named_children[0] if parameters.named_child_count else None
    if first is None:
        return "", False
    if first.type in ("required_parameter", "optional_parameter"):
        first = first.child_by_field_name("pattern") or first
    name = ctx.node_text(first)
    return (name if name in ERROR_PARAMETERS else ""), True


def _mentions(ctx: CheckContext, body: ts.Node | None, name: str) -> bool:
    return body is not None and any(
        n.type in ("identifier", "shorthand_property_identifier") and ctx.node_text(n) == name
        for n in _descendants(body)
    )


def find_callback_error_ignored(ctx: CheckContext) -> Iterator[Hit]:
    """An error-first callback that tested its error, and after the change never looks at it."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed:
            continue
        old = _callbacks(
            old_tree.root_node, (hunk.old_start - 1, hunk.old_start + hunk.old_count - 2)
        )
        new = _callbacks(
            ctx.tree.root_node, (hunk.new_start - 1, hunk.new_start + hunk.new_count - 2)
        )
        if len(old) != len(new):
            continue
        for before, after in zip(old, new, strict=True):
            if not _contains_row(before, hunk.removed):
                continue
            name, _ = _error_parameter(ctx, before)
            if not name or not _mentions(ctx, before.child_by_field_name("body"), name):
                continue
            new_name, has_parameters = _error_parameter(ctx, after)
            if new_name and _mentions(ctx, after.child_by_field_name("body"), new_name):
                continue
            if not new_name and has_parameters:
                continue  # the callback's shape changed: not the same error-first callback
            yield _handler_hit(
                ctx,
                after,
                hunk,
                f"This callback used to check `{name}` before going on; after the change a failure "
                "is ignored and the code carries on as if it had worked. Check the error first.",
            )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.error-swallowed-by-change",
            ("python", *JS_LIKE, "java", "csharp", "php", "ruby", "cpp"),
            Severity.WARNING,
            "error-handling",
            "a handler that re-raised, passed its error on or stopped, and after the change only drops it",
            confidence=0.7,
        ),
        find_handler_stopped_propagating,
    ),
    Rule(
        RuleInfo(
            "js.callback-error-ignored",
            JS_LIKE,
            Severity.WARNING,
            "error-handling",
            "an error-first callback that checked its error and after the change ignores it",
            confidence=0.7,
        ),
        find_callback_error_ignored,
    ),
)
