"""Python functions a module's command line runs: their output is the program's, not debugging.

A module that parses a command line (``argparse``, ``optparse``, ``click``, ``typer``,
``docopt``, ``fire``) and has a ``main()`` or a ``__main__`` block is a command-line tool
as well as a library. The functions its entry point reaches, called or handed on
(``p.set_defaults(func=_cmd_status)``), report to the user, so their ``print()`` calls are
output. A module without a command-line parser that only demonstrates itself in a
``__main__`` block stays a library, and a print in its functions stays a leftover.
"""

from __future__ import annotations

import re

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext

_CLI_IMPORT = re.compile(
    r"^[ \t]{0,8}(?:import|from)[ \t]{1,4}(?:argparse|optparse|click|typer|docopt|fire)\b",
    re.MULTILINE,
)


def _definition(node: ts.Node) -> ts.Node | None:
    if node.type == "decorated_definition":
        return node.child_by_field_name("definition")
    return node if node.type == "function_definition" else None


def _names_in(ctx: CheckContext, node: ts.Node) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if current.type == "identifier":
            found.add(ctx.node_text(current))
        stack.extend(current.named_children)
    return found


def _is_main_guard(ctx: CheckContext, node: ts.Node) -> bool:
    condition = node.child_by_field_name("condition") if node.type == "if_statement" else None
    return condition is not None and "__main__" in ctx.node_text(condition)


def cli_reached(ctx: CheckContext) -> frozenset[str]:
    """Names of the module's top-level functions that its command-line entry point reaches."""
    if ctx.language != "python" or ctx.tree is None or not _CLI_IMPORT.search(ctx.text):
        return frozenset()
    functions: dict[str, ts.Node] = {}
    entry: list[ts.Node] = []
    for node in ctx.tree.root_node.named_children:
        definition = _definition(node)
        name = definition.child_by_field_name("name") if definition is not None else None
        if definition is not None and name is not None:
            functions[ctx.node_text(name)] = definition
            if ctx.node_text(name) == "main":
                entry.append(definition)
        elif _is_main_guard(ctx, node):
            entry.append(node)
    if not entry:
        return frozenset()
    reached: set[str] = set()
    pending = [called for node in entry for called in _names_in(ctx, node) if called in functions]
    while pending:
        called = pending.pop()
        if called in reached:
            continue
        reached.add(called)
        pending.extend(n for n in _names_in(ctx, functions[called]) if n in functions)
    return frozenset(reached)


def top_level_function(ctx: CheckContext, node: ts.Node) -> str:
    """Name of the module-level function holding ``node`` ('' at module level)."""
    current, name = node.parent, ""
    while current is not None:
        if current.type == "function_definition" and current.parent is not None:
            parent = current.parent
            if parent.type == "module" or (
                parent.type == "decorated_definition"
                and parent.parent is not None
                and parent.parent.type == "module"
            ):
                found = current.child_by_field_name("name")
                name = ctx.node_text(found) if found is not None else ""
        current = current.parent
    return name
