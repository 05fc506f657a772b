"""The ``tactful`` command line: a thin dispatcher over subcommand modules.

Each ``cmd_*`` module registers its subcommands with ``register(subparsers)`` and sets
``func`` to a handler ``(args) -> int``. Only the module of the command being run is
imported (``COMMANDS``), so ``tactful review`` never pays for the gate's, the LSP server's
or the LLM evaluation's imports; ``--version`` loads none; help and unknown commands load
them all.
Errors that are the user's to fix (bad revision, malformed patch, not a repository) print
one line on stderr and exit 2.
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
    "cmd_review",
    "cmd_index",
    "cmd_gate",
    "cmd_eval",
    "cmd_lsp",
    "cmd_trust",
    "cmd_llm",
    "cmd_rules",
)
COMMANDS = {
    "review": "cmd_review",
    "index": "cmd_index",
    "context": "cmd_index",
    "gate": "cmd_gate",
    "feedback": "cmd_gate",
    "stats": "cmd_gate",
    "eval": "cmd_eval",
    "lsp": "cmd_lsp",
    "trust": "cmd_trust",
    "llm": "cmd_llm",
    "rules": "cmd_rules",
    "editor": "cmd_rules",
}
"""Command -> the module that registers it; a command missing here still works (all load)."""

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
MAX_ERROR_CHARS = 500
"""An error quotes at most this much (a 3 MB offending line must not become a 3 MB 'one line')."""


def one_line(message: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``message`` on one line, cut to ``limit`` characters with a note of how much was left out."""
    flat = " ".join(message.split("\n"))
    if len(flat) <= limit:
        return flat
    return f"{flat[:limit]}… ({len(flat) - limit:,} more characters)"


class _VersionAction(argparse.Action):
    """``--version``: the installed distribution's version, read only when asked for."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_: object) -> None:
        from importlib.metadata import PackageNotFoundError, version

        try:
            found = version("tactful")
        except PackageNotFoundError:  # a source tree on sys.path, not installed
            found = "unknown (not installed)"
        sys.stdout.write(f"tactful {found}\n")
        parser.exit()


def _command_of(argv: Sequence[str]) -> str | None:
    """The command word of ``argv`` (the first argument that is not a global option)."""
    for arg in argv:
        if arg in ("-v", "--verbose") or (arg.startswith("-v") and set(arg[1:]) == {"v"}):
            continue
        return None if arg.startswith("-") else arg
    return None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with ``argv``, only the modules its command needs are imported."""
    parser = argparse.ArgumentParser(
        prog="tactful", description="A code reviewer that knows when to speak."
    )
    parser.add_argument(
        "-v", "--verbose", action="count", default=0, help="log more (repeat for debug)"
    )
    parser.add_argument("--version", action=_VersionAction)
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND")
    subparsers.required = True
    wanted = COMMANDS.get(_command_of(argv) or "") if argv is not None else None
    modules: Sequence[str] = (wanted,) if wanted else COMMAND_MODULES
    if argv is not None and _command_of(argv) is None and "--version" in argv:
        # `tactful --version` answers alone: editors ask it of every candidate at start-up.
        modules = ()
    for name in modules:
        try:
            module = importlib.import_module(f"tactful.server.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"tactful.server.{name}":
                raise
            continue
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(argv)
    args = parser.parse_args(argv)
    from tactful.server.redact import RedactingFormatter

    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(RedactingFormatter("tactful: %(levelname)s: %(message)s"))
    logging.basicConfig(level=logging.WARNING - 10 * min(args.verbose, 2), handlers=[stderr])
    try:
        return int(args.func(args))
    except (UsageError, GitError, DiffError, OSError, ValueError) as exc:
        print(f"tactful: error: {one_line(str(exc))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
