"""End to end: ``tactful review --feedback DB`` hides what a team keeps rejecting, read only.

The store is built the way editors build it: review sessions (gate on, decisions logged)
whose developers reject every debug print and act on every ``== None``. A CI run given that
store then hides new debug prints in a pull request, says how many it hid, writes nothing
into the store, and ``--all`` shows everything.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import pytest
from support import GitRepo
from tactful.server import changes
from tactful.server.feedback import FeedbackStore
from tactful.server.session import ReviewSession, review_once
from tactful.server.settings import FeedbackSettings, ReviewSettings, Settings


def _functions(prefix: str, count: int) -> str:
    return "".join(
        f'\n\ndef {prefix}_{n}(value):\n    print("{prefix} {n}", value)\n'
        f"    if value == None:\n        return {n}\n    return value * {n}\n"
        for n in range(count)
    )


def _record_team_verdicts(repo: GitRepo, db: Path) -> int:
    """Two developers review their branches in sessions and reject every print; returns the verdicts."""
    verdicts = 0
    for developer in ("alice", "bob"):
        repo.git("checkout", "-q", "-b", developer, "main")
        repo.write(f"{developer}.py", f'"""{developer}."""' + _functions(developer, 12))
        repo.commit(developer)
        settings = Settings(
            feedback=FeedbackSettings(db_path=str(db), user=f"{developer}@team.example"),
            review=ReviewSettings(call_graph=False),
        )
        session = ReviewSession.open(settings, repo.root, client="vscode")
        try:
            change = changes.from_range(repo.root, "main", developer)
            result = review_once(change, settings, session=session, llm=False)
            assert {f.rule for f in result.findings} == {"py.debug-print", "py.none-comparison"}
            for finding in result.findings:
                kind = "rejected" if finding.rule == "py.debug-print" else "accepted"
                assert session.sink is not None and session.sink.record(kind, finding)
                verdicts += 1
        finally:
            session.close()
    return verdicts


@pytest.fixture
def team(git_repo: GitRepo, tmp_path: Path) -> tuple[GitRepo, Path, int]:
    git_repo.write("app.py", '"""App."""\n\n\ndef start(config):\n    return config\n')
    git_repo.commit("base")
    db = tmp_path / "team" / "feedback.sqlite3"
    verdicts = _record_team_verdicts(git_repo, db)
    git_repo.git("checkout", "-q", "-b", "feature", "main")
    git_repo.write("feature.py", '"""Feature."""' + _functions("feature", 3))
    git_repo.commit("feature")
    return git_repo, db, verdicts


def _digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _review(cli, repo: GitRepo, *args: str) -> Any:
    result = cli("review", "--base", "main", "--no-llm", *args, cwd=repo.root)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_team_feedback_hides_what_it_keeps_rejecting_and_all_shows_it(cli, team) -> None:
    repo, db, verdicts = team
    with FeedbackStore.open_read_only(db) as store:
        assert len(store.events(kinds=("rejected",))) == 24
    before = _digests(db.parent)
    db.chmod(0o444)  # a team's store checked out read-only

    gated = json.loads(_review(cli, repo, "--feedback", str(db), "--format", "json"))
    assert [f["rule"] for f in gated["findings"]] == ["py.none-comparison"] * 3
    assert [f["rule"] for f in gated["hidden"]] == ["py.debug-print"] * 3
    counters = gated["coverage"]["counters"]
    assert counters["gate.hidden"] == 3 and counters["gate.explored"] == 0
    assert f"display gate: {verdicts} verdict(s) from {db}" in " ".join(gated["coverage"]["notes"])

    everything = json.loads(_review(cli, repo, "--feedback", str(db), "--all", "--format", "json"))
    assert sorted(f["rule"] for f in everything["findings"]) == sorted(
        ["py.debug-print", "py.none-comparison"] * 3
    )
    assert everything["hidden"] == []

    sarif = json.loads(_review(cli, repo, "--feedback", str(db), "--format", "sarif"))
    assert sarif["runs"][0]["properties"]["coverage"]["hidden"] == 3
    payload = json.loads(_review(cli, repo, "--feedback", str(db), "--format", "github"))
    assert "3 hidden by the gate" in payload["body"]
    assert len(payload["comments"]) == 3

    assert _digests(db.parent) == before  # nothing written: not the store, its WAL, a spool
    assert not (repo.root.parent / "data" / "feedback.sqlite3").exists()  # nor the user's log


def test_record_feedback_logs_the_runs_decisions_into_the_store(cli, team) -> None:
    repo, db, _ = team
    with FeedbackStore.open_read_only(db) as store:
        logged = store.count()
    _review(cli, repo, "--feedback", str(db), "--record-feedback", "--format", "json")
    with FeedbackStore.open_read_only(db) as store:
        decided = store.events(after_seq=logged)
    # One decision per finding (exploration may show a would-be-hidden print).
    assert len(decided) == 6 and {e.kind for e in decided} <= {"shown", "hidden"}
    assert all(e.probability is not None for e in decided)


def test_feedback_arguments_are_checked_before_the_review(cli, git_repo: GitRepo) -> None:
    git_repo.write("a.py", "x = 1\n")
    git_repo.commit("base")
    missing = cli("review", "--feedback", "nowhere.sqlite3", cwd=git_repo.root)
    assert missing.returncode == 2 and "--feedback nowhere.sqlite3: no such feedback store" in (
        missing.stderr
    )
    alone = cli("review", "--record-feedback", cwd=git_repo.root)
    assert alone.returncode == 2 and "--record-feedback needs --feedback DB" in alone.stderr
    corrupt = git_repo.root / "corrupt.sqlite3"
    corrupt.write_bytes(os.urandom(4096))
    bad = cli("review", "--feedback", str(corrupt), cwd=git_repo.root)
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1, bad.stderr
