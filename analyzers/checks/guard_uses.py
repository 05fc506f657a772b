"""Whether a deleted guard's value is still used on the new side, and whether anything else
still tests it: the name's uses, tests, new assignments and redeclarations in the new text."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit
from tactful.analyzers.model import Span

_MAX_GUARD_TEXT = 70
_ERROR_NAME = re.compile(r"^(?:err|\w{0,40}Err|\w{0,40}Error)$")


def _name_pattern(name: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w$@.]){re.escape(name)}(?![\w$])")


def _code_lines(ctx: CheckContext, first: int, last: int) -> Iterator[tuple[int, str]]:
    for number in range(max(first, 1), last + 1):
        text = ctx.line(number)
        if not g.COMMENT_LINE.match(text):
            yield number, text


def _tested_in(ctx: CheckContext, name: str, kind: str, first: int, last: int) -> bool:
    pattern = _name_pattern(name)
    if kind in ("null", "falsy"):
        # Only a test of the name itself counts: `if (x instanceof T)` below a deleted null check is no check;
        # nor does one in a sibling branch (the other arm of an if/else) that the use is not in.
        own = g.null_test_line(name)
        return any(
            pattern.search(text)
            and (own.search(text) or g.NULL_TEST_WORDS.search(text))
            and _block_reaches(ctx, number, last)
            for number, text in _code_lines(ctx, first, last)
        )
    test = g.KIND_TEST_LINE.get(kind)
    return any(
        pattern.search(text) and (test or g.TEST_LINE).search(text)
        for _, text in _code_lines(ctx, first, last)
    )


def _error_parameter_dropped(
    ctx: CheckContext, scope: ts.Node, name: str, new_header: int
) -> int | None:
    """The new header line when the change removed the error parameter ``name`` the guard tested."""
    if not _ERROR_NAME.match(name) or scope.type not in g.FUNCTION_TYPES:
        return None
    parameters = scope.child_by_field_name("parameters") or scope.child_by_field_name("parameter")
    if parameters is None or not _name_pattern(name).search(ctx.node_text(parameters)):
        return None
    header_row = parameters.start_point[0] - scope.start_point[0]
    line = new_header + header_row
    if not ctx.is_added(line) or _name_pattern(name).search(ctx.line(line)):
        return None
    return line


def _declared_on_added_header(ctx: CheckContext, name: str, use_line: int) -> bool:
    """The change made the name a (typed) parameter: the check moved to the callers' side of the contract."""
    if ctx.tree is None:
        return False
    text = ctx.line(use_line)
    indent = len(text) - len(text.lstrip())
    node: ts.Node | None = ctx.tree.root_node.descendant_for_point_range(
        (use_line - 1, indent), (use_line - 1, indent)
    )
    while node is not None and node.type not in g.FUNCTION_TYPES:
        node = node.parent
    parameters = node.child_by_field_name("parameters") if node is not None else None
    if parameters is None:
        return False
    rows = range(parameters.start_point[0] + 1, parameters.end_point[0] + 2)
    return (
        any(ctx.is_added(n) for n in rows)
        and _name_pattern(name).search(ctx.node_text(parameters)) is not None
    )


def _block_reaches(ctx: CheckContext, test_line: int, use_line: int) -> bool:
    """The innermost block around the test line (new side) also holds the use line."""
    if ctx.tree is None:
        return True
    text = ctx.line(test_line)
    indent = len(text) - len(text.lstrip())
    node: ts.Node | None = ctx.tree.root_node.descendant_for_point_range(
        (test_line - 1, indent), (test_line - 1, indent)
    )
    while node is not None and node.parent is not None:
        if node.type in g.FUNCTION_TYPES:
            return True
        if node.type in g.BLOCK_TYPES and node.start_point[0] < test_line - 1:
            return node.start_point[0] <= use_line - 1 <= node.end_point[0]
        node = node.parent
    return True


