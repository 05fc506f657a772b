"""``tactful lsp``: the language server over stdio (or TCP, for debugging)."""

from __future__ import annotations

import argparse


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("lsp", help="run the language server (stdio by default)")
    p.add_argument("--tcp", metavar="HOST:PORT", help="listen on a TCP socket instead of stdio")
    p.add_argument("--log-file", metavar="FILE", help="also write the server's log to FILE")
    p.add_argument(
        "-v",
        "--verbose",
        dest="lsp_verbose",
        action="count",
        default=0,
        help="log more (repeat for debug)",
    )
    p.add_argument(
        "--max-message-bytes",
        type=int,
        default=None,
        metavar="N",
        help="drop LSP messages larger than N bytes (default 64 MiB)",
    )
    p.set_defaults(func=run)


def _address(value: str) -> tuple[str, int]:
    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ValueError(f"--tcp expects HOST:PORT, got {value!r}")
    return host, int(port)


def run(args: argparse.Namespace) -> int:
    from tactful.server.lsp import logs
    from tactful.server.lsp.handlers import create_server

    address = _address(args.tcp) if args.tcp else None
    logs.configure(args.log_file, args.lsp_verbose + getattr(args, "verbose", 0))
    server = create_server()
    if address:
        server.start_tcp(*address)
    else:
        import sys

        from tactful.server.lsp_io import DEFAULT_MAX_MESSAGE_BYTES, BoundedStdin

        limit = args.max_message_bytes or DEFAULT_MAX_MESSAGE_BYTES
        server.start_io(stdin=BoundedStdin(sys.stdin.buffer, limit))  # type: ignore[arg-type]  # duck-typed reader
    return 0
