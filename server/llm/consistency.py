"""Self-consistency: several samples of one unit's review, and the findings they agree on.

With ``llm.samples`` > 1 the reviewer asks the model again for the same prompt (greedy
first, then seeded samples at a temperature). A finding counts as found again by a sample
that has one of the same category starting within :data:`NEAR_LINES` lines; what fewer than
two samples found is dropped, and the share of samples that agree becomes the gate feature
``llm.agreement``. With a prompt cache on the server (llama-server's ``cache_prompt``) a
repeat of the prompt costs only its generated tokens.
"""

from __future__ import annotations

from collections.abc import Sequence

from tactful.analyzers.model import Finding

NEAR_LINES = 2
MIN_VOTES = 2


def same_finding(a: Finding, b: Finding) -> bool:
    return a.category == b.category and abs(a.span.start_line - b.span.start_line) <= NEAR_LINES


def agreeing(samples: Sequence[Sequence[Finding]]) -> tuple[list[tuple[Finding, float]], int]:
    """``([(finding, agreement share)], clusters dropped)``: one finding per cluster that at
    least :data:`MIN_VOTES` samples found, in the wording of the earliest sample that has it."""
    kept: list[tuple[Finding, float]] = []
    seen: list[Finding] = []
    dropped = 0
    for found in samples:
        for finding in found:
            if any(same_finding(finding, other) for other in seen):
                continue
            seen.append(finding)
            votes = sum(any(same_finding(finding, g) for g in sample) for sample in samples)
            if votes >= MIN_VOTES:
                kept.append((finding, votes / len(samples)))
            else:
                dropped += 1
    return kept, dropped
