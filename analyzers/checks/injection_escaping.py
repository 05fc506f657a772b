"""Removed escaping: a hunk drops an escaping or vetting call on a value its new lines still use raw."""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import (
    CheckContext,
    Hit,
    nodes_of,
)
from tactful.analyzers.checks.injection_text import _arguments, _text
from tactful.analyzers.checks.injection_words import CALL_TYPES, LANGUAGES, NUMBERS, STRING_TYPES
from tactful.analyzers.model import Span

SANITISER_CALLS = CALL_TYPES | {"scoped_call_expression", "macro_invocation"}
NAME_WORDS = re.compile(r"[A-Z]{2,30}(?![a-z])|[A-Z]?[a-z]{1,40}|\d{1,10}")
LITERAL_ARGUMENTS = (
    STRING_TYPES | NUMBERS | {"true", "false", "null", "nil", "none", "None", "boolean"}
)
SANITISER_LANGUAGES = (*LANGUAGES, "c", "cpp", "rust")


def _call_name(node: ts.Node) -> str:
    """Last name of what ``node`` calls (``QuoteIdentifier``, ``escapeshellcmd``, ``isShellSafe``)."""
    for field_name in ("name", "method", "function", "macro", "type"):
        target = node.child_by_field_name(field_name)
        if target is not None:
            return re.split(r"\.|->|::", _text(target))[-1].strip()
    return ""


def is_sanitiser(name: str) -> bool:
    """Names that escape, quote or vet text for a query or a shell (``escapeStringQuotes``,
    ``QuoteIdentifier``, ``shlex.quote``, ``isShellSafe``), not their inverses."""
    words = [w.lower() for w in NAME_WORDS.findall(name)]
    if not words or words[0] in (
        "un",
        "de",
        "get",
        "has",
        "is_not",
        "strip",
        "remove",
        "parse",
        "count",
    ):
        return bool(words) and words[0] == "is" and words[-1] == "safe"
    if words[0] == "is" and words[-1] == "safe":
        return True
    return any(
        w.startswith(("escape", "quote", "sanitiz", "sanitis")) and not w.startswith("quoted")
        for w in words
    )


def _escaped_value(call: ts.Node) -> str:
    """The value a sanitiser call escapes: its last argument that is a name, not a literal."""
    args, _ = _arguments(call)
    names = [
        a
        for a in args
        if a.type not in LITERAL_ARGUMENTS and "(" not in _text(a) and len(_text(a)) <= 60
    ]
    return _text(names[-1]).strip() if names else ""


def _uses(text: str, value: str) -> re.Match[str] | None:
    return re.search(r"(?<![\w$>.])" + re.escape(value) + r"(?![\w(])", text)


def find_removed_escaping(ctx: CheckContext) -> Iterator[Hit]:
    """A hunk drops an escaping or vetting call on a value that its new lines still use raw."""
    old_tree = ctx.old_tree
    if ctx.tree is None or old_tree is None or ctx.is_test_file:
        return
    for hunk in ctx.file.hunks:
        if not hunk.removed or not hunk.added:
            continue
        dropped: dict[str, str] = {}
        for row in sorted(hunk.removed):
            for call in nodes_of(old_tree.root_node, SANITISER_CALLS, (row - 1, row - 1)):
                if call.start_point[0] != row - 1 or not is_sanitiser(name := _call_name(call)):
                    continue
                value = _escaped_value(call)
                if value and not value.isupper():
                    dropped.setdefault(value, name)
        if not dropped:
            continue
        kept = {
            _escaped_value(call)
            for call in nodes_of(
                ctx.tree.root_node,
                SANITISER_CALLS,
                (hunk.new_start - 1, hunk.new_start + hunk.new_count),
            )
            if is_sanitiser(_call_name(call))
        }
        for value, name in dropped.items():
            if value in kept:
                continue  # still escaped in this hunk, by the same or another call
            for number in hunk.added:
                line = ctx.line(number)
                found = _uses(line, value)
                if found is None or any(
                    is_sanitiser(w) for w in re.findall(r"\w{3,60}(?=\s{0,2}\()", line)
                ):
                    continue
                start, end = ctx.col((number - 1, len(line[: found.start()].encode("utf-8")))), None
                end = start + len(value)
                yield Hit(
                    Span(number, start, number, end),
                    f"The old code passed `{value}` through `{name}` before using it; this change uses it "
                    "as it is, so quotes or special characters in it now reach the query, command or page unescaped.",
                    f"{name}({value})",
                    confidence=0.6,
                )
                break
