"""The LLM reviewer as a late stage of a review session, and merging its outcome into a review.

:class:`LlmStage` is the one route to the model for the editor and the command line: gate
stage 1 picks the units worth a call, the session's long-lived :class:`LlmReviewer` reviews
them with each unit's budgeted call-graph context (:mod:`tactful.analyzers.context`), the
outcome is merged (:func:`apply_outcome`) and the display gate decides the new findings,
with the critique score and the model's confidence among its inputs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from tactful.analyzers.context import UnitCalls, build_context, render_for_prompt
from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server import pipeline
from tactful.server.gate.runtime import DisplayGate
from tactful.server.llm.prompt import shows_old_version
from tactful.server.llm.review import ContextText, LlmOutcome, LlmReviewer, review_units_async
from tactful.server.llm.validate import duplicates
from tactful.server.settings import Settings


def apply_outcome(
    result: pipeline.ReviewResult, outcome: LlmOutcome, settings: Settings | None = None
) -> list[Finding]:
    """Merge the LLM findings into ``result`` (deterministic ones win on duplicates); notes and counters too.

    Returns the findings added. Their features (``llm_confidence``, ``critique_score``) go to
    ``result.features``, where the display gate reads them.
    """
    offline = [*result.findings, *result.hidden]
    fresh: list[Finding] = []
    merged = 0
    for finding in outcome.findings:
        if any(duplicates(finding, other) for other in offline if other.source != "llm"):
            merged += 1
            continue
        fresh.append(finding)
    added = pipeline.merge_findings(result, fresh, settings)
    counters = dict(outcome.counters)
    if merged:
        counters["llm.dropped.duplicate-of-check"] = (
            counters.get("llm.dropped.duplicate-of-check", 0) + merged
        )
    counters["llm.findings"] = len(added)
    pipeline.add_counters(result, counters)
    for note in outcome.notes:
        pipeline.add_note(result, note)
    for finding in added:
        if finding.fingerprint in outcome.features:
            result.features.setdefault(finding.fingerprint, {}).update(
                outcome.features[finding.fingerprint]
            )
    return added


def prompt_context(
    result: pipeline.ReviewResult, budget_tokens: int, *, old_code: bool = True
) -> ContextText:
    """Each unit's prompt context: its callers and callees from the call-graph stage, in budget.

    ``old_code`` adds the unit's old code (for a template that does not show it itself).
    """

    def render(unit: ChangeUnit) -> str:
        calls = result.unit_context.get((unit.path, unit.name), UnitCalls())
        context = build_context(unit, calls.callers, calls.callees, budget_tokens)
        return render_for_prompt(context, old_code=old_code)

    return render


UnitFilter = Callable[[ChangeUnit], bool]


class LlmStage:
    """The late stage: the model's findings on the units gate stage 1 keeps, then the display gate."""

    __name__ = "llm"

    def __init__(
        self,
        reviewer: Callable[[], LlmReviewer],
        unit_filter: UnitFilter | None = None,
        display_gate: DisplayGate | None = None,
    ) -> None:
        self.reviewer = reviewer
        """The session's reviewer (one client and one reply cache for the session)."""
        self.unit_filter = unit_filter
        self.display_gate = display_gate

    async def __call__(
        self, result: pipeline.ReviewResult, change: pipeline.Change, settings: Settings
    ) -> Sequence[Finding]:
        """Review, merge into ``result`` and gate; returns the findings added (shown or hidden)."""
        if not result.units:
            return ()
        outcome = await review_units_async(
            result.files,
            settings,
            context_text=prompt_context(
                result,
                settings.llm.context_tokens,
                old_code=not shows_old_version(settings.llm.prompt_version),
            ),
            root=change.root,
            reviewer=self.reviewer(),
            unit_filter=self.unit_filter,
        )
        added = apply_outcome(result, outcome, settings)
        if added and self.display_gate is not None:
            await asyncio.to_thread(self.display_gate.apply, result, added)
        return added
