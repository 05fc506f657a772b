"""Definitions in a source file: functions, methods and named containers, found with one query.

Each language's ``queries/<language>.scm`` marks a definition with ``@definition.function``,
``@definition.method`` or ``@definition.class`` and its name with ``@name`` (C and C++:
``@declarator``, whose name is dug out here; Go: ``@receiver`` as well), and its body with
``@body``. The query runs once over the tree; nesting comes from the spans, not a tree walk.

Naming, the same in every language: a qualified name joins the names of the enclosing
definitions with dots, ``Outer.Inner.method``. ``::`` becomes ``.`` (C++ ``Cls::m`` defined
out of line is the method ``Cls.m``; Ruby ``A::B``), generic arguments are dropped
(``impl<T> Foo<T>`` is ``Foo``), a Go method is ``Type.Method``, a Rust impl method is
``Type.method`` (also for ``impl Trait for Type``), JavaScript ``Foo.prototype.bar = function``
is the method ``Foo.bar``. Namespaces (C#, C++, PHP, TypeScript) are never part of a name;
Ruby modules and Rust ``mod`` blocks are containers. Kinds: ``class`` is any named container
(class, struct, union, enum, interface, trait, impl, record, module); a ``function`` directly
inside a container is a ``method``; constructors, destructors (``~Name``) and C# properties
are methods.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

import tree_sitter as ts
from tactful.analyzers.languages import load_query, parse
from tactful.analyzers.model import Span

QUERY_PACKAGE = "tactful.analyzers.queries"
KINDS = ("function", "method", "class")
SIGNATURE_LIMIT = 400
"""Longest signature kept (characters); longer headers are cut with an ellipsis."""

# A node of one of these types that holds the definition also holds its decorators, template
# header or export keyword: the definition's span grows to it.
_WRAPPERS: dict[str, frozenset[str]] = {
    "python": frozenset({"decorated_definition"}),
    "cpp": frozenset({"template_declaration"}),
    "javascript": frozenset({"export_statement"}),
    "typescript": frozenset({"export_statement"}),
    "tsx": frozenset({"export_statement"}),
}
_NO_WRAPPERS: frozenset[str] = frozenset()
_GENERIC_ARGS = re.compile(r"<[^<>]*>")
_DESTRUCTORS = frozenset({"destructor_declaration"})


@dataclass(frozen=True, slots=True)
class Definition:
    """One function, method or container in one version of a file."""

    kind: str
    """``function``, ``method`` or ``class``."""
    name: str
    """The definition's own name (``get``; ``Cls.m`` for C++ out-of-line ``Cls::m``)."""
    qualified_name: str
    """Dotted name with its containers: ``Cache.get``."""
    span: Span
    """The whole definition, decorators / template header / ``export`` included."""
    name_span: Span
    signature: str
    """The header up to the body, whitespace collapsed: ``def get(self, key):``."""
    start_byte: int
    """UTF-8 byte offsets of ``span`` in the file, for slicing the encoded text."""
    end_byte: int
    parent: int | None = None
    """Index of the enclosing definition in the same tuple, or None at top level."""


def definitions(language: str, text: str) -> tuple[Definition, ...]:
    """Every definition in ``text``, in source order (parents before their children)."""
    data = text.encode("utf-8")
    return definitions_in_tree(language, parse(language, data), data)


def definitions_in_tree(
    language: str, tree: ts.Tree, data: bytes, lines: tuple[int, int] | None = None
) -> tuple[Definition, ...]:
    """Like :func:`definitions` for a tree already parsed from ``data`` (no reparse).

    With ``lines`` (first, last; 1-based, inclusive), only the definitions that overlap
    those lines, which includes every definition enclosing them; the query then skips the
    rest of the tree.
    """
    query = load_query(QUERY_PACKAGE, f"{language}.scm", language)
    wrappers = _WRAPPERS.get(language, _NO_WRAPPERS)
    found: dict[tuple[int, int], tuple[int, str, ts.Node, ts.Node, dict[str, list[ts.Node]]]] = {}
    cursor = ts.QueryCursor(query)
    if lines is not None:
        cursor.set_point_range((max(lines[0] - 1, 0), 0), (max(lines[1], lines[0]), 0))
    for pattern, captures in cursor.matches(tree.root_node):
        for capture, nodes in captures.items():
            if capture.startswith("definition."):
                core = nodes[0]
                break
        else:
            continue
        outer = core
        while outer.parent is not None and outer.parent.type in wrappers:
            outer = outer.parent
        key = (outer.start_byte, outer.end_byte)
        if key not in found or pattern < found[key][0]:  # the first pattern in the file wins
            found[key] = (pattern, capture[len("definition.") :], core, outer, captures)
    ascii_only = data.isascii()
    result: list[Definition] = []
    stack: list[int] = []  # indexes of the definitions enclosing the current one
    for key in sorted(found, key=lambda k: (k[0], -k[1])):
        _, kind, core, outer, captures = found[key]
        name_node = _name_node(captures)
        if name_node is None:
            continue
        name = _clean_name(name_node, data)
        if core.type in _DESTRUCTORS:
            name = "~" + name
        while stack and result[stack[-1]].end_byte <= key[0]:
            stack.pop()
        parent = stack[-1] if stack and result[stack[-1]].end_byte >= key[1] else None
        receiver = captures.get("receiver")
        if receiver:
            name = f"{_clean_name(receiver[0], data)}.{name}"
        if kind == "function" and (
            (parent is not None and result[parent].kind == "class")
            or name_node.type == "qualified_identifier"
            or ".prototype." in _text(name_node, data)
        ):
            kind = "method"
        qualified = name if parent is None else f"{result[parent].qualified_name}.{name}"
        body = captures.get("body")
        result.append(
            Definition(
                kind=kind,
                name=name,
                qualified_name=qualified,
                span=_span(outer, data, ascii_only),
                name_span=_span(name_node, data, ascii_only),
                signature=_signature(core, body[0] if body else None, data),
                start_byte=key[0],
                end_byte=key[1],
                parent=parent,
            )
        )
        stack.append(len(result) - 1)
    return tuple(result)


