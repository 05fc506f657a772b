"""Headless pull-request review on two consecutive releases of a real project; prints the figures.

    python bench/headless.py                                # Django 5.0.1 -> 5.0.2 (sdists from PyPI)
    python bench/headless.py --package attrs --old 23.1.0 --new 23.2.0

The two sdists (kept under ~/.cache/tactful-bench) become two commits of a throwaway git
repository. Printed, each as a whole process the way CI runs it: files and changed lines of
the range, the offline review's time, time per 1,000 changed lines and peak RSS; a second,
incremental run with ``--state`` (what a push with no new commits costs); and a one-line
staged change reviewed against ``git diff --cached`` alone (the pre-commit path).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

DOWNLOADS = Path.home() / ".cache" / "tactful-bench"
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@tactful.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@tactful.invalid"}  # fmt: skip


def sdist(package: str, version: str) -> Path:
    DOWNLOADS.mkdir(parents=True, exist_ok=True)
    for found in DOWNLOADS.glob(f"{package.replace('-', '_')}-{version}.tar.gz"):
        return found
    for found in DOWNLOADS.glob(f"{package}-{version}.tar.gz"):
        return found
    subprocess.run(
        [sys.executable, "-m", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
         "-d", str(DOWNLOADS), f"{package}=={version}"],
        check=True,
    )  # fmt: skip
    return sdist(package, version)


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    return subprocess.run(
        ["git", *args], cwd=root, env=env, check=True, capture_output=True, text=True
    ).stdout


def unpack_into(archive: Path, root: Path) -> None:
    for child in root.iterdir():
        if child.name != ".git":
            shutil.rmtree(child) if child.is_dir() else child.unlink()
    with tarfile.open(archive) as tar, tempfile.TemporaryDirectory() as tmp:
        tar.extractall(tmp, filter="data")
        (top,) = Path(tmp).iterdir()
        for child in top.iterdir():
            shutil.move(str(child), root / child.name)


def run_review(cmd: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, str]:
    """Wall time and peak RSS (MiB) of one whole-process review, measured with wait4."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out = proc.stdout.read() if proc.stdout else b""
    err = proc.stderr.read() if proc.stderr else b""
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        raise SystemExit(
            f"{' '.join(cmd)} failed ({code}): {err.decode(errors='replace').strip()[-500:]}"
        )
    return elapsed, usage.ru_maxrss / 1024, out.decode("utf-8", "replace")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", default="Django")
    parser.add_argument("--old", default="5.0.1")
    parser.add_argument("--new", default="5.0.2")
    args = parser.parse_args()
    old, new = sdist(args.package, args.old), sdist(args.package, args.new)
    tactful = [sys.executable, "-m", "tactful.server"]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        unpack_into(old, root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", args.old)
        unpack_into(new, root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", args.new)
        stat = git(root, "diff", "--shortstat", "HEAD~1", "HEAD").strip()
        numstat = git(root, "diff", "--numstat", "HEAD~1", "HEAD").splitlines()
        changed = sum(
            int(a) + int(b) for a, b, _ in (line.split("\t", 2) for line in numstat) if a != "-"
        )
        env = {**os.environ, **GIT_ENV, "TACTFUL_CACHE_DIR": str(Path(tmp) / "cache"),
               "TACTFUL_DATA_DIR": str(Path(tmp) / "data"), "CI": "true"}  # fmt: skip
        env.pop("OPENAI_BASE_URL", None)
        state = Path(tmp) / "state.json"
        review = [
            *tactful,
            "review",
            "--base",
            "HEAD~1",
            "--no-llm",
            "--format",
            "json",
            "--state",
            str(state),
        ]
        first_s, first_rss, out = run_review(review, root, env)
        data = json.loads(out)
        second_s, _, out2 = run_review(review, root, env)
        again = json.loads(out2)
        print(f"{args.package} {args.old} -> {args.new}: {stat}")
        print(f"  reviewed files: {len(data['coverage']['reviewed'])}, skipped: {len(data['coverage']['skipped'])}, "
              f"units: {data['coverage']['units']}, changed lines: {changed}")  # fmt: skip
        print(f"  first run (cold index): {first_s:.2f} s, {first_s / max(changed, 1) * 1000:.2f} s per 1,000 changed lines, "
              f"peak RSS {first_rss:.0f} MiB; {len(data['findings'])} shown, {len(data['hidden'])} hidden")  # fmt: skip
        print(
            f"  second run (--state, warm index): {second_s:.2f} s; {len(again['findings'])} new findings"
        )
        # The pre-commit path: one staged line against git diff --cached alone.
        target = next(p for p in sorted(root.rglob("*.py")) if p.stat().st_size > 2000)
        target.write_text(target.read_text("utf-8") + "\nEXTRA = 1\n", "utf-8")
        git(root, "add", str(target))
        start = time.perf_counter()
        git(root, "diff", "--cached")
        floor = time.perf_counter() - start
        one_s, one_rss, _ = run_review([*tactful, "review", "--no-llm", "--all"], root, env)
        print(
            f"  one-line staged change: review {one_s:.2f} s (peak RSS {one_rss:.0f} MiB) vs git diff --cached {floor * 1000:.0f} ms"
        )


if __name__ == "__main__":
    main()
