"""Removed guards: a null, size, type or error check (or an early exit) the change deletes.

The rule compares the two sides of the change. In the old tree it looks for guard
statements that start on a removed line: an ``if`` whose body leaves the path (return,
raise, throw, continue, goto, panic, ...) or wraps code in a null/size/type test, and
assertions. It takes the names the guard tests and reports the deletion when the new side
still uses such a name after the spot where the guard stood, and no line of the enclosing
function still tests it (a moved guard, or one replaced by ``if not x``, ``x ?? d``,
``unwrap_or``, ... stays silent). A deleted guard leaves no added line to point at, so the
finding sits on the first new-side use inside the hunk (``anchored_on_removal``).

Line-level swaps that drop a check are reported too: optional chaining made plain or
asserted (``a?.b`` to ``a!.b`` / ``a.b``; ``?->``, ``&.``), Rust ``?``/``unwrap_or``/
``match``/``if let`` replaced by ``.unwrap()``/``.expect()``, C# ``x as T`` replaced by
``(T)x``, and C++ ``dynamic_cast`` replaced by ``static_cast``/``reinterpret_cast``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.linemap import line_maps
from tactful.analyzers.model import Hunk, Severity, Span

_MAX_GUARD_TEXT = 70
_ERROR_NAME = re.compile(r"^(?:err|\w{0,40}Err|\w{0,40}Error)$")


@dataclass(frozen=True)
class _Guard:
    node: ts.Node
    subjects: tuple[tuple[str, str], ...]
    """(name, kind) pairs: kind is ``null``, ``falsy``, ``size``, ``type`` or ``value``."""
    exits: bool
    body: ts.Node | None


def find_removed_guards(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.old_text is None or ctx.language not in g.LANGUAGES or not ctx.removed:
        return
    yield from _line_swaps(ctx)
    old_tree = ctx.old_tree
    if old_tree is None:
        return
    removed = ctx.removed
    to_new, _ = line_maps(ctx.file.hunks)
    added_stripped = {ctx.line(n).strip() for n in ctx.added}
    added_raise = any(_RAISE_LINE.match(line) for line in added_stripped)
    reported: set[int] = set()
    for guard in _removed_guards(
        ctx, old_tree.root_node, removed, min(removed) - 1, max(removed) - 1
    ):
        first = guard.node.start_point[0] + 1
        scope = _enclosing_scope(guard.node)
        scope_last = scope.end_point[0] + 1
        new_at = to_new(first)
        new_first, new_last = to_new(_body_row(scope) + 1), min(to_new(scope_last), len(ctx.lines))
        if not guard.exits and not _wrapped_code_kept(ctx, guard, added_stripped):
            continue
        reported_before = len(reported)
        excused = False
        for name, kind in guard.subjects:
            if ctx.language == "go" and _ERROR_NAME.match(name):
                continue  # go.removed-err-check owns deleted error checks
            header = (
                _error_parameter_dropped(ctx, scope, name, to_new(scope.start_point[0] + 1))
                if guard.exits
                else None
            )
            if header is not None and header not in reported:
                reported.add(header)
                yield _hit(
                    ctx,
                    header,
                    (
                        f"This change drops the `{name}` parameter together with its check `{_guard_text(guard.node)}`, "
                        "so an error passed to this callback is now ignored and the code below runs as if it succeeded."
                    ),
                    0.75,
                )
                break
            use = _first_use(
                ctx, name, new_at, new_last, passed=_checks_fresh_result(ctx, guard.node, name)
            )
            if use is None and _raises(guard.body):
                # `if len(data) < n: raise ...` then `return data`: callers now get what the guard refused
                use = _first_return(ctx, name, new_at, new_last)
            if use is None:
                excused = excused or _declared_on_added_header(
                    ctx, name, min(new_at, len(ctx.lines))
                )
                continue
            # A null test that only comes after the first use does not protect it.
            tested_to = use if kind in ("null", "falsy") else new_last
            if (
                _tested_in(ctx, name, kind, new_first, tested_to)
                or _assigned_on_added(ctx, name, new_first, new_last)
                or _declared_on_added_header(ctx, name, use)
                or (
                    kind in ("null", "falsy")
                    and _made_non_optional(ctx, scope, name, to_new(scope.start_point[0] + 1))
                )
            ):
                excused = True  # the check moved, was replaced, or the contract changed on purpose
                continue
            anchor = _anchor(ctx, _hunk_of(ctx.file.hunks, first), name, new_at, use)
            if anchor in reported:
                break
            reported.add(anchor)
            yield _hit(ctx, anchor, _message(_guard_text(guard.node), name, kind), 0.75)
            break
        if (
            len(reported) == reported_before
            and not excused
            and not added_raise
            and _only_raises(guard)
            and not _tests_a_call_result(guard.node)
            and not _passed_to_added_call(ctx, guard.node)
        ):
            # Nothing below reads what it tested, but the deleted check was how failure was signalled.
            hunk = _hunk_of(ctx.file.hunks, first)
            anchor = _anchor(ctx, hunk, "", new_at, len(ctx.lines) + 1)
            if anchor not in reported:
                reported.add(anchor)
                yield _hit(
                    ctx,
                    anchor,
                    (
                        f"This change deletes `{_guard_text(guard.node)}`, so that failure is no longer signalled: "
                        "callers that relied on the exception now carry on as if the call succeeded."
                    ),
                    0.6,
                )


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
    return re.split(r"\.|::|->", text)[-1].rstrip("!")


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
            if name is not None and name not in found:
                found[name] = kind
        if node.type not in g.CALL_TYPES or node is condition:
            stack.extend(node.named_children)
    return tuple(found.items())


def _enclosing_scope(node: ts.Node) -> ts.Node:
    current = node.parent
    while current is not None and current.parent is not None:
        if current.type in g.FUNCTION_TYPES:
            return current
        current = current.parent
    return current or node


def _body_row(scope: ts.Node) -> int:
    """0-based row where the scope's statements begin (after its header, whose types mention nullability)."""
    body = scope.child_by_field_name("body")
    if body is None:
        return scope.start_point[0]
    header_end = body.start_point[0]
    first = next((c for c in body.named_children if "comment" not in c.type), None)
    return max(header_end, first.start_point[0]) if first is not None else header_end


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
    passing = rf"|[(,]\s{{0,3}}(?<![\w$@.]){escaped}\s{{0,3}}[,)]" if passed else ""
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


