"""Build a :class:`~tactful.server.pipeline.Change` from the places a change comes from.

The working tree against a base, a commit range (``base...head``), or a patch (file or
stdin) with or without a repository beside it.
"""

from __future__ import annotations

import errno
import sys
from dataclasses import dataclass, field
from pathlib import Path

from tactful.analyzers.diff import parse_diff
from tactful.analyzers.model import ChangeSet, FileChange
from tactful.analyzers.patch import (
    PatchMismatch,
    SparseTooLarge,
    apply_file_change,
    sparse_new_text,
    sparse_old_text,
)
from tactful.server import git
from tactful.server.errors import UsageError
from tactful.server.pipeline import Change
from tactful.server.settings import Settings
from tactful.server.untracked import collect as collect_untracked

MAX_PATCH_BYTES = 64 * 1024 * 1024
"""Largest patch ``--patch`` reads (``/dev/zero`` or a runaway pipe must not exhaust memory)."""


def read_patch(path: str) -> str:
    """A patch file's text ('-' for stdin), at most :data:`MAX_PATCH_BYTES`.

    Decoding policy: bytes that are not UTF-8 (a latin-1 file, a binary blob) are kept as
    lone surrogates (``surrogateescape``), so line numbers and the other lines survive;
    output turns them into U+FFFD (:func:`printable`), so it is always valid UTF-8.
    """
    if path == "-":
        data = sys.stdin.buffer.read(MAX_PATCH_BYTES + 1)
    else:
        with open(path, "rb") as f:
            data = f.read(MAX_PATCH_BYTES + 1)
    if len(data) > MAX_PATCH_BYTES:
        raise UsageError(
            f"{'stdin' if path == '-' else path}: patch larger than {MAX_PATCH_BYTES // 2**20} MiB"
        )
    return data.decode("utf-8", "surrogateescape")


def printable(text: str) -> str:
    """``text`` as valid UTF-8: bytes kept by ``surrogateescape`` become U+FFFD."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def from_worktree(
    root: Path,
    base: str = "HEAD",
    settings: Settings | None = None,
    *,
    untracked: bool | None = None,
    head: str | None = None,
) -> Change:
    """Staged and unstaged changes in ``root`` against ``base``, untracked files as added files.

    ``settings`` supply ``review.untracked`` and the limits (defaults when None); ``untracked``
    overrides ``review.untracked`` for this change (``--untracked``/``--no-untracked``);
    ``head`` is HEAD's commit when the caller knows it (the session's, shared with the gate).
    """
    text, base_commit = git.working_tree_diff(root, base, head=head)
    new = collect_untracked(root, settings or Settings(), include=untracked)
    return Change(
        parse_diff(text + new.diff),
        git.RevisionSource(root, base_commit),
        str(root),
        f"working tree vs {base}",
        skipped=new.skipped,
        untracked=new.paths,
    )


def from_range(root: Path, base: str, head: str = "HEAD") -> Change:
    """What ``head`` changed since it forked from ``base`` (``git diff base...head``)."""
    text, base_commit, head_commit = git.range_diff(root, base, head)
    return Change(
        parse_diff(text),
        git.RevisionSource(root, base_commit, head_commit),
        str(root),
        f"{base}...{head}",
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
        text = base if base is not None else printable(_sparse(sparse_old_text, file))
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
                self.notes.append(
                    f"{path}: patch does not apply to the working tree ({exc}); reviewed from the patch text"
                )
        return printable(_sparse(sparse_new_text, file)).encode("utf-8")


def _sparse(rebuild, file: FileChange) -> str:  # noqa: ANN001 - one of the two sparse_* functions
    """The file as the patch shows it; an absurd hunk start skips the file instead of the review."""
    try:
        return rebuild(file)
    except SparseTooLarge as exc:
        # The pipeline skips a file whose read raises OSError, with this text as the reason.
        raise OSError(errno.EFBIG, str(exc)) from exc


def from_patch(text: str, label: str, root: Path | None = None) -> Change:
    """A patch's change; ``root`` (if any) supplies the files the patch applies to."""
    change_set = parse_diff(text)
    return Change(change_set, PatchSource(change_set, root), str(root) if root else None, label)
