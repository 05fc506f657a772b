"""Evaluate the LLM reviewer on CodeReviewer-format records (``tactful eval comments``).

Reports the share of records with at least one (LLM) finding, smoothed BLEU-4 of the best
finding against the human reviewer's comment, tokens per record, latency, schema-valid
replies and how many findings survived validation.
"""

from __future__ import annotations

import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any

from tactful.server.llm import LlmReviewer, LlmStage, off_reason
from tactful.server.llm.bleu import sentence_bleu
from tactful.server.llm.records import Record, read_records
from tactful.server.pipeline import review
from tactful.server.settings import Settings


async def evaluate(
    data: str | Path, settings: Settings, *, limit: int | None = None
) -> dict[str, Any]:
    """Run the reviewer over the records and return the figures (see the module docstring)."""
    reason = off_reason(settings)
    reviewer = None if reason else LlmReviewer(settings)
    rows: list[dict[str, Any]] = []
    counters: Counter[str] = Counter()
    errors: list[str] = []
    try:
        for item in read_records(data, limit):
            if isinstance(item, str):
                errors.append(item)
                continue
            row, record_counters, notes = await _one(item, settings, reviewer)
            rows.append(row)
            counters.update(record_counters)
            errors.extend(
                f"record {item.number}: {n}" for n in notes if n.startswith("LLM reviewer:")
            )
    finally:
        if reviewer is not None:
            await reviewer.aclose()
    return _summary(rows, counters, errors, reason)


async def _one(
    record: Record, settings: Settings, reviewer: LlmReviewer | None
) -> tuple[dict[str, Any], dict[str, int], list[str]]:
    start = time.perf_counter()
    result = review(record.change, settings)
    if reviewer is not None:
        # A record has no repository: no instructions file, no gate, the same LLM stage as a review.
        await LlmStage(lambda: reviewer)(result, record.change, settings)
    latency = time.perf_counter() - start
    counters = dict(result.coverage.counters)
    llm = [f for f in result.findings if f.source == "llm"]
    scored = [(sentence_bleu(f.message, record.message), f.message) for f in llm]
    best = max(scored, default=(0.0, ""))
    row = {
        "record": record.number,
        "language": record.language,
        "findings": len(result.findings),
        "llm_findings": len(llm),
        "bleu": best[0],
        "best": best[1],
        "reference": record.message,
        "tokens": counters.get("llm.tokens.prompt", 0) + counters.get("llm.tokens.completion", 0),
        "latency_s": latency,
    }
    return row, counters, list(result.coverage.notes)


def _summary(
    rows: list[dict[str, Any]], counters: Counter[str], errors: list[str], off: str
) -> dict[str, Any]:
    count = len(rows)
    with_llm = [r for r in rows if r["llm_findings"]]
    latencies = [r["latency_s"] for r in rows]
    prompt, completion = (
        counters.get("llm.tokens.prompt", 0),
        counters.get("llm.tokens.completion", 0),
    )
    return {
        "records": count,
        "llm": off or "on",
        "share_with_finding": len(with_llm) / count if count else 0.0,
        "share_with_any_finding": sum(1 for r in rows if r["findings"]) / count if count else 0.0,
        "bleu4": statistics.fmean(r["bleu"] for r in rows) if rows else 0.0,
        "bleu4_when_commented": statistics.fmean(r["bleu"] for r in with_llm) if with_llm else 0.0,
        "tokens_per_record": (prompt + completion) / count if count else 0.0,
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "latency_mean_s": statistics.fmean(latencies) if latencies else 0.0,
        "latency_median_s": statistics.median(latencies) if latencies else 0.0,
        "replies": counters.get("llm.replies", 0),
        "schema_valid_replies": counters.get("llm.replies.schema-valid", 0),
        "findings_surviving": sum(r["llm_findings"] for r in rows),
        "counters": {k: v for k, v in sorted(counters.items()) if k.startswith("llm.")},
        "errors": errors[:20],
        "rows": rows,
    }


def render_text(report: dict[str, Any]) -> str:
    lines = [
        f"records:                  {report['records']}",
        f"LLM reviewer:             {report['llm']}",
        f"with >=1 LLM finding:     {report['share_with_finding']:.1%}",
        f"with >=1 finding (any):   {report['share_with_any_finding']:.1%}",
        f"BLEU-4 (best finding):    {report['bleu4']:.2f} over all records, "
        f"{report['bleu4_when_commented']:.2f} where the LLM commented",
        f"tokens per record:        {report['tokens_per_record']:.0f} "
        f"(prompt {report['prompt_tokens']:,}, completion {report['completion_tokens']:,})",
        f"latency per record:       mean {report['latency_mean_s']:.2f} s, median {report['latency_median_s']:.2f} s",
        f"replies (schema-valid):   {report['replies']} ({report['schema_valid_replies']})",
        f"findings surviving:       {report['findings_surviving']}",
    ]
    dropped = {
        k: v
        for k, v in report["counters"].items()
        if k.startswith(("llm.dropped.", "llm.parse.", "llm.errors."))
    }
    if dropped:
        lines.append(
            "dropped / failures:       "
            + ", ".join(f"{k.removeprefix('llm.')}={v}" for k, v in dropped.items())
        )
    lines.extend(f"note: {e}" for e in report["errors"][:5])
    return "\n".join(lines) + "\n"
