"""Test support: real git repositories driven with the git CLI, and the real tactful CLI."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

GIT_ENV = {
    "GIT_AUTHOR_NAME": "tactful-test",
    "GIT_AUTHOR_EMAIL": "test@tactful.invalid",
    "GIT_COMMITTER_NAME": "tactful-test",
    "GIT_COMMITTER_EMAIL": "test@tactful.invalid",
    "GIT_CONFIG_NOSYSTEM": "1",
}


@dataclass
class GitRepo:
    """A real repository driven with the git CLI."""

    root: Path

    def git(self, *args: str) -> str:
        env = {**os.environ, **GIT_ENV, "HOME": str(self.root.parent)}
        proc = subprocess.run(
            ["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True
        )
        return proc.stdout

    def write(self, path: str, content: str | bytes) -> Path:
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8", newline="")
        return target

    def commit(self, message: str = "commit") -> str:
        self.git("add", "-A")
        self.git("commit", "-q", "--allow-empty", "-m", message)
        return self.git("rev-parse", "HEAD").strip()


@dataclass
class CliResult:
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(
    *args: str, cwd: Path | None = None, stdin: str | None = None, env: dict[str, str] | None = None
) -> CliResult:
    """Run the real ``tactful`` command line in a subprocess."""
    # A developer's own endpoint must not leak into the tests; a test passes one explicitly.
    # CI=true (set by CI services) turns on progress lines on stderr; a test asks for it explicitly.
    inherited = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "TACTFUL_MODEL", "CI")
    }
    full_env = {**inherited, **GIT_ENV, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "tactful.server", *args],
        cwd=cwd,
        input=stdin,
        capture_output=True,
        text=True,
        env=full_env,
        timeout=120,
    )
    return CliResult(proc.returncode, proc.stdout, proc.stderr)
