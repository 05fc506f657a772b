"""Where the editor's feedback events go: one small interface, two implementations.

Events (``shown``, ``accepted``, ``dismissed``, ``rejected``, ``resolved_by_edit``,
``ignored``) are written through :class:`FeedbackRecorder`. The real recorder is the durable
SQLite log (:class:`tactful.server.feedback.FeedbackSink`, opened per repository through
:mod:`tactful.server.session`); :class:`MemoryRecorder` keeps events in a list for embedders
that want no disk (and as the fallback when no sink could be opened).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from tactful.analyzers.model import Finding

log = logging.getLogger(__name__)

SHOWN = "shown"
ACCEPTED = "accepted"
DISMISSED = "dismissed"
REJECTED = "rejected"
RESOLVED_BY_EDIT = "resolved_by_edit"
IGNORED = "ignored"


class FeedbackRecorder(Protocol):
    """Writes one feedback event about one finding; must never raise."""

    def record(
        self,
        kind: str,
        finding: Finding,
        *,
        reason: str = "",
        client: str = "",
        extra: dict[str, Any] | None = None,
    ) -> bool:
        """True once the event is durable (on disk)."""
        ...


@dataclass(frozen=True)
class RecordedEvent:
    kind: str
    fingerprint: str
    rule: str
    reason: str
    client: str
    extra: dict[str, Any]


@dataclass
class MemoryRecorder:
    """Keeps events in memory, newest last."""

    events: list[RecordedEvent] = field(default_factory=list)

    def record(
        self,
        kind: str,
        finding: Finding,
        *,
        reason: str = "",
        client: str = "",
        extra: dict[str, Any] | None = None,
    ) -> bool:
        self.events.append(
            RecordedEvent(
                kind, finding.fingerprint, finding.rule, reason, client, dict(extra or {})
            )
        )
        return False  # kept in memory only


def client_id(name: str | None) -> str:
    """The feedback log's short client name for an LSP ``clientInfo.name``."""
    lowered = (name or "").lower()
    if "code" in lowered:
        return "vscode"
    if "vim" in lowered:
        return "nvim"
    return ""
