"""The context snapshot logged with a shown suggestion: what produced it, for preference data.

A preference pair (``tactful feedback export --format dpo``) is only trainable with the
input that produced both suggestions: the unit's old and new code and its diff, the
call-graph context the model saw, the model and the prompt version. The display gate
stores this once per content (the feedback store's ``snapshots`` table, by content id) and
puts the id on the ``shown`` event. Each text is cut to a bound so one huge unit cannot
bloat the log; a cut says so. Every text is redacted first (:mod:`tactful.server.redact`),
as a prompt is: the log and its exports never hold a credential the model would not see.
"""

from __future__ import annotations

import difflib
import json

from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server.redact import redact

MAX_TEXT = 8_000
"""Characters kept of each part (old code, new code, diff, call-graph context)."""
SNAPSHOT_VERSION = 1


def _bounded(text: str, cut: list[str], name: str) -> str:
    text = redact(text)[0]
    if len(text) <= MAX_TEXT:
        return text
    cut.append(name)
    return text[:MAX_TEXT]


def unit_diff(unit: ChangeUnit) -> str:
    old = unit.old_source.splitlines(keepends=True)
    new = unit.new_source.splitlines(keepends=True)
    return "".join(difflib.unified_diff(old, new, f"a/{unit.path}", f"b/{unit.path}", n=3))


def context_snapshot(
    finding: Finding, unit: ChangeUnit | None, calls: str, model: str, prompt_version: str
) -> tuple[str, str] | None:
    """(prompt part, code part) as JSON texts for the store's snapshot table; None without a unit."""
    if unit is None:
        return None
    cut: list[str] = []
    code = {
        "path": unit.path,
        "unit": unit.name,
        "kind": unit.kind,
        "language": unit.language or "",
        "old": _bounded(unit.old_source, cut, "old"),
        "new": _bounded(unit.new_source, cut, "new"),
        "diff": _bounded(unit_diff(unit), cut, "diff"),
    }
    prompt = {
        "version": SNAPSHOT_VERSION,
        "source": finding.source,
        "model": model if finding.source == "llm" else "",
        "prompt_version": prompt_version if finding.source == "llm" else "",
        "call_context": _bounded(calls, cut, "call_context") if finding.source == "llm" else "",
        "truncated": cut,
    }
    return json.dumps(prompt, ensure_ascii=False, sort_keys=True), json.dumps(
        code, ensure_ascii=False, sort_keys=True
    )


def parse_snapshot(prompt: str, code: str) -> dict[str, object] | None:
    """The snapshot as one object; None for a snapshot in another (older) format."""
    try:
        meta, body = json.loads(prompt), json.loads(code)
    except ValueError:
        return None
    if (
        not isinstance(meta, dict)
        or not isinstance(body, dict)
        or meta.get("version") != SNAPSHOT_VERSION
    ):
        return None
    return {**body, **{k: v for k, v in meta.items() if k != "version"}}
