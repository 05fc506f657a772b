"""Weakened guards: a null check whose early exit now also needs a second condition.

``if x is None: return d`` becomes ``if x is None and y is None: return d``. The body is the
same, so the change reads as a small extension, but on the path where ``x`` is None and the new
conjunct is false the code below now runs with ``x`` None. The rule fires when the new side
uses ``x`` after the guard before testing or reassigning it (werkzeug's "Allow chunk request":
``min(content_length, max_content_length)`` with no Content-Length, reverted upstream).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo, nodes_of
from tactful.analyzers.checks.guard_finder import _exits, _has_else, _subjects
from tactful.analyzers.model import Location, Severity, Span

AND = (" and ", " && ")


def _flat(node: ts.Node) -> str:
    text = " ".join((node.text or b"").decode("utf-8", "replace").split())
    while text.startswith("(") and text.endswith(")") and text.count("(") == 1:
        text = text[1:-1].strip()
    return text


def _body(node: ts.Node) -> ts.Node | None:
    return next((b for f in g.BODY_FIELDS if (b := node.child_by_field_name(f)) is not None), None)


def _exit_guards(root: ts.Node, rows: set[int]) -> Iterator[tuple[ts.Node, str, str]]:
    """(if, condition, body) for each ``if`` without else, starting on ``rows``, whose body exits."""
    for node in nodes_of(root, g.IF_TYPES, (min(rows), max(rows))):
        if node.start_point[0] not in rows or node.type in g.NEGATED_IFS or _has_else(node):
            continue
        condition, body = node.child_by_field_name("condition"), _body(node)
        if condition is not None and body is not None and _exits(body):
            yield node, _flat(condition), _flat(body)


def _added_conjunct(old: str, new: str) -> str | None:
    """The condition ``new`` adds to ``old`` with a logical and, or None when it is not that."""
    for joiner in AND:
        if new.startswith(old + joiner):
            return new[len(old) + len(joiner) :]
        if new.endswith(joiner + old):
            return new[: -len(old) - len(joiner)]
    return None


def _first_unchecked_use(ctx: CheckContext, name: str, after: int, end: int) -> int | None:
    """The first line in ``after+1..end`` that uses ``name`` before testing or reassigning it."""
    v = re.escape(name)
    use = re.compile(rf"(?<![\w.$@]){v}(?![\w$])")
    test = re.compile(
        rf"(?<![\w.$@]){v}\s{{0,4}}(?:is\b|[!=]==?|\?\?|\bor\b|\|\|)|\b(?:if|elif|while|unless)\s{{1,4}}\(?!?\s{{0,2}}(?:not\s{{1,4}})?{v}\b"
        rf"|(?<![\w.$@]){v}\s{{0,4}}(?::?=|=)(?!=)"
    )
    for number in range(after + 1, end + 1):
        line = ctx.line(number)
        if not use.search(line):
            continue
        return None if test.search(line) else number
    return None


def find_weakened_guards(ctx: CheckContext) -> Iterator[Hit]:
    if (
        ctx.tree is None
        or ctx.old_tree is None
        or ctx.is_test_file
        or ctx.language not in g.LANGUAGES
    ):
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed or not hunk.added:
            continue
        new_guards = list(_exit_guards(ctx.tree.root_node, {n - 1 for n in hunk.added}))
        if not new_guards:
            continue
        for old_if, old_condition, old_body in _exit_guards(
            ctx.old_tree.root_node, {n - 1 for n in hunk.removed}
        ):
            condition = old_if.child_by_field_name("condition")
            assert condition is not None
            names = [n for n, kind in _subjects(condition, exits=True) if kind == "null"]
            if not names:
                continue
            for new_if, new_condition, new_body in new_guards:
                extra = _added_conjunct(old_condition, new_condition)
                if extra is None or new_body != old_body:
                    continue
                scope = new_if.parent
                while scope is not None and scope.type not in g.FUNCTION_TYPES:
                    scope = scope.parent
                if scope is None:
                    continue
                for name in names:
                    use = _first_unchecked_use(
                        ctx, name, new_if.end_point[0] + 1, scope.end_point[0] + 1
                    )
                    if use is None:
                        continue
                    new_cond_node = new_if.child_by_field_name("condition")
                    assert new_cond_node is not None
                    yield Hit(
                        ctx.span(new_cond_node),
                        f"This check now leaves early only when `{extra[:60]}` too; when `{name}` is "
                        f"missing and that is false, the code below runs anyway and uses `{name}` "
                        f"(line {use}: `{ctx.line(use).strip()[:60]}`).",
                        new_condition[:200],
                        confidence=0.5,
                        related=(Location(ctx.path, Span(use, 0, use, 0), "used here"),),
                    )
                    break


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.weakened-guard",
            g.LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a null check whose early exit the change made depend on a second condition, with the value used below",
            confidence=0.5,
        ),
        find_weakened_guards,
    ),
)
