"""``tactful index`` and ``tactful context``: the repository call graph from the command line."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from tactful.analyzers import definitions as defs
from tactful.analyzers.context import build_context, render
from tactful.analyzers.languages import detect_language
from tactful.analyzers.model import ChangeUnit
from tactful.server import git
from tactful.server.cli import EXIT_OK
from tactful.server.config import load_settings
from tactful.server.errors import UsageError
from tactful.server.index import IndexStats, RepoIndex


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "index", help="build or update the call-graph index and print its figures"
    )
    p.add_argument(
        "--repo", default=".", help="repository to index (default: the current directory)"
    )
    p.add_argument(
        "--config", help="settings JSON file (default: .tactful/settings.json in the repository)"
    )
    p.set_defaults(func=run_index)
    c = subparsers.add_parser(
        "context", help="print the context a reviewer sees for the definition at PATH:LINE"
    )
    c.add_argument("location", metavar="PATH:LINE")
    c.add_argument("--repo", default=".", help="repository (default: the current directory)")
    c.add_argument("--budget", type=int, help="token budget (default: llm.contextTokens)")
    c.add_argument("--config", help="settings JSON file")
    c.set_defaults(func=run_context)


def run_index(args: argparse.Namespace) -> int:
    root = _root(args.repo)
    index = RepoIndex(root, load_settings(root, args.config))
    stats = index.build()
    started = time.perf_counter()
    stored = index.graph.has_edges
    counts = index.graph.resolved_counts()
    resolve_seconds = time.perf_counter() - started
    index.save_edges()  # the next run resolves only what changed since
    live = index.graph.live_resolutions if stored else None
    sys.stdout.write(_summary(stats, counts, resolve_seconds, live))
    return EXIT_OK


def run_context(args: argparse.Namespace) -> int:
    root = _root(args.repo)
    path, line = _location(args.location, root)
    settings = load_settings(root, args.config)
    index = RepoIndex(root, settings)
    index.build()
    unit = _unit_at(root, path, line)
    target = index.definition_for(unit)
    callers = index.graph.callers(target.qualified_name, target.path) if target else []
    callees = index.graph.callees(target.qualified_name, target.path) if target else []
    budget = args.budget or settings.llm.context_tokens
    sys.stdout.write(render(build_context(unit, callers, callees, budget)))
    return EXIT_OK


def _root(repo: str) -> Path:
    root = git.repo_root(repo)
    if root is None:
        raise UsageError(f"{repo} is not inside a git repository")
    return root


def _location(text: str, root: Path) -> tuple[str, int]:
    """``PATH:LINE`` as a repository-relative path and a 1-based line."""
    path, sep, line = text.rpartition(":")
    if not sep or not line.isdigit() or int(line) < 1:
        raise UsageError(f"expected PATH:LINE, got {text!r}")
    absolute = (Path.cwd() / path).resolve()
    try:
        relative = absolute.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{path} is outside the repository {root}") from None
    if not absolute.is_file():
        raise UsageError(f"{path}: no such file")
    return relative, int(line)


def _unit_at(root: Path, path: str, line: int) -> ChangeUnit:
    """The definition around ``line`` as a change unit (old code from HEAD when it differs)."""
    text = (root / path).read_text("utf-8", "replace")
    language = detect_language(path, text)
    if language is None:
        raise UsageError(f"{path}: unknown language")
    found = defs.enclosing_definition(defs.definitions(language, text), line)
    if found is None:
        raise UsageError(f"{path}:{line} is not inside a function, method or class")
    new_source = _lines(text, found)
    old_source = ""
    old = git.show_file(root, "HEAD", path) if git.has_head(root) else None
    if old is not None:
        old_text = old.decode("utf-8", "replace")
        before = [
            d
            for d in defs.definitions(language, old_text)
            if d.qualified_name == found.qualified_name
        ]
        old_source = _lines(old_text, before[0]) if before else ""
    return ChangeUnit(
        path,
        language,
        found.kind,
        found.qualified_name,
        None,
        found.span,
        old_source if old_source != new_source else "",
        new_source,
        (),
        (),
        found.signature,
    )


def _lines(text: str, definition: defs.Definition) -> str:
    """The whole lines a definition spans (its first line keeps its indentation)."""
    lines = text.splitlines(keepends=True)
    span = definition.span
    last = span.last_line
    return "".join(lines[span.start_line - 1 : last])


def _summary(
    stats: IndexStats, counts: dict[str, int], resolve_seconds: float, live: int | None
) -> str:
    total = sum(counts.values()) or 1
    resolved = total - counts["unresolved"]
    skipped: dict[str, int] = {}
    for item in stats.skipped:
        skipped[item.reason] = skipped.get(item.reason, 0) + 1
    skip_text = ", ".join(f"{n} {reason}" for reason, n in sorted(skipped.items())) or "none"
    resolving = (
        "resolving every call site"
        if live is None
        else f"resolving ({live:,} call sites again, the rest from stored edges)"
    )
    return (
        f"files        {stats.files:,} ({stats.parsed:,} parsed, {stats.from_cache:,} from cache, "
        f"{stats.files_with_errors:,} with parse errors; cache: {stats.cache})\n"
        f"lines        {stats.lines:,}\n"
        f"definitions  {stats.definitions:,}\n"
        f"references   {stats.references:,}\n"
        f"resolved     {resolved / total:.1%} (exact {counts['exact']:,}, imported {counts['imported']:,}, "
        f"name-only {counts['name-only']:,}, unresolved {counts['unresolved']:,})\n"
        f"skipped      {skip_text}\n"
        f"time         {stats.seconds:.2f} s index + {resolve_seconds:.2f} s {resolving}\n"
    )
