"""Which files the repository index covers: git's listing screened into candidates and skips.

``list_sources`` asks git for tracked (with blob ids), modified and untracked-unignored files
at once, drops links that leave the repository and paths that are vendored, generated or of
no known language, and gives each candidate its content key (the blob id when the file is
unchanged, else a hash of its bytes).
"""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tactful.analyzers.model import SkippedFile
from tactful.server import git
from tactful.server.git import GitError, run_git
from tactful.server.index_cache import Snapshot
from tactful.server.index_jobs import content_key, screen_path


@dataclass
class Listing:
    files: list[tuple[str, str]] = field(default_factory=list)
    """(path, content key) of candidate source files."""
    skipped: list[SkippedFile] = field(default_factory=list)
    unknown: int = 0


def list_sources(
    root: Path, version: int, meanwhile: Callable[[], Snapshot | None] | None = None
) -> tuple[Listing, Snapshot | None]:
    """The files to index under ``root``, keyed for cache ``version``; ``meanwhile`` (reading
    the snapshot) runs while git lists them."""
    listing = Listing()
    queries = (("-s", "-z"), ("-m", "-z"), ("-o", "--exclude-standard", "-z"))
    # Three read-only git processes at once: each mostly waits on the file system.
    with concurrent.futures.ThreadPoolExecutor(len(queries)) as pool:
        running = [pool.submit(run_git, root, "ls-files", *query) for query in queries]
        snapshot = meanwhile() if meanwhile is not None else None
    try:
        staged, modified_out, others_out = (job.result() for job in running)
        modified = set(modified_out.decode("utf-8", "replace").split("\0"))
        others = others_out.decode("utf-8", "replace")
    except GitError as exc:
        raise GitError(f"cannot index {root}: {exc}") from exc
    entries: list[tuple[str, str]] = []
    for record in staged.decode("utf-8", "replace").split("\0"):
        if "\t" not in record:
            continue
        meta, path = record.split("\t", 1)
        mode, sha, _stage = meta.split()
        if mode.startswith("120") or mode.startswith("160"):  # symlink or submodule
            continue
        entries.append((path, "" if path in modified else sha))
    entries.extend((p, "") for p in others.split("\0") if p)
    seen: set[str] = set()
    containment = git.Containment(root)
    for path, sha in entries:
        if path in seen:
            continue
        seen.add(path)
        reason = screen_path(path)
        # Never follow a link out of the repository: its target is not the project's code.
        if reason != "unknown-language" and containment.leaves(path, regular=bool(sha)):
            reason = "outside-repo"
        if reason == "unknown-language":
            listing.unknown += 1
        elif reason:
            listing.skipped.append(SkippedFile(path, reason))
        elif sha:
            listing.files.append((path, f"v{version}:{path}:{sha}"))
        else:
            try:
                data = (root / path).read_bytes()
            except OSError:
                continue  # deleted in the working tree
            listing.files.append((path, f"v{version}:{path}:{content_key(path, data)}"))
    return listing, snapshot
