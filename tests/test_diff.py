"""The unified-diff parser: real ``git diff`` / ``git format-patch`` / ``diff -u`` output,
hand-written malformed diffs (exact error lines), and real CodeReviewer hunks."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest
from tactful.analyzers.diff import DiffError, parse_diff, parse_hunk
from tactful.analyzers.model import ChangeSet, FileChange, FileStatus

CODEREVIEWER = Path(__file__).resolve().parents[2] / "shared" / "data" / "codereviewer"

# --- a real repository with every kind of change -------------------------------------------

TWENTY = "".join(f"value_{i} = {i * 7}\n" for i in range(20))
COMPUTE = (
    "def compute():\n"
    + "".join(f"    {c} = {i}\n" for i, c in enumerate("abcdefgh", 1))
    + "    return a\n"
)
BASE: dict[str, bytes | str] = {
    "mod.py": COMPUTE,
    "gone.py": "bye = 1\n",
    "old_name.py": TWENTY,
    "edit_name.py": TWENTY.replace("value", "other"),
    "sp old.py": TWENTY.replace("value", "spaced"),
    "copy_src.py": TWENTY.replace("value", "copied"),
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x01",
    "script.sh": "echo hi\n",
    "tool.py": "print('tool')\n",
    "nonl_old.txt": "a\nb",
    "nonl_new.txt": "a\nb\n",
    "nonl_both.txt": "a\nb",
    "crlf.txt": "one\r\ntwo\r\n",
    "with space.py": "x = 1\n",
    "café.py": "é = 1\n",
    'q"uote.py': "q = 1\n",
    "a/inner.py": "inner = 1\n",
}
CHANGED: dict[str, bytes | str | None] = {
    "mod.py": COMPUTE.replace("g = 7", "g = 70").replace("    h = 8\n", "    h = 8\n    i = 9\n"),
    "gone.py": None,
    "new.py": "alpha = 1\nbeta = 2\ngamma = 3\n",
    "empty.txt": "",
    "new.bin": b"\x00\x01\x02binary\x00",
    "image.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x02",
    "tool.py": "print('tool v2')\n",
    "nonl_old.txt": "a\nb\n",
    "nonl_new.txt": "a\nc",
    "nonl_both.txt": "a\nc",
    "crlf.txt": "one\r\nTWO\r\nthree\r\n",
    "with space.py": "x = 2\n",
    "café.py": "é = 2\n",
    'q"uote.py': "q = 2\n",
    "a/inner.py": "inner = 2\n",
}
MOVES = {
    "old_name.py": "moved/new_name.py",
    "edit_name.py": "edited_name.py",
    "sp old.py": "dir two/sp new.py",
}


@dataclass(frozen=True)
class Expect:
    status: FileStatus
    old: str | None
    new: str | None
    added: tuple[int, ...] = ()
    removed: tuple[int, ...] = ()
    modes: tuple[str | None, str | None] | None = None
    missing_newline: tuple[bool, bool] = (False, False)
    hunks: bool = True


EXPECTED = {
    "mod.py": Expect(FileStatus.MODIFIED, "mod.py", "mod.py", (8, 10), (8,), ("100644", "100644")),
    "gone.py": Expect(FileStatus.DELETED, "gone.py", None, (), (1,), ("100644", None)),
    "new.py": Expect(FileStatus.ADDED, None, "new.py", (1, 2, 3), (), (None, "100644")),
    "empty.txt": Expect(FileStatus.ADDED, None, "empty.txt", modes=(None, "100644"), hunks=False),
    "moved/new_name.py": Expect(
        FileStatus.RENAMED, "old_name.py", "moved/new_name.py", hunks=False
    ),
    "edited_name.py": Expect(FileStatus.RENAMED, "edit_name.py", "edited_name.py", (10,), (10,)),
    "dir two/sp new.py": Expect(FileStatus.RENAMED, "sp old.py", "dir two/sp new.py", hunks=False),
    "copy_dst.py": Expect(FileStatus.COPIED, "copy_src.py", "copy_dst.py", hunks=False),
    "image.png": Expect(FileStatus.BINARY, "image.png", "image.png", hunks=False),
    "new.bin": Expect(FileStatus.BINARY, None, "new.bin", hunks=False),
    "script.sh": Expect(
        FileStatus.MODE_ONLY, "script.sh", "script.sh", modes=("100644", "100755"), hunks=False
    ),
    "tool.py": Expect(FileStatus.MODIFIED, "tool.py", "tool.py", (1,), (1,), ("100644", "100755")),
    "nonl_old.txt": Expect(
        FileStatus.MODIFIED,
        "nonl_old.txt",
        "nonl_old.txt",
        (2,),
        (2,),
        missing_newline=(True, False),
    ),
    "nonl_new.txt": Expect(
        FileStatus.MODIFIED,
        "nonl_new.txt",
        "nonl_new.txt",
        (2,),
        (2,),
        missing_newline=(False, True),
    ),
    "nonl_both.txt": Expect(
        FileStatus.MODIFIED,
        "nonl_both.txt",
        "nonl_both.txt",
        (2,),
        (2,),
        missing_newline=(True, True),
    ),
    "crlf.txt": Expect(FileStatus.MODIFIED, "crlf.txt", "crlf.txt", (2, 3), (2,)),
    "with space.py": Expect(FileStatus.MODIFIED, "with space.py", "with space.py", (1,), (1,)),
    "café.py": Expect(FileStatus.MODIFIED, "café.py", "café.py", (1,), (1,)),
    'q"uote.py': Expect(FileStatus.MODIFIED, 'q"uote.py', 'q"uote.py', (1,), (1,)),
    "a/inner.py": Expect(FileStatus.MODIFIED, "a/inner.py", "a/inner.py", (1,), (1,)),
}

DIFF = ["diff", "--cached", "-M", "-C", "--find-copies-harder"]
FLAVOURS = {
    "default": [*DIFF],
    "no-prefix": [*DIFF, "--no-prefix"],
    "mnemonic": ["-c", "diff.mnemonicPrefix=true", *DIFF],
    "quotepath-off": ["-c", "core.quotepath=false", *DIFF],
    "binary-patch": [*DIFF, "--binary"],
    "zero-context": [*DIFF, "-U0"],
}


def _git(root: Path, *args: str) -> str:
    """Run git and return its stdout byte-exact (no newline translation: CRs matter here)."""
    env = {
        **os.environ,
        "HOME": str(root.parent),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@tactful.invalid",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@tactful.invalid",
    }
    proc = subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, check=True)
    return proc.stdout.decode("utf-8", "surrogateescape")


def _write(root: Path, path: str, content: bytes | str) -> None:
    target = root / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))


@pytest.fixture(scope="module")
def diffs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Every flavour of diff of one change that touches each kind of file."""
    root = tmp_path_factory.mktemp("diffrepo") / "repo"
    root.mkdir()
    _git(root, "init", "-q", "-b", "main")
    for path, content in BASE.items():
        _write(root, path, content)
    _git(root, "add", "-A")
    _git(root, "commit", "-qm", "base")
    for path, changed in CHANGED.items():
        if changed is None:
            (root / path).unlink()
        else:
            _write(root, path, changed)
    for old, new in MOVES.items():
        (root / new).parent.mkdir(parents=True, exist_ok=True)
        (root / old).rename(root / new)
    _write(
        root,
        "edited_name.py",
        TWENTY.replace("value", "other").replace("other_9 = 63", "other_9 = 64"),
    )
    shutil.copy(root / "copy_src.py", root / "copy_dst.py")
    for path in ("script.sh", "tool.py"):
        (root / path).chmod(0o755)
    _git(root, "add", "-A")
    texts = {name: _git(root, *args) for name, args in FLAVOURS.items()}
    _git(root, "commit", "-qm", "change everything\n\nA body line.\n--- not a header")
    texts["format-patch"] = _git(
        root, "format-patch", "-1", "--stdout", "-M", "-C", "--find-copies-harder"
    )
    texts["crlf-transport"] = texts["default"].replace("\n", "\r\n")
    return texts


