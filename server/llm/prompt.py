"""Building the review and critique prompts from the versioned templates in ``server/prompts``.

A prompt is the system rules plus, per change unit: the unit's new source with new-file line
numbers and ``+`` on changed lines, the old source (``review.v2``, with ``-`` on removed
lines) or just the removed lines (``review.v1``), the call-graph context, and the
repository's own ``.tactful/instructions.md``; ``review.v2`` also asks targeted defect
questions. A per-unit token cap (``llm.maxPromptTokens``) narrows what is shown to fit. Everything sent is redacted first
(:mod:`tactful.server.redact`). The template version is part of the cache key, so
editing a template invalidates cached replies.
"""

from __future__ import annotations

import hashlib
import json
import string
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tactful.analyzers.model import ChangeUnit
from tactful.server.llm.removed import removal_anchors
from tactful.server.redact import redact

REVIEW_VERSION = "review.v2"
"""The default template (``llm.promptVersion``); chosen by bench/review_quality.py --llm."""
CRITIQUE_VERSION = "critique.v1"
MAX_UNIT_LINES = 160
"""Longer units show only the changed lines with this many lines around them."""
WINDOW = 8
MAX_INSTRUCTIONS_CHARS = 4000


@cache
def template(name: str) -> str:
    return resources.files("tactful.server.prompts").joinpath(name).read_text("utf-8")


@cache
def schema(version: str) -> dict[str, Any]:
    value: dict[str, Any] = json.loads(template(f"{version}.schema.json"))
    return value


@dataclass(frozen=True)
class Prompt:
    """The messages of one request, redacted, with the key that identifies them."""

    version: str
    messages: list[dict[str, str]]
    redactions: int

    def key(self, model: str) -> str:
        data = json.dumps([self.version, model, self.messages], sort_keys=True).encode("utf-8")
        return hashlib.sha256(data).hexdigest()

    @property
    def chars(self) -> int:
        return sum(len(m["content"]) for m in self.messages)


def estimate_tokens(text_or_chars: str | int) -> int:
    """A rough token count (about 3.5 characters a token for code); used for budgeting."""
    chars = text_or_chars if isinstance(text_or_chars, int) else len(text_or_chars)
    return (chars * 2 + 6) // 7


def numbered(
    source: str,
    first: int,
    changed: Collection[int],
    mark: str,
    window: int | None = None,
    notes: Mapping[int, str] | None = None,
) -> str:
    """``source`` with line numbers, ``mark`` on the ``changed`` lines.

    With ``window`` (or when the source is longer than :data:`MAX_UNIT_LINES`), only the
    header line and the changed lines with ``window`` lines around them are shown.
    ``notes`` maps a line to a remark shown just before it (and windowed like a change).
    """
    notes = notes or {}
    lines = source.splitlines()
    keep = set(range(len(lines)))
    if window is None and len(lines) > MAX_UNIT_LINES:
        window = WINDOW
    if window is not None:
        keep = {0}  # the header line
        for line in (*changed, *notes):
            index = line - first
            keep.update(range(max(index - window, 0), min(index + window + 1, len(lines))))
    width = len(str(first + len(lines)))
    out: list[str] = []
    previous = -1
    for index in sorted(keep):
        if previous >= 0 and index != previous + 1:
            out.append("  " + " " * width + " | ...")
        number = first + index
        if number in notes:
            out.append(f"- {' ' * width} | {notes[number]}")
        out.append(f"{mark if number in changed else ' '} {number:>{width}} | {lines[index]}")
        previous = index
    if first + len(lines) in notes:  # removed lines at the very end
        out.append(f"- {' ' * width} | {notes[first + len(lines)]}")
    return "\n".join(out)


