"""Per-document state the server keeps: the latest review report and what the developer did.

Instances live only inside :class:`~tactful.server.lsp.server.TactfulServer` (the one owner
of mutable state); this module only defines their shape.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from tactful.analyzers.model import Finding
from tactful.server.lsp.documents import Baseline


@dataclass(frozen=True)
class DocReport:
    """One delivered review of one document version."""

    version: int
    text: str
    lines: list[str]
    baseline: Baseline
    findings: list[Finding]
    hidden: list[Finding]
    diagnostics: list[types.Diagnostic]
    result_id: str
    final: bool
    notes: tuple[str, ...] = ()


@dataclass
class DocState:
    """An open document."""

    uri: str
    path: Path
    opened_text: str
    """Text at didOpen: the base of a file outside any repository."""
    report: DocReport | None = None
    last_final: DocReport | None = None
    """The last complete review (all stages), the reference for implicit signals."""
    known: dict[str, Finding] = field(default_factory=dict)
    """Every finding shown for this document, by fingerprint (commands may name older ones)."""
    suppressed: set[str] = field(default_factory=set)
    """Fingerprints the developer dismissed or rejected: not shown again this session."""
    settled: set[str] = field(default_factory=set)
    """Fingerprints whose outcome is already recorded (accepted, resolved, ignored)."""
    generations: dict[int, int] = field(default_factory=dict)
    """Reports delivered per version, to make each result id unique."""
    needs_refresh: bool = False
    """Pulling clients must be asked to pull again (the settings changed)."""
    outdated: bool = False
    """The settings changed after ``report`` was made: pulls wait for the next one, but code
    actions still answer from it (its fixes still fit the text of its version)."""
    updated: asyncio.Event = field(default_factory=asyncio.Event)
    """Set (and replaced) whenever a report is delivered."""

    def next_result_id(self, version: int) -> str:
        generation = self.generations.get(version, 0)
        self.generations = {version: generation + 1}
        return f"{self.uri}@{version}" if generation == 0 else f"{self.uri}@{version}.{generation}"

    def notify_updated(self) -> None:
        self.updated.set()
        self.updated = asyncio.Event()
