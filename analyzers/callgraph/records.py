"""What callers and callees queries return: frozen, JSON-friendly records."""

from __future__ import annotations

from dataclasses import dataclass

from tactful.analyzers.model import Span


@dataclass(frozen=True, slots=True)
class CallSite:
    """A place that calls the definition asked about (directly, or through ``depth - 1`` others)."""

    path: str
    span: Span
    snippet: str
    caller: str
    """Qualified name of the calling definition (``<module>`` at top level)."""
    callee: str
    callee_path: str
    confidence: str
    depth: int


@dataclass(frozen=True, slots=True)
class Callee:
    """A definition that the one asked about calls (directly, or at ``depth``)."""

    qualified_name: str
    path: str
    span: Span
    signature: str
    kind: str
    confidence: str
    depth: int
    call_path: str
    call_span: Span
    """The first call site, in the caller, that reaches it."""
