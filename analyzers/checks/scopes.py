"""A managed scope the change removed while keeping what it managed.

``with``/``using``/try-with-resources release what they hold on every way out (a file, a
reader, a transaction, a lock). When the change deletes the scope's header but keeps its
resource (``using (var r = new Reader(s))`` becomes ``var r = new Reader(s);``) or keeps its
body running (``with self.db.conn:`` deleted and the block dedented), nothing closes,
commits, rolls back or unlocks it any more. Silent when the function releases the handle
itself or hands it on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.leaks import function_of, hands_on_or_releases
from tactful.analyzers.model import Severity, Span

LANGUAGES = ("python", "csharp", "java")
_HEADERS = {
    # (the resource's name or None, the managed expression)
    "python": re.compile(
        r"^\s{0,80}(?:async\s{1,4})?with\s{1,4}(?P<expr>[^\n]{1,200}?)(?:\s{1,4}as\s{1,4}(?P<name>\w{1,60}))?\s{0,4}:\s{0,4}$"
    ),
    "csharp": re.compile(
        r"^\s{0,80}(?:await\s{1,4})?using\s{0,4}\(\s{0,4}(?:[\w<>.,\[\]?]{1,80}\s{1,4})(?P<name>\w{1,60})\s{0,4}=\s{0,4}(?P<expr>[^\n]{1,200})\)\s{0,4}\{?\s{0,4}$"
    ),
    "java": re.compile(
        r"^\s{0,80}try\s{0,4}\(\s{0,4}(?:final\s{1,4})?(?:[\w<>.,\[\]?]{1,80}\s{1,4})(?P<name>\w{1,60})\s{0,4}=\s{0,4}(?P<expr>[^;\n]{1,200}?)\s{0,4}\)\s{0,4}\{?\s{0,4}$"
    ),
}
_HELD_OBJECT = re.compile(r"^[A-Za-z_]\w{0,60}(?:\.[A-Za-z_]\w{0,60}){0,4}$")
"""A connection, lock or handle the code already holds (``self.db.conn``, ``lock``): entering it
is what commits, rolls back or unlocks; a call (``self.assertRaises(E)``) sets up something else."""
_BINDING = r"^\s{{0,80}}(?:final\s{{1,4}})?(?:[\w<>.,\[\]?]{{1,80}}\s{{1,4}})?{name}\s{{0,4}}=\s{{0,4}}{expr}\s{{0,4}};?\s{{0,4}}$"


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def find_removed_scope(ctx: CheckContext) -> Iterator[Hit]:
    pattern = _HEADERS.get(ctx.language or "")
    if pattern is None or ctx.tree is None or ctx.old_text is None or not ctx.added:
        return
    added = {_compact(ctx.line(n)): n for n in sorted(ctx.added, reverse=True)}  # first wins
    for old_line in sorted(ctx.removed):
        header = ctx.old_line(old_line)
        match = pattern.match(header)
        if match is None:
            continue
        expr, name = match["expr"].strip(), match["name"]
        if any(
            pattern.match(ctx.line(n)) and _compact(expr) in _compact(ctx.line(n))
            for n in ctx.added
        ):
            continue  # the scope is still there, re-indented or rewritten (`with lock, timer():`)
        if name:
            binding = re.compile(_BINDING.format(name=re.escape(name), expr=re.escape(expr)))
            line = next((n for n in sorted(ctx.added) if binding.match(ctx.line(n))), None)
            what = f"`{name}`"
        elif _HELD_OBJECT.match(expr):  # `with self.db.conn:` / `with lock:` deleted, its body kept
            line = _kept_body_line(ctx, old_line, added)
            what = f"the block that ran under `{expr}`"
        else:
            continue  # `with self.assertRaises(E):`, `with patch(...)`: a call's context, not a held resource
        if line is None:
            continue
        text = ctx.line(line)
        column = len(text) - len(text.lstrip())
        node = ctx.tree.root_node.descendant_for_point_range((line - 1, column), (line - 1, column))
        function = function_of(node) if node is not None else None
        if function is None:
            continue
        after = "\n".join(ctx.line(n) for n in range(line + 1, function.end_point[0] + 2))
        if name and hands_on_or_releases(after, name, ctx.language or ""):
            continue  # released by hand, or returned/stored: the caller owns it now
        keyword = header.strip().split("(")[0].split()[0]
        yield Hit(
            Span(line, column, line, len(text.rstrip())),
            f"The change removes the `{keyword}` around {what}, so nothing releases it any more "
            f"(`{header.strip()[:80]}` closed, committed or unlocked it on every way out).",
            text.strip(),
            anchored_on_removal=not name,  # a dedented body is moved code; the news is the removal
            confidence=0.6,
        )


_NO_OP = frozenset({"pass", "...", "continue", "break", "return", ";"})


def _kept_body_line(ctx: CheckContext, old_line: int, added: dict[str, int]) -> int | None:
    """The first added line that repeats a statement of the deleted block's body."""
    indent = len(ctx.old_line(old_line)) - len(ctx.old_line(old_line).lstrip())
    last = (ctx.old_text or "").count("\n") + 1
    number = old_line + 1
    while number <= last:
        text = ctx.old_line(number)
        if text.strip() and len(text) - len(text.lstrip()) <= indent:
            break
        key = _compact(text)
        if key in _NO_OP:
            number += 1
            continue  # `with ctx: pass` ran nothing under the scope: keeping `pass` keeps nothing
        if key and not key.startswith("#") and key in added:
            return added[key]
        number += 1
    return None


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.removed-scope",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a with/using/try-with-resources removed while the resource or the block it managed stays",
            confidence=0.6,
        ),
        find_removed_scope,
    ),
)
