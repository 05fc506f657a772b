"""Untracked files of a working tree, as added files for the review.

``git diff`` leaves out files git does not track, yet a new module is often the most
important part of an uncommitted change. Each untracked file that git does not ignore
(``git ls-files --others --exclude-standard``) becomes an added file, its whole text the
added lines, exactly as the editor sees a buffer whose base lacks the file. The listing is
screened before anything is read: a link is never followed out of the repository, a
special file (FIFO, device) is never opened, a file over ``review.maxFileBytes`` is not
read, binary content is not put into the diff, and at most ``review.maxUntrackedFiles``
files are taken in; each file left out is recorded with its reason.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from tactful.analyzers.model import SkippedFile
from tactful.analyzers.textdiff import unified_diff
from tactful.server import git
from tactful.server.pipeline import path_skip
from tactful.server.settings import Settings

BINARY_SNIFF = 8192
"""Leading bytes searched for a NUL (git's own binary test looks at the same amount)."""

HOW_TO_INCLUDE = "--untracked or review.untracked includes them"
TURNED_OFF = f"untracked files are off ({HOW_TO_INCLUDE})"
"""The detail of an untracked file left out by ``--no-untracked`` or ``review.untracked``."""


@dataclass(frozen=True)
class Untracked:
    """The untracked files of a working tree, screened."""

    diff: str
    """A git-style diff adding each file taken in (to append to ``git diff``'s output)."""
    paths: tuple[str, ...]
    """The files taken in, in the diff's order."""
    skipped: tuple[SkippedFile, ...]
    """The untracked files left out, each with its reason."""


def list_untracked(root: Path) -> list[str]:
    """Untracked files git does not ignore, repository-relative, sorted."""
    out = git.run_git(root, "ls-files", "-z", "--others", "--exclude-standard", "--", ".")
    return sorted(p for p in out.decode("utf-8", "surrogateescape").split("\0") if p)


def collect(root: Path, settings: Settings, *, include: bool | None = None) -> Untracked:
    """Screen the untracked files of ``root``; ``include`` overrides ``review.untracked``."""
    review = settings.review
    paths = list_untracked(root)
    if not (review.untracked if include is None else include):
        return Untracked("", (), tuple(SkippedFile(p, "untracked", TURNED_OFF) for p in paths))
    diffs: list[str] = []
    taken: list[str] = []
    skipped: list[SkippedFile] = []
    containment = git.Containment(root)
    for path in paths:
        problem = _screen(root, path, settings, containment)
        if problem is None and len(taken) >= review.max_untracked_files:
            problem = (
                "untracked",
                f"more than review.maxUntrackedFiles ({review.max_untracked_files}) untracked files",
            )
        if problem is None:
            problem, text = _read(root / path, review.max_file_bytes)
            if problem is None and text:
                diffs.append(unified_diff(path, None, text))
                taken.append(path)
            elif problem is None:
                problem = ("no-content-change", "empty file")
        if problem is not None:
            skipped.append(SkippedFile(path, *problem))
    return Untracked("".join(diffs), tuple(taken), tuple(skipped))


def _screen(
    root: Path, path: str, settings: Settings, containment: git.Containment
) -> tuple[str, str] | None:
    """Why ``path`` is not taken in, judged from its name and ``lstat`` alone."""
    if path.endswith("/"):  # git lists an untracked nested repository as its folder
        return "not-a-file", "a nested git repository"
    named = path_skip(path, settings)
    if named is not None:
        return named
    if containment.leaves(path):
        return "outside-repo", "a symlink (or a folder on its path) leads outside the repository"
    try:
        info = os.lstat(root / path)
    except OSError as exc:
        return "unreadable", exc.strerror or str(exc)
    if stat.S_ISLNK(info.st_mode):
        # Git would record the link itself, not the file; the target is reviewed as itself.
        return "symlink", f"links to {os.readlink(root / path)} in the repository"
    if not stat.S_ISREG(info.st_mode):
        return "not-a-file", "not a regular file"
    if info.st_size > settings.review.max_file_bytes:
        return (
            "too-large",
            f"{info.st_size:,} bytes > review.maxFileBytes {settings.review.max_file_bytes:,}",
        )
    return None


def _read(target: Path, limit: int) -> tuple[tuple[str, str] | None, str]:
    """The file's text (undecodable bytes kept as surrogates), or why it is not taken in."""
    try:
        # O_NOFOLLOW / O_NONBLOCK: a file swapped for a link or a FIFO since lstat is refused.
        fd = os.open(target, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        return ("unreadable", exc.strerror or str(exc)), ""
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return ("not-a-file", "not a regular file"), ""
        data = f.read(limit + 1)
    if len(data) > limit:
        return ("too-large", f"more than review.maxFileBytes {limit:,} bytes"), ""
    if b"\x00" in data[:BINARY_SNIFF]:
        return ("binary", "NUL byte in content"), ""
    return None, data.decode("utf-8", "surrogateescape")


def summary(skipped: tuple[SkippedFile, ...]) -> str:
    """One line for the untracked files a setting or limit left out, or ``""``."""
    left = [s for s in skipped if s.reason == "untracked"]
    if not left:
        return ""
    off = any(s.detail == TURNED_OFF for s in left)
    how = HOW_TO_INCLUDE if off else "raise review.maxUntrackedFiles to include them"
    return f"{len(left)} untracked file(s) skipped ({how})"
