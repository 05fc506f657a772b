"""The GitHub Action's script against a scripted stand-in for the GitHub API on 127.0.0.1.

The stand-in keeps what was posted, like GitHub does, and answers the listing calls with
it, so a second run after another push shows whether tactful repeats itself.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from support import GIT_ENV, GitRepo
from tactful.analyzers.diff import parse_diff
from tactful.server.formats.github import hunk_ranges

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts/github_action.sh"
TOKEN = "ghs_test-token-for-the-stand-in"


class FakeGitHub:
    """Records every request; stores posted reviews and serves them back, paginated."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, Any]] = []
        self.reviews: list[dict[str, Any]] = []
        self.auth: set[str] = set()

    def comments(self) -> list[dict[str, Any]]:
        return [
            {"id": i, **c} for i, c in enumerate(c for r in self.reviews for c in r["comments"])
        ]


@pytest.fixture
def github() -> Iterator[tuple[FakeGitHub, str]]:
    state = FakeGitHub()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _reply(self, body: Any, link: str = "") -> None:
            data = json.dumps(body).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            if link:
                self.send_header("Link", link)
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            state.requests.append(("GET", self.path, None))
            state.auth.add(self.headers.get("Authorization", ""))
            path, _, query = self.path.partition("?")
            if path.endswith("/comments"):
                items = state.comments()
            else:
                items = [{"id": i, "body": r["body"]} for i, r in enumerate(state.reviews)]
            page = 2 if "page=2" in query else 1
            # Two items per page, to prove the client follows the Link header.
            chunk = items[(page - 1) * 2 : page * 2]
            host = f"http://127.0.0.1:{self.server.server_address[1]}"
            link = (
                f'<{host}{path}?per_page=100&page=2>; rel="next"'
                if page == 1 and len(items) > 2
                else ""
            )
            self._reply(chunk if page == 1 else items[2:], link)

        def do_POST(self) -> None:  # noqa: N802
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(("POST", self.path, body))
            state.auth.add(self.headers.get("Authorization", ""))
            state.reviews.append(body)
            self._reply({"id": len(state.reviews)})

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state, f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _event(path: Path, base: str, head: str) -> Path:
    path.write_text(
        json.dumps({"pull_request": {"number": 7, "base": {"sha": base}, "head": {"sha": head}}})
    )
    return path


def _run_action(
    repo: GitRepo, api: str, event: Path, tmp_path: Path, **inputs: str
) -> subprocess.CompletedProcess[str]:
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    launcher = bindir / "tactful"
    launcher.write_text(f'#!/bin/sh\nexec {sys.executable} -m tactful.server "$@"\n')
    launcher.chmod(0o755)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY", "TACTFUL_MODEL")
    }
    env.update(GIT_ENV)
    env.update(
        GITHUB_EVENT_PATH=str(event), GITHUB_REPOSITORY="octo/inventory", GITHUB_API_URL=api,
        GITHUB_TOKEN=TOKEN, TACTFUL=str(launcher), TACTFUL_CACHE_DIR=str(tmp_path / "cache"),
        TACTFUL_DATA_DIR=str(tmp_path / "data"), INPUT_ARGS="--no-llm",
        INPUT_SARIF=str(tmp_path / "tactful.sarif"),
        **{f"INPUT_{k.upper()}": v for k, v in inputs.items()},
        PATH=f"{bindir}{os.pathsep}{env.get('PATH', '')}",  # stand-ins (reviewdog) go here
    )  # fmt: skip
    return subprocess.run(
        ["bash", str(SCRIPT)], cwd=repo.root, env=env, capture_output=True, text=True, timeout=300
    )


