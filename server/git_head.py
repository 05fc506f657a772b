"""HEAD's commit, asked of git once per move of HEAD instead of once per review.

An editor re-reviews on every keystroke, and each review with a finding needed HEAD's
commit (``git rev-parse``: one process, ~4 ms on a loaded machine). :class:`HeadCache`
keeps the answer per repository under a stamp read from the git directory itself: the
bytes of ``HEAD``, the bytes of the loose ref it names, and the stat of ``packed-refs``
and of a reftable's table list. A commit, checkout, reset or amend changes one of them,
so the next lookup asks git again; a git directory it cannot find is never cached.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from tactful.server import git

Stamp = tuple[object, ...]


def git_dirs(root: Path) -> tuple[Path, Path] | None:
    """(git dir, common dir) of the work tree at ``root``; a linked worktree's ``.git`` is a file."""
    dot = root / ".git"
    if dot.is_dir():
        gitdir = dot
    elif dot.is_file():
        try:
            line = dot.read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            return None
        if not line.startswith("gitdir:"):
            return None
        gitdir = root / line[len("gitdir:") :].strip()
    else:
        return None
    try:
        common = gitdir / (gitdir / "commondir").read_text("utf-8").strip()
    except (OSError, UnicodeDecodeError):
        common = gitdir
    return gitdir, common


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _stat(path: Path) -> tuple[int, int, int] | None:
    try:
        found = os.stat(path)
    except OSError:
        return None
    return found.st_mtime_ns, found.st_size, found.st_ino


def head_stamp(root: Path) -> Stamp | None:
    """What changes whenever HEAD's commit can have changed; None when it cannot be read."""
    dirs = git_dirs(root)
    if dirs is None:
        return None
    gitdir, common = dirs
    head = _read(gitdir / "HEAD")
    if head is None:
        return None
    ref = b""
    if head.startswith(b"ref:"):
        name = head[4:].strip().decode("utf-8", "surrogateescape")
        # Per-worktree refs live in the git dir, branches in the common dir.
        ref = _read(gitdir / name) or _read(common / name) or b""
    return (
        head,
        ref,
        _stat(common / "packed-refs"),
        _stat(common / "reftable" / "tables.list"),
    )


class HeadCache:
    """HEAD's commit per repository root ('' for a repository with no commit yet)."""

    def __init__(self) -> None:
        self._heads: dict[Path, tuple[Stamp, str]] = {}
        self._lock = threading.Lock()
        self.lookups = 0
        """git processes started so far (what the cache saves is visible in tests and benches)."""

    def head(self, root: Path) -> str:
        stamp = head_stamp(root)
        with self._lock:
            known = self._heads.get(root)
        if stamp is not None and known is not None and known[0] == stamp:
            return known[1]
        with self._lock:
            self.lookups += 1
        commit = git.head_commit(root)
        # The stamp is read before git answers: a commit in between only costs one more lookup.
        if stamp is not None:
            with self._lock:
                self._heads[root] = (stamp, commit)
        return commit
