"""Gate decision latency: p50/p95/p99 of one stage-2 decision (and a stage-1 score) per finding.

Uses the replay bench's real findings (tactful's reviewer over the corpus packages) with
their units, blame and session features, and a gate with some learned history, as in a
long-running editor session. Goal: p95 <= 1 ms per finding.

    python bench/gate.py [--n 3000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from replay import OWN_KEY, real_findings  # noqa: E402
from tactful.server.feedback import FeedbackEvent  # noqa: E402
from tactful.server.gate import Gate  # noqa: E402
from tactful.server.settings import GateSettings  # noqa: E402


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=3000)
    args = parser.parse_args()
    items = real_findings()
    gate = Gate.open(GateSettings(), None, user="bench", seed=0)
    now = 1.8e9
    for item in items[:300]:  # some history, so the per-rule rates are live
        now += 60
        gate.decide(item.finding, item.unit, extra={OWN_KEY: item.own}, now=now)
        gate.observe(
            FeedbackEvent.from_finding(
                random.choice(["accepted", "rejected"]), item.finding, user="bench"
            )
        )
    decide, unit_score = [], []
    for k in range(args.n):
        item = items[k % len(items)]
        now += 60
        start = time.perf_counter()
        gate.decide(item.finding, item.unit, extra={OWN_KEY: item.own}, now=now)
        decide.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        gate.units.score(item.unit)
        unit_score.append((time.perf_counter() - start) * 1000)
    for name, times in (
        ("stage 2 decide (incl. stage-1 feature)", decide),
        ("stage 1 score", unit_score),
    ):
        print(f"{name}: n={len(times)} mean={statistics.mean(times):.3f} ms  p50={percentile(times, 0.5):.3f} ms  "
              f"p95={percentile(times, 0.95):.3f} ms  p99={percentile(times, 0.99):.3f} ms")  # fmt: skip
    p95 = percentile(decide, 0.95)
    print(f"goal p95 <= 1 ms per finding: {'met' if p95 <= 1.0 else 'NOT met'} ({p95:.3f} ms)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