def _by_path(change_set: ChangeSet) -> dict[str, FileChange]:
    files = {f.path: f for f in change_set.files}
    assert len(files) == len(change_set.files)
    return files


@pytest.mark.parametrize("flavour", [*FLAVOURS, "format-patch", "crlf-transport"])
def test_every_file_of_a_real_git_diff(diffs: dict[str, str], flavour: str) -> None:
    files = _by_path(parse_diff(diffs[flavour]))
    assert sorted(files) == sorted(EXPECTED)
    for path, want in EXPECTED.items():
        got = files[path]
        assert (got.status, got.old_path, got.new_path) == (want.status, want.old, want.new), path
        assert (got.added_lines, got.removed_lines) == (want.added, want.removed), path
        assert bool(got.hunks) == want.hunks, path
        assert got.is_binary == (want.status is FileStatus.BINARY), path
        assert (got.old_missing_newline, got.new_missing_newline) == want.missing_newline, path
        if want.modes is not None:
            assert (got.old_mode, got.new_mode) == want.modes, path


def test_hunk_details_of_a_real_git_diff(diffs: dict[str, str]) -> None:
    files = _by_path(parse_diff(diffs["default"]))
    (hunk,) = files["mod.py"].hunks
    assert (hunk.old_start, hunk.old_count, hunk.new_start, hunk.new_count) == (5, 6, 5, 7)
    assert hunk.header == "def compute():"
    body = (
        "     d = 4",
        "     e = 5",
        "     f = 6",
        "-    g = 7",
        "+    g = 70",
        "     h = 8",
        "+    i = 9",
    )
    assert hunk.lines == (*body, "     return a")
    # the marker is kept in the lines but counts as no changed line
    (hunk,) = files["nonl_both.txt"].hunks
    assert hunk.lines == (
        " a",
        "-b",
        "\\ No newline at end of file",
        "+c",
        "\\ No newline at end of file",
    )
    # CRs of a CRLF file are content: kept on the body lines
    (hunk,) = files["crlf.txt"].hunks
    assert hunk.lines == (" one\r", "-two\r", "+TWO\r", "+three\r")
    zero = _by_path(parse_diff(diffs["zero-context"]))["mod.py"]
    assert [h.header for h in zero.hunks] == ["def compute():", "def compute():"]
    assert [(h.old_start, h.old_count, h.new_start, h.new_count) for h in zero.hunks] == [
        (8, 1, 8, 1),
        (9, 0, 10, 1),
    ]


