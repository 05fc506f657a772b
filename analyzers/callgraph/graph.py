"""The repository call graph: callers and callees of a definition, over resolved call sites.

:class:`CallGraph` is the store (:mod:`graph_index`) with the resolution rules
(:mod:`resolve`), the edges kept from an earlier resolution (:mod:`stored_edges`) and the walks the reviewers ask for: call sites of a definition and of its
callers, definitions it calls and what those call, each up to a depth, and the resolved
share of every call site for ``tactful index``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator

from tactful.analyzers.callgraph.records import Callee, CallSite
from tactful.analyzers.callgraph.resolve import (
    CONFIDENCE_RANK,
    EXACT,
    IMPORTED,
    NAME_ONLY,
    family,
)
from tactful.analyzers.callgraph.stored_edges import StoredEdges
from tactful.analyzers.callgraph.tags import Definition, FileTags, Reference

__all__ = [
    "CONFIDENCE_RANK",
    "EXACT",
    "IMPORTED",
    "NAME_ONLY",
    "CallGraph",
    "CallSite",
    "Callee",
    "family",
]


class CallGraph(StoredEdges):
    """Definitions and call sites of many files, resolved on demand."""

    @classmethod
    def build(cls, tags: Iterable[FileTags]) -> CallGraph:
        graph = cls()
        for file_tags in tags:
            graph.replace_file(file_tags)
        return graph

    # -- queries -----------------------------------------------------------------------

    @property
    def files(self) -> dict[str, FileTags]:
        """Every file's tags (loads the pending ones)."""
        self.load_all()
        return self._files

    def tags_of(self, path: str) -> FileTags | None:
        """One file's tags (loads it when pending; never the others)."""
        self._need_file(path)
        return self._files.get(path)

    def references(self) -> Iterator[Reference]:
        self.load_all()
        for tags in self._files.values():
            yield from tags.references

    def resolved_counts(self) -> dict[str, int]:
        """Call sites by the best confidence they resolve with (``unresolved`` when none)."""
        stored = self.stored_counts()
        if stored is not None:
            return stored
        counts = {EXACT: 0, IMPORTED: 0, NAME_ONLY: 0, "unresolved": 0}
        for ref in self.references():
            targets = self.resolve(ref)
            best = min((CONFIDENCE_RANK[c] for _, c in targets), default=None)
            counts[("unresolved", EXACT, IMPORTED, NAME_ONLY)[0 if best is None else best + 1]] += 1
        return counts

    def callers(
        self, qualified_name: str, path: str, depth: int = 2, arity: int | None = None
    ) -> list[CallSite]:
        """Call sites of the definition, then of its callers, up to ``depth`` levels."""
        targets = [d for d in self.find(qualified_name, path) if arity is None or d.accepts(arity)]
        seen_defs = {id(d) for d in targets}
        seen_refs: set[int] = set()
        out: list[CallSite] = []
        for level in range(1, depth + 1):
            next_targets: list[Definition] = []
            for target in targets:
                for ref in self.call_sites_of(target):
                    if id(ref) in seen_refs:
                        continue
                    conf = next((c for d, c in self.resolve(ref) if d is target), None)
                    if conf is None:
                        continue
                    seen_refs.add(id(ref))
                    out.append(
                        CallSite(
                            ref.path,
                            ref.span,
                            ref.snippet,
                            ref.caller,
                            target.qualified_name,
                            target.path,
                            conf,
                            level,
                        )
                    )
                    for caller_def in self.find(ref.caller, ref.path):
                        if id(caller_def) not in seen_defs:
                            seen_defs.add(id(caller_def))
                            next_targets.append(caller_def)
            targets = next_targets
        # Column too: the order call sites are found in (stored edges or a scan) must not show.
        out.sort(
            key=lambda c: (
                c.depth,
                CONFIDENCE_RANK[c.confidence],
                c.path,
                c.span.start_line,
                c.span.start_col,
            )
        )
        return out

    def direct_calls(self, target: Definition) -> list[tuple[Reference, str]]:
        """Call sites that resolve to ``target`` itself, with their confidence."""
        out = []
        for ref in self.call_sites_of(target):
            conf = next((c for d, c in self.resolve(ref) if d is target), None)
            if conf is not None:
                out.append((ref, conf))
        out.sort(key=lambda item: (item[0].path, item[0].start_line, item[0].start_col))
        return out

    def calls_named(self, name: str) -> list[Reference]:
        """Every call site of ``name``, resolved or not."""
        self._need_references(name)
        return list(self._refs_by_name.get(name, ()))

    def definitions_named(self, name: str) -> list[Definition]:
        self._need_definitions(name)
        return list(self._by_name.get(name, ()))

    def callees(self, qualified_name: str, path: str, depth: int = 2) -> list[Callee]:
        """Definitions the definition calls, then what those call, up to ``depth`` levels."""
        sources = [(path, qualified_name)]
        seen: set[int] = {id(d) for d in self.find(qualified_name, path)}
        out: list[Callee] = []
        for level in range(1, depth + 1):
            next_sources: list[tuple[str, str]] = []
            for source in sources:
                for ref in self._calls_from(*source):
                    for d, conf in self.resolve(ref):
                        if id(d) in seen:
                            continue
                        seen.add(id(d))
                        out.append(
                            Callee(
                                d.qualified_name,
                                d.path,
                                d.span,
                                d.signature,
                                d.kind,
                                conf,
                                level,
                                ref.path,
                                ref.span,
                            )
                        )
                        if d.callable:
                            next_sources.append((d.path, d.qualified_name))
            sources = next_sources
        out.sort(key=lambda c: (c.depth, CONFIDENCE_RANK[c.confidence], c.call_span.start_line))
        return out

    def _calls_from(self, path: str, caller: str) -> list[Reference]:
        """Call sites in ``path`` whose enclosing definition is ``caller``, in file order."""
        self._need_file(path)
        by_caller = self._refs_by_caller.get(path)
        if by_caller is None:
            tags = self._files.get(path)
            if tags is None:
                return []
            grouped: dict[str, list[Reference]] = defaultdict(list)
            for r in tags.references:
                grouped[r.caller].append(r)
            by_caller = self._refs_by_caller[path] = dict(grouped)
        return by_caller.get(caller, [])
