"""The git CLI, and file sources that read either side of a change from a repository.

Every call goes through :func:`run_git`, which turns failures into :class:`GitError` with
one line naming the command and git's own message.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
"""git's well-known empty tree: the base of a repository with no commits."""

DIFF_OPTIONS = (
    "--no-color",
    "--no-ext-diff",
    "--no-textconv",
    "-M",
    "--src-prefix=a/",
    "--dst-prefix=b/",
)


class GitError(RuntimeError):
    """A git command failed; the message is one line."""


def _run(
    root: Path | str, args: tuple[str, ...], stdin: bytes | None = None
) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}
    try:
        return subprocess.run(
            ["git", "-C", str(root), "-c", "core.quotepath=on", *args],
            input=stdin,
            capture_output=True,
            env=env,
            check=False,
        )
    except FileNotFoundError as exc:
        raise GitError("git is not installed or not on PATH") from exc


def _last_line(proc: subprocess.CompletedProcess[bytes]) -> str:
    message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return message[-1] if message else f"exit status {proc.returncode}"


def run_git(root: Path | str, *args: str, check: bool = True) -> bytes:
    """Run ``git -C root args`` and return stdout."""
    proc = _run(root, args)
    if check and proc.returncode != 0:
        raise GitError(f"git {args[0]} failed: {_last_line(proc)}")
    return proc.stdout


def repo_root(path: Path | str) -> Path | None:
    """The top of the work tree containing ``path``, or None outside a repository."""
    start = Path(path)
    if start.is_file():
        start = start.parent
    if not start.exists():
        return None
    try:
        out = run_git(start, "rev-parse", "--show-toplevel")
    except GitError:
        return None
    return Path(out.decode("utf-8").strip())


def head_commit(root: Path) -> str:
    """HEAD's commit id, '' when the repository has no commit yet (one git process)."""
    out = run_git(root, "rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    return out.strip().decode("ascii", "replace")


def has_head(root: Path) -> bool:
    return head_commit(root) != ""


def resolve_rev(root: Path, rev: str) -> str:
    """The commit id ``rev`` names; GitError names the revision when it does not exist."""
    out = run_git(
        root, "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False
    ).strip()
    if not out:
        raise GitError(f"unknown revision {rev!r} in {root}")
    return out.decode("ascii")


def merge_base(root: Path, a: str, b: str) -> str:
    out = run_git(root, "merge-base", a, b, check=False).strip()
    if not out:
        raise GitError(f"no merge-base between {a!r} and {b!r}")
    return out.decode("ascii")


def working_tree_diff(
    root: Path, base: str = "HEAD", *, head: str | None = None
) -> tuple[str, str]:
    """Diff of staged plus unstaged changes against ``base``; returns (diff text, base commit).

    ``head``: HEAD's commit when the caller knows it already ('' for none), saving a lookup.
    """
    if base != "HEAD":
        base_commit = resolve_rev(root, base)
    else:  # HEAD in one git process: whether it exists and what it is are the same question
        base_commit = (head if head is not None else head_commit(root)) or EMPTY_TREE
    text = run_git(root, "diff", *DIFF_OPTIONS, base_commit, "--")
    return text.decode("utf-8", "surrogateescape"), base_commit


def range_diff(root: Path, base: str, head: str = "HEAD") -> tuple[str, str, str]:
    """``git diff base...head``: the changes on ``head`` since it forked from ``base``.

    Returns (diff text, merge-base commit, head commit).
    """
    head_commit = resolve_rev(root, head)
    base_commit = merge_base(root, resolve_rev(root, base), head_commit)
    text = run_git(root, "diff", *DIFF_OPTIONS, base_commit, head_commit, "--")
    return text.decode("utf-8", "surrogateescape"), base_commit, head_commit


def show_file(root: Path, rev: str, path: str) -> bytes | None:
    """Content of ``path`` at ``rev``, or None when it does not exist there."""
    if rev == EMPTY_TREE:
        return None
    proc = subprocess.run(
        ["git", "-C", str(root), "cat-file", "blob", f"{rev}:{path}"],
        capture_output=True,
        check=False,
    )
    return proc.stdout if proc.returncode == 0 else None


def tracking(root: Path, path: str) -> str:
    """``tracked`` (in the index), ``ignored`` (git ignores it) or ``untracked``.

    Works for a path not on disk yet (an editor buffer never saved): both questions are
    answered from the index and the ignore rules, not from the file.
    """
    if run_git(root, "ls-files", "-z", "--cached", "--", f":(literal){path}").strip(b"\0"):
        return "tracked"
    proc = _run(root, ("check-ignore", "-q", "--", path))
    if proc.returncode not in (0, 1):  # 0: ignored, 1: not ignored, 128: an error
        raise GitError(f"git check-ignore failed: {_last_line(proc)}")
    return "ignored" if proc.returncode == 0 else "untracked"


def show_files(
    root: Path, wanted: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], bytes | None]:
    """Contents of many ``(rev, path)`` through one ``git cat-file --batch`` (one process, not
    one per file); None where the file does not exist. A path with a line break in it (which
    the batch protocol cannot name) is read with :func:`show_file`.
    """
    names: list[tuple[str, str]] = []
    out: dict[tuple[str, str], bytes | None] = {}
    for rev, path in wanted:
        if rev == EMPTY_TREE or "\n" in path or "\r" in path:
            out[rev, path] = show_file(root, rev, path)
        else:
            names.append((rev, path))
    if not names:
        return out
    request = "".join(f"{rev}:{path}\n" for rev, path in names).encode("utf-8", "surrogateescape")
    proc = _run(root, ("cat-file", "--batch"), stdin=request)
    data, at = proc.stdout, 0
    for name in names:
        end = data.find(b"\n", at)
        if proc.returncode != 0 or end < 0:  # git failed part-way: the rest one by one
            out[name] = show_file(root, *name)
            continue
        fields = data[at:end].split(b" ")
        at = end + 1
        # "<id> <type> <size>" then the content, or "<name> missing" (or "ambiguous").
        if len(fields) == 3 and fields[2].isdigit():
            size = int(fields[2])
            out[name] = data[at : at + size] if fields[1] == b"blob" else None
            at += size + 1
        else:
            out[name] = None
    return out


