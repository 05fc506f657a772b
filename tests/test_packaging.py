"""The built wheel carries every module, query and data file of the source tree."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHIPPED_SUFFIXES = {".py", ".scm", ".typed", ".json", ".md", ".txt", ".npz"}


def _expected_members() -> set[str]:
    expected = set()
    for folder, package in (("analyzers", "tactful/analyzers"), ("server", "tactful/server")):
        for path in (ROOT / folder).rglob("*"):
            if (
                path.is_file()
                and path.suffix in SHIPPED_SUFFIXES
                and "__pycache__" not in path.parts
            ):
                expected.add(f"{package}/{path.relative_to(ROOT / folder).as_posix()}")
    return expected


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> zipfile.ZipFile:
    out = tmp_path_factory.mktemp("wheel")
    build_dir = tmp_path_factory.mktemp("build")
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(out),
            str(ROOT),
        ],
        check=True,
        cwd=build_dir,
        env={"PATH": "/usr/bin:/bin", "HOME": str(build_dir), "PIP_NO_INPUT": "1"},
    )
    (wheel_path,) = out.glob("tactful-*.whl")
    return zipfile.ZipFile(wheel_path)


def test_wheel_contains_every_source_file(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    missing = sorted(_expected_members() - names)
    assert not missing, f"not in the wheel: {missing}"


def test_wheel_ships_queries_and_markers(wheel: zipfile.ZipFile) -> None:
    names = set(wheel.namelist())
    assert "tactful/analyzers/py.typed" in names
    assert "tactful/server/py.typed" in names
    assert any(n.startswith("tactful/analyzers/queries/") and n.endswith(".scm") for n in names)
    assert not any(n.startswith(("tests/", "bench/")) for n in names)


def test_wheel_ships_the_neovim_plugin(wheel: zipfile.ZipFile) -> None:
    # `tactful editor nvim` prints this folder: a pip install is all a Neovim user needs.
    plugin = ROOT / "editors" / "nvim"
    expected = {
        f"tactful/editors/nvim/{p.relative_to(plugin).as_posix()}"
        for p in plugin.rglob("*")
        if p.is_file()
    }
    assert expected and expected <= set(wheel.namelist())


def test_wheel_declares_console_script(wheel: zipfile.ZipFile) -> None:
    entry_points = next(n for n in wheel.namelist() if n.endswith("entry_points.txt"))
    assert "tactful = tactful.server.cli:main" in wheel.read(entry_points).decode()


def test_default_install_leaves_the_heavy_libraries_to_extras(wheel: zipfile.ZipFile) -> None:
    metadata = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    lines = wheel.read(metadata).decode().splitlines()
    required = [
        line.split(":", 1)[1].strip() for line in lines if line.startswith("Requires-Dist:")
    ]
    default = [r for r in required if "extra ==" not in r]
    heavy = ("numpy", "scipy", "scikit-learn", "matplotlib")
    assert [r for r in default if r.split(">")[0].split("=")[0].strip() in heavy] == []
    extras = {line.split(":", 1)[1].strip() for line in lines if line.startswith("Provides-Extra:")}
    assert {"gate", "plots", "test"} <= extras
    for name, extra in (("scikit-learn", "gate"), ("matplotlib", "plots")):
        assert any(r.startswith(name) and f'extra == "{extra}"' in r for r in required)
