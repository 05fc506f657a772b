"""Gate stage 2: show or hide each suggestion, by the chance that this developer acts on it.

The probability comes from a logistic model over the finding (source, rule, category,
severity, confidence, critique score, hashed words of the message and code), the diff shape
of its unit, the stage-1 score, and the developer's and team's smoothed acceptance rates for
the rule. A suggestion is hidden only when the probability is below the target precision
*and* CDHF's hide constraint (:mod:`constraint`) allows it: the developer's own logged
outcomes say at least ``gate.hidePrecision`` of what is hidden at this P(reject) would have
been rejected, or the prior alone is that sure. An LLM finding starts hidden unless its own
signals make it strong (:mod:`llm_prior`), until the developer's verdicts on LLM findings
let the learned model decide. A rejected fingerprint is never shown again;
a would-be-hidden suggestion is shown anyway at a small exploration rate, with its propensity
logged, so learning never starves and the constraint's IPW estimate stays possible.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.feedback.events import FeedbackEvent
from tactful.server.gate import llm_prior
from tactful.server.gate.constraint import HideConstraint, Outcome
from tactful.server.gate.features import (
    TOKEN,
    DiffShape,
    Vector,
    feature_index,
    path_flags,
    shape_from_unit,
    words,
)
from tactful.server.gate.history import NEUTRAL_RATE, GateHistory, context_keys
from tactful.server.gate.model import OnlineLogistic, load_prior, logit, weights_from_json
from tactful.server.gate.situation import Situation, ordinal_strata, situation
from tactful.server.gate.stage1 import UnitGate
from tactful.server.settings import GateSettings

HISTORY_SUFFIXES = ("_rate", "_seen")
"""Names of the features that come from the developer's history."""
UNIT_CACHE = 1024
"""Change units whose shape and stage-1 score are kept (a review has a few dozen; a long editor
session revisits hundreds, and recomputing stage 1 on a large unit costs about 2 ms)."""
FEATURE_CACHE = 4096
"""Decisions remembered for the online update when the verdict arrives."""
IGNORED_WEIGHT = 0.5
"""'Ignored' is weaker evidence than an explicit reject."""
MAX_EXPLORATION_WEIGHT = 4.0
"""Cap on the inverse-propensity weight of a verdict on an explored suggestion."""
WARMUP_VERDICTS = 60
"""Until this many verdicts, explore more (decaying to the configured rate) so a new user's model learns."""
WARMUP_EXPLORATION = 0.3
FLOOR_CATEGORIES = frozenset({"security", "correctness"})
"""Error-severity findings of these categories are never silenced by learned rejections alone
(CDHF: acceptance as the only reward teaches a gate to hide correct security findings a
developer dismisses); the exact suggestion a developer rejected stays hidden, but the finding
comes back once the code it flags changes (a new fingerprint)."""


def under_floor(finding: Finding) -> bool:
    return finding.severity is Severity.ERROR and finding.category in FLOOR_CATEGORIES


@dataclass(frozen=True, slots=True)
class Decision:
    show: bool
    probability: float
    """Calibrated P(the developer acts on this suggestion)."""
    propensity: float
    """Probability that the gate takes this decision (1.0 unless exploring)."""
    reason: str
    """``above-threshold``, ``unsupported`` (below it, but the log does not yet support
    hiding at this P(reject)), ``below-threshold``, ``explore``, ``rejected-before``,
    ``floor`` (an error-severity security or correctness finding the model would hide),
    ``llm-prior`` (an LLM finding too weak to show before the developer's verdicts on LLM
    findings, :mod:`llm_prior`) or ``gate-disabled``."""
    explored: bool
    strata: tuple[str, ...] = ()
    """The suggestion's context keys, where the hide constraint counts its outcome (logged)."""


@dataclass(frozen=True, slots=True)
class Remembered:
    """A decision kept until its verdict arrives."""

    x: Vector
    propensity: float
    """Probability the gate showed it (1.0 unless explored, and for a hidden one)."""
    reject: float
    """P(reject) at decision time."""
    categories: dict[str, str]
    strata: tuple[str, ...]


