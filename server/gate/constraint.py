"""CDHF's hide constraint: hide only where the developer's own log says hiding is safe.

Each verdict on a suggestion the gate *showed* is an outcome ``(P(reject) at decision time,
propensity of showing it, rejected?)``. A suggestion shown only by exploration stands for the
``1 / propensity`` suggestions like it that the gate hid, so the inverse-propensity weighted
(clipped) share of rejections among outcomes with ``P(reject) >= t`` estimates the precision of hiding
everything at or above ``t`` (self-normalised IPW). The hide threshold is the lowest ``t``
whose estimate reaches ``gate.hidePrecision`` on at least MIN_SUPPORT effective outcomes
(Kish's effective sample size of the weights). Until some ``t`` qualifies, the gate hides only
what the prior alone is sure of (prior P(reject) >= hidePrecision).

A certificate is then applied to the *current* model's scores, which drift: a suggestion the
developer keeps can climb just past the model's hide line after the certificate was earned.
So a hide also needs a margin above that line which shrinks with the certificate's evidence,
one standard error of a share estimated from its support (``0.5 / sqrt(n)``: 0.11 on 20
outcomes, 0.05 on 100). bench/replay.py on 40 seeds: a one-sigma Wilson bound on the estimate
instead (the earlier rule) met the target on 223 of 320 learnable profile-seeds, mostly by
hiding nothing (with 2% label noise a region the developer always rejects logs ~98%
rejections, and two noisy accepts among 50 keep the bound below 0.95); the point estimate
alone met 267 but hid up to 13% of what a severity-keyed developer acts on; with the margin,
266, and the worst hide_precision on the rule profile rose from 0.91 to 0.98.

The same estimate is also kept per *stratum*: each outcome carries the context keys of its
suggestion (rule, category, severity, language, top directory, hunk size, own-vs-others' code,
session position, ...: :func:`~tactful.server.gate.history.context_keys`), and a stratum whose
IPW estimate reaches the target on MIN_SUPPORT outcomes certifies hiding there (with the margin
above, on the stratum's support). A developer who rejects everything
in Python files is certified after a few dozen such verdicts even while the model's global
ranking is too young (its decision-time scores of early outcomes, and a single noisy accept
among the top-ranked ones, keep the global estimate low). The stratum key is fixed, not learned,
so its estimate is not flattered by the model having trained on the same outcomes; the gate
still hides only what the model ranks below its target, a subset it ranks as *more* likely
rejected than the stratum as a whole.

Each stratum is also tallied over only the outcomes the model would have hidden when it decided
them (``key|model-hides``: decision-time P(reject) above the model's own hide line). A stratum
that mixes what the developer keeps with what they reject ("src/" holds both the security
findings they act on and the notes they dismiss) never certifies as a whole, but its part the
model already ranked as rejected can: the score is the one given *before* the verdict, so the
estimate is prequential, as the global threshold's is, and it is one more fixed test per
stratum, not a threshold searched for. Like the global threshold, it is applied to the current
model's scores: a model whose P(reject) drifts up on what the developer keeps can hide more than
the evidence covered, and the explored verdicts (weight up to MAX_WEIGHT) are what catch that.
bench/replay.py measured it: variants that let explored rejections weigh less (uniform weights
in these tallies, or raw counts as the support) met the target on more seeds but, on one seed
of the rule profile, hid 26% of what the developer acts on.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass

from tactful.server.feedback.events import FeedbackEvent
from tactful.server.gate.history import context_keys

Z_ONE_SIDED = 1.0
"""One-sigma lower bound (one-sided 84%) reported beside each estimate (``Estimate.lower``);
certificates use the estimate itself and the margin (MARGIN_Z), see the module docstring."""
MARGIN_Z = 1.0
"""Standard errors above the model's hide line a certified hide needs (``0.5 / sqrt(n)`` each)."""
MAX_OUTCOMES = 2000
"""Most recent outcomes kept (older ones describe an older model)."""
MAX_WEIGHT = 5.0
"""Clipped IPW: one explored outcome stands for at most 5 (at a 5% rate a raw weight of 20
lets two outcomes outvote forty; clipping trades a little bias for a usable variance)."""
MIN_SUPPORT = 20.0
"""Effective outcomes at or above a threshold (or in a stratum) before it may be chosen: with
fewer, one outcome moves the share by more than the 5% the target allows."""
MIN_JUDGED = 3.0
"""Effective verdicts on a suggestion's rule before anything learned may hide it: a certificate
over "everything" or "this directory" says nothing of a rule the developer has never judged
(bench/replay.py: a developer who rejects all but security findings had the first few of a
rare security rule hidden; on 40 seeds the worst accepts_kept rose from 0.82 to 0.99, and from
0.83 to 0.85 on 40 fresh seeds)."""
RULE_PREFIX = "rule:"
"""Prefix of the rule's stratum among a suggestion's context keys."""
MODEL_HIDES = "|model-hides"
"""Suffix of a stratum tallied over the outcomes the model would have hidden at decision time."""
STRATA_KEY = "gate.strata"
"""Key in a ``shown`` event's extra of the suggestion's strata (rebuilt into outcomes)."""


@dataclass(frozen=True, slots=True)
class Outcome:
    reject_probability: float
    propensity: float
    """Probability that the gate showed it (1.0 unless shown by exploration)."""
    rejected: bool
    strata: tuple[str, ...] = ()
    """Context keys of the suggestion (the strata its outcome counts in)."""


def ipw_weight(propensity: float) -> float:
    return min(1.0 / max(propensity, 1e-3), MAX_WEIGHT)


