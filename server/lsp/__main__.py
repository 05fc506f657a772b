"""``python -m tactful.server.lsp``: the same server as ``tactful lsp``, without loading the
other subcommands (the editor starts it on every launch, so startup time matters)."""

from __future__ import annotations

import argparse
import sys

from tactful.server.cmd_lsp import register


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="tactful")
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["lsp", *(sys.argv[1:] if argv is None else argv)])
    try:
        return int(args.func(args))
    except ValueError as exc:  # a bad --tcp address
        sys.stderr.write(f"tactful: error: {exc}\n")
        return 2


if __name__ == "__main__":
    sys.exit(main())
