"""Symlinks never lead the reviewer out of the repository (real links, real git, real CLI)."""

from __future__ import annotations

import json
from pathlib import Path

from fakeopenai import FakeOpenAI
from rawlsp import RawClient
from support import GitRepo
from tactful.server import git
from tactful.server.index import RepoIndex
from tactful.server.settings import Settings

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


def test_containment_answers_as_a_full_resolve_does(tmp_path: Path) -> None:
    """The per-folder check gives the same answer as resolving each whole path."""
    root = tmp_path / "repo"
    (root / "pkg" / "deep").mkdir(parents=True)
    (root / "pkg" / "deep" / "real.py").write_text("x = 1\n")
    outside = _outside(tmp_path).parent
    (root / "out_dir").symlink_to(outside)  # a folder that leads out
    (root / "pkg" / "in_dir").symlink_to(root / "pkg" / "deep")  # a folder link that stays in
    (root / "pkg" / "out.py").symlink_to(outside / "private.py")
    (root / "pkg" / "in.py").symlink_to("deep/real.py")
    (root / "pkg" / "chain.py").symlink_to("out.py")  # a link to a link that leads out
    (root / "pkg" / "in_dir_out").symlink_to("../out_dir")
    paths = [
        "pkg/deep/real.py",
        "out_dir/private.py",
        "pkg/in_dir/real.py",
        "pkg/out.py",
        "pkg/in.py",
        "pkg/chain.py",
        "pkg/in_dir_out/private.py",
        "missing/file.py",
        "pkg/../../elsewhere/private.py",
    ]
    containment = git.Containment(root)
    answers = {path: containment.leaves(path) for path in paths}
    assert answers == {path: git.leaves_repository(root, path) for path in paths}
    assert [path for path, leaves in answers.items() if leaves] == [
        "out_dir/private.py",
        "pkg/out.py",
        "pkg/chain.py",
        "pkg/in_dir_out/private.py",
        "pkg/../../elsewhere/private.py",
    ]


def test_committed_files_replaced_by_links_leading_out_are_not_indexed(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    """A tracked file, or a tracked folder, swapped for a link to outside after the commit."""
    git_repo.write("app.py", "def run(x):\n    return x\n")
    git_repo.write("pkg/mod.py", "def helper(x):\n    return x\n")
    git_repo.commit("base")
    outside = _outside(tmp_path)
    (git_repo.root / "app.py").unlink()
    (git_repo.root / "app.py").symlink_to(outside)
    (git_repo.root / "pkg" / "mod.py").unlink()
    (git_repo.root / "pkg").rmdir()
    (git_repo.root / "pkg").symlink_to(outside.parent)
    (outside.parent / "mod.py").write_text("def helper(x):\n    return x  # OUTSIDE-MARKER\n")
    settings = Settings(cache_dir=str(tmp_path / "cache"))
    stats = RepoIndex(git_repo.root, settings, workers=1).build()
    assert stats.files == 0
    assert {s.path: s.reason for s in stats.skipped} == {
        "app.py": "outside-repo",
        "pkg/mod.py": "outside-repo",
    }


def _fix_titles(client: RawClient, uri: str, number: int) -> list[str]:
    client.send(
        {
            "id": number,
            "method": "textDocument/diagnostic",
            "params": {"textDocument": {"uri": uri}},
        }
    )
    items = client.answer(number, timeout=60)["result"]["items"]
    client.send({"id": number + 1, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri}, "range": items[0]["range"] if items else {
            "start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}},
        "context": {"diagnostics": items}}})  # fmt: skip
    return [a["title"] for a in client.answer(number + 1, timeout=60)["result"]]


def test_the_editor_offers_no_fix_for_a_link_that_leads_outside(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("app.py", "x = 1\n")
    git_repo.commit("base")
    text = "def check(value):\n    return value == None\n"
    target = _outside(tmp_path)
    target.write_text(text)
    (git_repo.root / "linked.py").symlink_to(target)
    git_repo.write("inside.py", text)  # the control: the same code, really in the repository
    client = RawClient(tmp_path)
    try:
        client.send({"id": 1, "method": "initialize", "params": {
            "capabilities": {}, "rootUri": git_repo.root.as_uri(),
            "initializationOptions": {"lsp": {"debounceMs": 0}, "llm": {"enabled": False}}}})  # fmt: skip
        assert "result" in client.answer(1, timeout=60)
        client.send({"method": "initialized", "params": {}})
        uris = {}
        for name in ("inside.py", "linked.py"):
            uris[name] = (git_repo.root / name).as_uri()
            client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                "uri": uris[name], "languageId": "python", "version": 1, "text": text}}})  # fmt: skip
        assert any(t.startswith("Apply fix") for t in _fix_titles(client, uris["inside.py"], 10))
        assert not any(
            t.startswith("Apply fix") for t in _fix_titles(client, uris["linked.py"], 20)
        )
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr, stderr[-3000:]
    assert target.read_text() == text
