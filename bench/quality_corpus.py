"""Specs of the review-quality corpus (``bench/corpus/``): archives, cases, real diffs, known defects.

Pure parsing: no download, no git. ``bench/review_quality.py`` runs what this describes.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

CORPUS = Path(__file__).resolve().parent / "corpus"
VERDICTS = CORPUS / "real_verdicts.md"
NEAR = 2
"""A finding counts as a hit when it is at most this many lines from the defect."""
GIT_ENV = {
    "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "bench@example.invalid",
    "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "bench@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull, "GIT_CONFIG_NOSYSTEM": "1",
}  # fmt: skip
SOURCE_GLOBS = (
    "*.py", "*.js", "*.mjs", "*.cjs", "*.jsx", "*.ts", "*.tsx", "*.go", "*.rs", "*.java", "*.c", "*.h",
    "*.cc", "*.cpp", "*.cxx", "*.hpp", "*.hh", "*.cs", "*.rb", "*.php",
)  # fmt: skip
"""Real diffs review source files only: release notes and data files are not code review."""
SKIP_GLOBS = (
    "*.min.js", "*.map", "*.lock", "package-lock.json", "*/dist/*", "dist/*", "*/vendor/*", "vendor/*",
    "*/node_modules/*", "*/third_party/*", "*/generated/*", "*.d.ts",
)  # fmt: skip
"""What a reviewer skips in a release diff: generated, vendored, minified and lock files."""


class BenchError(Exception):
    """A corpus or download problem, reported as one line."""


class MirrorMissing(BenchError):
    """An archive of the ``github:`` kind whose repository is not mirrored here: the case is
    skipped (one line in the report), not counted as an error."""


@dataclass(frozen=True)
class Archive:
    name: str
    url: str
    sha256: str
    root: str = ""
    """Sub-folder of the unpacked archive to use as the repository (after the top folder)."""
    keep: tuple[str, ...] = ()
    """Globs of paths to keep (default: everything); e.g. rxjs's ``src/**`` without its builds."""


@dataclass(frozen=True)
class Case:
    id: str
    kind: str
    """``planted`` or ``clean``."""
    language: str
    category: str
    archive: str
    file: str
    find: str
    replace: str
    note: str = ""
    mark: tuple[str, ...] = ()
    """Substrings of ``replace`` whose lines are the defect (default: every changed line)."""
    also: tuple[tuple[str, str], ...] = ()
    """Further (find, replace) edits in the same file that complete the change (e.g. a rename)."""


@dataclass(frozen=True)
class RealDiff:
    project: str
    language: str
    old: str
    new: str
    exclude: tuple[str, ...] = ()


@dataclass(frozen=True)
class KnownDefect:
    """A real regression: the commit (or release) that shipped a bug, reviewed against its parent.

    ``start``/``end`` are the defect's lines on the new side of ``file``; ``fixed_by`` names the
    later commit or release whose message or changelog names the bug (the evidence).
    """

    id: str
    project: str
    language: str
    category: str
    old: str
    new: str
    file: str
    start: int
    end: int
    fixed_by: str
    note: str = ""


@dataclass(frozen=True)
class Corpus:
    archives: dict[str, Archive]
    cases: list[Case]
    real: list[RealDiff]
    known: list[KnownDefect] = field(default_factory=list)


def _toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text("utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise BenchError(f"{path}: {exc}") from exc


def load_corpus(folder: Path = CORPUS) -> Corpus:
    archives = {
        name: Archive(name, a["url"], a["sha256"], a.get("root", ""), tuple(a.get("keep", ())))
        for name, a in _toml(folder / "archives.toml")["archives"].items()
    }
    cases: list[Case] = []
    for kind in ("planted", "clean"):
        for path in sorted((folder / kind).glob("*.toml")):
            for raw in _toml(path).get("case", []):
                mark = raw.get("mark", ())
                cases.append(
                    Case(
                        id=raw["id"],
                        kind=kind,
                        language=raw["language"],
                        category=raw.get("category", "clean"),
                        archive=raw["archive"],
                        file=raw["file"],
                        find=raw["find"],
                        replace=raw["replace"],
                        note=raw.get("note", ""),
                        mark=(mark,) if isinstance(mark, str) else tuple(mark),
                        also=((raw["also_find"], raw["also_replace"]),)
                        if "also_find" in raw
                        else (),
                    )  # fmt: skip
                )
    real_spec = _toml(folder / "real.toml")
    real = [
        RealDiff(r["project"], r["language"], r["old"], r["new"], tuple(r.get("exclude", ())))
        for r in real_spec.get("diff", [])
    ]
    known = [known_defect(raw) for raw in real_spec.get("known_defect", [])]
    seen: set[str] = set()
    for case in cases:
        if case.id in seen:
            raise BenchError(f"duplicate case id {case.id}")
        seen.add(case.id)
        if case.archive not in archives:
            raise BenchError(f"case {case.id}: unknown archive {case.archive}")
    for diff in real:
        for name in (diff.old, diff.new):
            if name not in archives:
                raise BenchError(f"real diff {diff.project}: unknown archive {name}")
    for defect in known:
        if defect.id in seen:
            raise BenchError(f"duplicate case id {defect.id}")
        seen.add(defect.id)
        for name in (defect.old, defect.new):
            if name not in archives:
                raise BenchError(f"known defect {defect.id}: unknown archive {name}")
    return Corpus(archives, cases, real, known)


KNOWN_FIELDS = ("id", "project", "language", "category", "old", "new", "file", "lines", "fixed_by")


def known_defect(raw: dict[str, Any]) -> KnownDefect:
    """One ``[[known_defect]]`` table of ``real.toml``; ``lines`` is ``[start, end]`` or one line."""
    missing = [k for k in KNOWN_FIELDS if k not in raw]
    if missing:
        raise BenchError(f"known defect {raw.get('id', '?')}: missing {', '.join(missing)}")
    lines = raw["lines"]
    bounds = [lines] if isinstance(lines, int) else list(lines)
    if not (1 <= len(bounds) <= 2 and all(isinstance(n, int) and n > 0 for n in bounds)):
        raise BenchError(f"known defect {raw['id']}: lines must be a line or [start, end]")
    start, end = bounds[0], bounds[-1]
    if end < start:
        raise BenchError(f"known defect {raw['id']}: lines end before they start")
    return KnownDefect(
        id=raw["id"], project=raw["project"], language=raw["language"], category=raw["category"],
        old=raw["old"], new=raw["new"], file=raw["file"], start=start, end=end,
        fixed_by=raw["fixed_by"], note=raw.get("note", ""),
    )  # fmt: skip
