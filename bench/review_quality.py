"""Review quality of the offline reviewer on real open-source code: recall, noise and crashes.

The corpus (``bench/corpus/``) holds only specs; the code comes from pinned archives of
real packages (PyPI sdists, npm tarballs, Debian source packages), downloaded on first use
into ``~/.cache/tactful/bench-corpus/`` (``TACTFUL_BENCH_CORPUS`` overrides) and checked
against their sha256. Three kinds of case:

* ``planted``: one realistic defect inserted into a real function (exact ``find`` ->
  ``replace`` text). A hit is any finding in the same file within two lines of the
  defect's new-side line range, which is computed from where the replacement lands.
* ``clean``: a behaviour-preserving refactor or doc change; any finding is noise.
* ``real``: two released versions of one package; the newer one is laid over the older
  one in the working tree and every shown finding is counted per 1,000 changed lines and
  matched against the hand-labelled verdicts in ``bench/corpus/real_verdicts.md``.

Each case is reviewed exactly as ``tactful review --all --no-llm`` reviews a working tree
(the same in-process engine: no display gate, no LLM, call graph on), in a real git
repository holding the whole archive. Engine coverage errors count as crashes.

    python bench/review_quality.py [--only planted|clean|real] [--case ID] [--verbose]
                                   [--json FILE] [--no-call-graph]

With ``--llm`` the corpus is reviewed with a real model too (see ``bench/review_llm.py``):

    tactful llm serve --model "$(bash scripts/fetch_eval_model.sh path)" &   # prints the endpoint
    python bench/review_quality.py --llm --base-url http://127.0.0.1:8089/v1 \
        [--prompt review.v1|review.v2|both] [--context on|off|both] [--categories LIST]
        [--limit N] [--real PROJECTS] [--sample N] [--seed S] [--max-prompt-tokens N]
"""

from __future__ import annotations

import argparse
import dataclasses
import fnmatch
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
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


# ----------------------------------------------------------------------------- corpus specs


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
class Corpus:
    archives: dict[str, Archive]
    cases: list[Case]
    real: list[RealDiff]


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
    real = [
        RealDiff(r["project"], r["language"], r["old"], r["new"], tuple(r.get("exclude", ())))
        for r in _toml(folder / "real.toml").get("diff", [])
    ]
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
    return Corpus(archives, cases, real)


# ----------------------------------------------------------------------------- archives


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
    if not mirror.is_dir() or not tag:
        raise BenchError(
            f"archive {archive.name} needs a mirror of github:{repo} at {mirror} "
            "(set TACTFUL_BENCH_MIRRORS to the folder of owner+name/repo mirrors)"
        )
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


# ----------------------------------------------------------------------------- edits


@dataclass(frozen=True)
class Applied:
    text: str
    start: int
    end: int
    """The defect's new-side line range (1-based, inclusive)."""


def apply_edit(text: str, find: str, replace: str, mark: tuple[str, ...] = ()) -> Applied:
    """Replace the one occurrence of ``find``; the range covers the lines that changed.

    Lines the replacement shares with ``find`` at its start and end are not part of the
    defect; a pure deletion points at the lines either side of the cut.
    """
    count = text.count(find)
    if count != 1:
        raise BenchError(f"find text occurs {count} times (needs exactly one)")
    offset = text.index(find)
    first = text.count("\n", 0, offset) + 1
    new_text = text[:offset] + replace + text[offset + len(find) :]
    old_lines, new_lines = find.split("\n"), replace.split("\n")
    if mark:
        hits = [i for i, line in enumerate(new_lines) if any(m in line for m in mark)]
        if not hits:
            raise BenchError(f"mark {mark!r} is not in the replacement")
        return Applied(new_text, first + hits[0], first + hits[-1])
    prefix = 0
    while prefix < min(len(old_lines), len(new_lines)) and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while (
        suffix < min(len(old_lines), len(new_lines)) - prefix
        and old_lines[-1 - suffix] == new_lines[-1 - suffix]
    ):
        suffix += 1
    changed = len(new_lines) - prefix - suffix
    if changed <= 0:  # only deleted lines: the cut lies between two surviving lines
        return Applied(new_text, max(1, first + prefix - 1), first + prefix)
    return Applied(new_text, first + prefix, first + prefix + changed - 1)


