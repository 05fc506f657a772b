"""The LLM reviewer: any OpenAI-compatible endpoint, with anchored and validated findings.

Entry points: :func:`review_units_async` (async, cancellable; the LSP server),
:data:`llm_stage` / :func:`make_llm_stage` (a pipeline stage; the CLI) and
:func:`apply_outcome` (merge an :class:`LlmOutcome` into a review result).
"""

from tactful.server.llm.review import (
    OFF_NOTE,
    LlmOutcome,
    LlmReviewer,
    off_reason,
    review_units_async,
)
from tactful.server.llm.stage import apply_outcome, llm_stage, make_llm_stage, run_sync

__all__ = [
    "OFF_NOTE",
    "LlmOutcome",
    "LlmReviewer",
    "apply_outcome",
    "llm_stage",
    "make_llm_stage",
    "off_reason",
    "review_units_async",
    "run_sync",
]
