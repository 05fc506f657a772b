"""The first evidence of ``callgraph.unguarded-null``: callees that return null.

A call resolves to project definitions; each ``return null`` / ``nil`` / ``None`` /
``nullptr`` in them (a Go ``return nil`` only when it is the sole result: ``return nil,
err`` comes with an error the caller checks), a ternary with a null branch, or a declared
nullable result (Java ``@Nullable``, Python ``Optional``, TypeScript ``| null``) makes the
result nullable, unless the null is returned under a condition the caller tested too
(``return nil unless streaming?`` read only under ``if body.streaming?``). A call resolved by
name alone counts only when at least half of the definitions of that name return null.

Pure: the graph and file texts come from the engine.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.callgraph.call_use import FUNCTION_TYPES
from tactful.analyzers.callgraph.contracts import Source
from tactful.analyzers.callgraph.graph import EXACT, IMPORTED, NAME_ONLY, CallGraph, family
from tactful.analyzers.callgraph.tags import Definition, Reference
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.languages import parse_cached
from tactful.analyzers.model import Location, Span

NullReturns = list[tuple[Location, frozenset[str]]]
"""A definition's null returns, each with the words of the condition it returns under."""
_MAX_TARGETS = 40
_NULL_RETURNS = frozenset({"null", "nil", "None", "nullptr", "NULL", "undefined"})
_WORD = re.compile(r"[A-Za-z_]\w*[?!]?")
_NOT_WORDS = frozenset(
    {
        "null",
        "nil",
        "None",
        "not",
        "and",
        "is",
        "true",
        "false",
        "True",
        "False",
        "this",
        "self",
        "class",
    }
    | {"undefined", "nullptr", "NULL", "unless", "return", "empty", "length", "size", "len"}
)
_TERNARIES = frozenset({"ternary_expression", "conditional_expression"})
_RETURNS = frozenset({"return_statement", "return", "return_expression"})
_NULLABLE_SIGNATURE = {
    "java": re.compile(r"@(?:Nullable|CheckForNull)\b"),
    "python": re.compile(r"->\s*(?:Optional\[|[^:]*\|\s*None\b|None\s*\|)"),
    "typescript": re.compile(r"\)\s*:\s*[^{=]*\|\s*(?:null|undefined)\b"),
    "tsx": re.compile(r"\)\s*:\s*[^{=]*\|\s*(?:null|undefined)\b"),
}
"""A declared nullable result: Java's annotations, Python's Optional, TypeScript's ``| null``."""


def nullable_callee(
    ref: Reference,
    graph: CallGraph,
    source: Source,
    language: str,
    memo: dict[int, NullReturns],
    guarded: frozenset[str],
) -> Location | None:
    """Where the call's callee returns null, when the evidence is specific enough."""
    resolved = graph.resolve(ref) or (
        # A receiver the resolver cannot type (`a.get().create()`): every method of the name.
        tuple((d, NAME_ONLY) for d in graph.definitions_named(ref.name)) if ref.receiver else ()
    )
    targets = [
        (d, c)
        for d, c in resolved
        if d.callable and family(d.language) == family(language) and d.accepts(ref.arity)
    ]
    if not targets or len(targets) > _MAX_TARGETS:
        return None
    best = [d for d, c in targets if c in (EXACT, IMPORTED)]
    candidates = best or [d for d, c in targets if c == NAME_ONLY]
    found = []
    for d in candidates:
        if id(d) not in memo:
            memo[id(d)] = _null_returns(d, source)
        # A null returned under a condition the caller tested too (`if body.streaming?` around
        # `body.to_stream`, which returns nil `unless streaming?`) cannot reach this read.
        unhandled = [where for where, words in memo[id(d)] if not _handled(words, guarded, graph)]
        if unhandled:
            found.append(unhandled[0])
    if not found:
        return None
    if not best and (
        len(found) * 2 < len(candidates) or len(candidates) < 2 and not _unique(ref, graph)
    ):
        return None
    if len(candidates) > 1:  # say how strong a by-name match is
        shown = found[0]
        why = f"{len(found)} of the {len(candidates)} definitions of `{ref.name}` do"
        return Location(shown.path, shown.span, f"{why}; {shown.message}")
    return found[0]


