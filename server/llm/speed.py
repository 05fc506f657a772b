"""How fast a served model is, and the time limits that follow for the LLM reviewer.

``tactful llm serve`` asks the fresh server for one short completion and reads the speeds
llama-server reports (``timings``: prompt and generation tokens per second; without them,
the wall clock and the usage counts). :func:`limits_for` turns the speeds into the
``llm.timeoutS`` and ``llm.deadlineS`` to print: on a CPU a unit's prompt alone can take
minutes, far beyond the defaults meant for hosted endpoints.
"""

from __future__ import annotations

import json
import math
import time
import urllib.error
import urllib.request
from dataclasses import dataclass

PROBE_PROMPT = 'Reply with the JSON object {"findings": []}.\n' + "def f(x):\n    return x\n" * 24
PROBE_TOKENS = 16
TYPICAL_REPLY_TOKENS = 160
"""A reply with one or two findings; an empty one is ~10 tokens."""
UNITS_PER_REVIEW = 4
"""An edit in the editor usually touches a few units; the deadline covers that many."""
MARGIN = 2.0
"""The probe runs on an idle server with a short prompt; a review's full prompt on a machine
doing other work measured about half as fast (95 -> 41 prompt and 26 -> 11 generated tokens/s
for Qwen2.5-Coder-1.5B on one core while the other core ran a review)."""


@dataclass(frozen=True)
class Speed:
    prompt_tps: float
    """Prompt tokens read per second."""
    generation_tps: float
    """Tokens generated per second."""


@dataclass(frozen=True)
class Limits:
    unit_s: float
    """Expected seconds for one unit with a full prompt and a typical reply."""
    timeout_s: float
    """One request, even one whose reply runs to the token limit."""
    deadline_s: float
    """The model's part of one review of :data:`UNITS_PER_REVIEW` units."""


def measure(base_url: str, model: str, timeout_s: float = 120.0) -> Speed | None:
    """One short completion from ``base_url`` (``.../v1``); None when it cannot be measured."""
    body = json.dumps(
        {
            "model": model,
            "messages": [{"role": "user", "content": PROBE_PROMPT}],
            "max_tokens": PROBE_TOKENS,
            "temperature": 0,
        }
    ).encode("utf-8")
    request = urllib.request.Request(
        base_url.rstrip("/") + "/chat/completions",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": "Bearer local"},
    )
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout_s) as response:
            reply = json.loads(response.read().decode("utf-8"))
    except (urllib.error.URLError, OSError, ValueError):
        return None
    elapsed = time.monotonic() - started
    if not isinstance(reply, dict):
        return None
    return _from_timings(reply.get("timings")) or _from_usage(reply.get("usage"), elapsed)


def _from_timings(timings: object) -> Speed | None:
    if not isinstance(timings, dict):
        return None
    prompt, generation = timings.get("prompt_per_second"), timings.get("predicted_per_second")
    if _positive(prompt) and _positive(generation):
        return Speed(float(prompt), float(generation))  # type: ignore[arg-type]
    return None


def _from_usage(usage: object, elapsed: float) -> Speed | None:
    """Without timings, both phases at the overall rate: pessimistic for the prompt."""
    if not isinstance(usage, dict) or elapsed <= 0:
        return None
    total = usage.get("total_tokens")
    if not _positive(total):
        return None
    rate = float(total) / elapsed  # type: ignore[arg-type]
    return Speed(rate, rate)


def _positive(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def limits_for(speed: Speed, max_prompt_tokens: int, max_reply_tokens: int) -> Limits:
    """Time limits that let a model of ``speed`` answer, rounded up to whole 5 s."""
    read = max_prompt_tokens / speed.prompt_tps
    unit = read + TYPICAL_REPLY_TOKENS / speed.generation_tps
    longest = read + max_reply_tokens / speed.generation_tps
    return Limits(
        unit_s=unit,
        timeout_s=_round_up(longest * MARGIN),
        deadline_s=_round_up(unit * UNITS_PER_REVIEW * MARGIN),
    )


def _round_up(seconds: float) -> float:
    return float(max(5, math.ceil(seconds / 5) * 5))
