"""The LLM reviewer's notes on a review: what it could not review, dropped or changed.

Pure: counters and messages in, the lines ``tactful review`` and the editor show out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MAX_LISTED_UNITS = 8


def review_notes(
    counts: Mapping[str, int],
    errors: Mapping[str, tuple[int, str]],
    parse_errors: Sequence[str],
    fix_problems: Sequence[str],
    skipped_units: Sequence[str],
    budget: int,
    units: int,
) -> list[str]:
    notes: list[str] = []
    for kind, (count, message) in errors.items():
        if kind in ("context", "critique"):
            notes.append(f"LLM reviewer: {message}")
        else:
            notes.append(f"LLM reviewer: {count} of {units} unit(s) not reviewed: {message}")
    if parse_errors:
        notes.append(
            f"LLM reviewer: unreadable reply for {len(parse_errors)} unit(s): {parse_errors[0]}"
        )
    dropped = {
        k.removeprefix("llm.dropped."): v for k, v in counts.items() if k.startswith("llm.dropped.")
    }
    if dropped:
        detail = ", ".join(f"{v} {k}" for k, v in sorted(dropped.items()))
        notes.append(
            f"LLM reviewer: dropped {sum(dropped.values())} finding(s) that failed validation ({detail})"
        )
    if fix_problems:
        notes.append(
            f"LLM reviewer: removed the suggested fix of {len(fix_problems)} finding(s): {fix_problems[0]}"
        )
    if skipped_units:
        listed = ", ".join(skipped_units[:MAX_LISTED_UNITS])
        more = len(skipped_units) - MAX_LISTED_UNITS
        notes.append(
            f"LLM reviewer: token budget {budget:,} reached; not reviewed: {listed}"
            + (f" and {more} more" if more > 0 else "")
        )
    return notes
