"""The ``tactful`` command line: a thin dispatcher over subcommand modules.

Each ``cmd_*`` module registers its subcommands with ``register(subparsers)`` and sets
``func`` to a handler ``(args) -> int``. Errors that are the user's to fix (bad revision,
malformed patch, not a repository) print one line on stderr and exit 2.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from tactful.analyzers.diff import DiffError
from tactful.server.errors import UsageError
from tactful.server.git import GitError

COMMAND_MODULES = (
    "cmd_review", "cmd_index", "cmd_gate", "cmd_eval", "cmd_lsp", "cmd_trust", "cmd_rules",
)  # fmt: skip

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAX_ERROR_CHARS = 500
"""An error quotes at most this much (a 3 MB offending line must not become a 3 MB 'one line')."""


def one_line(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``message`` on one line, cut to ``limit`` characters with a note of how much was left out."""
    flat = " ".join(message.split("\n"))
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}… ({len(flat) - limit:,} more characters)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="tactful", description="A code reviewer that knows when to speak."
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (repeat for debug)"
    )
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"tactful.server.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tactful.server.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.WARNING - 10 * min(args.verbose, 2),
        format="tactful: %(levelname)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return int(args.func(args))
    except (UsageError, GitError, DiffError, OSError, ValueError) as exc:
        print(f"tactful: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
