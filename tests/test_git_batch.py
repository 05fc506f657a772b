"""Reading many committed files through one ``git cat-file --batch``: the same bytes as one by one."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from tactful.server import git
from tactful.server.changes import from_range, from_worktree
from tactful.server.pipeline import Change, review
from tactful.server.settings import Settings

FILES: dict[str, bytes] = {
    "plain.py": b"def f():\n    return 1\n",
    "with space/and name.py": b"x = 1\n",
    "empty.txt": b"",
    "binary.bin": bytes(range(256)) * 4,
    "no-newline.py": b"y = 2",
    "crlf.txt": b"a\r\nb\r\n",
    "café.py": "é = 1\n".encode(),
    "line\nbreak.py": b"z = 3\n",
}


def test_show_files_matches_show_file_for_every_kind_of_path(git_repo) -> None:
    for path, content in FILES.items():
        git_repo.write(path, content)
    commit = git_repo.commit("files")
    wanted = [(commit, p) for p in FILES] + [
        (commit, "missing.py"),  # not in the commit
        (commit, "with space"),  # a folder, not a file
        (git.EMPTY_TREE, "plain.py"),
        ("HEAD", "plain.py"),
    ]
    batch = git.show_files(git_repo.root, wanted)
    assert batch == {key: git.show_file(git_repo.root, *key) for key in wanted}
    assert batch[commit, "binary.bin"] == FILES["binary.bin"]
    assert batch[commit, "missing.py"] is None and batch[commit, "with space"] is None


@dataclass
class OneByOne:
    """A source that cannot batch: every side is read when the review asks for it."""

    source: git.RevisionSource

    def old(self, path: str) -> bytes | None:
        return self.source.old(path)

    def new(self, path: str) -> bytes | None:
        return self.source.new(path)


def test_a_range_review_reads_both_sides_at_once_and_finds_the_same(git_repo) -> None:
    body = "def f{n}(x):\n    if x is None:\n        return 0\n    return x + {n}\n"
    for n in range(4):
        git_repo.write(f"m{n}.py", body.format(n=n))
    git_repo.commit("base")
    git_repo.git("checkout", "-q", "-b", "topic")
    for n in range(4):  # a debug print lands in each: a finding per file
        git_repo.write(f"m{n}.py", body.format(n=n).replace("    return x", "    print(x)\n    return x"))  # fmt: skip
    git_repo.commit("debug")
    settings = Settings(cache_dir=str(git_repo.root.parent / "cache"))

    def findings(change: Change) -> list[tuple[str, int, str, str]]:
        result = review(change, settings)
        return sorted((f.path, f.span.start_line, f.rule, f.fingerprint) for f in result.findings)

    batched = from_range(git_repo.root, "main", "topic")
    assert isinstance(batched.files, git.RevisionSource)
    one_by_one = dataclasses.replace(batched, files=OneByOne(from_range(git_repo.root, "main", "topic").files))  # fmt: skip
    found = findings(batched)
    assert len(batched.files._cache) == 8  # both sides of the four files, from one git process
    assert found == findings(one_by_one)
    assert {path for path, *_ in found} == {f"m{n}.py" for n in range(4)}
    assert findings(from_worktree(git_repo.root)) == []
