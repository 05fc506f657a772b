"""Error-path leaks in C and C++: a new failure return that leaves a heap allocation behind.

A changed function allocates (``malloc``, ``calloc``, ``strdup``, ``hooks->allocate``...) into
a local or a field of a local (``p.buffer``), and the function owns what it allocated: another
of its paths frees it or returns it. The change adds a failure return (``return NULL``,
``return -1``, ``return false``, ``return -ENOMEM``, ``return error``) after the allocation, inside an ``if``
that does not test the allocation itself, and nothing between the allocation and that return
frees it or hands it to another owner. That return leaks the memory on every failure: the
classic error-path leak that the change's own success path shows it knows how to avoid.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo, nodes_of
from tactful.analyzers.model import Location, Severity, Span

LANGUAGES = ("c", "cpp")
ALLOCATOR = re.compile(r"(?i)(?:malloc|calloc|alloc|allocate|strdup|strndup)$")
"""The last part of an allocating callee: ``malloc``, ``xcalloc``, ``global_hooks.allocate``."""
FAILURE_VALUE = re.compile(
    r"^(?:NULL|nullptr|false|FALSE|-\s{0,2}\d{1,6}|-\s{0,2}E[A-Z]{2,20}|(?i:err\w{0,20}|error\w{0,20}|rc|status))$"
)
"""What a failure return returns (an error code held in ``err``/``error``/``rc`` included);
``0`` is success in too many C APIs to count."""
FREEING = r"\b\w{0,40}(?i:free|release|destroy|deallocate|dealloc|cleanup|unref)\w{0,20}\s{0,4}\(\s{0,4}\(?\s{0,4}(?:\([\w\s*]{1,40}\)\s{0,4})?&?\s{0,2}"
"""A call that releases its first argument (``free(x)``, ``hooks->deallocate((void*)x)``)."""
FUNCTIONS = frozenset({"function_definition"})


def _unwrap(node: ts.Node) -> ts.Node:
    """The call inside casts and parentheses: ``(unsigned char*)malloc(n)`` -> ``malloc(n)``."""
    while node.type in ("cast_expression", "parenthesized_expression"):
        inner = node.child_by_field_name("value") or (
            node.named_children[-1] if node.named_children else None
        )
        if inner is None:
            break
        node = inner
    return node


def _allocations(ctx: CheckContext, function: ts.Node) -> Iterator[tuple[str, ts.Node, str]]:
    """(name, statement, callee) for each ``name = alloc(...)`` or ``T *name = alloc(...)``."""
    for node in nodes_of(function, frozenset({"assignment_expression", "init_declarator"})):
        target = node.child_by_field_name("left") or node.child_by_field_name("declarator")
        value = node.child_by_field_name("right") or node.child_by_field_name("value")
        if target is None or value is None:
            continue
        call = _unwrap(value)
        if (
            call.type != "call_expression"
            or (callee := call.child_by_field_name("function")) is None
        ):
            continue
        callee_text = ctx.node_text(callee)
        last = re.split(r"\.|->|::", callee_text)[-1]
        if not ALLOCATOR.search(last) or "realloc" in last.lower():
            continue  # realloc keeps the old block on failure: a different mistake
        name = ctx.node_text(target).lstrip("*& ").strip()
        if re.fullmatch(r"[A-Za-z_]\w{0,60}(?:(?:\.|->)[A-Za-z_]\w{0,60}){0,2}", name):
            yield name, node, callee_text


def _failure_returns(ctx: CheckContext, function: ts.Node, after: int) -> Iterator[ts.Node]:
    """Added ``return <failure>`` statements inside an ``if``, starting after byte ``after``."""
    for node in nodes_of(function, frozenset({"return_statement"})):
        if node.start_byte <= after or not ctx.is_added(node.start_point[0] + 1):
            continue
        values = [c for c in node.named_children if "comment" not in c.type]
        if len(values) != 1 or not FAILURE_VALUE.match(" ".join(ctx.node_text(values[0]).split())):
            continue
        yield node


def _enclosing_if(node: ts.Node, function: ts.Node) -> ts.Node | None:
    current = node.parent
    while current is not None and current.id != function.id:
        if current.type == "if_statement":
            return current
        current = current.parent
    return None


def _plain(text: str) -> str:
    return " ".join(text.replace("nullptr", "NULL").split())


def _function_name(function: ts.Node) -> str:
    declarator = function.child_by_field_name("declarator")
    while declarator is not None and declarator.type != "function_declarator":
        declarator = declarator.child_by_field_name("declarator")
    name = declarator.child_by_field_name("declarator") if declarator is not None else None
    return (name.text or b"").decode("utf-8", "replace") if name is not None else ""


def _old_function_text(ctx: CheckContext, function: ts.Node) -> str:
    """The old side of the same function (by name); the whole old file when it is not found."""
    if ctx.old_tree is None:
        return ctx.old_text or ""
    name = _function_name(function)
    for old in nodes_of(ctx.old_tree.root_node, FUNCTIONS):
        if name and _function_name(old) == name:
            return (old.text or b"").decode("utf-8", "replace")
    return ctx.old_text or ""


def _existed(old_function: str, condition: str, ret: str) -> bool:
    """The old function has this ``if`` with the same return in its branch."""
    old, cond, back = _plain(old_function), _plain(condition), _plain(ret)
    start = old.find(cond)
    while start >= 0:
        rest = old[start + len(cond) :]
        branch = (
            rest[: rest.find("}") + 1]
            if rest.lstrip().startswith("{")
            else rest[: rest.find(";") + 1]
        )
        if back in branch:
            return True
        start = old.find(cond, start + 1)
    return False


def _tests_itself(condition: str, v: str) -> bool:
    """``!buf`` / ``buf == NULL`` / ``NULL != buf``: the allocation's own failure check."""
    null = r"(?:NULL|nullptr|0)"
    return bool(
        re.search(
            rf"(?<![\w.>])!\s{{0,2}}{v}\b(?!\s{{0,2}}[(\[.-])"
            rf"|(?<![\w.>]){v}\s{{0,4}}[=!]=\s{{0,4}}{null}\b|\b{null}\s{{0,4}}[=!]=\s{{0,4}}{v}\b"
            rf"|^\(?\s{{0,4}}{v}\s{{0,4}}\)?$",
            condition,
        )
    )


