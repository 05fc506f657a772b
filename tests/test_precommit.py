"""The pre-commit hook, installed by the real ``pre-commit`` from this repository's hook file."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import GIT_ENV, GitRepo

ROOT = Path(__file__).resolve().parents[1]


def _pre_commit(repo: GitRepo, home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    env.update(GIT_ENV, PRE_COMMIT_HOME=str(home), TACTFUL_CACHE_DIR=str(home / "cache"),
               TACTFUL_DATA_DIR=str(home / "data"))  # fmt: skip
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=repo.root,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_hook_fails_a_commit_that_adds_a_breakpoint_and_passes_a_clean_one(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("app.py", "def f(x):\n    return x\n")
    git_repo.commit("base")
    git_repo.write("app.py", "def f(x):\n    breakpoint()\n    return x\n")
    # Untracked and not part of the commit (pre-commit leaves it in place): never judged.
    git_repo.write("scratch.py", "def try_it():\n    breakpoint()\n")
    git_repo.git("add", "app.py")
    # The hook as a user configures it: this repository at its current commit (the hook file
    # must be committed); pre-commit builds its own environment once for both runs.
    rev = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    git_repo.write(
        ".pre-commit-config.yaml",
        f"repos:\n- repo: {ROOT}\n  rev: {rev}\n  hooks:\n  - id: tactful\n",
    )
    git_repo.git("add", ".pre-commit-config.yaml")
    home = tmp_path / "pre-commit-home"
    bad = _pre_commit(git_repo, home, "run", "--verbose")
    assert bad.returncode == 1, bad.stdout + bad.stderr
    assert "py.debugger" in bad.stdout
    git_repo.write("app.py", "def f(x):\n    return x + 1\n")
    git_repo.git("add", "app.py")
    good = _pre_commit(git_repo, home, "run", "--verbose")
    assert good.returncode == 0, good.stdout + good.stderr