def test_crlf_transport_parses_exactly_like_lf(diffs: dict[str, str]) -> None:
    assert parse_diff(diffs["crlf-transport"]) == parse_diff(diffs["default"])
    assert parse_diff(diffs["binary-patch"].replace("\n", "\r\n")) == parse_diff(
        diffs["binary-patch"]
    )


def test_format_patch_series_with_mail_headers_and_signatures(git_repo) -> None:
    git_repo.write("x.py", "x = 1\n")
    git_repo.commit("base")
    git_repo.write("x.py", "x = 2\n")
    git_repo.commit("second\n\n@@ not a hunk\n+ not an added line")
    git_repo.write("x.py", "x = 3\ny = 4\n")
    git_repo.write("z.py", "z = 1\n")
    git_repo.commit("third")
    text = _git(git_repo.root, "format-patch", "-2", "--stdout")
    assert text.startswith("From ") and "\n-- \n" in text
    files = parse_diff(text).files
    assert [(f.path, f.status, f.added_lines, f.removed_lines) for f in files] == [
        ("x.py", FileStatus.MODIFIED, (1,), (1,)),
        ("x.py", FileStatus.MODIFIED, (1, 2), (1,)),
        ("z.py", FileStatus.ADDED, (1,), ()),
    ]
    # `git log -p` (newest first, indented messages between commits) parses the same way
    logged = parse_diff(_git(git_repo.root, "log", "-p", "-2")).files
    assert [(f.path, f.added_lines) for f in logged] == [
        ("x.py", (1, 2)),
        ("z.py", (1,)),
        ("x.py", (1,)),
    ]


