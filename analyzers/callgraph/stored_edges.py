"""Resolved call-graph edges kept from an earlier, complete resolution, and when they still hold.

``tactful index`` resolves every call site of the repository; the index stores those edges
beside its snapshot (an :class:`EdgeSource`). A later graph over the same files answers from
them instead of resolving again: a call site's stored targets, a definition's stored call
sites (so finding callers loads only the files that call it, not every file that mentions
the name), and the per-file resolved counts.

A stored edge is used only while the resolution it records cannot have changed. Resolving
a call site reads its own file (imports, enclosing definitions), the module layout (which
file holds which module), and the definitions carrying the names the call site is listed
under (its name, and for ``from m import f as g`` the ``f`` of ``g()``). So the edges are
dropped altogether when the set of files or a file's package changes; a changed file marks
dirty every name whose definitions in it differ in anything resolution reads (kind, names,
parameters, receiver, order), so call sites listed under a dirty name are resolved again;
and a changed file's own call sites keep their edges only where they are still there (the
n-th call with the same name, receiver, caller and argument count), its imports are the
same and its enclosing names are not dirty. Positions and bodies may move freely: an edge
into a changed file is mapped to the same definition there by qualified name and rank among
its namesakes. A file whose records come back identical is not changed at all. Every answer
equals the one a fresh resolution gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tactful.analyzers.callgraph.graph_index import Target
from tactful.analyzers.callgraph.resolve import (
    CONFIDENCE_RANK,
    EXACT,
    IMPORTED,
    NAME_ONLY,
    Resolver,
)
from tactful.analyzers.callgraph.tags import Definition, FileTags, Reference

RANKED = (EXACT, IMPORTED, NAME_ONLY)
"""Confidence by its rank (how edges are stored)."""

Edge = tuple[str, int, int]
"""(path, position in that file's definitions or call sites, confidence rank)."""
Counts = tuple[int, int, int, int]
"""A file's call sites resolved exact, imported, name-only, and unresolved."""


class EdgeSource(Protocol):
    def covered(self) -> Iterable[str]:
        """Every file the edges were resolved over."""

    def forward(self, path: str) -> dict[int, tuple[Edge, ...]]:
        """Call-site position in ``path`` -> the definitions it reaches, best first."""

    def reverse(self, path: str) -> dict[int, tuple[Edge, ...]]:
        """Definition position in ``path`` -> the call sites that reach it."""

    def counts(self, path: str) -> Counts:
        """The file's call sites by the best confidence they resolve with."""


def _shape(d: Definition) -> tuple[object, ...]:
    """What resolution reads of a definition (everything but where it is and its text)."""
    return (d.kind, d.name, d.qualified_name, d.params, d.min_args, d.max_args, d.receiver)


def _by_name(defs: Iterable[Definition]) -> dict[str, list[tuple[object, ...]]]:
    out: dict[str, list[tuple[object, ...]]] = {}
    for d in defs:
        out.setdefault(d.name, []).append(_shape(d))
    return out


def _call_key(r: Reference) -> tuple[object, ...]:
    """What resolving a call site reads of it (not where it is)."""
    return (r.name, r.receiver, r.caller, r.arity, r.kind)


def _same_records(old: FileTags, new: FileTags) -> bool:
    return (
        old.definitions == new.definitions
        and old.references == new.references
        and old.imports == new.imports
    )


def _rank_among(defs: tuple[Definition, ...] | list[Definition], at: int) -> int:
    """How many definitions before ``defs[at]`` share its qualified name."""
    name = defs[at].qualified_name
    return sum(1 for d in defs[:at] if d.qualified_name == name)


class StoredEdges(Resolver):
    """The resolver, answering from stored edges where they still hold."""

    def __init__(self) -> None:
        super().__init__()
        self._edges: EdgeSource | None = None
        self._edge_files: set[str] = set()
        """Files still as the edges know them."""
        self._edge_old: dict[str, FileTags] = {}
        """Changed files: their tags as the edges know them."""
        self._ref_maps: dict[str, dict[int, int]] = {}
        """Changed files: id(call site) -> the position of the same call site in the old tags."""
        self._dirty: set[str] = set()
        self._positions: dict[str, dict[int, int]] = {}
        """path -> id(record) -> position, for the files' call sites and definitions."""
        self._replacing = False
        self.live_resolutions = 0
        """Call sites resolved by the rules (not from stored edges) over this graph's life."""

    @property
    def has_edges(self) -> bool:
        return self._edges is not None

    def attach_edges(self, edges: EdgeSource) -> None:
        """Use ``edges`` (resolved over the files the attached tag source holds). Call after
        ``attach``; files installed other than from the source count as changed."""
        covered = set(edges.covered())
        known = set(self._files) | set(self._pending)
        if known != covered or self._source is None:
            return  # files came or went: the module layout the edges rest on is gone
        self._edges = edges
        self._edge_files = set(self._pending)
        for path, tags in list(self._files.items()):
            self._changed(path, self._source.tags(path), tags)

    def forget_edges(self) -> None:
        self._edges = None
        self._edge_files.clear()
        self._edge_old.clear()
        self._ref_maps.clear()
        self._dirty.clear()

    # -- maintenance: what a change invalidates ------------------------------------------

    def replace_file(self, tags: FileTags) -> None:
        if self._edges is not None:
            path = tags.path
            if path in self._edge_files:
                old = self._files.get(path) if path not in self._pending else None
                if old is None and self._source is not None:
                    old = self._source.tags(path)
                self._changed(path, old, tags)
            elif path in self._edge_old:
                self._changed(path, None, tags)
            else:
                self.forget_edges()  # a new file: the module layout changes
        self._replacing = True  # the base class removes the old version first: not a deletion
        try:
            super().replace_file(tags)
        finally:
            self._replacing = False

    def remove_file(self, path: str) -> None:
        if (
            self._edges is not None
            and not self._replacing
            and (path in self._edge_files or path in self._edge_old)
        ):
            self.forget_edges()
        super().remove_file(path)

    def _changed(self, path: str, old: FileTags | None, new: FileTags) -> None:
        """``path`` now holds ``new``; ``old`` is the version the edges know (None: seen before)."""
        self._positions.pop(path, None)
        self._ref_maps.pop(path, None)
        before = self._edge_old.get(path)
        if before is None:
            if old is None or old.package != new.package or old.language != new.language:
                self.forget_edges()
                return
            if _same_records(old, new):  # the same file again (a head that is the working tree)
                self._edge_files.add(path)
                return
            before = self._edge_old[path] = old
        self._edge_files.discard(path)
        was, now = _by_name(before.definitions), _by_name(new.definitions)
        self._dirty.update(n for n in was.keys() | now.keys() if was.get(n) != now.get(n))

    # -- answers from stored edges -------------------------------------------------------

    def resolve(self, ref: Reference) -> tuple[Target, ...]:
        found = self._memo.get(id(ref))
        if found is not None:
            return found
        stored = self._stored_targets(ref) if self._edges is not None else None
        if stored is None:
            self.live_resolutions += 1
            return super().resolve(ref)
        self._memo[id(ref)] = stored
        return stored

    def _listed_under(self, ref: Reference) -> set[str]:
        """The names a call site's resolution reads definitions of."""
        names = {ref.name}
        if not ref.receiver:
            tags = self._files.get(ref.path)
            if tags is not None:
                names.update(
                    imp.name
                    for imp in self._bindings_of(tags).get(ref.name, ())
                    if imp.name not in ("", "*")
                )
        return names

    def _stored_targets(self, ref: Reference) -> tuple[Target, ...] | None:
        if self._dirty and self._dirty & self._listed_under(ref):
            return None
        assert self._edges is not None
        if ref.path in self._edge_files:
            at = self._position(ref.path, ref, "references")
        elif ref.path in self._edge_old:
            # A changed file's call site: the same one as before (name, receiver, caller,
            # arguments), in a file with the same imports, whose enclosing names kept their shape.
            if self._dirty and not self._dirty.isdisjoint(ref.caller.split(".")):
                return None
            at = self._old_position(ref)
        else:
            return None
        if at is None:
            return None
        out: list[Target] = []
        for path, index, rank in self._edges.forward(ref.path).get(at, ()):
            d = self._stored_definition(path, index)
            if d is None:
                return None
            out.append((d, RANKED[rank]))
        return tuple(out)

    def _stored_definition(self, path: str, index: int) -> Definition | None:
        """The definition an edge points at, in the file as it is now."""
        self._need_file(path)
        tags = self._files.get(path)
        if tags is None:
            return None
        if path in self._edge_files:
            return tags.definitions[index] if index < len(tags.definitions) else None
        old_tags = self._edge_old.get(path)
        old = old_tags.definitions if old_tags is not None else ()
        if index >= len(old):
            return None
        same = self._by_file_qname.get(path, {}).get(old[index].qualified_name, [])
        rank = _rank_among(old, index)
        return same[rank] if rank < len(same) else None

    def _stored_position(self, target: Definition) -> int | None:
        """Where ``target`` stood in its file as the edges know it."""
        if target.path in self._edge_files:
            return self._position(target.path, target, "definitions")
        old_tags = self._edge_old.get(target.path)
        tags = self._files.get(target.path)
        if old_tags is None or tags is None:
            return None
        old = old_tags.definitions
        here = next((i for i, d in enumerate(tags.definitions) if d is target), None)
        if here is None:
            return None
        rank = _rank_among(tags.definitions, here)
        namesakes = [i for i, d in enumerate(old) if d.qualified_name == target.qualified_name]
        return namesakes[rank] if rank < len(namesakes) else None

    def _old_position(self, ref: Reference) -> int | None:
        """Where the same call site stood in the changed file's old tags (the n-th call with
        this name, receiver, caller and arguments maps to the n-th one before)."""
        mapping = self._ref_maps.get(ref.path)
        if mapping is None:
            mapping = self._ref_maps[ref.path] = {}
            old, tags = self._edge_old[ref.path], self._files.get(ref.path)
            if tags is not None and old.imports == tags.imports:
                slots: dict[tuple[object, ...], list[int]] = {}
                for i, r in enumerate(old.references):
                    slots.setdefault(_call_key(r), []).append(i)
                taken: dict[tuple[object, ...], int] = {}
                for r in tags.references:
                    key = _call_key(r)
                    n = taken[key] = taken.get(key, -1) + 1
                    before = slots.get(key, [])
                    if n < len(before):
                        mapping[id(r)] = before[n]
        return mapping.get(id(ref))

    def _position(self, path: str, record: object, kind: str) -> int | None:
        positions = self._positions.get(path)
        if positions is None:
            tags = self._files.get(path)
            if tags is None:
                return None
            positions = {id(r): i for i, r in enumerate(tags.references)}
            positions.update((id(d), i) for i, d in enumerate(tags.definitions))
            self._positions[path] = positions
        return positions.get(id(record))

    def call_sites_of(self, target: Definition) -> list[Reference]:
        """Every call site that may resolve to ``target`` (a superset: callers still resolve
        each), in place order. From the stored edges when they hold: only files that call it
        are loaded. The order is fixed, not the one files were loaded in, since a call site
        reached through two callers is reported under the first."""
        found = self._stored_callers(target)
        if found is None:
            self._need_references(target.name)
            found = list(self._refs_by_name.get(target.name, ()))
        found.sort(key=lambda r: (r.path, r.start_line, r.start_col))
        return found

    def _stored_callers(self, target: Definition) -> list[Reference] | None:
        if self._edges is None or target.name in self._dirty:
            return None
        at = self._stored_position(target)
        if at is None:
            return None
        out: list[Reference] = []
        for path, index, _rank in self._edges.reverse(target.path).get(at, ()):
            if path in self._edge_files:  # a changed file's call sites are taken live below
                self._need_file(path)
                out.append(self._files[path].references[index])
        out += [r for r in self._refs_by_name.get(target.name, ()) if r.path in self._edge_old]
        return out

    def stored_counts(self) -> dict[str, int] | None:
        """Call sites by best confidence, from the stored per-file counts where they hold and
        resolved live elsewhere; None without stored edges."""
        if self._edges is None or self._source is None:
            return None
        live = set(self._edge_old)
        for name in self._dirty:
            live.update(self._source.referencing(name))
        totals = [0, 0, 0, 0]
        for path in self._edge_files - live:
            for i, n in enumerate(self._edges.counts(path)):
                totals[i] += n
        for path in sorted(live):
            self._need_file(path)
            tags = self._files.get(path)
            for ref in tags.references if tags is not None else ():
                best = min((CONFIDENCE_RANK[c] for _, c in self.resolve(ref)), default=3)
                totals[best] += 1
        return dict(zip((*RANKED, "unresolved"), totals, strict=True))

    def export_edges(
        self, paths: list[str]
    ) -> dict[str, tuple[dict[int, tuple[Edge, ...]], Counts]]:
        """path -> (call-site position -> stored targets, counts) of every call site of
        ``paths`` (all files of the graph), for an :class:`EdgeSource` to keep."""
        positions: dict[int, tuple[str, int]] = {}
        for path in paths:
            self._need_file(path)
            for i, d in enumerate(self._files[path].definitions):
                positions[id(d)] = (path, i)
        out: dict[str, tuple[dict[int, tuple[Edge, ...]], Counts]] = {}
        for path in paths:
            forward: dict[int, tuple[Edge, ...]] = {}
            counts = [0, 0, 0, 0]
            for i, ref in enumerate(self._files[path].references):
                targets = self.resolve(ref)
                edges = tuple((*positions[id(d)], CONFIDENCE_RANK[c]) for d, c in targets)
                if edges:
                    forward[i] = edges
                counts[min((e[2] for e in edges), default=3)] += 1
            out[path] = (forward, (counts[0], counts[1], counts[2], counts[3]))
        return out
