"""Whose code a finding sits in: the share of the lines around it the developer wrote (git blame).

One ``git blame --line-porcelain HEAD`` per file and HEAD commit, cached (LRU), so an editor
that re-reviews on every keystroke blames each file once; a file git cannot blame (new,
untracked, outside a repository) gives None and the gate simply lacks the feature. A unit
with no old side is new code: the developer's own.
"""

from __future__ import annotations

import logging
from collections import OrderedDict
from pathlib import Path

from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server import git
from tactful.server.git_head import HeadCache

log = logging.getLogger(__name__)

BLAME_CACHE = 64
"""Files whose blame is kept (a review touches a few dozen)."""
AROUND = 5
"""Old-side lines either side of a finding without a unit."""


class Ownership:
    """Blame lookups for one repository and developer (``user.email``)."""

    def __init__(self, root: Path, email: str) -> None:
        self.root = root
        self.email = email.strip().lower()
        self._blame: OrderedDict[tuple[str, str], tuple[str, ...] | None] = OrderedDict()
        self.heads = HeadCache()

    def head(self) -> str:
        """HEAD's commit ('' with none), asked of git again only after HEAD moved."""
        return self.heads.head(self.root)

    def own_share(self, finding: Finding, unit: ChangeUnit | None, head: str) -> float | None:
        """Share (0-1) of the old-side lines of ``unit`` (or around ``finding``) by the developer."""
        if not self.email or not head:
            return None
        if unit is not None and unit.old_span is None:
            return 1.0
        authors = self._authors(finding.path, head)
        if not authors:
            return None
        if unit is not None and unit.old_span is not None:
            span = unit.old_span
            # A whole-line span ends at column 0 of the line after it.
            first = span.start_line
            last = max(first, span.end_line - 1) if span.end_col == 0 else span.end_line
        else:
            first, last = finding.span.start_line - AROUND, finding.span.end_line + AROUND
        window = authors[max(0, first - 1) : max(0, last)]
        if not window:
            return None
        return sum(author == self.email for author in window) / len(window)

    def _authors(self, path: str, head: str) -> tuple[str, ...] | None:
        key = (path, head)
        if key in self._blame:
            self._blame.move_to_end(key)
            return self._blame[key]
        found = self._run_blame(path, head)
        self._blame[key] = found
        while len(self._blame) > BLAME_CACHE:
            self._blame.popitem(last=False)
        return found

    def _run_blame(self, path: str, head: str) -> tuple[str, ...] | None:
        try:
            raw = git.run_git(self.root, "blame", "--line-porcelain", head, "--", path)
        except git.GitError as exc:
            log.debug("no blame for %s: %s", path, exc)
            return None
        authors = []
        for line in raw.decode("utf-8", "replace").splitlines():
            if line.startswith("author-mail "):
                authors.append(line[len("author-mail ") :].strip().strip("<>").lower())
        return tuple(authors)


def git_email(root: Path) -> str:
    """The repository's ``user.email``, '' when unset."""
    try:
        return git.run_git(root, "config", "user.email").decode("utf-8", "replace").strip()
    except git.GitError:
        return ""
