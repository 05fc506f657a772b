"""Size of a default install and ``tactful review`` start-up time, for one or more source trees.

    python bench/install.py                      # this checkout
    python bench/install.py --rev e895733~1      # plus the commit before the extras split

Each tree (this checkout, or a ``git archive`` of each ``--rev``) is installed with a plain
``pip install TREE`` (no extras, no editable) into a fresh virtual environment in a temporary
folder. Printed per tree: the environment's size on disk, the number of installed
distributions, and the best of ``--runs`` whole-process ``tactful review --no-llm`` runs on a
one-line change in a small throwaway git repository (start-up plus a real review; pip
compiles the bytecode at install time, and a first run builds the index cache).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent
GIT_ENV = {"GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@tactful.invalid",
           "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@tactful.invalid"}  # fmt: skip


def tree_size(root: Path) -> int:
    total = 0
    for folder, _dirs, files in os.walk(root):
        for name in files:
            path = Path(folder, name)
            if not path.is_symlink():
                total += path.stat().st_size
    return total


def sample_repo(root: Path) -> None:
    env = {**os.environ, **GIT_ENV}
    root.mkdir()
    (root / "app.py").write_text(
        "def total(items):\n    return sum(i.price for i in items)\n\n\n"
        "def main():\n    print(total([]))\n",
        "utf-8",
    )
    for args in (("init", "-q", "-b", "main"), ("add", "-A"), ("commit", "-q", "-m", "one")):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    text = (
        (root / "app.py")
        .read_text("utf-8")
        .replace("sum(", "max(0, sum(")
        .replace("items)\n\n", "items))\n\n", 1)
    )
    (root / "app.py").write_text(text, "utf-8")


def best_review(python: Path, repo: Path, runs: int, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(
            [str(python), "-m", "tactful.server", "review", "--no-llm", "--all"],
            cwd=repo,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        best = min(best, time.perf_counter() - start)
    return best


def measure(label: str, source: Path, work: Path, runs: int) -> None:
    slug = re.sub(r"[^\w.-]", "_", label)
    venv = work / f"venv-{slug}"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check", str(source)],
        check=True,
    )
    listed = subprocess.run(
        [str(python), "-m", "pip", "list", "--format=freeze", "--disable-pip-version-check"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()
    repo = work / f"repo-{slug}"
    sample_repo(repo)
    env = {**os.environ, "TACTFUL_CACHE_DIR": str(work / f"cache-{slug}"),
           "TACTFUL_DATA_DIR": str(work / f"data-{slug}"), "CI": "true"}  # fmt: skip
    env.pop("OPENAI_BASE_URL", None)
    best_review(python, repo, 1, env)  # the first run builds the repository's index cache
    review_s = best_review(python, repo, runs, env)
    heavy = [d for d in listed if d.split("==")[0].lower() in ("numpy", "scipy", "scikit-learn", "matplotlib")]  # fmt: skip
    print(
        f"{label}: venv {tree_size(venv) / 2**20:.0f} MiB, {len(listed)} distributions"
        f" (heavy: {', '.join(heavy) or 'none'}); tactful review on a one-line change:"
        f" {review_s:.2f} s (best of {runs})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rev", action="append", default=[], help="also measure this commit")
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for rev in args.rev:
            source = work / ("src-" + re.sub(r"[^\w.-]", "_", rev))
            source.mkdir()
            archive = subprocess.run(
                ["git", "archive", rev], cwd=HERE, check=True, capture_output=True
            ).stdout
            subprocess.run(["tar", "-x", "-C", str(source)], input=archive, check=True)
            measure(rev, source, work, args.runs)
        measure("this checkout", HERE, work, args.runs)


if __name__ == "__main__":
    main()
