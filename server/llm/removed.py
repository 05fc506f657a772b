"""Where a change unit's removed lines sit in its new version.

A dropped check is often a pure deletion: the unit keeps its name but gains no line. The
model is shown the removed lines and may quote them; such a finding is anchored on the
nearest line that survived the change (the one right after the removed block, where the
check used to run, else the one right before). The old and new sources of the unit are
aligned line by line (:mod:`difflib`), so this needs nothing but the unit itself.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from tactful.analyzers.model import ChangeUnit


@dataclass(frozen=True)
class RemovalAnchor:
    """The surviving new-file line a removed line is reported on."""

    line: int
    after: bool
    """True when ``line`` follows the removed block (the removed code ran just before it)."""


def removal_anchors(unit: ChangeUnit) -> dict[int, RemovalAnchor]:
    """Each removed non-blank old-file line of ``unit`` -> the new-file line to anchor it on.

    Empty when the unit has no new version (it was deleted), nothing survived, or it lost
    only blank lines.
    """
    if unit.new_span is None or unit.old_span is None or not unit.changed_old_lines:
        return {}
    old_first, new_first = unit.old_span.start_line, unit.new_span.start_line
    old_lines, new_lines = unit.old_source.splitlines(), unit.new_source.splitlines()
    removed = set(unit.changed_old_lines)
    added = set(unit.changed_new_lines)
    kept: list[tuple[int, int]] = []  # (old line, new line) of lines the change left alone
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for block in matcher.get_matching_blocks():
        for offset in range(block.size):
            old_line = old_first + block.a + offset
            new_line = new_first + block.b + offset
            if (
                old_line not in removed
                and new_line not in added
                and new_lines[block.b + offset].strip()
            ):
                kept.append((old_line, new_line))
    if not kept:
        return {}
    anchors: dict[int, RemovalAnchor] = {}
    for line in unit.changed_old_lines:
        index = line - old_first
        if not 0 <= index < len(old_lines) or not old_lines[index].strip():
            continue  # removed blank lines say nothing
        after = next((new for old, new in kept if old > line), None)
        before = next((new for old, new in reversed(kept) if old < line), None)
        if after is not None and (before is None or not _is_closing(new_lines, after - new_first)):
            anchors[line] = RemovalAnchor(after, True)
        elif before is not None:
            anchors[line] = RemovalAnchor(before, False)
    return anchors


def removed_text(unit: ChangeUnit) -> dict[int, str]:
    """The text of each removed old-file line of ``unit``."""
    if unit.old_span is None:
        return {}
    first = unit.old_span.start_line
    lines = unit.old_source.splitlines()
    return {n: lines[n - first] for n in unit.changed_old_lines if 0 <= n - first < len(lines)}


def _is_closing(lines: list[str], index: int) -> bool:
    """A line that only closes a block (``}``, ``end``): a poor place for a comment."""
    return lines[index].strip() in {"}", "};", "end", ")", "]", "});", "})", "fi", "done"}
