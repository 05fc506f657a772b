"""Caller contracts a change broke: a removed raise that callers catch, a changed return shape.

Two checks on each changed callable, compared old against new and read through its call
sites (``call_use.py`` reads each caller's tree):

- ``callgraph.removed-raise``: the change removed a ``raise``/``throw`` of an error type,
  and a caller catches that type around the call (or a test expects it: ``pytest.raises``,
  ``assertThrows``, ``toThrow``). The caller's handler is now dead code and the failure it
  handled passes on as a success. A raise moved into a function the new code calls is not
  removed.
- ``callgraph.return-shape``: in the dynamically typed languages (Python, JavaScript,
  TypeScript, Ruby, PHP; the compilers of the others catch this), every return used to give
  a tuple of n values and now gives one value, a tuple of another size, or nothing at all,
  or the other way round, while callers still unpack, index or test the old shape.

Each finding lists the stale call sites as related locations.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TypeVar

import tree_sitter as ts
from tactful.analyzers.callgraph.call_use import (
    FUNCTION_TYPES,
    call_at,
    expected_errors,
    result_use,
)
from tactful.analyzers.callgraph.graph import NAME_ONLY, CallGraph, family
from tactful.analyzers.callgraph.signature import changed_definitions
from tactful.analyzers.callgraph.tags import Definition, Reference
from tactful.analyzers.languages import parse_cached
from tactful.analyzers.model import ChangeUnit, Finding, Location, Severity, Span

RAISE_RULE = "callgraph.removed-raise"
RETURN_RULE = "callgraph.return-shape"
RULE_SUMMARIES = {
    RAISE_RULE: "a removed raise/throw that callers still catch or tests still expect",
    RETURN_RULE: "a changed return shape (tuple vs one value) that callers still unpack, index or test",
}
_MAX_LISTED = 5
_RAISES = frozenset({"raise_statement", "throw_statement", "throw_expression"})
_RAISED_NAME = re.compile(
    r"^(?:raise|throw)\s{1,8}(?:new\s{1,8})?\\?(?P<path>[A-Za-z_][\w.:\\]{0,160})"
)
GENERIC_ERRORS = frozenset(
    {"Exception", "Error", "BaseException", "Throwable", "RuntimeException", "StandardError",
     "RuntimeError", "ValueError", "TypeError", "KeyError", "IndexError", "OSError",
     "IOException", "IllegalArgumentException", "IllegalStateException", "ArgumentException",
     "InvalidOperationException", "LogicException"}
)  # fmt: skip
"""Caught around many unrelated calls, so a catch of one is evidence only on a resolved edge."""
SHAPE_LANGUAGES = frozenset({"python", "javascript", "typescript", "tsx", "ruby", "php"})
_RETURNS = frozenset({"return_statement", "return"})
_TUPLES = {
    "python": frozenset({"expression_list", "tuple"}),
    "javascript": frozenset({"array"}),
    "typescript": frozenset({"array"}),
    "tsx": frozenset({"array"}),
    "ruby": frozenset({"argument_list", "array"}),
    "php": frozenset({"array_creation_expression"}),
}
_NOTHING = frozenset({"None", "null", "undefined", "nil", "NULL"})

T = TypeVar("T")
Source = Callable[[str], "str | None"]
"""The text of a repository file after the change (None when it cannot be read)."""
Trees = Mapping[str, ts.Tree]
"""Trees the review already parsed, by path, each of the text :data:`Source` gives for it."""


def caller_contract_findings(
    units: Iterable[ChangeUnit],
    old_defs: Iterable[Definition],
    new_defs: Iterable[Definition],
    graph: CallGraph,
    old_texts: Mapping[str, str],
    source: Source,
    trees: Trees | None = None,
) -> list[Finding]:
    """Findings for changed callables whose callers still rely on a raise or a return shape
    the change removed. ``old_texts``: the changed files before the change, by new path;
    ``trees``: the review's trees of the new texts (a whole reparse per edit otherwise)."""
    findings: list[Finding] = []
    trees = trees or {}
    for unit, old, new in changed_definitions(units, old_defs, new_defs, graph):
        old_text, new_text = old_texts.get(unit.path), source(unit.path)
        if old_text is None or new_text is None or unit.language is None:
            continue
        old_body = _nodes(unit.language, old_text, old, {})
        new_body = _nodes(unit.language, new_text, new, trees)
        if old_body is None or new_body is None:
            continue
        finding = _removed_raise(unit, old, new, old_body, new_body, graph, source, trees)
        if finding is None and unit.language in SHAPE_LANGUAGES:
            finding = _changed_shape(unit, old, new, old_body, new_body, graph, source, trees)
        if finding is not None:
            findings.append(finding)
    return findings


class _Body:
    """A definition's node in its parsed file, with the file's bytes."""

    def __init__(self, node: ts.Node, data: bytes, language: str) -> None:
        self.node, self.data, self.language = node, data, language

    def text(self, node: ts.Node) -> str:
        return self.data[node.start_byte : node.end_byte].decode("utf-8", "replace")

    def own(self, types: frozenset[str]) -> Iterator[ts.Node]:
        """Nodes of ``types`` in the definition, not in functions nested inside it."""
        stack = list(self.node.children)
        while stack:
            node = stack.pop()
            if node.type in types:
                yield node
            if node.type not in FUNCTION_TYPES:
                stack.extend(node.children)