def _assigned_on_added(ctx: CheckContext, name: str, first: int, last: int) -> bool:
    """A new assignment to the name (``x = default()``) makes the old guard moot."""
    assignment = re.compile(
        rf"(?<![\w$@.]){re.escape(name)}\s{{0,4}}(?::[^=]{{0,60}})?(?<![=!<>])=(?!=)"
    )
    return any(
        ctx.is_added(n) and assignment.search(text) for n, text in _code_lines(ctx, first, last)
    )


def _first_use(
    ctx: CheckContext, name: str, first: int, last: int, *, passed: bool = False
) -> int | None:
    """The first line that reads through the name (``x.a``, ``x[i]``, ``for _ in x``, ``*x``).

    Passing the value on (``helper(x)``) is not counted, as the callee may check it, unless
    the guard checked a result fresh from a call (``f = fopen(...)``; ``if (!f) return``):
    that check is the caller's job, and every later use of the failed value is a bug.
    """
    escaped = re.escape(name)
    # `f(x)`, `f(a, x)`, and as a keyword or named argument: `f(file=x)`, `f(to: x)`.
    passing = (
        rf"|[(,]\s{{0,3}}(?:[\w$]{{1,40}}\s{{0,2}}(?<!=)[=:](?!=)\s{{0,2}})?(?<![\w$@.]){escaped}\s{{0,3}}[,)]"
        if passed
        else ""
    )
    pattern = re.compile(
        rf"(?<![\w$@.]){escaped}(?![\w$]){g.DEREFERENCE}|{g.ITERATION}(?<![\w$@.]){escaped}(?![\w$])"
        rf"|\[[^\]]{{0,40}}(?<![\w$@.]){escaped}(?![\w$]){passing}"
    )
    declared = _declaration(name)
    for number, text in _code_lines(ctx, first, last):
        if declared.match(text):
            return None  # `T* x = ...` starts a new variable: the guarded value's uses end here
        if pattern.search(text):
            return number
    return None


def _declaration(name: str) -> re.Pattern[str]:
    """A statement that declares the name anew (``PyObject* val = ...``, ``let val =``), whose
    ``*`` must not read as a dereference of the old value."""
    n = re.escape(name)
    return re.compile(
        rf"^\s{{0,80}}(?:(?:const|static|final)\s{{1,4}})?(?:[A-Za-z_][\w:]{{0,60}}(?:<[^<>;]{{0,60}}>)?"
        rf"\s{{0,2}}\*{{1,2}}\s{{0,2}}|(?:let|var|const|auto)\s{{1,4}}(?:mut\s{{1,4}})?){n}\s{{0,2}}(?:=(?!=)|;)"
    )


_BARE_RETURN = re.compile(r"^\s{0,80}return\s{0,2};?\s{0,2}$")
_RAISE_LINE = re.compile(r"^\s{0,80}(?:raise|throw|fail)\b")


def _first_return(ctx: CheckContext, name: str, first: int, last: int) -> int | None:
    """The first line returning the name as it is (``return x``, or a bare ``x`` ending a Ruby method)."""
    escaped = re.escape(name)
    implicit = (
        "?" if ctx.language in ("ruby", "rust") else ""
    )  # languages where a method's last expression is its value
    pattern = re.compile(rf"^\s{{0,80}}(?:return\s{{1,4}}){implicit}{escaped}\s{{0,2}};?\s{{0,2}}$")
    return next((n for n, text in _code_lines(ctx, first, last) if pattern.match(text)), None)


def _hit(ctx: CheckContext, line: int, message: str, confidence: float) -> Hit:
    text = ctx.line(line)
    start = len(text) - len(text.lstrip())
    return Hit(
        Span(line, start, line, len(text)),
        message,
        text.strip(),
        anchored_on_removal=True,
        confidence=confidence,
    )


def _raises(body: ts.Node | None) -> bool:
    """The guard's body throws (rather than returning a value the callers could test)."""
    if body is None:
        return False
    return any(
        _RAISE_LINE.match(line)
        for line in (body.text or b"").decode("utf-8", "replace").split("\n")
    )