# ----------------------------------------------------------------------------- the engine


def git(root: Path, *args: str) -> str:
    proc = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    if proc.returncode != 0:
        raise BenchError(f"git {' '.join(args[:2])} failed in {root}: {proc.stderr.strip()[:200]}")
    return proc.stdout


def make_repo(tree: Path, where: Path) -> Path:
    """A git repository whose one commit is ``tree``."""
    shutil.copytree(tree, where)
    git(where, "init", "-q", "-b", "main")
    git(where, "add", "-A")
    git(where, "commit", "-q", "--no-verify", "-m", "release")
    return where


def archive_repo(archive: Archive, cache: Path) -> Path:
    """The archive committed to a git repository, built once and reset to its commit on reuse.

    Copying and committing a tree costs more than reviewing it, so planted cases reuse one
    repository per archive; a run that was interrupted mid-case is undone by the reset.
    """
    where = cache / "repos" / f"{archive.name}-{archive.sha256[:12]}"
    if (where / ".git" / "bench-complete").is_file():
        git(where, "reset", "-q", "--hard", "HEAD")
        git(where, "clean", "-q", "-fdx")
        return where
    if where.exists():
        shutil.rmtree(where)
    where.parent.mkdir(parents=True, exist_ok=True)
    make_repo(unpacked(archive, cache), where)
    (where / ".git" / "bench-complete").write_text("ok")
    return where


@dataclass
class Outcome:
    findings: list[dict[str, Any]]
    crashes: list[str]
    changed_lines: int
    reviewed: int
    seconds: float


def review_worktree(root: Path, call_graph: bool = True) -> Outcome:
    """What ``tactful review --all --no-llm [--no-call-graph]`` reports on ``root``'s working tree."""
    from tactful.server import changes, output
    from tactful.server.config import load_settings
    from tactful.server.session import ReviewSession, review_once

    started = time.perf_counter()
    change = changes.from_worktree(root)
    settings = load_settings(root)
    if not call_graph:
        settings = dataclasses.replace(
            settings, review=dataclasses.replace(settings.review, call_graph=False)
        )
    session = ReviewSession.open(settings, root, client="bench", gate=False)
    try:
        result = review_once(change, settings, session=session, llm=False)
    finally:
        session.close()
    rendered = json.loads(output.render_json(result, change.label))
    reviewed = set(result.coverage.reviewed)
    changed = sum(
        sum(len(h.added) + len(h.removed) for h in f.hunks)
        for f in change.change_set.files
        if f.path in reviewed
    )
    crashes = [
        n for n in result.coverage.notes if "failed" in n or "Error" in n or "Exception" in n
    ]
    return Outcome(
        rendered["findings"], crashes, changed, len(reviewed), time.perf_counter() - started
    )


# ----------------------------------------------------------------------------- running cases


@dataclass
class CaseResult:
    case: Case
    start: int = 0
    end: int = 0
    hit: bool = False
    findings: list[dict[str, Any]] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


@dataclass
class RealResult:
    diff: RealDiff
    changed_lines: int = 0
    files: int = 0
    findings: list[dict[str, Any]] = field(default_factory=list)
    crashes: list[str] = field(default_factory=list)
    error: str = ""
    seconds: float = 0.0


def is_hit(finding: dict[str, Any], path: str, start: int, end: int) -> bool:
    return (
        finding["path"] == path
        and finding["line"] <= end + NEAR
        and finding["endLine"] >= start - NEAR
    )


