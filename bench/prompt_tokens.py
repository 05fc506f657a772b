"""Prompt tokens per reviewed hunk: change-unit prompts (with call-graph context) vs whole-file prompts.

    python bench/prompt_tokens.py [--data FILE] [--limit N] [--base-url URL --model NAME]

Without an endpoint, tokens are estimated (about 3.5 characters a token). With one
(``--base-url`` or ``OPENAI_BASE_URL``), each prompt is also sent with a one-token
completion and the server's own ``usage.prompt_tokens`` is reported.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import statistics
import string
from pathlib import Path

from tactful.server.llm.client import LlmCallError, LlmClient
from tactful.server.llm.prompt import (
    REVIEW_VERSION,
    Prompt,
    estimate_tokens,
    review_prompt,
    schema,
    template,
)
from tactful.server.llm.records import Record, read_records
from tactful.server.llm.redact import redact
from tactful.server.llm.stage import prompt_context
from tactful.server.pipeline import review
from tactful.server.settings import LlmSettings, Settings

DATA = str(Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer" / "msg-test-100.jsonl")


def whole_file_prompt(record: Record) -> Prompt:
    """The naive alternative: the same rules, the whole new file, and the raw hunk."""
    file = record.change.change_set.files[0]
    patch = "\n".join(line for hunk in file.hunks for line in (f"@@ {hunk.header}", *hunk.lines))
    user = string.Template(template(f"{REVIEW_VERSION}.user.md")).safe_substitute(
        path=file.path, language=record.language, unit_kind="file", unit_name=file.path,
        unit_source=record.new_text, removed=patch, context="(none)", instructions="(none)",
    )
    clean, count = redact(user)
    system = template(f"{REVIEW_VERSION}.system.md")
    return Prompt(REVIEW_VERSION, [{"role": "system", "content": system}, {"role": "user", "content": clean}], count)


def unit_prompts(record: Record, settings: Settings) -> list[Prompt]:
    result = review(record.change, settings)
    context = prompt_context(result, settings.llm.context_tokens)
    return [review_prompt(u, context=context(u)) for u in result.units if u.changed_new_lines]


async def measured(client: LlmClient | None, prompt: Prompt) -> int:
    if client is None:
        return estimate_tokens(prompt.chars)
    try:
        completion = await client.complete(prompt.messages, schema(REVIEW_VERSION), "review")
    except LlmCallError as exc:
        print(f"  request failed: {exc}")
        return estimate_tokens(prompt.chars)
    return completion.prompt_tokens


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=DATA)
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--base-url", default=os.environ.get("OPENAI_BASE_URL", ""))
    parser.add_argument("--model", default=os.environ.get("TACTFUL_MODEL", "default"))
    args = parser.parse_args()
    settings = Settings()
    client = None
    if args.base_url:
        llm = dataclasses.replace(LlmSettings(), base_url=args.base_url, model=args.model, api_key=os.environ.get("OPENAI_API_KEY", ""))
        client = LlmClient(llm, max_tokens=1)
    per_unit: list[int] = []
    per_record_units: list[int] = []
    per_record_whole: list[int] = []
    for item in read_records(args.data, args.limit):
        if isinstance(item, str):
            print(item)
            continue
        units = [await measured(client, p) for p in unit_prompts(item, settings)]
        if not units:
            continue
        per_unit.extend(units)
        per_record_units.append(sum(units))
        per_record_whole.append(await measured(client, whole_file_prompt(item)))
    if client is not None:
        await client.close()
    if not per_record_units:
        print("no records with reviewable units")
        return
    source = f"server usage from {args.base_url}" if client else "estimated, ~3.5 chars/token"
    ratio = statistics.fmean(per_record_units) / statistics.fmean(per_record_whole)
    print(f"records: {len(per_record_units)}, change units: {len(per_unit)} (tokens {source})")
    print(f"per unit prompt (with context):  mean {statistics.fmean(per_unit):,.0f}, median {statistics.median(per_unit):,.0f}")
    print(f"per hunk, all its unit prompts:  mean {statistics.fmean(per_record_units):,.0f}, median {statistics.median(per_record_units):,.0f}")
    print(f"per hunk, whole-file prompt:     mean {statistics.fmean(per_record_whole):,.0f}, median {statistics.median(per_record_whole):,.0f}")
    print(f"unit prompts / whole-file:       {ratio:.2f}")


if __name__ == "__main__":
    asyncio.run(main())
