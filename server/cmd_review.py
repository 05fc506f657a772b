"""``tactful review``: review the working tree, a commit range, or a patch, headless."""

from __future__ import annotations

import argparse
import dataclasses
import os
import sys
from pathlib import Path

from tactful.analyzers.model import Severity
from tactful.server import changes, formats, git, headless
from tactful.server.cli import EXIT_FINDINGS, EXIT_OK
from tactful.server.config import load_settings_noted
from tactful.server.errors import UsageError
from tactful.server.formats.github import REVIEW_MARKER, review_payload
from tactful.server.pipeline import Change, add_note
from tactful.server.progress import terminal_progress
from tactful.server.session import ReviewSession, review_once
from tactful.server.settings import Settings


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("review", help="review a change and print findings with fixes")
    p.add_argument(
        "--repo", default=".", help="repository to review (default: the current directory)"
    )
    p.add_argument(
        "--base", help="review BASE...HEAD (merge-base semantics) instead of the working tree"
    )
    p.add_argument("--head", help="with --base: the tip to review (default HEAD)")
    p.add_argument(
        "--patch", metavar="FILE", help="review a patch file ('-' for stdin) instead of git"
    )
    p.add_argument(
        "--format",
        choices=formats.FORMATS,
        default="text",
        help="text (default), json, sarif (code scanning), rdjson (reviewdog), github (a PR review payload)",
    )
    p.add_argument(
        "--fail-on",
        choices=[s.value for s in Severity],
        help="exit 1 if a finding at this severity or above exists",
    )
    p.add_argument(
        "--no-llm",
        action="store_true",
        help="offline reviewers only, even if an endpoint is configured",
    )
    p.add_argument(
        "--all", action="store_true", help="show every finding: no display gate, nothing logged"
    )
    p.add_argument(
        "--no-call-graph",
        action="store_true",
        help="skip the repository index (no callers/callees)",
    )
    p.add_argument(
        "--untracked",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="working tree: review untracked files that git does not ignore as added files "
        "(default: the review.untracked setting, on)",
    )
    p.add_argument(
        "--config", help="settings JSON file (default: .tactful/settings.json in the repository)"
    )
    p.add_argument(
        "--trust-repo-settings",
        action="store_true",
        help="let the repository's settings choose the LLM endpoint, key and paths outside it (also TACTFUL_TRUST_REPO=1)",
    )
    ci = p.add_argument_group("pull-request runs")
    ci.add_argument(
        "--state",
        metavar="FILE",
        type=Path,
        help="previous run's state: report only new findings, list resolved ones, then update FILE",
    )
    ci.add_argument(
        "--previous-comments",
        metavar="FILE",
        type=Path,
        help="rebuild the previous run from the comments it posted (any text with tactful's markers)",
    )
    ci.add_argument(
        "--rejected",
        metavar="FILE",
        type=Path,
        action="append",
        default=[],
        help="fingerprints never to report again (bare, a feedback export, or comment markers); repeatable",
    )
    ci.add_argument(
        "--feedback",
        metavar="DB",
        type=Path,
        help="a feedback store (the repository's or team's) that drives the display gate: what "
        "its reviewers keep rejecting is hidden, rejected fingerprints are never reported again; "
        "read only, nothing is written to it (see --record-feedback); --all ignores it",
    )
    ci.add_argument(
        "--record-feedback",
        action="store_true",
        help="with --feedback: log this run's shown/hidden decisions into DB (the learned state is "
        "never saved)",
    )
    ci.add_argument(
        "--post-github",
        metavar="OWNER/REPO#N",
        help="post the new findings as one review on that pull request (GITHUB_TOKEN, GITHUB_API_URL)",
    )
    ci.add_argument(
        "--max-findings", metavar="N", type=int, help="show at most N findings, the highest ranked"
    )
    p.set_defaults(func=run)


def _root(args: argparse.Namespace) -> Path | None:
    """The repository under review (None for a patch outside any); checks the arguments first."""
    if args.max_findings is not None and args.max_findings < 1:
        raise UsageError(f"--max-findings: expected at least 1, got {args.max_findings}")
    if args.head and not args.base:
        raise UsageError("--head needs --base")
    if args.untracked is not None and (args.base or args.patch):
        raise UsageError("--untracked/--no-untracked apply to the working tree only")
    root = git.repo_root(args.repo)
    if root is None and not args.patch:
        raise UsageError(
            f"{args.repo} is not inside a git repository (use --patch to review a patch file)"
        )
    return root


