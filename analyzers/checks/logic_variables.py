"""Wrong variable: an edit that put one name where the old code had another, shown by what it
leaves behind.

``generic.same-operands``: both sides of a comparison, a logical operator or a subtraction
are now the same expression (``a.x == a.x``, ``w < w``, ``ok && ok``), or the edit made two
arguments of a call identical (``f(w, h)`` became ``f(w, w)``). Equality of a bare name with
itself is the NaN idiom and stays silent; so do calls (they may differ each time) and
literals.

``generic.replaced-variable-unused``: the edit swapped one name for another in one place
(``return total`` became ``return count``), and the local or parameter the old code read
there is now assigned but never read in the function: the computed value is dead, which is
what a wrong-variable slip looks like and a deliberate change rarely leaves. A parameter
or loop variable left unused stays silent (an interface may keep one, ``for k, v in ...``
may read just one on purpose).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.logic_lines import (
    LANGUAGES,
    WORD,
    enclosing_function,
    is_variable,
    line_pairs,
    node_at,
    nodes_on_added,
    nodes_on_rows,
    single_swap,
    tokens,
)
from tactful.analyzers.checks.logic_names import LeafIndex, leaf_index, uses
from tactful.analyzers.model import Severity, Span

_BINARY = frozenset(
    {"binary_expression", "comparison_operator", "boolean_operator", "binary_operator", "binary"}
)
_OPERATORS = frozenset(
    {"==", "===", "!=", "!==", "<", "<=", ">", ">=", "&&", "||", "and", "or", "-", "/", "%", "^", "<=>"}
)  # fmt: skip
_EQUALITY = frozenset({"==", "===", "!=", "!=="})
_ARGUMENTS = frozenset({"argument_list", "arguments"})
_LITERAL = re.compile(r"""^(?:[\d.'"`-]|true$|false$|null$|nil$|None$|True$|False$)""")


def find_same_operands(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.old_text is None or ctx.is_test_file or not ctx.added:
        return
    old_flat: str | None = None  # flattened only once a candidate shows up (rare)
    seen: set[int] = set()
    for node in nodes_on_added(ctx, _BINARY):
        line = node.start_point[0] + 1
        if line in seen:
            continue
        sides = _sides(node)
        if sides is None:
            continue
        left, operator, right = sides
        text = _flat(ctx.node_text(left))
        if operator not in _OPERATORS or text != _flat(ctx.node_text(right)):
            continue
        if not _plain_operand(text) or (operator in _EQUALITY and WORD.fullmatch(text)):
            continue
        if old_flat is None:
            old_flat = _flat(ctx.old_text)
        if _flat(ctx.node_text(node)) in old_flat:
            continue  # the old code had it: not this change's slip
        seen.add(line)
        yield Hit(
            ctx.span(node),
            (
                f"Both sides of `{operator}` are `{text}`, so this is always "
                f"{_constant(operator)}; one side probably names the wrong variable."
            ),
            ctx.line(line).strip(),
            confidence=0.85,
        )
    for pair in line_pairs(ctx):
        if pair.new_line in seen:
            continue
        swap = single_swap(pair.old, pair.new)
        if swap is None or not WORD.fullmatch(swap[1]):
            continue
        duplicate = _duplicated_argument(ctx, pair.new_line, pair.new, swap[1])
        if duplicate is None:
            continue
        seen.add(pair.new_line)
        yield Hit(
            Span(pair.new_line, 0, pair.new_line, len(ctx.line(pair.new_line))),
            (
                f"This change replaced `{swap[0]}` by `{swap[1]}`, so the call now passes "
                f"`{duplicate}` twice; the old code passed two different values."
            ),
            pair.new.strip(),
            confidence=0.75,
        )


def _duplicated_argument(ctx: CheckContext, number: int, text: str, name: str) -> str | None:
    assert ctx.tree is not None
    row = number - 1
    for node in nodes_on_rows(ctx, _ARGUMENTS, row, row):
        args = [_flat(ctx.node_text(a)) for a in node.named_children if "comment" not in a.type]
        for i, arg in enumerate(args):
            if arg in args[i + 1 :] and _plain_operand(arg) and name in tokens(arg):
                return arg
    return None


def _sides(node: ts.Node) -> tuple[ts.Node, str, ts.Node] | None:
    left = node.child_by_field_name("left")
    right = node.child_by_field_name("right")
    if left is None or right is None:
        named = [c for c in node.named_children if "comment" not in c.type]
        if len(named) != 2:
            return None
        left, right = named
    source = node.text or b""
    between = source[left.end_byte - node.start_byte : right.start_byte - node.start_byte]
    return left, between.decode("utf-8", "replace").strip(), right


def _plain_operand(text: str) -> bool:
    """A name or member chain (`a`, `self.width`, `p->x`, `a[i]`): no call, no literal."""
    return (
        bool(text)
        and "(" not in text
        and not _LITERAL.match(text)
        and any(is_variable(t) or t in ("self", "this") for t in tokens(text))
    )


def _constant(operator: str) -> str:
    if operator in ("==", "===", "<=", ">=", "<=>"):
        return "true (or 0)" if operator == "<=>" else "true"
    if operator in ("!=", "!==", "<", ">"):
        return "false"
    if operator in ("&&", "||", "and", "or"):
        return "the same as one side alone"
    return "zero" if operator in ("-", "^", "%") else "one"


def _flat(text: str) -> str:
    return " ".join(text.split())


def find_replaced_variable_unused(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.old_tree is None or ctx.old_text is None or ctx.is_test_file:
        return
    new_source, old_source = ctx.text.encode("utf-8"), ctx.old_text.encode("utf-8")
    indexes: dict[int, LeafIndex] = {}
    for pair in line_pairs(ctx):
        swap = single_swap(pair.old, pair.new)
        if swap is None:
            continue
        was, now, position = swap
        if not (is_variable(was) and is_variable(now)) or was.startswith("@"):
            continue
        if _assigns_at(tokens(pair.new), position):
            continue  # the target changed, not what is read
        function = enclosing_function(node_at(ctx.tree, pair.new_line, pair.new))
        old_function = enclosing_function(node_at(ctx.old_tree, pair.old_line, pair.old))
        if function is None or old_function is None:
            continue
        index = indexes.get(function.id)
        if index is None:
            index = indexes[function.id] = leaf_index(function)
        after = uses(function, was, new_source, index)
        if after.reads or not after.writes:
            continue  # still read (the usual case): the old side need not be walked
        if (
            not uses(old_function, was, old_source).reads
            or not uses(function, now, new_source, index).writes
        ):
            continue
        if "assignment" not in after.kinds or "parameter" in after.kinds:
            continue  # an unused parameter or loop variable may be on purpose; a dead local is the slip
        if all(ctx.is_added(line) for line in after.writes):
            continue  # defined by this change too: a rewrite, not a slip
        defined = (
            max(w for w in after.writes if w <= pair.new_line)
            if any(w <= pair.new_line for w in after.writes)
            else after.writes[0]
        )
        yield Hit(
            Span(pair.new_line, 0, pair.new_line, len(ctx.line(pair.new_line))),
            (
                f"This change reads `{now}` here where the old code read `{was}`, and now nothing "
                f"reads `{was}` (set on line {defined}): if `{now}` is intended, `{was}` is dead "
                "code; if not, this is the wrong variable."
            ),
            pair.new.strip(),
            confidence=0.7,
        )


def _assigns_at(new_tokens: list[str], index: int) -> bool:
    rest = new_tokens[index + 1 : index + 2]
    return bool(rest) and rest[0] in ("=", ":=")


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.same-operands",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "both operands of a comparison or logical operator are the same expression, or an edit made two arguments identical",
            confidence=0.85,
        ),
        find_same_operands,
    ),
    Rule(
        RuleInfo(
            "generic.replaced-variable-unused",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "an edit swapped one variable for another and the old one is now assigned but never read",
            confidence=0.7,
        ),
        find_replaced_variable_unused,
    ),
)