def _raises(body: ts.Node | None) -> bool:
    """The guard's body throws (rather than returning a value the callers could test)."""
    if body is None:
        return False
    return any(
        _RAISE_LINE.match(line)
        for line in (body.text or b"").decode("utf-8", "replace").split("\n")
    )


def _passed_to_added_call(ctx: CheckContext, node: ts.Node) -> bool:
    """An added line hands a tested name to a call (`check_status(result)`): the check moved into a helper."""
    condition = node.child_by_field_name("condition")
    text = ctx.node_text(condition) if condition is not None else ""
    names = {n for n in re.findall(r"[$@]{0,2}[A-Za-z_]\w{0,60}", text) if n not in g.NOT_SUBJECTS}
    hunk = _hunk_of(ctx.file.hunks, node.start_point[0] + 1)
    lines = [
        ctx.line(n)
        for n in ctx.added
        if hunk is None or hunk.new_start <= n < hunk.new_start + hunk.new_count
    ]
    return any(
        re.search(rf"\w\s{{0,2}}\([^)]{{0,200}}?(?<![\w$@.]){re.escape(name)}(?![\w$])", line)
        for name in names
        for line in lines
    )


def _tests_a_call_result(node: ts.Node) -> bool:
    """`if (!function_exists('x'))`, `if (!openlog(...))`: a test of the environment, not of the data."""
    condition = node.child_by_field_name("condition")
    while condition is not None:
        if condition.type in g.CALL_TYPES:
            return True
        inner = [c for c in condition.named_children if "comment" not in c.type]
        negated = (
            condition.type in g.UNARY_TYPES
            or condition.type in g.WRAPPERS
            or condition.type == "condition_clause"
        )
        condition = inner[-1] if negated and inner else None
    return False


