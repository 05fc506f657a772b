"""HEAD is asked of git once per move of HEAD: a commit, checkout or reset between two reviews is seen."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from rawlsp import RawClient
from support import GIT_ENV, GitRepo
from tactful.server.git_head import HeadCache

BASE = "def load(path):\n    with open(path) as handle:\n        return handle.read()\n"
EDITED = (
    "def load(path):\n    try:\n        with open(path) as handle:\n            return handle.read()\n"
    '    except:\n        return ""\n'
)


def rev(repo: GitRepo, name: str = "HEAD") -> str:
    return repo.git("rev-parse", name).strip()


def test_head_is_asked_once_and_again_after_each_move(git_repo: GitRepo) -> None:
    heads = HeadCache()
    assert heads.head(git_repo.root) == ""  # no commit yet
    git_repo.write("a.py", "x = 1\n")
    first = git_repo.commit("first")
    assert heads.head(git_repo.root) == first  # the branch ref appeared
    assert heads.head(git_repo.root) == first
    assert heads.lookups == 2

    git_repo.write("a.py", "x = 2\n")
    second = git_repo.commit("second")
    assert heads.head(git_repo.root) == second
    git_repo.git("commit", "-q", "--amend", "-m", "amended")
    assert heads.head(git_repo.root) == rev(git_repo) != second
    git_repo.git("checkout", "-q", "-b", "side", first)
    assert heads.head(git_repo.root) == first
    git_repo.git("checkout", "-q", "--detach", "main")
    assert heads.head(git_repo.root) == rev(git_repo)
    git_repo.git("checkout", "-q", "side")
    git_repo.git("pack-refs", "--all")  # the branch now lives in packed-refs only
    assert heads.head(git_repo.root) == first
    git_repo.git("reset", "-q", "--hard", second)
    assert heads.head(git_repo.root) == second
    lookups = heads.lookups
    assert heads.head(git_repo.root) == second
    assert heads.lookups == lookups  # nothing moved: no git process


def test_a_commit_in_a_linked_worktree_is_seen(git_repo: GitRepo, tmp_path: Path) -> None:
    git_repo.write("a.py", "x = 1\n")
    git_repo.commit("first")
    linked = tmp_path / "linked"
    git_repo.git("worktree", "add", "-q", "-b", "feature", str(linked))
    other = GitRepo(linked)
    heads = HeadCache()
    assert heads.head(linked) == rev(other)
    other.write("b.py", "y = 2\n")
    moved = other.commit("in the linked worktree")
    assert heads.head(linked) == moved
    assert heads.head(git_repo.root) == rev(git_repo) != moved


def pull(client: RawClient, number: int, uri: str) -> list[dict[str, Any]]:
    client.send(
        {
            "id": number,
            "method": "textDocument/diagnostic",
            "params": {"textDocument": {"uri": uri}},
        }
    )
    answer = client.answer(number, timeout=60)
    return answer["result"]["items"]


def test_the_editor_sees_a_commit_made_between_two_reviews(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("calc.py", BASE)
    git_repo.commit("base")
    client = RawClient(tmp_path)
    try:
        client.send({"id": 1, "method": "initialize", "params": {
            "capabilities": {}, "rootUri": git_repo.root.as_uri(),
            "initializationOptions": {"lsp": {"debounceMs": 0}, "llm": {"enabled": False},
                                      "gate": {"enabled": False}}}})  # fmt: skip
        assert "result" in client.answer(1, timeout=60)
        client.send({"method": "initialized", "params": {}})
        uri = (git_repo.root / "calc.py").as_uri()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": EDITED}}})  # fmt: skip
        assert any("except" in d["message"].lower() for d in pull(client, 2, uri))

        # Saved, then committed from a terminal: the editor sends no event for the commit.
        git_repo.write("calc.py", EDITED)
        client.send({"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}})
        assert pull(client, 3, uri)
        git_repo.commit("the edit")
        client.send({"method": "textDocument/didChange", "params": {
            "textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": EDITED}]}})  # fmt: skip
        assert pull(client, 4, uri) == []  # the buffer is HEAD now: nothing changed, nothing said
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr, stderr[-3000:]


def test_a_cli_review_spawns_one_rev_parse_for_head(git_repo: GitRepo, tmp_path: Path) -> None:
    """Whether HEAD exists and what it is are one question for ``git rev-parse``, asked once
    per review through the session; so is ``user.email``."""
    git_repo.write("calc.py", BASE)
    git_repo.commit("base")
    git_repo.write("calc.py", EDITED)
    shim = tmp_path / "bin"
    shim.mkdir()
    log = tmp_path / "git.log"
    real = subprocess.run(
        ["sh", "-c", "command -v git"], capture_output=True, text=True, check=True
    ).stdout.strip()
    # A git on PATH that logs each command line and hands it to the real git.
    (shim / "git").write_text(f'#!/bin/sh\nprintf "%s\\n" "$*" >> {log}\nexec {real} "$@"\n')
    (shim / "git").chmod(0o755)
    env = {**os.environ, **GIT_ENV, "PATH": f"{shim}{os.pathsep}{os.environ['PATH']}",
           "TACTFUL_CACHE_DIR": str(tmp_path / "c"), "TACTFUL_DATA_DIR": str(tmp_path / "d"),
           "TACTFUL_CONFIG_DIR": str(tmp_path / "cfg")}  # fmt: skip
    env.pop("OPENAI_BASE_URL", None)
    proc = subprocess.run(
        [sys.executable, "-m", "tactful.server", "review", "--no-llm", "--format", "json"],
        cwd=git_repo.root, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert proc.returncode in (0, 1), proc.stderr
    assert json.loads(proc.stdout)["findings"]
    calls = log.read_text().splitlines()
    heads = [c for c in calls if "rev-parse" in c and "HEAD" in c]
    # The diff's base and the display gate's blame share the session's answer: before, two.
    assert len(heads) == 1, calls
    # The feedback sink and the gate's blame share the session's user.email: before, two.
    assert sum(c.endswith("config user.email") for c in calls) == 1, calls
    assert any(" blame " in c for c in calls), calls  # the gate did ask for blame
