"""Build a :class:`~tactful.server.pipeline.Change` from the places a change comes from.

The working tree against a base, a commit range (``base...head``), or a patch (file or
stdin) with or without a repository beside it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from tactful.analyzers.diff import parse_diff
from tactful.analyzers.model import ChangeSet, FileChange
from tactful.analyzers.patch import (
    PatchMismatch,
    apply_file_change,
    sparse_new_text,
    sparse_old_text,
)
from tactful.server import git
from tactful.server.pipeline import Change


def from_worktree(root: Path, base: str = "HEAD") -> Change:
    """Staged and unstaged changes in ``root`` against ``base``."""
    text, base_commit = git.working_tree_diff(root, base)
    return Change(
        parse_diff(text), git.RevisionSource(root, base_commit), str(root), f"working tree vs {base}"
    )


def from_range(root: Path, base: str, head: str = "HEAD") -> Change:
    """What ``head`` changed since it forked from ``base`` (``git diff base...head``)."""
    text, base_commit, head_commit = git.range_diff(root, base, head)
    return Change(
        parse_diff(text), git.RevisionSource(root, base_commit, head_commit), str(root), f"{base}...{head}"
    )


@dataclass
class PatchSource:
    """Reads a patch's files from the repository when the patch applies there, else from the patch."""

    change_set: ChangeSet
    root: Path | None
    notes: list[str] = field(default_factory=list)

    def _file(self, path: str) -> FileChange | None:
        for file in self.change_set.files:
            if path in (file.new_path, file.old_path):
                return file
        return None

    def _base(self, file: FileChange) -> str | None:
        """The pre-patch text from the working tree, if there is a repository and the file is there."""
        if self.root is None or file.old_path is None:
            return None
        try:
            target = git.inside(self.root, file.old_path)
        except ValueError:
            return None
        if not target.is_file():
            return None
        return target.read_bytes().decode("utf-8", "surrogateescape")

    def old(self, path: str) -> bytes | None:
        file = self._file(path)
        if file is None or file.old_path is None:
            return None
        base = self._base(file)
        text = base if base is not None else sparse_old_text(file)
        return text.encode("utf-8", "surrogateescape")

    def new(self, path: str) -> bytes | None:
        file = self._file(path)
        if file is None or file.new_path is None:
            return None
        base = self._base(file)
        if base is not None:
            try:
                return apply_file_change(base, file).encode("utf-8", "surrogateescape")
            except PatchMismatch as exc:
                self.notes.append(f"{path}: patch does not apply to the working tree ({exc}); reviewed from the patch text")
        return sparse_new_text(file).encode("utf-8")


def from_patch(text: str, label: str, root: Path | None = None) -> Change:
    """A patch's change; ``root`` (if any) supplies the files the patch applies to."""
    change_set = parse_diff(text)
    return Change(change_set, PatchSource(change_set, root), str(root) if root else None, label)
