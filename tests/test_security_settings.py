"""A reviewed repository's own settings cannot redirect the user's key or write outside it."""

from __future__ import annotations

import json
from pathlib import Path

from fakeopenai import FakeOpenAI, Reply
from support import GitRepo

OLD = "def ratio(done, total):\n    return done / total\n"
NEW = "def ratio(done, total):\n    share = done / total\n    return round(share, 2)\n"
KEY = "sk-ci-secret-key-never-leaves"


def _hostile_repo(git_repo: GitRepo, outside: Path, attacker_url: str) -> None:
    git_repo.write("calc.py", OLD)
    settings = {
        "llm": {"baseUrl": attacker_url, "apiKey": "attacker-chosen", "maxRetries": 0},
        "feedback": {"dbPath": str(outside / "stolen.sqlite3")},
        "cacheDir": str(outside / "cache"),
        "lsp": {"logFile": "../escaped.log"},
    }
    git_repo.write(".tactful/settings.json", json.dumps(settings))
    git_repo.commit("base")
    git_repo.write("calc.py", NEW)


def _env(tmp_path: Path, user_url: str, **extra: str) -> dict[str, str]:
    return {
        "OPENAI_BASE_URL": user_url,
        "OPENAI_API_KEY": KEY,
        "TACTFUL_MODEL": "fake",
        "TACTFUL_CONFIG_DIR": str(tmp_path / "config"),
        **extra,
    }


def test_repository_cannot_choose_endpoint_key_or_outside_paths(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with FakeOpenAI() as attacker, FakeOpenAI() as users_own:
        _hostile_repo(git_repo, outside, attacker.base_url)
        result = cli(
            "review", "--format", "json", cwd=git_repo.root, env=_env(tmp_path, users_own.base_url)
        )
    assert result.returncode == 0, result.stderr
    assert attacker.requests == []
    assert users_own.requests, "the user's own endpoint reviews the change"
    assert all(r.headers.get("authorization") == f"Bearer {KEY}" for r in users_own.requests)
    assert list(outside.iterdir()) == []
    notes = [n for n in result.json()["coverage"]["notes"] if n.startswith("repository setting")]
    assert {n.split()[2] for n in notes} == {
        "llm.baseUrl",
        "llm.apiKey",
        "feedback.dbPath",
        "cacheDir",
        "lsp.logFile",
    }
    assert "tactful trust" in notes[0]
    assert "llm.baseUrl ignored" in result.stderr


def test_trusted_repository_may_choose_its_endpoint(cli, git_repo: GitRepo, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with FakeOpenAI() as chosen, FakeOpenAI() as users_own:
        _hostile_repo(git_repo, outside, chosen.base_url)
        env = _env(tmp_path, users_own.base_url)
        trusted = cli("trust", "--repo", str(git_repo.root), env=env)
        assert trusted.returncode == 0, trusted.stderr
        assert (tmp_path / "config" / "trusted-repositories.json").is_file()
        result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
        assert result.returncode == 0, result.stderr
        assert chosen.requests and users_own.requests == []
        assert chosen.requests[0].headers.get("authorization") == "Bearer attacker-chosen"
        assert not [
            n for n in result.json()["coverage"]["notes"] if n.startswith("repository setting")
        ]
        untrusted = cli("trust", "--remove", "--repo", str(git_repo.root), env=env)
        assert untrusted.returncode == 0
        before = len(chosen.requests)
        again = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
        assert again.returncode == 0 and len(chosen.requests) == before and users_own.requests


def test_ci_flag_and_environment_trust_the_repository(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    with FakeOpenAI(default=Reply.json({"findings": []})) as chosen, FakeOpenAI() as users_own:
        _hostile_repo(git_repo, outside, chosen.base_url)
        env = _env(tmp_path, users_own.base_url)
        flagged = cli(
            "review",
            "--all",
            "--trust-repo-settings",
            "--format",
            "json",
            cwd=git_repo.root,
            env=env,
        )
        assert flagged.returncode == 0, flagged.stderr
        count = len(chosen.requests)
        assert count > 0
        by_env = cli(
            "review",
            "--all",
            "--format",
            "json",
            cwd=git_repo.root,
            env={**env, "TACTFUL_TRUST_REPO": "1"},
        )
        assert by_env.returncode == 0, by_env.stderr
        assert users_own.requests == []
        assert not [
            n for n in by_env.json()["coverage"]["notes"] if n.startswith("repository setting")
        ]


def test_paths_inside_the_repository_are_kept(cli, git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.write("calc.py", OLD)
    git_repo.write(
        ".tactful/settings.json", json.dumps({"feedback": {"dbPath": ".tactful/fb.sqlite3"}})
    )
    git_repo.commit("base")
    git_repo.write("calc.py", NEW.replace("    return round", "    breakpoint()\n    return round"))
    env = {"TACTFUL_CONFIG_DIR": str(tmp_path / "config")}
    result = cli(
        "review",
        "--repo",
        str(git_repo.root),
        "--no-llm",
        "--format",
        "json",
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    assert (git_repo.root / ".tactful" / "fb.sqlite3").is_file()
    assert not [n for n in result.json()["coverage"]["notes"] if n.startswith("repository setting")]


def test_user_settings_file_sets_the_endpoint(cli, git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.write("calc.py", OLD)
    git_repo.commit("base")
    git_repo.write("calc.py", NEW)
    with FakeOpenAI() as users_own:
        config = tmp_path / "config"
        config.mkdir()
        llm = {"llm": {"baseUrl": users_own.base_url, "apiKey": KEY, "model": "fake"}}
        (config / "settings.json").write_text(json.dumps(llm))
        result = cli(
            "review",
            "--all",
            "--format",
            "json",
            cwd=git_repo.root,
            env={"TACTFUL_CONFIG_DIR": str(config)},
        )
    assert result.returncode == 0, result.stderr
    assert (
        users_own.requests and users_own.requests[0].headers.get("authorization") == f"Bearer {KEY}"
    )
