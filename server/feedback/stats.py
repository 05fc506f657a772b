"""Acceptance and hidden share over time and per rule, from the feedback log.

Also what the developer keeps rejecting of the findings the gate never silences by
rejections alone (error-severity security and correctness: the floor), per rule.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from tactful.server.feedback.store import FeedbackStore

FLOOR_CATEGORIES = frozenset({"security", "correctness"})
"""The categories of the gate's floor (``tactful.server.gate.stage2.FLOOR_CATEGORIES``)."""


@dataclass
class Tally:
    shown: int = 0
    hidden: int = 0
    acted: int = 0
    declined: int = 0

    @property
    def acceptance(self) -> float:
        """Share of verdicts where the developer acted on the suggestion."""
        verdicts = self.acted + self.declined
        return self.acted / verdicts if verdicts else float("nan")

    @property
    def hidden_share(self) -> float:
        decided = self.shown + self.hidden
        return self.hidden / decided if decided else float("nan")


@dataclass
class Stats:
    by_day: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    by_rule: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    total: Tally = field(default_factory=Tally)
    floor_by_rule: dict[str, Tally] = field(default_factory=lambda: defaultdict(Tally))
    """Error-severity security and correctness findings, per rule: kept visible however
    often they are rejected, so the rejections are worth a look."""


def collect(store: FeedbackStore, since: float | None = None) -> Stats:
    stats = Stats()
    for event in store.iter_events(since=since):
        day = dt.datetime.fromtimestamp(event.time, dt.timezone.utc).strftime("%Y-%m-%d")
        tallies = [stats.by_day[day], stats.by_rule[event.rule or "?"], stats.total]
        if event.severity == "error" and event.category in FLOOR_CATEGORIES:
            tallies.append(stats.floor_by_rule[event.rule or "?"])
        for tally in tallies:
            if event.kind == "shown":
                tally.shown += 1
            elif event.kind == "hidden":
                tally.hidden += 1
            elif event.label == 1:
                tally.acted += 1
            elif event.label == 0:
                tally.declined += 1
    return stats


def plot(stats: Stats, out: Path) -> Path:
    """Two panels: acceptance and hidden share per day, and per rule."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    days = sorted(stats.by_day)
    rules = sorted(
        stats.by_rule, key=lambda r: -(stats.by_rule[r].shown + stats.by_rule[r].hidden)
    )[:15]
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    left.plot(days, [stats.by_day[d].acceptance for d in days], "o-", label="acceptance")
    left.plot(days, [stats.by_day[d].hidden_share for d in days], "s--", label="hidden share")
    left.set_ylim(0, 1)
    left.set_title("over time")
    left.tick_params(axis="x", rotation=45)
    left.legend()
    pos = range(len(rules))
    right.barh(
        [p - 0.2 for p in pos],
        [stats.by_rule[r].acceptance for r in rules],
        height=0.4,
        label="acceptance",
    )
    right.barh(
        [p + 0.2 for p in pos],
        [stats.by_rule[r].hidden_share for r in rules],
        height=0.4,
        label="hidden share",
    )
    right.set_yticks(list(pos), rules, fontsize=7)
    right.set_xlim(0, 1)
    right.set_title("per rule")
    right.legend()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)
    return out