BRANCHES = frozenset(
    {"if_statement", "else_clause", "switch_statement", "case_statement", "conditional_expression"}
)


def _on_the_way(ctx: CheckContext, offset: int, ret: ts.Node, function: ts.Node) -> bool:
    """The release at byte ``offset`` runs on the way to ``ret``: every branch around it also
    holds ``ret`` (a free in another branch, such as a different failure path, does not count)."""
    assert ctx.tree is not None
    node: ts.Node | None = ctx.tree.root_node.descendant_for_byte_range(offset, offset + 1)
    while node is not None and node.id != function.id:
        if node.type in BRANCHES and not (
            node.start_byte <= ret.start_byte and ret.end_byte <= node.end_byte
        ):
            return False
        node = node.parent
    return True


def _function_end(function: ts.Node) -> int:
    """Where the function's text ends. ``#if`` blocks inside an ``else if`` chain can end a C
    function early in the parse; its tail then follows as top-level pieces up to a lone ``}``."""
    if not function.has_error or function.parent is None or function.parent.parent is not None:
        return function.end_byte
    end, sibling = function.end_byte, function.next_named_sibling
    while sibling is not None and sibling.type != "function_definition":
        end = sibling.end_byte
        if sibling.type == "ERROR" and (sibling.text or b"").strip() == b"}":
            break
        sibling = sibling.next_named_sibling
    return end


def find_error_path_leaks(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or not ctx.added or ctx.is_test_file:
        return
    low, high = min(ctx.added) - 1, max(ctx.added) - 1
    for function in nodes_of(ctx.tree.root_node, FUNCTIONS, (low, high)):
        base = function.start_byte
        text = (ctx.tree.root_node.text or b"")[base : _function_end(function)]
        for name, statement, callee in _allocations(ctx, function):
            v = re.escape(name)
            owned = re.compile(
                rf"\breturn\s{{0,4}}(?:\([\w\s*]{{1,40}}\)\s{{0,4}})?\(?\s{{0,2}}{v}\s{{0,2}}\)?\s{{0,4}};"
                rf"|{FREEING}{v}\b"
            )
            # A store into a field, an out-parameter or an array hands it on; a local alias
            # (`start = line;` to scan it) does not.
            released = re.compile(
                rf"{FREEING}{v}\b"
                rf"|(?:(?:->|\.)\w{{1,60}}|\*\s{{0,2}}\w{{1,60}}|\])\s{{0,4}}=\s{{0,4}}(?:\([\w\s*]{{1,40}}\)\s{{0,4}})?{v}\s{{0,4}};"
            )
            if not owned.search(text.decode("utf-8", "replace")):
                continue  # neither freed nor returned here: someone else owns it
            for ret in _failure_returns(ctx, function, statement.end_byte):
                guard = _enclosing_if(ret, function)
                condition = guard.child_by_field_name("condition") if guard is not None else None
                if guard is None or condition is None or _tests_itself(ctx.node_text(condition), v):
                    continue  # the allocation's own failure check, or not an error branch
                if _existed(
                    _old_function_text(ctx, function), ctx.node_text(condition), ctx.node_text(ret)
                ):
                    continue  # the same branch returned the same way before (a NULL -> nullptr edit)
                between = text[statement.end_byte - base : ret.end_byte - base].decode("latin-1")
                if any(
                    _on_the_way(ctx, statement.end_byte + m.start(), ret, function)
                    for m in released.finditer(between)
                ):
                    continue
                # Anchored on the new branch: `return NULL;` alone often matches a removed line
                # elsewhere in the file and would read as moved code.
                end = ctx.span(ret)
                start = ctx.span(guard) if ctx.is_added(guard.start_point[0] + 1) else end
                yield Hit(
                    Span(start.start_line, start.start_col, end.end_line, end.end_col),
                    f"This new failure return leaves `{name}` allocated: it comes from {callee}() on line "
                    f"{statement.start_point[0] + 1} and the function frees or returns it on its other paths, "
                    "so every failure here leaks it; free it before returning.",
                    ctx.node_text(ret),
                    related=(Location(ctx.path, ctx.span(statement), "allocated here"),),
                )
                break


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "c.error-path-leak",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a failure return added after a heap allocation that the function otherwise frees or returns",
            confidence=0.6,
        ),
        find_error_path_leaks,
    ),
)
