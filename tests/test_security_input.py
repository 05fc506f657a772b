"""Hostile patches: absurd hunk starts, endless input, bytes that are not UTF-8."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

HUGE = "diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -{n},1 +{n},2 @@\n a\n+breakpoint()\n"


def test_huge_hunk_start_skips_the_file_not_the_review(cli, tmp_path: Path) -> None:
    for n in (10**8, 10**9, 10**18):
        patch = tmp_path / "huge.patch"
        patch.write_text(HUGE.format(n=n))
        result = cli("review", "--patch", str(patch), "--format", "json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        (skipped,) = result.json()["coverage"]["skipped"]
        assert skipped["path"] == "x.py" and "cannot be rebuilt" in skipped["detail"]


def test_endless_patch_is_one_line_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "tactful.server", "review", "--patch", "/dev/zero"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "larger than" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_latin1_byte_is_reviewed_and_output_is_valid_utf8(cli, tmp_path: Path) -> None:
    patch = tmp_path / "latin1.patch"
    patch.write_bytes(
        b'diff --git a/x.py b/x.py\n--- a/x.py\n+++ b/x.py\n@@ -1,1 +1,2 @@\n a\n+s = "caf\xe9"; breakpoint()\n'
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "tactful.server",
            "review",
            "--all",
            "--patch",
            str(patch),
            "--format",
            "json",
        ],
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    data = json.loads(proc.stdout.decode("utf-8"))  # strict: raises on invalid UTF-8
    assert [f["rule"] for f in data["findings"]] == ["py.debugger"]
    text = subprocess.run(
        [sys.executable, "-m", "tactful.server", "review", "--all", "--patch", "-"],
        input=patch.read_bytes(),
        capture_output=True,
        timeout=120,
        cwd=tmp_path,
    )
    assert text.returncode == 0, text.stderr
    text.stdout.decode("utf-8")
