"""What a developer and their team did before: smoothed acceptance rates and rejected fingerprints."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from tactful.server.feedback.events import FeedbackEvent
from tactful.server.feedback.store import FeedbackStore

SMOOTHING = 3.0
"""Pseudo-events at the neutral rate: three real verdicts weigh as much as the neutral guess."""
NEUTRAL_RATE = 0.5


@dataclass
class GateHistory:
    """Verdict counts per rule and category for one user and their team."""

    user: str = ""
    team: str = ""
    user_rule: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    """rule -> [acted on, verdicts]."""
    user_category: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    team_rule: dict[str, list[int]] = field(default_factory=lambda: defaultdict(lambda: [0, 0]))
    rejected: set[str] = field(default_factory=set)
    """Fingerprints the developer rejected: never shown again."""

    @classmethod
    def from_store(cls, store: FeedbackStore, user: str = "", team: str = "") -> GateHistory:
        history = cls(user=user, team=team)
        for event in store.iter_events(kinds=("accepted", "rejected", "dismissed", "ignored",
                                              "edited_after_accept", "resolved_by_edit")):  # fmt: skip
            history.observe(event)
        return history

    def observe(self, event: FeedbackEvent) -> None:
        label = event.label
        if label is None:
            return
        mine = not self.user or event.user == self.user
        ours = bool(self.team) and event.team == self.team
        if mine:
            for table, key in ((self.user_rule, event.rule), (self.user_category, event.category)):
                counts = table[key]
                counts[0] += label
                counts[1] += 1
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

    def user_rule_rate(self, rule: str) -> tuple[float, int]:
        return self.rate(self.user_rule.get(rule))

    def user_category_rate(self, category: str) -> tuple[float, int]:
        return self.rate(self.user_category.get(category))

    def team_rule_rate(self, rule: str) -> tuple[float, int]:
        return self.rate(self.team_rule.get(rule))
