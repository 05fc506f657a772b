"""CDHF's hide constraint: hide only where the developer's own log says hiding is safe.

Each verdict on a suggestion the gate *showed* is an outcome ``(P(reject) at decision time,
propensity of showing it, rejected?)``. A suggestion shown only by exploration stands for the
``1 / propensity`` suggestions like it that the gate hid, so the inverse-propensity weighted
(clipped) share of rejections among outcomes with ``P(reject) >= t`` estimates the precision of hiding
everything at or above ``t`` (self-normalised IPW). The hide threshold is the lowest ``t``
whose estimate's lower confidence bound (Wilson, on the effective sample size of the weights)
reaches ``gate.hidePrecision``. Until some ``t`` qualifies, the gate hides only what the
prior alone is sure of (prior P(reject) >= hidePrecision).
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from tactful.server.feedback.events import FeedbackEvent

Z_ONE_SIDED = 1.0
"""One-sigma lower bound (one-sided 84%): at 95% it takes 52 clean rejections before anything
is hidden, more than a developer gives in a week; bench/replay.py measures what it costs."""
MAX_OUTCOMES = 2000
"""Most recent outcomes kept (older ones describe an older model)."""
MAX_WEIGHT = 5.0
"""Clipped IPW: one explored outcome stands for at most 5 (at a 5% rate a raw weight of 20
lets two outcomes outvote forty; clipping trades a little bias for a usable variance)."""
MIN_SUPPORT = 20.0
"""Effective outcomes at or above a threshold before it may be chosen."""


@dataclass(frozen=True, slots=True)
class Outcome:
    reject_probability: float
    propensity: float
    """Probability that the gate showed it (1.0 unless shown by exploration)."""
    rejected: bool


def wilson_lower(share: float, n: float, z: float = Z_ONE_SIDED) -> float:
    """Lower Wilson bound of a proportion ``share`` seen on ``n`` (effective) trials."""
    if n <= 0:
        return 0.0
    z2 = z * z
    centre = share + z2 / (2 * n)
    margin = z * math.sqrt(share * (1 - share) / n + z2 / (4 * n * n))
    return max(0.0, (centre - margin) / (1 + z2 / n))


@dataclass(frozen=True, slots=True)
class Estimate:
    threshold: float
    precision: float
    """IPW share of rejections among suggestions with P(reject) >= threshold."""
    lower: float
    support: float
    """Effective sample size behind the estimate."""


class HideConstraint:
    """The developer's outcomes and the lowest P(reject) at which hiding meets the target."""

    def __init__(self, target: float, max_outcomes: int = MAX_OUTCOMES) -> None:
        self.target = target
        self.outcomes: deque[Outcome] = deque(maxlen=max_outcomes)
        self.threshold: float | None = None
        """Hide at or above this P(reject); None while the log supports no threshold."""
        self.estimate: Estimate | None = None

    def add(self, outcome: Outcome) -> None:
        self.outcomes.append(outcome)
        self._refit()

    def extend(self, outcomes: Iterable[Outcome]) -> None:
        self.outcomes.extend(outcomes)
        self._refit()

    def estimates(self) -> list[Estimate]:
        """The IPW estimate at every logged P(reject), highest threshold first."""
        ordered = sorted(self.outcomes, key=lambda o: o.reject_probability, reverse=True)
        found: list[Estimate] = []
        weight = weight_sq = rejected = 0.0
        for k, outcome in enumerate(ordered):
            w = min(1.0 / max(outcome.propensity, 1e-3), MAX_WEIGHT)
            weight += w
            weight_sq += w * w
            rejected += w * outcome.rejected
            # Ties share one threshold: only the last outcome of a run of equal scores counts.
            if (
                k + 1 < len(ordered)
                and ordered[k + 1].reject_probability == outcome.reject_probability
            ):
                continue
            share = rejected / weight
            support = weight * weight / weight_sq
            found.append(
                Estimate(outcome.reject_probability, share, wilson_lower(share, support), support)
            )
        return found

    def _refit(self) -> None:
        self.threshold, self.estimate = None, None
        for estimate in self.estimates():
            if estimate.support >= MIN_SUPPORT and estimate.lower >= self.target:
                self.threshold, self.estimate = estimate.threshold, estimate

    def allows(self, reject_probability: float) -> bool:
        return self.threshold is not None and reject_probability >= self.threshold


def outcomes_from_log(events: Iterable[FeedbackEvent], user: str = "") -> list[Outcome]:
    """Outcomes of ``user``'s log: each verdict joined to the shown decision before it.

    A verdict with no logged decision (the gate was off, or the log predates propensities)
    is skipped: it says nothing about what the gate would have hidden.
    """
    shown: dict[str, tuple[float, float]] = {}
    found: list[Outcome] = []
    for event in events:
        if user and event.user != user:
            continue
        if event.kind == "shown":
            if event.probability is not None:
                shown[event.fingerprint] = (1.0 - event.probability, event.propensity or 1.0)
            continue
        label = event.label
        decision = shown.pop(event.fingerprint, None) if label is not None else None
        if decision is not None:
            found.append(Outcome(decision[0], decision[1], label == 0))
    return found
