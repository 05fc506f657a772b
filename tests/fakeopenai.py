"""A scripted OpenAI-compatible chat-completions server on 127.0.0.1, for tests.

The real ``openai`` SDK talks to it over HTTP. Each request to ``/v1/chat/completions``
takes the next scripted :class:`Reply` (or ``default`` when the script runs out) and is
recorded in :attr:`FakeOpenAI.requests`. Replies can be JSON content, raw text (prose,
malformed JSON), an HTTP error status (429, 500, a 400 for a rejected ``response_format``),
or slow: a slow reply waits until released, until the server closes, or until the client
hangs up, and records the hang-up in :attr:`FakeOpenAI.disconnected`.

    with FakeOpenAI() as server:
        server.script(Reply.json({"findings": []}))
        settings = LlmSettings(base_url=server.base_url, api_key="test", model="fake")
"""

from __future__ import annotations

import json
import select
import socket
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    content: str = ""
    status: int = 200
    error: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    """Wait this long (or until released / the client hangs up) before answering."""
    reject_schema: bool = False
    """Answer 400 when the request asks for ``response_format`` ``json_schema``."""
    reject_json_mode: bool = False
    """Answer 400 when the request asks for ``response_format`` ``json_object``."""
    prompt_tokens: int | None = None
    completion_tokens: int | None = None

    @classmethod
    def json(cls, obj: Any, **kw: Any) -> Reply:
        return cls(content=json.dumps(obj), **kw)

    @classmethod
    def text(cls, text: str, **kw: Any) -> Reply:
        return cls(content=text, **kw)

    @classmethod
    def http(cls, status: int, error: str = "scripted error", **kw: Any) -> Reply:
        return cls(status=status, error=error, **kw)

    @classmethod
    def slow(cls, delay_s: float, content: str = '{"findings": []}', **kw: Any) -> Reply:
        return cls(content=content, delay_s=delay_s, **kw)


@dataclass
class Recorded:
    """One request as the server saw it."""

    path: str
    headers: dict[str, str]
    body: dict[str, Any]

    @property
    def prompt(self) -> str:
        return "\n".join(str(m.get("content", "")) for m in self.body.get("messages", []))

    @property
    def response_format(self) -> str | None:
        fmt = self.body.get("response_format")
        return fmt.get("type") if isinstance(fmt, dict) else None


class FakeOpenAI:
    """The server; use as a context manager (starts on enter, stops on exit)."""

    def __init__(self, default: Reply | Callable[[Recorded], Reply] | None = None) -> None:
        self.default = default or Reply.json({"findings": []})
        self.requests: list[Recorded] = []
        self.disconnected: list[int] = []
        """Indexes (into :attr:`requests`) of slow requests the client abandoned."""
        self.request_arrived = threading.Condition()
        self.release = threading.Event()
        """Set to let every waiting slow reply answer now."""
        self.hangup_seen = threading.Event()
        self._script: deque[Reply | Callable[[Recorded], Reply]] = deque()
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, args=(0.05,), name="fakeopenai", daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def script(self, *replies: Reply | Callable[[Recorded], Reply]) -> None:
        with self._lock:
            self._script.extend(replies)

    def wait_for_requests(self, count: int, timeout: float = 10.0) -> bool:
        """Block until at least ``count`` requests have arrived (an event wait, not a poll)."""
        with self.request_arrived:
            return self.request_arrived.wait_for(lambda: len(self.requests) >= count, timeout)

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._closing.set()
        self.release.set()
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)

    # -- used by the handler ------------------------------------------------------------

    def _next(self, recorded: Recorded) -> tuple[int, Reply]:
        with self._lock:
            item = self._script.popleft() if self._script else self.default
        reply = item(recorded) if callable(item) else item
        with self.request_arrived:
            self.requests.append(recorded)
            index = len(self.requests) - 1
            self.request_arrived.notify_all()
        return index, reply

    def _requeue(self, reply: Reply) -> None:
        with self._lock:
            self._script.appendleft(reply)

    def _wait(self, conn: socket.socket, delay_s: float, index: int) -> bool:
        """Wait out a slow reply; False when the client hung up meanwhile."""
        deadline = time.monotonic() + delay_s
        while not (self.release.is_set() or self._closing.is_set()):
            left = deadline - time.monotonic()
            if left <= 0:
                return True
            readable, _, _ = select.select([conn], [], [], min(left, 0.02))
            if readable:
                try:
                    peek = conn.recv(1, socket.MSG_PEEK)
                except OSError:
                    peek = b""
                if not peek:
                    with self._lock:
                        self.disconnected.append(index)
                    self.hangup_seen.set()
                    return False
        return True


def _completion(reply: Reply, recorded: Recorded) -> dict[str, Any]:
    prompt_tokens = (
        reply.prompt_tokens
        if reply.prompt_tokens is not None
        else max(1, len(recorded.prompt) // 4)
    )
    completion_tokens = (
        reply.completion_tokens
        if reply.completion_tokens is not None
        else max(1, len(reply.content) // 4)
    )
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": recorded.body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": reply.content},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": prompt_tokens,
            "completion_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
        },
    }


def _handler_for(server: FakeOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet
            pass

        def _send(
            self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
        ) -> None:
            data = json.dumps(payload).encode("utf-8")
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client went away

        def do_GET(self) -> None:
            if self.path.rstrip("/").endswith("/models"):
                self._send(200, {"object": "list", "data": [{"id": "fake", "object": "model"}]})
            else:
                self._send(404, {"error": {"message": "not found"}})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                self._send(400, {"error": {"message": "body is not JSON"}})
                return
            recorded = Recorded(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            index, reply = server._next(recorded)
            if reply.delay_s and not server._wait(self.connection, reply.delay_s, index):
                self.close_connection = True
                return
            fmt = recorded.response_format
            if (reply.reject_schema and fmt == "json_schema") or (
                reply.reject_json_mode and fmt == "json_object"
            ):
                server._requeue(reply)  # the client's next try (another format) gets the same reply
                self._send(
                    400,
                    {
                        "error": {
                            "message": f"response_format {fmt} is not supported",
                            "type": "invalid_request_error",
                        }
                    },
                )
                return
            if reply.status != 200:
                self._send(
                    reply.status,
                    {"error": {"message": reply.error, "type": "scripted"}},
                    reply.headers,
                )
                return
            self._send(200, _completion(reply, recorded), reply.headers)

    return Handler