@pytest.mark.skipif(shutil.which("diff") is None, reason="GNU diff is not installed")
def test_plain_diff_u(tmp_path: Path) -> None:
    (tmp_path / "old.py").write_text(COMPUTE)
    (tmp_path / "new.py").write_text(CHANGED["mod.py"])  # type: ignore[arg-type]
    (tmp_path / "last").write_text("a\nb")

    def diff_u(*args: str) -> str:
        proc = subprocess.run(["diff", "-u", *args], cwd=tmp_path, capture_output=True, text=True)
        assert proc.returncode == 1, proc.stderr
        return proc.stdout

    labelled = diff_u("--label", "a/src/mod.py", "--label", "b/src/mod.py", "old.py", "new.py")
    (got,) = parse_diff(labelled).files
    assert (got.old_path, got.new_path, got.status) == (
        "src/mod.py",
        "src/mod.py",
        FileStatus.MODIFIED,
    )
    assert (got.added_lines, got.removed_lines, got.old_mode) == ((8, 10), (8,), None)
    (stamped,) = parse_diff(diff_u("old.py", "new.py")).files  # '--- old.py\t2024-... +0000'
    assert (stamped.old_path, stamped.new_path, stamped.status) == (
        "old.py",
        "new.py",
        FileStatus.RENAMED,
    )
    (added,) = parse_diff(
        diff_u("--label", "/dev/null", "--label", "b/last", "/dev/null", "last")
    ).files
    assert (added.old_path, added.new_path, added.status) == (None, "last", FileStatus.ADDED)
    assert (added.added_lines, added.new_missing_newline) == ((1, 2), True)
    two = parse_diff(labelled + diff_u("--label", "a/last", "--label", "b/last", "new.py", "last"))
    assert [f.path for f in two.files] == ["src/mod.py", "last"]


# --- hand-written cases -----------------------------------------------------------------

GOOD = "diff --git a/x.py b/x.py\nindex 1111111..2222222 100644\n--- a/x.py\n+++ b/x.py\n@@ -1,2 +1,2 @@ def f():\n-a\n+b\n c\n"


@pytest.mark.parametrize("text", ["", "\n", "  \n\n", "\r\n"])
def test_empty_input_is_an_empty_change_set(text: str) -> None:
    assert parse_diff(text) == ChangeSet(files=())


@pytest.mark.parametrize(
    ("header", "old", "new"),
    [
        pytest.param(
            '"a/tab\\there.py" "b/tab\\there.py"', "tab\there.py", "tab\there.py", id="escaped-tab"
        ),
        pytest.param(
            '"a/q\\"x\\\\y.py" "b/q\\"x\\\\y.py"', 'q"x\\y.py', 'q"x\\y.py', id="quote-backslash"
        ),
        pytest.param(
            '"a/\\303\\251t\\303\\251.py" b/plain.py', "été.py", "plain.py", id="one-side-quoted"
        ),
        pytest.param("x.py x.py", "x.py", "x.py", id="no-prefix"),
        pytest.param("a/b.py a/b.py", "a/b.py", "a/b.py", id="no-prefix-dir-named-a"),
        pytest.param("i/x.py w/x.py", "x.py", "x.py", id="mnemonic"),
        pytest.param(
            '"a/bad\\377.py" "b/bad\\377.py"', "bad\udcff.py", "bad\udcff.py", id="non-utf8"
        ),
    ],
)
def test_git_header_paths(header: str, old: str, new: str) -> None:
    (got,) = parse_diff(f"diff --git {header}\nold mode 100644\nnew mode 100755\n").files
    assert (got.old_path, got.new_path) == (old, new)
    assert got.status is (FileStatus.MODE_ONLY if old == new else FileStatus.RENAMED)


