"""The repository index: tags of every tracked source file, cached, joined into a call graph.

``RepoIndex.build`` lists files with ``git ls-files -s`` (so ``.gitignore`` is respected
and each unchanged file's blob id comes for free; see ``index_listing``), skips vendored, generated, huge, binary
and non-UTF-8 files with a reason, and extracts tags for the rest: from memory when the
content is unchanged since the last build, else from the repository's snapshot (a new
index: every file of the last build in one read, see ``index_cache``), else from a
``diskcache`` entry keyed by path, content hash and ``CACHE_VERSION``, else by parsing (a
process pool over files for a cold build). A cache that cannot be opened or read degrades
to memory with one warning.
``update_file`` replaces one file's tags in memory (the LSP server's didChange).
``save_edges`` keeps the call graph's resolved edges beside the snapshot (``tactful index``),
so a later index resolves only the call sites a change can affect (``index_edges``).
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import logging
import multiprocessing
import os
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactful.analyzers.callgraph import CallGraph, Definition, FileTags, extract_tags
from tactful.analyzers.callgraph.splice import splice_tags
from tactful.analyzers.context import UnitCalls
from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import ChangeUnit, SkippedFile
from tactful.server.index_cache import (
    Skip,
    Snapshot,
    TagStore,
    decode_snapshot,
    encode_snapshot,
    gc_paused,
    snapshot_digest,
    snapshot_key,
)
from tactful.server.index_edges import StoredEdgeData, decode_edges, edges_key, encode_edges
from tactful.server.index_jobs import Job, Outcome, content_key, run_job
from tactful.server.index_listing import Listing, list_sources
from tactful.server.settings import Settings, cache_dir

log = logging.getLogger(__name__)

CACHE_VERSION = 3
"""Bump when tags change shape or meaning: old cache entries are then ignored."""
SNAPSHOT_SLACK = 32
"""Files a stored snapshot may be out of date by before a build rewrites it (or 2%)."""
POOL_MIN_FILES = 64
"""Below this many files to parse, a process pool costs more than it saves."""
TEXT_TAGS_CACHE = 16
"""Old-side texts whose tags are kept (an editor reviews the same base on every edit)."""

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


@dataclass(frozen=True)
class _Stored:
    """A file served by the snapshot: the call graph loads its tags when it needs them."""

    key: str
    lines: int
    definitions: int
    references: int
    errors: int


class RepoIndex:
    """Tags and call graph of one repository; owned by one CLI run or one LSP server."""

    def __init__(self, root: Path, settings: Settings, *, workers: int | None = None) -> None:
        self.root = Path(root).resolve()
        self.settings = settings
        self.workers = workers if workers is not None else (os.cpu_count() or 1)
        self._store = TagStore(cache_dir(settings) / "index")
        self._entries: dict[str, _Entry] = {}
        self._stored: dict[str, _Stored] = {}
        """Files whose tags the snapshot holds (the graph loads them on demand)."""
        self._snapshot: Snapshot | None = None
        """The snapshot the stored files come from (the graph's tag source)."""
        self._text_tags: OrderedDict[tuple[str, str], FileTags] = OrderedDict()
        self._graph = CallGraph()
        self._skips: dict[str, Skip] = {}
        """path -> (key, reason, detail) of files skipped by the last build (unreadable ones aside)."""
        self._snapshot_keys: dict[str, str] | None = None
        self._edge_data: StoredEdgeData | None = None
        self._edges_on_disk = False
        """Whether the stored edges fit the snapshot stored now (a rewrite makes them stale)."""
        """Edges stored for the loaded snapshot, attached once the build installed every file."""
        """path -> key of what the repository's stored snapshot holds, when known."""
        self.parse_count = 0
        """Files parsed by this index over its lifetime (cache misses plus updates)."""

    @property
    def graph(self) -> CallGraph:
        return self._graph

    def build(self, progress: Progress | None = None) -> IndexStats:
        """Bring the index up to date with the working tree."""
        started = time.perf_counter()
        fresh_index = not self._entries and not self._stored
        listing, snapshot = list_sources(
            self.root, CACHE_VERSION, self._load_snapshot if fresh_index else None
        )
        wanted = dict(listing.files)
        for path in [p for p in (*self._entries, *self._stored) if p not in wanted]:
            self._drop(path)
        with gc_paused():  # one collector pass over the new records afterwards, not dozens during
            todo, from_cache, skips = self._reuse(listing, snapshot)
        skipped = list(listing.skipped)
        fresh: list[tuple[str, object]] = []
        # Records from worker processes form no cycles either; parsing many files here might.
        parsing_here = self.workers <= 1 and len(todo) >= POOL_MIN_FILES
        with contextlib.nullcontext() if parsing_here else gc_paused():
            for done, outcome in enumerate(self._extract(todo), 1):
                if outcome.tags is None:
                    reason, detail = outcome.skip or ("unreadable", "")
                    skipped.append(SkippedFile(outcome.path, reason, detail))
                    self._drop(outcome.path)
                    if reason != "unreadable":
                        fresh.append((outcome.key, ("skip", reason, detail)))
                        skips[outcome.path] = (outcome.key, reason, detail)
                else:
                    self._install(outcome.path, _Entry(outcome.key, outcome.tags, outcome.lines))
                    fresh.append((outcome.key, (outcome.tags, outcome.lines)))
                if progress is not None:
                    progress(done, len(todo))
            self._skips = skips
            self._store.set_many(fresh)
            self._save_snapshot()
        if self._edge_data is not None:
            self._graph.attach_edges(self._edge_data)
            self._edge_data = None
        self.parse_count += len(todo)
        return self._stats(
            len(todo), from_cache, skipped, listing.unknown, time.perf_counter() - started
        )

    def update_file(
        self, path: str, text: str | None, tree: Any = None, *, old_text: str | None = None
    ) -> FileTags | None:
        """Replace one file's tags from an editor buffer (None removes the file); memory only.

        ``tree`` may carry ``text`` already parsed; an unchanged buffer costs nothing. With
        ``tree`` and ``old_text`` (an earlier version, e.g. the change's old side), the tags
        are spliced from that version's when the edit lies inside one function body.
        """
        language = detect_language(path, text)
        if text is None or language is None:
            self._drop(path)
            return None
        key = "buffer:" + content_key(path, text.encode("utf-8"))
        current = self._entries.get(path)
        if current is not None and current.key == key:
            return current.tags
        tags = None
        if tree is not None and old_text is not None:
            old_tags = self.tags_of_text(language, path, old_text)
            if old_tags.language == language:
                tags = splice_tags(old_tags, old_text, text, tree)
        if tags is None:
            tags = extract_tags(language, path, text, tree)
        self.parse_count += 1
        self._install(path, _Entry(key, tags, text.count("\n") + 1))
        return tags

    def tags_of_text(self, language: str, path: str, text: str, tree: Any = None) -> FileTags:
        """Tags of a text that is not installed (the old side of a change), cached by content;
        ``tree`` may carry ``text`` already parsed as ``language``."""
        key = (path, content_key(path, text.encode("utf-8")))
        tags = self._text_tags.get(key)
        if tags is None:
            tags = extract_tags(language, path, text, tree)
            self._text_tags[key] = tags
            while len(self._text_tags) > TEXT_TAGS_CACHE:
                self._text_tags.popitem(last=False)
        else:
            self._text_tags.move_to_end(key)
        return tags

    def unit_context(self, unit: ChangeUnit, depth: int = 2) -> UnitCalls:
        """Callers and callees of a change unit (empty when the index does not know it)."""
        target = self.definition_for(unit)
        if target is None:
            return UnitCalls()
        return UnitCalls(
            tuple(self._graph.callers(target.qualified_name, target.path, depth)),
            tuple(self._graph.callees(target.qualified_name, target.path, depth)),
        )

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
        """Every indexed file's tags (loads the ones the snapshot still holds)."""
        return self._graph.files.values()

    # -- internals ---------------------------------------------------------------------

    def _reuse(
        self, listing: Listing, snapshot: Snapshot | None
    ) -> tuple[list[Job], int, dict[str, Skip]]:
        """Install what memory, the snapshot or the per-file cache hold; the rest is to parse."""
        todo: list[Job] = []
        from_cache = 0
        skips: dict[str, Skip] = {}
        pending: dict[str, str] = {}
        for path, key in listing.files:
            entry = self._entries.get(path)
            if entry is not None and entry.key == key:
                continue
            stored = self._stored.get(path)
            if stored is not None and stored.key == key:
                continue
            skip = self._skips.get(path)
            if (skip is None or skip[0] != key) and snapshot is not None:
                if snapshot.matches(path, key):
                    self._drop(path)
                    _key, lines, _language, package, errors, defs, refs, *_at = snapshot.files[path]
                    self._stored[path] = _Stored(key, lines, defs, refs, errors)
                    pending[path] = package
                    from_cache += 1
                    continue
                skip = snapshot.skip(path, key)
            if skip is None or skip[0] != key:
                cached = self._store.get(key)
                if (
                    isinstance(cached, tuple)
                    and len(cached) == 2
                    and isinstance(cached[0], FileTags)
                ):
                    self._install(path, _Entry(key, cached[0], cached[1]))
                    from_cache += 1
                    continue
                if not (isinstance(cached, tuple) and len(cached) == 3 and cached[0] == "skip"):
                    todo.append(self._job(path, key))
                    continue
                skip = (key, cached[1], cached[2])
            listing.skipped.append(SkippedFile(path, skip[1], skip[2]))
            skips[path] = skip
            self._drop(path)
        if pending and snapshot is not None:
            self._snapshot = snapshot
            self._graph.attach(snapshot, pending)
        return todo, from_cache, skips

    def _load_snapshot(self) -> Snapshot | None:
        if self._store.kind != "disk":
            return None
        snapshot = decode_snapshot(self._store.get_mapped(snapshot_key(self.root, CACHE_VERSION)))
        if snapshot is not None:
            self._snapshot_keys = snapshot.keys()
            self._edge_data = decode_edges(
                self._store.get_mapped(edges_key(self.root, CACHE_VERSION)), snapshot.digest
            )
            self._edges_on_disk = self._edge_data is not None
        return snapshot

    def save_edges(self) -> bool:
        """Store the graph's resolved edges with a snapshot of exactly the files they cover,
        unless the stored ones still hold. Resolves every call site: for ``tactful index``."""
        if self._store.kind != "disk" or (self._graph.has_edges and self._edges_on_disk):
            return False
        if any(e.key.startswith("buffer:") for e in self._entries.values()):
            return False  # an editor buffer is not what the next run will find on disk
        blob = self._save_snapshot(force=True)
        if blob is None:
            return False
        paths = sorted(self._graph.files)
        data = encode_edges(snapshot_digest(blob), self._graph.export_edges(paths))
        self._store.set_many([(edges_key(self.root, CACHE_VERSION), data)])
        self._edges_on_disk = True
        return True

    def _save_snapshot(self, *, force: bool = False) -> bytes | None:
        """Store this build as the repository's snapshot, unless the stored one is close enough
        (``force``: store it anyway); the blob stored, if any."""
        if self._store.kind != "disk":
            return None
        entries = [
            (path, e) for path, e in self._entries.items() if not e.key.startswith("buffer:")
        ]
        current = {path: e.key for path, e in entries}
        current.update((path, stored.key) for path, stored in self._stored.items())
        current.update((path, skip[0]) for path, skip in self._skips.items())
        known = self._snapshot_keys
        # A few stale files cost a few per-file cache reads; rewriting the blob costs far more.
        if (
            not force
            and known is not None
            and len(current.items() ^ known.items()) <= max(SNAPSHOT_SLACK, len(current) // 50)
        ):
            return None
        blob = encode_snapshot(
            ((path, e.key, e.lines, e.tags) for path, e in entries),
            self._skips,
            kept=self._stored,
            previous=self._snapshot,
        )
        self._store.set_many([(snapshot_key(self.root, CACHE_VERSION), blob)])
        self._snapshot_keys = current
        self._edges_on_disk = False
        return blob

    def _install(self, path: str, entry: _Entry) -> None:
        self._stored.pop(path, None)
        self._entries[path] = entry
        self._graph.replace_file(entry.tags)

    def _drop(self, path: str) -> None:
        self._stored.pop(path, None)
        self._entries.pop(path, None)
        self._graph.remove_file(path)

    def _job(self, path: str, key: str) -> Job:
        review = self.settings.review
        language = detect_language(path) or ""
        return Job(
            path, language, key, str(self.root / path), review.max_file_bytes, review.max_file_lines
        )

    def _extract(self, jobs: list[Job]) -> Iterable[Outcome]:
        if self.workers <= 1 or len(jobs) < POOL_MIN_FILES:
            yield from map(run_job, jobs)
            return
        # spawn: safe in a process with threads (the LSP server), unlike a bare fork; workers
        # are direct children, so their CPU time shows in RUSAGE_CHILDREN.
        context = multiprocessing.get_context("spawn")
        chunk = max(4, min(64, len(jobs) // (self.workers * 8) or 1))
        try:
            with concurrent.futures.ProcessPoolExecutor(self.workers, mp_context=context) as pool:
                yield from pool.map(run_job, jobs, chunksize=chunk)
        except (OSError, concurrent.futures.process.BrokenProcessPool) as exc:
            log.warning("index: process pool unavailable (%s); parsing in this process", exc)
            yield from map(run_job, jobs)

    def _stats(
        self, parsed: int, from_cache: int, skipped: list[SkippedFile], unknown: int, seconds: float
    ) -> IndexStats:
        entries = self._entries.values()
        stored = self._stored.values()
        return IndexStats(
            files=len(self._entries) + len(self._stored),
            parsed=parsed,
            from_cache=from_cache,
            lines=sum(e.lines for e in entries) + sum(s.lines for s in stored),
            definitions=sum(len(e.tags.definitions) for e in entries)
            + sum(s.definitions for s in stored),
            references=sum(len(e.tags.references) for e in entries)
            + sum(s.references for s in stored),
            files_with_errors=sum(1 for e in entries if e.tags.error_count)
            + sum(1 for s in stored if s.errors),
            seconds=seconds,
            skipped=tuple(skipped),
            unknown_language=unknown,
            cache=self._store.kind,
        )
