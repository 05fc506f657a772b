"""Late review stages for the editor: reviewers whose findings join after the offline ones.

The LLM reviewer is the one late stage today. It only loads the LLM client (and the
``openai`` package) when an endpoint is configured, so an offline editor session stays light.
Cancelling the document's review task (a newer edit) aborts its requests in flight.
"""

from __future__ import annotations

from collections.abc import Sequence

from tactful.analyzers.model import Finding
from tactful.server.pipeline import Change, ReviewResult
from tactful.server.settings import Settings, resolve_llm


def llm_active(settings: Settings) -> bool:
    """Whether the LLM reviewer will run: enabled and an endpoint configured."""
    return settings.llm.enabled and bool(resolve_llm(settings.llm).base_url)


async def llm_stage(result: ReviewResult, change: Change, settings: Settings) -> Sequence[Finding]:
    """Findings of the LLM reviewer on the result's change units (merged into ``result``)."""
    if not llm_active(settings) or not result.units:
        return ()
    from tactful.server.llm.review import review_units_async
    from tactful.server.llm.stage import apply_outcome, unit_context_text

    outcome = await review_units_async(
        result.files, settings, context_text=unit_context_text(result), root=change.root
    )
    return apply_outcome(result, outcome)