def _only_raises(guard: _Guard) -> bool:
    """The guard's body is just a raise/throw: a validation that exists to signal failure."""
    if guard.body is None or not guard.exits or not _raises(guard.body):
        return False
    statements = [c for c in guard.body.named_children if "comment" not in c.type]
    return (
        len(statements) <= 1 or guard.body.type in g.EXIT_TYPES or guard.body.type in g.CALL_TYPES
    )


def _first_return(ctx: CheckContext, name: str, first: int, last: int) -> int | None:
    """The first line returning the name as it is (``return x``, or a bare ``x`` ending a Ruby method)."""
    escaped = re.escape(name)
    implicit = (
        "?" if ctx.language in ("ruby", "rust") else ""
    )  # languages where a method's last expression is its value
    pattern = re.compile(rf"^\s{{0,80}}(?:return\s{{1,4}}){implicit}{escaped}\s{{0,2}};?\s{{0,2}}$")
    return next((n for n, text in _code_lines(ctx, first, last) if pattern.match(text)), None)


def _checks_fresh_result(ctx: CheckContext, guard: ts.Node, name: str) -> bool:
    """The statement just above the guard assigns the name from a call (``f = fopen(p)``, ``$m = @popen(c)``)."""
    assignment = re.compile(
        rf"^\s{{0,40}}(?:[\w:<>*&]{{1,40}}\s{{1,4}}\*?)?(?<![\w$@.]){re.escape(name)}\s{{0,3}}:?=(?!=)\s{{0,3}}"
        r"[@(\w$][^;]{0,200}\("
        # C++ direct initialisation: `std::ifstream fin(path);`
        rf"|^\s{{0,40}}[\w:<>]{{1,60}}\s{{1,4}}{re.escape(name)}\s{{0,2}}[({{]\s{{0,2}}[\w\"&*]"
    )
    row = guard.start_point[0]  # 1-based number of the line above the guard
    for number in range(row, max(row - 3, 0), -1):
        text = ctx.old_line(number)
        if not text.strip() or g.COMMENT_LINE.match(text):
            continue
        return bool(assignment.search(text))
    return False


def _made_non_optional(ctx: CheckContext, scope: ts.Node, name: str, new_first: int) -> bool:
    """The parameter's type lost its Optional/nullable mark: the change narrowed the contract on purpose."""
    parameters = scope.child_by_field_name("parameters")
    if parameters is None:
        return False
    old_param = _parameter_text((parameters.text or b"").decode("utf-8", "replace"), name)
    if old_param is None or not g.OPTIONAL_MARK.search(old_param):
        return False
    header_rows = parameters.end_point[0] - scope.start_point[0] + 1
    new_header = " ".join(ctx.line(n) for n in range(new_first, new_first + header_rows))
    new_param = _parameter_text(new_header, name)
    return new_param is not None and not g.OPTIONAL_MARK.search(new_param)


def _parameter_text(header: str, name: str) -> str | None:
    pattern = _name_pattern(name)
    return next((part for part in header.split(",") if pattern.search(part)), None)


def _wrapped_code_kept(ctx: CheckContext, guard: _Guard, added_stripped: set[str]) -> bool:
    """A wrapping guard (``if x is not None: use(x)``) counts only when the code it wrapped was re-added."""
    if guard.body is None:
        return False
    names = [_name_pattern(name) for name, _ in guard.subjects]
    body_lines = (guard.body.text or b"").decode("utf-8", "replace").split("\n")
    first_row = guard.body.start_point[0]
    removed = ctx.removed
    kept = [
        (first_row + offset + 1, line.strip())
        for offset, line in enumerate(body_lines)
        if any(p.search(line) for p in names)
    ]
    # Re-added (unwrapped and re-indented), or left in place while the `if (...) {` line went (`{` kept).
    return any(
        line and (line in added_stripped or (number > first_row + 1 and number not in removed))
        for number, line in kept
    )


