"""The chat-completions client: any OpenAI-compatible endpoint through the ``openai`` SDK.

Structured output degrades step by step and remembers what the server accepted: a JSON
schema ``response_format`` first, JSON mode if the server rejects that (HTTP 400), then
plain text (the reply parser extracts and repairs JSON). Retries with exponential backoff
on 429, 5xx, timeouts and connection errors are done here rather than inside the SDK, so
that each one is counted; a ``Retry-After`` header is honoured up to a cap. Cancelling the
awaiting task aborts the HTTP request.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import openai
from tactful.server.settings import LlmSettings

log = logging.getLogger(__name__)

MODES = ("json_schema", "json_object", "text")
MAX_RETRY_AFTER_S = 30.0


class LlmCallError(Exception):
    """A request that failed for good; ``kind`` names the failure for counters and notes."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    mode: str
    """The ``response_format`` the server answered under (one of :data:`MODES`)."""
    finish_reason: str = ""
    prompt_ms: float = 0.0
    """Server-side time reading the prompt (llama-server's ``timings``; 0 when not reported)."""
    generation_ms: float = 0.0
    """Server-side time generating the reply (0 when not reported)."""
    cached_tokens: int = 0
    """Prompt tokens the server reused from its prompt cache instead of reading them."""


@dataclass
class ClientStats:
    """What the client did across requests (read by the review for coverage counters)."""

    counts: Counter[str] = field(default_factory=Counter)


MAX_REPLY_TOKENS = 512
"""Completion tokens one review request may generate. ``review.v2``'s schema bounds a reply
to 3 findings of at most 1,000 characters (about 300 tokens each); of 140 replies of
Qwen2.5-Coder-1.5B the median was 105 tokens, the 95th percentile 194, and the longest ran to
the old 1,024-token limit repeating line numbers (two minutes of generation on a CPU)."""
SAMPLE_TEMPERATURE = 0.7
"""Temperature of the extra samples of a unit (``llm.samples`` > 1): diverse enough that
agreement means something, low enough that the replies stay on the prompt."""


