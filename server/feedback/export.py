"""Exports of the feedback log: raw JSONL, and DPO-ready preference pairs.

A DPO pair shares one context snapshot (the unit's old and new code and diff, the call-graph
context the model saw, model and prompt version: :mod:`tactful.server.gate.snapshot`, stored
when the gate showed the suggestion): ``chosen`` is a suggestion the developer acted on,
``rejected`` one they turned down. Pairs without a snapshot are dropped and counted.
"""

from __future__ import annotations

import dataclasses
import json
from collections import defaultdict
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any

from tactful.server.feedback.events import NEGATIVE_KINDS, POSITIVE_KINDS, FeedbackEvent

if TYPE_CHECKING:
    from tactful.server.feedback.store import FeedbackStore

MAX_PAIRS_PER_CONTEXT = 16
"""Caps the cross product so one busy context cannot dominate the data set."""


def event_json(event: FeedbackEvent) -> dict[str, Any]:
    return dataclasses.asdict(event)


def write_jsonl(store: FeedbackStore, out: IO[str]) -> int:
    count = 0
    snapshots: dict[str, dict[str, str] | None] = {}
    for event in store.iter_events():
        data = event_json(event)
        sid = event.snapshot_id
        if sid:
            if sid not in snapshots:
                found = store.get_snapshot(sid)
                snapshots[sid] = {"prompt": found[0], "code": found[1]} if found else None
            data["snapshot"] = snapshots[sid]
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
        count += 1
    return count


def response_text(event: FeedbackEvent) -> str:
    """The suggestion as a model would have written it: the message, then the fix."""
    text = event.message
    if event.fix:
        edits = event.fix.get("edits") or []
        replacement = "\n".join(str(e.get("new_text", "")) for e in edits)
        text += f"\n\nSuggested fix ({event.fix.get('description', '')}):\n{replacement}"
    return text


@dataclass(frozen=True)
class DpoExport:
    pairs: int
    dropped_pairs: int
    """Pairs whose suggestions had no context snapshot (logged before snapshots, or never shown
    through the gate): without the code they were about, no model can learn from them."""


def _render_prompt(context: dict[str, Any]) -> str:
    """The review request a model would have seen: the unit's diff, then the call context."""
    text = f"Review this change in {context.get('path', '')} ({context.get('unit') or 'top level'}).\n\n"
    text += f"```diff\n{context.get('diff', '')}```\n"
    if context.get("call_context"):
        text += f"\n{context['call_context']}\n"
    return text


def _snapshot_of(
    store: FeedbackStore, sid: str, cache: dict[str, tuple[str, dict[str, Any] | None] | None]
):
    """(prompt text, structured context or None for a snapshot in the older free-text form)."""
    if sid not in cache:
        found = store.get_snapshot(sid)
        if found is None:
            cache[sid] = None
        else:
            from tactful.server.gate.snapshot import parse_snapshot

            context = parse_snapshot(*found)
            cache[sid] = (
                (_render_prompt(context), context) if context is not None else (found[0], None)
            )
    return cache[sid]


def write_dpo(store: FeedbackStore, out: IO[str]) -> int:
    return export_dpo(store, out).pairs


def export_dpo(store: FeedbackStore, out: IO[str]) -> DpoExport:
    """Chosen/rejected pairs that share one context snapshot, each carrying that snapshot.

    A verdict's context is its own snapshot id, else that of the ``shown`` decision the gate
    logged for the same suggestion (the editor's verdict events do not repeat it).
    """
    shown_context: dict[str, str] = {}
    # The latest verdict per (context, fingerprint) wins: a reject later accepted counts as accepted.
    verdicts: dict[tuple[str, str], FeedbackEvent] = {}
    orphans: dict[tuple[str, str], FeedbackEvent] = {}
    for event in store.iter_events():
        if event.kind == "shown" and event.snapshot_id:
            shown_context[event.fingerprint] = event.snapshot_id
            continue
        if event.kind not in POSITIVE_KINDS | NEGATIVE_KINDS:
            continue
        sid = event.snapshot_id or shown_context.get(event.fingerprint, "")
        if sid:
            verdicts[(sid, event.fingerprint)] = event
        else:
            orphans[(f"{event.repository}\x1f{event.path}\x1f{event.unit}", event.fingerprint)] = (
                event
            )
    cache: dict[str, tuple[str, dict[str, Any] | None] | None] = {}
    pairs = dropped = 0
    for context_id, group in _groups(verdicts).items():
        snap = _snapshot_of(store, context_id, cache)
        if snap is None:
            dropped += _pair_count(group)
            continue
        prompt, context = snap
        emitted = 0
        for chosen in group["chosen"]:
            for rejected in group["rejected"]:
                if emitted >= MAX_PAIRS_PER_CONTEXT:
                    break
                record: dict[str, Any] = {
                    "context_id": context_id,
                    "prompt": prompt,
                    "chosen": response_text(chosen),
                    "rejected": response_text(rejected),
                    "chosen_fingerprint": chosen.fingerprint,
                    "rejected_fingerprint": rejected.fingerprint,
                    "rejected_reason": rejected.reason,
                }
                if context is not None:
                    record["context"] = context
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                emitted += 1
        pairs += emitted
    dropped += sum(_pair_count(group) for group in _groups(orphans).values())
    return DpoExport(pairs, dropped)


def _groups(
    verdicts: dict[tuple[str, str], FeedbackEvent],
) -> dict[str, dict[str, list[FeedbackEvent]]]:
    groups: dict[str, dict[str, list[FeedbackEvent]]] = defaultdict(
        lambda: {"chosen": [], "rejected": []}
    )
    for (context, _), event in verdicts.items():
        groups[context]["chosen" if event.label == 1 else "rejected"].append(event)
    return groups


def _pair_count(group: dict[str, list[FeedbackEvent]]) -> int:
    return min(len(group["chosen"]) * len(group["rejected"]), MAX_PAIRS_PER_CONTEXT)
