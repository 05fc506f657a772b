"""New TODO/FIXME/XXX/HACK comments, judged by the project's own habit.

Whether a TODO needs an issue link is a project convention, so the rule learns it from
the code the change did not touch (:class:`~tactful.analyzers.habits.TodoHabit`): the
repository's existing TODOs when the server measured them, else the old side of this
file. Where most existing TODOs carry no reference, a new unlinked one follows the habit
and stays silent; where most carry one, it breaks the habit and is reported. With too
few TODOs to tell, it is reported at low confidence so the display gate can learn what
this user wants. A comment that admits the code is wrong ("FIXME: fails on ...") is a
known defect being merged and is reported whatever the habit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from tactful.analyzers.checks.base import CheckContext, Hit, Rule, RuleInfo
from tactful.analyzers.habits import TODO_MARKER, TODO_REFERENCE, TodoHabit, tally_todos
from tactful.analyzers.model import Severity, Span

LANGUAGES = (
    "python", "ruby", "javascript", "typescript", "tsx", "go", "java", "c", "cpp", "csharp",
    "rust", "php",
)  # fmt: skip
ADMITS_DEFECT = re.compile(
    r"\b(wrong|broken|breaks|incorrect|buggy|crash(?:es|ing)?|fail(?:s|ing|ed)?|leaks?"
    r"|(?:does ?n[o']t|is ?n[o']t|not) work(?:ing)?)\b",
    re.IGNORECASE,
)
"""Words with which a comment says the code next to it is known to misbehave."""
HEDGED = re.compile(
    r"\b(?:seems?|looks?|maybe|might|may|probably|perhaps|possibly|i think|not sure)\b|\?",
    re.IGNORECASE,
)
"""A doubt ("this seems wrong", "wrong order?") asks a question; it does not report a known defect."""
UNKNOWN_HABIT_CONFIDENCE = 0.4
KNOWN_DEFECT_CONFIDENCE = 0.8


def _habit(ctx: CheckContext) -> TodoHabit:
    """The repository's habit when measured, else what the old side of this file shows."""
    if ctx.habits.todos is not None:
        return ctx.habits.todos
    return tally_todos((ctx.old_text or "").split("\n"))


def _message(marker: str, tail: str, habit: TodoHabit) -> tuple[str, float | None] | None:
    """The comment to write on a new unlinked TODO and its confidence (None: the rule's);
    None to stay silent."""
    remark = tail[len(marker) :].lstrip(" :-")
    if ADMITS_DEFECT.search(remark) and not HEDGED.search(remark):
        return (
            f"This {marker} says the new code is known to misbehave; fix it before merging, "
            "or track it in an issue so the defect is not lost.",
            KNOWN_DEFECT_CONFIDENCE,
        )
    if habit.expects_reference:
        return (
            f"New {marker} with no issue link or owner, unlike {habit.with_reference} of this "
            f"project's {habit.total} existing ones; add one so it does not get lost.",
            None,
        )
    if habit.known:
        return None  # the project leaves its TODOs unlinked: this one follows the habit
    return (
        f"New {marker} with no issue link or owner; add one so it does not get lost.",
        UNKNOWN_HABIT_CONFIDENCE,
    )


def find_todo(ctx: CheckContext) -> Iterator[Hit]:
    habit: TodoHabit | None = None
    for captures in ctx.touching("comment"):
        comment = captures["comment"][0]
        span = ctx.span(comment)
        for number in range(span.start_line, span.end_line + 1):
            if not ctx.is_added(number):
                continue
            line = ctx.line(number)
            begin = span.start_col if number == span.start_line else 0
            end = span.end_col if number == span.end_line else len(line)
            segment = line[begin:end]
            match = TODO_MARKER.search(segment)
            if match is None or TODO_REFERENCE.search(segment):
                continue
            tail = segment[match.start() :].rstrip()
            if tail.endswith("*/"):
                tail = tail[:-2].rstrip()
            if habit is None:
                habit = _habit(ctx)
            said = _message(match.group(1), tail, habit)
            if said is None:
                continue
            message, confidence = said
            yield Hit(
                Span(number, begin + match.start(), number, begin + match.start() + len(tail)),
                message,
                tail,
                confidence=confidence,
            )


RULES: tuple[Rule, ...] = (
    Rule(
        RuleInfo(
            "generic.todo-no-reference",
            LANGUAGES,
            Severity.INFO,
            "maintainability",
            "new TODO/FIXME/XXX/HACK comment without an issue, URL or @owner, where the "
            "project links its TODOs (or says the code is wrong)",
        ),
        find_todo,
    ),
)
