"""Inline suppression comments: ``tactful: ignore[rule-id]`` on the flagged line or the one above.

The marker sits in a comment of the file's own syntax (``#`` for Python and Ruby, ``//`` or
``/* */`` for the C family, Go, Rust, Java, C#, JavaScript and TypeScript, any of these for
PHP); in a file of unknown language any of ``#``, ``//``, ``/*``, ``--`` and ``;`` opens it.
A trailing comment covers its own line; a line holding only the comment covers the next
line too (a trailing comment on the line above belongs to that line's code, not this one).

``tactful: ignore[a, b]`` names rule ids or globs (``generic.*``); a bare
``tactful: ignore`` covers every rule. A marker inside a string literal is also read as
one: the scan is by line, without a parse, so it works on hunk-level files too.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Mapping
from types import MappingProxyType

from tactful.analyzers.languages import LANGUAGES
from tactful.analyzers.model import Finding

HASH = ("#",)
SLASHES = ("//", "/*")
COMMENT_STARTS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "python": HASH,
        "ruby": HASH,
        "php": (*HASH, *SLASHES),
        **{lang: SLASHES for lang in LANGUAGES if lang not in ("python", "ruby", "php")},
    }
)
ANY_COMMENT = ("#", "//", "/*", "--", ";")

_MARKER = re.compile(r"tactful:\s*ignore(?:\[([^\]]*)\])?")

# line number (1-based) -> the rule patterns it suppresses; () means every rule
Suppressions = Mapping[int, tuple[str, ...]]


def suppressions(text: str, language: str | None) -> Suppressions:
    """Which lines of ``text`` are covered by a suppression comment, and for which rules."""
    if "tactful:" not in text:  # the common case costs one substring search
        return {}
    starts = COMMENT_STARTS.get(language or "", ANY_COMMENT)
    covered: dict[int, tuple[str, ...]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        rules = _marker_in_comment(line, starts)
        if rules is None:
            continue
        _cover(covered, number, rules)
        if line.lstrip().startswith(starts):  # a comment-only line also covers the next one
            _cover(covered, number + 1, rules)
    return covered


def _cover(covered: dict[int, tuple[str, ...]], number: int, rules: tuple[str, ...]) -> None:
    before = covered.get(number)
    # () covers every rule, so it absorbs any list it meets
    covered[number] = () if before == () or not rules else (*(before or ()), *rules)


def _marker_in_comment(line: str, starts: tuple[str, ...]) -> tuple[str, ...] | None:
    """The rules a marker in a comment on ``line`` names (() for all), or None without one."""
    match = _MARKER.search(line)
    if match is None:
        return None
    opening = min((i for s in starts if (i := line.find(s)) != -1), default=-1)
    if opening == -1 or opening > match.start():
        return None
    names = match.group(1)
    if names is None:
        return ()
    return tuple(name.strip() for name in names.split(",") if name.strip())


def is_suppressed(finding: Finding, covered: Suppressions) -> bool:
    """Whether a suppression comment covers ``finding``'s first line for its rule."""
    rules = covered.get(finding.span.start_line)
    if rules is None:
        return False
    return not rules or any(fnmatch.fnmatchcase(finding.rule, pattern) for pattern in rules)
