"""The ``--format github`` payload against GitHub's own OpenAPI description of the endpoint.

The request-body schema of ``POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews`` comes
from the npm package ``@octokit/openapi`` (see ``github_openapi``), its references resolved.
Checked twice: as GitHub publishes it, and closed (no key the spec does not document, since
GitHub ignores those), both for the payload ``tactful review`` prints and for the review the
Action's script posts to a stand-in for the API.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from github_openapi import create_review_schema
from support import GitRepo
from test_github_action import _event, _run_action, github  # noqa: F401 (github: a fixture)

BASE = '"""Lib."""\n\n\ndef total(counts):\n    return sum(counts)\n'
USE = '"""Use."""\nfrom lib import total\n\n\ndef report(rows):\n    return total(rows)\n'
# A signature change with an old caller, a deleted line, a one-line and a multi-line suggestion.
PUSH = '''"""Lib."""


def total(counts, scale):
    print("total", counts)
    if counts == None:
        return 0
    return sum(counts) * scale


def add(items, name, tags=[]):
    try:
        items.append(name)
    except Exception:
        pass
    return items
'''


@pytest.fixture
def pr(git_repo: GitRepo) -> tuple[GitRepo, str, str]:
    git_repo.write("lib.py", BASE)
    git_repo.write("use.py", USE)
    base = git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("lib.py", PUSH)
    return git_repo, base, git_repo.commit("push")


def _validate(payload: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(create_review_schema()).validate(payload)
    jsonschema.Draft4Validator(create_review_schema(closed=True)).validate(payload)


def test_printed_payload_matches_githubs_request_schema(cli, pr) -> None:
    repo, _base, head = pr
    result = cli(
        "review", "--base", "main", "--all", "--no-llm", "--format", "github", cwd=repo.root
    )
    assert result.returncode == 0, result.stderr
    payload = json.loads(result.stdout)
    # What the schema is asked to judge: every kind of comment the format writes.
    assert payload["commit_id"] == head
    assert any("start_line" in c for c in payload["comments"])
    assert any("```suggestion\n```" in c["body"] for c in payload["comments"])
    assert any("callgraph.signature-change" in c["body"] for c in payload["comments"])
    _validate(payload)


def test_the_schema_is_not_vacuous() -> None:
    good = {"commit_id": "a" * 40, "body": "b", "event": "COMMENT",
            "comments": [{"path": "a.py", "body": "c", "line": 2, "side": "RIGHT"}]}  # fmt: skip
    _validate(good)
    for bad in (
        {**good, "event": "COMMENTED"},
        {**good, "comments": [{"path": "a.py", "line": 2}]},  # no body
        {**good, "comments": [{**good["comments"][0], "line": "2"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.Draft4Validator(create_review_schema()).validate(bad)
    with pytest.raises(jsonschema.ValidationError, match="fingerprint"):
        _validate({**good, "comments": [{**good["comments"][0], "fingerprint": "ab"}]})


def test_review_the_action_posts_matches_githubs_request_schema(github, pr, tmp_path: Path) -> None:  # noqa: F811
    state, api = github
    repo, base, head = pr
    result = _run_action(repo, api, _event(tmp_path / "event.json", base, head), tmp_path)
    assert result.returncode == 0, result.stderr
    (post,) = [r for r in state.requests if r[0] == "POST"]
    assert post[2]["comments"]
    _validate(post[2])
