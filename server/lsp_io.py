"""Bounded reading of the LSP stdio stream.

pygls 2 reads a message as ``stdin.readline()`` for each header line and then
``stdin.read(Content-Length)`` for the body (``pygls.io_.run_async`` through
``StdinAsyncReader``), so a client announcing ``Content-Length: 99999999999`` made the
server allocate that much and die. :class:`BoundedStdin` wraps the stream given to
``start_io``: a body over the limit is not read; pygls gets a notification that no
handler answers (``$/tactful/droppedMessage``), a warning is logged, and the bytes that
follow are read as headers again, so the next well-framed message resynchronises the
stream. Header lines are bounded too, and a header glued behind the rest of a body (a
client that counted characters instead of bytes) is found again.
"""

from __future__ import annotations

import logging
from typing import BinaryIO

log = logging.getLogger(__name__)

DEFAULT_MAX_MESSAGE_BYTES = 64 * 1024 * 1024
MAX_HEADER_LINE = 8192
CONTENT_LENGTH = b"Content-Length: "
DROPPED = b'{"jsonrpc": "2.0", "method": "$/tactful/droppedMessage", "params": {}}'


class BoundedStdin:
    """A binary stream whose ``read(n)`` refuses bodies over ``max_message_bytes``."""

    def __init__(self, raw: BinaryIO, max_message_bytes: int = DEFAULT_MAX_MESSAGE_BYTES) -> None:
        self.raw = raw
        self.max_message_bytes = max_message_bytes
        self.dropped = 0
        self.resynchronised = 0

    def readline(self, limit: int = -1) -> bytes:
        line = self.raw.readline(MAX_HEADER_LINE)
        endless = False
        while len(line) >= MAX_HEADER_LINE and not line.endswith(b"\n"):
            # An endless header line: read on to its end, keeping only a tail that could
            # hold a header glued to it.
            more = self.raw.readline(MAX_HEADER_LINE)
            if not more:
                return b""
            line, endless = line[-len(CONTENT_LENGTH) :] + more, True
        # A Content-Length that was off leaves the rest of a body (JSON has no raw newline)
        # in front of the next frame's header; without this every later message was lost.
        start = line.rfind(CONTENT_LENGTH)
        if start > 0:
            self.resynchronised += 1
            log.warning("LSP stream resynchronised: bytes before a Content-Length header skipped")
            return line[start:]
        if endless:
            log.warning("LSP header line longer than %d bytes dropped", MAX_HEADER_LINE)
            return b"X-Tactful-Dropped: header\r\n"
        return line

    def read(self, n: int = -1) -> bytes:
        if 0 <= n <= self.max_message_bytes:
            return self.raw.read(n)
        self.dropped += 1
        log.warning(
            "LSP message of %s bytes dropped: larger than the %d-byte limit (tactful lsp --max-message-bytes)",
            n,
            self.max_message_bytes,
        )
        return DROPPED
