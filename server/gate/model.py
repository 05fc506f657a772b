"""A sparse logistic model that starts from a shipped prior and learns online.

Weights are the prior plus a per-user delta. Each labelled event takes one AdaGrad step on
the log loss, with an L2 pull of the delta toward zero (toward the prior), so a handful of
events moves the model and a long history does not forget the prior entirely. Prediction is
a dot product over a few dozen hashed features: microseconds, no numpy call in the hot path.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from tactful.server.gate.features import Vector
from tactful.server.settings import data_dir

log = logging.getLogger(__name__)

PRIOR_RESOURCE = "gate_prior.json"


def sigmoid(z: float) -> float:
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def logit(p: float) -> float:
    p = min(max(p, 1e-6), 1 - 1e-6)
    return math.log(p / (1 - p))


@dataclass
class OnlineLogistic:
    """P(y=1 | x) = sigmoid(sum((prior[i] + delta[i]) * x_i))."""

    bits: int
    prior: dict[int, float] = field(default_factory=dict)
    delta: dict[int, float] = field(default_factory=dict)
    grad_sq: dict[int, float] = field(default_factory=dict)
    learning_rate: float = 0.5
    l2: float = 0.002
    updates: int = 0

    def score(self, x: Vector) -> float:
        prior, delta = self.prior, self.delta
        return sum((prior.get(i, 0.0) + delta.get(i, 0.0)) * v for i, v in x)

    def predict(self, x: Vector) -> float:
        return sigmoid(self.score(x))

    def predict_prior(self, x: Vector) -> float:
        """The shipped prior's probability, without anything learned."""
        prior = self.prior
        return sigmoid(sum(prior.get(i, 0.0) * v for i, v in x))

    def update(self, x: Vector, y: int, weight: float = 1.0) -> float:
        """One AdaGrad step toward label ``y``; returns the prediction before the step."""
        p = self.predict(x)
        g = (p - y) * weight
        delta, grad_sq, rate = self.delta, self.grad_sq, self.learning_rate
        for i, v in x:
            d = delta.get(i, 0.0)
            gi = g * v + self.l2 * d
            acc = grad_sq.get(i, 0.0) + gi * gi
            grad_sq[i] = acc
            delta[i] = d - rate * gi / math.sqrt(acc + 1e-8)
        self.updates += 1
        return p

    def state(self) -> dict[str, Any]:
        """The learned part (not the prior), JSON-ready."""
        return {
            "bits": self.bits,
            "updates": self.updates,
            "delta": {str(i): round(w, 6) for i, w in self.delta.items() if abs(w) > 1e-9},
            "grad_sq": {str(i): round(g, 6) for i, g in self.grad_sq.items()},
        }

    def load_state(self, state: dict[str, Any]) -> None:
        if state.get("bits") != self.bits:
            return  # a model of another shape: start from the prior again
        self.delta = {int(i): float(w) for i, w in state.get("delta", {}).items()}
        self.grad_sq = {int(i): float(g) for i, g in state.get("grad_sq", {}).items()}
        self.updates = int(state.get("updates", 0))


def load_prior(path: Path | None = None) -> dict[str, Any]:
    """The prior: ``path``, else one ``tactful gate train`` wrote to the data dir, else the shipped one.

    An unreadable or malformed prior file is logged (one line) and the shipped prior used.
    """
    candidate = path or data_dir() / PRIOR_RESOURCE
    if candidate.is_file():
        try:
            prior = json.loads(candidate.read_text("utf-8"))
            if isinstance(prior, dict) and {"stage1", "stage2"} <= prior.keys():
                return prior
            log.error("gate prior %s: missing stage1/stage2; using the shipped prior", candidate)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            log.error("gate prior %s: %s; using the shipped prior", candidate, exc)
    text = resources.files("tactful.server.data").joinpath(PRIOR_RESOURCE).read_text("utf-8")
    return json.loads(text)


def weights_from_json(section: dict[str, Any]) -> dict[int, float]:
    return {int(i): float(w) for i, w in section.get("weights", {}).items()}
