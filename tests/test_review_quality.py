"""Smoke test of bench/review_quality.py on a tiny corpus built here (offline, no download).

The archives are real tarballs written to tmp_path and named by file:// URL and sha256,
so the harness's download, checksum, unpack, repository and review steps all run for real.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "review_quality.py"

LIB_V1 = '''"""A tiny library."""


def total(values):
    """Sum the values, ignoring None."""
    result = 0
    for value in values:
        if value is None:
            continue
        result += value
    return result
'''

LIB_V2 = (
    LIB_V1
    + '''

def average(values):
    """Mean of the values that are not None."""
    present = [v for v in values if v is not None]
    return total(present) / len(present) if present else 0.0
'''
)


def _tarball(path: Path, files: dict[str, str]) -> str:
    """Write a .tar.gz with one top folder (as sdists have); return its sha256."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, text in files.items():
            data = text.encode("utf-8")
            info = tarfile.TarInfo(f"tinylib-1/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    path.write_bytes(buffer.getvalue())
    return hashlib.sha256(buffer.getvalue()).hexdigest()


def _corpus(tmp_path: Path, *, v1_url: str | None = None) -> Path:
    corpus = tmp_path / "corpus"
    (corpus / "planted").mkdir(parents=True)
    (corpus / "clean").mkdir()
    v1, v2 = tmp_path / "tinylib-1.tar.gz", tmp_path / "tinylib-2.tar.gz"
    sha1 = _tarball(v1, {"tinylib/core.py": LIB_V1})
    sha2 = _tarball(v2, {"tinylib/core.py": LIB_V2})
    (corpus / "archives.toml").write_text(
        f'[archives."tinylib-1"]\nurl = "{v1_url or v1.as_uri()}"\nsha256 = "{sha1}"\n\n'
        f'[archives."tinylib-2"]\nurl = "{v2.as_uri()}"\nsha256 = "{sha2}"\n',
        "utf-8",
    )
    (corpus / "planted" / "python.toml").write_text(
        """
[[case]]
id = "tiny-print"
language = "python"
category = "debug-output"
archive = "tinylib-1"
file = "tinylib/core.py"
find = '''
        result += value
'''
replace = '''
        result += value
        print("running total", result)
'''

[[case]]
id = "tiny-guard"
language = "python"
category = "removed-guard"
archive = "tinylib-1"
file = "tinylib/core.py"
find = '''
    for value in values:
        if value is None:
            continue
        result += value'''
replace = '''
    for value in values:
        result += value'''
""",
        "utf-8",
    )
    (corpus / "clean" / "clean.toml").write_text(
        """
[[case]]
id = "tiny-docstring"
language = "python"
archive = "tinylib-1"
file = "tinylib/core.py"
find = '''
    \"\"\"Sum the values, ignoring None.\"\"\"'''
replace = '''
    \"\"\"Add up the values; None entries are skipped.\"\"\"'''
""",
        "utf-8",
    )
    (corpus / "real.toml").write_text(
        '[[diff]]\nproject = "tinylib"\nlanguage = "python"\nold = "tinylib-1"\nnew = "tinylib-2"\n',
        "utf-8",
    )
    return corpus


def _run(
    tmp_path: Path, corpus: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TACTFUL_BENCH_CORPUS": str(tmp_path / "cache"), **(env or {})}
    return subprocess.run(
        [sys.executable, str(BENCH), "--corpus", str(corpus), "--no-call-graph", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )  # fmt: skip


def test_bench_measures_recall_noise_and_real_diffs(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "result.json"
    proc = _run(tmp_path, corpus, "--json", str(out), "--verbose")
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text("utf-8"))
    # The print is a debug leftover today's checks find; whether the deleted None check is
    # found depends on the rules of the day, so only its presence in the tally is checked.
    assert data["planted"]["cases"] == 2
    assert "tiny-print" not in data["planted"]["missed"]
    assert data["planted"]["by_category"]["removed-guard"]["cases"] == 1
    assert data["planted"]["by_category"]["debug-output"] == {"hits": 1, "cases": 1}
    assert data["clean"] == {"noisy": [], "cases": 1, "findings": {}}
    assert data["real"]["projects"] == 1
    assert data["real"]["changed_lines"] == 6
    assert data["errors"] == {}
    assert (
        "planted defects: recall" in proc.stdout and "real release diffs: 1 projects" in proc.stdout
    )


def test_bench_filters_by_case(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path)
    out = tmp_path / "result.json"
    proc = _run(tmp_path, corpus, "--case", "tiny-print", "--json", str(out))
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text("utf-8"))
    assert data["planted"]["cases"] == 1 and "clean" not in data and "real" not in data


def test_unavailable_archive_fails_with_one_line(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, v1_url=(tmp_path / "missing.tar.gz").as_uri())
    proc = _run(tmp_path, corpus, "--only", "clean")
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "tinylib-1 is unavailable" in proc.stderr


@pytest.mark.parametrize(
    ("find", "replace", "mark", "expected"),
    [
        ("b\n", "b\nprint(x)\n", (), (3, 3)),  # added line after b (b is line 2 of a..d)
        ("b\nc\n", "c\n", (), (1, 2)),  # deleted b: the lines either side of the cut
        ("b\nc\n", "B\nc\nC2\n", ("C2",), (4, 4)),  # mark picks the defect line
    ],
)
def test_defect_range_is_computed_from_the_edit(
    find: str, replace: str, mark: tuple[str, ...], expected: tuple[int, int]
) -> None:
    sys.path.insert(0, str(BENCH.parent))
    try:
        from quality_run import apply_edit
    finally:
        sys.path.remove(str(BENCH.parent))
    applied = apply_edit("a\nb\nc\nd\n", find, replace, mark)
    assert (applied.start, applied.end) == expected


def _bench_module(name: str):  # type: ignore[no-untyped-def]
    sys.path.insert(0, str(BENCH.parent))
    try:
        return __import__(name)
    finally:
        sys.path.remove(str(BENCH.parent))


KNOWN = {
    "id": "tiny-regression", "project": "tinylib", "language": "python",
    "category": "removed-guard", "old": "tinylib-1", "new": "tinylib-2",
    "file": "tinylib/core.py", "lines": [9, 10], "fixed_by": "abc123 'restore the None check'",
}  # fmt: skip


def test_known_defect_is_parsed_with_its_line_range() -> None:
    corpus = _bench_module("quality_corpus")
    defect = corpus.known_defect({**KNOWN, "note": "why"})
    assert (defect.start, defect.end, defect.category, defect.note) == (
        9,
        10,
        "removed-guard",
        "why",
    )
    assert corpus.known_defect({**KNOWN, "lines": 7}).start == 7
    assert corpus.known_defect({**KNOWN, "lines": 7}).end == 7


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"fixed_by": None}, "missing fixed_by"),
        ({"lines": [10, 9]}, "end before they start"),
        ({"lines": [0, 2]}, "a line or [start, end]"),
        ({"lines": [1, 2, 3]}, "a line or [start, end]"),
    ],
)
def test_known_defect_spec_errors_name_the_case(change: dict[str, object], message: str) -> None:
    corpus = _bench_module("quality_corpus")
    raw = {k: v for k, v in {**KNOWN, **change}.items() if v is not None}
    with pytest.raises(corpus.BenchError, match=re.escape(message)):
        corpus.known_defect(raw)


