"""The display gate's prior for LLM findings: a model's word alone is not yet evidence.

The shipped gate prior was trained on human review comments and offline checks; it knows
nothing of how often a given model is right, and a small local model writes plausible
findings that are mostly wrong (``bench/corpus/llm_results.md``). So until the developer
has given ``gate.llmPriorVerdicts`` verdicts on LLM findings, an LLM finding is shown only
when the signals the reviewer attached to it make it strong:

- **agreement**: the share of independent samples that found it (``llm.samples`` > 1), the
  strongest signal a model gives about itself (self-consistency);
- **critique**: the score the model gave its own finding in the critique pass (0-10);
- **fix validated**: whether its suggested fix applied and parsed (1), or was dropped (0);
- **confidence**: the model's stated confidence, weakly (small models say 0.8-0.9 for
  everything);
- **category**: style and maintainability remarks from a model count less than defects.

:func:`strength` is a logistic score over these with hand-set weights (a prior, not a fit:
there are too few labelled LLM findings to fit one); one unconfirmed sample with a validated
fix stays below 0.5, agreement of most samples lifts it above. Once the developer's verdicts
reach the warm-up count, the learned model and the hide constraint decide as for every other
finding (the same features are in its vector, so it has learned from those verdicts).
Hidden findings are explored at the usual rate, so the verdicts keep coming.
"""

from __future__ import annotations

from collections.abc import Mapping

from tactful.analyzers.model import Finding
from tactful.server.gate.history import GateHistory
from tactful.server.gate.model import sigmoid
from tactful.server.settings import GateSettings

AGREEMENT = "llm.agreement"
CRITIQUE_KEYS = ("critique_score", "llm.critique")
CONFIDENCE_KEYS = ("llm_confidence", "llm.confidence")
FIX_VALIDATED = "llm.fix_validated"
WEAK_CATEGORIES = frozenset({"style", "maintainability", "debug", "testing"})

BIAS = -2.0
"""Log-odds of a bare LLM finding being worth showing (about 0.12)."""
WEIGHTS = {"agreement": 4.0, "critique": 3.0, "fix": 0.7, "confidence": 2.0, "weak": -1.0}
"""Per centred signal: agreement and critique in [-0.5, 0.5], fix +-1, confidence centred."""


def _first(features: Mapping[str, float], keys: tuple[str, ...]) -> float | None:
    for key in keys:
        value = features.get(key)
        if value is not None:
            return float(value)
    return None


def strength(features: Mapping[str, float], category: str) -> float:
    """P(an LLM finding is worth showing) from the signals alone, before any verdict."""
    z = BIAS
    agreement = features.get(AGREEMENT)
    if agreement is not None:
        z += WEIGHTS["agreement"] * (min(max(agreement, 0.0), 1.0) - 0.5)
    critique = _first(features, CRITIQUE_KEYS)
    if critique is not None:
        z += WEIGHTS["critique"] * (min(max(critique, 0.0), 10.0) / 10 - 0.5)
    fix = features.get(FIX_VALIDATED)
    if fix is not None:
        z += WEIGHTS["fix"] * (1.0 if fix >= 0.5 else -1.0)
    confidence = _first(features, CONFIDENCE_KEYS)
    if confidence is not None:
        z += WEIGHTS["confidence"] * (min(max(confidence, 0.0), 1.0) - 0.5)
    if category in WEAK_CATEGORIES:
        z += WEIGHTS["weak"]
    return sigmoid(z)


def too_weak(
    finding: Finding,
    history: GateHistory | None,
    features: Mapping[str, float] | None,
    settings: GateSettings,
) -> bool:
    """An LLM finding the developer has not yet taught the gate about, too weak to show on
    its own signals."""
    floor = settings.llm_min_strength
    if finding.source != "llm" or floor <= 0:
        return False
    judged = history.sources["llm"][1] if history is not None and "llm" in history.sources else 0
    if judged >= settings.llm_prior_verdicts:
        return False
    return strength(features or {}, finding.category) < floor