class LlmClient:
    """One endpoint, one model; share it across reviews to keep connections and the mode."""

    def __init__(
        self, settings: LlmSettings, *, backoff_s: float = 0.5, max_tokens: int = MAX_REPLY_TOKENS
    ) -> None:
        self.settings = settings
        self.backoff_s = backoff_s
        self.max_tokens = max_tokens
        self.mode_index = 0
        self.stats = ClientStats()
        self._sdk = openai.AsyncOpenAI(
            base_url=settings.base_url,
            api_key=settings.api_key or "not-needed",
            timeout=settings.timeout_s,
            max_retries=0,
        )
        log.info("LLM client created for %s", settings.base_url)

    @property
    def endpoint(self) -> str:
        return self.settings.base_url

    async def close(self) -> None:
        await self._sdk.close()

    async def complete(
        self,
        messages: list[dict[str, str]],
        schema: dict[str, Any],
        schema_name: str,
        *,
        sample: int = 0,
    ) -> Completion:
        """One chat completion, retried and degraded as described in the module docstring.

        ``sample`` 0 is the greedy answer; a later one is drawn at :data:`SAMPLE_TEMPERATURE`
        with ``sample`` as its seed (self-consistency), so it is reproducible where the
        server honours seeds.
        """
        while True:
            mode = MODES[self.mode_index]
            try:
                return await self._with_retries(messages, schema, schema_name, mode, sample)
            except openai.BadRequestError as exc:
                if self.mode_index + 1 >= len(MODES) or mode == "text":
                    raise LlmCallError(
                        "bad-request", f"HTTP 400 from {self.endpoint}: {_detail(exc)}"
                    ) from exc
                self.stats.counts[f"llm.format.{mode}-rejected"] += 1
                log.info(
                    "%s rejected response_format %s (%s); falling back",
                    self.endpoint,
                    mode,
                    _detail(exc),
                )
                self.mode_index += 1

    async def _with_retries(
        self, messages: list[dict[str, str]], schema: dict[str, Any], schema_name: str, mode: str,
        sample: int = 0,
    ) -> Completion:  # fmt: skip
        attempt = 0
        while True:
            try:
                return await self._once(messages, schema, schema_name, mode, sample)
            except openai.BadRequestError:
                raise
            except (
                openai.RateLimitError,
                openai.InternalServerError,
                openai.APIStatusError,
            ) as exc:
                status = getattr(exc, "status_code", 0) or 0
                if status != 429 and status < 500:
                    raise LlmCallError(
                        f"http-{status}", f"HTTP {status} from {self.endpoint}: {_detail(exc)}"
                    ) from exc
                kind = "rate-limited" if status == 429 else f"http-{status}"
                what = f"HTTP {status} from {self.endpoint}" + (
                    " (rate limited)" if status == 429 else " (server error)"
                )
                delay = _retry_after(exc)
            except (openai.APITimeoutError, asyncio.TimeoutError):
                kind, what, delay = (
                    "timeout",
                    f"no reply from {self.endpoint} within {self.settings.timeout_s:g} s (timeout)",
                    None,
                )
            except openai.APIConnectionError as exc:
                kind, what, delay = (
                    "connection",
                    f"cannot connect to {self.endpoint}: {_detail(exc)}",
                    None,
                )
            if attempt >= self.settings.max_retries:
                suffix = f" after {attempt} retr{'y' if attempt == 1 else 'ies'}" if attempt else ""
                raise LlmCallError(kind, what + suffix)
            attempt += 1
            self.stats.counts["llm.retries"] += 1
            if delay is None:
                delay = self.backoff_s * (2 ** (attempt - 1)) * (0.5 + random.random() / 2)
            log.info("%s; retry %d in %.2f s", what, attempt, delay)
            await asyncio.sleep(delay)

    async def _once(
        self, messages: list[dict[str, str]], schema: dict[str, Any], schema_name: str, mode: str,
        sample: int = 0,
    ) -> Completion:  # fmt: skip
        kwargs: dict[str, Any] = {"seed": sample} if sample else {}
        if mode == "json_schema":
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": schema_name, "schema": schema, "strict": True},
            }
        elif mode == "json_object":
            kwargs["response_format"] = {"type": "json_object"}
        self.stats.counts["llm.requests"] += 1
        # The SDK's timeout bounds each read, so a server that drips a byte at a time never
        # trips it; the attempt as a whole gets the same limit on the wall clock.
        response = await asyncio.wait_for(
            self._sdk.chat.completions.create(
                model=self.settings.model,
                messages=messages,  # type: ignore[arg-type]
                temperature=SAMPLE_TEMPERATURE if sample else 0.0,
                max_tokens=self.max_tokens,
                **kwargs,
            ),
            timeout=self.settings.timeout_s,
        )
        choice = response.choices[0] if response.choices else None
        text = (choice.message.content or "") if choice is not None else ""
        usage = response.usage
        timings = _timings(response)
        return Completion(
            text=text,
            prompt_tokens=usage.prompt_tokens if usage else 0,
            completion_tokens=usage.completion_tokens if usage else 0,
            mode=mode,
            finish_reason=(choice.finish_reason or "") if choice is not None else "",
            prompt_ms=_number(timings.get("prompt_ms")),
            generation_ms=_number(timings.get("predicted_ms")),
            cached_tokens=int(_number(timings.get("cache_n"))),
        )


def _timings(response: object) -> dict[str, Any]:
    """llama-server's non-standard ``timings`` of a reply ({} from other servers)."""
    extra = getattr(response, "model_extra", None) or {}
    timings = extra.get("timings") if isinstance(extra, dict) else None
    return timings if isinstance(timings, dict) else {}


def _number(value: object) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0
    return float(value) if ok else 0.0  # type: ignore[arg-type]


def _detail(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        inner = body.get("error")
        message = inner.get("message") if isinstance(inner, dict) else body.get("message")
        if message:
            return str(message)[:200]
    return str(getattr(exc, "message", exc))[:200]


def _retry_after(exc: openai.APIStatusError) -> float | None:
    headers = exc.response.headers if exc.response is not None else {}
    for key, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        value = headers.get(key)
        if value is None:
            continue
        try:
            return min(max(float(value) * scale, 0.0), MAX_RETRY_AFTER_S)
        except ValueError:
            continue
    return None
