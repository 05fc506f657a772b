"""The minimal JSON-RPC client the LSP benchmarks drive ``tactful lsp`` with (stdio, asyncio)."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any


class Client:
    """Just enough JSON-RPC over the server's stdin/stdout; subclasses handle notifications."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.next_id = 0
        self.pending: dict[int, asyncio.Future[Any]] = {}
        self.errors = 0
        """JSON-RPC error responses received."""
        self.reader = asyncio.ensure_future(self._read())

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n%s" % (len(body), body))

    async def request(self, method: str, params: Any) -> dict[str, Any]:
        """The whole response message (``result`` or ``error``)."""
        self.next_id += 1
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self.pending[self.next_id] = future
        self._send({"id": self.next_id, "method": method, "params": params})
        return await future

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    async def initialize(self, repo: Path) -> None:
        """Initialize as a push client with versioned diagnostics, no debounce and no LLM."""
        await self.request("initialize", {
            "processId": os.getpid(), "rootUri": repo.as_uri(),
            "capabilities": {"textDocument": {"publishDiagnostics": {"versionSupport": True}}},
            "initializationOptions": {"lsp": {"debounceMs": 0}, "llm": {"enabled": False}},
        })  # fmt: skip
        self.notify("initialized", {})

    def on_notification(self, message: dict[str, Any], arrived: float) -> None:
        """A notification from the server, with its arrival time (perf_counter)."""

    async def _read(self) -> None:
        stream = self.proc.stdout
        assert stream is not None
        while True:
            length = 0
            while (line := await stream.readline()) not in (b"\r\n", b""):
                if line.lower().startswith(b"content-length:"):
                    length = int(line.split(b":")[1])
            if not line:
                return
            message = json.loads(await stream.readexactly(length))
            now = time.perf_counter()
            if "id" in message and "method" in message:  # a request from the server
                self._send({"id": message["id"], "result": None})
            elif "id" in message:
                self.errors += "error" in message
                self.pending.pop(message["id"]).set_result(message)
            else:
                self.on_notification(message, now)


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]