def _handled(words: frozenset[str], guarded: frozenset[str], graph: CallGraph) -> bool:
    """The caller tested what the null return depends on: all of its condition's names, or
    one the project defines (a predicate such as ``streaming?``, not ``isAssignableFrom``)."""
    shared = words & guarded
    return bool(shared) and (shared == words or any(graph.definitions_named(w) for w in shared))


def _unique(ref: Reference, graph: CallGraph) -> bool:
    return len(graph.definitions_named(ref.name)) == 1


def _null_returns(d: Definition, source: Source) -> NullReturns:
    """Each ``return null`` of the definition (or its declared nullable result), with the
    words of the condition it returns under (empty when unconditional)."""
    declared = _NULLABLE_SIGNATURE.get(d.language)
    if declared is not None and declared.search(d.signature):
        where = Span.lines(d.start_line, d.start_line)
        return [(Location(d.path, where, f"{d.qualified_name} is declared nullable"), frozenset())]
    text = source(d.path)
    if text is None:
        return []
    data = text.encode("utf-8")
    node = definition_node(parse_cached(d.language, data), d)
    if node is None:
        return []
    out = []
    for ret in sorted(_own(node, _RETURNS), key=lambda n: n.start_byte):
        values = [c for c in ret.named_children if "comment" not in c.type]
        if len(values) == 1 and values[0].type == "expression_list":
            values = list(values[0].named_children)
        if len(values) != 1:
            continue
        value = values[0]
        if value.type in _TERNARIES:  # `return ok ? adapter : null;`
            nulls = (b for b in value.named_children[1:] if _text(b, data) in _NULL_RETURNS)
            value = next(nulls, value)
        if _text(value, data) in _NULL_RETURNS:
            line = ret.start_point[0] + 1
            message = f"{d.qualified_name} returns {_text(value, data)}"
            words = words_of(_returned_under(ret, value, data)) - set(d.params)
            out.append((Location(d.path, Span.lines(line, line), message), words))
    return out


def _returned_under(ret: ts.Node, value: ts.Node, data: bytes) -> str:
    """The condition a null return depends on: the ternary's, or the nearest enclosing
    ``if``/``unless`` (statement or modifier) whose body holds it."""
    if value.parent is not None and value.parent.type in _TERNARIES:
        condition = value.parent.child_by_field_name("condition") or value.parent.named_children[0]
        return _text(condition, data)
    child, node = ret, ret.parent
    while node is not None and node.type not in FUNCTION_TYPES:
        if node.type in g.IF_TYPES:
            test = node.child_by_field_name("condition")
            if test is not None and not test.start_byte <= child.start_byte < test.end_byte:
                return _text(test, data)
        child, node = node, node.parent
    return ""


def words_of(text: str) -> frozenset[str]:
    """The names a condition mentions (``streaming?``, ``containsKey``), without keywords."""
    return frozenset(w for w in _WORD.findall(text) if len(w) > 2 and w not in _NOT_WORDS)


def definition_node(tree: ts.Tree, d: Definition) -> ts.Node | None:
    node = tree.root_node.descendant_for_point_range(
        (d.start_line - 1, d.start_col), (d.start_line - 1, d.start_col)
    )
    while node is not None and not (
        node.type in FUNCTION_TYPES and node.start_point[0] == d.start_line - 1
    ):
        node = node.parent
    return node


def _own(node: ts.Node, types: frozenset[str]) -> Iterator[ts.Node]:
    """Nodes of ``types`` in the definition, not in functions nested inside it."""
    stack = list(node.children)
    while stack:
        child = stack.pop()
        if child.type in types:
            yield child
        if child.type not in FUNCTION_TYPES:
            stack.extend(child.children)


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")