def _git(repo: Path, *args: str) -> str:
    env = {**os.environ, "GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@t",
           "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@t", "GIT_CONFIG_GLOBAL": os.devnull}  # fmt: skip
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, env=env, check=True
    ).stdout.strip()


def _mirrored_corpus(tmp_path: Path) -> tuple[Path, Path]:
    """A git mirror (owner+name/repo) whose second commit deletes a None check; a corpus naming it."""
    work = tmp_path / "src"
    (work / "tinylib").mkdir(parents=True)
    _git(work, "init", "-q", "-b", "main")
    (work / "tinylib" / "core.py").write_text(LIB_V1, "utf-8")
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "v1")
    (work / "tinylib" / "core.py").write_text(
        LIB_V1.replace("        if value is None:\n            continue\n", ""), "utf-8"
    )
    _git(work, "commit", "-qam", "tidy the loop")
    mirrors = tmp_path / "mirrors"
    _git(tmp_path, "clone", "-q", "--bare", str(work), str(mirrors / "tiny+lib" / "repo"))
    bare = mirrors / "tiny+lib" / "repo"
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    archives = []
    for name, rev in (("tinylib-1", "HEAD^"), ("tinylib-2", "HEAD")):
        sha = _git(bare, "rev-parse", rev)
        tar = subprocess.run(
            ["git", "--git-dir", str(bare), "archive", "--format=tar", f"--prefix={name}/", sha],
            capture_output=True, check=True,
        ).stdout  # fmt: skip
        digest = hashlib.sha256(tar).hexdigest()
        archives.append(
            f'[archives."{name}"]\nurl = "github:tiny/lib@{sha}"\nsha256 = "{digest}"\n'
        )
    (corpus / "archives.toml").write_text("\n".join(archives), "utf-8")
    spec = "\n".join(f"{k} = {json.dumps(v)}" for k, v in {**KNOWN, "lines": [8, 9]}.items())
    (corpus / "real.toml").write_text(f"[[known_defect]]\n{spec}\n", "utf-8")
    return corpus, mirrors


def test_known_defect_reviewed_from_a_git_mirror(tmp_path: Path) -> None:
    corpus, mirrors = _mirrored_corpus(tmp_path)
    out = tmp_path / "result.json"
    env_extra = {"TACTFUL_BENCH_MIRRORS": str(mirrors)}
    proc = _run(tmp_path, corpus, "--json", str(out), env=env_extra)
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text("utf-8"))
    result = data["known"]["results"]["tiny-regression"]
    assert data["known"]["cases"] == 1 and result["changed_lines"] == 2
    assert result["hit"] == any(
        f.endswith(("core.py:8", "core.py:9", "core.py:10")) for f in result["findings"]
    )
    assert "known regressions (real bug-introducing changes)" in proc.stdout
    assert data["errors"] == {} and data["skipped"] == []


def test_missing_mirror_skips_with_one_line(tmp_path: Path) -> None:
    corpus, _ = _mirrored_corpus(tmp_path)
    out = tmp_path / "result.json"
    proc = _run(
        tmp_path, corpus, "--json", str(out), env={"TACTFUL_BENCH_MIRRORS": str(tmp_path / "none")}
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(out.read_text("utf-8"))
    assert "known" not in data and data["errors"] == {} and len(data["skipped"]) == 1
    lines = [line for line in proc.stdout.splitlines() if line.startswith("skipped")]
    assert len(lines) == 1 and "github:tiny/lib" in lines[0] and "TACTFUL_BENCH_MIRRORS" in lines[0]
