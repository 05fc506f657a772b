"""Releases the change removed: a deleted close/unlock, or an added early exit that skips one.

Reads the old side of each hunk: a release line the change deleted (``f.close()``,
``defer rows.Close()``, ``mu.Unlock()``, ``free(buf)``, ``flock($f, LOCK_UN)``,
``$rc = pclose($p)``) while the function still holds the handle (or, for a field such as
``self.conn``, still works with its owner) and no longer releases it; a release moved out of
a ``finally``/``ensure`` block onto the success path only, so an error now skips it; and an
added early exit between acquiring a handle and its release further down.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks import guard_lang as g
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.leaks import (
    ACQUIRES,
    FUNCTIONS,
    LANGUAGES,
    RELEASE_FUNCTIONS,
    RELEASE_METHODS,
    function_of,
)
from tactful.analyzers.model import Severity, Span

RELEASE_LINE = re.compile(
    r"^\s{0,40}(?:defer\s{1,4})?"
    # the release's result kept: `$result = pclose($mail);`, `err = f.Close()`
    r"(?:(?:final\s{1,4}|var\s{1,4}|int\s{1,4})?\$?[A-Za-z_][\w.$>\[\]-]{0,60}\s{0,4}:?=\s{0,4})?(?:"
    r"(?P<obj>\$?[A-Za-z_](?:[\w.]|->|\[[\w.$]{1,40}\]){0,80}?)(?:\.|->)"
    r"(?P<method>close|Close|closeSync|Dispose|release|Unlock|RUnlock|unlock)\(\)"
    # fclose(f), free(p), ini_free(line), hooks.deallocate(p.buffer), xml_memory::deallocate(contents)
    r"|(?P<fn>(?:[A-Za-z_]\w{0,40}(?:\.|::|->)){0,3}(?:\w{0,30}_)?"
    r"(?:fclose|pclose|closedir|close|closesocket|curl_close|free|deallocate|dealloc)"
    r"(?:Quietly|_quietly|Silently)?)"
    r"\(\s{0,4}(?P<arg>\$?[A-Za-z_]\w{0,60}(?:(?:\.|->)[A-Za-z_]\w{0,60}){0,2})\s{0,4}\)"
    r"|flock\(\s{0,4}(?P<locked>\$?[A-Za-z_]\w{0,60})\s{0,4},\s{0,4}LOCK_UN\s{0,4}\)"
    # a deferred closing helper taking the handle last: `defer deferredClose(&err, file)`
    r"|(?<=defer )[A-Za-z_][\w.]{0,40}(?:close|Close)\w{0,20}\([^()]{0,80}?,\s{0,4}(?P<deferred>[A-Za-z_]\w{0,60})\s{0,4}\)"
    r")\s{0,4};?\s{0,4}$"
)


def _removed_releases(ctx: CheckContext) -> Iterator[tuple[int, str, str, int]]:
    """(new line where the removed release stood, released name, the removed line, its old line)."""
    for hunk in ctx.file.hunks:
        new_line = hunk.new_start - 1
        old_line = hunk.old_start - 1
        for raw in hunk.lines:
            tag, body = raw[:1], raw[1:]
            if tag in (" ", "-"):
                old_line += 1
            if tag in (" ", "+"):
                new_line += 1
            elif tag == "-":
                match = RELEASE_LINE.match(body)
                if match:
                    name = (
                        match.group("obj")
                        or match.group("arg")
                        or match.group("locked")
                        or match.group("deferred")
                        or ""
                    )
                    yield max(new_line + 1, hunk.new_start), name, body.strip(), old_line


def find_removed_release(ctx: CheckContext) -> Iterator[Hit]:
    yield from _exits_skipping_release(ctx)
    if ctx.tree is None or ctx.old_text is None or not ctx.file.removed_lines:
        return
    for anchor, name, removed, old_line in _removed_releases(ctx):
        anchor = min(anchor, len(ctx.lines))
        text = ctx.line(anchor)
        column = len(text) - len(text.lstrip())
        node = ctx.tree.root_node.descendant_for_point_range(
            (anchor - 1, column), (anchor - 1, column)
        )
        function = function_of(node) if node is not None else None
        if function is None:
            continue
        body = ctx.node_text(function)
        handle = name.lstrip("$")
        # A field (`l.cn.c`, `self.stack[i]`) outlives the call: the function still using its owner is enough.
        owner = re.split(r"\.|->|\[", handle, maxsplit=1)[0]
        if not re.search(rf"(?<![\w.]){re.escape(owner)}(?!\w)", body):
            continue  # the handle itself is gone too
        compact = removed.replace(" ", "")
        if any(compact in ctx.line(n).replace(" ", "") for n in ctx.added):
            continue  # moved, not removed
        if compact in body.replace(" ", ""):
            if _exit_branch_deleted(ctx, old_line):
                continue  # the early-exit path that released it is gone with its condition
            # Still released on another path (an error branch): this path now leaks.
            yield Hit(
                Span(anchor, column, anchor, len(text.rstrip())),
                f"The change deletes `{removed}` from this path while the function still holds "
                f"`{handle}`; only the other paths release it now.",
                removed,
                anchored_on_removal=True,
                confidence=0.5,
            )
            continue
        if _released_anyway(body, handle):
            if _in_cleanup_block(ctx.old_tree, old_line) and not _cleanup_releases(
                ctx, function, handle
            ):
                moved_to = _added_release(ctx, function, handle)
                at = ctx.line(moved_to) if moved_to else text
                line = moved_to or anchor
                yield Hit(
                    Span(line, len(at) - len(at.lstrip()), line, len(at.rstrip())),
                    f"The change moves the release of `{handle}` out of its cleanup block (`{removed}`) "
                    "to the success path, so a failure before this line now leaves it open.",
                    removed,
                    anchored_on_removal=moved_to is None,
                    confidence=0.6,
                )
            continue
        if _added_release_helper(ctx, function, handle):
            continue  # `uv_free_cpu_info(cpu_infos, n)` now frees it (and what it holds)
        yield Hit(
            Span(anchor, column, anchor, len(text.rstrip())),
            f"The change deletes `{removed}` while this function still holds `{handle}`, so it is "
            "never released now.",
            removed,
            anchored_on_removal=True,
        )


_EXIT_WORDS = re.compile(r"\b(?:return|goto|throw|raise|break|continue|panic|abort)\b")


def _exit_branch_deleted(ctx: CheckContext, old_line: int) -> bool:
    """The removed release sat in an early-exit branch (``if (!ok) { ...; close(s); return; }``)
    that the change deleted whole, condition included: no path reaches that exit any more, and
    the paths that remain release the handle themselves."""
    if ctx.old_tree is None:
        return False
    row = old_line - 1
    text = ctx.old_line(old_line)
    column = len(text.encode("utf-8")) - len(text.lstrip().encode("utf-8"))
    node: ts.Node | None = ctx.old_tree.root_node.descendant_for_point_range(
        (row, column), (row, column)
    )
    while node is not None and node.type not in g.IF_TYPES and node.type not in FUNCTIONS:
        node = node.parent
    if node is None or node.type not in g.IF_TYPES:
        return False
    removed = ctx.removed
    rows = range(node.start_point[0] + 1, node.end_point[0] + 2)
    return all(n in removed for n in rows) and bool(_EXIT_WORDS.search(ctx.node_text(node)))


CLEANUP_BLOCKS = frozenset({"finally_clause", "ensure", "defer_statement", "using_statement"})
"""Blocks that run on every way out, error paths included."""


def _in_cleanup_block(tree: ts.Tree | None, line: int) -> bool:
    if tree is None:
        return False
    text_row = line - 1
    node: ts.Node | None = tree.root_node.descendant_for_point_range((text_row, 0), (text_row, 0))
    while node is not None and node.start_point[0] == text_row and node.parent is not None:
        node = node.parent  # from the line's first token up to the statement's block
    while node is not None and node.type not in FUNCTIONS:
        if node.type in CLEANUP_BLOCKS:
            return True
        node = node.parent
    return False


def _released_name(text: str) -> str:
    match = RELEASE_LINE.match(text)
    return (match.group("obj") or match.group("arg") or "").lstrip("$") if match else ""


def _added_release(ctx: CheckContext, function: ts.Node, handle: str) -> int | None:
    """The first added line in ``function`` that releases ``handle``."""
    first, last = function.start_point[0] + 1, function.end_point[0] + 1
    return next(
        (
            n
            for n in range(first, last + 1)
            if ctx.is_added(n) and _released_name(ctx.line(n)) == handle
        ),
        None,
    )


def _cleanup_releases(ctx: CheckContext, function: ts.Node, handle: str) -> bool:
    """The new function still releases ``handle`` in a cleanup block, a ``with`` or a ``using``."""
    first, last = function.start_point[0] + 1, function.end_point[0] + 1
    for line in range(first, last + 1):
        if _released_name(ctx.line(line)) == handle and _in_cleanup_block(ctx.tree, line):
            return True
    return bool(
        re.search(
            rf"\b(?:with|using)\b[^\n]{{0,200}}\b{re.escape(handle)}\b", ctx.node_text(function)
        )
    )


EXIT_LINE = re.compile(r"^\s{0,80}(?:if\s{0,3}\([^;]{0,200}\)\s{0,3})?(?:return|raise|throw)\b")
MANAGED_RELEASE = re.compile(r"\b(?:defer|finally|using|with|ensure)\b")


def _exits_skipping_release(ctx: CheckContext) -> Iterator[Hit]:
    """An added early exit between acquiring a handle and the release further down, which it skips."""
    if ctx.tree is None:
        return
    names = ACQUIRES.get(ctx.language or "", frozenset())
    if not names:
        return
    acquire_calls = "|".join(sorted((re.escape(n) for n in names), key=len, reverse=True))
    for line in sorted(ctx.added):
        text = ctx.line(line)
        if not EXIT_LINE.match(text):
            continue
        column = len(text) - len(text.lstrip())
        node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
        function = function_of(node) if node is not None else None
        if function is None or MANAGED_RELEASE.search(ctx.node_text(function)):
            continue
        first, last = function.start_point[0] + 1, function.end_point[0] + 1
        later = [(n, RELEASE_LINE.match(ctx.line(n))) for n in range(line + 1, last + 1)]
        for number, match in later:
            if match is None or ctx.is_added(number):
                continue
            name = (
                match.group("obj")
                or match.group("arg")
                or match.group("locked")
                or match.group("deferred")
                or ""
            )
            escaped = re.escape(name)
            acquired = re.compile(
                rf"(?<![\w.]){escaped}\s{{0,3}}:?=\s{{0,3}}[^;\n]{{0,80}}?(?<![\w.])(?:{acquire_calls})\s{{0,3}}\("
            )
            if not any(acquired.search(ctx.line(n)) for n in range(first, line)):
                continue
            if re.search(rf"(?<![\w.]){escaped}(?!\w)", text) or (
                node is not None and _exit_tests(ctx, node, escaped)
            ):
                continue  # the exit hands the handle on or releases it, or leaves because it failed to open
            yield Hit(
                Span(line, column, line, len(text.rstrip())),
                f"This new early exit leaves before `{match.group(0).strip()}` on line {number}, so `{name}` "
                "is never released on this path; release it before leaving.",
                text.strip(),
                confidence=0.7,
            )
            break


def _exit_tests(ctx: CheckContext, node: ts.Node, escaped: str) -> bool:
    """The condition of the ``if`` around the exit mentions the handle (``if (!f) return -1;``)."""
    current: ts.Node | None = node
    while current is not None and current.type not in FUNCTIONS:
        if current.type in (
            "if_statement",
            "if",
            "unless",
            "if_modifier",
            "unless_modifier",
            "if_expression",
        ):
            condition = current.child_by_field_name("condition")
            text = ctx.node_text(condition if condition is not None else current)
            return re.search(rf"(?<![\w.]){escaped}(?!\w)", text) is not None
        current = current.parent
    return False


_RELEASE_WORD = r"(?:free|Free|close|Close|release|Release|destroy|Destroy|dispose|Dispose|cleanup|Cleanup|unref|Unref|delete|Delete)"


def _added_release_helper(ctx: CheckContext, function: ts.Node, handle: str) -> bool:
    """An added line hands ``handle`` first to a call named for releasing (``free_info(p, n)``):
    the deleted release moved into a helper that releases it together with what it owns."""
    call = re.compile(
        rf"\b\w{{0,40}}{_RELEASE_WORD}\w{{0,40}}\s{{0,2}}\(\s{{0,4}}[&*]?\$?{re.escape(handle)}\b"
    )
    first, last = function.start_point[0] + 1, function.end_point[0] + 1
    return any(ctx.is_added(n) and call.search(ctx.line(n)) for n in range(first, last + 1))


def _released_anyway(body: str, handle: str) -> bool:
    v = re.escape(handle)
    return bool(
        re.search(rf"\b{v}\b[\w.\->]{{0,60}}?(?:\.|->){RELEASE_METHODS}\s{{0,4}}\(", body)
        or re.search(rf"\b{RELEASE_FUNCTIONS}\s{{0,4}}\(\s{{0,4}}\$?{v}\b", body)
        or re.search(
            rf"\b{v}\b[\w.]{{0,60}}\.R?Unlock\(|\b{v}\b[\w.]{{0,60}}\.(?:release|unlock)\(", body
        )
        or re.search(rf"\b(?:with|using)\b[^\n]{{0,200}}\b{v}\b", body)
    )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.removed-release",
            (*LANGUAGES, "rust"),
            Severity.WARNING,
            "correctness",
            "a close/unlock the change deleted, or an added early exit that skips it, while the function "
            "still holds the resource",
            confidence=0.7,
        ),
        find_removed_release,
    ),
)
