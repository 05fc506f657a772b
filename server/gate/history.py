"""What a developer and their team did before: smoothed acceptance rates and rejected fingerprints.

Rates are kept per rule, per category, per severity, per category and severity, per kind
of path (test, generated, doc, source), per rule in this repository, and per context of the
suggestion (language, top directory, unit kind, hunk size, own-vs-others' code, position in
the session: :mod:`situation`), so a preference such as "nothing in tests" or "only errors"
shows up as a rate after a few verdicts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field

from tactful.server.feedback.events import FeedbackEvent
from tactful.server.feedback.store import FeedbackStore
from tactful.server.gate.features import path_flags
from tactful.server.gate.situation import SessionTracker, area

SMOOTHING = 3.0
"""Pseudo-events at the neutral rate: three real verdicts weigh as much as the neutral guess."""
NEUTRAL_RATE = 0.5
VERDICT_KINDS = (
    "accepted",
    "rejected",
    "dismissed",
    "ignored",
    "edited_after_accept",
    "resolved_by_edit",
)


def path_kind(path: str) -> str:
    flags = path_flags(path)
    return flags[0].removeprefix("path:") if flags else "source"


def context_keys(
    rule: str, category: str, severity: str, path: str, categories: Mapping[str, str] | None = None,
    repository: str = "",
) -> dict[str, str]:  # fmt: skip
    """The history tables a suggestion is counted in, by feature name."""
    keys = {
        "u_rule": f"rule:{rule}",
        "u_cat": f"cat:{category}",
        "u_sev": f"sev:{severity}",
        "u_catsev": f"cat:{category}&sev:{severity}",
        "u_path": f"path:{path_kind(path)}",
    }
    if repository:
        keys["r_rule"] = f"repo:{repository}&rule:{rule}"
    for name, value in (categories or {"area": area(path)}).items():
        keys[f"u_{name}"] = f"{name}:{value}"
    return keys


@dataclass
class GateHistory:
    """Verdict counts for one user (by context key) and their team (by rule)."""

    user: str = ""
    team: str = ""
    repository: str = ""
    """The repository the gate decides for (per-repository rates)."""
    counts: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """Context key -> [acted on, verdicts] for the user."""
    team_rule: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    rejected: set[str] = field(default_factory=set)
    """Fingerprints the developer rejected: never shown again."""
    session: SessionTracker = field(default_factory=SessionTracker)
    sources: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """Finding source (``checks``, ``llm``) -> [acted on, verdicts] for the user."""

    @classmethod
    def from_store(cls, store: FeedbackStore, user: str = "", team: str = "") -> GateHistory:
        history = cls(user=user, team=team)
        for event in store.iter_events(kinds=VERDICT_KINDS):
            history.observe(event)
        return history

    def observe(self, event: FeedbackEvent, categories: Mapping[str, str] | None = None) -> None:
        """Count a verdict; ``categories`` is the suggestion's context when it was decided
        (a verdict read back from the log has only what the event says)."""
        label = event.label
        if label is None:
            return
        mine = not self.user or event.user == self.user
        ours = bool(self.team) and event.team == self.team
        if mine:
            self.session.verdict(label)
            keys = context_keys(event.rule, event.category, event.severity, event.path, categories,
                                event.repository)  # fmt: skip
            for key in keys.values():
                counts = self.counts[key]
                counts[0] += label
                counts[1] += 1
            source = self.sources[event.source or "checks"]
            source[0] += label
            source[1] += 1
            if event.kind == "rejected":
                self.rejected.add(event.fingerprint)
            elif label == 1:
                self.rejected.discard(event.fingerprint)
        if ours or (mine and not self.team):
            counts = self.team_rule[event.rule]
            counts[0] += label
            counts[1] += 1

    @staticmethod
    def rate(counts: list[int] | None) -> tuple[float, int]:
        """Smoothed acceptance rate and the number of verdicts behind it."""
        if not counts:
            return NEUTRAL_RATE, 0
        acted, seen = counts
        return (acted + SMOOTHING * NEUTRAL_RATE) / (seen + SMOOTHING), seen

    def user_rate(self, key: str) -> tuple[float, int]:
        return self.rate(self.counts.get(key))

    def team_rule_rate(self, rule: str) -> tuple[float, int]:
        return self.rate(self.team_rule.get(rule))
