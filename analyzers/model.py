"""The shared vocabulary of tactful: frozen dataclasses that every stage passes along.

Positions follow Python's own convention (as in ``ast``): lines are 1-based, columns are
0-based code-point offsets into the line, and a span's end is exclusive. The LSP layer
converts to 0-based lines and UTF-16 columns; the CLI prints ``line:column+1``.
"""

from __future__ import annotations

import dataclasses
import enum
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field


class FileStatus(str, enum.Enum):
    """What the change did to a file."""

    ADDED = "added"
    DELETED = "deleted"
    MODIFIED = "modified"
    RENAMED = "renamed"
    COPIED = "copied"
    MODE_ONLY = "mode-only"
    BINARY = "binary"


class Severity(str, enum.Enum):
    """How much a finding matters; ordered from least to most severe."""

    INFO = "info"
    WARNING = "warning"
    ERROR = "error"

    @property
    def rank(self) -> int:
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


@dataclass(frozen=True, slots=True)
class Span:
    """A region of a file: 1-based lines, 0-based columns, end exclusive."""

    start_line: int
    start_col: int
    end_line: int
    end_col: int

    @classmethod
    def lines(cls, first: int, last: int) -> Span:
        """The whole of lines ``first``..``last`` (inclusive), ending at the start of the next."""
        return cls(first, 0, last + 1, 0)

    @property
    def last_line(self) -> int:
        """The last line the span touches: a span ending at column 0 stops on the line before."""
        return (
            self.end_line - 1
            if self.end_col == 0 and self.end_line > self.start_line
            else self.end_line
        )

    def contains_line(self, line: int) -> bool:
        return self.start_line <= line <= self.last_line


@dataclass(frozen=True, slots=True)
class Hunk:
    """One ``@@`` block of a unified diff."""

    old_start: int
    old_count: int
    new_start: int
    new_count: int
    header: str
    """Text after the second ``@@`` (often the enclosing function, per git)."""
    added: tuple[int, ...]
    """New-file line numbers of ``+`` lines."""
    removed: tuple[int, ...]
    """Old-file line numbers of ``-`` lines."""
    lines: tuple[str, ...]
    """The hunk body as it appeared, each line with its ``' '``, ``'+'``, ``'-'`` or ``'\\'`` prefix."""


@dataclass(frozen=True, slots=True)
class FileChange:
    """One file of a change set."""

    old_path: str | None
    """Path before the change, relative to the repository root; None for an added file."""
    new_path: str | None
    """Path after the change; None for a deleted file."""
    status: FileStatus
    hunks: tuple[Hunk, ...] = ()
    is_binary: bool = False
    old_mode: str | None = None
    new_mode: str | None = None
    old_missing_newline: bool = False
    """The old file has no newline at its end (``\\ No newline at end of file``)."""
    new_missing_newline: bool = False

    @property
    def path(self) -> str:
        """The path a reviewer talks about: the new one, or the old one for a deletion."""
        return self.new_path or self.old_path or ""

    @property
    def added_lines(self) -> tuple[int, ...]:
        return tuple(n for h in self.hunks for n in h.added)

    @property
    def removed_lines(self) -> tuple[int, ...]:
        return tuple(n for h in self.hunks for n in h.removed)


@dataclass(frozen=True, slots=True)
class ChangeSet:
    """A parsed diff."""

    files: tuple[FileChange, ...]


@dataclass(frozen=True, slots=True)
class ChangeUnit:
    """One changed definition (or module top level, or a bare hunk) in one file."""

    path: str
    language: str | None
    kind: str
    """``function``, ``method``, ``class``, ``module`` or ``hunk`` (no syntax available)."""
    name: str
    """Qualified name, e.g. ``Cache.get``; ``<module>`` for top level; ``<hunk>`` for hunks."""
    old_span: Span | None
    new_span: Span | None
    old_source: str
    new_source: str
    changed_new_lines: tuple[int, ...]
    """New-file lines added inside the unit."""
    changed_old_lines: tuple[int, ...]
    """Old-file lines removed inside the unit."""
    signature: str = ""
    """The unit's header line in the new file (``def get(self, key):``), when it has one."""