def test_action_posts_one_review_on_diff_lines_and_never_repeats(
    github, git_repo: GitRepo, tmp_path: Path
) -> None:
    state, api = github
    git_repo.write(
        "inventory.py", "def add(items, name):\n    items.append(name)\n    return items\n"
    )
    base = git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write(
        "inventory.py",
        "def add(items, name, tags=[]):\n    print('adding', name)\n    items.append(name)\n"
        "    if name == None:\n        return items\n    return items\n",
    )
    head = git_repo.commit("push 1")
    first = _run_action(git_repo, api, _event(tmp_path / "event.json", base, head), tmp_path)
    assert first.returncode == 0, first.stderr
    posts = [r for r in state.requests if r[0] == "POST"]
    assert [p[1] for p in posts] == ["/repos/octo/inventory/pulls/7/reviews"]
    review = posts[0][2]
    assert review["commit_id"] == head and review["event"] == "COMMENT"
    ranges = hunk_ranges(parse_diff(git_repo.git("diff", f"{base}...{head}")).files[0])
    sarif = json.loads((tmp_path / "tactful.sarif").read_text())
    # The display gate runs in CI too: what it shows is what SARIF reports and what is posted.
    assert len(review["comments"]) == len(sarif["runs"][0]["results"]) >= 2
    for comment in review["comments"]:
        assert comment["side"] == "RIGHT"
        start = comment.get("start_line", comment["line"])
        assert any(lo <= start and comment["line"] <= hi for lo, hi in ranges)
    assert state.auth == {f"Bearer {TOKEN}"}
    schema = json.loads((ROOT / "server/data/sarif-2.1.0.schema.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)

    # Second push: one new finding; the three already posted are not posted again.
    git_repo.write("notes.py", "def note(x):\n    breakpoint()\n    return x\n")
    head2 = git_repo.commit("push 2")
    state.requests.clear()
    second = _run_action(git_repo, api, _event(tmp_path / "event.json", base, head2), tmp_path)
    assert second.returncode == 0, second.stderr
    gets = [r[1].split("?")[0] for r in state.requests if r[0] == "GET"]
    assert "/repos/octo/inventory/pulls/7/comments" in gets  # read what is already there (2 pages)
    posts = [r for r in state.requests if r[0] == "POST"]
    assert len(posts) == 1
    assert [c["path"] for c in posts[0][2]["comments"]] == ["notes.py"]

    # Third run with nothing new: no request that posts anything.
    state.requests.clear()
    third = _run_action(git_repo, api, _event(tmp_path / "event.json", base, head2), tmp_path)
    assert third.returncode == 0, third.stderr
    assert [r for r in state.requests if r[0] == "POST"] == []


def test_action_refuses_an_event_without_a_pull_request(
    github, git_repo: GitRepo, tmp_path: Path
) -> None:
    _, api = github
    git_repo.write("a.py", "x = 1\n")
    git_repo.commit("base")
    event = tmp_path / "push.json"
    event.write_text(json.dumps({"ref": "refs/heads/main"}))
    result = _run_action(git_repo, api, event, tmp_path)
    assert result.returncode != 0
    assert "the event has no pull_request" in result.stderr


def test_reviewdog_mode_hands_rdjson_over_and_logs_the_coverage(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("inventory.py", "def add(items, name):\n    return items\n")
    base = git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "feature")
    git_repo.write("inventory.py", "def add(items, name):\n    print(name)\n    return items\n")
    head = git_repo.commit("push 1")
    # A stand-in reviewdog on PATH (the action's bin folder) keeps what it was handed.
    bindir = tmp_path / "bin"
    bindir.mkdir()
    handed = tmp_path / "handed.rdjson"
    (bindir / "reviewdog").write_text(f'#!/bin/sh\ncat > "{handed}"\n')
    (bindir / "reviewdog").chmod(0o755)
    result = _run_action(
        git_repo, "http://127.0.0.1:9", _event(tmp_path / "event.json", base, head), tmp_path,
        mode="reviewdog",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = json.loads(handed.read_text())
    jsonschema.Draft4Validator(
        json.loads((ROOT / "server/data/rdjson.schema.json").read_text())
    ).validate(data)
    assert [d["code"]["value"] for d in data["diagnostics"]] == ["py.debug-print"]
    assert f"tactful: {base}...{head}: 1 shown, 0 hidden; 1 file(s) reviewed" in result.stderr


def test_action_manifest_runs_the_script_and_uploads_the_sarif_it_wrote() -> None:
    import yaml

    manifest = yaml.safe_load((ROOT / "action.yml").read_text())
    assert manifest["runs"]["using"] == "composite"
    steps = manifest["runs"]["steps"]
    review = next(s for s in steps if "github_action.sh" in s.get("run", ""))
    assert review["env"]["INPUT_SARIF"] == "${{ inputs.sarif }}"
    upload = next(
        s for s in steps if s.get("uses", "").startswith("github/codeql-action/upload-sarif@")
    )
    assert steps.index(upload) > steps.index(review)
    assert upload["with"]["sarif_file"] == "${{ inputs.sarif }}"
    assert "always()" in upload["if"] and "inputs.upload-sarif == 'true'" in upload["if"]
    assert set(manifest["inputs"]) >= {"mode", "sarif", "upload-sarif", "fail-on", "max-findings"}
