"""The LLM reviewer: any OpenAI-compatible endpoint, with anchored and validated findings.

Entry points: :class:`LlmStage` (the late stage a review session hands out, for the editor
and the CLI alike), :func:`review_units_async` (async, cancellable) and
:func:`apply_outcome` (merge an :class:`LlmOutcome` into a review result).
"""

from tactful.server.llm.review import (
    OFF_NOTE,
    LlmOutcome,
    LlmReviewer,
    off_reason,
    review_units_async,
)
from tactful.server.llm.stage import LlmStage, apply_outcome, prompt_context

__all__ = [
    "OFF_NOTE",
    "LlmOutcome",
    "LlmReviewer",
    "LlmStage",
    "apply_outcome",
    "off_reason",
    "prompt_context",
    "review_units_async",
]
