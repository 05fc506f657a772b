"""Running corpus cases: apply an edit or lay a release over its predecessor, then review.

Each review is what ``tactful review --all --no-llm`` reports on a git working tree (the same
in-process engine: no display gate, no LLM, call graph on).
"""

from __future__ import annotations

import dataclasses
import json
import os
import shutil
import subprocess
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from quality_archives import _matches, cache_dir, unpacked
from quality_corpus import (
    GIT_ENV,
    NEAR,
    SKIP_GLOBS,
    SOURCE_GLOBS,
    Archive,
    BenchError,
    Case,
    Corpus,
    KnownDefect,
    MirrorMissing,
    RealDiff,
)


@dataclass(frozen=True)
class Applied:
    text: str
    start: int
    end: int
    """The defect's new-side line range (1-based, inclusive)."""


def apply_edit(text: str, find: str, replace: str, mark: tuple[str, ...] = ()) -> Applied:
    """Replace the one occurrence of ``find``; the range covers the lines that changed.

    Lines the replacement shares with ``find`` at its start and end are not part of the
    defect; a pure deletion points at the lines either side of the cut.
    """
    count = text.count(find)
    if count != 1:
        raise BenchError(f"find text occurs {count} times (needs exactly one)")
    offset = text.index(find)
    first = text.count("\n", 0, offset) + 1
    new_text = text[:offset] + replace + text[offset + len(find) :]
    old_lines, new_lines = find.split("\n"), replace.split("\n")
    if mark:
        hits = [i for i, line in enumerate(new_lines) if any(m in line for m in mark)]
        if not hits:
            raise BenchError(f"mark {mark!r} is not in the replacement")
        return Applied(new_text, first + hits[0], first + hits[-1])
    prefix = 0
    while prefix < min(len(old_lines), len(new_lines)) and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old_lines), len(new_lines)) - prefix
        and old_lines[-1 - suffix] == new_lines[-1 - suffix]
    ):
        suffix += 1
    changed = len(new_lines) - prefix - suffix
    if changed <= 0:  # only deleted lines: the cut lies between two surviving lines
        return Applied(new_text, max(1, first + prefix - 1), first + prefix)
    return Applied(new_text, first + prefix, first + prefix + changed - 1)


# ----------------------------------------------------------------------------- the engine


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    if proc.returncode != 0:
        raise BenchError(f"git {' '.join(args[:2])} failed in {root}: {proc.stderr.strip()[:200]}")
    return proc.stdout


def make_repo(tree: Path, where: Path) -> Path:
    """A git repository whose one commit is ``tree``."""
    shutil.copytree(tree, where)
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "--no-verify", "-m", "release")
    return where


def archive_repo(archive: Archive, cache: Path) -> Path:
    """The archive committed to a git repository, built once and reset to its commit on reuse.

    Copying and committing a tree costs more than reviewing it, so planted cases reuse one
    repository per archive; a run that was interrupted mid-case is undone by the reset.
    """
    where = cache / "repos" / f"{archive.name}-{archive.sha256[:12]}"
    if (where / ".git" / "bench-complete").is_file():
        git(where, "reset", "-q", "--hard", "HEAD")
        git(where, "clean", "-q", "-fdx")
        return where
    if where.exists():
        shutil.rmtree(where)
    where.parent.mkdir(parents=True, exist_ok=True)
    make_repo(unpacked(archive, cache), where)
    (where / ".git" / "bench-complete").write_text("ok")
    return where


@dataclass
class Outcome:
    findings: list[dict[str, Any]]
    crashes: list[str]
    changed_lines: int
    reviewed: int
    seconds: float


def review_worktree(root: Path, call_graph: bool = True) -> Outcome:
    """What ``tactful review --all --no-llm [--no-call-graph]`` reports on ``root``'s working tree."""
    from tactful.server import changes, output
    from tactful.server.config import load_settings
    from tactful.server.session import ReviewSession, review_once

    started = time.perf_counter()
    change = changes.from_worktree(root)
    settings = load_settings(root)
    if not call_graph:
        settings = dataclasses.replace(
            settings, review=dataclasses.replace(settings.review, call_graph=False)
        )
    session = ReviewSession.open(settings, root, client="bench", gate=False)
    try:
        result = review_once(change, settings, session=session, llm=False)
    finally:
        session.close()
    rendered = json.loads(output.render_json(result, change.label))
    reviewed = set(result.coverage.reviewed)
    changed = sum(
        sum(len(h.added) + len(h.removed) for h in f.hunks)
        for f in change.change_set.files
        if f.path in reviewed
    )
    crashes = [
        n for n in result.coverage.notes if "failed" in n or "Error" in n or "Exception" in n
    ]
    return Outcome(
        rendered["findings"], crashes, changed, len(reviewed), time.perf_counter() - started
    )


# ----------------------------------------------------------------------------- running cases


@dataclass
class CaseResult:
    case: Case
    start: int = 0
    end: int = 0
    hit: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


@dataclass
class RealResult:
    diff: RealDiff
    changed_lines: int = 0
    files: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    error: str = ""
    skipped: str = ""
    """Why the diff was not reviewed when its archives need a git mirror this machine lacks."""
    seconds: float = 0.0