def _hunk_of(hunks: tuple[Hunk, ...], old_line: int) -> Hunk | None:
    return next(
        (h for h in hunks if h.old_start <= old_line < h.old_start + max(h.old_count, 1)), None
    )


def _anchor(ctx: CheckContext, hunk: Hunk | None, name: str, at: int, use: int) -> int:
    """The first use inside the hunk, else the line where the guard stood (clamped into the hunk)."""
    if hunk is None:
        return use
    end = hunk.new_start + max(hunk.new_count, 1) - 1
    if use <= end:
        return use
    line = min(max(at, hunk.new_start), end)
    while line < end and not ctx.line(line).strip():
        line += 1  # a blank line says nothing; the next statement is where the guard stood
    return line


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


def _guard_text(node: ts.Node) -> str:
    text = " ".join((node.text or b"").decode("utf-8", "replace").split())
    if len(text) <= _MAX_GUARD_TEXT:
        return text
    condition = node.child_by_field_name("condition")
    head = (
        " ".join((condition.text or b"").decode("utf-8", "replace").split())
        if condition is not None
        else ""
    )
    keyword = node.type.split("_")[0] if node.type in g.IF_TYPES else "assert"
    return f"{keyword} {head[:_MAX_GUARD_TEXT]} …" if head else text[:_MAX_GUARD_TEXT] + " …"


_CONSEQUENCE = {
    "null": "a missing (null) `{name}` now reaches the code below",
    "falsy": "a missing or empty `{name}` now reaches the code below",
    "size": "an out-of-range or empty `{name}` now reaches the code below",
    "type": "a `{name}` of another type now reaches the code below",
    "value": "a `{name}` the guard rejected now reaches the code below",
}


def _message(guard: str, name: str, kind: str) -> str:
    return (
        f"This change deletes the guard `{guard}`, but `{name}` is still used here and nothing else "
        f"checks it: {_CONSEQUENCE[kind].format(name=name)}."
    )


# --- line-level swaps ------------------------------------------------------------------------
_OPTIONAL_CHAINS = {
    "javascript": ("?.", (".",)),
    "typescript": ("?.", (".", "!.")),
    "tsx": ("?.", (".", "!.")),
    "csharp": ("?.", (".", "!.")),
    "php": ("?->", ("->",)),
    "ruby": ("&.", (".",)),
}
_CHAIN_RECEIVER = re.compile(r"([\w$@]{1,80}(?:\(\))?)(?:\?\.|\?->|&\.)")
_RUST_UNCHECKED = re.compile(r"\.unwrap\(\)|\.expect\(\"(?:[^\"\\]|\\.){0,200}\"\)")
_RUST_CHECKED = re.compile(
    r"\.map_err\([^;]{0,200}?\)\?|\.ok_or(?:_else)?\([^;]{0,200}?\)\?|\?|\.unwrap_or_default\(\)|\.unwrap_or_else\([^;]{0,200}?\)|\.unwrap_or\([^;]{0,200}?\)"
)
_RUST_MATCH = re.compile(
    r"^\s*(?:let\s+\w+\s*=\s*)?(?:match\s+(?P<m>[^{]{1,120}?)|if\s+let\s+(?:Some|Ok)\s*\(\s*\w+\s*\)\s*=\s*(?P<l>[^{]{1,120}?))\s*\{"
)
_CS_AS = re.compile(r"(?P<value>[\w.]{1,80})\s+as\s+(?P<type>[\w.]{1,80}(?:<[\w., ]{1,80}>)?)")
_CPP_CAST = re.compile(r"\b(?:static_cast|reinterpret_cast)<")


