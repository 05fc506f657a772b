"""Building the review and critique prompts from the versioned templates in ``server/prompts``.

A prompt is the system rules plus, per change unit: the unit's new source with new-file line
numbers and ``+`` on changed lines, the removed old lines, the call-graph context, and the
repository's own ``.tactful/instructions.md``. Everything sent is redacted first
(:mod:`tactful.server.llm.redact`). The template version is part of the cache key, so
editing a template invalidates cached replies.
"""

from __future__ import annotations

import hashlib
import json
import string
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from tactful.analyzers.model import ChangeUnit
from tactful.server.llm.redact import redact

REVIEW_VERSION = "review.v1"
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


def numbered_unit(unit: ChangeUnit) -> str:
    """The unit's new source, ``+ 42 | code`` on changed lines and ``  41 | code`` elsewhere."""
    if unit.new_span is None or not unit.new_source:
        return "(the unit was deleted)"
    first = unit.new_span.start_line
    lines = unit.new_source.splitlines()
    changed = set(unit.changed_new_lines)
    keep = set(range(len(lines)))
    if len(lines) > MAX_UNIT_LINES:
        keep = {0}  # the header line
        for line in changed:
            index = line - first
            keep.update(range(max(index - WINDOW, 0), min(index + WINDOW + 1, len(lines))))
    width = len(str(first + len(lines)))
    out: list[str] = []
    previous = -1
    for index in sorted(keep):
        if previous >= 0 and index != previous + 1:
            out.append("  " + " " * width + " | ...")
        number = first + index
        mark = "+" if number in changed else " "
        out.append(f"{mark} {number:>{width}} | {lines[index]}")
        previous = index
    return "\n".join(out)


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


def review_prompt(unit: ChangeUnit, *, context: str = "", instructions: str = "") -> Prompt:
    user = string.Template(template(f"{REVIEW_VERSION}.user.md")).safe_substitute(
        path=unit.path,
        language=unit.language or "unknown",
        unit_kind=unit.kind,
        unit_name=unit.name,
        unit_source=numbered_unit(unit),
        removed=removed_lines(unit),
        context=context.strip() or "(none)",
        instructions=instructions.strip()[:MAX_INSTRUCTIONS_CHARS] or "(none)",
    )
    return _prompt(REVIEW_VERSION, user)


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
