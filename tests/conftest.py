"""Shared fixtures: real git repositories in temporary folders, and the real CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from support import GitRepo, run_cli


@pytest.fixture
def git_repo(tmp_path: Path) -> GitRepo:
    root = tmp_path / "repo"
    root.mkdir()
    repo = GitRepo(root)
    repo.git("init", "-q", "-b", "main")
    return repo


@pytest.fixture
def cli(tmp_path: Path):
    """``cli(*args, cwd=...)`` runs tactful with caches and data under tmp_path."""
    isolated = {
        "TACTFUL_CACHE_DIR": str(tmp_path / "cache"),
        "TACTFUL_DATA_DIR": str(tmp_path / "data"),
        "TACTFUL_CONFIG_DIR": str(tmp_path / "config"),  # no user settings or trusted repositories
    }

    def _run(
        *args: str,
        cwd: Path | None = None,
        stdin: str | None = None,
        env: dict[str, str] | None = None,
    ):
        return run_cli(*args, cwd=cwd, stdin=stdin, env={**isolated, **(env or {})})

    return _run