@dataclass(slots=True)
class Tally:
    """IPW sums of one stratum's outcomes."""

    weight: float = 0.0
    weight_sq: float = 0.0
    rejected: float = 0.0

    def add(self, outcome: Outcome, sign: float = 1.0) -> None:
        w = ipw_weight(outcome.propensity)
        self.weight += sign * w
        self.weight_sq += sign * w * w
        self.rejected += sign * w * outcome.rejected

    def estimate(self) -> tuple[float, float, float]:
        """(share rejected, its lower bound, effective sample size)."""
        if self.weight <= 1e-9 or self.weight_sq <= 1e-9:
            return 0.0, 0.0, 0.0
        share = min(max(self.rejected / self.weight, 0.0), 1.0)
        support = self.weight * self.weight / self.weight_sq
        return share, wilson_lower(share, support), support


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

    def __init__(
        self, target: float, max_outcomes: int = MAX_OUTCOMES, model_hides: float = 0.5
    ) -> None:
        self.target = target
        self.model_hides = model_hides
        """P(reject) above which the model alone would hide (1 - ``gate.targetPrecision``)."""
        self.outcomes: deque[Outcome] = deque(maxlen=max_outcomes)
        self.threshold: float | None = None
        """Hide at or above this P(reject); None while the log supports no threshold."""
        self.estimate: Estimate | None = None
        self.strata: dict[str, Tally] = {}
        self.certified: set[str] = set()
        """Strata whose outcomes support hiding (kept current as outcomes come and go)."""

    def add(self, outcome: Outcome) -> None:
        self._append(outcome)
        self._refit()

    def extend(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            self._append(outcome)
        self._refit()

    def tallied_in(self, outcome: Outcome) -> tuple[str, ...]:
        """The strata an outcome counts in: its own, and their model-hides parts when the
        model would have hidden it."""
        if outcome.reject_probability > self.model_hides:
            return (*outcome.strata, *(key + MODEL_HIDES for key in outcome.strata))
        return outcome.strata

    def _append(self, outcome: Outcome) -> None:
        touched = list(self.tallied_in(outcome))
        if self.outcomes.maxlen is not None and len(self.outcomes) == self.outcomes.maxlen:
            evicted = self.outcomes[0]
            gone = self.tallied_in(evicted)
            for key in gone:
                self.strata[key].add(evicted, -1.0)
            touched += gone
        self.outcomes.append(outcome)
        for key in self.tallied_in(outcome):
            self.strata.setdefault(key, Tally()).add(outcome)
        for key in touched:
            share, _, support = self.strata[key].estimate()
            if support >= MIN_SUPPORT and share >= self.target:
                self.certified.add(key)
            else:
                self.certified.discard(key)

    def judged(self, strata: Iterable[str]) -> bool:
        """The developer has judged at least MIN_JUDGED (effective) suggestions of this rule."""
        for key in strata:
            if key.startswith(RULE_PREFIX):
                tally = self.strata.get(key)
                return tally is not None and tally.estimate()[2] >= MIN_JUDGED
        return False

    def hide_line(self, support: float) -> float:
        """The lowest P(reject) a certificate resting on ``support`` outcomes may hide at."""
        return self.model_hides + MARGIN_Z * 0.5 / math.sqrt(max(support, 1.0))

    def certifying(self, strata: Iterable[str], reject_probability: float = 1.0) -> str | None:
        """A stratum among ``strata`` whose outcomes support hiding a suggestion scored
        ``reject_probability``, or None. Its model-hides part counts too: call this only for a
        suggestion the model would hide."""
        if self.certified:
            for key in strata:
                for name in (key, key + MODEL_HIDES):
                    if name in self.certified and reject_probability >= self.hide_line(
                        self.strata[name].estimate()[2]
                    ):
                        return name
        return None

    def estimates(self) -> list[Estimate]:
        """The IPW estimate at every logged P(reject), highest threshold first."""
        ordered = sorted(self.outcomes, key=lambda o: o.reject_probability, reverse=True)
        found: list[Estimate] = []
        weight = weight_sq = rejected = 0.0
        for k, outcome in enumerate(ordered):
            w = ipw_weight(outcome.propensity)
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
            if estimate.support >= MIN_SUPPORT and estimate.precision >= self.target:
                self.threshold, self.estimate = estimate.threshold, estimate

    def allows(self, reject_probability: float) -> bool:
        """The global threshold supports hiding at ``reject_probability`` (margin included)."""
        return (
            self.estimate is not None
            and reject_probability >= self.estimate.threshold
            and reject_probability >= self.hide_line(self.estimate.support)
        )


def outcomes_from_log(events: Iterable[FeedbackEvent], user: str = "") -> list[Outcome]:
    """Outcomes of ``user``'s log: each verdict joined to the shown decision before it.

    A verdict with no logged decision (the gate was off, or the log predates propensities)
    is skipped: it says nothing about what the gate would have hidden. A decision logged
    without its strata (an older log) counts in the strata its event still names.
    """
    shown: dict[str, tuple[float, float, tuple[str, ...]]] = {}
    found: list[Outcome] = []
    for event in events:
        if user and event.user != user:
            continue
        if event.kind == "shown":
            if event.probability is not None:
                shown[event.fingerprint] = (1.0 - event.probability, event.propensity or 1.0,
                                            _logged_strata(event))  # fmt: skip
            continue
        label = event.label
        decision = shown.pop(event.fingerprint, None) if label is not None else None
        if decision is not None:
            found.append(Outcome(decision[0], decision[1], label == 0, decision[2]))
    return found


def _logged_strata(event: FeedbackEvent) -> tuple[str, ...]:
    logged = event.extra.get(STRATA_KEY)
    if isinstance(logged, list) and all(isinstance(key, str) for key in logged):
        return tuple(logged)
    return tuple(
        context_keys(event.rule, event.category, event.severity, event.path, None,
                     event.repository).values()
    )  # fmt: skip
