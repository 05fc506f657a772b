"""The records of per-file tags: definitions, call sites, and the tags of one file.

Named tuples with spans stored flat: an index holds hundreds of thousands of them, and
tuples of plain values are several times cheaper to build, pickle and unpickle than
frozen dataclasses. ``tags.py`` extracts them from a tree.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from tactful.analyzers.callgraph.imports import Import
from tactful.analyzers.model import Span

MODULE = "<module>"
"""Caller name of call sites at a file's top level."""
CLASS_KINDS = frozenset({"class", "interface", "module", "impl"})
"""Definition kinds whose members are methods."""


class Definition(NamedTuple):
    """A function, method, constructor or type defined in a file.

    A named tuple with its span stored flat: indexes hold hundreds of thousands of these,
    and tuples of plain values are several times cheaper to build, pickle and unpickle
    than frozen dataclasses.
    """

    path: str
    language: str
    kind: str
    """``function``, ``method``, ``constructor``, ``class``, ``interface`` or ``module``."""
    name: str
    qualified_name: str
    """Dotted name inside the file: ``Cache.get``, ``outer.inner``, Go ``Server.Start``."""
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    signature: str
    """The header text up to the body, whitespace collapsed."""
    params: tuple[str, ...] = ()
    """Parameter names, without ``self``/``this`` receivers."""
    min_args: int = 0
    max_args: int | None = 0
    """None when the definition takes a variable number of arguments."""
    receiver: str = ""
    """Go: the receiver variable of a method (``s`` in ``func (s *Server) Start()``)."""

    @property
    def span(self) -> Span:
        return Span(self.start_line, self.start_col, self.end_line, self.end_col)

    @property
    def callable(self) -> bool:
        return self.kind not in CLASS_KINDS

    def accepts(self, arity: int | None) -> bool:
        """Whether a call passing ``arity`` arguments fits (unknown arity always fits)."""
        if arity is None or self.kind in CLASS_KINDS:
            return True
        return self.min_args <= arity and (self.max_args is None or arity <= self.max_args)


class Reference(NamedTuple):
    """A call site (a named tuple, like :class:`Definition`)."""

    path: str
    name: str
    """The called name (last component): ``save`` in ``obj.save()``."""
    receiver: str
    """Text before the name (``obj``, ``self``, ``pkg``, ``new Foo()``); empty for bare calls."""
    start_line: int
    start_col: int
    end_line: int
    end_col: int
    caller: str
    """Qualified name of the enclosing definition, or ``<module>``."""
    arity: int | None
    """Arguments passed; None when unknown (splats, spreads)."""
    keywords: tuple[str, ...] = ()
    """Names of keyword arguments (Python, Ruby, C#, PHP)."""
    kind: str = "call"
    """``call`` or ``new`` (object creation)."""
    snippet: str = ""
    """The call site's line, stripped."""

    @property
    def span(self) -> Span:
        return Span(self.start_line, self.start_col, self.end_line, self.end_col)


@dataclass(frozen=True, slots=True)
class FileTags:
    path: str
    language: str
    definitions: tuple[Definition, ...] = ()
    references: tuple[Reference, ...] = ()
    imports: tuple[Import, ...] = ()
    package: str = ""
    """Declared package or namespace (Go, Java, C#, PHP), when there is one."""
    error_count: int = 0
    """ERROR and MISSING nodes in the tree (0 for a clean parse)."""

    def __reduce__(self) -> tuple[Any, ...]:
        # Plain tuples pickle in C; the records are rebuilt in one pass on load.
        return (
            _rebuild_tags,
            (
                self.path,
                self.language,
                [tuple(d) for d in self.definitions],
                [tuple(r) for r in self.references],
                [tuple(i) for i in self.imports],
                self.package,
                self.error_count,
            ),
        )


def _rebuild_tags(
    path: str,
    language: str,
    defs: list[tuple[Any, ...]],
    refs: list[tuple[Any, ...]],
    imports: list[tuple[Any, ...]],
    package: str,
    errors: int,
) -> FileTags:
    make_def, make_ref = Definition._make, Reference._make
    return FileTags(
        path,
        language,
        tuple(map(make_def, defs)),
        tuple(map(make_ref, refs)),
        tuple(Import(*i) for i in imports),
        package,
        errors,
    )
