"""Feedback events: what happened to one suggestion, as one immutable record.

An event names the finding it is about (fingerprint, rule, message, fix), where and by whom
(repository, client, hashed user and team ids) and, for gate decisions, the predicted
probability and the propensity of the decision so that off-policy evaluation stays possible.
"""

from __future__ import annotations

import dataclasses
import hashlib
import time
from dataclasses import dataclass, field
from typing import Any

from tactful.analyzers.model import Finding, Fix

KINDS = (
    "shown",
    "hidden",
    "accepted",
    "rejected",
    "dismissed",
    "ignored",
    "edited_after_accept",
    "resolved_by_edit",
)
"""Every event kind the log accepts."""

POSITIVE_KINDS = frozenset({"accepted", "edited_after_accept", "resolved_by_edit"})
"""The developer acted on the suggestion."""
NEGATIVE_KINDS = frozenset({"rejected", "dismissed", "ignored"})
"""The developer did not act on it."""
CLIENTS = ("vscode", "nvim", "cli", "")


def hash_id(raw: str) -> str:
    """A stable pseudonym for a user or team id (never store the raw one); '' stays ''."""
    if not raw:
        return ""
    return hashlib.sha256(("tactful-id\x1f" + raw).encode("utf-8")).hexdigest()[:16]


def fix_to_json(fix: Fix | None) -> dict[str, Any] | None:
    if fix is None:
        return None
    return {
        "description": fix.description,
        "edits": [
            {
                "span": [e.span.start_line, e.span.start_col, e.span.end_line, e.span.end_col],
                "new_text": e.new_text,
            }
            for e in fix.edits
        ],
    }


@dataclass(frozen=True, kw_only=True)
class FeedbackEvent:
    """One line of the feedback log."""

    kind: str
    fingerprint: str
    suggestion_id: str = ""
    """One showing of a finding (the gate makes a fresh id per decision)."""
    rule: str = ""
    """Rule id, or ``llm.<category>`` for the model."""
    source: str = ""
    category: str = ""
    severity: str = ""
    path: str = ""
    unit: str = ""
    message: str = ""
    fix: dict[str, Any] | None = None
    """The fix as JSON (``description`` and ``edits``), or None."""
    confidence: float | None = None
    snapshot_id: str = ""
    """Content address of the context snapshot (prompt and code) that produced the finding."""
    repository: str = ""
    client: str = ""
    user: str = ""
    """Hashed user id."""
    team: str = ""
    """Hashed team id."""
    probability: float | None = None
    """Gate probability that the developer acts on the suggestion."""
    propensity: float | None = None
    """Probability with which the gate took this decision (1.0 unless exploring)."""
    explored: bool = False
    reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)
    time: float = field(default_factory=time.time)
    seq: int | None = None
    """Row number in the log, set when read back."""

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(
                f"unknown feedback event kind {self.kind!r} (expected one of {', '.join(KINDS)})"
            )
        if not self.fingerprint:
            raise ValueError("feedback event without a fingerprint")

    @classmethod
    def from_finding(cls, kind: str, finding: Finding, **fields: Any) -> FeedbackEvent:
        """An event about ``finding``; ``fields`` fill the rest (client, reason, ...)."""
        return cls(
            kind=kind,
            fingerprint=finding.fingerprint,
            rule=finding.rule,
            source=finding.source,
            category=finding.category,
            severity=finding.severity.value,
            path=finding.path,
            unit=finding.unit,
            message=finding.message,
            fix=fix_to_json(finding.fix),
            confidence=finding.confidence,
            **fields,
        )

    def replace(self, **changes: Any) -> FeedbackEvent:
        return dataclasses.replace(self, **changes)

    @property
    def label(self) -> int | None:
        """1 when the developer acted on the suggestion, 0 when not, None for gate events."""
        if self.kind in POSITIVE_KINDS:
            return 1
        if self.kind in NEGATIVE_KINDS:
            return 0
        return None