def is_hit(finding: dict[str, Any], path: str, start: int, end: int) -> bool:
    return (
        finding["path"] == path
        and finding["line"] <= end + NEAR
        and finding["endLine"] >= start - NEAR
    )


def run_cases(
    corpus: Corpus, cases: list[Case], work: Path, call_graph: bool
) -> Iterator[CaseResult]:
    """Each case in the archive's repository: apply the edit, review, put the file back."""
    cache = cache_dir()
    by_archive: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_archive[case.archive].append(case)
    for name, group in by_archive.items():
        try:
            repo = archive_repo(corpus.archives[name], cache)
        except BenchError as exc:
            for case in group:
                yield CaseResult(case, error=str(exc))
            continue
        for case in group:
            result = CaseResult(case)
            target = repo / case.file
            try:
                if not target.is_file():
                    raise BenchError(f"{case.file} is not in archive {name}")
                original = target.read_bytes()
                text = original.decode("utf-8")
                for (
                    find,
                    replace,
                ) in case.also:  # applied first: the defect's lines stay as computed
                    text = apply_edit(text, find, replace).text
                applied = apply_edit(text, case.find, case.replace, case.mark)
                result.start, result.end = applied.start, applied.end
                target.write_bytes(applied.text.encode("utf-8"))
                try:
                    outcome = review_worktree(repo, call_graph)
                finally:
                    target.write_bytes(original)
                result.findings, result.seconds = outcome.findings, outcome.seconds
                result.hit = any(
                    is_hit(f, case.file, applied.start, applied.end) for f in outcome.findings
                )
                if outcome.crashes:
                    result.error = "; ".join(outcome.crashes)
            except BenchError as exc:
                result.error = str(exc)
            except Exception as exc:  # an engine crash is a result, not the end of the bench
                result.error = f"crash: {exc.__class__.__name__}: {exc}"
            yield result


def overlay(repo: Path, tree: Path, keep: Iterable[str], skip: Iterable[str]) -> None:
    """Replace ``repo``'s files by ``tree``'s (both filtered), as unpacking a new release would."""
    keep, skip = tuple(keep), tuple(skip)
    for path in list(repo.rglob("*")):
        if ".git" in path.relative_to(repo).parts or not path.is_file():
            continue
        path.unlink()
    _copy_filtered(tree, repo, keep, skip)


def _copy_filtered(src: Path, dest: Path, keep: tuple[str, ...], skip: tuple[str, ...]) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if not path.is_file() or not _matches(rel, keep) or _matches(rel, skip):
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)


def run_real(corpus: Corpus, diff: RealDiff, work: Path, call_graph: bool) -> RealResult:
    result = RealResult(diff)
    try:
        outcome = review_release(
            corpus, diff.old, diff.new, diff.exclude, work / f"real-{diff.project}", call_graph
        )
        result.changed_lines, result.files = outcome.changed_lines, outcome.reviewed
        result.findings, result.crashes, result.seconds = (
            outcome.findings,
            outcome.crashes,
            outcome.seconds,
        )
    except MirrorMissing as exc:
        result.skipped = str(exc)
    except BenchError as exc:
        result.error = str(exc)
    except Exception as exc:
        result.error = f"crash: {exc.__class__.__name__}: {exc}"
    return result


def review_release(
    corpus: Corpus,
    old_name: str,
    new_name: str,
    exclude: tuple[str, ...],
    repo: Path,
    call_graph: bool,
) -> Outcome:
    """The newer tree laid over the older one in a fresh repository, reviewed as a working tree."""
    cache = cache_dir()
    old = unpacked(corpus.archives[old_name], cache)
    new = unpacked(corpus.archives[new_name], cache)
    repo.mkdir()
    skip = (*SKIP_GLOBS, *exclude)
    _copy_filtered(old, repo, SOURCE_GLOBS, skip)
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", old_name)
    overlay(repo, new, SOURCE_GLOBS, skip)
    git(repo, "add", "-A")  # new files of the release are part of the change
    outcome = review_worktree(repo, call_graph)
    shutil.rmtree(repo, ignore_errors=True)
    return outcome


@dataclass
class KnownResult:
    defect: KnownDefect
    hit: bool = False
    changed_lines: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    skipped: str = ""
    seconds: float = 0.0


def run_known(corpus: Corpus, defect: KnownDefect, work: Path, call_graph: bool) -> KnownResult:
    """The bug-introducing change reviewed like a real diff; a hit is a finding near the defect."""
    result = KnownResult(defect)
    try:
        outcome = review_release(
            corpus, defect.old, defect.new, (), work / f"known-{defect.id}", call_graph
        )
        result.changed_lines, result.findings, result.seconds = (
            outcome.changed_lines,
            outcome.findings,
            outcome.seconds,
        )
        result.hit = any(is_hit(f, defect.file, defect.start, defect.end) for f in outcome.findings)
        if outcome.crashes:
            result.error = "; ".join(outcome.crashes)
    except MirrorMissing as exc:
        result.skipped = str(exc)
    except BenchError as exc:
        result.error = str(exc)
    except Exception as exc:
        result.error = f"crash: {exc.__class__.__name__}: {exc}"
    return result
