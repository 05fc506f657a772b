"""Logging for the language server: ``window/logMessage`` and an optional file, never stdout.

stdout is the JSON-RPC channel. Records of the ``tactful`` loggers are forwarded to the
client as ``window/logMessage`` (from whatever thread logged them: the notification is
sent from the event loop), and written to the log file when one is configured.
Every handler redacts what it writes (:class:`RedactingFormatter`): at debug verbosity
pygls traces whole messages, and the editor keeps these logs on disk.
"""

from __future__ import annotations

import asyncio
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from lsprotocol import types
from tactful.server.redact import RedactingFormatter

if TYPE_CHECKING:
    from tactful.server.lsp.host import Host

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

_LEVELS = {
    logging.ERROR: types.MessageType.Error,
    logging.WARNING: types.MessageType.Warning,
    logging.INFO: types.MessageType.Info,
}


class ClientLogHandler(logging.Handler):
    """Sends log records to the client as ``window/logMessage``."""

    def __init__(self, server: Host, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(logging.INFO)
        self.server = server
        self.loop = loop

    def emit(self, record: logging.LogRecord) -> None:
        try:
            params = types.LogMessageParams(
                type=_LEVELS.get(record.levelno, types.MessageType.Log), message=self.format(record)
            )
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is self.loop:
                self.server.window_log_message(params)
            elif not self.loop.is_closed():
                self.loop.call_soon_threadsafe(self.server.window_log_message, params)
        except Exception:  # logging must never break the server
            self.handleError(record)


def configure(log_file: str | None, verbosity: int) -> None:
    """Process-wide logging for ``tactful lsp``: stderr (warnings, more with -v) and the file."""
    root = logging.getLogger()
    root.handlers.clear()
    level = logging.WARNING - 10 * min(verbosity, 2)
    stderr = logging.StreamHandler(sys.stderr)
    stderr.setFormatter(RedactingFormatter(FORMAT))
    stderr.setLevel(level)
    root.addHandler(stderr)
    root.setLevel(min(level, logging.INFO))
    # pygls narrates every registration and message at INFO; keep that for -vv.
    logging.getLogger("pygls").setLevel(logging.DEBUG if verbosity >= 2 else logging.WARNING)
    if log_file:
        add_file(log_file)


def add_file(log_file: str) -> None:
    path = Path(log_file).expanduser()
    root = logging.getLogger()
    if any(
        isinstance(h, logging.FileHandler) and Path(h.baseFilename) == path.resolve()
        for h in root.handlers
    ):
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(FORMAT))
    handler.setLevel(logging.DEBUG)
    root.addHandler(handler)


def attach_client(server: Host) -> None:
    """Forward ``tactful`` log records to the client (once), and honour ``lsp.logFile``."""
    logger = logging.getLogger("tactful")
    if not any(isinstance(h, ClientLogHandler) for h in logger.handlers):
        handler = ClientLogHandler(server, asyncio.get_running_loop())
        handler.setFormatter(RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    if server.settings.lsp.log_file:
        try:
            add_file(server.settings.lsp.log_file)
        except OSError as exc:
            logger.warning("lsp.logFile %s: %s", server.settings.lsp.log_file, exc)
