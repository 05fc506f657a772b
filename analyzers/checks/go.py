"""Go error handling: errors discarded with ``_`` and ``if err != nil`` checks the change deletes.

A deleted check leaves no added line to point at, so that rule anchors its finding on the
assignment whose error is now unchecked, inside the hunk that removed the check (the one
place where a finding may sit on an unchanged line).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.model import Severity

# Functions whose last result is conventionally a bool or a count, not an error.
NON_ERROR_LAST = frozenset(
    {
        "Load", "LoadOrStore", "LoadAndDelete", "LookupEnv", "Lookup", "Swap", "CompareAndSwap",
        "DecodeRune", "DecodeRuneInString", "DecodeLastRune", "DecodeLastRuneInString",
        "Caller", "Cut", "CutPrefix", "CutSuffix", "Float64", "Int64", "Uint64", "Get", "Peek",
    }
)
REMOVED_CHECK = re.compile(r"^\s*if\s+(?P<var>\w+)\s*!=\s*nil\s*\{")


def _names(ctx: CheckContext, expression_list: ts.Node) -> list[str]:
    return [ctx.node_text(n) for n in expression_list.named_children]


def find_ignored_error(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("go.assign"):
        statement = captures["go.assign"][0]
        left = _names(ctx, captures["left"][0])
        right = captures["right"][0].named_children
        if not left or left[-1] != "_" or len(right) != 1:
            continue
        value = right[0]
        if value.type == "identifier" and ctx.node_text(value) in ("err", "error") and left == ["_"]:
            yield ctx.hit(statement, "The error is explicitly thrown away; handle it, or return it to the caller.")
            continue
        if value.type != "call_expression":
            continue
        function = value.child_by_field_name("function")
        callee = ctx.node_text(function).rsplit(".", 1)[-1] if function is not None else ""
        if callee in NON_ERROR_LAST or callee in ("append", "len", "cap", "recover", "copy"):
            continue
        yield ctx.hit(
            statement,
            f"The last result of {callee}() (by Go convention, its error) is discarded with `_`; "
            "check it or return it.",
        )


def _removed_checks(ctx: CheckContext) -> Iterator[tuple[int, int, str]]:
    """(new line just before the removed check, first new line of its hunk, checked variable)."""
    for hunk in ctx.file.hunks:
        new_line = hunk.new_start - 1
        for raw in hunk.lines:
            tag, body = raw[:1], raw[1:]
            if tag in (" ", "+"):
                new_line += 1
            elif tag == "-":
                match = REMOVED_CHECK.match(body)
                if match:
                    yield new_line, hunk.new_start, match.group("var")


def _mentions(ctx: CheckContext, node: ts.Node, name: str) -> bool:
    return re.search(rf"\b{re.escape(name)}\b", ctx.node_text(node)) is not None


def find_removed_err_check(ctx: CheckContext) -> Iterator[Hit]:
    assignments = list(ctx.all_captures("go.assign"))
    for before, hunk_start, var in _removed_checks(ctx):
        candidates = [
            c["go.assign"][0]
            for c in assignments
            if var in _names(ctx, c["left"][0])
            and hunk_start <= c["go.assign"][0].end_point[0] + 1 <= before
        ]
        if not candidates:
            continue
        statement = max(candidates, key=lambda n: n.end_point[0])
        following = statement.next_named_sibling
        while following is not None and following.type == "comment":
            following = following.next_named_sibling
        if following is not None and _mentions(ctx, following, var):
            continue  # the error is still looked at right after
        yield Hit(
            ctx.span(statement),
            f"This change deletes the `if {var} != nil` check, so the error from this call is now ignored.",
            ctx.node_text(statement),
            anchored_on_removal=True,
        )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo("go.ignored-error", ("go",), Severity.WARNING, "error-handling",
                 "a call's last result (the error) assigned to `_`, or `_ = err`"),
        find_ignored_error,
    ),
    Rule(
        RuleInfo("go.removed-err-check", ("go",), Severity.WARNING, "error-handling",
                 "an `if err != nil` check deleted while the assignment it guarded stays"),
        find_removed_err_check,
    ),
)
