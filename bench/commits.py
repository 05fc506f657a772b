"""Benchmark: the offline reviewer on real recent commits of real projects (noise and crashes).

For each repository (a bare git mirror, ``$TACTFUL_BENCH_MIRRORS/owner+name/repo`` by default,
the folder the session's ``fetch github:owner/name`` fills) it takes the last ``COUNT``
non-merge commits reachable from ``REV``, skips those over ``--max-lines`` changed lines, checks
each one out in a scratch clone and runs ``tactful review --base C^ --head C --all --no-llm
--format json`` in a real subprocess, as CI would on a one-commit pull request. It prints per
repository: commits reviewed, changed lines, findings, findings per 1,000 changed lines,
crashes/errors and total time; ``--verbose`` lists every finding (the rows that
``bench/corpus/commit_verdicts.md`` labels). A repository whose mirror is absent is skipped
with one line.

    python bench/commits.py                                  # the pinned default set
    python bench/commits.py pallets/flask@REV:30 /path/to/bare.git:10 [--verbose] [--json FILE]
    python bench/commits.py --skip 30      # the next 30 below each pinned tip (a held-out set)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

MIRRORS = Path(os.environ.get("TACTFUL_BENCH_MIRRORS", "/work/.mirror"))
DEFAULT_REPOS = (
    "pallets/flask@2ac89889f4cc330eabd50f295dcef02828522c69:30",
    "spf13/viper@528f7416c4b56a4948673984b190bf8713f0c3c4:30",
    "colinhacks/zod@e516c3baf22615e20934116abebfed6c000222c2:30",
    "BurntSushi/ripgrep@3fce3b5bb0236da2df6d99672afb8a719642eca7:30",
    "rack/rack@8bf4eb078498edc9105fb04add80d89c5340e60b:30",
    "coleifer/peewee@408aa4c130267ffd1e3ec5d09c0595e8d9a9bd98:30",
    "google/gson@9835b6f90192f79cdf5300c528fc6212455fb6c1:30",
    "DapperLib/Dapper@6d48ef664acc7298c649e2d449d903b3360d5a90:30",
    "libuv/libuv@6179e7af87413396d5853a1c3722c8b5749336c8:30",
)
"""Pinned tips, so the same commits are reviewed on every run (Python, Go, TS, Rust, Ruby,
Python again, Java, C#, C)."""
GIT_ENV = {
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1", "GIT_TERMINAL_PROMPT": "0",
}  # fmt: skip


@dataclass(frozen=True)
class Spec:
    name: str
    mirror: Path
    rev: str
    count: int


@dataclass
class CommitResult:
    commit: str
    subject: str
    changed: int
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


@dataclass
class RepoResult:
    spec: Spec
    commits: list[CommitResult] = field(default_factory=list)
    skipped_large: int = 0
    skipped_unreadable: int = 0
    seconds: float = 0.0


def parse_spec(text: str, default_count: int) -> Spec:
    """``owner/name[@REV][:COUNT]`` (resolved under the mirrors folder) or ``PATH[@REV][:COUNT]``."""
    count = default_count
    head, sep, tail = text.rpartition(":")
    if sep and tail.isdigit():
        text, count = head, int(tail)
    text, _, rev = text.partition("@")
    path = Path(text)
    if not path.is_absolute() and text.count("/") == 1 and not path.exists():
        return Spec(text, MIRRORS / text.replace("/", "+") / "repo", rev or "HEAD", count)
    return Spec(path.name, path, rev or "HEAD", count)


def git(repo: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(repo), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    if proc.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])}: {proc.stderr.strip()[:200]}")
    return proc.stdout


def changed_lines(repo: Path, commit: str) -> dict[str, int]:
    """Added plus removed lines per path (binary files count 0)."""
    out: dict[str, int] = {}
    for line in git(repo, "diff", "--numstat", "--no-renames", f"{commit}^", commit).splitlines():
        added, removed, path = line.split("\t", 2)
        out[path] = (int(added) if added.isdigit() else 0) + (
            int(removed) if removed.isdigit() else 0
        )
    return out


