"""Headless pull-request runs: only new findings after a push, never a rejected one again, a cap.

``--state FILE`` holds the fingerprints of the previous run's findings (written by that run,
or rebuilt from the markers in the comments it posted). A run after a new push reports the
findings that are new, counts the ones still open, and lists those now resolved. Fingerprints
a developer rejected (from the feedback store, or from any file holding fingerprints or
tactful's comment markers, such as an export of down-voted comments) are never reported
again. ``--max-findings N`` keeps the N ranked highest and says so in the coverage.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tactful.analyzers.model import Finding
from tactful.server.errors import UsageError
from tactful.server.feedback.events import NEGATIVE_KINDS
from tactful.server.feedback.store import FeedbackStore, FeedbackStoreError
from tactful.server.formats.github import posted_fingerprints
from tactful.server.gate.runtime import GATE_PROBABILITY
from tactful.server.pipeline import ReviewResult, add_counters, add_note

STATE_VERSION = 1
_BARE_FINGERPRINT = re.compile(r"^[0-9a-f]{16}$")
_LISTED_RESOLVED = 10


@dataclass(frozen=True)
class PreviousRun:
    findings: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Fingerprint -> what was reported (path, line, rule, message)."""

    @classmethod
    def from_text(cls, text: str) -> PreviousRun:
        """The fingerprints named by tactful's markers in posted comments."""
        return cls({fp: {"fingerprint": fp} for fp in sorted(posted_fingerprints(text))})

    def merged(self, other: PreviousRun) -> PreviousRun:
        return PreviousRun({**other.findings, **self.findings})


def load_state(path: Path) -> PreviousRun:
    """The previous run's state; an absent file means a first run."""
    if not path.exists():
        return PreviousRun()
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(
            f"--state {path}: not a tactful state file ({exc.__class__.__name__}: {exc})"
        ) from exc
    if (
        not isinstance(data, dict)
        or data.get("version") != STATE_VERSION
        or not isinstance(data.get("findings"), list)
    ):
        raise UsageError(
            f"--state {path}: not a tactful state file (expected version {STATE_VERSION} with a findings list)"
        )
    findings = {}
    for entry in data["findings"]:
        if isinstance(entry, dict) and isinstance(entry.get("fingerprint"), str):
            findings[entry["fingerprint"]] = entry
    return PreviousRun(findings)


def state_from_comments(path: Path) -> PreviousRun:
    """A previous run rebuilt from the markers in its posted comments (e.g. ``gh api .../comments``)."""
    try:
        text = path.read_text("utf-8", "replace")
    except OSError as exc:
        raise UsageError(
            f"--previous-comments {path}: cannot read ({exc.strerror or exc})"
        ) from exc
    return PreviousRun.from_text(text)


def _entry(finding: Finding) -> dict[str, Any]:
    return {
        "fingerprint": finding.fingerprint,
        "path": finding.path,
        "line": finding.span.start_line,
        "rule": finding.rule,
        "message": finding.message,
    }


def write_state(
    path: Path, findings: Iterable[Finding], label: str, resolved: Iterable[str] = ()
) -> None:
    """Every finding of this run (shown, hidden, or reported before) so the next run can tell new from old."""
    data = {
        "version": STATE_VERSION,
        "change": label,
        "findings": [_entry(f) for f in findings],
        "resolved": sorted(resolved),
    }
    tmp = path.with_name(path.name + ".tmp")
    try:
        tmp.write_text(json.dumps(data, indent=1) + "\n", "utf-8")
        tmp.replace(path)  # a killed run leaves the old state, never half a file
    except OSError as exc:
        raise UsageError(f"--state {path}: cannot write ({exc.strerror or exc})") from exc