def run_cases(
    corpus: Corpus, cases: list[Case], work: Path, call_graph: bool
) -> Iterator[CaseResult]:
    """Each case in the archive's repository: apply the edit, review, put the file back."""
    cache = cache_dir()
    by_archive: dict[str, list[Case]] = defaultdict(list)
    for case in cases:
        by_archive[case.archive].append(case)
    for name, group in by_archive.items():
        try:
            repo = archive_repo(corpus.archives[name], cache)
        except BenchError as exc:
            for case in group:
                yield CaseResult(case, error=str(exc))
            continue
        for case in group:
            result = CaseResult(case)
            target = repo / case.file
            try:
                if not target.is_file():
                    raise BenchError(f"{case.file} is not in archive {name}")
                original = target.read_bytes()
                text = original.decode("utf-8")
                for (
                    find,
                    replace,
                ) in case.also:  # applied first: the defect's lines stay as computed
                    text = apply_edit(text, find, replace).text
                applied = apply_edit(text, case.find, case.replace, case.mark)
                result.start, result.end = applied.start, applied.end
                target.write_bytes(applied.text.encode("utf-8"))
                try:
                    outcome = review_worktree(repo, call_graph)
                finally:
                    target.write_bytes(original)
                result.findings, result.seconds = outcome.findings, outcome.seconds
                result.hit = any(
                    is_hit(f, case.file, applied.start, applied.end) for f in outcome.findings
                )
                if outcome.crashes:
                    result.error = "; ".join(outcome.crashes)
            except BenchError as exc:
                result.error = str(exc)
            except Exception as exc:  # an engine crash is a result, not the end of the bench
                result.error = f"crash: {exc.__class__.__name__}: {exc}"
            yield result


def overlay(repo: Path, tree: Path, keep: Iterable[str], skip: Iterable[str]) -> None:
    """Replace ``repo``'s files by ``tree``'s (both filtered), as unpacking a new release would."""
    keep, skip = tuple(keep), tuple(skip)
    for path in list(repo.rglob("*")):
        if ".git" in path.relative_to(repo).parts or not path.is_file():
            continue
        path.unlink()
    _copy_filtered(tree, repo, keep, skip)


def _copy_filtered(src: Path, dest: Path, keep: tuple[str, ...], skip: tuple[str, ...]) -> None:
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src).as_posix()
        if not path.is_file() or not _matches(rel, keep) or _matches(rel, skip):
            continue
        out = dest / rel
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, out)


def run_real(corpus: Corpus, diff: RealDiff, work: Path, call_graph: bool) -> RealResult:
    result = RealResult(diff)
    cache = cache_dir()
    try:
        old = unpacked(corpus.archives[diff.old], cache)
        new = unpacked(corpus.archives[diff.new], cache)
        repo = work / f"real-{diff.project}"
        repo.mkdir()
        skip = (*SKIP_GLOBS, *diff.exclude)
        _copy_filtered(old, repo, SOURCE_GLOBS, skip)
        git(repo, "init", "-q", "-b", "main")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "--no-verify", "-m", diff.old)
        overlay(repo, new, SOURCE_GLOBS, skip)
        git(repo, "add", "-A")  # new files of the release are part of the change
        outcome = review_worktree(repo, call_graph)
        result.changed_lines, result.files = outcome.changed_lines, outcome.reviewed
        result.findings, result.crashes, result.seconds = (
            outcome.findings,
            outcome.crashes,
            outcome.seconds,
        )
        shutil.rmtree(repo, ignore_errors=True)
    except BenchError as exc:
        result.error = str(exc)
    except Exception as exc:
        result.error = f"crash: {exc.__class__.__name__}: {exc}"
    return result


# ----------------------------------------------------------------------------- verdicts


VERDICT_LINE = re.compile(r"^- `([^`]{1,400})` \*\*(useful|nit|wrong)\*\*")


def verdict_key(project: str, finding: dict[str, Any]) -> str:
    """Stable across engine versions: project, file, position and rule (the archives are pinned)."""
    return f"{project}:{finding['path']}:{finding['line']}:{finding['column']}:{finding['rule']}"