def numbered_unit(unit: ChangeUnit, window: int | None = None) -> str:
    """The unit's new source, ``+ 42 | code`` on changed lines and ``  41 | code`` elsewhere.

    A unit that only lost lines says where they were, so the model can report a dropped check.
    """
    if unit.new_span is None or not unit.new_source:
        return "(the unit was deleted)"
    notes: dict[int, str] = {}
    if not unit.changed_new_lines:
        blocks: dict[int, list[int]] = {}
        for old, anchor in removal_anchors(unit).items():
            blocks.setdefault(anchor.line if anchor.after else anchor.line + 1, []).append(old)
        for line, olds in blocks.items():
            span = f"{min(olds)}-{max(olds)}" if len(olds) > 1 else str(olds[0])
            notes[line] = f"(old line{'s' if len(olds) > 1 else ''} {span} removed here)"
    return numbered(
        unit.new_source, unit.new_span.start_line, set(unit.changed_new_lines), "+", window, notes
    )


def numbered_old_unit(unit: ChangeUnit, window: int | None = None) -> str:
    """The unit's old source, ``- 42 | code`` on the lines the change removed or replaced."""
    if unit.old_span is None or not unit.old_source:
        return "(a new unit: there is no old version)"
    return numbered(
        unit.old_source, unit.old_span.start_line, set(unit.changed_old_lines), "-", window
    )


def removed_lines(unit: ChangeUnit) -> str:
    if not unit.changed_old_lines or unit.old_span is None:
        return "(none)"
    first = unit.old_span.start_line
    lines = unit.old_source.splitlines()
    out = []
    for number in unit.changed_old_lines:
        index = number - first
        if 0 <= index < len(lines):
            out.append(f"- {number} | {lines[index]}")
    return "\n".join(out) or "(none)"


def shows_old_version(version: str) -> bool:
    """Whether the template shows the unit's old version itself (the context then need not)."""
    return version != "review.v1"


FIT_LADDER: tuple[tuple[int | None, float], ...] = (
    (None, 1.0), (None, 0.5), (WINDOW, 0.5), (WINDOW, 0.25), (4, 0.25), (4, 0.1), (4, 0.0),
    (2, 0.0), (0, 0.0),
)  # fmt: skip
"""(code window, share of context lines kept), tried in turn until the prompt fits its cap."""


def review_prompt(
    unit: ChangeUnit,
    *,
    context: str = "",
    instructions: str = "",
    version: str = REVIEW_VERSION,
    max_tokens: int = 0,
) -> Prompt:
    """The review prompt of ``unit`` in template ``version``, within ``max_tokens`` if set.

    Over the cap, the context loses its least relevant (last) lines first, then the code
    shows narrower windows around the changed lines.
    """
    system = template(f"{version}.system.md")
    user_template = string.Template(template(f"{version}.user.md"))
    context_lines = context.strip().splitlines()
    instructions = instructions.strip()[:MAX_INSTRUCTIONS_CHARS]
    user = ""
    for window, share in FIT_LADDER:
        kept = context_lines[: int(len(context_lines) * share)]
        if kept and share < 1.0:
            kept.append(f"(context cut to fit {max_tokens} tokens)")
        user = user_template.safe_substitute(
            path=unit.path,
            language=unit.language or "unknown",
            unit_kind=unit.kind,
            unit_name=unit.name,
            unit_source=numbered_unit(unit, window),
            old_source=numbered_old_unit(unit, window),
            removed=removed_lines(unit),
            context="\n".join(kept) or "(none)",
            instructions=instructions or "(none)",
        )
        if max_tokens <= 0 or estimate_tokens(len(system) + len(user)) <= max_tokens:
            break
    return _prompt(version, user)


def critique_prompt(unit: ChangeUnit, comments: list[dict[str, Any]]) -> Prompt:
    rendered = "\n".join(
        f"[{c['id']}] ({c['category']}) on `{c['existing_code'].strip()[:200]}`: {c['message']}"
        for c in comments
    )
    user = string.Template(template(f"{CRITIQUE_VERSION}.user.md")).safe_substitute(
        path=unit.path,
        language=unit.language or "unknown",
        unit_source=numbered_unit(unit),
        comments=rendered,
    )
    return _prompt(CRITIQUE_VERSION, user)


def _prompt(version: str, user: str) -> Prompt:
    system = template(f"{version}.system.md")
    clean, count = redact(user)
    return Prompt(
        version, [{"role": "system", "content": system}, {"role": "user", "content": clean}], count
    )