def test_bare_hunks() -> None:
    text = "@@ -3,2 +3,3 @@ class A:\n x\n+y\n z\n@@ -10 +11 @@\n-p\n+q"
    change = parse_hunk(text, "src/a.py")
    assert (change.old_path, change.new_path, change.status) == (
        "src/a.py",
        "src/a.py",
        FileStatus.MODIFIED,
    )
    assert [h.header for h in change.hunks] == ["class A:", ""]
    assert (change.added_lines, change.removed_lines) == ((4, 11), (10,))
    assert parse_diff(text) == ChangeSet(files=(parse_hunk(text, ""),))
    assert parse_diff("\n" + text) == parse_diff(text)


def test_tolerated_oddities() -> None:
    # a blank context line (its space stripped by an editor) and a localised no-newline marker
    text = "--- a/x\n+++ b/x\n@@ -1,3 +1,3 @@\n a\n\n-b\n+c\n\\ Kein Zeilenumbruch am Dateiende.\n"
    (got,) = parse_diff(text).files
    assert got.hunks[0].lines == (" a", " ", "-b", "+c", "\\ Kein Zeilenumbruch am Dateiende.")
    assert (
        got.added_lines,
        got.removed_lines,
        got.new_missing_newline,
        got.old_missing_newline,
    ) == ((3,), (3,), True, False)
    # a marker after a context line concerns both files
    (ctx,) = parse_diff(
        "--- a/x\n+++ b/x\n@@ -1 +1,2 @@\n+w\n x\n\\ No newline at end of file\n"
    ).files
    assert (ctx.old_missing_newline, ctx.new_missing_newline) == (True, True)
    # trailing text after a complete diff, and a git header with only an index line (old git -w)
    assert parse_diff(GOOD + "-- \n2.39.0\n\n").files[0].added_lines == (1,)
    (ws,) = parse_diff("diff --git a/w b/w\nindex 1111111..2222222 100644\n" + GOOD).files[:1]
    assert (ws.path, ws.status, ws.hunks) == ("w", FileStatus.MODIFIED, ())


MALFORMED = [
    pytest.param(
        GOOD.replace("-1,2 +1,2", "-1,3 +1,3"),
        5,
        "fewer lines than its header says",
        id="short-at-eof",
    ),
    pytest.param(
        GOOD.replace("-1,2 +1,2", "-1,3 +1,3") + GOOD,
        9,
        "expected a hunk line",
        id="short-then-next-file",
    ),
    pytest.param(
        GOOD.replace("-1,2 +1,2", "-1,1 +1,1"),
        5,
        "more lines than its header says",
        id="long-overflow",
    ),
    pytest.param(
        GOOD + "+extra\n", 5, "(line 9 '+extra' is past its end)", id="long-trailing-plus"
    ),
    pytest.param(
        GOOD + " extra\n", 5, "more lines than its header says", id="long-trailing-context"
    ),
    pytest.param(
        GOOD.replace("-a\n", "garbage\n"),
        6,
        "expected a hunk line starting with",
        id="garbage-in-hunk",
    ),
    pytest.param("--- a/x\n+++ b/x\n", 2, "not followed by a hunk", id="header-without-hunk"),
    pytest.param(
        "--- a/x\n+++ b/x\nhello\n", 3, "expected a hunk header", id="garbage-after-header"
    ),
    pytest.param(
        "--- a/x\n+++ b/x\n@@ -1,x +1 @@\n-a\n", 3, "malformed hunk header", id="bad-hunk-header"
    ),
    pytest.param(
        GOOD + "@@ -9 +9 @\n-a\n+b\n", 9, "malformed hunk header", id="bad-second-hunk-header"
    ),
    pytest.param("diff --git a/x b/x\n", 1, "without hunk, mode", id="bare-git-header"),
    pytest.param(
        "diff --git a/x b/x\n--- a/x\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n",
        3,
        "does not match",
        id="target-mismatch",
    ),
    pytest.param("just some text\nnothing else\n", 1, "no diff found", id="not-a-diff"),
    pytest.param(
        "--- a/x\n@@ -1 +1 @@\n-a\n+b\n", 2, "without a file header", id="hunk-without-plus"
    ),
    pytest.param("--- a/x\n+++ b/x\n@@@ -1 -1 +1 @@@\n", 3, "combined", id="combined-diff"),
    pytest.param("@@ -1,2 +1,2 @@\n a\n-b\n", 1, "fewer lines", id="bare-hunk-short"),
    pytest.param("\n\n@@ -1 +1 @@\n-a\n+b\n+c\n", 3, "more lines", id="bare-hunk-long"),
]