def load_verdicts(path: Path = VERDICTS) -> dict[str, str]:
    verdicts: dict[str, str] = {}
    if not path.is_file():
        return verdicts
    for line in path.read_text("utf-8").splitlines():
        m = VERDICT_LINE.match(line)
        if m:
            verdicts[m.group(1)] = m.group(2)
    return verdicts


# ----------------------------------------------------------------------------- report


def _ratio(hit: int, total: int) -> str:
    return f"{hit / total:.2f} ({hit}/{total})" if total else "-"


def summarise(
    cases: list[CaseResult], reals: list[RealResult], verbose: bool
) -> tuple[str, dict[str, Any]]:
    out: list[str] = []
    data: dict[str, Any] = {}
    planted = [r for r in cases if r.case.kind == "planted"]
    clean = [r for r in cases if r.case.kind == "clean"]
    if planted:
        hits = sum(r.hit for r in planted)
        out.append(f"planted defects: recall {_ratio(hits, len(planted))}")
        data["planted"] = {"recall": hits / len(planted), "hits": hits, "cases": len(planted)}
        for label, key in (
            ("category", lambda r: r.case.category),
            ("language", lambda r: r.case.language),
        ):
            groups: dict[str, list[CaseResult]] = defaultdict(list)
            for r in planted:
                groups[key(r)].append(r)
            out.append(f"  by {label}:")
            rows = {}
            for name in sorted(groups):
                g = groups[name]
                h = sum(r.hit for r in g)
                rows[name] = {"hits": h, "cases": len(g)}
                out.append(f"    {name:<18} {_ratio(h, len(g))}")
            data["planted"][f"by_{label}"] = rows
        missed = [r.case.id for r in planted if not r.hit]
        data["planted"]["missed"] = missed
        data["planted"]["results"] = {
            r.case.id: {
                "hit": r.hit, "category": r.case.category, "language": r.case.language,
                "file": r.case.file, "lines": [r.start, r.end],
                "findings": [f"{f['rule']}@{f['path']}:{f['line']}" for f in r.findings],
            }
            for r in planted
        }  # fmt: skip
        if verbose:
            out.append("  missed: " + (", ".join(missed) or "none"))
    if clean:
        noisy = [r for r in clean if r.findings]
        out.append(f"clean edits with any finding: {_ratio(len(noisy), len(clean))}")
        for r in noisy:
            rules = ", ".join(sorted({f"{f['rule']}@{f['line']}" for f in r.findings}))
            out.append(f"    {r.case.id}: {rules}")
        data["clean"] = {
            "noisy": [r.case.id for r in noisy], "cases": len(clean),
            "findings": {r.case.id: [f"{f['rule']}@{f['path']}:{f['line']}" for f in r.findings] for r in noisy},
        }  # fmt: skip
    if reals:
        verdicts = load_verdicts()
        lines = sum(r.changed_lines for r in reals)
        shown = sum(len(r.findings) for r in reals)
        per_rule: Counter[str] = Counter(f["rule"] for r in reals for f in r.findings)
        labels: Counter[str] = Counter()
        unlabelled: list[str] = []
        out.append(
            f"real release diffs: {len(reals)} projects, {lines:,} changed lines, {shown} shown findings, "
            f"{1000 * shown / lines if lines else 0:.2f} per 1,000 changed lines"
        )
        keys = []
        for r in reals:
            state = r.error or (f"{len(r.crashes)} crash(es)" if r.crashes else "ok")
            out.append(
                f"    {r.diff.project:<22} {r.diff.old} -> {r.diff.new}: {r.changed_lines:>6,} lines, "
                f"{r.files:>3} files, {len(r.findings):>3} findings, {r.seconds:5.1f}s, {state}"
            )
            for f in r.findings:
                key = verdict_key(r.diff.project, f)
                keys.append(key)
                verdict = verdicts.get(key)
                labels[verdict or "unlabelled"] += 1
                if verdict is None:
                    unlabelled.append(key)
                if verbose or verdict is None:
                    out.append(f"      - `{key}` {verdict or 'UNLABELLED'}: {f['message'][:150]}")
        out.append(
            "  per rule: " + (", ".join(f"{k} {v}" for k, v in per_rule.most_common()) or "none")
        )
        out.append(
            f"  verdicts: useful {labels['useful']}, nit {labels['nit']}, wrong {labels['wrong']}, "
            f"without a verdict {labels['unlabelled']}"
        )
        data["real"] = {
            "projects": len(reals), "changed_lines": lines, "shown": shown,
            "per_1000": 1000 * shown / lines if lines else 0.0, "per_rule": dict(per_rule),
            "verdicts": dict(labels), "unlabelled": unlabelled, "keys": keys,
            "diffs": [
                {"project": r.diff.project, "lines": r.changed_lines, "findings": len(r.findings),
                 "crashes": r.crashes, "error": r.error, "seconds": round(r.seconds, 2)}
                for r in reals
            ],
        }  # fmt: skip
    errors = [(r.case.id, r.error) for r in cases if r.error]
    errors += [
        (r.diff.project, r.error or "; ".join(r.crashes)) for r in reals if r.error or r.crashes
    ]
    out.append(f"crashes/errors: {len(errors)}")
    for name, error in errors:
        out.append(f"    {name}: {error[:300]}")
    data["errors"] = dict(errors)
    return "\n".join(out), data