def _blocks(hunk: Hunk) -> Iterator[tuple[list[str], list[tuple[int, str]]]]:
    """Each run of removed lines with the added lines that follow it: (removed texts, (new line, text))."""
    new_line = hunk.new_start
    removed: list[str] = []
    added: list[tuple[int, str]] = []
    for raw in hunk.lines:
        tag, body = raw[:1], raw[1:]
        if tag == "-":
            if added:
                yield removed, added
                removed, added = [], []
            removed.append(body)
        elif tag == "+":
            added.append((new_line, body))
            new_line += 1
        elif tag == " ":
            if removed and added:
                yield removed, added
            removed, added = [], []
            new_line += 1
    if removed and added:
        yield removed, added


def _line_swaps(ctx: CheckContext) -> Iterator[Hit]:
    language = ctx.language or ""
    for hunk in ctx.file.hunks:
        for removed, added in _blocks(hunk):
            old = {line.strip() for line in removed}
            found = False
            for number, text in added:
                stripped = text.strip()
                message = _swap_message(language, old, removed, stripped)
                if message:
                    found = True
                    yield _hit(ctx, number, message, 0.8)
            if (
                found
                or len(removed) + len(added) <= 2
                or len(removed) > _MAX_JOINED
                or len(added) > _MAX_JOINED
            ):
                continue
            # A statement split over lines (`x\n    .map_err(...)?;`) compares as one line.
            joined_old, joined_new = _joined(removed), _joined([text for _, text in added])
            message = _swap_message(language, {joined_old}, [joined_old], joined_new)
            if message:
                number = next(
                    (n for n, text in added if _RUST_UNCHECKED.search(text) or "!" in text),
                    added[0][0],
                )
                yield _hit(ctx, number, message, 0.8)

    if language == "rust":
        yield from _rust_match_to_unwrap(ctx)


def _rust_match_to_unwrap(ctx: CheckContext) -> Iterator[Hit]:
    """A `match`/`if let` over several lines (some kept as context) that became `.unwrap()`."""
    for hunk in ctx.file.hunks:
        old_side = [(raw[:1], raw[1:]) for raw in hunk.lines if raw[:1] in (" ", "-")]
        new_side: list[tuple[int, str]] = []
        number = hunk.new_start
        for raw in hunk.lines:
            if raw[:1] in (" ", "+"):
                new_side.append((number, raw[1:]))
                number += 1
        unwraps = [(n, t) for n, t in new_side if ctx.is_added(n) and _RUST_UNCHECKED.search(t)]
        if not unwraps:
            continue
        new_joined = _joined([t for _, t in new_side])
        for index, (tag, text) in enumerate(old_side):
            if (
                tag != "-"
                or not re.match(r"^\s*(?:let\s+\w+\s*=\s*)?(?:match|if\s+let)\b", text)
                or "{" in text
            ):
                continue
            match = _RUST_MATCH.match(_joined([t for _, t in old_side[index : index + 8]]))
            value = match and (match.group("m") or match.group("l"))
            if value and re.search(
                re.escape(value.strip()) + r"\s{0,4}\.(?:unwrap|expect)\(", new_joined
            ):
                message = f"The `match`/`if let` on `{value.strip()}` became `.unwrap()`/`.expect()`, so the case it handled now panics."
                yield _hit(ctx, unwraps[0][0], message, 0.8)
                break


_MAX_JOINED = 12


def _joined(lines: list[str]) -> str:
    """Lines of one statement as one line: no break before ``.``/``?``/``)``, none after ``(``."""
    text = " ".join(line.strip() for line in lines if line.strip())
    text = re.sub(r" (?=[.?)])", "", text)
    return re.sub(r"(?<=\() ", "", text)


_JS_ASSERTION = re.compile(r"(?<=[\w$)\]])!(?=[.(\[])")


