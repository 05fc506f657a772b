"""Where and when a suggestion is made: the gate features beyond the finding itself.

Categorical context (language, top directory, unit kind, hunk size, whether the developer
wrote the code around it, position in the session) becomes one-hot features *and* keys of
the developer's smoothed rate tables (:mod:`history`), so a preference such as "nothing in
Go" or "not late in a session" shows up as a rate after a few verdicts. Numeric context
(time since the last suggestion, how often this rule already fired in this file, the recent
reject streak, the LLM's confidence, critique, agreement and fix validation) enters as
bounded values. Everything here is a dictionary lookup or a counter: no I/O.
"""

from __future__ import annotations

import math
from collections import OrderedDict, deque
from collections.abc import Mapping
from dataclasses import dataclass, field

from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import Finding

SESSION_GAP_S = 30 * 60.0
"""A pause this long starts a new review session."""
STREAK = 5
"""Verdicts in the recent accept/reject streak."""
FILE_RULE_MEMORY = 4096
SEEN_MEMORY = 8192
LLM_KEYS = ("llm.confidence", "llm.critique", "llm.agreement", "llm.fix_validated")
"""Gate features the LLM reviewer attaches to its findings (absent for offline findings)."""
OWN_KEY = "blame.own"
"""Share (0-1) of the lines around a finding that the developer wrote, from git blame."""


def area(path: str) -> str:
    """The top directory of a repository path ('.' for a file at the root)."""
    head, sep, _ = path.lstrip("./").partition("/")
    return head if sep else "."


ORDINAL_BUCKETS = {
    "hunk": ("<=3", "4-10", ">10"),
    "pos": ("0-4", "5-9", "10+"),
    "own": ("others", "mixed", "own"),
}
"""Contexts whose buckets are ordered (hunk size, session position, share of the code the
developer wrote)."""


def ordinal_strata(categories: Mapping[str, str]) -> list[str]:
    """Runs of adjacent buckets a suggestion falls in (``hunk:to 4-10``, ``pos:from 5-9``):
    a preference that follows an ordered context ("nothing in small hunks", "nothing late in
    a session") seldom stops at one bucket edge, and a run gathers outcomes faster than its
    buckets do one by one. The first and last bucket are strata of their own already."""
    found = []
    for name, order in ORDINAL_BUCKETS.items():
        value = categories.get(name)
        if value not in order:
            continue
        at = order.index(value)
        found += [f"{name}:to {order[j]}" for j in range(max(at, 1), len(order) - 1)]
        found += [f"{name}:from {order[j]}" for j in range(1, min(at, len(order) - 2) + 1)]
    return found


def hunk_bucket(added: int) -> str:
    order = ORDINAL_BUCKETS["hunk"]
    if added <= 3:
        return order[0]
    return order[1] if added <= 10 else order[2]


def position_bucket(position: int) -> str:
    order = ORDINAL_BUCKETS["pos"]
    if position < 5:
        return order[0]
    return order[1] if position < 10 else order[2]


def own_bucket(share: float) -> str:
    order = ORDINAL_BUCKETS["own"]
    if share >= 0.8:
        return order[2]
    return order[0] if share <= 0.2 else order[1]


@dataclass
class SessionTracker:
    """The developer's recent activity: suggestions made, session position, verdict streak."""

    last_time: float | None = None
    position: int = 0
    """New suggestions made in the current session before this one."""
    streak: deque[int] = field(default_factory=lambda: deque(maxlen=STREAK))
    file_rule: OrderedDict[tuple[str, str], int] = field(default_factory=OrderedDict)
    seen: OrderedDict[str, tuple[float, int, int]] = field(default_factory=OrderedDict)
    """Fingerprint -> (gap, position, file-rule count) at its first decision: an editor
    re-decides the same finding on every edit, which is not a new suggestion."""

    def note(self, finding: Finding, now: float) -> tuple[float, int, int]:
        """(seconds since the previous suggestion, position in session, earlier hits of the
        rule in this file) for ``finding``, counting it once however often it is decided."""
        known = self.seen.get(finding.fingerprint)
        if known is not None:
            return known
        gap = now - self.last_time if self.last_time is not None else SESSION_GAP_S
        if gap >= SESSION_GAP_S:
            self.position = 0
        key = (finding.path, finding.rule)
        before = self.file_rule.get(key, 0)
        self.file_rule[key] = before + 1
        self.file_rule.move_to_end(key)
        while len(self.file_rule) > FILE_RULE_MEMORY:
            self.file_rule.popitem(last=False)
        found = (max(gap, 0.0), self.position, before)
        self.seen[finding.fingerprint] = found
        while len(self.seen) > SEEN_MEMORY:
            self.seen.popitem(last=False)
        self.position += 1
        self.last_time = now
        return found

    def verdict(self, label: int) -> None:
        self.streak.append(label)

    def reject_streak(self) -> float:
        """Share of the last verdicts that were rejections (0.5 before any)."""
        return 1.0 - sum(self.streak) / len(self.streak) if self.streak else 0.5


@dataclass(frozen=True, slots=True)
class Situation:
    categories: dict[str, str]
    """Context name -> value: one-hot features and history keys (``lang=go``)."""
    numbers: dict[str, float]
    """Bounded numeric features."""


def situation(
    finding: Finding, language: str, kind: str, added: int | None, tracker: SessionTracker | None,
    extra: Mapping[str, float] | None, now: float | None,
) -> Situation:  # fmt: skip
    """The context of one suggestion; ``added`` is its unit's number of added lines."""
    categories = {
        "lang": language or detect_language(finding.path) or "unknown",
        "area": area(finding.path),
    }
    numbers: dict[str, float] = {}
    if kind:
        categories["kind"] = kind
    if added is not None:
        categories["hunk"] = hunk_bucket(added)
    extra = extra or {}
    own = extra.get(OWN_KEY)
    if own is not None:
        categories["own"] = own_bucket(own)
        numbers["own_share"] = own - 0.5
    if tracker is not None and now is not None:
        gap, position, before = tracker.note(finding, now)
        categories["pos"] = position_bucket(position)
        numbers["since_last"] = math.log1p(gap) / 8
        numbers["file_rule_before"] = math.log1p(before) / 3
        numbers["reject_streak"] = tracker.reject_streak() - 0.5
    for key in LLM_KEYS:
        value = extra.get(key)
        if value is not None:
            # Critique scores come as 0-10; everything else as 0-1.
            numbers[key] = (value / 10 if value > 1 else value) - 0.5
    return Situation(categories, numbers)
