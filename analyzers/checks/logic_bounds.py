"""Off-by-one: a loop that runs its index up to a collection's length (inclusive) while the
body indexes that collection with it, and a read at index ``len(x)``.

Both read one element past the end: ``for (i = 0; i <= a.length; i++) a[i]``,
``for i in range(len(a) + 1): a[i]``, ``0..=v.len()``, ``(0..list.size).each { |i| list[i] }``,
``a[len(a)]``, ``list.get(list.size())``. The loop is silent when its body compares the
index before that read (it handles the last step itself) or indexes with an offset
(``a[i - 1]``). An append written as an assignment (``a[a.length] = v``) is not a read. In C
and C++ a string's length is a legal index (the terminator): loops bounded by ``strlen(s)``,
``s.size()`` or ``s.length()`` and index reads at the length are left alone there.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import tree_sitter as ts
from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.logic_lines import LANGUAGES, node_at
from tactful.analyzers.model import Severity, Span

_NAME = r"[$@]{0,2}[A-Za-z_][\w$]{0,60}(?:(?:\.|->)[A-Za-z_]\w{0,60}){0,3}"
# The length of collection `c`, in the spellings of the eleven grammars.
_LENGTH = (
    rf"(?:len\(\s*(?P<c1>{_NAME})\s*\)|(?P<c2>{_NAME})\s*\.\s*(?:length|size|Length|Count|len)\b(?:\s*\(\s*\))?"
    rf"|count\(\s*(?P<c3>{_NAME})\s*\))"
)
_LOOP_HEADERS = (
    # for (i = 0; i <= a.length; i++) / for i := 0; i <= len(a); i++ / while (i <= n.size())
    re.compile(
        rf"^\s*(?:for\b[^;]{{0,120}};|while\b)\s*\(?\s*(?P<i>[$]?[A-Za-z_]\w{{0,30}})\s*<=\s*{_LENGTH}\s*[;)]"
    ),
    # for i in range(len(a) + 1) / range(0, len(a) + 1)
    re.compile(
        rf"^\s*for\s+(?P<i>[A-Za-z_]\w{{0,30}})\s+in\s+range\(\s*(?:0\s*,\s*)?{_LENGTH}\s*\+\s*1\s*\)\s*:"
    ),
    # for i in 0..=v.len() (Rust) / (0..a.length).each do |i| (Ruby: two dots include the end)
    re.compile(
        rf"^\s*for\s+(?P<i>[A-Za-z_]\w{{0,30}})\s+in\s+\(?0\s*\.\.=\s*{_LENGTH}\s*\)?\s*\{{"
    ),
    re.compile(
        rf"^\s*\(\s*0\s*\.\.\s*{_LENGTH}\s*\)\s*\.each(?:_with_index)?\s*(?:do|\{{)\s*\|\s*(?P<i>[a-z_]\w{{0,30}})\s*\|"
    ),
)
_INDEX_AT_LENGTH = {
    "python": re.compile(r"(?P<c>[A-Za-z_][\w.]{0,80})\[\s*len\(\s*(?P=c)\s*\)\s*\]"),
    "go": re.compile(r"(?P<c>[A-Za-z_][\w.]{0,80})\[\s*len\(\s*(?P=c)\s*\)\s*\]"),
    "javascript": re.compile(r"(?P<c>[A-Za-z_$][\w.$]{0,80})\[\s*(?P=c)\.length\s*\]"),
    "java": re.compile(
        r"(?P<c>[A-Za-z_][\w.]{0,80})(?:\[\s*(?P=c)\.length\s*\]|\.get\(\s*(?P=c)\.size\(\)\s*\)|\.charAt\(\s*(?P=c)\.length\(\)\s*\))"
    ),
    "csharp": re.compile(r"(?P<c>[A-Za-z_][\w.]{0,80})\[\s*(?P=c)\.(?:Length|Count)\s*\]"),
    "rust": re.compile(r"(?P<c>[A-Za-z_][\w.]{0,80})\[\s*(?P=c)\.len\(\)\s*\]"),
    "php": re.compile(r"(?P<c>\$[A-Za-z_][\w]{0,80})\[\s*count\(\s*(?P=c)\s*\)\s*\]"),
}
_INDEX_AT_LENGTH["typescript"] = _INDEX_AT_LENGTH["tsx"] = _INDEX_AT_LENGTH["javascript"]
_ASSIGNED = re.compile(r"^\s*(?:=(?!=)|\|\|=|\?\?=)")


def find_loop_past_end(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.tree is None or ctx.is_test_file:
        return
    for number in sorted(ctx.added):
        text = ctx.line(number)
        for header in _LOOP_HEADERS:
            match = header.search(text)
            if match is None:
                continue
            collection = next(match.group(g) for g in ("c1", "c2", "c3") if match.group(g))
            if (
                match.group("c2")
                and ctx.language in ("c", "cpp")
                and "(" in text[match.end("c2") : match.end()]
            ):
                continue  # a C++ string's `s[s.size()]` is its terminator, a legal read
            index = match.group("i")
            body = _loop_text(ctx, number, text)
            read = None if body is None else _first_index(body, collection, index)
            if body is None or read is None or _compares_before(body, index, read):
                continue
            yield Hit(
                Span(number, match.start("i"), number, match.end()),
                (
                    f"This loop runs `{index}` up to the length of `{collection}` inclusive, and its body "
                    f"reads `{collection}[{index}]`: the last pass reads one element past the end."
                ),
                text.strip(),
                confidence=0.8,
            )
            break
        pattern = _INDEX_AT_LENGTH.get(ctx.language or "")
        if pattern is None:
            continue
        for match in pattern.finditer(text):
            if _ASSIGNED.match(text[match.end() :]):
                continue  # `a[a.length] = v` appends
            yield Hit(
                Span(number, match.start(), number, match.end()),
                (
                    f"`{match.group(0)}` reads the element at index {match.group('c')}'s length, "
                    "one past the last one."
                ),
                text.strip(),
                confidence=0.8,
            )
            break


def _loop_text(ctx: CheckContext, number: int, text: str) -> str | None:
    """The loop's whole text, from the tree (None when no loop starts on the line)."""
    assert ctx.tree is not None
    node: ts.Node | None = node_at(ctx.tree, number, text)
    while node is not None and node.start_point[0] == number - 1:
        loop = "for" in node.type or "while" in node.type or node.type in ("call", "method_call")
        if loop and (node.end_point[0] > node.start_point[0] or "{" in ctx.node_text(node)):
            return ctx.node_text(node)
        node = node.parent
    return None


def _first_index(body: str, collection: str, index: str) -> int | None:
    """Offset of the body's first ``collection[index]`` read (None without one)."""
    c, i = re.escape(collection), re.escape(index)
    match = re.search(rf"(?<![\w$.]){c}\s*(?:\[\s*{i}\s*\]|\.(?:get|charAt|at)\(\s*{i}\s*\))", body)
    return None if match is None else match.start()


def _compares_before(body: str, index: str, end: int) -> bool:
    """The body tests the index (`if i == n`, `i < len(a)`) before its first read: it handles
    the last step itself. A test after the read comes too late to protect it."""
    i = re.escape(index)
    header_end = body.find("\n")
    if header_end < 0 or header_end >= end:
        return False  # past the header, whose test is the bound itself
    return bool(
        re.search(
            rf"(?<![\w$]){i}\s*(?:[<>]=?|[!=]==?)|(?:[<>]=?|[!=]==?)\s*{i}(?![\w$])",
            body[header_end:end],
        )
    )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.loop-past-end",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "a loop runs its index up to a collection's length inclusive (or a read at index len): one element past the end",
            confidence=0.8,
        ),
        find_loop_past_end,
    ),
)
