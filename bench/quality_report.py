"""The review-quality report: recall tables, clean-edit noise, real-diff verdicts, errors."""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from quality_archives import mirror_dir
from quality_corpus import VERDICTS
from quality_run import CaseResult, KnownResult, RealResult, is_hit

VERDICT_LINE = re.compile(r"^- `([^`]{1,400})` \*\*(useful|nit|wrong)\*\*")


def verdict_key(project: str, finding: dict[str, Any]) -> str:
    """Stable across engine versions: project, file, position and rule (the archives are pinned)."""
    return f"{project}:{finding['path']}:{finding['line']}:{finding['column']}:{finding['rule']}"


def load_verdicts(path: Path = VERDICTS) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    if not path.is_file():
        return verdicts
    for line in path.read_text("utf-8").splitlines():
        m = VERDICT_LINE.match(line)
        if m:
            verdicts[m.group(1)] = m.group(2)
    return verdicts


# ----------------------------------------------------------------------------- report


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.2f} ({hit}/{total})" if total else "-"


def summarise(
    cases: list[CaseResult],
    reals: list[RealResult],
    verbose: bool,
    known: Sequence[KnownResult] = (),
) -> tuple[str, dict[str, Any]]:
    out: list[str] = []
    data: dict[str, Any] = {}
    skipped = [r.skipped for r in reals if r.skipped] + [r.skipped for r in known if r.skipped]
    reals = [r for r in reals if not r.skipped]
    known = [r for r in known if not r.skipped]
    planted = [r for r in cases if r.case.kind == "planted"]
    clean = [r for r in cases if r.case.kind == "clean"]
    if planted:
        hits = sum(r.hit for r in planted)
        out.append(f"planted defects: recall {_ratio(hits, len(planted))}")
        data["planted"] = {"recall": hits / len(planted), "hits": hits, "cases": len(planted)}
        for label, key in (
            ("category", lambda r: r.case.category),
            ("language", lambda r: r.case.language),
        ):
            groups: dict[str, list[CaseResult]] = defaultdict(list)
            for r in planted:
                groups[key(r)].append(r)
            out.append(f"  by {label}:")
            rows = {}
            for name in sorted(groups):
                g = groups[name]
                h = sum(r.hit for r in g)
                rows[name] = {"hits": h, "cases": len(g)}
                out.append(f"    {name:<18} {_ratio(h, len(g))}")
            data["planted"][f"by_{label}"] = rows
        missed = [r.case.id for r in planted if not r.hit]
        data["planted"]["missed"] = missed
        data["planted"]["results"] = {
            r.case.id: {
                "hit": r.hit, "category": r.case.category, "language": r.case.language,
                "file": r.case.file, "lines": [r.start, r.end],
                "findings": [f"{f['rule']}@{f['path']}:{f['line']}" for f in r.findings],
            }
            for r in planted
        }  # fmt: skip
        if verbose:
            out.append("  missed: " + (", ".join(missed) or "none"))
    if clean:
        noisy = [r for r in clean if r.findings]
        out.append(f"clean edits with any finding: {_ratio(len(noisy), len(clean))}")
        for r in noisy:
            rules = ", ".join(sorted({f"{f['rule']}@{f['line']}" for f in r.findings}))
            out.append(f"    {r.case.id}: {rules}")
        data["clean"] = {
            "noisy": [r.case.id for r in noisy], "cases": len(clean),
            "findings": {r.case.id: [f"{f['rule']}@{f['path']}:{f['line']}" for f in r.findings] for r in noisy},
        }  # fmt: skip
    if reals:
        verdicts = load_verdicts()
        lines = sum(r.changed_lines for r in reals)
        shown = sum(len(r.findings) for r in reals)
        per_rule: Counter[str] = Counter(f["rule"] for r in reals for f in r.findings)
        labels: Counter[str] = Counter()
        unlabelled: list[str] = []
        out.append(
            f"real release diffs: {len(reals)} projects, {lines:,} changed lines, {shown} shown findings, "
            f"{1000 * shown / lines if lines else 0:.2f} per 1,000 changed lines"
        )
        keys = []
        for r in reals:
            state = r.error or (f"{len(r.crashes)} crash(es)" if r.crashes else "ok")
            out.append(
                f"    {r.diff.project:<22} {r.diff.old} -> {r.diff.new}: {r.changed_lines:>6,} lines, "
                f"{r.files:>3} files, {len(r.findings):>3} findings, {r.seconds:5.1f}s, {state}"
            )
            for f in r.findings:
                key = verdict_key(r.diff.project, f)
                keys.append(key)
                verdict = verdicts.get(key)
                labels[verdict or "unlabelled"] += 1
                if verdict is None:
                    unlabelled.append(key)
                if verbose or verdict is None:
                    out.append(f"      - `{key}` {verdict or 'UNLABELLED'}: {f['message'][:150]}")
        out.append(
            "  per rule: " + (", ".join(f"{k} {v}" for k, v in per_rule.most_common()) or "none")
        )
        out.append(
            f"  verdicts: useful {labels['useful']}, nit {labels['nit']}, wrong {labels['wrong']}, "
            f"without a verdict {labels['unlabelled']}"
        )
        data["real"] = {
            "projects": len(reals), "changed_lines": lines, "shown": shown,
            "per_1000": 1000 * shown / lines if lines else 0.0, "per_rule": dict(per_rule),
            "verdicts": dict(labels), "unlabelled": unlabelled, "keys": keys,
            "diffs": [
                {"project": r.diff.project, "lines": r.changed_lines, "findings": len(r.findings),
                 "crashes": r.crashes, "error": r.error, "seconds": round(r.seconds, 2)}
                for r in reals
            ],
        }  # fmt: skip
    if known:
        out.extend(known_table(known, verbose, data))
    if skipped:
        out.append(
            f"skipped {len(skipped)} diff(s): no git mirror of {', '.join(sorted({s.split(' ', 1)[0] for s in skipped}))} "
            f"under {mirror_dir()} (fetch them, or set TACTFUL_BENCH_MIRRORS)"
        )
    data["skipped"] = skipped
    errors = [(r.case.id, r.error) for r in cases if r.error]
    errors += [
        (r.diff.project, r.error or "; ".join(r.crashes)) for r in reals if r.error or r.crashes
    ]
    errors += [(r.defect.id, r.error) for r in known if r.error]
    out.append(f"crashes/errors: {len(errors)}")
    for name, error in errors:
        out.append(f"    {name}: {error[:300]}")
    data["errors"] = dict(errors)
    return "\n".join(out), data


