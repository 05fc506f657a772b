"""The repository index: tags of every tracked source file, cached, joined into a call graph.

``RepoIndex.build`` lists files with ``git ls-files -s`` (so ``.gitignore`` is respected
and each unchanged file's blob id comes for free), skips vendored, generated, huge, binary
and non-UTF-8 files with a reason, and extracts tags for the rest: from memory when the
content is unchanged since the last build, else from a ``diskcache`` keyed by path, content
hash and ``CACHE_VERSION``, else by parsing (a process pool over files for a cold build).
A cache that cannot be opened or read degrades to memory with one warning.
``update_file`` replaces one file's tags in memory (the LSP server's didChange).
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import logging
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactful.analyzers.callgraph import CallGraph, Definition, FileTags, extract_tags
from tactful.analyzers.filekinds import has_generated_marker, has_generated_name, is_vendored
from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import ChangeUnit, SkippedFile
from tactful.server.git import GitError, run_git
from tactful.server.settings import Settings, cache_dir

log = logging.getLogger(__name__)

CACHE_VERSION = 2
"""Bump when tags change shape or meaning: old cache entries are then ignored."""
POOL_MIN_FILES = 64
TEXT_TAGS_CACHE = 16
"""Old-side texts whose tags are kept (an editor reviews the same base on every edit)."""
"""Below this many files to parse, a process pool costs more than it saves."""

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class IndexStats:
    files: int
    """Files indexed (tags available)."""
    parsed: int
    """Files parsed in this build (the rest came from memory or the disk cache)."""
    from_cache: int
    lines: int
    definitions: int
    references: int
    files_with_errors: int
    seconds: float
    skipped: tuple[SkippedFile, ...] = ()
    unknown_language: int = 0
    cache: str = "disk"
    """``disk`` or ``memory`` (when the disk cache could not be used)."""


@dataclass
class _Entry:
    key: str
    tags: FileTags
    lines: int


@dataclass
class _Job:
    path: str
    language: str
    key: str
    abs_path: str
    max_bytes: int
    max_lines: int


@dataclass
class _Outcome:
    path: str
    key: str
    tags: FileTags | None = None
    lines: int = 0
    skip: tuple[str, str] | None = None


@dataclass
class _Listing:
    files: list[tuple[str, str]] = field(default_factory=list)
    """(path, content key) of candidate source files."""
    skipped: list[SkippedFile] = field(default_factory=list)
    unknown: int = 0


class RepoIndex:
    """Tags and call graph of one repository; owned by one CLI run or one LSP server."""

    def __init__(self, root: Path, settings: Settings, *, workers: int | None = None) -> None:
        self.root = Path(root).resolve()
        self.settings = settings
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._store = TagStore(cache_dir(settings) / "index")
        self._entries: dict[str, _Entry] = {}
        self._text_tags: OrderedDict[tuple[str, str], FileTags] = OrderedDict()
        self._graph = CallGraph()
        self.parse_count = 0
        """Files parsed by this index over its lifetime (cache misses plus updates)."""

    @property
    def graph(self) -> CallGraph:
        return self._graph

    def build(self, progress: Progress | None = None) -> IndexStats:
        """Bring the index up to date with the working tree."""
        started = time.perf_counter()
        listing = self._list()
        wanted = dict(listing.files)
        for path in [p for p in self._entries if p not in wanted]:
            del self._entries[path]
            self._graph.remove_file(path)
        todo: list[_Job] = []
        from_cache = 0
        for path, key in listing.files:
            entry = self._entries.get(path)
            if entry is not None and entry.key == key:
                continue
            cached = self._store.get(key)
            if isinstance(cached, tuple) and len(cached) == 2 and isinstance(cached[0], FileTags):
                self._install(path, _Entry(key, cached[0], cached[1]))
                from_cache += 1
            elif isinstance(cached, tuple) and len(cached) == 3 and cached[0] == "skip":
                listing.skipped.append(SkippedFile(path, cached[1], cached[2]))
                self._drop(path)
            else:
                todo.append(self._job(path, key))
        skipped = list(listing.skipped)
        fresh: list[tuple[str, object]] = []
        for done, outcome in enumerate(self._extract(todo), 1):
            if outcome.tags is None:
                reason, detail = outcome.skip or ("unreadable", "")
                skipped.append(SkippedFile(outcome.path, reason, detail))
                self._drop(outcome.path)
                if reason != "unreadable":
                    fresh.append((outcome.key, ("skip", reason, detail)))
            else:
                self._install(outcome.path, _Entry(outcome.key, outcome.tags, outcome.lines))
                fresh.append((outcome.key, (outcome.tags, outcome.lines)))
            if progress is not None:
                progress(done, len(todo))
        self._store.set_many(fresh)
        self.parse_count += len(todo)
        return self._stats(len(todo), from_cache, skipped, listing.unknown, time.perf_counter() - started)

    def update_file(self, path: str, text: str | None, tree: Any = None) -> FileTags | None:
        """Replace one file's tags from an editor buffer (None removes the file); memory only.

        ``tree`` may carry ``text`` already parsed; an unchanged buffer costs nothing.
        """
        language = detect_language(path, text)
        if text is None or language is None:
            self._drop(path)
            return None
        key = "buffer:" + _content_key(path, text.encode("utf-8"))
        current = self._entries.get(path)
        if current is not None and current.key == key:
            return current.tags
        tags = extract_tags(language, path, text, tree)
        self.parse_count += 1
        self._install(path, _Entry(key, tags, text.count("\n") + 1))
        return tags

    def tags_of_text(self, language: str, path: str, text: str) -> FileTags:
        """Tags of a text that is not installed (the old side of a change), cached by content."""
        key = (path, _content_key(path, text.encode("utf-8")))
        tags = self._text_tags.get(key)
        if tags is None:
            tags = extract_tags(language, path, text)
            self._text_tags[key] = tags
            while len(self._text_tags) > TEXT_TAGS_CACHE:
                self._text_tags.popitem(last=False)
        else:
            self._text_tags.move_to_end(key)
        return tags

    def unit_context(self, unit: ChangeUnit, depth: int = 2) -> dict[str, Any]:
        """Callers and callees of a change unit, JSON-ready (empty lists when unknown)."""
        target = self.definition_for(unit)
        if target is None:
            return {"callers": [], "callees": []}
        callers = self._graph.callers(target.qualified_name, target.path, depth)
        callees = self._graph.callees(target.qualified_name, target.path, depth)
        return {
            "callers": [
                {"path": c.path, "line": c.span.start_line, "column": c.span.start_col + 1, "caller": c.caller,
                 "snippet": c.snippet, "confidence": c.confidence, "depth": c.depth}
                for c in callers
            ],
            "callees": [
                {"name": c.qualified_name, "path": c.path, "line": c.span.start_line, "kind": c.kind,
                 "signature": c.signature, "confidence": c.confidence, "depth": c.depth}
                for c in callees
            ],
        }

    def definition_for(self, unit: ChangeUnit) -> Definition | None:
        """The index's definition of a change unit: by qualified name, else by position."""
        found = self._graph.find(unit.name, unit.path)
        if found:
            line = unit.new_span.start_line if unit.new_span is not None else 0
            found.sort(key=lambda d: abs(d.span.start_line - line))
            return found[0]
        if unit.new_span is None:
            return None
        near = self._graph.definition_at(unit.path, unit.new_span.start_line)
        return near if near is not None and near.name == unit.name.rsplit(".", 1)[-1] else None

    def all_tags(self) -> Iterable[FileTags]:
        return (entry.tags for entry in self._entries.values())

    # -- internals ---------------------------------------------------------------------

    def _install(self, path: str, entry: _Entry) -> None:
        self._entries[path] = entry
        self._graph.replace_file(entry.tags)

    def _drop(self, path: str) -> None:
        self._entries.pop(path, None)
        self._graph.remove_file(path)

    def _job(self, path: str, key: str) -> _Job:
        review = self.settings.review
        language = detect_language(path) or ""
        return _Job(path, language, key, str(self.root / path), review.max_file_bytes, review.max_file_lines)

    def _extract(self, jobs: list[_Job]) -> Iterable[_Outcome]:
        if self.workers <= 1 or len(jobs) < POOL_MIN_FILES:
            yield from map(_run_job, jobs)
            return
        # spawn: safe in a process with threads (the LSP server), unlike a bare fork; workers
        # are direct children, so their CPU time shows in RUSAGE_CHILDREN.
        context = multiprocessing.get_context("spawn")
        chunk = max(4, min(64, len(jobs) // (self.workers * 8) or 1))
        try:
            with concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=context) as pool:
                yield from pool.map(_run_job, jobs, chunksize=chunk)
        except (OSError, concurrent.futures.process.BrokenProcessPool) as exc:
            log.warning("index: process pool unavailable (%s); parsing in this process", exc)
            yield from map(_run_job, jobs)

    def _list(self) -> _Listing:
        listing = _Listing()
        try:
            staged = run_git(self.root, "ls-files", "-s", "-z")
            modified = set(run_git(self.root, "ls-files", "-m", "-z").decode("utf-8", "replace").split("\0"))
            others = run_git(self.root, "ls-files", "-o", "--exclude-standard", "-z").decode("utf-8", "replace")
        except GitError as exc:
            raise GitError(f"cannot index {self.root}: {exc}") from exc
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
        for path, sha in entries:
            if path in seen:
                continue
            seen.add(path)
            reason = _screen_path(path)
            if reason == "unknown-language":
                listing.unknown += 1
            elif reason:
                listing.skipped.append(SkippedFile(path, reason))
            elif sha:
                listing.files.append((path, f"v{CACHE_VERSION}:{path}:{sha}"))
            else:
                try:
                    data = (self.root / path).read_bytes()
                except OSError:
                    continue  # deleted in the working tree
                listing.files.append((path, f"v{CACHE_VERSION}:{path}:{_content_key(path, data)}"))
        return listing

    def _stats(self, parsed: int, from_cache: int, skipped: list[SkippedFile], unknown: int, seconds: float) -> IndexStats:
        entries = self._entries.values()
        return IndexStats(
            files=len(self._entries),
            parsed=parsed,
            from_cache=from_cache,
            lines=sum(e.lines for e in entries),
            definitions=sum(len(e.tags.definitions) for e in entries),
            references=sum(len(e.tags.references) for e in entries),
            files_with_errors=sum(1 for e in entries if e.tags.error_count),
            seconds=seconds,
            skipped=tuple(skipped),
            unknown_language=unknown,
            cache=self._store.kind,
        )


class TagStore:
    """diskcache with a memory fallback: the first failure logs one warning and switches over."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.kind = "disk"
        self._memory: dict[str, object] = {}
        self._disk: Any = None
        try:
            import diskcache

            directory.mkdir(parents=True, exist_ok=True)
            # Least-recently-stored eviction: reads never write (LRU would update each hit).
            self._disk = diskcache.Cache(
                str(directory), size_limit=2**30, eviction_policy="least-recently-stored"
            )
        except Exception as exc:  # corrupt database, unwritable folder, full disk ...
            self._degrade(exc)

    def get(self, key: str) -> object:
        if self._disk is not None:
            try:
                return self._disk.get(key)
            except Exception as exc:
                self._degrade(exc)
        return self._memory.get(key)

    def set_many(self, items: list[tuple[str, object]]) -> None:
        if self._disk is not None and items:
            try:
                with self._disk.transact():  # one transaction, not one commit per file
                    for key, value in items:
                        self._disk.set(key, value)
                return
            except Exception as exc:
                self._degrade(exc)
        self._memory.update(items)

    def _degrade(self, exc: Exception) -> None:
        if self.kind == "disk":
            log.warning(
                "index cache at %s is unusable (%s: %s); keeping the index in memory only",
                self.directory, exc.__class__.__name__, exc,
            )
        self.kind = "memory"
        disk, self._disk = self._disk, None
        if disk is not None:
            try:
                disk.close()
            except Exception:
                log.debug("closing the broken index cache failed", exc_info=True)


def _screen_path(path: str) -> str:
    if is_vendored(path):
        return "vendored"
    if has_generated_name(path):
        return "generated"
    if detect_language(path) is None:
        return "unknown-language"
    return ""


def _content_key(path: str, data: bytes) -> str:
    """git's blob id of ``data``: the same key a committed copy of the file would get."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _run_job(job: _Job) -> _Outcome:
    """Read, screen and tag one file (runs in a worker process for cold builds)."""
    try:
        data = Path(job.abs_path).read_bytes()
    except OSError as exc:
        return _Outcome(job.path, job.key, skip=("unreadable", exc.strerror or str(exc)))
    if len(data) > job.max_bytes:
        return _Outcome(job.path, job.key, skip=("too-large", f"{len(data):,} bytes"))
    if b"\0" in data[:8192]:
        return _Outcome(job.path, job.key, skip=("binary", "NUL byte in content"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _Outcome(job.path, job.key, skip=("non-utf8", f"byte {exc.start}: not valid UTF-8"))
    lines = text.count("\n") + 1
    if lines > job.max_lines:
        return _Outcome(job.path, job.key, skip=("too-large", f"{lines:,} lines"))
    if has_generated_marker(text):
        return _Outcome(job.path, job.key, skip=("generated", "generated-file marker in the first lines"))
    try:
        tags = extract_tags(job.language, job.path, text)
    except Exception as exc:  # a grammar crash on one file must not stop the index
        return _Outcome(job.path, job.key, skip=("unparsable", f"{exc.__class__.__name__}: {exc}"))
    return _Outcome(job.path, job.key, tags, lines)


def callgraph_stage(index_provider: Callable[[Any, Settings], RepoIndex | None]) -> Callable[..., None]:
    """A pipeline stage: callers/callees per change unit, plus signature-change findings.

    ``index_provider(change, settings)`` returns a built index of the change's repository
    (or None when there is none). The changed files' new text is loaded into it first, so
    the graph describes the change's new side even when it is not the working tree.
    """
    from tactful.analyzers.callgraph import signature_change_findings
    from tactful.server import pipeline

    def callgraph(result: Any, change: Any, settings: Settings) -> None:
        if not settings.review.call_graph:
            return
        index = index_provider(change, settings)
        if index is None:
            pipeline.add_note(result, "call graph: no repository index (not a git repository?)")
            return
        old_defs: list[Definition] = []
        new_defs: list[Definition] = []
        for file in result.files:
            if file.language is None:
                continue
            path = file.change.path
            if file.new_text is not None:
                new_tags = index.update_file(path, file.new_text, file.new_tree)
                new_defs.extend(new_tags.definitions if new_tags else ())
            if file.old_text is not None:
                old_defs.extend(index.tags_of_text(file.language, path, file.old_text).definitions)
        for unit in result.units:
            result.unit_context[(unit.path, unit.name)] = index.unit_context(unit)
        added = pipeline.merge_findings(result, signature_change_findings(result.units, old_defs, new_defs, index.graph))
        pipeline.add_counters(result, {"callgraph.units": len(result.units), "callgraph.findings": len(added)})

    return callgraph
