"""Pinned archives of the corpus: download once, check the sha256, unpack; mirrored git tags."""

from __future__ import annotations

import fnmatch
import hashlib
import os
import shutil
import subprocess
import tarfile
import urllib.error
import urllib.request
from collections.abc import Iterable
from pathlib import Path

from quality_corpus import Archive, BenchError, MirrorMissing


def cache_dir() -> Path:
    env = os.environ.get("TACTFUL_BENCH_CORPUS")
    return Path(env) if env else Path.home() / ".cache" / "tactful" / "bench-corpus"


def download(archive: Archive, cache: Path) -> Path:
    """The archive file, downloaded once and checked against its pinned sha256."""
    target = (
        cache
        / "archives"
        / f"{archive.sha256[:16]}-{archive.url.rsplit('/', 1)[-1]}".replace("@", "-")
    )
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    if archive.url.startswith(GIT_SCHEME):
        data = _git_archive(archive)
    else:
        try:
            with urllib.request.urlopen(archive.url, timeout=60) as response:
                data = response.read()
        except (urllib.error.URLError, OSError) as exc:
            raise BenchError(
                f"archive {archive.name} is unavailable: {archive.url}: {exc}"
            ) from exc
    digest = hashlib.sha256(data).hexdigest()
    if digest != archive.sha256:
        raise BenchError(
            f"archive {archive.name}: sha256 {digest} does not match the pinned {archive.sha256}"
        )
    partial = target.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(target)
    return target


GIT_SCHEME = "github:"
"""``github:owner/name@tag``: a release tag of a repository mirrored on this machine (for
languages whose releases no reachable registry ships as source: Go, Java, C#, Ruby, Rust)."""


def mirror_dir() -> Path:
    env = os.environ.get("TACTFUL_BENCH_MIRRORS")
    return Path(env) if env else Path("/work/.mirror")


def _git_archive(archive: Archive) -> bytes:
    """``git archive`` of the tag as a tar (one top folder), from the local bare mirror."""
    repo, _, tag = archive.url.removeprefix(GIT_SCHEME).partition("@")
    mirror = mirror_dir() / repo.replace("/", "+") / "repo"
    if not tag:
        raise BenchError(f"archive {archive.name}: {archive.url} names no tag or commit")
    if not mirror.is_dir():
        raise MirrorMissing(f"github:{repo} (no mirror at {mirror})")
    done = subprocess.run(
        [
            "git",
            "--git-dir",
            str(mirror),
            "archive",
            "--format=tar",
            f"--prefix={archive.name}/",
            tag,
        ],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"archive {archive.name}: git archive {tag}: {done.stderr.decode()[:200]}")
    return done.stdout


def unpacked(archive: Archive, cache: Path) -> Path:
    """The archive's tree (top folder stripped, ``root`` and ``keep`` applied), unpacked once."""
    target = cache / "trees" / f"{archive.name}-{archive.sha256[:12]}"
    if (target / ".complete").is_file():
        return target / "tree"
    source = download(archive, cache)
    if target.exists():
        shutil.rmtree(target)
    scratch = target / "raw"
    scratch.mkdir(parents=True)
    with tarfile.open(source) as tar:
        tar.extractall(scratch, filter="data")
    top = [p for p in scratch.iterdir()]
    base = top[0] if len(top) == 1 and top[0].is_dir() else scratch
    if archive.root:
        base = base / archive.root
    tree = target / "tree"
    for path in sorted(base.rglob("*")):
        rel = path.relative_to(base).as_posix()
        if (
            not path.is_file()
            or path.is_symlink()
            or (archive.keep and not _matches(rel, archive.keep))
        ):
            continue
        dest = tree / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)
    shutil.rmtree(scratch)
    (target / ".complete").write_text("ok")
    return tree


def _matches(rel: str, globs: Iterable[str]) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return any(fnmatch.fnmatch(rel, g) or fnmatch.fnmatch(name, g) for g in globs)
