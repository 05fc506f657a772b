"""How a call site uses the call: the errors it catches around it and the shape it expects back.

Pure tree reading for the caller-contract checks (``contracts.py``): given a caller file's
tree and the call's position, say whether the call sits in the protected part of a
``try``/``begin`` whose handler names an error type (or under a test assertion that expects
it: ``pytest.raises``, ``assertThrows``, ``toThrow``), and whether the caller unpacks or
indexes the result (a tuple shape) or uses it as one value (a scalar shape).
"""

from __future__ import annotations

import re

import tree_sitter as ts

CALL_TYPES = frozenset(
    {
        "call",
        "call_expression",
        "method_invocation",
        "invocation_expression",
        "function_call_expression",
        "member_call_expression",
        "scoped_call_expression",
        "object_creation_expression",
        "new_expression",
    }
)
FUNCTION_TYPES = frozenset(
    {
        "function_definition",
        "function_declaration",
        "method_declaration",
        "method_definition",
        "function_item",
        "method",
        "singleton_method",
        "arrow_function",
        "function_expression",
        "lambda",
        "lambda_expression",
        "local_function_statement",
        "constructor_declaration",
    }
)
ANONYMOUS_FUNCTIONS = frozenset(
    {"arrow_function", "function_expression", "lambda", "lambda_expression"}
)
"""Looked through when searching around a call: ``assertThrows(E.class, () -> f())``."""
TRY_TYPES = frozenset({"try_statement", "begin", "body_statement", "try_expression"})
HANDLER_TYPES = frozenset({"except_clause", "catch_clause", "rescue"})
_BODY_FIELDS = ("body", "block")
_EXPECTS_ERROR = re.compile(
    r"(?:\braises|Raises|Throws|\btoThrow\w*|\braise_error|\bassert_raises|\bexpectException)"
    r"\s{0,4}\(?\s{0,4}(?P<path>[\w.:\\]{1,160})"
)
_TESTED_NAME = re.compile(
    r"instanceof\s{1,4}([A-Z]\w{0,80})|\.name\s{0,2}===?\s{0,2}['\"](\w{1,80})"
)
_UP_TO_EXPECTATION = 8
"""Ancestors searched for a test assertion around the call (the arrow, the argument list, ...)."""

UNPACK_PARENTS = {
    # parent type of the call -> field of the parent that holds the unpacking pattern
    "assignment": "left",  # Python, Ruby
    "variable_declarator": "name",  # JS/TS `const [a, b] = f()`
    "assignment_expression": "left",  # JS/TS, PHP
}
UNPACK_PATTERNS = frozenset(
    {
        "pattern_list",
        "tuple_pattern",
        "list_pattern",
        "array_pattern",
        "left_assignment_list",
        "list_literal",
        "array_creation_expression",
    }
)
INDEX_PARENTS = frozenset(
    {"subscript", "subscript_expression", "element_reference", "element_access_expression"}
)
SCALAR_PARENTS = frozenset(
    {
        "binary_operator",
        "binary_expression",
        "comparison_operator",
        "not_operator",
        "unary_expression",
        "unary_operator",
        "boolean_operator",
        "augmented_assignment",
        "if_statement",
        "while_statement",
        "conditional_expression",
        "ternary_expression",
        "if",
        "unless",
    }
)


def call_at(tree: ts.Tree, line: int, column: int) -> ts.Node | None:
    """The innermost call expression that starts at ``line``:``column`` (1-based line)."""
    node = tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
    while node is not None:
        if node.type in CALL_TYPES:
            return node
        if node.type in FUNCTION_TYPES:
            return None
        node = node.parent
    return None


def expected_errors(call: ts.Node, source: bytes) -> set[str]:
    """Error type names the code around ``call`` catches or a test expects from it."""
    names: set[str] = set()
    child, node = call, call.parent
    depth = 0
    while node is not None and (
        node.type not in FUNCTION_TYPES or node.type in ANONYMOUS_FUNCTIONS
    ):
        if node.type in TRY_TYPES and _protects(node, child):
            for handler in node.children:
                if handler.type in HANDLER_TYPES:
                    names |= _handler_names(handler, source)
        if depth < _UP_TO_EXPECTATION and node.end_byte - node.start_byte <= 600:
            around = _text(node, source).replace(_text(call, source), " ", 1)
            for match in _EXPECTS_ERROR.finditer(around):
                names.update(re.findall(r"\w+", match["path"]))
        depth += 1
        child, node = node, node.parent
    if node is not None and node.type in FUNCTION_TYPES:  # Ruby: `def f ... rescue X ... end`
        for handler in node.children:
            if handler.type in HANDLER_TYPES:
                names |= _handler_names(handler, source)
    return names


def _protects(try_node: ts.Node, child: ts.Node) -> bool:
    """``child`` is the protected part of ``try_node``, not one of its handlers or its finally."""
    if child.type in HANDLER_TYPES or "finally" in child.type or "ensure" in child.type:
        return False
    body = next(
        (b for f in _BODY_FIELDS if (b := try_node.child_by_field_name(f)) is not None), None
    )
    return body is None or body.start_byte <= child.start_byte < body.end_byte or child == body


def _handler_names(handler: ts.Node, source: bytes) -> set[str]:
    """Type names a handler catches: from its header (``except (A, B) as e``, ``catch (A | B
    e)``, ``rescue A => e``), or for untyped catches (JS) the names its body tests for."""
    body = next(
        (b for f in _BODY_FIELDS if (b := handler.child_by_field_name(f)) is not None), None
    )
    end = body.start_byte if body is not None else handler.end_byte
    header = source[handler.start_byte : end].decode("utf-8", "replace")
    names = set(re.findall(r"\b[A-Z]\w{0,80}\b", header))
    if not names and body is not None:  # `catch (e) { if (e instanceof NotFound) ... }`
        names = {a or b for a, b in _TESTED_NAME.findall(_text(body, source))}
    return names


def result_use(call: ts.Node) -> tuple[str, int | None] | None:
    """How the caller uses the call's value: ``("unpack", n)`` (n names), ``("index", None)``,
    ``("scalar", None)`` (a condition, an operand, a comparison), or None when it only passes
    it on or drops it (nothing to tell the shape by)."""
    parent = call.parent
    while parent is not None and parent.type in (
        "parenthesized_expression",
        "await_expression",
        "await",
    ):
        call, parent = parent, parent.parent
    if parent is None:
        return None
    field = UNPACK_PARENTS.get(parent.type)
    if field is not None:
        target = parent.child_by_field_name(field)
        value = parent.child_by_field_name("right") or parent.child_by_field_name("value")
        if target is not None and value == call and target.type in UNPACK_PATTERNS:
            return ("unpack", len([c for c in target.named_children if "comment" not in c.type]))
        return None
    if parent.type in INDEX_PARENTS:
        value = parent.child_by_field_name("value") or parent.child_by_field_name("object")
        if value is None and parent.named_children:
            value = parent.named_children[0]
        return ("index", None) if value == call else None
    if parent.type in SCALAR_PARENTS:
        return ("scalar", None)
    return None


def _text(node: ts.Node, source: bytes) -> str:
    return source[node.start_byte : node.end_byte].decode("utf-8", "replace")
