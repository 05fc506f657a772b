"""Headless pull-request review on two consecutive releases of a real project; prints the figures.

    python bench/headless.py                                # Django 5.0.6 -> 5.0.7 (sdists from PyPI)
    python bench/headless.py --package attrs --old 23.1.0 --new 23.2.0

The two sdists (kept under ~/.cache/tactful-bench) become two commits of a throwaway git
repository. Printed, each as a whole process the way CI runs it: files and changed lines of
the range, the offline review's time, time per 1,000 changed lines and peak RSS; a second,
incremental run with ``--state`` (what a push with no new commits costs); a warm
``tactful index`` (its first run resolves every call site and stores the edges; the repeated
ones resolve again only what changed); a one-line staged change (the pre-commit path) and a
change inside one function body, each against ``git diff --cached`` alone in the same run.
Warm figures are the minimum and median of ``--repeat`` runs, wall and CPU time (user plus
system: on a shared machine wall time mostly measures the others).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

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


class Run(NamedTuple):
    seconds: float
    """Wall time."""
    rss: float
    """Peak RSS, MiB."""
    out: str
    cpu: float
    """User plus system time, its children's (git) included: steadier than wall time on a
    shared machine, where a busy CPU stretches the wall time of every run."""


def run_review(cmd: list[str], cwd: Path, env: dict[str, str]) -> Run:
    """Wall time, peak RSS and CPU time of one whole process, measured with wait4."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: stdout is read to its end first
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=err)
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = code = os.waitstatus_to_exitcode(status)
        if proc.stdout:
            proc.stdout.close()
        if code not in (0, 1):
            err.seek(0)
            raise SystemExit(
                f"{' '.join(cmd)} failed ({code}): {err.read().decode(errors='replace').strip()[-500:]}"
            )
    cpu = usage.ru_utime + usage.ru_stime
    return Run(elapsed, usage.ru_maxrss / 1024, out.decode("utf-8", "replace"), cpu)


def repeated(runs: int, once: Callable[[], Run]) -> tuple[str, list[Run]]:
    """``min / median`` of ``runs`` runs, wall and CPU: the minimum is the machine's best, the
    median its typical."""
    done = [once() for _ in range(runs)]
    wall = [r.seconds for r in done]
    cpu = [r.cpu for r in done]
    return (
        f"min {min(wall):.3f} s, median {statistics.median(wall):.3f} s over {runs} "
        f"(CPU min {min(cpu):.3f} s, median {statistics.median(cpu):.3f} s)"
    ), done


def tactful_command() -> list[str]:
    """The installed ``tactful`` script, as CI runs it; ``python -m`` would put the reviewed
    repository first on ``sys.path`` (Django's checkout is then importable: diskcache imports it).
    """
    script = Path(sys.executable).with_name("tactful")
    return [str(script)] if script.exists() else [sys.executable, "-m", "tactful.server"]


def body_change(root: Path) -> str | None:
    """Add a statement at the top of one method's body in the largest Python file outside the
    tests: a change whose unit has callers and callees (``path:line``), or None without one."""
    files = sorted(
        (p for p in root.rglob("*.py") if "tests" not in p.relative_to(root).parts),
        key=lambda p: (-p.stat().st_size, p),
    )
    for path in files[:5]:
        lines = path.read_text("utf-8").split("\n")
        for i, line in enumerate(lines):
            if line.startswith("    def ") and line.endswith("):") and "(self" in line:
                lines.insert(i + 1, "        _bench_marker = None")
                path.write_text("\n".join(lines), "utf-8")
                return f"{path.relative_to(root)}:{i + 2}"
    return None


