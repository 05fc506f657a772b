"""Project habits learned from the code a change did not touch.

A rule about style or process (does a TODO need an issue link?) is only worth a comment
when the project itself works that way. The habits here are tallies over a repository's
existing code; the server gathers the lines (``git grep`` at the base revision) and the
rules read the result. Everything in this module is pure: lines in, frozen data out.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

TODO_MARKER = re.compile(r"\b(TODO|FIXME|XXX|HACK)\b")
TODO_REFERENCE = re.compile(
    r"#\d+|\b[A-Z][A-Z0-9]+-\d+\b|https?://|@[\w-]+|\b(?:TODO|FIXME|XXX|HACK)\s*\(\s*[^)\s]+\s*\)"
    r"|\b(?:issue|bug|ticket|gh)[\s#-]*\d+",
    re.IGNORECASE,
)
"""What makes a TODO trackable: an issue number, a ticket key, a URL, an @owner or ``TODO(name)``."""

MIN_TODOS = 5
"""Existing TODOs needed before the project's habit counts as known; fewer says nothing."""


@dataclass(frozen=True)
class TodoHabit:
    """How the project's existing TODO/FIXME/XXX/HACK comments are written."""

    with_reference: int = 0
    without_reference: int = 0

    @property
    def total(self) -> int:
        return self.with_reference + self.without_reference

    @property
    def known(self) -> bool:
        return self.total >= MIN_TODOS

    @property
    def expects_reference(self) -> bool:
        """True when the project links most of its TODOs (so an unlinked one breaks its habit)."""
        return self.known and self.with_reference >= self.without_reference

    def __add__(self, other: TodoHabit) -> TodoHabit:
        return TodoHabit(
            self.with_reference + other.with_reference,
            self.without_reference + other.without_reference,
        )


@dataclass(frozen=True)
class ProjectHabits:
    """Everything learned about one repository; ``None`` fields were not measured."""

    todos: TodoHabit | None = None


def tally_todos(lines: Iterable[str]) -> TodoHabit:
    """Count the lines holding a TODO marker, with and without a reference."""
    with_reference = without_reference = 0
    for line in lines:
        if not TODO_MARKER.search(line):
            continue
        if TODO_REFERENCE.search(line):
            with_reference += 1
        else:
            without_reference += 1
    return TodoHabit(with_reference, without_reference)


def adds_todo(text: str, lines: Iterable[int]) -> bool:
    """Whether any of ``lines`` (1-based) of ``text`` holds a TODO marker: only then does a
    review need the project's TODO habit."""
    numbered = text.split("\n")
    return any(
        0 < n <= len(numbered) and TODO_MARKER.search(numbered[n - 1]) is not None for n in lines
    )
