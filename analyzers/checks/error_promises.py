"""Swallowed promise rejections: a ``.catch()`` the change adds whose handler drops the error.

A handler that does nothing, or only returns null/undefined, turns every rejection into
success; a ``.catch`` whose result is used for a member a Promise lacks belongs to some
other library (a schema's ``.catch``) and is left alone.
"""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit
from tactful.analyzers.model import Span


def _handler_drops_error(ctx: CheckContext, handler: ts.Node) -> bool:
    """A promise handler that does nothing, or only returns null/undefined/nothing."""
    body = handler.child_by_field_name("body")
    if body is None:
        return False
    if body.type != "statement_block":
        return ctx.node_text(body).strip("() ") in ("null", "undefined", "void 0", "")
    statements = body.named_children
    if not statements:
        return True
    if any(s.type == "comment" for s in statements) or len(statements) != 1:
        return False
    only = statements[0]
    value = (
        only.named_children[0] if only.type == "return_statement" and only.named_children else None
    )
    return only.type == "return_statement" and (
        value is None or ctx.node_text(value) in ("null", "undefined")
    )


def find_swallowed_promise(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.touching("js.promise-catch"):
        call, handler = captures["js.promise-catch"][0], captures["handler"][0]
        prop = captures["_prop"][0]
        # A chain starts lines above its `.catch(...)`: the `.catch` line is what the change adds.
        if not ctx.is_added(prop.start_point[0] + 1) or not _handler_drops_error(ctx, handler):
            continue
        if _chained_as_non_promise(ctx, call):
            continue  # `schema.catch(() => null).parse(x)`: a library's own catch, not a Promise's
        start = ctx.span(prop)
        end = ctx.span(call)
        header = Span(start.start_line, max(start.start_col - 1, 0), end.end_line, end.end_col)
        header_text = "." + ctx.text_of(
            Span(start.start_line, start.start_col, end.end_line, end.end_col)
        )
        yield Hit(
            header,
            "This .catch() turns every rejection into success with no trace; handle the error, "
            "log it, or let it reach the caller.",
            header_text,
        )


_PROMISE_METHODS = frozenset({"then", "catch", "finally"})


def _chained_as_non_promise(ctx: CheckContext, call: ts.Node) -> bool:
    """The ``.catch(...)`` result is used for a member a Promise does not have."""
    parent = call.parent
    while parent is not None and parent.type in ("parenthesized_expression", "as_expression"):
        parent = parent.parent
    if parent is None or parent.type != "member_expression":
        return False
    prop = parent.child_by_field_name("property")
    return prop is not None and ctx.node_text(prop) not in _PROMISE_METHODS
