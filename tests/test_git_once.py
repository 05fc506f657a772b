"""Each git fact is asked once per review: a real ``tactful review`` run with a logging git.

A ``git`` earlier on PATH records its arguments and runs the real one, so the test counts
the processes the review starts (``bench/git_calls.py`` counts the same with strace).
"""

from __future__ import annotations

import collections
import os
import shutil
from pathlib import Path

from support import GitRepo

EDITED = """def read_all(path):
    try:
        return open(path).read()
    except Exception:
        pass
"""


def logging_git(folder: Path, log: Path) -> dict[str, str]:
    """PATH with a ``git`` that appends its arguments to ``log`` and runs the real git."""
    real = shutil.which("git")
    assert real is not None
    folder.mkdir()
    shim = folder / "git"
    shim.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\nexec '{real}' \"$@\"\n")
    shim.chmod(0o755)
    return {"PATH": f"{folder}{os.pathsep}{os.environ.get('PATH', '')}"}


def git_calls(log: Path) -> collections.Counter[str]:
    calls: collections.Counter[str] = collections.Counter()
    for line in log.read_text("utf-8").splitlines():
        words = line.split()
        while words[:1] in (["-C"], ["-c"]):
            words = words[2:]  # the folder or the option set for this call
        calls[" ".join(words[:5])] += 1
    return calls


def test_cli_review_asks_email_and_head_once(git_repo: GitRepo, cli, tmp_path: Path) -> None:
    git_repo.git("config", "user.email", "dev@example.com")
    git_repo.write("pkg/io.py", EDITED.replace("except Exception:", "except OSError:"))
    git_repo.write("pkg/m.py", "def f(x):\n    return x + 1\n")
    git_repo.commit("base")
    git_repo.write("pkg/io.py", EDITED)
    log = tmp_path / "git.log"
    result = cli("review", "--no-llm", cwd=git_repo.root, env=logging_git(tmp_path / "bin", log))
    assert result.returncode == 0, result.stderr
    assert "swallowed" in result.stdout.lower()  # a finding, so the gate asked for HEAD and blame
    calls = git_calls(log)
    assert any(c.startswith("blame ") for c in calls), calls
    assert calls["config user.email"] == 1, calls
    assert calls["rev-parse --verify --quiet HEAD^{commit}"] == 1, calls