def build_repo(root: Path, package: str, old: str, new: str) -> None:
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    for version in (old, new):
        unpack_into(sdist(package, version), root)
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", version)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", default="Django")
    parser.add_argument("--old", default="5.0.6")
    parser.add_argument("--new", default="5.0.7")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each warm measurement")
    args = parser.parse_args()
    tactful = tactful_command()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        build_repo(root, args.package, args.old, args.new)
        stat = git(root, "diff", "--shortstat", "HEAD~1", "HEAD").strip()
        numstat = git(root, "diff", "--numstat", "HEAD~1", "HEAD").splitlines()
        changed = sum(
            int(a) + int(b) for a, b, _ in (line.split("\t", 2) for line in numstat) if a != "-"
        )
        env = {**os.environ, **GIT_ENV, "TACTFUL_CACHE_DIR": str(Path(tmp) / "cache"),
               "TACTFUL_DATA_DIR": str(Path(tmp) / "data"), "CI": "true"}  # fmt: skip
        env.pop("OPENAI_BASE_URL", None)
        # An installed package has its bytecode compiled; without it every run compiles
        # tactful's sources again (about half a second), which no user pays.
        no_bytecode = env.pop("PYTHONDONTWRITEBYTECODE", None)
        state = Path(tmp) / "state.json"
        review = [*tactful, "review", "--base", "HEAD~1", "--no-llm", "--format", "json",
                  "--state", str(state)]  # fmt: skip
        first = run_review(review, root, env)
        data = json.loads(first.out)
        second, runs = repeated(args.repeat, lambda: run_review(review, root, env))
        again = json.loads(runs[-1].out)
        coverage = data["coverage"]
        print(f"{args.package} {args.old} -> {args.new}: {stat}")
        if no_bytecode:
            print(
                "  (PYTHONDONTWRITEBYTECODE was set: unset for the runs, as for an installed package)"
            )
        print(f"  reviewed files: {len(coverage['reviewed'])}, skipped: {len(coverage['skipped'])}, "
              f"units: {coverage['units']}, changed lines: {changed}")  # fmt: skip
        print(f"  first run (cold index): {first.seconds:.2f} s (CPU {first.cpu:.2f} s), "
              f"{first.seconds / max(changed, 1) * 1000:.2f} s per 1,000 changed lines, "
              f"peak RSS {first.rss:.0f} MiB; {len(data['findings'])} shown, {len(data['hidden'])} hidden")  # fmt: skip
        print(f"  second run (--state, warm index): {second}; peak RSS {max(r.rss for r in runs):.0f} MiB; "
              f"{len(again['findings'])} new findings")  # fmt: skip
        index = [*tactful, "index"]
        storing = run_review(index, root, env)
        print(f"  first warm tactful index (resolves every call site, stores the edges): "
              f"{storing.seconds:.2f} s (CPU {storing.cpu:.2f} s)")  # fmt: skip
        figure, runs = repeated(args.repeat, lambda: run_review(index, root, env))
        again = next((ln for ln in runs[-1].out.splitlines() if ln.startswith("time")), "")
        print(f"  warm tactful index (stored edges): {figure}; {again.split(' s ', 2)[-1]}")
        rerun, runs = repeated(args.repeat, lambda: run_review(review, root, env))
        print(f"  second run again, now with the stored edges: {rerun}; "
              f"peak RSS {max(r.rss for r in runs):.0f} MiB")  # fmt: skip
        # The pre-commit path: one staged line against git diff --cached alone.
        target = next(p for p in sorted(root.rglob("*.py")) if p.stat().st_size > 2000)
        target.write_text(target.read_text("utf-8") + "\nEXTRA = 1\n", "utf-8")
        git(root, "add", str(target))
        one = [*tactful, "review", "--no-llm", "--all"]
        run_review(one, root, env)  # the index takes in the staged file once, as a hook's first run
        review_figure, runs = repeated(args.repeat, lambda: run_review(one, root, env))
        floor = repeated(args.repeat, lambda: run_review(["git", "diff", "--cached"], root, env))[0]
        print(f"  one-line staged change ({target.relative_to(root)}): review {review_figure}, "
              f"peak RSS {max(r.rss for r in runs):.0f} MiB; git diff --cached {floor}")  # fmt: skip
        git(root, "reset", "-q", "--hard")
        body = body_change(root)
        if body is not None:
            git(root, "add", "-A")
            run_review(one, root, env)
            review_figure, runs = repeated(args.repeat, lambda: run_review(one, root, env))
            floor = repeated(
                args.repeat, lambda: run_review(["git", "diff", "--cached"], root, env)
            )[0]
            units = json.loads(run_review([*one, "--format", "json"], root, env).out)["coverage"][
                "units"
            ]
            print(f"  one-function-body change ({body}, {units} unit): review {review_figure}, "
                  f"peak RSS {max(r.rss for r in runs):.0f} MiB; git diff --cached {floor}")  # fmt: skip
        print(f"  (load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")


if __name__ == "__main__":
    main()
