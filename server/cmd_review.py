"""``tactful review``: review the working tree, a commit range, or a patch, headless."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from tactful.analyzers.model import Severity
from tactful.server import changes, git, output
from tactful.server.cli import EXIT_FINDINGS, EXIT_OK
from tactful.server.config import load_settings_noted
from tactful.server.errors import UsageError
from tactful.server.pipeline import Change, ReviewResult, Stage, add_note, review
from tactful.server.progress import terminal_progress
from tactful.server.wiring import ReviewServices


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("review", help="review a change and print findings with fixes")
    p.add_argument("--repo", default=".", help="repository to review (default: the current directory)")
    p.add_argument("--base", help="review BASE...HEAD (merge-base semantics) instead of the working tree")
    p.add_argument("--head", help="with --base: the tip to review (default HEAD)")
    p.add_argument("--patch", metavar="FILE", help="review a patch file ('-' for stdin) instead of git")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--fail-on", choices=[s.value for s in Severity], help="exit 1 if a finding at this severity or above exists")
    p.add_argument("--no-llm", action="store_true", help="offline reviewers only, even if an endpoint is configured")
    p.add_argument("--all", action="store_true", help="show every finding: no display gate, nothing logged")
    p.add_argument("--no-call-graph", action="store_true", help="skip the repository index (no callers/callees)")
    p.add_argument("--config", help="settings JSON file (default: .tactful/settings.json in the repository)")
    p.add_argument(
        "--trust-repo-settings", action="store_true",
        help="let the repository's settings choose the LLM endpoint, key and paths outside it (also TACTFUL_TRUST_REPO=1)",
    )
    p.set_defaults(func=run)


def _change(args: argparse.Namespace) -> Change:
    if args.head and not args.base:
        raise UsageError("--head needs --base")
    if args.patch:
        text = changes.read_patch(args.patch)
        return changes.from_patch(text, "stdin" if args.patch == "-" else args.patch, git.repo_root(args.repo))
    root = git.repo_root(args.repo)
    if root is None:
        raise UsageError(f"{args.repo} is not inside a git repository (use --patch to review a patch file)")
    if args.base:
        return changes.from_range(root, args.base, args.head or "HEAD")
    return changes.from_worktree(root)


def _notes_stage(notes: list[str]) -> Stage:
    """Say in the coverage which repository settings were ignored."""

    def settings_ignored(result: ReviewResult, change: Change, settings: object) -> None:
        for note in notes:
            add_note(result, note)

    return settings_ignored


def run(args: argparse.Namespace) -> int:
    change = _change(args)
    root = Path(change.root) if change.root else None
    settings, ignored = load_settings_noted(root, args.config, trust=args.trust_repo_settings)
    if args.no_call_graph:
        settings = dataclasses.replace(settings, review=dataclasses.replace(settings.review, call_graph=False))
    services = ReviewServices.open(settings, root, client="cli", gate=not args.all)
    if ignored:
        services.extra.append(_notes_stage(ignored))
    try:
        with terminal_progress("indexing the repository") as progress:
            services.index_progress = progress
            result = review(change, settings, services.stages(llm=not args.no_llm))
    finally:
        services.close()
    render = output.render_json if args.format == "json" else output.render_text
    sys.stdout.write(changes.printable(render(result, change.label)))
    if args.fail_on:
        threshold = Severity(args.fail_on).rank
        if any(f.severity.rank >= threshold for f in result.findings):
            return EXIT_FINDINGS
    return EXIT_OK
