"""The one review pipeline that the CLI and the LSP server both call.

``review(change, settings)`` takes a parsed change set plus a way to read the old and new
text of each file, and returns a :class:`ReviewResult`: findings, change units, the
call-graph context of each unit, and a coverage record of what was and was not looked at.

Offline stages run synchronously and in order: read and screen each file, map changed
lines to change units (tree-sitter), run the deterministic checks, add call-graph context.
Each analyzer runs isolated: one that raises is reported in the coverage and the others
still report. Slower reviewers (the LLM) run after :func:`review` as extra stages over the
same :class:`ReviewResult` (see :func:`merge_findings`), which lets the editor show offline
findings first and add the rest when they arrive.
"""

from __future__ import annotations

import dataclasses
import fnmatch
import logging
import posixpath
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from tactful.analyzers import checks, suppress, syntax
from tactful.analyzers.context import UnitCalls
from tactful.analyzers.filekinds import (
    has_generated_marker,
    has_generated_name,
    is_vendored,
    minified_reason,
)
from tactful.analyzers.habits import ProjectHabits, adds_todo
from tactful.analyzers.languages import ParseTooSlow, detect_language
from tactful.analyzers.model import (
    ChangeSet,
    ChangeUnit,
    Coverage,
    FileChange,
    FileStatus,
    Finding,
    Severity,
    SkippedFile,
)
from tactful.server.git import OutsideRepository
from tactful.server.settings import Settings

log = logging.getLogger(__name__)


class FileSource(Protocol):
    """Reads file contents on either side of a change; None when the file does not exist there."""

    def old(self, path: str) -> bytes | None: ...

    def new(self, path: str) -> bytes | None: ...


@dataclass(frozen=True)
class Change:
    """What to review: the parsed diff and where to read the files it names."""

    change_set: ChangeSet
    files: FileSource
    root: str | None = None
    """Repository root (absolute), when the change comes from a repository."""
    label: str = ""
    """Human description: ``working tree vs HEAD``, ``main...feature``, ``patch.diff``."""
    skipped: tuple[SkippedFile, ...] = ()
    """Files the change names but its builder already decided not to review (untracked
    files left out by a setting, a link leading out of the repository, ...)."""
    untracked: tuple[str, ...] = ()
    """Paths in ``change_set`` that git does not track (reviewed as added files)."""


@dataclass(frozen=True)
class FileReview:
    """The texts and units of one reviewed file, kept for later stages (LLM, LSP)."""

    change: FileChange
    language: str | None
    old_text: str | None
    new_text: str | None
    units: tuple[ChangeUnit, ...]
    syntax: bool
    """False when units are hunk-level (unknown language or unparsable)."""
    new_tree: Any = field(default=None, repr=False, compare=False)
    """The tree-sitter tree of ``new_text`` when it was parsed (shared by later stages)."""
    old_tree: Any = field(default=None, repr=False, compare=False)
    """The tree of ``old_text``, likewise."""


@dataclass
class ReviewResult:
    findings: list[Finding] = field(default_factory=list)
    """Findings the gate shows (all findings when no gate is wired)."""
    hidden: list[Finding] = field(default_factory=list)
    """Findings the gate hid; still retrievable on request."""
    files: list[FileReview] = field(default_factory=list)
    coverage: Coverage = field(default_factory=Coverage)
    unit_context: dict[tuple[str, str], UnitCalls] = field(default_factory=dict)
    """Callers and callees per (path, unit name), from the call-graph stage."""
    features: dict[str, dict[str, float]] = field(default_factory=dict)
    """Extra gate features per finding fingerprint (LLM confidence, critique score)."""

    @property
    def units(self) -> list[ChangeUnit]:
        return [u for f in self.files for u in f.units]


def _habits_for(
    file: FileChange,
    screened: FileReview,
    habits: ProjectHabits | Callable[[], ProjectHabits] | None,
) -> ProjectHabits | None:
    if not callable(habits):
        return habits
    lines = set(file.added_lines).union(*(u.changed_new_lines for u in screened.units))
    return habits() if adds_todo(screened.new_text or "", lines) else None


# A stage after the offline checks: gets the result so far and may add findings and notes.
Stage = Callable[["ReviewResult", Change, Settings], None]


