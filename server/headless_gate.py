"""The display gate of a headless run, learned from the feedback store named by ``--feedback DB``.

A CI run has no developer of its own: the store it is given holds the verdicts of the people
who review the repository (one developer's log, or a team's). The gate is opened from that
store *read only* and decides as if every verdict in it were one reviewer's: history and
hide-constraint outcomes of all users (or of ``feedback.user`` when set), the learned model
of that reviewer when the store holds one, else rebuilt by replaying the verdicts. Nothing is
written back: no shown/hidden events, no learned state, and no exploration, since an explored
suggestion only pays for itself through the verdict it is logged to collect.
``--record-feedback`` keeps the same gate and logs its decisions (exploring as configured)
into the store through an ordinary feedback sink; the learned state is never saved.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactful.server.errors import UsageError
from tactful.server.feedback.events import hash_id
from tactful.server.feedback.sink import open_sink
from tactful.server.feedback.store import FeedbackStore, FeedbackStoreError
from tactful.server.gate import Gate
from tactful.server.gate.history import VERDICT_KINDS
from tactful.server.session import ReviewSession, git_user
from tactful.server.settings import Settings


@dataclass(frozen=True)
class FeedbackGate:
    """A read-only gate and what it learned from."""

    gate: Gate
    verdicts: int
    replayed: bool
    """True when the learned model was rebuilt from the verdicts (no saved state for the reviewer)."""

    def note(self, db: Path, *, recorded: bool = False) -> str:
        how = "model replayed from them" if self.replayed else "saved model"
        written = "decisions logged into it" if recorded else "read only, nothing written"
        return f"display gate: {self.verdicts} verdict(s) from {db}, {how} ({written})"


def _discard(key: str, value: dict[str, Any]) -> bool:
    """The saver of a read-only gate: the learned state stays in memory."""
    return True


def open_feedback_gate(
    db: Path, settings: Settings, root: Path | None, *, explore: bool = False
) -> FeedbackGate:
    """A gate learned from ``db`` without writing to it (a read-only file or folder is fine).

    ``explore``: keep the configured exploration (only when the decisions are logged).
    """
    if not db.exists():
        raise UsageError(f"--feedback {db}: no such feedback store")
    gate_settings = (
        settings.gate if explore else dataclasses.replace(settings.gate, exploration=0.0)
    )
    user = hash_id(settings.feedback.user)  # '' pools every reviewer in the store
    try:
        with FeedbackStore.open_read_only(db) as store:
            gate = Gate.open(
                gate_settings, store, user=user, team=hash_id(settings.feedback.team),
                repository=str(root or ""), saver=_discard,
            )  # fmt: skip
            replayed = store.load_state(gate.state_key) is None
            verdicts = 0
            for event in store.iter_events(kinds=VERDICT_KINDS, user=user or None):
                verdicts += 1
                if replayed:  # the history and outcomes are already read; only the model learns
                    gate.suggestions.observe(event)
    except FeedbackStoreError as exc:
        raise UsageError(f"--feedback {db}: {exc}") from exc
    gate.store = None  # closed; the discarding saver is all that save() reaches
    return FeedbackGate(gate, verdicts, replayed)


def feedback_session(
    settings: Settings, root: Path | None, db: Path, *, record: bool = False
) -> tuple[ReviewSession, str]:
    """A session deciding through the gate learned from ``db``, and a note saying so.

    ``record``: log the decisions into ``db`` (an ordinary sink); otherwise there is no sink.
    """
    learned = open_feedback_gate(db, settings, root, explore=record)
    gate = learned.gate if settings.gate.enabled else None
    sink = None
    user = None
    if record:
        writing = dataclasses.replace(
            settings, feedback=dataclasses.replace(settings.feedback, db_path=str(db))
        )
        user = git_user(root)
        sink = open_sink(writing, client="cli", repository=str(root or ""), user=user)
    note = (
        learned.note(db, recorded=record)
        if gate is not None
        else "display gate: off (gate.enabled)"
    )
    return ReviewSession(settings, root, "cli", sink=sink, gate=gate, user=user), note
