"""The repository's habits (:mod:`tactful.analyzers.habits`), measured with git.

Habits come from the committed code at ``HEAD``: for a working-tree or editor review that
is exactly the code the change did not touch. One ``git grep`` over the source files
(vendored and generated ones left out, as the index leaves them out) gives every existing
TODO line; the tally is pure and lives in ``analyzers``.
"""

from __future__ import annotations

import logging
from pathlib import Path

from tactful.analyzers.filekinds import has_generated_name, is_vendored
from tactful.analyzers.habits import ProjectHabits, tally_todos
from tactful.analyzers.languages import detect_language
from tactful.server.git import GitError, run_git

log = logging.getLogger(__name__)

TODO_WORDS = ("TODO", "FIXME", "XXX", "HACK")
MAX_LINES = 20_000
"""TODO lines read at most: a sample this large settles any project's habit."""


def measure_habits(root: Path, revision: str = "HEAD") -> ProjectHabits:
    """The habits of the repository at ``root`` as of ``revision`` (unmeasured when git fails)."""
    args = ["grep", "-I", "-w", "--no-color"]
    for word in TODO_WORDS:
        args += ["-e", word]
    try:
        out = run_git(root, *args, revision, "--", check=False)
    except GitError as exc:
        log.info("habits of %s not measured: %s", root, exc)
        return ProjectHabits()
    prefix = f"{revision}:"
    lines: list[str] = []
    for raw in out.decode("utf-8", "replace").splitlines():
        path, sep, text = raw.removeprefix(prefix).partition(":")
        if not sep or is_vendored(path) or has_generated_name(path):
            continue
        if detect_language(path) is None:
            continue  # a changelog's "TODO" is not a code comment
        lines.append(text)
        if len(lines) >= MAX_LINES:
            break
    return ProjectHabits(todos=tally_todos(lines))
