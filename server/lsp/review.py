"""Runs the shared review pipeline for the editor, delivering findings progressively.

The offline pipeline (:func:`tactful.server.pipeline.review` with its synchronous stages)
runs in a worker thread so the event loop keeps answering the client; its result is
delivered at once. Slower reviewers (the LLM) are *late stages*: async callables that
return more findings for the same result. Each late stage's findings are merged and
delivered as they arrive, so the editor shows offline findings first and the rest later.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass, field

from tactful.analyzers.model import Finding
from tactful.server.pipeline import Change, ReviewResult, Stage, add_note, merge_findings, review
from tactful.server.settings import Settings

log = logging.getLogger(__name__)

LateStage = Callable[[ReviewResult, Change, Settings], Awaitable[Sequence[Finding]]]
"""An async reviewer that runs after the offline result is delivered and returns more findings."""

StageFactory = Callable[[Change, Settings], Sequence[Stage]]
"""Builds the synchronous stages of one run (call graph, gate), given the change and settings."""


@dataclass(frozen=True)
class Delivery:
    """One instalment of a review: the result so far, and whether more will follow."""

    result: ReviewResult
    final: bool
    stage: str
    """``offline`` for the first instalment, else the late stage's name."""
    changed: bool = True
    """False when a late stage added nothing: the findings already delivered are final."""


@dataclass
class ReviewService:
    """The pipeline plus the stages the editor runs; stages can be added after construction."""

    stage_factory: StageFactory | None = None
    late_stages: list[LateStage] = field(default_factory=list)

    def add_late_stage(self, stage: LateStage) -> None:
        self.late_stages.append(stage)

    def review_offline(self, change: Change, settings: Settings) -> ReviewResult:
        """The offline review, synchronously (for worker threads)."""
        stages = self.stage_factory(change, settings) if self.stage_factory else ()
        return review(change, settings, stages)

    async def run(self, change: Change, settings: Settings) -> AsyncIterator[Delivery]:
        """Yield the offline result, then the result again after each late stage."""
        result = await asyncio.to_thread(self.review_offline, change, settings)
        # A stage may say up front that it has nothing to do (``is_active(settings)``, e.g. no
        # LLM endpoint): then the offline instalment is already the complete one.
        late = [s for s in self.late_stages if getattr(s, "is_active", lambda _settings: True)(settings)]
        yield Delivery(result, final=not late, stage="offline")
        for index, stage in enumerate(late):
            name = getattr(stage, "__name__", type(stage).__name__)
            try:
                found = await stage(result, change, settings)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # one failing reviewer must not hide the others' findings
                log.exception("late review stage %s failed", name)
                add_note(result, f"stage {name} failed: {exc.__class__.__name__}: {exc}")
                found = ()
            before = len(result.findings) + len(result.hidden)
            merge_findings(result, found)
            changed = bool(found) or len(result.findings) + len(result.hidden) != before
            final = index == len(late) - 1
            if changed or final:
                yield Delivery(result, final=final, stage=name, changed=changed)
