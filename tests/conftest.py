"""Shared fixtures: real git repositories in temporary folders, and the real CLI.

Every tactful a test starts (in this process, as a CLI, as a language server, from an
editor) keeps its data, caches and config in this session's own temporary folder: the
variables below are set before any test module is imported, so environments copied from
``os.environ`` carry them. A test never reads or writes the user's feedback log
(``~/.local/share/tactful``), caches or settings, and concurrent test runs share nothing.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
from support import GitRepo, run_cli

ISOLATED = {
    "TACTFUL_DATA_DIR": "data",
    "TACTFUL_CACHE_DIR": "cache",
    "TACTFUL_CONFIG_DIR": "config",
}
_SESSION_DIR = pytest.StashKey[Path]()


def pytest_configure(config: pytest.Config) -> None:
    folder = Path(tempfile.mkdtemp(prefix="tactful-tests-"))
    config.stash[_SESSION_DIR] = folder
    for variable, name in ISOLATED.items():
        os.environ[variable] = str(folder / name)


def pytest_unconfigure(config: pytest.Config) -> None:
    folder = config.stash.get(_SESSION_DIR, None)
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


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
