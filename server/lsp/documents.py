"""An open buffer against its base revision, as a :class:`~tactful.server.pipeline.Change`.

The editor reviews what the developer changed, unsaved edits included: the buffer's text is
diffed against the file at the base revision (``git show BASE:path``; ``HEAD`` by default, or
the merge-base of HEAD with a branch so a feature branch is reviewed as a whole).

* A file that the base does not have (untracked, newly created, or added on the branch) is an
  added file: every line is new, as ``tactful review`` takes in the working tree's untracked
  files. A file git ignores is not reviewed, nor an untracked one with ``review.untracked`` off.
* A file outside any git repository is compared with the text it had when it was opened, so
  the edits of this session are what gets reviewed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

from tactful.analyzers.diff import parse_diff
from tactful.analyzers.model import ChangeSet, SkippedFile
from tactful.analyzers.textdiff import unified_diff
from tactful.server import git
from tactful.server.git_head import HeadCache
from tactful.server.pipeline import Change
from tactful.server.settings import LspSettings, ReviewSettings
from tactful.server.untracked import TURNED_OFF

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Baseline:
    """Where a document's base text comes from."""

    root: Path | None
    """Repository root; None outside a repository."""
    path: str
    """Path relative to ``root`` (posix), or the file name outside a repository."""
    rev: str | None
    """Base commit (or ``git.EMPTY_TREE`` in a repository without commits); None outside one."""
    text: str | None
    """Base text; None when the base has no such file (so it is an added file)."""
    label: str
    tracking: str = "tracked"
    """For a file the base lacks: ``tracked`` (added to the index or on the branch),
    ``untracked`` or ``ignored`` (``git.tracking``); ``tracked`` otherwise."""


@dataclass
class BufferSource:
    """The pipeline's view of one buffer: base text on the old side, unsaved text on the new."""

    baseline: Baseline
    text: str

    def old(self, path: str) -> bytes | None:
        if path == self.baseline.path:
            return (
                None
                if self.baseline.text is None
                else self.baseline.text.encode("utf-8", "surrogateescape")
            )
        if self.baseline.root is None or self.baseline.rev is None:
            return None
        return git.show_file(self.baseline.root, self.baseline.rev, path)

    def new(self, path: str) -> bytes | None:
        if path == self.baseline.path:
            return self.text.encode("utf-8", "surrogateescape")
        if self.baseline.root is None:
            return None
        try:
            target = git.inside(self.baseline.root, path)
        except ValueError:
            return None
        return target.read_bytes() if target.is_file() else None


def buffer_change(baseline: Baseline, text: str, review: ReviewSettings) -> Change:
    """The change the buffer makes to its base, ready for the pipeline.

    An ignored file, or an untracked one while ``review.untracked`` is off, is left out as
    ``tactful review`` leaves it out of the working tree, with the same reason.
    """
    root = str(baseline.root) if baseline.root else None
    source = BufferSource(baseline, text)
    skip = None
    if baseline.tracking == "ignored":
        skip = SkippedFile(baseline.path, "ignored", "git ignores it")
    elif baseline.tracking == "untracked" and not review.untracked:
        skip = SkippedFile(baseline.path, "untracked", TURNED_OFF)
    if skip is not None:
        return Change(ChangeSet(()), source, root, baseline.label, skipped=(skip,))
    diff = unified_diff(baseline.path, baseline.text, text)
    untracked = (baseline.path,) if baseline.tracking == "untracked" and diff else ()
    return Change(parse_diff(diff), source, root, baseline.label, untracked=untracked)


@dataclass
class BaseResolver:
    """Finds each file's repository, base commit and base text; caches what git said.

    A commit or checkout is seen at the next review (HEAD is stamped, :class:`HeadCache`);
    call :meth:`forget_revisions` when another base branch may have moved (on save, on a
    settings change).
    """

    _roots: dict[Path, Path | None] = field(default_factory=dict)
    _revs: dict[tuple[Path, str, str, str], str] = field(default_factory=dict)
    _texts: dict[tuple[Path, str, str], str | None] = field(default_factory=dict)
    _tracking: dict[tuple[Path, str], str] = field(default_factory=dict)
    heads: HeadCache = field(default_factory=HeadCache)

    def forget_revisions(self) -> None:
        self._revs.clear()
        self._tracking.clear()  # a save may come with a `git add` or a new .gitignore line

    def root_of(self, path: Path) -> Path | None:
        folder = path.parent
        while not folder.is_dir() and folder != folder.parent:
            folder = folder.parent  # a new file in a new folder: ask the nearest existing one
        if folder not in self._roots:
            self._roots[folder] = git.repo_root(folder)
        return self._roots[folder]

    def base_commit(self, root: Path, settings: LspSettings) -> str:
        """The commit the buffer is compared with; GitError names a revision that does not exist."""
        head = self.heads.head(root)
        if settings.base == "HEAD" and not settings.merge_base_with:
            return head or git.EMPTY_TREE
        key = (root, settings.base, settings.merge_base_with, head)
        if key not in self._revs:
            if settings.base == "HEAD" and not head:
                commit = git.EMPTY_TREE
            else:
                commit = git.resolve_rev(root, settings.base)
                if settings.merge_base_with:
                    commit = git.merge_base(
                        root, commit, git.resolve_rev(root, settings.merge_base_with)
                    )
            # Only the latest answer per base is kept: HEAD moves on every commit.
            for stale in [k for k in list(self._revs) if k[:3] == key[:3]]:
                self._revs.pop(stale, None)
            self._revs[key] = commit
        return self._revs[key]

    def baseline(self, path: Path, settings: LspSettings, opened_text: str | None) -> Baseline:
        """The base of the file at ``path``; ``opened_text`` is its text when the editor opened it."""
        root = self.root_of(path)
        if root is None:
            return Baseline(
                None, path.name, None, opened_text, "buffer vs text at open (no repository)"
            )
        rel = path.resolve().relative_to(root.resolve()).as_posix()
        commit = self.base_commit(root, settings)
        key = (root, commit, rel)
        if key not in self._texts:
            # One base text per file: after a commit the older commit's text is not needed.
            for stale in [k for k in list(self._texts) if k[0] == root and k[2] == rel]:
                self._texts.pop(stale, None)
            data = git.show_file(root, commit, rel)
            self._texts[key] = None if data is None else data.decode("utf-8", "surrogateescape")
        base = settings.base + (
            f" (merge-base with {settings.merge_base_with})" if settings.merge_base_with else ""
        )
        text = self._texts[key]
        tracking = "tracked" if text is not None else self._tracking_of(root, rel)
        return Baseline(root, rel, commit, text, f"buffer vs {base}", tracking)

    def _tracking_of(self, root: Path, rel: str) -> str:
        if (root, rel) not in self._tracking:
            self._tracking[root, rel] = git.tracking(root, rel)
        return self._tracking[root, rel]
