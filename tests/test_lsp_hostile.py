"""Every request gets an answer: ill-typed or missing params, unknown methods, requests after shutdown.

Driven over a real ``tactful lsp`` subprocess with raw JSON-RPC frames, as a buggy client sends them.
"""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

RANGE = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}


class RawClient:
    def __init__(self, tmp_path: Path) -> None:
        env = {**os.environ, "TACTFUL_CACHE_DIR": str(tmp_path / "c"), "TACTFUL_DATA_DIR": str(tmp_path / "d"),
               "TACTFUL_CONFIG_DIR": str(tmp_path / "cfg")}  # fmt: skip
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tactful.server", "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, cwd=tmp_path, env=env,
        )  # fmt: skip
        self.buffer = b""
        self.notifications: list[dict[str, Any]] = []

    def send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def answer(self, msg_id: int, timeout: float = 30.0) -> dict[str, Any]:
        """The response to ``msg_id``, skipping notifications and other responses."""
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
                if "id" not in message:
                    self.notifications.append(message)
                if message.get("id") == msg_id and ("result" in message or "error" in message):
                    return message
            ready, _, _ = select.select([self.proc.stdout], [], [], 0.5)
            if ready:
                chunk = os.read(self.proc.stdout.fileno(), 65536)
                assert chunk, "the server exited"
                self.buffer += chunk
        raise AssertionError(f"no answer to request {msg_id}")

    def close(self) -> str:
        self.proc.kill()
        self.proc.wait()
        assert self.proc.stderr is not None
        return self.proc.stderr.read().decode("utf-8", "replace")


@pytest.fixture
def client(tmp_path: Path):
    raw = RawClient(tmp_path)
    raw.send({"id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None}})
    assert "result" in raw.answer(1, timeout=60)
    raw.send({"method": "initialized", "params": {}})
    yield raw
    raw.close()


BAD_REQUESTS = [
    {"method": "textDocument/codeAction"},
    {"method": "textDocument/codeAction", "params": {"textDocument": 5}},
    {"method": "textDocument/codeAction",
     "params": {"textDocument": {"uri": "file:///x.py"}, "range": "bad", "context": {"diagnostics": []}}},
    {"method": "textDocument/hover",
     "params": {"textDocument": {"uri": "file:///x.py"}, "position": {"line": "a", "character": 0}}},
    {"method": "workspace/executeCommand"},
    {"method": "workspace/executeCommand", "params": {"command": "tactful.dismiss", "arguments": [1, 2]}},
    {"method": "workspace/executeCommand", "params": {"command": "tactful.nope"}},
    {"method": "no/such/method", "params": {}},
]  # fmt: skip


def test_every_ill_typed_request_gets_an_error_and_the_server_keeps_serving(
    client: RawClient,
) -> None:
    for number, request in enumerate(BAD_REQUESTS, 10):
        client.send({"id": number, **request})
        answer = client.answer(number)
        assert answer["error"]["code"] in (-32602, -32601), (request, answer)
    client.send(
        {"method": "textDocument/didOpen", "params": {"textDocument": 3}}
    )  # a bad notification: dropped
    client.send({"id": 99, "method": "textDocument/codeAction",
                 "params": {"textDocument": {"uri": "file:///x.py"}, "range": RANGE, "context": {"diagnostics": []}}})  # fmt: skip
    assert "result" in client.answer(99)
    stderr = client.close()
    assert "Traceback" not in stderr


def test_requests_after_shutdown_are_refused_not_ignored(client: RawClient) -> None:
    client.send({"id": 2, "method": "shutdown"})
    assert client.answer(2)["result"] is None
    client.send({"id": 3, "method": "textDocument/codeAction",
                 "params": {"textDocument": {"uri": "file:///x.py"}, "range": RANGE, "context": {"diagnostics": []}}})  # fmt: skip
    assert client.answer(3)["error"]["code"] == -32600


def test_an_edit_outside_the_buffer_is_not_applied_and_the_document_waits_for_its_text(
    client: RawClient, tmp_path: Path
) -> None:
    uri = (tmp_path / "m.py").as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}}})  # fmt: skip
    far = {"start": {"line": 40, "character": 0}, "end": {"line": 40, "character": 0}}
    client.send({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2},
                 "contentChanges": [{"range": far, "text": "breakpoint()\n"}]}})  # fmt: skip
    # A request after the edit is answered only once the edit was handled (messages are in order).
    client.send({"id": 50, "method": "textDocument/codeAction",
                 "params": {"textDocument": {"uri": uri}, "range": RANGE, "context": {"diagnostics": []}}})  # fmt: skip
    client.answer(50)
    stderr = client.close()
    assert "not applied: line 40 is past the end of a 1-line buffer" in stderr
    cleared = [n for n in client.notifications if n.get("method") == "textDocument/publishDiagnostics"
               and n["params"]["uri"] == uri and n["params"]["diagnostics"] == []]  # fmt: skip
    assert cleared