def known_table(known: Sequence[KnownResult], verbose: bool, data: dict[str, Any]) -> list[str]:
    """Recall on real regressions: was the defect of each bug-introducing change flagged?"""
    hits = sum(r.hit for r in known)
    lines = sum(r.changed_lines for r in known)
    other = sum(
        sum(not is_hit(f, r.defect.file, r.defect.start, r.defect.end) for f in r.findings)
        for r in known
    )
    out = [
        f"known regressions (real bug-introducing changes): recall {_ratio(hits, len(known))}, "
        f"{lines:,} changed lines, {other} other finding(s)"
    ]
    rows = {}
    for r in known:
        d = r.defect
        near = [f for f in r.findings if is_hit(f, d.file, d.start, d.end)]
        said = ", ".join(sorted({f["rule"] for f in near})) or "-"
        out.append(
            f"    {d.id:<38} {d.language:<10} {d.category:<17} {'hit ' if r.hit else 'MISS'} {said}"
        )
        if verbose:
            for f in r.findings:
                if f not in near:
                    out.append(
                        f"      other: {f['rule']}@{f['path']}:{f['line']}: {f['message'][:120]}"
                    )
        rows[d.id] = {
            "hit": r.hit, "project": d.project, "language": d.language, "category": d.category,
            "file": d.file, "lines": [d.start, d.end], "fixed_by": d.fixed_by,
            "changed_lines": r.changed_lines,
            "findings": [f"{f['rule']}@{f['path']}:{f['line']}" for f in r.findings],
        }  # fmt: skip
    groups: dict[str, list[KnownResult]] = defaultdict(list)
    for r in known:
        groups[r.defect.category].append(r)
    out.append(
        "  by category: "
        + ", ".join(
            f"{c} {_ratio(sum(r.hit for r in g), len(g))}" for c, g in sorted(groups.items())
        )
    )
    data["known"] = {
        "recall": hits / len(known),
        "hits": hits,
        "cases": len(known),
        "results": rows,
    }
    return out
