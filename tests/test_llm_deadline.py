"""A stalled or lying endpoint costs one bounded wait, and never the offline or the other units' findings."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator

import pytest
from fakeopenai import FakeOpenAI, Recorded, Reply
from support import GitRepo

OLD = "def ratio(done, total):\n    return done / total\n\n\ndef scale(x):\n    return x * 2\n"
NEW = (
    "def ratio(done, total):\n    breakpoint()\n    share = done / total\n    return round(share, 2)\n\n\n"
    "def scale(x):\n    factor = 2\n    return x * factor\n"
)


@pytest.fixture
def drip_server() -> Iterator[str]:
    """Answers 200 with chunked headers, then one byte every 0.1 s forever: no read ever times out."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(
                    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
                )
                while not stop.wait(0.1):
                    conn.sendall(b"1\r\n \r\n")
            except OSError:
                pass  # the client hung up: what a deadline should make it do

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    threading.Thread(target=accept, daemon=True).start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/v1"
    stop.set()
    listener.close()


def _repo(git_repo: GitRepo, settings: dict) -> None:
    git_repo.write(".tactful/settings.json", json.dumps({"llm": settings}))
    git_repo.write("calc.py", OLD)
    git_repo.commit("base")
    git_repo.write("calc.py", NEW)


def test_slow_drip_endpoint_is_cut_by_the_review_deadline(
    cli, git_repo: GitRepo, drip_server: str
) -> None:
    _repo(git_repo, {"timeoutS": 30, "deadlineS": 2, "maxRetries": 3})
    env = {"OPENAI_BASE_URL": drip_server, "OPENAI_API_KEY": "test", "TACTFUL_MODEL": "fake"}
    started = time.monotonic()
    result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert [f["rule"] for f in data["findings"]] == [
        "py.debugger"
    ]  # the offline finding is delivered
    notes = " ".join(data["coverage"]["notes"])
    assert "deadline of 2 s reached; 2 of 2 unit(s) not reviewed by the model" in notes
    assert data["coverage"]["counters"]["llm.units.deadline"] == 2
    assert elapsed < 15, elapsed  # the per-read timeout alone would never end this


def test_each_attempt_has_a_wall_clock_limit(cli, git_repo: GitRepo, drip_server: str) -> None:
    _repo(git_repo, {"timeoutS": 1, "deadlineS": 60, "maxRetries": 1})
    env = {"OPENAI_BASE_URL": drip_server, "OPENAI_API_KEY": "test", "TACTFUL_MODEL": "fake"}
    result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    data = result.json()
    assert data["coverage"]["counters"]["llm.errors.timeout"] == 2
    assert any("within 1 s (timeout) after 1 retry" in n for n in data["coverage"]["notes"])


def test_one_html_reply_does_not_cost_the_other_units_their_findings(
    cli, git_repo: GitRepo
) -> None:
    _repo(git_repo, {})

    def reply(request: Recorded) -> Reply:
        if "def scale" in request.prompt:
            return Reply.text("<html><body>502 Bad Gateway</body></html>")
        return Reply.json({"findings": [{"category": "correctness", "confidence": 0.9,
                                         "message": "Dropped check: division by zero when total is 0.",
                                         "existing_code": "share = done / total", "improved_code": None}]})  # fmt: skip

    with FakeOpenAI(default=reply) as server:
        env = {
            "OPENAI_BASE_URL": server.base_url,
            "OPENAI_API_KEY": "test",
            "TACTFUL_MODEL": "fake",
        }
        result = cli("review", "--all", "--format", "json", cwd=git_repo.root, env=env)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    data = result.json()
    assert sorted(f["rule"] for f in data["findings"]) == ["llm.correctness", "py.debugger"]
    assert any("unreadable reply for 1 unit(s)" in n for n in data["coverage"]["notes"])