def checkout(clone: Path, commit: str) -> None:
    """Check ``commit`` out; files whose blobs the mirror lacks are left out of the work tree."""
    try:
        git(clone, "checkout", "-q", "-f", "--detach", commit)
        return
    except RuntimeError:
        pass
    listing = git(clone, "ls-tree", "-r", "-z", commit).split("\0")
    blobs = [row.split("\t", 1) for row in listing if row and " blob " in row.split("\t", 1)[0]]
    check = subprocess.run(
        ["git", "-C", str(clone), "cat-file", "--batch-check"],
        input="".join(meta.split()[2] + "\n" for meta, _ in blobs),
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    missing = [
        path
        for (_, path), row in zip(blobs, check.stdout.splitlines(), strict=True)
        if "missing" in row
    ]
    if not missing:
        raise RuntimeError(f"checkout of {commit[:12]} failed")
    patterns = ["/*", *(f"!/{path}" for path in missing)]
    git(clone, "sparse-checkout", "set", "--no-cone", *patterns)
    git(clone, "checkout", "-q", "-f", "--detach", commit)


def review(clone: Path, commit: str, env: dict[str, str]) -> tuple[dict[str, Any] | None, str]:
    cmd = [sys.executable, "-m", "tactful.server", "review", "--repo", str(clone)]
    cmd += ["--base", f"{commit}^", "--head", commit, "--all", "--no-llm", "--format", "json"]
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        return None, f"exit {proc.returncode}: {proc.stderr.strip()[-300:]}"
    try:
        return json.loads(proc.stdout), ""
    except json.JSONDecodeError as exc:
        return None, f"bad JSON: {exc}"


def run_repo(spec: Spec, max_lines: int, work: Path, skip: int = 0) -> RepoResult:
    result = RepoResult(spec)
    started = time.perf_counter()
    clone = work / spec.name.replace("/", "+")
    git(work, "clone", "-q", "--shared", "--no-checkout", str(spec.mirror), str(clone))
    listed = git(
        clone,
        "rev-list",
        "--no-merges",
        "--min-parents=1",
        f"--skip={skip}",
        f"--max-count={spec.count}",
        spec.rev,
    )
    env = {
        **os.environ,
        **GIT_ENV,
        "TACTFUL_CACHE_DIR": str(work / "cache"),
        "TACTFUL_DATA_DIR": str(work / "data"),
    }
    for commit in reversed(listed.split()):  # oldest first: the index cache updates forward
        try:
            lines = changed_lines(clone, commit)
        except RuntimeError:  # a blob the mirror left out (its largest files may be absent)
            result.skipped_unreadable += 1
            continue
        if sum(lines.values()) > max_lines:
            result.skipped_large += 1
            continue
        subject = git(clone, "log", "-1", "--format=%s", commit).strip()
        try:
            checkout(clone, commit)
        except RuntimeError:
            result.skipped_unreadable += 1
            continue
        one = time.perf_counter()
        data, error = review(clone, commit, env)
        row = CommitResult(commit[:12], subject, sum(lines.values()), error=error)
        if data is not None:
            coverage = data.get("coverage", {})
            row.changed = sum(lines.get(p, 0) for p in coverage.get("reviewed", []))
            row.findings = data.get("findings", []) + data.get("hidden", [])
            crashes = [
                n
                for n in coverage.get("notes", [])
                if "failed" in n or "Error" in n or "Exception" in n
            ]
            row.error = "; ".join(crashes)
        row.seconds = time.perf_counter() - one
        result.commits.append(row)
    result.seconds = time.perf_counter() - started
    return result


def report(results: list[RepoResult], verbose: bool) -> str:
    rows = [f"{'repository':<22} {'commits':>7} {'lines':>7} {'findings':>8} {'per 1k':>7} "
            f"{'errors':>6} {'time':>7}"]  # fmt: skip
    totals = [0, 0, 0, 0, 0.0]
    for r in results:
        lines = sum(c.changed for c in r.commits)
        found = sum(len(c.findings) for c in r.commits)
        errors = sum(1 for c in r.commits if c.error)
        per_k = 1000 * found / lines if lines else 0.0
        skipped = [f"{r.skipped_large} over the line limit"] if r.skipped_large else []
        if r.skipped_unreadable:
            skipped.append(f"{r.skipped_unreadable} with blobs the mirror lacks")
        note = f"  (skipped {', '.join(skipped)})" if skipped else ""
        rows.append(f"{r.spec.name:<22} {len(r.commits):>7} {lines:>7} {found:>8} {per_k:>7.2f} "
                    f"{errors:>6} {r.seconds:>6.1f}s{note}")  # fmt: skip
        for i, v in enumerate((len(r.commits), lines, found, errors, r.seconds)):
            totals[i] += v
    if len(results) > 1:
        n, lines, found, errors, secs = totals
        per_k = 1000 * found / lines if lines else 0.0
        rows.append(f"{'total':<22} {n:>7} {lines:>7} {found:>8} {per_k:>7.2f} {errors:>6} "
                    f"{secs:>6.1f}s")  # fmt: skip
    if verbose:
        for r in results:
            for c in r.commits:
                if c.error:
                    rows.append(f"  ERROR {r.spec.name} {c.commit}: {c.error}")
                for f in c.findings:
                    rows.append(f"  {r.spec.name} {c.commit} {f.get('rule')} {f.get('path')}:"
                                f"{f.get('line')} [{f.get('confidence')}] {f.get('message')}")  # fmt: skip
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "repos", nargs="*", help="owner/name or a bare repository path, with @REV and :COUNT"
    )
    parser.add_argument("--count", type=int, default=30, help="commits per repository")
    parser.add_argument("--max-lines", type=int, default=2000, help="skip larger commits")
    parser.add_argument(
        "--skip",
        type=int,
        default=0,
        help="start this many non-merge commits below REV (held-out sets)",
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="list every finding")
    parser.add_argument("--json", metavar="FILE", help="also write machine-readable results")
    args = parser.parse_args(argv)
    specs = [parse_spec(s, args.count) for s in (args.repos or DEFAULT_REPOS)]
    results: list[RepoResult] = []
    with tempfile.TemporaryDirectory(prefix="tactful-commits-") as tmp:
        for spec in specs:
            if not (spec.mirror / "HEAD").is_file() and not (spec.mirror / ".git").exists():
                print(f"commits: skipped {spec.name}: no git mirror at {spec.mirror}")
                continue
            results.append(run_repo(spec, args.max_lines, Path(tmp), args.skip))
    if results:
        print(report(results, args.verbose))
    if args.json:
        data = [
            {**asdict(r.spec), "mirror": str(r.spec.mirror), "skipped_large": r.skipped_large,
             "skipped_unreadable": r.skipped_unreadable,
             "seconds": r.seconds, "commits": [asdict(c) for c in r.commits]}
            for r in results
        ]  # fmt: skip
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
