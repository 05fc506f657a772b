"""The lean default install: commands that need an extra say so in one line; ``--version``.

The extras' libraries are blocked the way Python documents (``sys.modules[name] = None``
makes importing it fail) in a real CLI process, so the lines a user of a default install
sees are the ones checked here; the review itself is shown not to import them in
``test_imports.py``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from support import GIT_ENV, GitRepo
from test_gate_cli import make_log

BLOCK_EXTRAS = (
    "import sys\n"
    "sys.modules.update(dict.fromkeys(['numpy', 'scipy', 'sklearn', 'matplotlib']))\n"
    "from tactful.server.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def _lean(tmp_path: Path, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        **GIT_ENV,
        "TACTFUL_CACHE_DIR": str(tmp_path / "cache"),
        "TACTFUL_DATA_DIR": str(tmp_path / "data"),
        "TACTFUL_CONFIG_DIR": str(tmp_path / "config"),
    }
    return subprocess.run(
        [sys.executable, "-c", BLOCK_EXTRAS, *args],
        cwd=cwd or tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "extra", "needs"),
    [
        (("gate", "train", "--data", "records.jsonl"), "gate", "numpy, scipy, scikit-learn"),
        (("gate", "eval", "--data", "records.jsonl"), "gate", "numpy, scipy, scikit-learn"),
        (("gate", "replay", "--events", "v.jsonl", "--png", "c.png"), "plots", "numpy, matplotlib"),
    ],
)
def test_a_command_needing_an_extra_says_which_in_one_line(
    tmp_path: Path, args: tuple[str, ...], extra: str, needs: str
) -> None:
    result = _lean(tmp_path, *args)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert f"needs {needs}" in lines[0]
    assert f"pip install 'tactful[{extra}]'" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_review_and_a_log_replay_work_without_the_extras(
    git_repo: GitRepo, tmp_path: Path
) -> None:
    git_repo.write("app.py", "def run(x):\n    return x\n")
    git_repo.commit("base")
    git_repo.write("app.py", "def run(x):\n    breakpoint()\n    return x\n")
    result = _lean(tmp_path, "review", "--no-llm", "--format", "json", cwd=git_repo.root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [f["rule"] for f in data["findings"] + data["hidden"]] == ["py.debugger"]
    missing = _lean(tmp_path, "gate", "train", "--db", str(tmp_path / "none.db"))
    assert "pip install" not in missing.stderr  # replaying a log is pure Python


def test_stats_prints_its_tables_without_the_plots_extra(tmp_path: Path) -> None:
    db = make_log(tmp_path / "feedback.db")
    png = tmp_path / "stats.png"
    result = _lean(tmp_path, "stats", "--db", str(db), "--png", str(png))
    assert result.returncode == 0, result.stderr
    assert "py.debug-print" in result.stdout and "100%" in result.stdout
    assert result.stderr.strip().splitlines() == [
        "chart not drawn: it needs numpy, matplotlib: pip install 'tactful[plots]'"
    ]
    assert not png.exists()


def test_version_comes_from_the_package_metadata(tmp_path: Path) -> None:
    result = _lean(tmp_path, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"tactful {version('tactful')}\n"


def test_editor_nvim_prints_the_shipped_plugin_folder(tmp_path: Path) -> None:
    result = _lean(tmp_path, "editor", "nvim")
    assert result.returncode == 0, result.stderr
    folder = Path(result.stdout.strip())
    for part in ("lua/tactful/init.lua", "lua/tactful/health.lua", "plugin/tactful.lua"):
        assert (folder / part).is_file(), part
    assert (folder / "doc" / "tactful.txt").is_file()
