"""Reading a model's reply: JSON when it is JSON, else JSON extracted and repaired from text.

Small and local models wrap JSON in prose or code fences, leave trailing commas, write
Python literals, or stop mid-object at the token limit. :func:`parse_reply` tries the
strict reading first, then each repair in turn, and says which one worked. Each item is
then normalised on its own, so one bad finding does not lose the others.
"""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass, field
from typing import Any

CATEGORIES = (
    "correctness",
    "security",
    "error-handling",
    "maintainability",
    "style",
    "performance",
    "testing",
    "debug",
)
_CATEGORY_ALIASES = {
    "bug": "correctness",
    "logic": "correctness",
    "error": "correctness",
    "errors": "error-handling",
    "error handling": "error-handling",
    "exception": "error-handling",
    "readability": "maintainability",
    "design": "maintainability",
    "naming": "style",
    "formatting": "style",
    "documentation": "maintainability",
    "perf": "performance",
    "efficiency": "performance",
    "tests": "testing",
    "test": "testing",
    "debugging": "debug",
}


@dataclass(frozen=True)
class RawFinding:
    """One finding as the model wrote it, normalised but not yet anchored."""

    category: str
    confidence: float
    message: str
    existing_code: str
    improved_code: str = ""


@dataclass
class ParsedReply:
    items: list[dict[str, Any]] = field(default_factory=list)
    """The list under ``key``, as parsed (not yet normalised)."""
    repair: str = ""
    """``""`` for clean JSON, else the repair that worked (``fenced``, ``extracted``, ``repaired``)."""
    error: str = ""
    """Why nothing could be read; empty on success."""


def parse_reply(text: str, key: str) -> ParsedReply:
    """The list under ``key`` in the JSON object ``text`` holds, however it is wrapped."""
    value, repair = _load_any(text)
    if value is _NOTHING:
        snippet = " ".join(text.split())[:60]
        return ParsedReply(
            error=f"reply is not JSON and no JSON object could be recovered: {snippet!r}"
        )
    if isinstance(value, list):
        return ParsedReply(
            items=[v for v in value if isinstance(v, dict)], repair=repair or "bare-list"
        )
    if isinstance(value, dict):
        inner = value.get(key)
        if isinstance(inner, list):
            return ParsedReply(items=list(inner), repair=repair)
        if isinstance(inner, dict):
            return ParsedReply(items=[inner], repair=repair or "single-object")
        if "message" in value or "score" in value:
            return ParsedReply(items=[value], repair=repair or "single-object")
        if inner is None and not value:
            return ParsedReply(repair=repair)
        return ParsedReply(
            error=f"reply JSON has no {key!r} list (keys: {', '.join(list(value)[:5])})"
        )
    return ParsedReply(error=f"reply JSON is a {type(value).__name__}, not an object")


def normalise_finding(item: Any) -> RawFinding | None:
    """A :class:`RawFinding` from one parsed item, or None when it has no usable message."""
    if not isinstance(item, dict):
        return None
    message = item.get("message") or item.get("comment") or item.get("body")
    if not isinstance(message, str) or not message.strip():
        return None
    existing = item.get("existing_code") or item.get("code") or ""
    improved = item.get("improved_code") or item.get("suggestion") or ""
    return RawFinding(
        category=_category(item.get("category")),
        confidence=_confidence(item.get("confidence")),
        message=" ".join(message.split()),
        existing_code=existing if isinstance(existing, str) else "",
        improved_code=improved if isinstance(improved, str) else "",
    )


def _category(value: Any) -> str:
    if not isinstance(value, str):
        return "correctness"
    lowered = value.strip().lower().replace("_", "-")
    if lowered in CATEGORIES:
        return lowered
    return _CATEGORY_ALIASES.get(
        lowered.replace("-", " "), _CATEGORY_ALIASES.get(lowered, "correctness")
    )


def _confidence(value: Any) -> float:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return 0.5
    if number != number:  # NaN
        return 0.5
    if number > 1.0:
        number = number / 10.0 if number <= 10.0 else number / 100.0
    return min(max(number, 0.0), 1.0)


_NOTHING: Any = object()
_FENCE = re.compile(r"```[A-Za-z0-9_-]*\s*\n?(.*?)```", re.DOTALL)
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


def _load_any(text: str) -> tuple[Any, str]:
    stripped = text.strip()
    value = _try_json(stripped)
    if value is not _NOTHING:
        return value, ""
    for fenced in _FENCE.findall(stripped):
        value = _try_json(fenced.strip())
        if value is not _NOTHING:
            return value, "fenced"
    for candidate in _balanced_candidates(stripped):
        value = _try_json(candidate)
        if value is not _NOTHING:
            return value, "extracted"
        value = _repair(candidate)
        if value is not _NOTHING:
            return value, "repaired"
    start = _first_open(stripped)
    if start >= 0:
        value = _repair(stripped[start:], close=True)
        if value is not _NOTHING:
            return value, "repaired"
    return _NOTHING, ""


def _try_json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return _NOTHING


def _first_open(text: str) -> int:
    positions = [p for p in (text.find("{"), text.find("[")) if p >= 0]
    return min(positions) if positions else -1


def _balanced_candidates(text: str, limit: int = 20) -> list[str]:
    """Substrings from an opening bracket to its matching close, respecting strings."""
    found: list[str] = []
    for start, char in enumerate(text):
        if char not in "{[" or len(found) >= limit:
            continue
        end = _matching_close(text, start)
        if end > start:
            found.append(text[start : end + 1])
    found.sort(key=len, reverse=True)
    return found


def _brackets(text: str, start: int = 0) -> tuple[list[tuple[int, str]], bool]:
    """Brackets outside string literals as (index, char), and whether the text ends inside a string."""
    found: list[tuple[int, str]] = []
    in_string = False
    escaped = False
    for index in range(start, len(text)):
        char = text[index]
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "{[]}":
            found.append((index, char))
    return found, in_string


def _matching_close(text: str, start: int) -> int:
    stack: list[str] = []
    for index, char in _brackets(text, start)[0]:
        if char in "{[":
            stack.append("}" if char == "{" else "]")
        elif not stack or stack.pop() != char:
            return -1
        elif not stack:
            return index
    return -1


def _repair(text: str, *, close: bool = False) -> Any:
    """Trailing commas, Python literals, and (with ``close``) a reply cut off mid-way."""
    candidate = _TRAILING_COMMA.sub(r"\1", text)
    value = _try_json(candidate)
    if value is not _NOTHING:
        return value
    try:
        literal = ast.literal_eval(candidate)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        literal = _NOTHING
    if isinstance(literal, (dict, list)):
        return literal
    if close:
        return _try_json(_TRAILING_COMMA.sub(r"\1", _close_truncated(candidate)))
    return _NOTHING


def _close_truncated(text: str) -> str:
    """Close an unterminated string and every open bracket, dropping a dangling key or comma."""
    stack: list[str] = []
    brackets, in_string = _brackets(text)
    for _, char in brackets:
        if char in "{[":
            stack.append("}" if char == "{" else "]")
        elif stack:
            stack.pop()
    if in_string:
        text += '"'
    text = re.sub(r',\s*"[^"]*"\s*:?\s*$', "", text.rstrip())  # a key with no value
    text = re.sub(r"[,:]\s*$", "", text)
    return text + "".join(reversed(stack))
