"""Python pitfalls: mutable default arguments and ``== None`` (argument asserts: ``asserts``)."""

from __future__ import annotations

from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo, replace_fix
from tactful.analyzers.model import Fix, Severity, Span, TextEdit

MUTABLE_LITERALS = frozenset(
    {
        "list",
        "dictionary",
        "set",
        "list_comprehension",
        "dictionary_comprehension",
        "set_comprehension",
    }
)
MUTABLE_FACTORIES = frozenset(
    {"list", "dict", "set", "bytearray", "defaultdict", "OrderedDict", "Counter", "deque"}
)


def _is_mutable(ctx: CheckContext, value: ts.Node) -> bool:
    if value.type in MUTABLE_LITERALS:
        return True
    if value.type == "call":
        function = value.child_by_field_name("function")
        if function is not None:
            return ctx.node_text(function).rsplit(".", 1)[-1] in MUTABLE_FACTORIES
    return False


def _first_body_statement(block: ts.Node) -> tuple[ts.Node | None, ts.Node | None]:
    """(first statement after any docstring, the docstring) of a function body."""
    statements = [c for c in block.named_children if c.type != "comment"]
    docstring = None
    if (
        statements
        and statements[0].type == "expression_statement"
        and statements[0].named_child_count == 1
        and statements[0].named_children[0].type == "string"
    ):
        docstring = statements[0]
        statements = statements[1:]
    return (statements[0] if statements else None), docstring


def _none_default_fix(ctx: CheckContext, param: ts.Node, name: str, value: ts.Node) -> Fix | None:
    """``x=[]`` -> ``x=None`` plus ``if x is None: x = []`` at the top of the body."""
    if param.type != "default_parameter":
        return None  # an annotation would need `| None` too; leave that to the author
    value_text = ctx.node_text(value)
    function = param.parent.parent if param.parent is not None else None
    if "\n" in value_text or function is None or function.type != "function_definition":
        return None
    body = function.child_by_field_name("body")
    if body is None or body.start_point[0] == function.start_point[0]:
        return None  # one-line function: no block to insert into
    first, docstring = _first_body_statement(body)
    if first is not None:
        line = first.start_point[0] + 1
        if ctx.line(line)[: ctx.col(first.start_point)].strip():
            return None
    elif docstring is not None and docstring.end_point[0] + 2 <= len(ctx.lines):
        line = docstring.end_point[0] + 2
    else:
        return None
    anchor = first if first is not None else docstring
    assert anchor is not None
    indent = ctx.line(anchor.start_point[0] + 1)[: ctx.col(anchor.start_point)]
    def_indent = ctx.line(function.start_point[0] + 1)[: ctx.col(function.start_point)]
    step = (
        indent[len(def_indent) :]
        if indent.startswith(def_indent) and len(indent) > len(def_indent)
        else "    "
    )
    guard = f"{indent}if {name} is None:\n{indent}{step}{name} = {value_text}\n"
    return Fix(
        f"Default {name} to None and create a fresh value per call",
        (TextEdit(ctx.span(value), "None"), TextEdit(Span(line, 0, line, 0), guard)),
    )


def find_mutable_default(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.default"):
        param = captures["py.default"][0]
        value = captures["value"][0]
        if not _is_mutable(ctx, value) or not ctx.is_added(value.start_point[0] + 1):
            continue
        name = ctx.node_text(captures["name"][0])
        yield ctx.hit(
            value,
            f"The default for `{name}` is created once and shared by every call, so mutations "
            "leak between calls; default to None and build it inside.",
            _none_default_fix(ctx, param, name, value),
        )


def find_none_comparison(ctx: CheckContext) -> Iterator[Hit]:
    for captures in ctx.captures("py.none-comparison"):
        comparison = captures["py.none-comparison"][0]
        children = comparison.children
        if len(children) != 3 or children[1].type not in ("==", "!="):
            continue
        if ctx.is_test_file and _in_assertion(ctx, comparison):
            continue  # `assertTrue(x == None)` tests the object's __eq__ on purpose
        operator = children[1]
        replacement = "is" if operator.type == "==" else "is not"
        yield ctx.hit(
            comparison,
            f"Compare with None using `{replacement}`: `{operator.type}` calls __eq__, which "
            "objects may override.",
            replace_fix(ctx, operator, replacement, f"Use `{replacement}`"),
        )


def _in_assertion(ctx: CheckContext, node: ts.Node) -> bool:
    """Inside an ``assert`` statement or an ``assert*``/``assert_*`` call's arguments."""
    current = node.parent
    while current is not None and current.type not in ("function_definition", "module"):
        if current.type == "assert_statement":
            return True
        if current.type == "call":
            function = current.child_by_field_name("function")
            name = ctx.node_text(function).rpartition(".")[2] if function is not None else ""
            if name.startswith("assert") or name.startswith("fail"):
                return True
        current = current.parent
    return False


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "py.mutable-default",
            ("python",),
            Severity.WARNING,
            "correctness",
            "mutable default argument (list/dict/set); fix: default None + guard",
            True,
        ),
        find_mutable_default,
    ),
    Rule(
        RuleInfo(
            "py.none-comparison",
            ("python",),
            Severity.INFO,
            "style",
            "`== None` / `!= None` (fix: `is None` / `is not None`)",
            True,
        ),
        find_none_comparison,
    ),
)
