"""Benchmark: change-unit mapping against the tree-sitter parse floor, on real hunks.

Over the 200 CodeReviewer records (one hunk and the old file each; the new file is the hunk
applied), times ``syntax.change_units`` (which parses both versions and queries them) and,
as the floor, parsing the same old and new texts with nothing else. Each record runs
``--rounds`` times and keeps its fastest time. Prints throughput, per-record p50/p95, the
ratio to the floor, and how many records map to a definition per language.

    python bench/units.py [--rounds 5] [--data /path/to/codereviewer]
"""

from __future__ import annotations

import argparse
import collections
import json
import statistics
import sys
import time
from pathlib import Path

from tactful.analyzers.diff import parse_hunk
from tactful.analyzers.languages import SPECS, normalize_language, parse
from tactful.analyzers.model import FileChange
from tactful.analyzers.patch import apply_file_change
from tactful.analyzers.syntax import change_units

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer"

Case = tuple[str, FileChange, str | None, str]


def load_cases(data: Path) -> list[Case]:
    cases: list[Case] = []
    for name in sorted(data.glob("*.jsonl")):
        for line in name.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            language = normalize_language(record["lang"])
            if language is None:
                continue
            change = parse_hunk(record["patch"], "file" + SPECS[language].extensions[0])
            old_text = record["oldf"]
            new_text = apply_file_change(old_text, change, strict=False)
            cases.append((language, change, old_text or None, new_text))
    return cases


def best_times(cases: list[Case], rounds: int, work: str) -> list[float]:
    best = [float("inf")] * len(cases)
    for _ in range(rounds):
        for index, (language, change, old_text, new_text) in enumerate(cases):
            start = time.perf_counter()
            if work == "units":
                change_units(change, old_text, new_text, language)
            else:
                if old_text is not None:
                    parse(language, old_text)
                parse(language, new_text)
            best[index] = min(best[index], time.perf_counter() - start)
    return best


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    args = parser.parse_args()
    if not args.data.is_dir():
        print(f"no CodeReviewer data at {args.data}", file=sys.stderr)
        return 2
    cases = load_cases(args.data)
    best_times(cases, 1, "units")  # warm up: grammars loaded, queries compiled
    units = best_times(cases, args.rounds, "units")
    floor = best_times(cases, args.rounds, "parse")

    print(f"{len(cases)} records, best of {args.rounds} rounds per record")
    print(f"{'work':<22}{'records/s':>11}{'p50 ms':>9}{'p95 ms':>9}{'total ms':>10}")
    for label, times in (("change_units", units), ("parse old+new (floor)", floor)):
        total = sum(times)
        print(
            f"{label:<22}{len(times) / total:>11.0f}{percentile(times, 0.5) * 1e3:>9.2f}"
            f"{percentile(times, 0.95) * 1e3:>9.2f}{total * 1e3:>10.1f}"
        )
    ratios = [u / f for u, f in zip(units, floor, strict=True)]
    print(
        f"ratio units/floor: total {sum(units) / sum(floor):.2f}x, per record p50 "
        f"{statistics.median(ratios):.2f}x, p95 {percentile(ratios, 0.95):.2f}x"
    )

    per_language: dict[str, collections.Counter[str]] = collections.defaultdict(collections.Counter)
    for language, change, old_text, new_text in cases:
        mapping = change_units(change, old_text, new_text, language)
        counts = per_language[language]
        counts["records"] += 1
        counts["syntax"] += mapping.syntax
        counts["definition"] += any(
            u.kind in ("function", "method", "class") for u in mapping.units
        )
    print(f"\n{'language':<12}{'records':>8}{'syntax':>8}{'to a definition':>17}")
    for language in sorted(per_language):
        counts = per_language[language]
        print(
            f"{language:<12}{counts['records']:>8}{counts['syntax']:>8}{counts['definition']:>17}"
        )
    print(
        f"{'all':<12}{sum(c['records'] for c in per_language.values()):>8}"
        f"{sum(c['syntax'] for c in per_language.values()):>8}"
        f"{sum(c['definition'] for c in per_language.values()):>17}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