def rejected_fingerprints(db: Path | None, files: Iterable[Path]) -> set[str]:
    """Fingerprints a developer rejected, dismissed or ignored, from a feedback DB and from files.

    A file may list bare fingerprints one per line, be a ``tactful feedback export`` (JSONL),
    or any text holding tactful's comment markers.
    """
    rejected: set[str] = set()
    if db is not None:
        if not db.exists():
            raise UsageError(f"--feedback {db}: no such feedback store")
        try:
            with FeedbackStore.open(db) as store:
                rejected.update(e.fingerprint for e in store.iter_events(kinds=NEGATIVE_KINDS))
        except FeedbackStoreError as exc:
            raise UsageError(f"--feedback {db}: {exc}") from exc
    for path in files:
        try:
            text = path.read_text("utf-8", "replace")
        except OSError as exc:
            raise UsageError(f"--rejected {path}: cannot read ({exc.strerror or exc})") from exc
        rejected |= posted_fingerprints(text)
        for line in text.splitlines():
            line = line.strip()
            if _BARE_FINGERPRINT.match(line):
                rejected.add(line)
            elif line.startswith("{"):
                rejected |= _export_fingerprint(line)
    return rejected


def _export_fingerprint(line: str) -> set[str]:
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return set()
    if (
        isinstance(event, dict)
        and event.get("kind") in NEGATIVE_KINDS
        and isinstance(event.get("fingerprint"), str)
    ):
        return {event["fingerprint"]}
    return set()


def drop_rejected(result: ReviewResult, rejected: set[str]) -> None:
    if not rejected:
        return
    before = len(result.findings)
    result.findings = [f for f in result.findings if f.fingerprint not in rejected]
    dropped = before - len(result.findings)
    if dropped:
        add_counters(result, {"headless.rejected-before": dropped})
        add_note(result, f"{dropped} finding(s) not reported again: rejected before")


def apply_incremental(result: ReviewResult, previous: PreviousRun) -> list[str]:
    """Keep only findings the previous run did not report; return the fingerprints now resolved."""
    current = {f.fingerprint for f in [*result.findings, *result.hidden]}
    resolved = [fp for fp in previous.findings if fp not in current]
    still_open = [f for f in result.findings if f.fingerprint in previous.findings]
    result.findings = [f for f in result.findings if f.fingerprint not in previous.findings]
    add_counters(
        result,
        {
            "incremental.new": len(result.findings),
            "incremental.open": len(still_open),
            "incremental.resolved": len(resolved),
        },
    )
    if previous.findings:
        note = f"incremental: {len(result.findings)} new, {len(still_open)} still open from the previous run, {len(resolved)} resolved"
        add_note(result, note)
        for fp in resolved[:_LISTED_RESOLVED]:
            entry = previous.findings[fp]
            where = f"{entry.get('path')}:{entry.get('line')} " if entry.get("path") else ""
            add_note(result, f"resolved: {where}{entry.get('rule', '')} ({fp})".replace("  ", " "))
        if len(resolved) > _LISTED_RESOLVED:
            add_note(
                result,
                f"resolved: … and {len(resolved) - _LISTED_RESOLVED} more (see the state file)",
            )
    return resolved


def rank_key(finding: Finding, probability: float | None) -> tuple[float, ...]:
    """Higher first: the gate's probability when it decided, then severity, then confidence."""
    return (
        -(probability if probability is not None else -1.0),
        -finding.severity.rank,
        -finding.confidence,
    )


def cap_findings(result: ReviewResult, limit: int | None) -> None:
    """Keep the ``limit`` findings ranked highest; the rest go to ``hidden`` and the coverage says so."""
    if limit is None or len(result.findings) <= limit:
        return

    def probability(f: Finding) -> float | None:
        return result.features.get(f.fingerprint, {}).get(GATE_PROBABILITY)

    ranked = sorted(result.findings, key=lambda f: rank_key(f, probability(f)))
    kept = set(id(f) for f in ranked[:limit])
    cut = [f for f in result.findings if id(f) not in kept]
    result.findings = [f for f in result.findings if id(f) in kept]
    result.hidden.extend(cut)
    add_counters(result, {"headless.capped": len(cut)})
    add_note(
        result,
        f"--max-findings {limit}: {len(cut)} lower-ranked finding(s) not shown (drop --max-findings to see them)",
    )
