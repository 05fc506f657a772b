"""Gate stage 2: show or hide each suggestion, by the chance that this developer acts on it.

The probability comes from a logistic model over the finding (source, rule, category,
severity, confidence, critique score, hashed words of the message and code), the diff shape
of its unit, the stage-1 score, and the developer's and team's smoothed acceptance rates for
the rule. A suggestion is shown when the probability reaches the target precision; a rejected
fingerprint is never shown again; below the threshold a small exploration rate shows it
anyway and logs the propensity, so learning never starves and off-policy evaluation works.
"""

from __future__ import annotations

import hashlib
import math
import random
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.feedback.events import FeedbackEvent
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
from tactful.server.gate.stage1 import UnitGate
from tactful.server.settings import GateSettings

UNIT_CACHE = 256
"""Change units whose shape and stage-1 score are kept (a review has a few dozen)."""
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
    """``above-threshold``, ``below-threshold``, ``explore``, ``rejected-before``, ``floor``
    (an error-severity security or correctness finding the model would hide) or ``gate-disabled``."""
    explored: bool


def suggestion_names(
    finding: Finding, shape: DiffShape | None, unit_kind: str, history: GateHistory | None,
    unit_score: float | None, critique: float | None, llm_confidence: float | None = None,
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
    if history is not None:
        rates = {
            name: history.user_rate(key)
            for name, key in context_keys(rule, cat, sev, finding.path).items()
        }
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
        self._recent: OrderedDict[str, tuple[Vector, float]] = OrderedDict()
        self._units: OrderedDict[ChangeUnit, tuple[DiffShape, float | None, int]] = OrderedDict()
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
    ) -> Vector:
        shape, unit_score = self._unit_view(unit) if unit is not None else (None, None)
        named = suggestion_names(
            finding, shape, unit.kind if unit else "", history, unit_score, critique, llm_confidence
        )
        bits = self.model.bits
        return [(feature_index(n, bits), v) for n, v in named.items()]

    def _unit_view(self, unit: ChangeUnit) -> tuple[DiffShape, float | None]:
        """Shape and stage-1 score of a unit, computed once for all its findings."""
        cached = self._units.get(unit)
        if cached is None or cached[2] != self._stage1_version():
            shape = shape_from_unit(unit)
            score = self.unit_gate.score(shape) if self.unit_gate is not None else None
            cached = (shape, score, self._stage1_version())
            self._units[unit] = cached
            while len(self._units) > UNIT_CACHE:
                self._units.popitem(last=False)
        return cached[0], cached[1]

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
    ) -> Decision:
        """Show or hide ``finding``; remembers its features for the update when feedback arrives."""
        x = self.features(finding, unit, history, critique, llm_confidence)
        p = self.model.predict(x)
        self._remember(finding.fingerprint, x, 1.0)
        if history is not None and finding.fingerprint in history.rejected:
            return Decision(False, p, 1.0, "rejected-before", False)
        if not self.settings.enabled:
            return Decision(True, p, 1.0, "gate-disabled", False)
        if p >= self.threshold:
            return Decision(True, p, 1.0, "above-threshold", False)
        if under_floor(finding):
            return Decision(True, p, 1.0, "floor", False)
        rate = self.exploration_rate
        if rate > 0 and self._draw(finding.fingerprint) < rate:
            self._remember(finding.fingerprint, x, rate)
            return Decision(True, p, rate, "explore", True)
        return Decision(False, p, 1.0 - rate, "below-threshold", False)

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
        x, propensity = remembered or (self.features(_finding_of(event), None, None), 1.0)
        weight = min(1.0 / max(propensity, 1e-3), MAX_EXPLORATION_WEIGHT)
        if event.kind == "ignored":
            weight *= IGNORED_WEIGHT
        self.verdicts += 1
        return self.model.update(x, label, weight)

    def _remember(self, fingerprint: str, x: Vector, propensity: float) -> None:
        self._recent[fingerprint] = (x, propensity)
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