def suggestion_names(
    finding: Finding, shape: DiffShape | None, unit_kind: str, history: GateHistory | None,
    unit_score: float | None, critique: float | None, llm_confidence: float | None = None,
    situ: Situation | None = None,
) -> dict[str, float]:  # fmt: skip
    """Named features of one suggestion (before hashing)."""
    rule, cat, src, sev = finding.rule, finding.category, finding.source, finding.severity.value
    named: dict[str, float] = {
        "bias": 1.0,
        f"src={src}": 1.0,
        f"rule={rule}": 1.0,
        f"cat={cat}": 1.0,
        f"sev={sev}": 1.0,
        f"src={src}&cat={cat}": 1.0,
    }
    if src == "llm":
        named["conf"] = (llm_confidence if llm_confidence is not None else finding.confidence) - 0.5
    named["critique" if critique is not None else "critique:missing"] = (
        (critique / 10 - 0.5) if critique is not None else 1.0
    )
    if finding.fix is not None:
        named["has_fix"] = 1.0
    for flag in path_flags(finding.path):
        named[flag] = 1.0
        named[f"{flag}&cat={cat}"] = 1.0
    if shape is not None:
        named[f"lang={shape.language}"] = 1.0
        named["size:added"] = math.log1p(len(shape.added)) / 4
        named[f"kind={unit_kind}"] = 1.0
        if shape.new_file:
            named["new_file"] = 1.0
    if unit_score is not None:
        named["unit_need"] = logit(unit_score) / 4
    msg = words(finding.message)
    for w in msg:
        named[f"msg:{w}"] = 1.0 / math.sqrt(len(msg))
    code = TOKEN.findall(finding.code)[:30]
    for (
        tok
    ) in code:  # weaker than the message: the flagged code varies far more than the finding kind
        named[f"code:{tok}"] = 0.3 / math.sqrt(len(code))
    named[f"rule={rule}&sev={sev}"] = 1.0
    named[f"cat={cat}&sev={sev}"] = 1.0
    categories = situ.categories if situ is not None else None
    if situ is not None:
        for name, value in situ.categories.items():
            named[f"{name}={value}"] = 1.0
        named.update(situ.numbers)
    if history is not None:
        keys = context_keys(rule, cat, sev, finding.path, categories, history.repository)
        rates = {name: history.user_rate(key) for name, key in keys.items()}
        rates["t_rule"] = history.team_rule_rate(rule)
        for name, (rate, seen) in rates.items():
            named[f"{name}_rate"] = rate - NEUTRAL_RATE
            named[f"{name}_seen"] = math.log1p(seen) / 4
    return named


