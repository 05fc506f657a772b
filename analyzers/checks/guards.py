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

import tree_sitter as ts
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.guard_finder import _all_removed, _Guard, _removed_guards
from tactful.analyzers.checks.guard_swaps import _line_swaps
from tactful.analyzers.checks.guard_uses import (
    _ERROR_NAME,
    _MAX_GUARD_TEXT,
    _RAISE_LINE,
    _assigned_on_added,
    _code_lines,
    _declared_on_added_header,
    _error_parameter_dropped,
    _first_return,
    _first_use,
    _hit,
    _name_pattern,
    _raises,
    _tested_in,
)
from tactful.analyzers.linemap import line_maps
from tactful.analyzers.model import Hunk, Severity


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
        if _deleted_whole(scope, removed):
            continue  # the function went with its guard: nothing is left for it to protect
        new_at = to_new(first)
        new_first, new_last = to_new(_body_row(scope) + 1), min(to_new(scope_last), len(ctx.lines))
        default = _default_set(guard, removed)
        if (
            not guard.exits
            and default is None
            and not _wrapped_code_kept(ctx, guard, added_stripped)
        ):
            continue
        reported_before = len(reported)
        excused = False
        for name, kind in guard.subjects:
            if default is not None and name != default:
                continue
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
                ctx,
                name,
                new_at,
                new_last,
                # A fallback value matters wherever the value goes, passed on included.
                passed=default is not None or _checks_fresh_result(ctx, guard.node, name),
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
            tested_to = use if kind in ("null", "falsy") or default is not None else new_last
            if (
                # a fallback is replaced by a test of the value itself, not by any use of its size
                _tested_in(
                    ctx, name, "falsy" if default is not None else kind, new_first, tested_to
                )
                or _tested_by_added_helper(ctx, name, new_first, tested_to)
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
            if default is not None:
                yield _hit(
                    ctx,
                    anchor,
                    (
                        f"This change deletes the fallback `{_guard_text(guard.node)}`, but `{name}` is still "
                        f"used here and nothing else handles an empty `{name}`: that value now reaches the code below as it is."
                    ),
                    0.5,
                )
                break
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


def _deleted_whole(scope: ts.Node, removed: frozenset[int]) -> bool:
    """A function whose every old line the change removed (not the file's top level)."""
    if scope.type not in g.FUNCTION_TYPES:
        return False
    return all(n in removed for n in range(scope.start_point[0] + 1, scope.end_point[0] + 2))


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


_HELPER_TEST = r"^\s{{0,80}}(?:if|elif|unless|while|else\s{{1,4}}if)\b[^\n]{{0,200}}?\w\s{{0,2}}\([^)]{{0,200}}?(?<![\w$@.]){name}(?![\w$])"


def _tested_by_added_helper(ctx: CheckContext, name: str, first: int, last: int) -> bool:
    """An added ``if _is_implicit_id(field):`` in the function: the deleted condition was
    extracted into a helper that the new code tests ``name`` with."""
    test = re.compile(_HELPER_TEST.format(name=re.escape(name)))
    return any(ctx.is_added(n) and test.search(text) for n, text in _code_lines(ctx, first, last))


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


_FRESH_LOOKBACK = 12


def _checks_fresh_result(ctx: CheckContext, guard: ts.Node, name: str) -> bool:
    """The statement just above the guard assigns the name from a call (``f = fopen(p)``, ``$m = @popen(c)``)."""
    assignment = re.compile(
        rf"^\s{{0,40}}(?:[\w:<>*&]{{1,40}}\s{{1,4}}\*?)?(?<![\w$@.]){re.escape(name)}\s{{0,3}}:?=(?!=)\s{{0,3}}"
        r"[@(\w$][^;]{0,200}\("
        # C++ direct initialisation: `std::ifstream fin(path);`
        rf"|^\s{{0,40}}[\w:<>]{{1,60}}\s{{1,4}}{re.escape(name)}\s{{0,2}}[({{]\s{{0,2}}[\w\"&*]"
    )
    mentions = re.compile(rf"(?<![\w$@.]){re.escape(name)}(?![\w$])")
    row = guard.start_point[0]  # 1-based number of the line above the guard
    # The nearest line above that mentions the name decides; lines in between that do not
    # (`restore_error_handler();`, a chmod) leave the result as fresh as the call made it.
    for number in range(row, max(row - _FRESH_LOOKBACK, 0), -1):
        text = ctx.old_line(number)
        if not text.strip() or g.COMMENT_LINE.match(text) or not mentions.search(text):
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


_DEFAULTED = r"\s{0,2}(?::?=|\|\|=|\?\?=)(?!=)\s{0,2}[^;=\n]{1,120};?"


def _default_set(guard: _Guard, removed: frozenset[int]) -> str | None:
    """``if not x: x = d`` / ``x = d if x.empty?``, deleted whole: a test whose only statement gives
    the tested name a fallback value; the name it defaults, else None."""
    if guard.exits or guard.body is None or not _all_removed(guard.node, removed):
        return None
    body = " ".join((guard.body.text or b"").decode("utf-8", "replace").split())
    body = re.sub(r"^(?:\{|then)\s?|\s?(?:\}|end)$", "", body).strip()
    for name, kind in guard.subjects:
        if kind in ("null", "falsy", "size") and re.fullmatch(re.escape(name) + _DEFAULTED, body):
            return name
    return None


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
