"""Smoke test of bench/review_quality.py on a tiny corpus built here (offline, no download).

The archives are real tarballs written to tmp_path and named by file:// URL and sha256,
so the harness's download, checksum, unpack, repository and review steps all run for real.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
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


def _run(tmp_path: Path, corpus: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TACTFUL_BENCH_CORPUS": str(tmp_path / "cache")}
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
