"""Files a call graph knows about but has not loaded: where their tags come from on demand.

A warm review of a large repository needs the tags of a few dozen files (the changed ones,
the files defining or calling the names they use, the modules they import), not of all of
them. A ``TagSource`` (the repository index's stored snapshot) answers which files define
or reference a name and hands over one file's tags; the graph loads a file the first time a
lookup could involve it, so every answer equals the one an eagerly loaded graph gives.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from tactful.analyzers.callgraph.tags import FileTags


class TagSource(Protocol):
    def tags(self, path: str) -> FileTags | None:
        """The file's tags; None when the source cannot give them (damaged, gone)."""

    def defining(self, name: str) -> Iterable[str]:
        """Paths whose definitions include one named ``name``."""

    def referencing(self, name: str) -> Iterable[str]:
        """Paths with a call site listed under ``name`` (see ``reference_names``)."""


def definition_names(tags: FileTags) -> set[str]:
    return {d.name for d in tags.definitions}


def reference_names(tags: FileTags) -> set[str]:
    """The names a file's call sites are found under: their own, and for ``from m import f as
    g`` the original ``f`` of each ``g()`` (that call reaches ``f``)."""
    names = {r.name for r in tags.references}
    aliases = {
        imp.alias: imp.name for imp in tags.imports if imp.alias and imp.name not in ("", "*")
    }
    names.update(
        original
        for r in tags.references
        if not r.receiver and (original := aliases.get(r.name)) and original != r.name
    )
    return names