@dataclass(frozen=True, slots=True)
class TextEdit:
    """Replace ``span`` of the new file with ``new_text``."""

    span: Span
    new_text: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A concrete, validated change that resolves a finding."""

    description: str
    edits: tuple[TextEdit, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """A place elsewhere that a finding refers to (a caller, the old definition)."""

    path: str
    span: Span
    message: str = ""


@dataclass(frozen=True, slots=True)
class Finding:
    """One review comment."""

    path: str
    span: Span
    severity: Severity
    rule: str
    """Rule id for deterministic checks (``py.debug-print``) or ``llm.<category>`` for the model."""
    message: str
    category: str = "correctness"
    """One of ``correctness``, ``security``, ``error-handling``, ``maintainability``, ``style``,
    ``performance``, ``testing``, ``debug``."""
    source: str = "checks"
    """What produced it: ``checks``, ``callgraph``, or ``llm``."""
    fix: Fix | None = None
    related: tuple[Location, ...] = ()
    confidence: float = 1.0
    unit: str = ""
    """Qualified name of the change unit it lies in."""
    code: str = ""
    """The exact new-file text the finding refers to (used for the fingerprint)."""
    occurrence: int = 0
    """Index among earlier findings with the same path, rule, unit and code (set by
    :func:`number_occurrences`), so identical lines in one unit stay distinct findings."""

    @property
    def identity(self) -> tuple[str, str, str, str]:
        """What the fingerprint hashes besides the occurrence: no line numbers."""
        return (self.path, self.rule, self.unit, " ".join(self.code.split()))

    @property
    def fingerprint(self) -> str:
        """Stable across unrelated edits: path, rule, unit, the flagged code and its occurrence.

        The first occurrence hashes exactly as before occurrences existed, so recorded
        dismissals of single findings keep matching.
        """
        parts = self.identity if not self.occurrence else (*self.identity, str(self.occurrence))
        return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def number_occurrences(findings: Iterable[Finding]) -> list[Finding]:
    """Number findings that share path, rule, unit and code, in the order given (0, 1, 2, ...).

    Called once on each file's sorted check findings, for the CLI and the editor alike, so
    the same occurrence gets the same number: an edit elsewhere changes neither the
    identical findings' order nor their count.
    """
    seen: dict[tuple[str, str, str, str], int] = {}
    numbered: list[Finding] = []
    for finding in findings:
        index = seen.get(finding.identity, 0)
        seen[finding.identity] = index + 1
        numbered.append(
            finding
            if finding.occurrence == index
            else dataclasses.replace(finding, occurrence=index)
        )
    return numbered


@dataclass(frozen=True, slots=True)
class SkippedFile:
    path: str
    reason: str
    """``binary``, ``too-large``, ``unknown-language``, ``generated``, ``vendored``,
    ``deleted``, ``non-utf8``, ``outside-repo``, ``unreadable``, ``mode-only``, ``minified``,
    ``ignored`` (git ignores it), ``untracked`` (an untracked file left out by a setting or
    limit), ``symlink`` (an untracked link to a file in the repository), ``not-a-file``,
    ``parse-budget`` (tree-sitter ran past its CPU budget on the text: hostile input)."""
    detail: str = ""


@dataclass(frozen=True, slots=True)
class Coverage:
    """What a review looked at and what it did not, and why."""

    reviewed: tuple[str, ...] = ()
    skipped: tuple[SkippedFile, ...] = ()
    hunk_level: tuple[str, ...] = ()
    """Files reviewed without syntax (unknown language or unparsable): hunk-level units only."""
    units: int = 0
    notes: tuple[str, ...] = ()
    """One line each: an analyzer that failed, the LLM being off, a budget hit, ..."""
    counters: tuple[tuple[str, int], ...] = field(default=())
    """Named counts (``llm.dropped.unchanged-line`` = 2, ``tokens.prompt`` = 1200, ...)."""
    untracked: tuple[str, ...] = ()
    """Untracked files the change took in as added files (reviewed or skipped like any other)."""