def _nodes(language: str, text: str, d: Definition, trees: Trees) -> _Body | None:
    """``d``'s node in ``text`` (the new text of ``d.path`` when ``trees`` is not empty)."""
    data = text.encode("utf-8")
    tree = _tree(d.path, language, data, trees)
    node = tree.root_node.descendant_for_point_range(
        (d.start_line - 1, d.start_col), (d.start_line - 1, d.start_col)
    )
    while node is not None and not (
        node.type in FUNCTION_TYPES | {"decorated_definition"}
        and node.start_point[0] == d.start_line - 1
    ):
        node = node.parent
    if node is not None and node.type == "decorated_definition":
        node = node.child_by_field_name("definition")
    return _Body(node, data, language) if node is not None else None


# --- removed raise ---------------------------------------------------------------------


def _raised(body: _Body) -> Counter[str]:
    """Error type names the definition raises, one count per raise statement."""
    names: Counter[str] = Counter()
    for node in body.own(_RAISES | {"call"}):
        text = body.text(node)
        if node.type == "call":  # Ruby: `raise NotFound, "..."` is a method call
            method = node.child_by_field_name("method")
            if method is None or body.text(method) != "raise":
                continue
        match = _RAISED_NAME.match(text)
        if match:
            names[re.split(r"[.:\\]+", match["path"].rstrip(".:\\"))[-1]] += 1
    return names


def _removed_raise(
    unit: ChangeUnit,
    old: Definition,
    new: Definition,
    old_body: _Body,
    new_body: _Body,
    graph: CallGraph,
    source: Source,
    trees: Trees,
) -> Finding | None:
    before, after = _raised(old_body), _raised(new_body)
    removed = {name for name, count in before.items() if after[name] < count}
    removed -= _raised_by_callees(new, graph, source, trees)
    if not removed:
        return None
    specific = removed - GENERIC_ERRORS
    stale = []
    for ref, confidence in _callers(new, graph, unit, unresolved=bool(specific)):
        # A project's own error caught around `x.get()` names the callee even when the
        # receiver's type is unknown; a generic one only counts on a resolved edge.
        names = specific if confidence in (NAME_ONLY, "") and not _unique(new, graph) else removed
        caught = _at_call(ref, graph, source, trees, lambda call, data: expected_errors(call, data))
        hit = sorted(names & caught) if caught else []
        if hit:
            stale.append((ref, f"catches {hit[0]}"))
    if not stale:
        return None
    name = stale[0][1].removeprefix("catches ")
    line = _removed_line(unit, old, new, old_body, name)
    verb = "catches or expects" if len(stale) == 1 else "catch or expect"
    message = (
        f"`{new.name}` no longer raises {name} where this change removed the raise, but "
        f"{_count(stale)} still {verb} it ({_listed(stale)}): that handling is now dead, and "
        f"the failure it handled goes through as a success."
    )
    return _finding(unit, new, line, RAISE_RULE, message, stale, 0.7)


def _raised_by_callees(new: Definition, graph: CallGraph, source: Source, trees: Trees) -> set[str]:
    """Names raised by the functions the new definition calls (a raise moved into a helper)."""
    names: set[str] = set()
    for callee in graph.callees(new.qualified_name, new.path, depth=1):
        text = source(callee.path)
        found = next((d for d in graph.find(callee.qualified_name, callee.path)), None)
        if text is None or found is None or found.language != new.language:
            continue
        body = _nodes(found.language, text, found, trees)
        if body is not None:
            names |= set(_raised(body))
    return names


def _removed_line(
    unit: ChangeUnit, old: Definition, new: Definition, old_body: _Body, name: str
) -> int:
    """The new line where the first removed raise of ``name`` used to be."""
    removed = set(unit.changed_old_lines)
    target = next(
        (
            n.start_point[0] + 1
            for n in sorted(old_body.own(_RAISES | {"call"}), key=lambda n: n.start_byte)
            if n.start_point[0] + 1 in removed and name in old_body.text(n)
        ),
        old.start_line,
    )
    added = set(unit.changed_new_lines)
    new_line = new.start_line
    for old_line in range(old.start_line, target):
        if old_line in removed:
            continue
        while new_line in added:
            new_line += 1
        new_line += 1
    return min(new_line, new.end_line)


# --- return shape ----------------------------------------------------------------------


def _returns(body: _Body) -> list[tuple[int, int]]:
    """(line, size) of each return: the tuple's size, 1 for one value, 0 for nothing."""
    out = []
    for node in body.own(_RETURNS):
        if not node.is_named:
            continue  # the `return` keyword inside a JavaScript return statement
        values = [c for c in node.named_children if "comment" not in c.type]
        if not values or (len(values) == 1 and body.text(values[0]) in _NOTHING):
            size = 0
        elif len(values) > 1:
            size = len(values)
        elif values[0].type in _TUPLES.get(body.language, ()):
            items = [c for c in values[0].named_children if "comment" not in c.type]
            size = len(items) if len(items) >= 2 else 1
        else:
            size = 1
        out.append((node.start_point[0] + 1, size))
    return out


