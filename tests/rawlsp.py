"""A raw JSON-RPC client for a real ``tactful lsp`` subprocess, as a buggy client drives it."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any


class RawClient:
    def __init__(
        self, tmp_path: Path, args: tuple[str, ...] = (), cwd: Path | None = None,
        env: dict[str, str] | None = None,
    ) -> None:  # fmt: skip
        env = {**os.environ, **(env or {}), "TACTFUL_CACHE_DIR": str(tmp_path / "c"), "TACTFUL_DATA_DIR": str(tmp_path / "d"),
               "TACTFUL_CONFIG_DIR": str(tmp_path / "cfg")}  # fmt: skip
        # stderr goes to a file, not a pipe: a pipe nobody reads fills after ~64 KiB of log
        # lines, and the server then blocks in its next log call and answers nothing.
        self.stderr = tempfile.TemporaryFile(dir=tmp_path)  # noqa: SIM115  (closed in close())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tactful.server", "lsp", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=self.stderr, cwd=cwd or tmp_path, env=env,
        )  # fmt: skip
        self.stderr_text = ""
        self.buffer = b""
        self.notifications: list[dict[str, Any]] = []
        self.responses: dict[str, list[dict[str, Any]]] = {}
        """Responses not yet returned by :meth:`answer`, by id as JSON (none answered out of order is lost)."""
        self.answered: set[str] = set()
        self.repeated = 0
        """Responses to an id already answered (null ids aside)."""

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def answer(self, msg_id: int | None, timeout: float = 30.0) -> dict[str, Any]:
        """The response to ``msg_id``, skipping notifications and other responses."""
        key = json.dumps(msg_id)
        if not self._until(lambda: bool(self.responses.get(key)), timeout):
            raise AssertionError(f"no answer to request {msg_id}")
        return self.responses[key].pop(0)

    def notification(self, wanted: Any, timeout: float = 30.0) -> dict[str, Any]:
        """The first notification (received so far or next) for which ``wanted`` is true."""

        def found() -> dict[str, Any] | None:
            return next((n for n in self.notifications if wanted(n)), None)

        if not self._until(lambda: found() is not None, timeout):
            raise AssertionError("no such notification")
        return found()  # type: ignore[return-value]

    def _until(self, done: Any, timeout: float) -> bool:
        assert self.proc.stdout is not None
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            while b"\r\n\r\n" in self.buffer:
                head, rest = self.buffer.split(b"\r\n\r\n", 1)
                length = int(
                    next(
                        h for h in head.split(b"\r\n") if h.lower().startswith(b"content-length")
                    ).split(b":")[1]
                )
                if len(rest) < length:
                    break
                message, self.buffer = json.loads(rest[:length]), rest[length:]
                if "result" in message or "error" in message:
                    # An error answered to no request at all may leave out the id.
                    key = json.dumps(message.get("id"))
                    self.repeated += key in self.answered and key != "null"
                    self.answered.add(key)
                    self.responses.setdefault(key, []).append(message)
                elif "id" not in message:
                    self.notifications.append(message)
            if done():
                return True
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                assert chunk, "the server exited"
                self.buffer += chunk
        return False

    def close(self) -> str:
        self.proc.kill()
        self.proc.wait()
        if not self.stderr.closed:  # a second close() gives the same text
            self.stderr.seek(0)
            self.stderr_text = self.stderr.read().decode("utf-8", "replace")
            self.stderr.close()
        return self.stderr_text

    def send_bytes(self, frame: bytes) -> None:
        """Write raw bytes: a frame as a broken client might produce it."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(frame)
        self.proc.stdin.flush()
