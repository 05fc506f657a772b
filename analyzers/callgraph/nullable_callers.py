"""The third evidence of ``callgraph.unguarded-null``: a precondition every other caller checks.

A call the change added reaches a project function that reads through a parameter or a
piece of state (``text.Length``, ``*m_indents.top()``) without testing it, and every other
call site of that function (at least one) sits under a null or emptiness test of that
value: an enclosing ``if``/``while`` condition, or an early exit just before it. The new
call has no such test, so it is the first caller to reach the function with the value
possibly null or empty.

Pure: the graph and file texts come from the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.callgraph.call_use import FUNCTION_TYPES, call_at
from tactful.analyzers.callgraph.contracts import Source
from tactful.analyzers.callgraph.graph import CallGraph, family
from tactful.analyzers.callgraph.tags import Definition, Reference
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.languages import parse_cached

_LOOPS = frozenset({"while_statement", "while", "while_modifier", "until"})
_EXITS = frozenset(
    {
        "return_statement",
        "throw_statement",
        "break_statement",
        "continue_statement",
        "raise_statement",
    }
)
_SUBJECT = r"[$@]?[A-Za-z_]\w{0,60}(?:(?:\.|->)[A-Za-z_]\w{0,60}){0,3}"
_TESTS = (
    re.compile(
        rf"(?<![\w$@.>])({_SUBJECT})\s*(?:!==?|==)\s*(?:null|nil|nullptr|NULL|None|undefined)\b"
    ),
    re.compile(rf"\b(?:null|nil|nullptr|NULL|None)\s*(?:!==?|==)\s*({_SUBJECT})(?![\w$(])"),
    re.compile(rf"(?<![\w$@.>])({_SUBJECT})\s+is\s+(?:not\s+)?None\b"),
    re.compile(
        rf"(?<![\w$@.>])({_SUBJECT})\s*(?:\.|->)\s*(?:empty|isEmpty|is_empty|any\?|empty\?|Any|IsEmpty)\s*(?:\(\s*\))?"
    ),
    re.compile(
        rf"(?<![\w$@.>])({_SUBJECT})\s*(?:\.|->)\s*(?:size|length|Count|Length|len)\s*(?:\(\s*\))?\s*(?:>|!=)\s*0\b"
    ),
    re.compile(rf"\b(?:len|count|sizeof|strlen|isset|empty|is_null)\s*\(\s*({_SUBJECT})\s*\)"),
)
"""A null or emptiness test; group 1 is the value tested."""


@dataclass(frozen=True, slots=True)
class Precondition:
    """What the new call skips: the value the other callers test, and where one does."""

    subject: str
    """The tested value as the callee sees it (a parameter name or the state's name)."""
    argument: str
    """The new call's argument in that position; empty for state the callee reads itself."""
    where: tuple[str, int]
    """(path, line) of another caller's test."""
    callers: int


def tested(condition: str) -> set[str]:
    """Values a condition tests for null or emptiness."""
    return {m[1] for pattern in _TESTS for m in pattern.finditer(condition)}


def guards_at(call: ts.Node, data: bytes) -> list[tuple[str, int]]:
    """(text, line) of the conditions that must hold for ``call`` to run: enclosing
    ``if``/``while`` conditions whose body holds it, and early exits before it in its blocks."""
    out: list[tuple[str, int]] = []
    child, node = call, call.parent
    while node is not None and node.type not in FUNCTION_TYPES:
        if node.type in g.IF_TYPES | _LOOPS:
            condition = node.child_by_field_name("condition")
            if condition is not None and not _inside(child, condition):
                out.append((_text(condition, data), condition.start_point[0] + 1))
        if node.type in g.BLOCK_TYPES:
            for sibling in node.named_children:
                if sibling.start_byte >= child.start_byte:
                    break
                if sibling.type in g.IF_TYPES and _exits(sibling):
                    condition = sibling.child_by_field_name("condition")
                    if condition is not None:
                        out.append((_text(condition, data), condition.start_point[0] + 1))
        child, node = node, node.parent
    return out


def precondition(
    ref: Reference, call: ts.Node, data: bytes, graph: CallGraph, source: Source, language: str
) -> Precondition | None:
    """The precondition the new call ``ref`` skips, when the evidence is complete."""
    bodies = [
        (d, b)
        for d, _ in graph.resolve(ref)
        if d.callable and family(d.language) == family(language) and d.accepts(ref.arity)
        if (b := _body(d, source)) is not None  # a C++ declaration has no body: not a target
    ]
    if len(bodies) != 1:
        return None
    ((target, (body, body_data)),) = bodies
    own = {s for text, _ in guards_in(body, body_data) for s in tested(text)}
    others = [
        r
        for r, _ in graph.direct_calls(target)
        if not (r.path == ref.path and r.start_line == ref.start_line)
    ]
    if not others or len(others) > 20:
        return None
    common: set[str] | None = None
    where: tuple[str, int] | None = None
    for other in others:
        subjects, line = _caller_tests(other, graph, source, target)
        if not subjects:
            return None  # a caller that calls it untested: no precondition
        common = subjects if common is None else common & subjects
        if not common:
            return None
        where = where or (other.path, line)
    assert common is not None and where is not None
    mine = {s for text, _ in guards_at(call, data) for s in tested(text) | _words(text)}
    args = _arguments(call, data)
    for subject in sorted(common):
        if subject in own or not _reads_through(_text(body, body_data), subject):
            continue
        argument = ""
        if subject in target.params:
            position = target.params.index(subject)
            if position >= len(args) or not re.fullmatch(r"[$@]?[A-Za-z_]\w*", args[position]):
                continue
            argument = args[position]
            if argument in mine:
                continue
        elif subject in mine or subject.split(".")[-1] in mine:
            continue
        return Precondition(subject, argument, where, len(others))
    return None


def _caller_tests(
    ref: Reference, graph: CallGraph, source: Source, target: Definition
) -> tuple[set[str], int]:
    """Values the call site tests around the call, named as the callee sees them (an argument
    tested becomes the parameter's name), and the line of the first test."""
    tags = graph.files.get(ref.path)
    text = source(ref.path)
    if tags is None or text is None:
        return set(), 0
    data = text.encode("utf-8")
    call = call_at(parse_cached(tags.language, data), ref.start_line, ref.start_col)
    if call is None:
        return set(), 0
    conditions = [(c, line) for c, line in guards_at(call, data) if tested(c)]
    subjects = {s for condition, _ in conditions for s in tested(condition)}
    args = _arguments(call, data)
    renamed = {target.params[i] for i, a in enumerate(args[: len(target.params)]) if a in subjects}
    line = conditions[0][1] if conditions else ref.start_line
    return {s for s in subjects if s not in args} | renamed, line


def guards_in(body: ts.Node, data: bytes) -> Iterator[tuple[str, int]]:
    """Conditions of the ``if``/``while`` statements in a definition."""
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type in g.IF_TYPES | _LOOPS:
            condition = node.child_by_field_name("condition")
            if condition is not None:
                yield _text(condition, data), condition.start_point[0] + 1
        stack.extend(node.children)


def _reads_through(text: str, subject: str) -> bool:
    return bool(re.search(rf"(?<![\w$@.>]){re.escape(subject)}\s*(?:\.(?![.?])|->|\[)", text))


def _body(d: Definition, source: Source) -> tuple[ts.Node, bytes] | None:
    text = source(d.path)
    if text is None:
        return None
    data = text.encode("utf-8")
    tree = parse_cached(d.language, data)
    node = tree.root_node.descendant_for_point_range(
        (d.start_line - 1, d.start_col), (d.start_line - 1, d.start_col)
    )
    while node is not None and not (
        node.type in FUNCTION_TYPES and node.start_point[0] == d.start_line - 1
    ):
        node = node.parent
    return (node, data) if node is not None else None


def _arguments(call: ts.Node, data: bytes) -> list[str]:
    args = call.child_by_field_name("arguments")
    if args is None:
        return []
    return [_text(a, data).strip() for a in args.named_children if "comment" not in a.type]


def _inside(node: ts.Node, container: ts.Node) -> bool:
    return container.start_byte <= node.start_byte and node.end_byte <= container.end_byte


def _exits(statement: ts.Node) -> bool:
    body = next(
        (b for f in g.BODY_FIELDS if (b := statement.child_by_field_name(f)) is not None), None
    )
    if body is None or statement.child_by_field_name("alternative") is not None:
        return False
    stack = [body]
    while stack:
        node = stack.pop()
        if node.type in _EXITS:
            return True
        if node.type not in FUNCTION_TYPES:
            stack.extend(node.children)
    return False


def _words(text: str) -> set[str]:
    return set(re.findall(r"[$@]?[A-Za-z_]\w*", text))


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
