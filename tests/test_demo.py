"""``scripts/demo.sh``: the README's first command reviews a throwaway sample repository.

Its findings are about a sample, not the user's work, so they must not reach the user's
feedback log, learned gate or caches: the demo runs with its own data and cache folders
next to the sample. Run with an empty ``HOME``, nothing may appear there.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from support import GIT_ENV

ROOT = Path(__file__).resolve().parents[1]
TACTFUL = ROOT / ".venv" / "bin" / "tactful"


@pytest.mark.skipif(
    not os.access(TACTFUL, os.X_OK), reason="the demo uses .venv/bin/tactful (.ci/run makes it)"
)
def test_demo_reviews_the_sample_and_leaves_home_alone(tmp_path: Path) -> None:
    home, scratch = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    scratch.mkdir()
    env = {
        **{
            k: v for k, v in os.environ.items() if not k.startswith(("TACTFUL_", "OPENAI_", "XDG_"))
        },
        **GIT_ENV,
        "HOME": str(home),
        "TMPDIR": str(scratch),
    }
    demo = subprocess.run(
        ["bash", str(ROOT / "scripts" / "demo.sh")],
        env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert demo.returncode == 0, demo.stderr[-2000:]
    assert "py.mutable-default" in demo.stdout and "file(s) reviewed" in demo.stdout
    assert sorted(p.relative_to(home).as_posix() for p in home.rglob("*")) == []
    (sample_root,) = scratch.iterdir()
    assert (sample_root / "data").is_dir()  # the sample's own feedback log
