"""The repository index's disk cache: per-file tag entries plus one snapshot per repository.

``TagStore`` wraps ``diskcache`` and falls back to memory (one warning) when the cache
cannot be opened, read or written. Per-file entries (keyed by path, content hash and
cache version) survive branch switches; the snapshot holds every file of one repository's
last build in one value: a header (per file its key, counts and where its records lie,
plus maps from each name to the files that define it and the files that call it), then
one ``marshal`` blob per file of its records stored column by column (rebuilt with ``zip``
in C loops). A new index on an unchanged repository decodes only the header and maps the
value's file into memory, so a review of a few units in a large repository reads and
decodes a few dozen files' records, not all of them (Django: a 1 MB header of a 26 MB
value). The snapshot is only a shortcut: each of its files is used only when its key still
matches the listing, everything else goes through the per-file entries.
"""

from __future__ import annotations

import gc
import hashlib
import logging
import marshal
import mmap
import struct
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from functools import partial
from pathlib import Path
from typing import Any

from tactful.analyzers.callgraph import Definition, FileTags, Import, Reference
from tactful.analyzers.callgraph.lazy import definition_names, reference_names

log = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 6
_MAGIC = b"tactful-snapshot\0"
_HEADER_SIZE = struct.Struct("<QQ")
"""Lengths of the marshalled header and of the file records after it."""
_SCHEMA = (
    Definition._fields,
    Reference._fields,
    Import._fields,
    tuple(f.name for f in fields(FileTags)),
)
"""Record layouts the snapshot's tuples follow: a changed record makes old snapshots unusable."""
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

    def get_mapped(self, key: str) -> object:
        """Like :meth:`get`, but a value diskcache keeps in a file of its own comes back mapped
        into memory (an ``mmap``), so only the parts a reader touches are read from disk.

        diskcache never rewrites a value's file in place (a new value gets a new file), so the
        mapping stays valid after the key is set again.
        """
        if self._disk is None:
            return self._memory.get(key)
        try:
            value = self._disk.get(key, read=True)
        except Exception as exc:
            self._degrade(exc)
            return self._memory.get(key)
        if not hasattr(value, "fileno"):
            return value  # small values live in the database: bytes already
        with value:
            try:
                return mmap.mmap(value.fileno(), 0, access=mmap.ACCESS_READ)
            except (OSError, ValueError):  # an empty file, or no mmap here: read it whole
                return value.read()

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
    """Files of one build, as stored: one marshal blob per file, decoded when first asked for.

    Also the call graph's ``TagSource``: which files define or call a name, from the name
    maps stored beside the files, so a review loads only the files its units involve.
    """

    files: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    """path -> (key, lines, language, package, errors, definitions, references, offset, size)
    of the file's records in ``data``, from ``base``."""
    skips: dict[str, Skip] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    """Row order: the name maps hold positions in it."""
    defining_map: dict[str, tuple[int, ...]] = field(default_factory=dict)
    referencing_map: dict[str, tuple[int, ...]] = field(default_factory=dict)
    data: Any = b""
    """The stored value (bytes or an ``mmap``) the rows' offsets point into."""
    base: int = 0
    """Where in ``data`` the file records start."""
    digest: bytes = b""
    """Identifies this snapshot (its header's hash): stored edges name the one they fit."""

    def matches(self, path: str, key: str) -> bool:
        """Whether the snapshot holds this exact version of the file."""
        row = self.files.get(path)
        return row is not None and row[0] == key

    def tags(self, path: str) -> FileTags | None:
        """The file's tags as stored; None for a file it lacks or a damaged row."""
        row = self.files.get(path)
        if row is None:
            return None
        try:
            _key, _lines, language, package, errors, _defs, _refs, _at, _size = row
            with gc_paused():
                def_columns, ref_columns, imports = marshal.loads(self.blob(path))
                return FileTags(
                    path,
                    language,
                    tuple(map(_MAKE_DEFINITION, zip(*def_columns, strict=True))),
                    tuple(map(_MAKE_REFERENCE, zip(*ref_columns, strict=True))),
                    tuple(map(_MAKE_IMPORT, imports)),
                    package,
                    errors,
                )
        except (ValueError, TypeError, EOFError):
            log.debug("index snapshot row of %s unreadable; the file is left out", path)
            return None

    def blob(self, path: str) -> bytes:
        """The file's records as stored (``encode_file``)."""
        row = self.files[path]
        start = self.base + row[7]
        return bytes(self.data[start : start + row[8]])

    def defining(self, name: str) -> Iterator[str]:
        return map(self.paths.__getitem__, self.defining_map.get(name, ()))

    def referencing(self, name: str) -> Iterator[str]:
        return map(self.paths.__getitem__, self.referencing_map.get(name, ()))

    def skip(self, path: str, key: str) -> Skip | None:
        found = self.skips.get(path)
        return found if found is not None and found[0] == key else None

    def keys(self) -> dict[str, str]:
        """path -> key of everything the snapshot covers."""
        out = {path: row[0] for path, row in self.files.items()}
        out.update((path, skip[0]) for path, skip in self.skips.items())
        return out

    def names_of(self) -> dict[str, tuple[list[str], list[str]]]:
        """path -> (definition names, reference names), from the stored maps."""
        out: dict[str, tuple[list[str], list[str]]] = {p: ([], []) for p in self.paths}
        for side, names in ((0, self.defining_map), (1, self.referencing_map)):
            for name, rows in names.items():
                for row in rows:
                    out[self.paths[row]][side].append(name)
        return out


