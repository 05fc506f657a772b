"""Untracked files in working-tree reviews: the real ``tactful review`` on real repositories.

An untracked file git does not ignore is an added file; ignored files, links out of the
repository, binaries and files over the limits are not read, and each one left out is in
the coverage with its reason. The editor builds the same change for the same file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import jsonschema
from support import GitRepo
from tactful.server import changes, pipeline
from tactful.server.lsp.documents import BaseResolver, buffer_change
from tactful.server.settings import Settings, settings_from_dict

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[1] / "server/data/review.schema.json").read_text()
)
DEFECT = "def load(path):\n    try:\n        return open(path).read()\n    except Exception:\n        pass\n"
CLEAN = '"""Base."""\n\n\ndef run(x):\n    return x\n'


def base_repo(git_repo: GitRepo) -> GitRepo:
    git_repo.write("app.py", CLEAN)
    git_repo.commit("base")
    return git_repo


def set_review(repo: GitRepo, **review: object) -> None:
    """Commit repository settings, leaving the untracked files untracked."""
    repo.write(".tactful/settings.json", json.dumps({"review": review}))
    repo.git("add", ".tactful/settings.json")
    repo.git("commit", "-q", "-m", "settings")


def review(cli, repo: GitRepo, *args: str) -> dict[str, Any]:
    result = cli("review", "--all", "--no-llm", "--format", "json", *args, cwd=repo.root)
    assert result.returncode == 0, result.stderr
    data = result.json()
    jsonschema.validate(data, SCHEMA)
    return data


def skipped(data: dict[str, Any]) -> dict[str, str]:
    return {s["path"]: s["reason"] for s in data["coverage"]["skipped"]}


def test_untracked_file_with_a_defect_is_reviewed(cli, git_repo: GitRepo) -> None:
    repo = base_repo(git_repo)
    repo.write("pkg/loader.py", DEFECT)
    data = review(cli, repo)
    assert [(f["path"], f["rule"], f["line"]) for f in data["findings"]] == [
        ("pkg/loader.py", "py.swallowed-exception", 4)
    ]
    assert data["coverage"]["untracked"] == ["pkg/loader.py"]
    assert "pkg/loader.py" in data["coverage"]["reviewed"]
    text = cli("review", "--all", "--no-llm", cwd=repo.root)
    assert "pkg/loader.py:4:" in text.stdout


def test_ignored_file_is_not_read(cli, git_repo: GitRepo) -> None:
    repo = base_repo(git_repo)
    repo.write(".gitignore", "scratch/\n")
    repo.commit("ignore scratch")
    repo.write("scratch/try.py", DEFECT)
    data = review(cli, repo)
    assert data["findings"] == []
    assert "scratch/try.py" not in json.dumps(data)


def test_links_binaries_and_large_files_are_skipped_with_reasons(
    cli, git_repo: GitRepo, tmp_path: Path
) -> None:
    repo = base_repo(git_repo)
    outside = tmp_path / "elsewhere" / "secret.py"
    outside.parent.mkdir()
    outside.write_text("def leak():\n    breakpoint()  # OUTSIDE-MARKER\n")
    (repo.root / "linked.py").symlink_to(outside)
    (repo.root / "alias.py").symlink_to("app.py")  # inside: app.py is reviewed as itself
    repo.write("logo.bin", b"\x89PNG\x00\x00" + os.urandom(64))
    repo.write("big.py", "x = 1\n" * 400)
    repo.write("empty.py", "")
    os.mkfifo(repo.root / "pipe.py")  # opening it would block the review
    (repo.root / "nested").mkdir()
    repo.git("-C", "nested", "init", "-q")  # git lists an untracked nested repository as "nested/"
    repo.write("nested/inner.py", DEFECT)
    set_review(repo, maxFileBytes=1000)
    data = review(cli, repo)
    assert "pipe.py" not in data["coverage"]["reviewed"]
    assert skipped(data) == {
        "linked.py": "outside-repo",
        "alias.py": "symlink",
        "logo.bin": "binary",
        "big.py": "too-large",
        "empty.py": "no-content-change",
        "nested/": "not-a-file",
    }
    assert "OUTSIDE-MARKER" not in json.dumps(data)
    assert data["coverage"]["untracked"] == []


def test_turned_off_or_over_the_limit_the_summary_says_how_to_include_them(
    cli, git_repo: GitRepo
) -> None:
    repo = base_repo(git_repo)
    for name in ("a.py", "b.py", "c.py"):
        repo.write(f"new/{name}", DEFECT)
    off = review(cli, repo, "--no-untracked")
    assert off["findings"] == []
    assert skipped(off) == dict.fromkeys(["new/a.py", "new/b.py", "new/c.py"], "untracked")
    text = cli("review", "--all", "--no-llm", "--no-untracked", cwd=repo.root).stdout
    assert "3 untracked file(s) skipped (--untracked or review.untracked includes them)" in text
    assert "skipped: new/" not in text  # counted in one line, not listed

    set_review(repo, maxUntrackedFiles=2)
    capped = review(cli, repo)
    assert sorted(f["path"] for f in capped["findings"]) == ["new/a.py", "new/b.py"]
    assert skipped(capped) == {"new/c.py": "untracked"}
    text = cli("review", "--all", "--no-llm", cwd=repo.root).stdout
    assert "1 untracked file(s) skipped (raise review.maxUntrackedFiles to include them)" in text

    set_review(repo, untracked=False)
    assert review(cli, repo)["findings"] == []
    assert len(review(cli, repo, "--untracked")["findings"]) == 3


def test_untracked_flag_is_for_the_working_tree_only(cli, git_repo: GitRepo) -> None:
    repo = base_repo(git_repo)
    result = cli("review", "--base", "HEAD", "--no-untracked", cwd=repo.root)
    assert result.returncode == 2
    assert "--untracked/--no-untracked apply to the working tree only" in result.stderr


def findings_of(result: pipeline.ReviewResult) -> list[tuple[str, str, int, str]]:
    return [(f.path, f.rule, f.span.start_line, f.fingerprint) for f in result.findings]


def test_the_editor_builds_the_same_change_for_an_untracked_file(git_repo: GitRepo) -> None:
    repo = base_repo(git_repo)
    repo.write("pkg/loader.py", DEFECT)
    settings = Settings()
    cli_result = pipeline.review(changes.from_worktree(repo.root, settings=settings), settings)
    baseline = BaseResolver().baseline(repo.root / "pkg/loader.py", settings.lsp, None)
    assert baseline.tracking == "untracked"
    editor = pipeline.review(buffer_change(baseline, DEFECT, settings.review), settings)
    assert findings_of(editor) == findings_of(cli_result) != []
    assert editor.coverage.untracked == cli_result.coverage.untracked == ("pkg/loader.py",)

    off, errors = settings_from_dict({"review": {"untracked": False}})
    assert not errors
    editor_off = pipeline.review(buffer_change(baseline, DEFECT, off.review), off)
    cli_off = pipeline.review(changes.from_worktree(repo.root, settings=off), off)
    assert findings_of(editor_off) == findings_of(cli_off) == []
    assert [s.reason for s in editor_off.coverage.skipped] == ["untracked"]


def test_the_editor_leaves_ignored_files_alone_and_reviews_staged_ones(git_repo: GitRepo) -> None:
    repo = base_repo(git_repo)
    repo.write(".gitignore", "*.local.py\n")
    repo.commit("ignore")
    settings = Settings()
    resolver = BaseResolver()
    ignored = resolver.baseline(repo.root / "try.local.py", settings.lsp, None)  # never saved
    assert ignored.tracking == "ignored"
    result = pipeline.review(buffer_change(ignored, DEFECT, settings.review), settings)
    assert result.findings == []
    assert [(s.path, s.reason) for s in result.coverage.skipped] == [("try.local.py", "ignored")]
    repo.write("staged.py", DEFECT)
    repo.git("add", "staged.py")
    staged = resolver.baseline(repo.root / "staged.py", settings.lsp, None)
    assert staged.tracking == "tracked"
    assert pipeline.review(buffer_change(staged, DEFECT, settings.review), settings).findings
