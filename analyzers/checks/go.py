"""Go error handling: errors discarded with ``_`` and ``if err != nil`` checks the change deletes.

A deleted check leaves no added line to point at, so that rule anchors its finding on the
assignment whose error is now unchecked, inside the hunk that removed the check (the one
place where a finding may sit on an unchanged line).

An explicit ``_ = f()`` is Go's way of saying "deliberately ignored", so only a discard in a
multi-value assignment (``v, _ := f()``) is reported, and only when the change introduced it.
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
        "Load",
        "LoadOrStore",
        "LoadAndDelete",
        "LookupEnv",
        "Lookup",
        "Swap",
        "CompareAndSwap",
        "DecodeRune",
        "DecodeRuneInString",
        "DecodeLastRune",
        "DecodeLastRuneInString",
        "Caller",
        "Next",
        "Cut",
        "CutPrefix",
        "CutSuffix",
        "Float64",
        "Int64",
        "Uint64",
        "Get",
        "Peek",
    }
)
REMOVED_CHECK = re.compile(r"^\s*if\s+(?P<var>err\w{0,30}|\w{0,30}Err(?:or)?)\s*!=\s*nil\s*\{")
DISCARD = re.compile(r",\s*_\s*:?=\s*$")


def _names(ctx: CheckContext, expression_list: ts.Node) -> list[str]:
    return [ctx.node_text(n) for n in expression_list.named_children]


def find_ignored_error(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("go.assign"):
        statement = captures["go.assign"][0]
        left = _names(ctx, captures["left"][0])
        right = captures["right"][0].named_children
        if (
            len(left) < 2
            or left[-1] != "_"
            or len(right) != 1
            or set(left) == {"_"}
            or ctx.is_test_file
        ):
            continue  # `_ = f()` and `_, _ = f()` are deliberate, visible discards; tests may skip errors
        value = right[0]
        if value.type != "call_expression":
            continue
        function = value.child_by_field_name("function")
        callee = ctx.node_text(function).rsplit(".", 1)[-1] if function is not None else ""
        if callee in NON_ERROR_LAST or callee in ("append", "len", "cap", "recover", "copy"):
            continue
        if function is not None and _old_side_discarded(ctx, statement, ctx.node_text(function)):
            continue  # the change edited a line that already discarded this call's error
        if function is not None and _kept_lines_discard(ctx, ctx.node_text(function)):
            continue  # the file already discards this call's error: the change follows suit
        yield ctx.hit(
            statement,
            f"The last result of {callee}() (by Go convention, its error) is discarded with `_`; "
            "check it or return it.",
        )


def _kept_lines_discard(ctx: CheckContext, function: str) -> bool:
    """A line the change kept discards ``function``'s error the same way (``res, _ :=
    readAsCSV(s)`` in every other case of the switch): the file's settled practice for that
    call, which a new case copying it does not change; a review of it is a separate cleanup."""
    pattern = re.compile(
        rf",[ \t]{{0,4}}_[ \t]{{0,4}}:?=[ \t]{{0,4}}{re.escape(function)}[ \t]{{0,4}}\("
    )
    line, offset = 1, 0
    for match in pattern.finditer(ctx.text):
        line += ctx.text.count("\n", offset, match.start())
        offset = match.start()
        if not ctx.is_added(line):
            return True
    return False


def _old_side_discarded(ctx: CheckContext, statement: ts.Node, function: str) -> bool:
    """True when a line the hunk removed already called ``function`` and discarded a result with ``_``."""
    line = statement.start_point[0] + 1
    for hunk in ctx.file.hunks:
        if not hunk.new_start <= line < hunk.new_start + max(hunk.new_count, 1):
            continue
        for raw in hunk.lines:
            body = raw[1:]
            if raw[:1] == "-" and function in body and DISCARD.search(body.split(function, 1)[0]):
                return True
    return False


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


def _error_is_looked_at(ctx: CheckContext, statement: ts.Node, var: str) -> bool:
    """Whether the statements after ``statement`` read ``var`` before overwriting it or leaving the block."""
    own_left = statement.child_by_field_name("left")
    results = (
        [n for n in _names(ctx, own_left) if n not in ("_", var)] if own_left is not None else []
    )
    following = statement.next_named_sibling
    while following is not None:
        if following.type != "comment" and _mentions(ctx, following, var):
            if following.type == "if_statement":
                return True
            if following.type not in ("short_var_declaration", "assignment_statement"):
                # `return &DB{db}, err` hands out the failed call's other result along with the error
                return not any(_mentions(ctx, following, name) for name in results)
            left = following.child_by_field_name("left")
            right = following.child_by_field_name("right")
            if left is None or var not in _names(ctx, left):
                return True
            # `x, err := other()` overwrites the unchecked error unless it reads it first.
            return right is not None and _mentions(ctx, right, var)
        following = following.next_named_sibling
    return False


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
        if _error_is_looked_at(ctx, statement, var):
            continue
        yield Hit(
            ctx.span(statement),
            f"This change deletes the `if {var} != nil` check, so the error from this call is now ignored.",
            ctx.node_text(statement),
            anchored_on_removal=True,
            confidence=0.8,
        )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "go.ignored-error",
            ("go",),
            Severity.WARNING,
            "error-handling",
            "a call's error discarded with `v, _ := f()` where the change introduced the discard",
        ),
        find_ignored_error,
    ),
    Rule(
        RuleInfo(
            "go.removed-err-check",
            ("go",),
            Severity.WARNING,
            "error-handling",
            "an `if err != nil` check deleted while the assignment it guarded stays",
        ),
        find_removed_err_check,
    ),
)
