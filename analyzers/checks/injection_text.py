"""How a sink's text argument was built: the dynamic pieces of a concatenation, format or
interpolation, followed through local assignments, and which calls run SQL or shell text."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import tree_sitter as ts
from tactful.analyzers.checks.base import (
    JS_LIKE,
    CheckContext,
)
from tactful.analyzers.checks.injection_words import (
    ASSIGNMENTS,
    CONCAT_TYPES,
    CONSTANT,
    FORMAT_CALLS,
    FUNCTIONS,
    JS_SHELL,
    JS_SHELL_OWNERS,
    LITERAL_PIECES,
    NUMBERS,
    PLACEHOLDER_PIECE,
    RUBY_PHP_SHELL,
    SAFE_CALLS,
    SHELL_CALLS,
    SQL_METHODS,
    SQL_SHAPE,
    SQL_SINK_NAME,
    SQL_STATEMENT,
    SQL_WORDS,
    STRING_TYPES,
    SUBPROCESS_SHELL,
)


@dataclass
class Built:
    """A string built from pieces: its literal text and the dynamic pieces that matter."""

    literal: str = ""
    pieces: list[ts.Node] = field(default_factory=list)
    nodes: list[ts.Node] = field(default_factory=list)
    """Where it was built (the expression, or the assignments that built it)."""


def _text(node: ts.Node | None) -> str:
    return (node.text or b"").decode("utf-8", errors="replace") if node is not None else ""


def _callee(node: ts.Node) -> str:
    """Dotted name of what ``node`` calls (``cursor.execute``, ``Runtime.getRuntime().exec``)."""
    if node.type == "method_invocation":
        obj, name = node.child_by_field_name("object"), node.child_by_field_name("name")
        return f"{_text(obj)}.{_text(name)}" if obj is not None else _text(name)
    if node.type == "member_call_expression":
        return (
            f"{_text(node.child_by_field_name('object'))}.{_text(node.child_by_field_name('name'))}"
        )
    if node.type == "object_creation_expression":
        return _text(node.child_by_field_name("type"))
    if node.type == "call" and node.child_by_field_name("method") is not None:
        receiver = node.child_by_field_name("receiver")
        method = _text(node.child_by_field_name("method"))
        return f"{_text(receiver)}.{method}" if receiver is not None else method
    return _text(node.child_by_field_name("function"))


def _arguments(node: ts.Node) -> tuple[list[ts.Node], dict[str, ts.Node]]:
    """Positional arguments (unwrapped) and keyword arguments of a call."""
    holder = node.child_by_field_name("arguments")
    if holder is None:
        return [], {}
    positional: list[ts.Node] = []
    keywords: dict[str, ts.Node] = {}
    for child in holder.named_children:
        if child.type == "keyword_argument":
            value = child.child_by_field_name("value")
            if value is not None:
                keywords[_text(child.child_by_field_name("name"))] = value
            continue
        if child.type == "argument" and child.named_child_count:
            child = child.named_children[-1]
        if child.type != "comment":
            positional.append(child)
    return positional, keywords


def _safe_piece(node: ts.Node) -> bool:
    text = _text(node)
    if node.type in NUMBERS or CONSTANT.match(text.strip("{}$ ")):
        return True
    if PLACEHOLDER_PIECE.search(text):
        return True  # ", ".join(["%s"] * len(ids)): a list of placeholders
    inner = node
    while inner.type in ("interpolation", "template_substitution") and inner.named_child_count:
        inner = inner.named_children[0]
    if inner.type in (
        "call",
        "call_expression",
        "function_call_expression",
        "method_invocation",
        "invocation_expression",
    ):
        name = _callee(inner)
        return any(name == s or name.endswith("." + s) or name.startswith(s) for s in SAFE_CALLS)
    return False


def _string_pieces(node: ts.Node, built: Built) -> bool:
    """Add a string literal's text and interpolations to ``built``; False if ``node`` is no string."""
    if node.type not in STRING_TYPES:
        return False
    for child in node.named_children:
        if child.type in LITERAL_PIECES:
            built.literal += _text(child)
        elif child.type not in (
            "comment",
            "format_specifier",
            "type_conversion",
        ) and not _safe_piece(child):
            built.pieces.append(child)  # an interpolation, or a PHP "$var" inside the string
    if not node.named_child_count:
        built.literal += _text(node)
    return True


