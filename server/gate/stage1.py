"""Gate stage 1: does this change unit need a review comment at all?

Runs before any LLM call, so the model is only asked about units where a reviewer would
likely speak. The prior is a logistic model trained offline on CodeReviewer's
quality-estimation records (see :mod:`tactful.server.gate.train`); feedback nudges it online
(a unit whose suggestion was acted on needed review).
"""

from __future__ import annotations

from typing import Any

from tactful.analyzers.model import ChangeUnit
from tactful.server.gate.features import DiffShape, shape_from_unit, unit_features
from tactful.server.gate.model import OnlineLogistic, load_prior, weights_from_json

STAGE1_BITS = 14


class UnitGate:
    """P(a change unit needs a review comment), from the shape of its diff."""

    def __init__(self, model: OnlineLogistic, threshold: float = 0.35) -> None:
        self.model = model
        self.threshold = threshold
        """Units scoring below this are not sent to the LLM reviewer."""

    @classmethod
    def from_prior(cls, prior: dict[str, Any] | None = None, threshold: float = 0.35) -> UnitGate:
        section = (prior or load_prior())["stage1"]
        model = OnlineLogistic(
            bits=int(section["bits"]), prior=weights_from_json(section), learning_rate=0.1
        )
        return cls(model, threshold)

    def features(
        self, unit: ChangeUnit | DiffShape, language: str | None = None
    ) -> list[tuple[int, float]]:
        shape = unit if isinstance(unit, DiffShape) else shape_from_unit(unit, language)
        return unit_features(shape, self.model.bits)

    def score(self, unit: ChangeUnit | DiffShape, language: str | None = None) -> float:
        """P(this change unit needs a review comment)."""
        return self.model.predict(self.features(unit, language))

    def needs_review(self, unit: ChangeUnit, language: str | None = None) -> bool:
        return self.score(unit, language) >= self.threshold

    def update(
        self, unit: ChangeUnit | DiffShape, language: str | None, needed_comment: bool
    ) -> None:
        """Learn from feedback: a suggestion in this unit was acted on (True) or all were turned down."""
        self.model.update(self.features(unit, language), int(needed_comment))
