"""Behaviour silently dropped: the change deletes the file's last setting of an option.

An options table built in code (``$conf[CURLOPT_INFILESIZE] = $size``,
``curl_setopt($ch, CURLOPT_TIMEOUT, $timeout)``, ``opts[O_NONBLOCK] = ...``) passes a
known value on to a library. When the change deletes the only place that sets one option
while the file still builds the same table (other options still set on it) and the value
the option carried is still at hand in the new code, the library no longer hears about it:
the usual cause is a refactor that rewrote the block around it. Deliberate removals happen
too, so the rule asks rather than asserts, at a low confidence.

Only ALL_CAPS constant keys count (``CURLOPT_X``, ``PDO::ATTR_TIMEOUT``): string keys and
plain names are data, not options, and their churn is ordinary.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.checks.guard_lang import COMMENT_LINE, LANGUAGES
from tactful.analyzers.linemap import line_maps
from tactful.analyzers.model import Location, Severity, Span

_KEY = r"(?:[A-Za-z_]\w{0,40}(?:::|\\|\.))?[A-Z][A-Z0-9]{1,20}_[A-Z0-9_]{2,60}"
_VALUE = r"\(?\s{0,2}(?:\(\w{1,12}\)\s{0,2})?(?P<value>[$@]?[A-Za-z_]\w{0,60}(?:(?:\.|->)\w{1,60}){0,2})\s{0,2}\)?"
_WRITES = (
    re.compile(
        rf"^\s*(?P<table>[$@]?[A-Za-z_][\w.>\-]{{0,80}}?)\s{{0,2}}\[\s{{0,2}}(?P<key>{_KEY})\s{{0,2}}\]"
        rf"\s{{0,2}}=(?!=)\s{{0,2}}{_VALUE}\s{{0,2}};?\s*$"
    ),
    re.compile(
        rf"^\s*(?P<table>\w{{0,40}}set_?opt\w{{0,20}})\s{{0,2}}\(\s{{0,2}}[^,()]{{1,80}},\s{{0,2}}(?P<key>{_KEY})\s{{0,2}},"
        rf"\s{{0,2}}{_VALUE}\s{{0,2}}\)\s{{0,2}};?\s*$",
        re.IGNORECASE,
    ),
)
"""``table[KEY] = value`` and ``xxx_setopt(handle, KEY, value)``."""


def find_dropped_options(ctx: CheckContext) -> Iterator[Hit]:
    if ctx.old_text is None or ctx.is_test_file:
        return
    removed = ctx.removed
    if not removed:
        return
    writes = [
        (old_line, text, match)
        for old_line in sorted(removed)
        if (match := _write(text := ctx.old_line(old_line))) is not None
    ]
    if not writes:
        return  # the usual edit: the whole new file need not be joined
    new_text = "\n".join(line for line in ctx.lines if not COMMENT_LINE.match(line))
    to_new, _ = line_maps(ctx.file.hunks)
    reported: set[str] = set()
    for old_line, text, match in writes:
        if match["key"] in reported:
            continue
        key, table, value = match["key"], match["table"], match["value"]
        if _mentions(new_text, key) or not _still_builds(new_text, table, key):
            continue  # still set somewhere in the file, or the whole table went away
        if value.isupper() or not _mentions(new_text, value):
            continue  # a constant, or a value the new code no longer has: nothing known is lost
        reported.add(key)
        line = min(to_new(old_line), max(len(ctx.lines), 1))
        yield Hit(
            span=Span.lines(line, line),
            message=(
                f"This change deletes the only place that set `{key}` (`{text.strip()}`), while "
                f"`{value}` is still computed here and `{table}` still gets other options: the "
                f"library no longer receives that value. If dropping it is intended, say so."
            ),
            code=text.strip(),
            anchored_on_removal=True,
            related=(
                Location(ctx.path, Span.lines(line, line), f"old line {old_line}: {text.strip()}"),
            ),
        )


def _write(text: str) -> re.Match[str] | None:
    return next((m for pattern in _WRITES if (m := pattern.match(text))), None)


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w$]){re.escape(name)}(?![\w$])", text) is not None


def _still_builds(text: str, table: str, key: str) -> bool:
    """The new file still sets other constant options on the same table (or through the same
    setter): the options are still assembled here, this one is just gone."""
    escaped = re.escape(table)
    if "setopt" in table.lower():
        pattern = rf"(?<![\w$]){escaped}\s{{0,2}}\([^,()]{{1,80}},\s{{0,2}}{_KEY}\s{{0,2}},"
    else:
        pattern = rf"(?<![\w$]){escaped}\s{{0,2}}\[\s{{0,2}}{_KEY}\s{{0,2}}\]\s{{0,2}}=(?!=)"
    return re.search(pattern, text, re.IGNORECASE if "setopt" in table.lower() else 0) is not None


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.dropped-option",
            LANGUAGES,
            Severity.WARNING,
            "correctness",
            "the change deletes the file's only setting of an option constant while the value it passed is still computed",
            confidence=0.4,
        ),
        find_dropped_options,
    ),
)