def _changed_shape(
    unit: ChangeUnit,
    old: Definition,
    new: Definition,
    old_body: _Body,
    new_body: _Body,
    graph: CallGraph,
    source: Source,
    trees: Trees,
) -> Finding | None:
    old_sizes = {size for _, size in _returns(old_body) if size}
    changed = set(unit.changed_new_lines)
    edited = [(line, size) for line, size in _returns(new_body) if line in changed]
    if len(old_sizes) != 1 or not edited:
        return None
    (was,) = old_sizes
    line, now = next(
        ((n, size) for n, size in edited if size != was and (size or was > 1)), (0, was)
    )
    if now == was:
        return None
    if was > 1:  # callers unpack or index a tuple that this path no longer returns
        stale_uses, described = {"unpack", "index"}, f"a tuple of {was}"
    else:  # callers test or compute with a value that is now a tuple
        stale_uses, described = {"scalar"}, "a single value"
        if now < 2:
            return None
    stale = []
    for ref, confidence in _callers(new, graph, unit):
        if confidence == NAME_ONLY and not _unique(new, graph):
            continue
        use = _at_call(ref, graph, source, trees, lambda call, data: result_use(call))
        if use is None or use[0] not in stale_uses or (use[0] == "unpack" and use[1] != was):
            continue
        stale.append((ref, {"unpack": "unpacks", "index": "indexes", "scalar": "tests"}[use[0]]))
    if not stale:
        return None
    returned = {0: "nothing", 1: "a single value"}.get(now, f"a tuple of {now}")
    message = (
        f"`{new.name}` used to return {described}; this return gives {returned}, but "
        f"{_count(stale)} still {'uses' if len(stale) == 1 else 'use'} the old shape ({_listed(stale)})."
    )
    return _finding(unit, new, line, RETURN_RULE, message, stale, 0.7)


# --- shared ----------------------------------------------------------------------------


def _callers(
    new: Definition, graph: CallGraph, unit: ChangeUnit, unresolved: bool = False
) -> list[tuple[Reference, str]]:
    """Call sites resolved to ``new`` (with their confidence); with ``unresolved``, also the
    calls of its name that resolve to nothing (confidence ``""``), in its language family."""
    calls = graph.direct_calls(new)
    if unresolved:
        seen = {id(ref) for ref, _ in calls}
        calls += [
            (ref, "")
            for ref in graph.calls_named(new.name)
            if id(ref) not in seen
            and (tags := graph.tags_of(ref.path)) is not None
            and family(tags.language) == family(new.language)
            and not graph.resolve(ref)
        ]
    inside = [
        (ref, c)
        for ref, c in calls
        if not (ref.path == new.path and new.start_line <= ref.start_line <= new.end_line)
    ]
    return sorted(inside, key=lambda item: (item[0].path, item[0].start_line))


def _unique(new: Definition, graph: CallGraph) -> bool:
    same = [
        d for d in graph.definitions_named(new.name) if family(d.language) == family(new.language)
    ]
    return len(same) == 1


def _at_call(
    ref: Reference,
    graph: CallGraph,
    source: Source,
    trees: Trees,
    read: Callable[[ts.Node, bytes], T],
) -> T | None:
    tags = graph.tags_of(ref.path)
    text = source(ref.path)
    if tags is None or text is None:
        return None
    data = text.encode("utf-8")
    tree = _tree(ref.path, tags.language, data, trees)
    call = call_at(tree, ref.start_line, ref.start_col)
    return read(call, data) if call is not None else None


def _tree(path: str, language: str, data: bytes, trees: Trees) -> ts.Tree:
    """The review's tree of a changed file (``data`` is its new text), else a cached parse."""
    tree = trees.get(path)
    return tree if tree is not None else parse_cached(language, data)


def _count(stale: list[tuple[Reference, str]]) -> str:
    return f"{len(stale)} call site{'s' if len(stale) != 1 else ''}"


def _listed(stale: list[tuple[Reference, str]]) -> str:
    shown = ", ".join(f"{ref.path}:{ref.start_line}" for ref, _ in stale[:_MAX_LISTED])
    return shown + (f" and {len(stale) - _MAX_LISTED} more" if len(stale) > _MAX_LISTED else "")


def _finding(
    unit: ChangeUnit,
    new: Definition,
    line: int,
    rule: str,
    message: str,
    stale: list[tuple[Reference, str]],
    confidence: float,
) -> Finding:
    related = tuple(
        Location(ref.path, ref.span, f"{ref.caller} {why}: {ref.snippet}") for ref, why in stale
    )
    return Finding(
        path=unit.path,
        span=Span.lines(line, line),
        severity=Severity.WARNING,
        rule=rule,
        message=message,
        category="correctness",
        source="callgraph",
        related=related,
        confidence=confidence,
        unit=unit.name,
        code=new.signature,
    )
