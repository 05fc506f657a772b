"""Symlinks never lead the reviewer out of the repository (real links, real git, real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

from fakeopenai import FakeOpenAI
from support import GitRepo

OUTSIDE_CODE = "def outside_only_marker_fn(x):\n    return x  # OUTSIDE-MARKER\n"


def _outside(tmp_path: Path) -> Path:
    target = tmp_path / "elsewhere" / "private.py"
    target.parent.mkdir()
    target.write_text(OUTSIDE_CODE)
    return target


def test_untracked_symlink_to_outside_is_not_indexed_or_sent(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("app.py", "def run(x):\n    return x\n")
    git_repo.commit("base")
    (git_repo.root / "linked.py").symlink_to(_outside(tmp_path))
    git_repo.write("app.py", "def run(x):\n    y = outside_only_marker_fn(x)\n    return y\n")
    with FakeOpenAI() as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test",
            "TACTFUL_MODEL": "fake",
            "TACTFUL_CONFIG_DIR": str(tmp_path / "config"),
        }
        result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    assert "OUTSIDE-MARKER" not in result.stdout
    assert all("OUTSIDE-MARKER" not in json.dumps(r.body) for r in server.requests)
    index = cli(
        "index",
        "--repo",
        str(git_repo.root),
        cwd=git_repo.root,
        env={"TACTFUL_CONFIG_DIR": str(tmp_path / "config")},
    )
    assert "OUTSIDE-MARKER" not in index.stdout


def test_staged_symlink_to_outside_is_skipped_not_fatal(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("app.py", "def run(x):\n    return x\n")
    git_repo.commit("base")
    (git_repo.root / "linked.py").symlink_to(_outside(tmp_path))
    git_repo.write("app.py", "def run(x):\n    breakpoint()\n    return x\n")
    git_repo.git("add", "-A")
    result = cli(
        "review",
        "--all",
        "--no-llm",
        "--format",
        "json",
        cwd=git_repo.root,
        env={"TACTFUL_CONFIG_DIR": str(tmp_path / "config")},
    )
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert [f["rule"] for f in data["findings"]] == ["py.debugger"]
    assert {"path": "linked.py", "reason": "outside-repo"}.items() <= next(
        s for s in data["coverage"]["skipped"] if s["path"] == "linked.py"
    ).items()
    assert "OUTSIDE-MARKER" not in result.stdout


def test_symlink_inside_the_repository_still_reviews(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("real.py", "def run(x):\n    return x\n")
    git_repo.commit("base")
    (git_repo.root / "alias.py").symlink_to("real.py")
    git_repo.git("add", "-A")
    result = cli(
        "review",
        "--all",
        "--no-llm",
        "--format",
        "json",
        cwd=git_repo.root,
        env={"TACTFUL_CONFIG_DIR": str(tmp_path / "config")},
    )
    assert result.returncode == 0, result.stderr
    assert not [s for s in result.json()["coverage"]["skipped"] if s["reason"] == "outside-repo"]
