"""Exports of the feedback log: raw JSONL, and DPO-ready preference pairs.

A DPO pair shares one context (the snapshot of prompt and code that produced both
suggestions, or, without a snapshot, the same file and change unit): ``chosen`` is a
suggestion the developer acted on, ``rejected`` one they turned down.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
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


def write_dpo(store: FeedbackStore, out: IO[str]) -> int:
    # The latest verdict per (context, fingerprint) wins: a reject later accepted counts as accepted.
    verdicts: dict[tuple[str, str], FeedbackEvent] = {}
    for event in store.iter_events(kinds=sorted(POSITIVE_KINDS | NEGATIVE_KINDS)):
        context = event.snapshot_id or f"{event.repository}\x1f{event.path}\x1f{event.unit}"
        verdicts[(context, event.fingerprint)] = event
    groups: dict[str, dict[str, list[FeedbackEvent]]] = defaultdict(
        lambda: {"chosen": [], "rejected": []}
    )
    for (context, _), event in verdicts.items():
        groups[context]["chosen" if event.label == 1 else "rejected"].append(event)
    pairs = 0
    for context, group in groups.items():
        if not group["chosen"] or not group["rejected"]:
            continue
        first = group["chosen"][0]
        snap = store.get_snapshot(first.snapshot_id) if first.snapshot_id else None
        prompt = (
            snap[0]
            if snap
            else f"Review this change in {first.path} ({first.unit or 'top level'})."
        )
        code = snap[1] if snap else ""
        emitted = 0
        for chosen in group["chosen"]:
            for rejected in group["rejected"]:
                if emitted >= MAX_PAIRS_PER_CONTEXT:
                    break
                record = {
                    "context_id": context
                    if first.snapshot_id
                    else "unit:" + hashlib.sha256(context.encode()).hexdigest()[:16],
                    "prompt": prompt,
                    "code": code,
                    "chosen": response_text(chosen),
                    "rejected": response_text(rejected),
                    "chosen_fingerprint": chosen.fingerprint,
                    "rejected_fingerprint": rejected.fingerprint,
                    "rejected_reason": rejected.reason,
                }
                out.write(json.dumps(record, ensure_ascii=False) + "\n")
                emitted += 1
        pairs += emitted
    return pairs
