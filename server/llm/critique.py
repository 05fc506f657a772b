"""The optional critique pass: a second call that scores each surviving finding 0-10.

The score is a feature for the display gate, never a filter here: a finding with a low
score still reaches the gate, which learns how much to trust the critic.
"""

from __future__ import annotations

from typing import Any

from tactful.analyzers.model import ChangeUnit, Finding
from tactful.server.llm.client import LlmClient
from tactful.server.llm.parse import parse_reply
from tactful.server.llm.prompt import CRITIQUE_VERSION, Prompt, critique_prompt, schema


def build(unit: ChangeUnit, findings: list[Finding]) -> Prompt:
    comments = [
        {"id": index, "category": f.category, "existing_code": f.code, "message": f.message}
        for index, f in enumerate(findings)
    ]
    return critique_prompt(unit, comments)


async def score(client: LlmClient, prompt: Prompt) -> tuple[str, int, int]:
    """The raw critique reply and its prompt/completion tokens (raises ``LlmCallError``)."""
    completion = await client.complete(prompt.messages, schema(CRITIQUE_VERSION), "critique")
    return completion.text, completion.prompt_tokens, completion.completion_tokens


def read_scores(text: str, count: int) -> tuple[dict[int, tuple[float, str]], str]:
    """Scores by finding index from a critique reply, and an error line when unreadable."""
    parsed = parse_reply(text, "scores")
    if parsed.error:
        return {}, parsed.error
    scores: dict[int, tuple[float, str]] = {}
    for position, item in enumerate(parsed.items):
        if not isinstance(item, dict):
            continue
        index = _int(item.get("id"), position)
        value = _float(item.get("score"))
        if value is None or not 0 <= index < count:
            continue
        reason = item.get("reason")
        scores[index] = (min(max(value, 0.0), 10.0), reason if isinstance(reason, str) else "")
    return scores, ""


def _int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _float(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number
