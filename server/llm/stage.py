"""The LLM reviewer as a pipeline stage, and merging its outcome into a review.

``llm_stage`` is a :data:`tactful.server.pipeline.Stage` for the CLI (it runs the async
reviewer to completion). The LSP server awaits
:func:`tactful.server.llm.review.review_units_async` itself and calls
:func:`apply_outcome` on the result it already showed.
"""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Callable
from typing import Any

from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server import pipeline
from tactful.server.llm.review import ContextText, LlmOutcome, review_units_async
from tactful.server.llm.validate import duplicates
from tactful.server.settings import Settings


def apply_outcome(result: pipeline.ReviewResult, outcome: LlmOutcome) -> list[Finding]:
    """Merge the LLM findings into ``result`` (deterministic ones win on duplicates); notes and counters too.

    Returns the findings added. The per-finding features (``llm_confidence``,
    ``critique_score``) go to ``result.features`` when the result has such a dict.
    """
    offline = [*result.findings, *result.hidden]
    fresh: list[Finding] = []
    merged = 0
    for finding in outcome.findings:
        if any(duplicates(finding, other) for other in offline if other.source != "llm"):
            merged += 1
            continue
        fresh.append(finding)
    added = pipeline.merge_findings(result, fresh)
    counters = dict(outcome.counters)
    if merged:
        counters["llm.dropped.duplicate-of-check"] = counters.get("llm.dropped.duplicate-of-check", 0) + merged
    counters["llm.findings"] = len(added)
    pipeline.add_counters(result, counters)
    for note in outcome.notes:
        pipeline.add_note(result, note)
    features = getattr(result, "features", None)
    if isinstance(features, dict):
        for finding in added:
            if finding.fingerprint in outcome.features:
                features.setdefault(finding.fingerprint, {}).update(outcome.features[finding.fingerprint])
    return added


def unit_context_text(result: pipeline.ReviewResult) -> ContextText:
    """Context for a unit from the callers and callees the pipeline already attached."""

    def render(unit: ChangeUnit) -> str:
        entry = result.unit_context.get((unit.path, unit.name))
        if not entry:
            return ""
        renderer = _context_renderer()
        if renderer is not None:
            try:
                return renderer(entry)
            except Exception:  # fall back to the plain rendering below
                pass
        return _plain_context(entry)

    return render


def make_llm_stage(
    context_text: Callable[[pipeline.ReviewResult], ContextText] | None = None,
    unit_filter: Callable[[ChangeUnit], bool] | None = None,
) -> pipeline.Stage:
    """A stage; ``context_text(result)`` supplies each unit's context (default: the pipeline's),
    ``unit_filter`` decides which units are worth a model call (default: all)."""

    def llm_stage(result: pipeline.ReviewResult, change: pipeline.Change, settings: Settings) -> None:
        contexts = (context_text or unit_context_text)(result)
        outcome = run_sync(
            review_units_async(
                result.files, settings, context_text=contexts, root=change.root, unit_filter=unit_filter
            )
        )
        apply_outcome(result, outcome)

    return llm_stage


llm_stage = make_llm_stage()
"""The default LLM stage for the CLI."""


def run_sync(coro: Any) -> Any:
    """Run ``coro`` to completion from sync code, even when an event loop is running here."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    box: dict[str, Any] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="tactful-llm")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")


def _context_renderer() -> Callable[[dict[str, Any]], str] | None:
    """``render_unit_context`` from the context module once it exists (wired late on purpose)."""
    try:
        from tactful.analyzers import context as context_module
    except ImportError:
        return None
    return getattr(context_module, "render_unit_context", None)


def _plain_context(entry: dict[str, Any]) -> str:
    lines: list[str] = []
    for role in ("callers", "callees"):
        items = entry.get(role) or []
        if not items:
            continue
        lines.append(f"{role.title()}:")
        for item in items[:12]:
            if isinstance(item, dict):
                where = f"{item.get('path', '')}:{item.get('line', '')}".strip(":")
                text = item.get("signature") or item.get("text") or item.get("name") or ""
                lines.append(f"- {where} {text}".rstrip())
            else:
                lines.append(f"- {json.dumps(item)[:200]}")
    return "\n".join(lines)