def main(argv: list[str] | None = None) -> int:
    import review_llm  # beside this file; it imports this module's helpers

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", choices=("planted", "clean", "real"))
    parser.add_argument(
        "--case", action="append", help="run only this case id or real-diff project (repeatable)"
    )
    parser.add_argument(
        "--verbose", "-v", action="store_true", help="list missed cases and every real finding"
    )
    parser.add_argument("--json", metavar="FILE", help="also write machine-readable results")
    parser.add_argument("--no-call-graph", action="store_true")
    parser.add_argument("--corpus", default=str(CORPUS), help=argparse.SUPPRESS)
    review_llm.add_arguments(parser)
    args = parser.parse_args(argv)
    try:
        corpus = load_corpus(Path(args.corpus))
    except BenchError as exc:
        print(f"review_quality: {exc}", file=sys.stderr)
        return 2
    cases = [
        c
        for c in corpus.cases
        if args.only in (None, c.kind) and (not args.case or c.id in args.case)
    ]
    reals = [
        d
        for d in corpus.real
        if args.only in (None, "real") and (not args.case or d.project in args.case)
    ]
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tactful-quality-") as tmp:
        work = Path(tmp)
        # The index cache lives beside the corpus cache (warm on reruns, as for a user);
        # the feedback log stays in the scratch folder. Neither touches the user's own.
        os.environ["TACTFUL_CACHE_DIR"] = str(cache_dir() / "tactful-cache")
        os.environ["TACTFUL_DATA_DIR"] = str(work / "data")
        if args.llm:
            try:
                _, llm_data = review_llm.main_llm(args, corpus, work)
            except BenchError as exc:
                print(f"review_quality: {exc}", file=sys.stderr)
                return 2
            print(f"({time.perf_counter() - started:.1f}s)")
            if args.json:
                Path(args.json).write_text(json.dumps(llm_data, indent=2) + "\n", "utf-8")
            return 0
        case_results = list(run_cases(corpus, cases, work, not args.no_call_graph))
        real_results = [run_real(corpus, d, work, not args.no_call_graph) for d in reals]
    download_errors = [r.error for r in case_results if "unavailable" in r.error]
    download_errors += [r.error for r in real_results if "unavailable" in r.error]
    if download_errors:
        print(f"review_quality: {download_errors[0]}", file=sys.stderr)
        return 2
    text, data = summarise(case_results, real_results, args.verbose)
    print(text)
    print(f"({time.perf_counter() - started:.1f}s)")
    if args.json:
        Path(args.json).write_text(json.dumps(data, indent=2) + "\n", "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
