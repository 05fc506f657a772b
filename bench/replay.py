"""Replay simulation: simulated developers with hidden preferences teach the display gate.

The findings are real: tactful's offline reviewer run over the source files of the 27
real packages of the review-quality corpus (``bench/review_quality.py`` downloads them into
``~/.cache/tactful/bench-corpus/``). Two thirds of the files are reviewed as new files,
the rest as edits: random blocks of 1-40 lines of the real file are taken out of the old side,
so hunks have realistic sizes and findings fall on real added lines. Findings are cached
(``gate-findings-v2.pkl`` beside the corpus). Whose code each file is (the gate's
``blame.own`` feature) is drawn once per file: 45% the developer's, 45% others', 10% mixed.

Each developer has a hidden preference; verdicts carry 2% label noise (and 10% of
rejections arrive as the weaker "ignored"). Suggestions come in sessions of 5-25 (a few
minutes apart; sessions hours apart). The gate starts from the shipped prior with its
default settings (target 0.5, ``hidePrecision`` 0.95, exploration on) and learns from every
verdict on what it showed. After ``--events`` verdicts (200) it is measured, with exploration
and learning off, on the next 400 suggestions of the stream (judged by the noise-free
preference): the share of would-reject hidden (``rejects_hidden``), of would-accept kept
(``accepts_kept``) and of hidden that would be rejected (``hide_precision``). The last column
columns say what exploration cost while learning (the share of would-hide suggestions shown
anyway) and how many of the verdicts were (noise-free) rejections: a certificate needs 20
effective outcomes at an IPW share of at least 0.95, and with 2% noise a region the developer
always rejects logs ~98% rejections, so a profile with few rejections spread over many strata
(directory, hunk size) meets the target only on some seeds. The column of missed conditions
says whether a seed failed by hiding too little or by hiding what the developer acts on.

Target on every learnable profile and seed: rejects_hidden >= 0.5, hide_precision >= 0.95,
accepts_kept >= 0.95. The random profile (rejects half, independent of everything) must not
meet it.

    python bench/replay.py [--events 200] [--seeds 5] [--first-seed 0] [--noise 0.02]
                           [--only NAME] [--why] [--findings FILE]

``--findings FILE`` reads the findings pool from FILE (written there on the first run), so
runs on different machines or after a corpus change can replay the same pool. The decide
latency (p50/p95 of ``Gate.decide`` over every decision of every run) is printed last.
"""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import hashlib
import os
import pickle
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import ChangeUnit, Finding, Severity
from tactful.server.feedback import FeedbackEvent
from tactful.server.gate import Gate
from tactful.server.gate.situation import OWN_KEY, area
from tactful.server.gate.stage2 import Decision
from tactful.server.settings import GateSettings, ReviewSettings, Settings

CORPUS = Path(os.environ.get("TACTFUL_BENCH_CORPUS", Path.home() / ".cache/tactful/bench-corpus"))
CACHE = CORPUS / "gate-findings-v2.pkl"
MAX_FILES_PER_REPO = 400
MAX_FILE_BYTES = 80_000
EVAL_ITEMS = 400
NON_SHIPPING = frozenset(
    {"test", "tests", "spec", "t", "examples", "example", "benchmarks", "bench", "docs", "doc",
     "scripts", "tools", "contrib", "samples", "demo"}
)  # fmt: skip


@dataclass(frozen=True)
class Item:
    finding: Finding
    unit: ChangeUnit | None
    own: float
    """Share of the surrounding code the developer wrote (the ``blame.own`` feature)."""
    repo: str

    @property
    def added(self) -> int:
        return len(self.unit.changed_new_lines) if self.unit is not None else 0


# ----------------------------------------------------------------------------- real findings


