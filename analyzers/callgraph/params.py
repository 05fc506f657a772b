"""Parameter lists: names and arities, per language (argument lists are counted by the query).

Arity is what lets the call graph tell overloads apart (``add(a, b)`` vs ``add(a, b, c)``)
and what the signature-change check compares. Counting is syntactic: a default or optional parameter lowers the minimum,
a variadic parameter removes the maximum (Ruby's ``...`` forwards any arguments, so it is one).
"""

from __future__ import annotations

import tree_sitter as ts

_SKIP = frozenset(
    {"comment", "line_comment", "block_comment", "keyword_separator", "positional_separator"}
)
_RECEIVERS = frozenset({"self", "cls", "this", "&self", "&mut self", "mut self"})
_OPTIONAL = frozenset(
    {
        "default_parameter",
        "typed_default_parameter",
        "assignment_pattern",
        "optional_parameter",
        "optional_parameter_declaration",
    }
)
_VARIADIC = frozenset(
    {
        "list_splat_pattern",
        "dictionary_splat_pattern",
        "rest_pattern",
        "variadic_parameter_declaration",
        "spread_parameter",
        "variadic_parameter",
        "splat_parameter",
        "hash_splat_parameter",
        "forward_parameter",
    }
)
_NOT_COUNTED = frozenset({"self_parameter", "block_parameter", "receiver_parameter", "this"})
_NAME_FIELDS = ("name", "pattern", "declarator")


def parameter_info(
    language: str, params: ts.Node, kind: str
) -> tuple[tuple[str, ...], int, int | None]:
    """(names, minimum arity, maximum arity or None) of a parameter list node."""
    if params.type == "identifier":  # JS arrow function with one bare parameter
        return (params.text.decode("utf-8", "replace") if params.text else "",), 1, 1
    names: list[str] = []
    low = 0
    high: int | None = 0
    variadic = language == "csharp" and any(c.type == "params" for c in params.children)
    rest_name = ""
    children = params.named_children
    if variadic:  # C# grammar quirk: `params T[] rest` sits in the list without a parameter node
        rest = next((c for c in reversed(children) if c.type == "identifier"), None)
        children = [c for c in children if c.type == "parameter"]
        rest_name = (
            rest.text.decode("utf-8", "replace") if rest is not None and rest.text else "params"
        )
    for child in children:
        ctype = child.type
        if ctype in _SKIP or ctype in _NOT_COUNTED:
            continue
        name = _param_name(child)
        if (
            not names
            and low == 0
            and name in _RECEIVERS
            and kind in ("method", "constructor")
            and language == "python"
        ):
            continue
        if ctype == "required_parameter" and name == "this":  # TypeScript `this` parameter
            continue
        if (
            language == "c"
            and ctype == "parameter_declaration"
            and child.child_by_field_name("declarator") is None
            and (child.text or b"").strip() == b"void"
        ):
            continue
        if language == "go" and ctype == "parameter_declaration":
            count = max(1, len(child.children_by_field_name("name")))
            names.extend(n.text.decode() for n in child.children_by_field_name("name") if n.text)
            low += count
            if high is not None:
                high += count
            continue
        names.append(name)
        if ctype in _VARIADIC or _has_rest(child):
            high = None
        elif ctype in _OPTIONAL or _has_default(language, child):
            if high is not None:
                high += 1
        else:
            low += 1
            if high is not None:
                high += 1
    if variadic:
        names.append(rest_name)
        high = None
    return tuple(names), low, high


def _param_name(node: ts.Node) -> str:
    if node.type in ("identifier", "self"):
        return node.text.decode("utf-8", "replace") if node.text else ""
    if node.type == "spread_parameter" and node.named_children:  # Java `int... rest`
        node = node.named_children[-1]
    current = node
    for _ in range(4):
        inner = None
        for field in _NAME_FIELDS:
            inner = current.child_by_field_name(field)
            if inner is not None:
                break
        if inner is None:
            inner = next(
                (c for c in current.named_children if "identifier" in c.type or c.type == "name"),
                None,
            )
        if inner is None:
            break
        current = inner
        if not current.named_children:
            break
    text = (current.text or b"").decode("utf-8", "replace")
    return text.lstrip("*&$").strip()


def _has_rest(node: ts.Node) -> bool:
    if node.type != "required_parameter":
        return False
    pattern = node.child_by_field_name("pattern")
    return pattern is not None and pattern.type == "rest_pattern"


def _has_default(language: str, node: ts.Node) -> bool:
    if node.type in ("required_parameter", "simple_parameter", "property_promotion_parameter"):
        return (
            node.child_by_field_name("value") is not None
            or node.child_by_field_name("default_value") is not None
        )
    if node.type == "keyword_parameter":
        return node.child_by_field_name("value") is not None
    if language == "csharp" and node.type == "parameter":
        return any(c.type == "=" for c in node.children) or node.named_child_count > 2
    return False
