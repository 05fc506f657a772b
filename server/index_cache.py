"""The repository index's disk cache: per-file tag entries plus one snapshot per repository.

``TagStore`` wraps ``diskcache`` and falls back to memory (one warning) when the cache
cannot be opened, read or written. Per-file entries (keyed by path, content hash and
cache version) survive branch switches; the snapshot holds every file of one repository's
last build in one ``marshal`` blob, each file's records stored column by column (one tuple
per field), so a new index on an unchanged repository reads one value instead of thousands
and rebuilds the records with ``zip`` in C loops, with no per-record tuple in between. The
snapshot is only a shortcut: each of its files is used only when its key still matches
the listing, everything else goes through the per-file entries.
"""

from __future__ import annotations

import gc
import logging
import marshal
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

from tactful.analyzers.callgraph import Definition, FileTags, Import, Reference

log = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 3
_SCHEMA = (
    Definition._fields,
    Reference._fields,
    Import._fields,
    tuple(f.name for f in fields(FileTags)),
)
"""Record layouts the snapshot's tuples follow: a changed record makes old snapshots unusable."""
_SHARED_DEFINITION_FIELDS = frozenset(
    Definition._fields.index(f) for f in ("language", "kind", "name")
)
_SHARED_REFERENCE_FIELDS = frozenset(
    Reference._fields.index(f) for f in ("name", "receiver", "caller", "kind", "snippet")
)
_MAKE_DEFINITION = partial(tuple.__new__, Definition)
_MAKE_REFERENCE = partial(tuple.__new__, Reference)
_MAKE_IMPORT = partial(tuple.__new__, Import)

Skip = tuple[str, str, str]
"""(content key, reason, detail) of a file the index skips."""


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
                self.directory,
                exc.__class__.__name__,
                exc,
            )
        self.kind = "memory"
        disk, self._disk = self._disk, None
        if disk is not None:
            try:
                disk.close()
            except Exception:
                log.debug("closing the broken index cache failed", exc_info=True)


@dataclass
class Snapshot:
    """Files of one build, as stored: plain tuples until a file's key is found to match."""

    files: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """path -> (key, lines, language, definition columns, reference columns, imports, package, errors)."""
    skips: dict[str, Skip] = field(default_factory=dict)

    def tags(self, path: str, key: str) -> tuple[FileTags, int] | None:
        """The file's tags and line count when the snapshot holds this exact version of it."""
        row = self.files.get(path)
        if row is None or row[0] != key:
            return None
        try:
            _key, lines, language, def_columns, ref_columns, imports, package, errors = row
            tags = FileTags(
                path,
                language,
                tuple(map(_MAKE_DEFINITION, zip(*def_columns, strict=True))),
                tuple(map(_MAKE_REFERENCE, zip(*ref_columns, strict=True))),
                tuple(map(_MAKE_IMPORT, imports)),
                package,
                errors,
            )
        except (ValueError, TypeError):  # a damaged row: the per-file cache entry will do
            return None
        return tags, lines

    def skip(self, path: str, key: str) -> Skip | None:
        found = self.skips.get(path)
        return found if found is not None and found[0] == key else None

    def keys(self) -> dict[str, str]:
        """path -> key of everything the snapshot covers."""
        out = {path: row[0] for path, row in self.files.items()}
        out.update((path, skip[0]) for path, skip in self.skips.items())
        return out


def snapshot_key(root: Path, cache_version: int) -> str:
    return f"snapshot:v{cache_version}:{root}"


def encode_snapshot(
    entries: Iterable[tuple[str, str, int, FileTags]], skips: dict[str, Skip]
) -> bytes:
    """One blob for (path, key, lines, tags) of every indexed file plus the skipped ones."""
    # Equal strings as one object: marshal then writes each once and a new index allocates
    # it once (names, callers, receivers and snippets repeat a lot).
    shared: dict[str, str] = {}

    def columns(
        records: tuple[tuple[Any, ...], ...], text_fields: frozenset[int]
    ) -> tuple[tuple[Any, ...], ...]:
        return tuple(
            tuple(map(shared.setdefault, column, column)) if n in text_fields else column
            for n, column in enumerate(zip(*records, strict=True))
        )

    files = [
        (
            path,
            key,
            lines,
            t.language,
            columns(t.definitions, _SHARED_DEFINITION_FIELDS),
            columns(t.references, _SHARED_REFERENCE_FIELDS),
            tuple(map(tuple, t.imports)),
            t.package,
            t.error_count,
        )
        for path, key, lines, t in entries
    ]
    skipped = [(path, *skip) for path, skip in skips.items()]
    return marshal.dumps((SNAPSHOT_FORMAT, _SCHEMA, files, skipped), 4)


def decode_snapshot(blob: object) -> Snapshot | None:
    """The snapshot in ``blob``; None (with one debug line) when it is missing, stale or damaged."""
    if not isinstance(blob, bytes):
        return None
    try:
        with gc_paused():
            form, schema, files, skipped = marshal.loads(blob)
            if form != SNAPSHOT_FORMAT or schema != _SCHEMA:
                return None
            return Snapshot(
                {row[0]: row[1:] for row in files},
                {row[0]: (row[1], row[2], row[3]) for row in skipped},
            )
    except (ValueError, EOFError, TypeError, IndexError) as exc:
        log.debug("index snapshot unreadable (%s); using per-file cache entries", exc)
        return None


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building many records that form no cycles.

    Allocating hundreds of thousands of tuples otherwise triggers repeated collections that
    scan the whole, growing heap: several times the cost of the allocations themselves. On
    the way out, everything tracked moves straight to the oldest generation (``freeze`` then
    ``unfreeze``; nothing stays frozen): the records live as long as the index, and a
    young-generation pass over all of them would cost about as much as building them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.freeze()
            gc.unfreeze()
            gc.enable()
