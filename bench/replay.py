"""Replay simulation: simulated developers with hidden preferences teach the display gate.

Findings are attached to real CodeReviewer hunks (their code, language and project): the
rule catalogue of tactful's deterministic checks (ids, categories, severities) plus LLM
findings with a confidence, at realistic paths (about a quarter in test files). Each
developer has a hidden preference (5% label noise):

* ``no-nits``: rejects style findings and info-level maintainability notes;
* ``security-first``: accepts every security finding and every error, rejects the rest;
* ``no-tests``: rejects everything in test files, accepts the rest.

The gate starts from the shipped prior, decides each finding (target precision 0.5,
exploration 5%), and learns from the verdicts on what it showed. Every 25 verdicts it is
measured, without exploration or learning, on a held-out stream from other hunks: the share
of would-reject suggestions hidden and of would-accept suggestions kept (judged by the
noise-free preference; the noise only disturbs the verdicts learned from). Prints a table per
developer and saves the learning curve as PNG.

    python bench/replay.py [--events 200] [--png replay.png] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from dataclasses import dataclass
from pathlib import Path

from tactful.analyzers.model import ChangeUnit, Finding, Severity, Span
from tactful.server.feedback import FeedbackEvent
from tactful.server.gate import Gate
from tactful.server.gate.metrics import expected_calibration_error
from tactful.server.settings import GateSettings

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer"
EXT = {
    "go": "go",
    "java": "java",
    "py": "py",
    "cpp": "cpp",
    "js": "js",
    "rb": "rb",
    "c": "c",
    "php": "php",
    ".cs": "cs",
}
LANG = {"go": "go", "java": "java", "py": "python", "cpp": "cpp", "js": "javascript", "rb": "ruby", "c": "c",
        "php": "php", ".cs": "c_sharp"}  # fmt: skip

# (rule, category, severity, source, message) — ids and categories of tactful's checks, plus LLM findings.
CATALOGUE = [
    ("generic.secret", "security", "error", "checks", "Hard-coded credential in source"),
    ("c.unbounded-copy", "security", "warning", "checks", "strcpy into a fixed-size buffer may overflow"),
    ("llm.security", "security", "warning", "llm", "User input reaches the query without escaping"),
    ("llm.security", "security", "error", "llm", "Path from the request is joined without normalisation"),
    ("generic.merge-conflict", "correctness", "error", "checks", "Merge-conflict marker left in the file"),
    ("py.mutable-default", "correctness", "warning", "checks", "Mutable default argument is shared between calls"),
    ("js.loose-equality", "correctness", "info", "checks", "Use === instead of == to avoid coercion"),
    ("llm.correctness", "correctness", "warning", "llm", "Off-by-one: the loop skips the last element"),
    ("llm.correctness", "correctness", "error", "llm", "Nil dereference when the lookup fails"),
    ("go.ignored-error", "error-handling", "warning", "checks", "The error returned here is discarded"),
    ("java.empty-catch", "error-handling", "warning", "checks", "Empty catch block hides failures"),
    ("llm.error-handling", "error-handling", "warning", "llm", "Failure is logged but the caller is not told"),
    ("py.debug-print", "debug", "warning", "checks", "print() left in library code"),
    ("js.console-log", "debug", "warning", "checks", "console.log left in"),
    ("generic.todo-no-reference", "maintainability", "info", "checks", "TODO without an issue reference"),
    ("generic.commented-out-code", "maintainability", "info", "checks", "Commented-out code"),
    ("llm.maintainability", "maintainability", "warning", "llm", "This function now does two things; split it"),
    ("py.none-comparison", "style", "info", "checks", "Compare with None using `is`"),
    ("llm.style", "style", "info", "llm", "Name does not follow the project's naming convention"),
    ("llm.style", "style", "info", "llm", "Line is longer than the rest of the file"),
    ("llm.performance", "performance", "warning", "llm", "Allocation inside the hot loop"),
    ("llm.testing", "testing", "info", "llm", "No test covers the new branch"),
]  # fmt: skip
WEIGHTS = [2, 1, 2, 1, 1, 2, 2, 3, 2, 3, 2, 2, 2, 2, 3, 2, 2, 3, 3, 3, 2, 2]


@dataclass(frozen=True)
class Item:
    finding: Finding
    unit: ChangeUnit


def load_hunks() -> list[dict]:
    rows = []
    for name in ("quality-estimation-100.jsonl", "msg-test-100.jsonl"):
        with open(DATA / name, encoding="utf-8") as handle:
            rows.extend(json.loads(line) for line in handle if line.strip())
    return rows


def _unit(row: dict, path: str) -> ChangeUnit:
    lines = row["patch"].splitlines()[1:]
    new = [line[1:] for line in lines if line[:1] in (" ", "+")]
    old = [line[1:] for line in lines if line[:1] in (" ", "-")]
    added = tuple(
        i + 1 for i, line in enumerate(x for x in lines if x[:1] in (" ", "+")) if line[:1] == "+"
    )
    removed = tuple(
        i + 1 for i, line in enumerate(x for x in lines if x[:1] in (" ", "-")) if line[:1] == "-"
    )
    new_file = row["patch"].startswith("@@ -0,0 ")
    return ChangeUnit(
        path=path, language=LANG[row["lang"]], kind="hunk", name="<hunk>",
        old_span=None if new_file else Span.lines(1, max(1, len(old))), new_span=Span.lines(1, max(1, len(new))),
        old_source="" if new_file else "\n".join(old), new_source="\n".join(new),
        changed_new_lines=added, changed_old_lines=removed,
    )  # fmt: skip


def findings_for(
    rows: list[dict], rng: random.Random, per_hunk: tuple[int, int] = (1, 3)
) -> list[Item]:
    items = []
    for number, row in enumerate(rows):
        in_test = "test" in row["patch"].lower()[:400] or rng.random() < 0.15
        folder = "tests" if in_test else rng.choice(["src", "lib", "pkg", "app"])
        stem = f"{'test_' if in_test else ''}{row['proj'].split('-')[-1].lower()}_{number}"
        path = f"{folder}/{stem}.{EXT[row['lang']]}"
        unit = _unit(row, path)
        added = [line for line in unit.new_source.splitlines() if line.strip()] or ["<empty>"]
        for k in range(rng.randint(*per_hunk)):
            rule, cat, sev, src, msg = rng.choices(CATALOGUE, WEIGHTS)[0]
            code = rng.choice(added).strip()
            finding = Finding(
                path=path, span=Span.lines(1, 1), severity=Severity(sev), rule=rule, message=msg, category=cat,
                source=src, confidence=rng.uniform(0.4, 0.95) if src == "llm" else 1.0, unit=f"<hunk{k}>", code=code,
            )  # fmt: skip
            items.append(Item(finding, unit))
    rng.shuffle(items)
    return items


def no_nits(f: Finding) -> bool:
    return not (
        f.category == "style" or (f.category == "maintainability" and f.severity is Severity.INFO)
    )


def security_first(f: Finding) -> bool:
    return f.category == "security" or f.severity is Severity.ERROR


def no_tests(f: Finding) -> bool:
    return not f.path.startswith("tests/")


DEVELOPERS = {"no-nits": no_nits, "security-first": security_first, "no-tests": no_tests}


def measure(gate: Gate, test: list[Item], labels: list[bool]) -> tuple[float, float, float]:
    """(share of would-reject hidden, share of would-accept kept, ECE) without exploring."""
    probs = [
        gate.suggestions.model.predict(gate.suggestions.features(i.finding, i.unit, gate.history))
        for i in test
    ]
    threshold = gate.suggestions.threshold
    rejects = [p for p, y in zip(probs, labels, strict=True) if not y]
    accepts = [p for p, y in zip(probs, labels, strict=True) if y]
    hidden = sum(p < threshold for p in rejects) / max(1, len(rejects))
    kept = sum(p >= threshold for p in accepts) / max(1, len(accepts))
    return hidden, kept, expected_calibration_error([int(y) for y in labels], probs)


def simulate(
    name: str,
    train: list[Item],
    test: list[Item],
    events: int,
    seed: int,
    noise: float,
    every: int = 25,
):
    rng = random.Random(seed)
    prefers = DEVELOPERS[name]
    gate = Gate.open(
        GateSettings(target_precision=0.5, exploration=0.05), None, user=name, seed=seed
    )
    # Judged against the preference itself: noise only disturbs the verdicts the gate learns from.
    test_labels = [prefers(item.finding) for item in test]
    curve = [(0, *measure(gate, test, test_labels))]
    seen = shown = 0
    for item in train:
        if seen >= events:
            break
        decision = gate.decide(item.finding, item.unit)
        if not decision.show:
            continue
        shown += 1
        acted = prefers(item.finding) != (rng.random() < noise)
        kind = "accepted" if acted else ("ignored" if rng.random() < 0.1 else "rejected")
        gate.observe(FeedbackEvent.from_finding(kind, item.finding, user=name))
        seen += 1
        if seen % every == 0:
            curve.append((seen, *measure(gate, test, test_labels)))
    return curve


def plot(curves: dict, out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 4.5))
    for (name, curve), color in zip(
        curves.items(), ("tab:blue", "tab:orange", "tab:green"), strict=False
    ):
        xs = [c[0] for c in curve]
        ax.plot(xs, [c[1] for c in curve], "-o", color=color, label=f"{name}: would-reject hidden")
        ax.plot(xs, [c[2] for c in curve], "--s", color=color, label=f"{name}: would-accept kept")
    ax.axhline(0.5, color="grey", lw=0.8)
    ax.axhline(0.9, color="grey", lw=0.8)
    ax.set_xlabel("verdict events from the developer")
    ax.set_ylabel("share (held-out stream)")
    ax.set_ylim(0, 1.02)
    ax.set_title("display gate learning curve (replay simulation)")
    ax.legend(fontsize=7, loc="lower right")
    fig.savefig(out, dpi=100, bbox_inches="tight")
    plt.close(fig)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--png", type=Path, default=Path("replay.png"))
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--noise", type=float, default=0.05)
    args = parser.parse_args()
    rows = load_hunks()
    rng = random.Random(args.seed)
    rng.shuffle(rows)
    train = findings_for(rows[:140], random.Random(args.seed + 10), per_hunk=(3, 5))
    test = findings_for(rows[140:], random.Random(args.seed + 20), per_hunk=(3, 5))
    print(
        f"stream: {len(train)} training findings over 140 hunks, {len(test)} held-out over {len(rows) - 140}"
    )
    curves = {
        name: simulate(name, train, test, args.events, args.seed, args.noise) for name in DEVELOPERS
    }
    ok = True
    for name, curve in curves.items():
        print(f"\n{name}\n  events  rejects-hidden  accepts-kept  ECE")
        for n, hidden, kept, ece in curve:
            print(f"  {n:6d}  {hidden:14.1%}  {kept:12.1%}  {ece:.3f}")
        final = curve[-1]
        ok &= final[1] >= 0.5 and final[2] >= 0.9
    plot(curves, args.png)
    print(
        f"\ngoal (>=50% of rejects hidden, >=90% of accepts kept after <= {args.events} events): {'met' if ok else 'NOT met'}"
    )
    print(f"learning curve: {args.png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
