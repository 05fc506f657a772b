"""The language server survives an absurd Content-Length and keeps serving (real subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from pathlib import Path


def _frame(obj: dict) -> bytes:
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n%s" % (len(body), body)


def _responses(stdout, found: dict, done: threading.Event) -> None:
    while True:
        header = b""
        while not header.endswith(b"\r\n\r\n"):
            chunk = stdout.read(1)
            if not chunk:
                done.set()
                return
            header += chunk
        length = int(header.split(b"Content-Length:")[1].split(b"\r\n")[0])
        message = json.loads(stdout.read(length))
        if "id" in message and "method" not in message:
            found[message["id"]] = message
            if message["id"] == 3:
                done.set()


def test_huge_content_length_is_dropped_and_the_server_keeps_serving(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tactful.server", "lsp", "--max-message-bytes", "1000000"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    found: dict = {}
    done = threading.Event()
    reader = threading.Thread(target=_responses, args=(proc.stdout, found, done), daemon=True)
    reader.start()
    try:
        proc.stdin.write(
            _frame(
                {
                    "jsonrpc": "2.0",
                    "id": 1,
                    "method": "initialize",
                    "params": {"processId": None, "rootUri": None, "capabilities": {}},
                }
            )
        )
        proc.stdin.write(b"Content-Length: 99999999999\r\n\r\n")
        proc.stdin.write(b"X" * 5000 + b"\r\n")  # what the bogus length announced, cut short
        proc.stdin.write(_frame({"jsonrpc": "2.0", "id": 3, "method": "shutdown"}))
        proc.stdin.flush()
        assert done.wait(60), "no answer after the oversized message"
        assert 1 in found and 3 in found and "error" not in found[3]
        proc.stdin.write(_frame({"jsonrpc": "2.0", "method": "exit"}))
        proc.stdin.close()
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    stderr = proc.stderr.read().decode("utf-8", "replace")
    assert "dropped" in stderr and "MemoryError" not in stderr