def enclosing_definition(defs: Sequence[Definition], line: int) -> Definition | None:
    """The innermost definition of ``defs`` (from :func:`definitions`) containing ``line``."""
    index = innermost_index(defs, [d.span.start_line for d in defs], line)
    return None if index is None else defs[index]


def innermost_index(defs: Sequence[Definition], starts: Sequence[int], line: int) -> int | None:
    """Index of the innermost definition containing ``line``; ``starts`` are the start lines.

    Definitions nest or are disjoint, so the innermost one that contains ``line`` is the last
    one starting at or before it, or one of that one's ancestors.
    """
    index: int | None = bisect.bisect_right(starts, line) - 1
    while index is not None and index >= 0:
        if defs[index].span.contains_line(line):
            return index
        index = defs[index].parent
    return None


def _name_node(captures: dict[str, list[ts.Node]]) -> ts.Node | None:
    names = captures.get("name")
    if names:
        return names[0]
    declarators = captures.get("declarator")
    return _declared_name(declarators[0]) if declarators else None


def _declared_name(declarator: ts.Node) -> ts.Node | None:
    """The name inside a C/C++ function declarator (under pointers, references, parens)."""
    node: ts.Node | None = declarator
    for _ in range(16):  # declarators nest a few levels at most
        if node is None:
            return None
        if node.type == "function_declarator":
            return node.child_by_field_name("declarator")
        inner = node.child_by_field_name("declarator")
        if inner is None and node.named_child_count:
            inner = node.named_children[-1]  # reference_declarator has no field name
        node = inner
    return None


def _text(node: ts.Node, data: bytes) -> str:
    return data[node.start_byte : node.end_byte].decode("utf-8", "replace")


def _clean_name(node: ts.Node, data: bytes) -> str:
    """A name as the dotted naming scheme writes it (see the module docstring)."""
    text = "".join(_text(node, data).split())
    if "operator" not in text:
        while "<" in text:
            stripped = _GENERIC_ARGS.sub("", text)
            if stripped == text:
                break
            text = stripped
    return text.replace("::", ".").replace(".prototype.", ".").strip(".")


def _span(node: ts.Node, data: bytes, ascii_only: bool) -> Span:
    (start_row, start_col), (end_row, end_col) = node.start_point, node.end_point
    if not ascii_only:  # tree-sitter columns are bytes; ours are code points
        start_col = _char_column(data, node.start_byte, start_col)
        end_col = _char_column(data, node.end_byte, end_col)
    return Span(start_row + 1, start_col, end_row + 1, end_col)


def _char_column(data: bytes, offset: int, byte_col: int) -> int:
    if byte_col == 0:
        return 0
    return len(data[offset - byte_col : offset].decode("utf-8", "replace"))


def _signature(core: ts.Node, body: ts.Node | None, data: bytes) -> str:
    """The header from the definition's start to its body (or its first line), collapsed."""
    if body is not None and body.start_byte > core.start_byte:
        header = data[core.start_byte : body.start_byte]
    else:
        end = data.find(b"\n", core.start_byte, core.end_byte)
        header = (
            data[core.start_byte : core.end_byte if end == -1 else end].rstrip().removesuffix(b"{")
        )
    signature = " ".join(header.decode("utf-8", "replace").split())
    return (
        signature if len(signature) <= SIGNATURE_LIMIT else signature[: SIGNATURE_LIMIT - 1] + "…"
    )
