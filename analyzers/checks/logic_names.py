"""Reads and writes of a local name inside one function, from the tree (strings and comments
are not code; ``obj.name`` is a member, not the local).

A write is an assignment target (``a = ...``, ``a, err := ...``, ``let a = ...``), a
declaration, a loop variable or a parameter (each told apart in :attr:`Uses.kinds`); every other occurrence is a read (``a += 1``
reads ``a`` too).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter as ts

_LEAVES = frozenset(
    {
        "identifier", "shorthand_property_identifier", "shorthand_property_identifier_pattern",
        "variable_name",
    }
)  # fmt: skip
_TARGET_WRAPPERS = frozenset(
    {
        "expression_list", "pattern_list", "tuple_pattern", "list_pattern", "pointer_declarator",
        "array_declarator", "reference_declarator", "left_assignment_list", "mut_pattern",
        "object_pattern", "array_pattern", "destructuring_pattern", "list_splat_pattern",
    }
)  # fmt: skip
_ASSIGNMENTS = frozenset(
    {"assignment", "assignment_expression", "assignment_statement", "short_var_declaration"}
)
_DECLARATIONS = frozenset(
    {
        "variable_declarator", "init_declarator", "declaration", "let_declaration", "var_spec",
        "const_spec", "local_variable_declaration", "variable_declaration", "named_expression",
        "as_pattern_target",
    }
)  # fmt: skip
_LOOPS = frozenset(
    {
        "for_statement", "for_in_statement", "for_expression", "range_clause", "for",
        "for_in_clause", "enhanced_for_statement", "foreach_statement",
    }
)  # fmt: skip
_TARGET_FIELDS = ("left", "declarator", "name", "pattern")
_MEMBER_BEFORE = (".", "->", "::", "?.", "&.")


@dataclass(frozen=True)
class Uses:
    reads: tuple[int, ...]
    """1-based lines where the name is read."""
    writes: tuple[int, ...]
    """1-based lines where it is assigned, declared or received as a parameter."""
    kinds: frozenset[str] = frozenset()
    """What the writes are: ``assignment``, ``loop`` (a loop variable), ``parameter``."""


LeafIndex = dict[str, list[ts.Node]]


def leaf_index(function: ts.Node) -> LeafIndex:
    """The function's name leaves by text: built once, then every name's uses are a lookup."""
    index: LeafIndex = {}
    for leaf in _named_leaves(function):
        index.setdefault((leaf.text or b"").decode("utf-8", "replace"), []).append(leaf)
    return index


def uses(function: ts.Node, name: str, source: bytes, index: LeafIndex | None = None) -> Uses:
    reads: list[int] = []
    writes: list[int] = []
    kinds: set[str] = set()
    leaves = (index if index is not None else leaf_index(function)).get(name, [])
    for leaf in leaves:
        if _is_member(leaf, source):
            continue
        parent = leaf.parent
        if (
            parent is not None
            and parent.type == "keyword_argument"
            and parent.child_by_field_name("name") == leaf
        ):
            continue  # `f(a=1)` names a parameter of f
        kind = _write_kind(leaf, function)
        if kind:
            kinds.add(kind)
        (writes if kind else reads).append(leaf.start_point[0] + 1)
    return Uses(tuple(reads), tuple(writes), frozenset(kinds))


def _named_leaves(node: ts.Node) -> Iterator[ts.Node]:
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type in _LEAVES:
            yield current
            continue
        if "string" in current.type or "comment" in current.type:
            continue
        stack.extend(current.named_children)


def _is_member(leaf: ts.Node, source: bytes) -> bool:
    before = source[max(0, leaf.start_byte - 3) : leaf.start_byte].decode("utf-8", "replace")
    return before.rstrip().endswith(_MEMBER_BEFORE)


def _write_kind(leaf: ts.Node, function: ts.Node) -> str:
    """``assignment``, ``loop``, ``parameter``, or '' for a read."""
    target = leaf
    parent = leaf.parent
    while parent is not None and parent.type in _TARGET_WRAPPERS:
        target, parent = parent, parent.parent
    if parent is not None:
        if parent.type in _ASSIGNMENTS and _in_field(parent, target) and _plain(parent, target):
            return "assignment"
        if parent.type in _DECLARATIONS and _in_field(parent, target):
            return "assignment"
        if parent.type in _LOOPS and _in_field(parent, target):
            return "loop"
    node = leaf.parent
    while node is not None and node != function:
        if "parameter" in node.type:
            return "parameter"
        node = node.parent
    return ""


def _in_field(parent: ts.Node, target: ts.Node) -> bool:
    for field in _TARGET_FIELDS:
        child = parent.child_by_field_name(field)
        if child is not None and child.start_byte <= target.start_byte < child.end_byte:
            return True
    first = next(iter(parent.named_children), None)
    # Grammars without a field for the target (Python's for loop reads `left`, Ruby's assignment too).
    return (
        parent.type in ("assignment", "short_var_declaration", "assignment_statement")
        and first is not None
        and first.start_byte <= target.start_byte < first.end_byte
    )


def _plain(parent: ts.Node, target: ts.Node) -> bool:
    """`a = ...` or `a := ...`, not `a += ...` (which reads `a`)."""
    operator = parent.child_by_field_name("operator")
    if operator is not None:
        return (operator.text or b"").strip() in (b"=", b":=")
    rest = (parent.text or b"")[target.end_byte - parent.start_byte :].lstrip()
    return rest.startswith((b"=", b":=")) and not rest.startswith(b"==")