def snapshot_digest(data: bytes | mmap.mmap) -> bytes:
    """The digest of a snapshot blob's header (what :class:`Snapshot` carries)."""
    start = len(_MAGIC) + _HEADER_SIZE.size
    header_size, _records = _HEADER_SIZE.unpack(data[len(_MAGIC) : start])
    return _digest(data[start : start + header_size])


def _digest(header: bytes) -> bytes:
    return hashlib.blake2b(header, digest_size=16).digest()


def snapshot_key(root: Path, cache_version: int) -> str:
    return f"snapshot:v{cache_version}:{root}"


def encode_file(tags: FileTags) -> bytes:
    """One file's records, column by column (one tuple per field)."""
    columns = tuple(zip(*tags.definitions, strict=True))
    ref_columns = tuple(zip(*tags.references, strict=True))
    return marshal.dumps((columns, ref_columns, tuple(map(tuple, tags.imports))), 4)


def encode_snapshot(
    entries: Iterable[tuple[str, str, int, FileTags]],
    skips: dict[str, Skip],
    kept: Iterable[str] = (),
    previous: Snapshot | None = None,
) -> bytes:
    """One blob for (path, key, lines, tags) of every indexed file plus the skipped ones.

    ``kept`` names files of ``previous`` to carry over as stored (their rows are copied, not
    decoded).
    """
    rows: dict[str, tuple[Any, ...]] = {}
    blobs: list[bytes] = []
    size = 0
    defining: dict[str, list[int]] = {}
    referencing: dict[str, list[int]] = {}

    def add(
        path: str,
        row: tuple[Any, ...],
        blob: bytes,
        def_names: Iterable[str],
        ref_names: Iterable[str],
    ) -> None:
        nonlocal size
        if path in rows:  # the name maps hold row positions: one row per path
            return
        at = len(rows)
        rows[path] = (*row, size, len(blob))
        blobs.append(blob)
        size += len(blob)
        for name in def_names:
            defining.setdefault(name, []).append(at)
        for name in ref_names:
            referencing.setdefault(name, []).append(at)

    for path, key, lines, t in entries:
        row = (key, lines, t.language, t.package, t.error_count, len(t.definitions),
               len(t.references))  # fmt: skip
        add(path, row, encode_file(t), definition_names(t), reference_names(t))
    if previous is not None:
        names = previous.names_of()
        for path in kept:
            add(path, previous.files[path][:7], previous.blob(path), *names[path])
    skipped = dict(skips)
    maps = (
        {name: tuple(at) for name, at in defining.items()},
        {name: tuple(at) for name, at in referencing.items()},
    )
    header = marshal.dumps((SNAPSHOT_FORMAT, _SCHEMA, rows, skipped, maps), 4)
    return b"".join((_MAGIC, _HEADER_SIZE.pack(len(header), size), header, *blobs))


def decode_snapshot(data: object) -> Snapshot | None:
    """The snapshot in ``data`` (bytes or an ``mmap``), decoding only its header; None (with
    one debug line) when it is missing, stale or damaged."""
    if not isinstance(data, (bytes, mmap.mmap)):
        return None
    try:
        start = len(_MAGIC) + _HEADER_SIZE.size
        if data[: len(_MAGIC)] != _MAGIC:
            return None  # another format (or not a snapshot at all)
        header_size, records_size = _HEADER_SIZE.unpack(data[len(_MAGIC) : start])
        if len(data) != start + header_size + records_size:
            raise ValueError(f"{len(data)} bytes, the header says {start + header_size + records_size}")  # fmt: skip
        with gc_paused():
            # Dicts come back from marshal as built, in C: no per-row Python work here.
            header = data[start : start + header_size]  # one copy: decoded, then hashed
            form, schema, rows, skipped, (defining, referencing) = marshal.loads(header)
            if form != SNAPSHOT_FORMAT or schema != _SCHEMA:
                return None
            if not isinstance(rows, dict) or not isinstance(skipped, dict):
                raise TypeError("rows are not a map")
            return Snapshot(
                rows,
                skipped,
                list(rows),
                defining,
                referencing,
                data,
                start + header_size,
                _digest(header),
            )
    except (ValueError, EOFError, TypeError, IndexError, struct.error) as exc:
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
