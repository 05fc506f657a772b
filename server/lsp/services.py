"""The long-lived review services of an editor session, one set per repository.

The CLI and the editor build their stages through :class:`tactful.server.wiring.ReviewServices`
(feedback sink, display gate), so both review a change the same way. The editor keeps one
set per repository root for the whole session (the gate learns from each event as it is
recorded) and reopens them when the settings change. The LLM is not among the offline
stages here: it runs as a late stage, and the gate decides its findings when they arrive.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from tactful.analyzers.model import Finding
from tactful.server.lsp import late_stages
from tactful.server.lsp.review import LateStage
from tactful.server.pipeline import Change, ReviewResult, Stage
from tactful.server.settings import Settings
from tactful.server.wiring import ReviewServices

log = logging.getLogger(__name__)


@dataclass
class SessionServices:
    """Opens :class:`ReviewServices` per repository root on first use."""

    client: str = ""
    by_root: dict[Path | None, ReviewServices] = field(default_factory=dict)

    def get(self, settings: Settings, root: Path | None) -> ReviewServices:
        services = self.by_root.get(root)
        if services is None:
            services = self.by_root[root] = ReviewServices.open(settings, root, client=self.client)
            services.start_index_build()
        return services

    def offline_stages(self, change: Change, settings: Settings) -> list[Stage]:
        """Call-graph context and the display gate, as the CLI runs them (without the LLM)."""
        return self.get(settings, _root(change)).stages(llm=False)

    async def llm_then_gate(self, result: ReviewResult, change: Change, settings: Settings) -> Sequence[Finding]:
        """The LLM's findings, then the gate over them (already decided findings keep their decision)."""
        added = await late_stages.llm_stage(result, change, settings)
        services = self.get(settings, _root(change))
        if added and services.gate is not None:
            gate = services.stages(llm=False)[-1]
            await asyncio.to_thread(gate, result, change, settings)
        return added

    def late_stages(self) -> list[LateStage]:
        return [LlmThenGate(self)]

    def gate_active(self, settings: Settings, root: Path | None) -> bool:
        return self.get(settings, root).gate is not None

    def close(self) -> None:
        for services in self.by_root.values():
            try:
                services.close()
            except Exception:  # closing must not stop the others from saving
                log.exception("closing review services failed")
        self.by_root.clear()


def _root(change: Change) -> Path | None:
    return Path(change.root) if change.root else None


@dataclass
class LlmThenGate:
    """The late stage of an editor session: the LLM reviewer, then the gate over its findings."""

    services: SessionServices

    def is_active(self, settings: Settings) -> bool:
        return late_stages.llm_active(settings)

    async def __call__(self, result: ReviewResult, change: Change, settings: Settings) -> Sequence[Finding]:
        return await self.services.llm_then_gate(result, change, settings)