def _edited(lines: list[str], rng: random.Random) -> list[str]:
    """The old side of an edit: ``lines`` with random blocks (the hunks) taken out."""
    old = list(lines)
    for _ in range(min(12, max(1, len(lines) // 40))):
        size = rng.choice((rng.randint(1, 3), rng.randint(4, 10), rng.randint(11, 40)))
        if len(old) <= size + 2:
            break
        start = rng.randrange(0, len(old) - size)
        del old[start : start + size]
    return old


def _review_repo(repo: Path, rng: random.Random) -> list[Item]:
    from tactful.server import changes
    from tactful.server.session import review_once

    files = [p for p in sorted(repo.rglob("*")) if p.is_file() and ".git" not in p.parts
             and detect_language(p.name) and p.stat().st_size <= MAX_FILE_BYTES]  # fmt: skip
    rng.shuffle(files)
    patch: list[str] = []
    own: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for path in files[:MAX_FILES_PER_REPO]:
            rel = path.relative_to(repo).as_posix()
            try:
                new = path.read_text("utf-8").splitlines(keepends=True)
            except UnicodeDecodeError:
                continue
            if not new or not new[-1].endswith("\n"):
                continue
            old = [] if rng.random() < 2 / 3 else _edited(new, rng)
            hunks = list(difflib.unified_diff(old, new, f"a/{rel}", f"b/{rel}")) if old else []
            if old and hunks:
                target = Path(tmp, rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("".join(old), "utf-8")
                patch += [f"diff --git a/{rel} b/{rel}\n", *hunks]
            elif not old:
                patch += [f"diff --git a/{rel} b/{rel}\nnew file mode 100644\n--- /dev/null\n+++ b/{rel}\n",
                          f"@@ -0,0 +1,{len(new)} @@\n", *("+" + line for line in new)]  # fmt: skip
            draw = rng.random()
            own[rel] = 1.0 if draw < 0.45 else (0.0 if draw < 0.9 else 0.5)
        change = changes.from_patch("".join(patch), repo.name, Path(tmp))
        settings = Settings(review=ReviewSettings(call_graph=False))
        result = review_once(change, settings, llm=False)
    units = {(u.path, u.name): u for u in result.units}
    return [
        Item(f, units.get((f.path, f.unit)), own.get(f.path, 0.0), repo.name)
        for f in result.findings
    ]


def real_findings(pool: Path | None = None) -> list[Item]:
    """Findings of the offline reviewer on the corpus packages (cached after the first run);
    with ``pool``, the findings stored in that file (written there when it does not exist)."""
    if pool is not None and pool.is_file():
        return [Item(*row) for row in pickle.loads(pool.read_bytes())["items"]]
    repos = sorted((CORPUS / "repos").glob("*")) if (CORPUS / "repos").is_dir() else []
    if not repos:
        raise SystemExit(
            f"no corpus under {CORPUS / 'repos'}: run bench/review_quality.py once first"
        )
    key = hashlib.sha256("\n".join(r.name for r in repos).encode()).hexdigest()[:16]
    if CACHE.is_file():
        cached = pickle.loads(CACHE.read_bytes())
        if cached.get("key") == key:
            if pool is not None:
                pool.write_bytes(CACHE.read_bytes())
            return [Item(*row) for row in cached["items"]]
    items: list[Item] = []
    for number, repo in enumerate(repos):
        found = _review_repo(repo, random.Random(number))
        print(f"  reviewed {repo.name}: {len(found)} findings", file=sys.stderr)
        items += found
    # Plain tuples: the cache must load whatever module imports this one as.
    rows = [(i.finding, i.unit, i.own, i.repo) for i in items]
    data = pickle.dumps({"key": key, "items": rows})
    CACHE.write_bytes(data)
    if pool is not None:
        pool.write_bytes(data)
    return items


def distinct(items: list[Item]) -> list[Item]:
    """One item per fingerprint: two releases of one package in the corpus (yaml-cpp, pugixml)
    give the same finding twice, which the gate rightly treats as one suggestion (a rejected
    one is never shown again), so a developer whose verdict depends on the session position
    would judge the "same" suggestion twice, differently."""
    seen: set[str] = set()
    kept = []
    for item in items:
        if item.finding.fingerprint not in seen:
            seen.add(item.finding.fingerprint)
            kept.append(item)
    return kept


# ----------------------------------------------------------------------------- developers

Prefers = Callable[[Item, int], bool]
"""Would the developer act on this suggestion, made at this position in their session?"""


def _noisy_rule(item: Item, _: int) -> bool:
    return item.finding.rule not in {"generic.todo-no-reference", "generic.commented-out-code"}


PROFILES: dict[str, tuple[Prefers, bool]] = {
    "rule: no TODO/commented-out notes": (_noisy_rule, True),
    "category+severity: security and errors only": (
        lambda i, _: i.finding.category == "security" or i.finding.severity is Severity.ERROR, True),
    "severity: no info-level": (lambda i, _: i.finding.severity is not Severity.INFO, True),
    "language: nothing in Python": (lambda i, _: (i.unit.language if i.unit else "") != "python", True),
    "directory: nothing outside shipped code": (lambda i, _: area(i.finding.path) not in NON_SHIPPING, True),
    "hunk size: nothing in hunks of <= 10 lines": (lambda i, _: i.added > 10, True),
    "own-vs-others: only in my own code": (lambda i, _: i.own >= 0.8, True),
    "fatigue: nothing after the 10th of a session": (lambda i, pos: pos < 10, True),
    "random: rejects half at random": (lambda i, _: random.random() < 0.5, False),
}  # fmt: skip


def sessions(items: list[Item], rng: random.Random, start: float = 1.8e9):
    """(item, time, position in session): sessions of 5-25 suggestions, minutes apart inside."""
    now, left, position = start, 0, 0
    for item in items:
        if left == 0:
            now += rng.uniform(2, 20) * 3600
            left, position = rng.randint(5, 25), 0
        else:
            now += rng.uniform(20, 300)
        yield item, now, position
        left -= 1
        position += 1


def simulate(name: str, items: list[Item], seed: int, events: int, noise: float) -> dict[str, Any]:
    prefers, _ = PROFILES[name]
    rng = random.Random(seed)
    random.seed(seed * 7919 + 1)  # the random profile draws from the module RNG
    # The corpus has a few hundred real findings; later passes replay them as new occurrences
    # (new fingerprints), as when the same kind of finding recurs in a developer's next change.
    stream = []
    for lap in range(1 + (events * 10 + EVAL_ITEMS) // max(1, len(items))):
        batch = [dataclasses.replace(i, finding=dataclasses.replace(i.finding, occurrence=i.finding.occurrence + 1000 * lap))
                 for i in items]  # fmt: skip
        rng.shuffle(batch)
        stream += batch
    settings = GateSettings()
    gate = Gate.open(settings, None, user="dev", seed=seed)
    verdicts, eval_left = 0, EVAL_ITEMS
    why: dict[str, int] = {}
    scored: list[tuple[float, bool]] = []
    latency: list[tuple[float, float]] = []

    def decide(item: Item, extra: dict[str, float], now: float) -> Decision:
        wall, cpu = time.perf_counter(), time.thread_time()
        decision = gate.decide(item.finding, item.unit, extra=extra, now=now)
        latency.append((time.perf_counter() - wall, time.thread_time() - cpu))
        return decision

    counts = {
        "rejects": 0,
        "rejects_hidden": 0,
        "accepts": 0,
        "accepts_kept": 0,
        "hidden": 0,
        "hidden_rejected": 0,
        "explored": 0,
        "would_hide": 0,
        "learned_rejects": 0,
    }
    for item, now, position in sessions(stream, rng):
        acts = prefers(item, position)
        extra = {OWN_KEY: item.own}
        if verdicts >= events:
            decision = decide(item, extra, now)
            counts["rejects" if not acts else "accepts"] += 1
            counts["rejects_hidden"] += (not acts) and not decision.show
            counts["accepts_kept"] += acts and decision.show
            counts["hidden"] += not decision.show
            counts["hidden_rejected"] += (not decision.show) and not acts
            scored.append((decision.probability, acts))
            if not decision.show:
                key = f"{decision.reason}:{'ok' if not acts else 'WRONG'}"
                why[key] = why.get(key, 0) + 1
            eval_left -= 1
            if eval_left == 0:
                break
            continue
        decision = decide(item, extra, now)
        # What exploration costs while learning: would-hide suggestions shown anyway.
        counts["explored"] += decision.explored
        counts["would_hide"] += decision.explored or decision.reason == "below-threshold"
        if not decision.show:
            continue
        counts["learned_rejects"] += not acts
        acted = acts != (rng.random() < noise)
        kind = "accepted" if acted else ("ignored" if rng.random() < 0.1 else "rejected")
        gate.observe(FeedbackEvent.from_finding(kind, item.finding, user="dev"))
        verdicts += 1
        if verdicts == events:  # measure the policy: no exploration from here on, no learning
            gate.suggestions.settings = dataclasses.replace(settings, exploration=0.0)
    if eval_left:
        raise SystemExit(f"{name}, seed {seed}: the stream ran out before the measurement ended")
    return {
        "rejects_hidden": counts["rejects_hidden"] / max(1, counts["rejects"]),
        "hide_precision": counts["hidden_rejected"] / counts["hidden"] if counts["hidden"] else 1.0,
        "accepts_kept": counts["accepts_kept"] / max(1, counts["accepts"]),
        "reject_share": counts["rejects"] / max(1, counts["rejects"] + counts["accepts"]),
        "explored_share": counts["explored"] / max(1, counts["would_hide"]),
        "learned_rejects": counts["learned_rejects"],
        "why": _why(gate, why, scored),
        "latency": latency,
    }


def _why(gate: Gate, hides: dict[str, int], scored: list[tuple[float, bool]]) -> str:
    """Why a seed meets the target or not: the constraint's state after training, the
    measured hides by reason (ok / WRONG), and how well P(act) ranks the measured items."""
    constraint = gate.suggestions.constraint
    est = constraint.estimate
    state = (f"threshold P(reject)>={est.threshold:.2f} (est {est.precision:.2f}, lower "
             f"{est.lower:.2f}, n {est.support:.0f})" if est else "no global threshold")  # fmt: skip
    strata = sorted(((key, *t.estimate()) for key, t in constraint.strata.items()),
                    key=lambda row: -row[2])[:3]  # fmt: skip
    best = ", ".join(
        f"{key} {share:.2f}/{lower:.2f}/n{support:.0f}" for key, share, lower, support in strata
    )
    return (f"AUC {_auc(scored):.2f}; {state}; certified {sorted(constraint.certified) or 'none'}; "
            f"best strata (share/lower/n) {best}; hides {dict(sorted(hides.items())) or 'none'}")  # fmt: skip


def _auc(scored: list[tuple[float, bool]]) -> float:
    """Rank AUC of P(act) against the noise-free preference (0.5: no better than chance)."""
    pos = [p for p, acts in scored if acts]
    neg = [p for p, acts in scored if not acts]
    if not pos or not neg:
        return float("nan")
    wins = sum((p > n) + 0.5 * (p == n) for p in pos for n in neg)
    return wins / (len(pos) * len(neg))


def missed(figures: dict[str, Any]) -> tuple[bool, bool, bool]:
    """Which of the three conditions a run meets (rejects_hidden, hide_precision, accepts_kept):
    a seed that hides too little and one that hides what the developer acts on fail differently."""
    return (figures["rejects_hidden"] >= 0.5, figures["hide_precision"] >= 0.95,
            figures["accepts_kept"] >= 0.95)  # fmt: skip


def meets(figures: dict[str, Any]) -> bool:
    return all(missed(figures))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument(
        "--first-seed", type=int, default=0, help="seeds FIRST..FIRST+SEEDS-1 (split a long run)"
    )
    parser.add_argument("--noise", type=float, default=0.02)
    parser.add_argument("--only", default="", help="profiles whose name contains this")
    parser.add_argument("--findings", type=Path, help="the findings pool (written on first use)")
    parser.add_argument(
        "--why", action="store_true", help="print per seed why it meets the target or not"
    )
    args = parser.parse_args()
    items = distinct(real_findings(args.findings))
    rules = len({i.finding.rule for i in items})
    print(f"{len(items)} real findings ({rules} rules) from {len({i.repo for i in items})} packages; "
          f"{args.events} verdicts, then {EVAL_ITEMS} suggestions measured; {args.seeds} seeds, noise {args.noise}")  # fmt: skip
    print("\n| profile | rejects | rejects_hidden mean / worst | hide_precision mean / worst | "
          "accepts_kept mean / worst | seeds meeting target | seeds missing rejects_hidden / "
          "hide_precision / accepts_kept | explored while learning | rejections among the verdicts |"
          "\n|---|---|---|---|---|---|---|---|---|")  # fmt: skip
    all_ok, random_meets = True, False
    latency: list[tuple[float, float]] = []
    for name, (_, learnable) in PROFILES.items():
        if args.only and args.only not in name:
            continue
        seeds = range(args.first_seed, args.first_seed + args.seeds)
        runs = [simulate(name, items, seed, args.events, args.noise) for seed in seeds]
        met = sum(meets(r) for r in runs)
        latency += [s for r in runs for s in r["latency"]]
        cells = []
        for key in ("rejects_hidden", "hide_precision", "accepts_kept"):
            values = [r[key] for r in runs]
            cells.append(f"{statistics.mean(values):.2f} / {min(values):.2f}")
        share = statistics.mean(r["reject_share"] for r in runs)
        explored = statistics.mean(r["explored_share"] for r in runs)
        learned = statistics.mean(r["learned_rejects"] for r in runs)
        misses = " / ".join(
            str(sum(not ok for ok in column))
            for column in zip(*(missed(r) for r in runs), strict=True)
        )
        print(f"| {name} | {share:.0%} | {' | '.join(cells)} | {met}/{len(runs)} | {misses} | "
              f"{explored:.0%} | {learned:.0f} |")  # fmt: skip
        if args.why:
            for seed, r in zip(seeds, runs, strict=True):
                fails = [
                    k
                    for k, ok in zip(
                        ("rejects_hidden", "hide_precision", "accepts_kept"), missed(r), strict=True
                    )
                    if not ok
                ]
                print(f"|   seed {seed}: {'met' if meets(r) else 'missed ' + '+'.join(fails)}; rejects_hidden "
                      f"{r['rejects_hidden']:.2f}, hide_precision {r['hide_precision']:.2f}, "
                      f"accepts_kept {r['accepts_kept']:.2f}; {r['why']} |")  # fmt: skip
        if learnable:
            all_ok &= met == len(runs)
        else:
            random_meets |= met > 0
    print(
        f"\ntarget on every learnable profile and seed: {'met' if all_ok else 'NOT met'}; "
        f"random profile {'meets it (bad)' if random_meets else 'does not meet it (as it should)'}"
    )
    for kind, column in (("wall", 0), ("CPU", 1)):
        values = [row[column] for row in latency]
        if len(values) > 1:
            cuts = statistics.quantiles(values, n=100)
            print(f"decide {kind} time over {len(values)} decisions: p50 {cuts[49] * 1e3:.3f} ms, "
                  f"p95 {cuts[94] * 1e3:.3f} ms, max {max(values) * 1e3:.3f} ms")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