@pytest.mark.parametrize(("text", "line", "words"), MALFORMED)
def test_malformed_diff_names_the_line(text: str, line: int, words: str) -> None:
    for variant in (text, text.replace("\n", "\r\n")):
        with pytest.raises(DiffError) as caught:
            parse_diff(variant)
        assert caught.value.line == line, str(caught.value)
        assert words in caught.value.message
        assert str(caught.value) == f"line {line}: {caught.value.message}"
        assert isinstance(caught.value, ValueError)


@pytest.mark.parametrize(
    ("text", "line"),
    [("", 1), ("x = 1\n", 1), ("@@ -1 +1 @@\n-a\n+b\n--- a/y\n+++ b/y\n@@ -1 +1 @@\n-a\n+b\n", 4)],
)
def test_parse_hunk_rejects_non_hunks(text: str, line: int) -> None:
    with pytest.raises(DiffError) as caught:
        parse_hunk(text, "p")
    assert caught.value.line == line


def test_mangled_diffs_raise_only_diff_error(diffs: dict[str, str]) -> None:
    lines = diffs["default"].split("\n")
    rng = random.Random(20240601)
    failures = 0
    for _ in range(400):
        mangled = list(lines)
        at = rng.randrange(len(mangled))
        match rng.randrange(4):
            case 0:
                del mangled[at]
            case 1:
                mangled.insert(at, mangled[at])
            case 2:
                mangled[at] = (
                    rng.choice(["+", "-", " ", "@@ -1 +1 @@", "\\", "diff --git a/q b/q", "zz"])
                    + mangled[at][1:]
                )
            case _:
                mangled.insert(
                    at, rng.choice(["", "+x", "-x", "@@ -1,2 +1 @@", "+++ b/x", "GIT binary patch"])
                )
        try:
            parse_diff("\n".join(mangled))
        except DiffError as exc:
            failures += 1
            assert 1 <= exc.line <= len(mangled), exc
    assert failures > 100  # most mutations break a hunk's counts


# --- real CodeReviewer hunks ------------------------------------------------------------


def _codereviewer_records() -> list[object]:
    if not CODEREVIEWER.is_dir():
        return [
            pytest.param(
                None,
                id="absent",
                marks=pytest.mark.skip(reason=f"no CodeReviewer data at {CODEREVIEWER}"),
            )
        ]
    params: list[object] = []
    for name in ("quality-estimation-100.jsonl", "msg-test-100.jsonl"):
        for number, row in enumerate(
            (CODEREVIEWER / name).read_text(encoding="utf-8").splitlines()
        ):
            params.append(
                pytest.param(json.loads(row)["patch"], id=f"{name.split('-')[0]}-{number}")
            )
    return params


@pytest.mark.parametrize("patch", _codereviewer_records())
def test_codereviewer_hunk(patch: str) -> None:
    change = parse_hunk(patch, "f")
    body = patch.split("\n")[1:]
    plus, minus = sum(x.startswith("+") for x in body), sum(x.startswith("-") for x in body)
    assert (len(change.added_lines), len(change.removed_lines)) == (plus, minus)
    (hunk,) = change.hunks
    assert all(hunk.new_start <= n < hunk.new_start + hunk.new_count for n in hunk.added)
    assert all(hunk.old_start <= n < hunk.old_start + hunk.old_count for n in hunk.removed)
    assert len(hunk.lines) == len(body)