def _change(
    args: argparse.Namespace, root: Path | None, settings: Settings, session: ReviewSession
) -> Change:
    if args.patch:
        text = changes.read_patch(args.patch)
        return changes.from_patch(text, "stdin" if args.patch == "-" else args.patch, root)
    assert root is not None  # _root refused a missing repository
    if args.base:
        return changes.from_range(root, args.base, args.head or "HEAD")
    return changes.from_worktree(
        root, settings=settings, untracked=args.untracked, head=session.head_commit()
    )


def _session(
    args: argparse.Namespace, settings: Settings, root: Path | None, feedback_db: Path | None
) -> tuple[ReviewSession, list[str]]:
    """The review session: the gate learned from ``--feedback DB`` (read only unless
    ``--record-feedback``), else the user's own feedback log and gate; no gate with ``--all``."""
    if args.all:  # no gate, so nothing to log: no feedback log is opened (or created)
        notes = (
            [f"--all: the verdicts in {args.feedback} were not applied"] if args.feedback else []
        )
        return ReviewSession(settings, root, "cli"), notes
    if feedback_db is None:
        return ReviewSession.open(settings, root, client="cli"), []
    from tactful.server.headless_gate import feedback_session

    session, note = feedback_session(settings, root, feedback_db, record=args.record_feedback)
    return session, [note]


def run(args: argparse.Namespace) -> int:
    root = _root(args)
    pull = None
    if args.post_github:  # checked before the review: a missing token should not cost a review
        from tactful.server import github_api  # an HTTP client only when posting

        api = os.environ.get("GITHUB_API_URL") or "https://api.github.com"
        pull = github_api.PullRequest.parse(
            args.post_github, api, os.environ.get("GITHUB_TOKEN", "")
        )
    if args.record_feedback and not args.feedback:
        raise UsageError("--record-feedback needs --feedback DB")
    # Read every input before the review, so a bad one costs no review.
    feedback_db = None if args.all else args.feedback  # --all: every finding, no verdict applies
    rejected = headless.rejected_fingerprints(feedback_db, args.rejected)
    previous = headless.load_state(args.state) if args.state else None
    if args.previous_comments:
        previous = headless.state_from_comments(args.previous_comments)
    settings, ignored = load_settings_noted(root, args.config, trust=args.trust_repo_settings)
    review_settings = settings
    if args.no_call_graph:
        review_settings = dataclasses.replace(
            settings, review=dataclasses.replace(settings.review, call_graph=False)
        )
    # The session first: the diff asks for HEAD through it, and the gate reuses the answer.
    session, notes = _session(args, review_settings, root, feedback_db)
    try:
        change = _change(args, root, settings, session)
        with terminal_progress("indexing the repository") as progress:
            session.index_progress = progress
            # The editor's progressive review, to its final delivery.
            result = review_once(change, review_settings, session=session, llm=not args.no_llm)
    finally:
        session.close()
    for note in [*ignored, *notes]:  # which repository settings were not used; the gate's source
        add_note(result, note)
    headless.drop_rejected(result, rejected)
    first_review = True
    if pull is not None:  # what is already on the pull request is never posted again
        bodies = pull.comment_bodies()
        first_review = REVIEW_MARKER not in bodies
        posted = headless.PreviousRun.from_text(bodies)
        previous = posted if previous is None else previous.merged(posted)
    everything = [*result.findings, *result.hidden]
    resolved = headless.apply_incremental(result, previous) if previous is not None else []
    headless.cap_findings(result, args.max_findings)
    sys.stdout.write(changes.printable(formats.render(args.format, result, change)))
    if pull is not None and (result.findings or first_review):
        pull.post_review(
            review_payload(result, change.label, getattr(change.files, "new_rev", None))
        )
    if args.state:
        headless.write_state(args.state, everything, change.label, resolved)
    if args.fail_on:
        threshold = Severity(args.fail_on).rank
        if any(f.severity.rank >= threshold for f in result.findings):
            return EXIT_FINDINGS
    return EXIT_OK