def review(
    change: Change,
    settings: Settings,
    stages: Sequence[Stage] = (),
    habits: ProjectHabits | Callable[[], ProjectHabits] | None = None,
) -> ReviewResult:
    """Review ``change``: offline analysis, then each extra stage in order.

    ``habits`` are the repository's conventions (measured by the session), which rules
    about style and process follow; without them those rules judge each file alone. A
    callable is called only for a file whose added lines need them (measuring costs a
    ``git grep`` over the repository).
    """
    result = ReviewResult()
    cov = _CoverageBuilder(skipped=list(change.skipped), untracked=list(change.untracked))
    disabled = frozenset(settings.review.disabled_rules)
    _prefetch(change.files, change.change_set.files, settings)
    for file in change.change_set.files:
        screened = _screen(file, change, settings, cov)
        if screened is None:
            continue
        result.files.append(screened)
        cov.reviewed.append(file.path)
        if not screened.syntax:
            cov.hunk_level.append(file.path)
        if screened.new_text is None:
            continue
        try:
            outcome = checks.run_checks(
                file,
                screened.units,
                screened.new_text,
                screened.language,
                disabled=disabled,
                tree=screened.new_tree,
                old_text=screened.old_text,
                habits=_habits_for(file, screened, habits),
            )
        except Exception as exc:  # a broken analyzer must not take the review down
            log.exception("checks failed on %s", file.path)
            cov.notes.append(f"{file.path}: checks failed: {exc.__class__.__name__}: {exc}")
            continue
        result.findings.extend(outcome.findings)
        cov.notes.extend(outcome.errors)
    result.coverage = cov.build(units=len(result.units))
    result.findings = apply_rule_settings(result, result.findings, settings)
    for stage in stages:
        try:
            stage(result, change, settings)
        except Exception as exc:
            name = getattr(stage, "__name__", type(stage).__name__)
            log.exception("review stage %s failed", name)
            add_note(result, f"stage {name} failed: {exc.__class__.__name__}: {exc}")
    result.findings.sort(key=_finding_order)
    return result


def merge_findings(
    result: ReviewResult, new: Sequence[Finding], settings: Settings | None = None
) -> list[Finding]:
    """Add ``new`` findings, dropping any whose fingerprint or (path, line, rule) is already there.

    With ``settings``, the rule settings apply to them first (see :func:`apply_rule_settings`).
    Returns the findings actually added.
    """
    if settings is not None:
        new = apply_rule_settings(result, new, settings)
    seen = {f.fingerprint for f in result.findings} | {f.fingerprint for f in result.hidden}
    added = [f for f in new if f.fingerprint not in seen]
    result.findings.extend(added)
    result.findings.sort(key=_finding_order)
    return added


def apply_rule_settings(
    result: ReviewResult, findings: Sequence[Finding], settings: Settings
) -> list[Finding]:
    """``findings`` less disabled rules and those a ``tactful: ignore[rule]`` comment covers,
    with ``review.ruleSeverity`` applied; the suppressed ones are counted.

    Every source (checks, call graph, model) goes through here, so a rule id means the same
    thing in every setting and comment.
    """
    review_settings = settings.review
    disabled = frozenset(review_settings.disabled_rules)
    files = {f.change.path: f for f in result.files}
    covered: dict[str, suppress.Suppressions] = {}
    kept: list[Finding] = []
    suppressed = 0
    for finding in findings:
        if checks.is_disabled(finding.rule, disabled):
            continue
        file = files.get(finding.path)
        if file is not None and file.new_text is not None and finding.path not in covered:
            covered[finding.path] = suppress.suppressions(file.new_text, file.language)
        if suppress.is_suppressed(finding, covered.get(finding.path, {})):
            suppressed += 1
            continue
        severity = rule_severity(finding.rule, review_settings.rule_severity)
        kept.append(dataclasses.replace(finding, severity=severity) if severity else finding)
    if suppressed:
        add_counters(result, {"suppressed-inline": suppressed})
    return kept


def rule_severity(rule: str, table: dict[str, str]) -> Severity | None:
    """The severity ``review.ruleSeverity`` gives ``rule``: its exact id first, then the first glob."""
    name = table.get(rule)
    if name is None:
        name = next((v for k, v in table.items() if fnmatch.fnmatchcase(rule, k)), None)
    return Severity(name) if name else None


def add_note(result: ReviewResult, note: str) -> None:
    result.coverage = dataclasses.replace(result.coverage, notes=(*result.coverage.notes, note))


def add_counters(result: ReviewResult, counts: dict[str, int]) -> None:
    merged = dict(result.coverage.counters)
    for key, value in counts.items():
        merged[key] = merged.get(key, 0) + value
    result.coverage = dataclasses.replace(result.coverage, counters=tuple(sorted(merged.items())))


def _finding_order(f: Finding) -> tuple[str, int, int, str]:
    return (f.path, f.span.start_line, f.span.start_col, f.rule)


@dataclass
class _CoverageBuilder:
    reviewed: list[str] = field(default_factory=list)
    skipped: list[SkippedFile] = field(default_factory=list)
    hunk_level: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    untracked: list[str] = field(default_factory=list)

    def skip(self, path: str, reason: str, detail: str = "") -> None:
        self.skipped.append(SkippedFile(path, reason, detail))

    def build(self, units: int) -> Coverage:
        return Coverage(
            reviewed=tuple(self.reviewed),
            skipped=tuple(self.skipped),
            hunk_level=tuple(self.hunk_level),
            units=units,
            notes=tuple(self.notes),
            untracked=tuple(self.untracked),
        )


def path_escapes(path: str) -> bool:
    """True when a diff path is absolute or climbs out of the repository (``../x``)."""
    if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
        return True
    normal = posixpath.normpath(path.replace("\\", "/"))
    return normal == ".." or normal.startswith("../")