def build(node: ts.Node, built: Built, depth: int = 0) -> bool:
    """Follow a string-building expression; False when it is not one (an identifier, a call...)."""
    if depth > 40:
        return False
    if node.type in ("parenthesized_expression",) and node.named_child_count == 1:
        return build(node.named_children[0], built, depth + 1)
    if _string_pieces(node, built):
        return True
    if node.type == "concatenated_string":
        return all(build(c, built, depth + 1) for c in node.named_children)
    if node.type in CONCAT_TYPES:
        operator = _text(node.child_by_field_name("operator"))
        left, right = node.child_by_field_name("left"), node.child_by_field_name("right")
        if left is None or right is None or operator not in ("+", ".", "%"):
            return False
        if operator == "%":  # Python printf-style formatting of a string literal
            if not build(left, built, depth + 1):
                return False
            values = right.named_children if right.type == "tuple" else [right]
            built.pieces.extend(v for v in values if not _safe_piece(v))
            return True
        found = False
        for side in (left, right):
            if build(side, built, depth + 1):
                found = True
            elif not _safe_piece(side):
                built.pieces.append(side)
        return found
    if node.type in (
        "call",
        "call_expression",
        "function_call_expression",
        "invocation_expression",
        "method_invocation",
    ):
        name = _callee(node)
        args, _ = _arguments(node)
        if name in FORMAT_CALLS or name.endswith(".Sprintf") and args:
            if not args or not build(args[0], built, depth + 1):
                return False
            built.pieces.extend(a for a in args[1:] if not _safe_piece(a))
            return True
        if name.endswith(".format") and node.type == "call":  # "...{}".format(x)
            function = node.child_by_field_name("function")
            target = function.child_by_field_name("object") if function is not None else None
            if target is None or not build(target, built, depth + 1):
                return False
            built.pieces.extend(a for a in args if not _safe_piece(a))
            return True
    return False


def _enclosing_scope(node: ts.Node) -> ts.Node:
    current = node.parent
    while current is not None and current.type not in FUNCTIONS:
        current = current.parent
    return current if current is not None else node


def _resolve(ctx: CheckContext, name: ts.Node, call: ts.Node) -> Built | None:
    """What the local variable ``name`` was built from before ``call`` in the same function."""
    scope = _enclosing_scope(call)
    if (
        scope.type in ("module", "program", "source_file")
        and scope.end_point[0] - scope.start_point[0] > 400
    ):
        return None  # a module-level call in a big file: not worth a whole-file walk
    wanted = _text(name).lstrip("$")
    built = Built()
    found = False
    stack = [scope]
    while stack:
        node = stack.pop()
        if node.start_byte >= call.start_byte:
            continue
        fields = ASSIGNMENTS.get(node.type)
        if fields is not None:
            left, right = node.child_by_field_name(fields[0]), node.child_by_field_name(fields[1])
            if left is not None and right is not None:
                if left.type == "expression_list" and left.named_child_count == 1:
                    left = left.named_children[0]
                if right.type == "expression_list" and right.named_child_count == 1:
                    right = right.named_children[0]
                if _text(left).lstrip("$") == wanted:
                    if build(right, built, 0):
                        found = True
                        built.nodes.append(node)
                    elif node.type in (
                        "assignment",
                        "variable_declarator",
                        "short_var_declaration",
                        "assignment_expression",
                        "var_spec",
                    ) and not _safe_piece(right):
                        built.pieces.append(right)
                        built.nodes.append(node)
        if node.type in FUNCTIONS and node is not scope:
            continue
        stack.extend(node.named_children)
    return built if found else None


def _text_argument(ctx: CheckContext, call: ts.Node, args: list[ts.Node]) -> Built | None:
    """The first argument that is (or was assigned) a built string."""
    for arg in args:
        built = Built(nodes=[arg])
        if build(arg, built):
            return built
        if arg.type in ("identifier", "variable_name"):
            resolved = _resolve(ctx, arg, call)
            if resolved is not None:
                return resolved
    return None


def _sink(
    ctx: CheckContext, call: ts.Node, name: str, args: list[ts.Node], keywords: dict[str, ts.Node]
) -> str | None:
    """``"sql"``, ``"shell"`` or None for a call that does not run text."""
    last = name.rsplit(".", 1)[-1].rsplit("->", 1)[-1]
    if call.type in ("subshell", "shell_command_expression"):
        return "shell"
    if name in SHELL_CALLS or last in ("shell_exec", "passthru", "proc_open"):
        return "shell"
    if ctx.language == "python" and name.startswith("subprocess.") and last in SUBPROCESS_SHELL:
        shell = keywords.get("shell")
        return "shell" if shell is not None and _text(shell) == "True" else None
    if ctx.language in JS_LIKE and last in JS_SHELL:
        owner = name.rsplit(".", 1)[0] if "." in name else ""
        return "shell" if owner in JS_SHELL_OWNERS or not owner else None
    if ctx.language == "java" and name.endswith("getRuntime().exec"):
        return "shell"
    if ctx.language in ("ruby", "php") and name in RUBY_PHP_SHELL and len(args) == 1:
        return "shell"  # one string argument goes through the shell
    if ctx.language == "go" and name in ("exec.Command", "exec.CommandContext"):
        texts = [_text(a).strip('"`') for a in args]
        return (
            "shell"
            if "-c" in texts and any(t in ("sh", "bash", "/bin/sh", "/bin/bash") for t in texts)
            else None
        )
    if last in SQL_METHODS or SQL_SINK_NAME.match(last):
        return "sql"
    return None


def reads_as_sql(literal: str) -> bool:
    """The literal text of a built string reads as SQL: a statement keyword and a clause, or a
    statement keyword at its very start."""
    start = STRING_OPENING.sub("", literal.lstrip(), count=1)  # a Python literal keeps its `f"`
    return bool(
        SQL_WORDS.search(literal) and SQL_SHAPE.search(literal) or SQL_STATEMENT.match(start)
    )


STRING_OPENING = re.compile(r"^[fFrRbBuU]{0,2}[\"'`]{1,3}")