def _js_plain(line: str) -> str:
    """The line with optional chaining and non-null assertions made plain: `a?.b?.(c)` and `a!.b!(c)` are `a.b(c)`."""
    return _JS_ASSERTION.sub("", line.replace("?.(", "(").replace("?.[", "[").replace("?.", "."))


def _swap_message(language: str, old: set[str], removed: list[str], new: str) -> str | None:
    if _BARE_RETURN.match(new):
        # `raise StopIteration` -> `return` is the PEP 479 fix for generators, not a dropped failure
        thrown = next(
            (line for line in removed if _RAISE_LINE.match(line) and "StopIteration" not in line),
            None,
        )
        if thrown is not None and not any(_BARE_RETURN.match(line) for line in removed):
            return (
                f"`{' '.join(thrown.split())[:_MAX_GUARD_TEXT]}` became a plain `return`, so this failure is now "
                "silent: callers that relied on the exception carry on as if the call succeeded."
            )
    chain = _OPTIONAL_CHAINS.get(language)
    if language in ("javascript", "typescript", "tsx") and "?." not in new:
        for line in old:
            if "?." in line and _js_plain(line) == _js_plain(new):
                receiver = _CHAIN_RECEIVER.search(line)
                what = f"`{receiver.group(1)}`" if receiver else "the receiver"
                how = "asserted non-null" if "!" in new else "plain access"
                return (
                    f"The optional chaining `?.` that tolerated a missing {what} became {how}, "
                    f"so this line now throws when {what} is null or undefined."
                )
    if chain is not None:
        safe, unsafe = chain
        for replacement in unsafe:
            candidate = new.replace(replacement, safe) if replacement != "." else None
            for line in old:
                if safe not in line or line.count(safe) <= new.count(safe):
                    continue
                if (candidate is not None and candidate == line) or line.replace(
                    safe, replacement
                ) == new:
                    receiver = _CHAIN_RECEIVER.search(line)
                    what = f"`{receiver.group(1)}`" if receiver else "the receiver"
                    how = "asserted non-null" if replacement == "!." else "plain member access"
                    return (
                        f"The optional chaining `{safe}` that tolerated a missing {what} became {how}, "
                        f"so this line now throws when {what} is null or undefined."
                    )
    if language == "rust" and _RUST_UNCHECKED.search(new):
        if any(
            _RUST_CHECKED.sub("\x00", line) == _RUST_UNCHECKED.sub("\x00", new)
            for line in old
            if line != new
        ):
            return "`.unwrap()`/`.expect()` replaced error handling (`?` or a fallback), so this now panics where it used to recover or propagate."
        for line in removed:
            match = _RUST_MATCH.match(line)
            value = match and (match.group("m") or match.group("l"))
            if value and re.search(re.escape(value.strip()) + r"\s{0,4}\.(?:unwrap|expect)\(", new):
                return f"The `match`/`if let` on `{value.strip()}` became `.unwrap()`/`.expect()`, so the case it handled now panics."
    if language == "csharp":
        for line in old:
            found = _CS_AS.search(line)
            if found and re.search(
                rf"\(\s{{0,2}}{re.escape(found.group('type'))}\s{{0,2}}\)\s{{0,2}}{re.escape(found.group('value'))}\b",
                new,
            ):
                return (
                    f"`{found.group('value')} as {found.group('type')}` (null on a mismatch) became a cast, "
                    "which throws InvalidCastException instead of letting the code check for null."
                )
    if language == "cpp" and _CPP_CAST.search(new):
        candidate = re.sub(r"\b(?:static_cast|reinterpret_cast)<", "dynamic_cast<", new)
        if candidate in old:
            return "`dynamic_cast` became an unchecked cast, so a wrong dynamic type is no longer caught (no null or exception) and is undefined behaviour."
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.removed-guard",
            g.LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a null, size, type or error check (or early exit) deleted while the value it guarded is still used",
            confidence=0.75,
        ),
        find_removed_guards,
    ),
)