class SuggestionGate:
    """Decides, per finding, whether to show it."""

    def __init__(
        self,
        model: OnlineLogistic,
        settings: GateSettings,
        unit_gate: UnitGate | None = None,
        seed: int | None = None,
    ) -> None:
        self.model = model
        self.settings = settings
        self.unit_gate = unit_gate
        # Seeded runs (simulations) draw from an RNG; otherwise the draw is a hash of the
        # fingerprint, so the CLI and the editor explore the same findings and a suggestion
        # does not flicker between reviews of the same buffer.
        self._rng = random.Random(seed) if seed is not None else None
        self._recent: OrderedDict[str, Remembered] = OrderedDict()
        self.constraint = HideConstraint(settings.hide_precision, model_hides=1.0 - self.threshold)
        self._units: OrderedDict[ChangeUnit, tuple[DiffShape, Vector | None, float | None, int]] = (
            OrderedDict()
        )
        """Unit -> (shape, stage-1 features, stage-1 score, stage-1 model version)."""
        self.verdicts = 0
        """Verdicts learned from (drives the warm-up exploration schedule)."""

    @classmethod
    def from_prior(
        cls, settings: GateSettings, prior: dict[str, Any] | None = None, unit_gate: UnitGate | None = None,
        seed: int | None = None,
    ) -> SuggestionGate:  # fmt: skip
        section = (prior or load_prior())["stage2"]
        model = OnlineLogistic(
            bits=int(section["bits"]), prior=weights_from_json(section),
            learning_rate=float(section.get("learning_rate", 0.5)), l2=float(section.get("l2", 0.002)),
        )  # fmt: skip
        return cls(model, settings, unit_gate, seed)

    def features(
        self,
        finding: Finding,
        unit: ChangeUnit | None,
        history: GateHistory | None,
        critique: float | None = None,
        llm_confidence: float | None = None,
        extra: Mapping[str, float] | None = None,
        now: float | None = None,
    ) -> Vector:
        return self._features(finding, unit, history, critique, llm_confidence, extra, now)[0]

    def _features(
        self, finding: Finding, unit: ChangeUnit | None, history: GateHistory | None, critique: float | None,
        llm_confidence: float | None, extra: Mapping[str, float] | None, now: float | None,
    ) -> tuple[Vector, Vector, dict[str, str], tuple[str, ...]]:  # fmt: skip
        shape, unit_score = self._unit_view(unit) if unit is not None else (None, None)
        situ = situation(
            finding, shape.language if shape else "", unit.kind if unit else "",
            len(shape.added) if shape else None, history.session if history is not None else None,
            extra, now,
        )  # fmt: skip
        named = suggestion_names(
            finding,
            shape,
            unit.kind if unit else "",
            history,
            unit_score,
            critique,
            llm_confidence,
            situ,
        )
        bits = self.model.bits
        x = [(feature_index(n, bits), v) for n, v in named.items()]
        # What the shipped prior knows without this developer's history (rates and counts).
        static = [
            (i, v) for (i, v), n in zip(x, named, strict=True) if not n.endswith(HISTORY_SUFFIXES)
        ]
        keys = context_keys(finding.rule, finding.category, finding.severity.value, finding.path,
                            situ.categories, history.repository if history is not None else "")  # fmt: skip
        return x, static, situ.categories, (*keys.values(), *ordinal_strata(situ.categories))

    def _unit_view(self, unit: ChangeUnit) -> tuple[DiffShape, float | None]:
        """Shape and stage-1 score of a unit, computed once for all its findings.

        Stage 1 learns from every verdict, so the score is recomputed when its model changed,
        from the unit's cached stage-1 features (tokenising a large unit is the costly part:
        ~1 ms; the dot product is not)."""
        cached = self._units.get(unit)
        version = self._stage1_version()
        if cached is None:
            shape = shape_from_unit(unit)
            vector = self.unit_gate.features(shape) if self.unit_gate is not None else None
            cached = (shape, vector, self._stage1_score(vector), version)
            self._units[unit] = cached
            while len(self._units) > UNIT_CACHE:
                self._units.popitem(last=False)
        elif cached[3] != version:
            cached = (cached[0], cached[1], self._stage1_score(cached[1]), version)
            self._units[unit] = cached
        return cached[0], cached[2]

    def _stage1_score(self, vector: Vector | None) -> float | None:
        if vector is None or self.unit_gate is None:
            return None
        return self.unit_gate.model.predict(vector)

    def _stage1_version(self) -> int:
        return self.unit_gate.model.updates if self.unit_gate is not None else 0

    @property
    def threshold(self) -> float:
        return min(max(self.settings.target_precision, 0.0), 1.0)

    def decide(
        self,
        finding: Finding,
        unit: ChangeUnit | None,
        history: GateHistory | None,
        *,
        critique: float | None = None,
        llm_confidence: float | None = None,
        extra: Mapping[str, float] | None = None,
        now: float | None = None,
    ) -> Decision:
        """Show or hide ``finding``; remembers its features for the update when feedback arrives.

        ``extra`` holds the finding's features from earlier stages (``llm.*``, ``blame.own``);
        ``now`` (seconds) places it in the developer's session (None: no session features).
        """
        x, static, categories, strata = self._features(
            finding, unit, history, critique, llm_confidence, extra, now
        )
        p = self.model.predict(x)
        weak = llm_prior.too_weak(finding, history, extra, self.settings)
        decision = self._policy(
            finding, p, 1.0 - self.model.predict_prior(static), history, strata, weak
        )
        # A verdict on a hidden one (the developer asked to see it) was observed for sure.
        shown_with = decision.propensity if decision.show else 1.0
        self._remember(finding.fingerprint, Remembered(x, shown_with, 1.0 - p, categories, strata))
        return decision

    def would_hide(self, p: float, prior_reject: float, strata: tuple[str, ...] = ()) -> bool:
        """The hide rule without exploration, the floor or the reject memory: below the target,
        and either the prior alone is that sure, or the developer has judged this rule a few
        times and the log supports hiding at this P(reject) or in one of the suggestion's strata."""
        if p >= self.threshold:
            return False
        if prior_reject >= self.settings.hide_precision:
            return True
        return self.constraint.judged(strata) and (
            self.constraint.allows(1.0 - p)
            or self.constraint.certifying(strata, 1.0 - p) is not None
        )

    def policy_hides(
        self, finding: Finding, unit: ChangeUnit | None, history: GateHistory | None,
        extra: Mapping[str, float] | None = None,
    ) -> bool:  # fmt: skip
        """Would the policy hide ``finding`` now (no exploration, no learning, no session count)?"""
        x, static, _, strata = self._features(finding, unit, history, None, None, extra, None)
        return llm_prior.too_weak(finding, history, extra, self.settings) or self.would_hide(
            self.model.predict(x), 1.0 - self.model.predict_prior(static), strata
        )

    def _policy(
        self, finding: Finding, p: float, prior_reject: float, history: GateHistory | None,
        strata: tuple[str, ...], weak_llm: bool = False,
    ) -> Decision:  # fmt: skip
        if history is not None and finding.fingerprint in history.rejected:
            return Decision(False, p, 1.0, "rejected-before", False, strata)
        if not self.settings.enabled:
            return Decision(True, p, 1.0, "gate-disabled", False, strata)
        if weak_llm:
            # The configured rate, not the warm-up's raised one: a new user should not meet
            # a third of a weak model's findings.
            rate = min(max(self.settings.exploration, 0.0), 1.0)
            return self._explore_or_hide(finding, p, strata, "llm-prior", rate)
        if p >= self.threshold:
            return Decision(True, p, 1.0, "above-threshold", False, strata)
        if not self.would_hide(p, prior_reject, strata):
            return Decision(True, p, 1.0, "unsupported", False, strata)
        if under_floor(finding):
            return Decision(True, p, 1.0, "floor", False, strata)
        return self._explore_or_hide(finding, p, strata, "below-threshold")

    def _explore_or_hide(
        self, finding: Finding, p: float, strata: tuple[str, ...], reason: str,
        rate: float | None = None,
    ) -> Decision:  # fmt: skip
        rate = self.exploration_rate if rate is None else rate
        if rate > 0 and self._draw(finding.fingerprint) < rate:
            return Decision(True, p, rate, "explore", True, strata)
        return Decision(False, p, 1.0 - rate, reason, False, strata)

    def _draw(self, fingerprint: str) -> float:
        if self._rng is not None:
            return self._rng.random()
        digest = hashlib.sha256(f"explore:{fingerprint}".encode()).digest()
        return int.from_bytes(digest[:8], "big") / 2**64

    @property
    def exploration_rate(self) -> float:
        """The configured rate, raised for a new user and decaying to it over the warm-up."""
        rate = min(max(self.settings.exploration, 0.0), 1.0)
        if rate <= 0:
            return 0.0
        warmup = WARMUP_EXPLORATION * max(0.0, 1.0 - self.verdicts / WARMUP_VERDICTS)
        return max(rate, warmup)

    def observe(self, event: FeedbackEvent) -> float | None:
        """Online update from a verdict event; returns the prediction it had, None for non-verdicts.

        A verdict on an explored suggestion weighs by its inverse propensity (capped), so
        what the gate usually hides is learned as fast as what it shows.
        """
        label = event.label
        if label is None:
            return None
        remembered = self._recent.get(event.fingerprint)
        if remembered is None:
            x, propensity = self.features(_finding_of(event), None, None), 1.0
        else:
            x, propensity = remembered.x, remembered.propensity
            self.constraint.add(
                Outcome(remembered.reject, propensity, label == 0, remembered.strata)
            )
        weight = min(1.0 / max(propensity, 1e-3), MAX_EXPLORATION_WEIGHT)
        if event.kind == "ignored":
            weight *= IGNORED_WEIGHT
        self.verdicts += 1
        return self.model.update(x, label, weight)

    def categories_of(self, fingerprint: str) -> dict[str, str] | None:
        """The context a remembered decision was made in (for the history's rate tables)."""
        remembered = self._recent.get(fingerprint)
        return remembered.categories if remembered is not None else None

    def _remember(self, fingerprint: str, remembered: Remembered) -> None:
        self._recent[fingerprint] = remembered
        self._recent.move_to_end(fingerprint)
        while len(self._recent) > FEATURE_CACHE:
            self._recent.popitem(last=False)


def _finding_of(event: FeedbackEvent) -> Finding:
    """Enough of a finding to rebuild its features from a logged event."""
    try:
        severity = Severity(event.severity)
    except ValueError:
        severity = Severity.WARNING
    return Finding(
        path=event.path, span=Span(1, 0, 1, 0), severity=severity, rule=event.rule, message=event.message,
        category=event.category or "correctness", source=event.source or "checks",
        confidence=event.confidence if event.confidence is not None else 1.0, unit=event.unit,
    )  # fmt: skip
