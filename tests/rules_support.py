"""Helpers for the per-language rule tests: a one-hunk change with both sides of the file."""

from __future__ import annotations

from tactful.analyzers.checks import run_checks
from tactful.analyzers.fixes import apply_edits
from tactful.analyzers.habits import ProjectHabits
from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import FileChange, FileStatus, Finding, Hunk


def change(path: str, annotated: str) -> tuple[FileChange, str, str]:
    """(file change, new text, old text) from lines prefixed ``+`` (added), ``-`` (removed) or `` `` (kept)."""
    lines = annotated.split("\n")
    if lines[-1] == "":
        lines.pop()
    new: list[str] = []
    old: list[str] = []
    added: list[int] = []
    removed: list[int] = []
    for raw in lines:
        tag, text = raw[:1] or " ", raw[1:]
        if tag != "+":
            old.append(text)
        if tag == "-":
            removed.append(len(old))
            continue
        new.append(text)
        if tag == "+":
            added.append(len(new))
    hunk = Hunk(1, len(old), 1, len(new), "", tuple(added), tuple(removed), tuple(lines))
    return (
        FileChange(path, path, FileStatus.MODIFIED, (hunk,)),
        "\n".join(new) + "\n",
        "\n".join(old) + "\n",
    )


def findings(
    path: str, annotated: str, rule: str, habits: ProjectHabits | None = None
) -> list[Finding]:
    file, new, old = change(path, annotated)
    result = run_checks(file, (), new, detect_language(path), old_text=old, habits=habits)
    assert result.errors == ()
    return [f for f in result.findings if f.rule == rule]


def flagged_lines(
    path: str, annotated: str, rule: str, habits: ProjectHabits | None = None
) -> list[int]:
    return [f.span.start_line for f in findings(path, annotated, rule, habits)]


def fixed(path: str, annotated: str, rule: str) -> str | None:
    """The new file after the first finding's fix (None when it offers none)."""
    file, new, old = change(path, annotated)
    (first, *_) = findings(path, annotated, rule)
    return None if first.fix is None else apply_edits(new, first.fix.edits)
