"""``tactful trust``: let a repository's own settings choose the LLM endpoint and outside paths.

Trust is recorded as the repository's real path in the user's config directory, never in
the repository itself (a branch could otherwise trust itself).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tactful.server import git
from tactful.server.config import set_trusted, trusted_repositories
from tactful.server.errors import UsageError


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "trust", help="trust a repository's .tactful/settings.json (endpoint, key, paths)"
    )
    p.add_argument(
        "--repo", default=".", help="repository to trust (default: the current directory)"
    )
    p.add_argument("--remove", action="store_true", help="stop trusting the repository")
    p.add_argument("--list", action="store_true", help="list the trusted repositories")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    if args.list:
        for repo in trusted_repositories():
            sys.stdout.write(repo + "\n")
        return 0
    root = git.repo_root(args.repo) or (Path(args.repo) if Path(args.repo).is_dir() else None)
    if root is None:
        raise UsageError(f"{args.repo} is not a directory")
    path = set_trusted(Path(root), not args.remove)
    verb = "no longer trusted" if args.remove else "trusted"
    sys.stdout.write(f"{Path(root).resolve()}: {verb} (recorded in {path})\n")
    return 0