class OutsideRepository(ValueError):
    """A path that resolves outside the repository (``../x``, or a symlink leading out)."""


def inside(root: Path, path: str) -> Path:
    """``root / path``, refusing any path that resolves outside ``root`` (symlinks included)."""
    target = (root / path).resolve()
    if not target.is_relative_to(root.resolve()):
        kind = "a symlink that leads" if (root / path).is_symlink() else "a path that resolves"
        raise OutsideRepository(f"{path!r} is {kind} outside the repository")
    return target


def leaves_repository(root: Path, path: str) -> bool:
    """True when ``path`` (e.g. a symlink, or under a symlinked folder) resolves outside ``root``."""
    try:
        inside(root, path)
    except OutsideRepository:
        return True
    return False


class Containment:
    """:func:`leaves_repository` for the many paths of one listing, each folder resolved once.

    Resolving every path of a large repository (thousands of ``realpath`` calls, one
    ``lstat`` per component) cost more than the rest of a warm index build; here each
    folder costs one ``lstat`` and each file one more, and only links are resolved fully.
    """

    def __init__(self, root: Path) -> None:
        self._root = os.path.realpath(root)
        self._folders: dict[str, str] = {"": self._root}
        """repository-relative folder -> where it really is."""
        self._inside: dict[str, bool] = {}
        """folder -> whether it is in git's form and really inside the repository."""

    def leaves(self, path: str, *, regular: bool = False) -> bool:
        """Whether ``path`` resolves outside the repository; ``regular`` when the file itself
        is known not to be a link (git says the tracked file is unmodified), sparing its lstat.
        """
        folder, _, name = path.rpartition("/")
        if regular and name not in ("", ".", "..") and self._folder_inside(folder):
            return False  # a plain file of a folder that stays inside stays inside too
        if name in ("", ".", "..") or "/./" in f"/{folder}/" or "/../" in f"/{folder}/":
            return leaves_repository(Path(self._root), path)  # not git's form: resolve it all
        real = os.path.join(self._real_folder(folder), name)
        if not regular and os.path.islink(real):
            real = os.path.realpath(real)
        return not self._within(real)

    def _folder_inside(self, folder: str) -> bool:
        found = self._inside.get(folder)
        if found is None:
            plain = "/./" not in f"/{folder}/" and "/../" not in f"/{folder}/"
            found = self._inside[folder] = plain and self._within(self._real_folder(folder))
        return found

    def _real_folder(self, folder: str) -> str:
        found = self._folders.get(folder)
        if found is None:
            parent, _, name = folder.rpartition("/")
            found = os.path.join(self._real_folder(parent), name)
            if os.path.islink(found):
                found = os.path.realpath(found)
            self._folders[folder] = found
        return found

    def _within(self, real: str) -> bool:
        return real == self._root or real.startswith(self._root.rstrip("/") + "/")


@dataclass
class RevisionSource:
    """Old side from a commit; new side from another commit, or the working tree if None."""

    root: Path
    old_rev: str
    new_rev: str | None = None
    _cache: dict[tuple[str, str], bytes | None] = field(default_factory=dict, repr=False)

    def old(self, path: str) -> bytes | None:
        return self._show(self.old_rev, path)

    def new(self, path: str) -> bytes | None:
        if self.new_rev is not None:
            return self._show(self.new_rev, path)
        target = inside(self.root, path)
        if not target.is_file():
            return None
        return target.read_bytes()

    def prefetch(self, old_paths: Iterable[str], new_paths: Iterable[str]) -> None:
        """Read every committed side a review will ask for in one git process."""
        wanted = [(self.old_rev, p) for p in old_paths]
        if self.new_rev is not None:
            wanted += [(self.new_rev, p) for p in new_paths]
        wanted = [key for key in dict.fromkeys(wanted) if key not in self._cache]
        if len(wanted) > 1:
            self._cache.update(show_files(self.root, wanted))

    def _show(self, rev: str, path: str) -> bytes | None:
        key = (rev, path)
        if key not in self._cache:
            self._cache[key] = show_file(self.root, rev, path)
        return self._cache[key]
