"""Resolved call-graph edges stored beside the repository index's snapshot.

``tactful index`` resolves every call site; :meth:`RepoIndex.save_edges` keeps the result as
one value per repository, tied to the snapshot it was resolved over by the digest of that
snapshot's header (a rewritten snapshot makes the edges stale). Per file it holds the
targets of each call site and the call sites of each definition (as row and position
numbers), each ``marshal``-ed on its own and decoded the first time a lookup needs that
file, plus the file's resolved counts. The graph decides when they still hold
(``analyzers.callgraph.stored_edges``).
"""

from __future__ import annotations

import logging
import marshal
import mmap
from pathlib import Path

from tactful.analyzers.callgraph.stored_edges import Counts, Edge

log = logging.getLogger(__name__)

EDGES_FORMAT = 1
Exported = dict[str, tuple[dict[int, tuple[Edge, ...]], Counts]]


def edges_key(root: Path, cache_version: int) -> str:
    return f"edges:v{cache_version}:{root}"


def encode_edges(digest: bytes, exported: Exported) -> bytes:
    """The stored form of ``StoredEdges.export_edges`` for the snapshot with ``digest``."""
    paths = list(exported)
    row = {path: i for i, path in enumerate(paths)}
    forward_rows: list[bytes] = []
    reverse: dict[int, dict[int, list[tuple[int, int, int]]]] = {}
    for path, (forward, _counts) in exported.items():
        here = row[path]
        forward_rows.append(
            marshal.dumps(
                {
                    i: tuple((row[t], at, rank) for t, at, rank in edges)
                    for i, edges in forward.items()
                },
                4,
            )
        )
        for i, edges in forward.items():
            for target, at, rank in edges:
                reverse.setdefault(row[target], {}).setdefault(at, []).append((here, i, rank))
    reverse_rows = {
        target: marshal.dumps({at: tuple(calls) for at, calls in by_def.items()}, 4)
        for target, by_def in reverse.items()
    }
    counts = tuple(c for _forward, c in exported.values())
    return marshal.dumps(
        (EDGES_FORMAT, digest, tuple(paths), counts, tuple(forward_rows), reverse_rows), 4
    )


class StoredEdgeData:
    """An ``EdgeSource`` over the stored value; rows are decoded on first use."""

    def __init__(
        self,
        paths: tuple[str, ...],
        counts: tuple[Counts, ...],
        forward: tuple[bytes, ...],
        reverse: dict[int, bytes],
    ) -> None:
        self._paths = paths
        self._row = {path: i for i, path in enumerate(paths)}
        self._counts = counts
        self._forward_rows = forward
        self._reverse_rows = reverse
        self._decoded: dict[tuple[bool, str], dict[int, tuple[Edge, ...]]] = {}

    def covered(self) -> tuple[str, ...]:
        return self._paths

    def counts(self, path: str) -> Counts:
        return self._counts[self._row[path]]

    def forward(self, path: str) -> dict[int, tuple[Edge, ...]]:
        return self._rows(True, path)

    def reverse(self, path: str) -> dict[int, tuple[Edge, ...]]:
        return self._rows(False, path)

    def _rows(self, forward: bool, path: str) -> dict[int, tuple[Edge, ...]]:
        found = self._decoded.get((forward, path))
        if found is None:
            row = self._row.get(path)
            blob = (
                None
                if row is None
                else self._forward_rows[row]
                if forward
                else self._reverse_rows.get(row)
            )
            raw = marshal.loads(blob) if blob is not None else {}
            paths = self._paths
            found = {
                i: tuple((paths[t], at, rank) for t, at, rank in edges) for i, edges in raw.items()
            }
            self._decoded[forward, path] = found
        return found


def decode_edges(data: object, digest: bytes) -> StoredEdgeData | None:
    """The edges in ``data`` when they were resolved over the snapshot with ``digest``."""
    if not isinstance(data, (bytes, mmap.mmap)):
        return None
    try:
        form, stored_digest, paths, counts, forward, reverse = marshal.loads(data)
        if form != EDGES_FORMAT or stored_digest != digest:
            return None
        if len(paths) != len(counts) or len(paths) != len(forward):
            raise ValueError("rows disagree")
        return StoredEdgeData(paths, counts, forward, reverse)
    except (ValueError, EOFError, TypeError) as exc:
        log.debug("stored call-graph edges unreadable (%s); resolving call sites again", exc)
        return None