def path_skip(path: str, settings: Settings) -> tuple[str, str] | None:
    """(reason, detail) when a file is not reviewed for its path alone, before anything is read."""
    if path_escapes(path):
        return "outside-repo", f"path {path!r} escapes the repository"
    if any(fnmatch.fnmatch(path, pattern) for pattern in settings.review.exclude):
        return "excluded", "matches review.exclude"
    if is_vendored(path):
        return "vendored", ""
    if has_generated_name(path):
        return "generated", "generated-file name"
    return None


def _prefetch(source: FileSource, files: Sequence[FileChange], settings: Settings) -> None:
    """Let a source that can read many files at once (git) read the sides the review will ask
    for: a pull request of a hundred files then costs one git process, not two hundred."""
    prefetch = getattr(source, "prefetch", None)
    if prefetch is None:
        return
    wanted = [f for f in files if _path_skip(f, settings) is None]
    prefetch(
        [f.old_path for f in wanted if f.old_path and f.status is not FileStatus.ADDED],
        [f.path for f in wanted],
    )


def _path_skip(file: FileChange, settings: Settings) -> tuple[str, str] | None:
    """Why the file is not reviewed, from the diff and its path alone (None: read it)."""
    path = file.path
    for candidate in (file.old_path, file.new_path):
        if candidate and path_escapes(candidate):
            return ("outside-repo", f"path {candidate!r} escapes the repository")
    if any(fnmatch.fnmatch(path, pattern) for pattern in settings.review.exclude):
        return ("excluded", "matches review.exclude")
    if file.is_binary or file.status is FileStatus.BINARY:
        return ("binary", "")
    if file.status is FileStatus.MODE_ONLY or (
        not file.hunks and file.status is not FileStatus.DELETED
    ):
        return ("mode-only" if file.status is FileStatus.MODE_ONLY else "no-content-change", "")
    if file.status is FileStatus.DELETED:
        return ("deleted", "")
    return path_skip(path, settings)  # vendored, generated


def _screen(
    file: FileChange, change: Change, settings: Settings, cov: _CoverageBuilder
) -> FileReview | None:
    """Read a file's two sides and decide whether to review it; record why not."""
    path = file.path
    skip = _path_skip(file, settings)
    if skip is not None:
        cov.skip(path, *skip)
        return None
    new_text, problem = _read(change.files.new, path, settings)
    if problem:
        cov.skip(path, *problem)
        return None
    old_text: str | None = None
    if file.old_path and file.status is not FileStatus.ADDED:
        old_text, problem = _read(change.files.old, file.old_path, settings)
        if problem:
            # The new side is what we review; an unreadable old side only costs old-unit detail.
            cov.notes.append(f"{path}: old version not used: {problem[0]} ({problem[1]})")
            old_text = None
    if new_text is not None and has_generated_marker(new_text):
        cov.skip(path, "generated", "generated-file marker in the first lines")
        return None
    if new_text is not None and (why := minified_reason(new_text)):
        cov.skip(path, "minified", why)
        return None
    language = detect_language(path, new_text)
    if language is None:
        cov.notes.append(f"{path}: unknown language, reviewed at hunk level")
    try:
        mapping = syntax.change_units(file, old_text, new_text, language)
    except ParseTooSlow as exc:
        # Hostile text (tree-sitter's error recovery on it is slow): every check would
        # parse it again, so the file is left out rather than reviewed without syntax.
        cov.skip(path, "parse-budget", str(exc))
        return None
    except Exception as exc:
        log.exception("unit mapping failed on %s", path)
        cov.notes.append(f"{path}: unit mapping failed: {exc.__class__.__name__}: {exc}")
        mapping = syntax.change_units(file, old_text, new_text, None)
    if not mapping.syntax and language is not None:
        cov.notes.append(f"{path}: {mapping.reason}, reviewed at hunk level")
    return FileReview(
        file,
        language,
        old_text,
        new_text,
        mapping.units,
        mapping.syntax,
        mapping.new_tree,
        mapping.old_tree,
    )


def _read(
    reader: Callable[[str], bytes | None], path: str, settings: Settings
) -> tuple[str | None, tuple[str, str] | None]:
    try:
        data = reader(path)
    except OutsideRepository as exc:
        return None, ("outside-repo", str(exc))
    except OSError as exc:
        return None, ("unreadable", f"{path}: {exc.strerror or exc}")
    if data is None:
        return None, None
    if len(data) > settings.review.max_file_bytes:
        return None, (
            "too-large",
            f"{len(data):,} bytes > review.maxFileBytes {settings.review.max_file_bytes:,}",
        )
    if b"\x00" in data[:8192]:
        return None, ("binary", "NUL byte in content")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        return None, ("non-utf8", f"line {line}, byte offset {exc.start}: not valid UTF-8")
    lines = text.count("\n") + 1
    if lines > settings.review.max_file_lines:
        return None, (
            "too-large",
            f"{lines:,} lines > review.maxFileLines {settings.review.max_file_lines:,}",
        )
    return text, None
