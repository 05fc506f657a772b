"""tree-sitter on hostile text: parse time against length, unbounded and with the budget.

Each shape repeats a short unit (``"a`` is an endless run of unterminated strings) to a
length (64 KiB or more, where the budget applies); the worst shapes cost tree-sitter's error recovery up to ~45 us a byte, where real
code costs under 1.5 us. Prints, per language and shape: CPU seconds of a plain parse, and
of :func:`bounded_parse` (which stops at ``parse_budget_s``), at each length. Then the
same for one real file, to show that the budget leaves real code alone.

    python bench/parse_budget.py [--lengths 80000,160000,640000] [--languages ruby,csharp]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from tactful.analyzers.languages import (
    ParseTooSlow,
    bounded_parse,
    detect_language,
    get_parser,
    parse_budget_s,
)

# The slowest shape per language found by probing 16 short units at 20,000 bytes.
WORST = {
    "ruby": "`",
    "csharp": '"a',
    "rust": '"a',
    "java": '"a',
    "python": '"a',
    "go": "`",
    "c": "a(",
    "cpp": "'a",
    "javascript": "'a",
    "typescript": "'a",
}


def _cpu(work) -> tuple[float, str]:
    start = time.thread_time()
    try:
        work()
        outcome = "parsed"
    except ParseTooSlow:
        outcome = "stopped"
    return time.thread_time() - start, outcome


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--lengths", default="80000,160000,640000")
    ap.add_argument("--languages", default=",".join(WORST))
    args = ap.parse_args()
    lengths = [int(n) for n in args.lengths.split(",")]
    print(
        f"{'language':10} {'shape':6} {'bytes':>8} {'plain s':>8} {'bounded s':>9} {'budget s':>8}  outcome"
    )
    for language in args.languages.split(","):
        unit = WORST[language]
        for n in lengths:
            data = (unit * (n // len(unit) + 1))[:n].encode()
            plain, _ = _cpu(lambda: get_parser(language).parse(data))  # noqa: B023
            bounded, outcome = _cpu(lambda: bounded_parse(language, data))  # noqa: B023
            print(f"{language:10} {unit!r:6} {n:>8,} {plain:>8.3f} {bounded:>9.3f} "
                  f"{parse_budget_s(n):>8.3f}  {outcome}", flush=True)  # fmt: skip
    real = Path(__file__).resolve().parents[1] / "server" / "pipeline.py"
    data = real.read_bytes()
    language = detect_language(str(real)) or "python"
    plain, _ = _cpu(lambda: get_parser(language).parse(data))
    bounded, outcome = _cpu(lambda: bounded_parse(language, data))
    print(f"real file {real.name}: {len(data):,} bytes, plain {plain:.3f} s, bounded "
          f"{bounded:.3f} s, budget {parse_budget_s(len(data)):.3f} s, {outcome}")  # fmt: skip


if __name__ == "__main__":
    main()
