"""Every request gets an answer: ill-typed or missing params, unknown methods, requests after shutdown.

Driven over a real ``tactful lsp`` subprocess with raw JSON-RPC frames, as a buggy client sends them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rawlsp import RawClient

RANGE = {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 0}}


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


def test_a_body_that_is_not_json_or_not_an_object_is_answered_without_a_popup(
    client: RawClient,
) -> None:
    client.send_bytes(b"Content-Length: 4\r\n\r\n\x89PNG")
    assert client.answer(None)["error"]["code"] == -32700
    client.send_bytes(b"Content-Length: 6\r\n\r\n[1, 2]")
    assert client.answer(None)["error"]["code"] == -32600
    client.send({"id": 7, "method": "textDocument/codeAction",
                 "params": {"textDocument": {"uri": "file:///x.py"}, "range": RANGE, "context": {"diagnostics": []}}})  # fmt: skip
    assert "result" in client.answer(7)
    stderr = client.close()
    assert "Traceback" not in stderr
    assert "dropped a message whose body is not JSON" in stderr
    assert not [n for n in client.notifications if n.get("method") == "window/showMessage"]


def test_a_pull_waiting_when_the_document_is_opened_again_is_answered(
    client: RawClient, tmp_path: Path
) -> None:
    """Found by the long fuzz run: a second didOpen without a close replaced the document's
    state, and a pull waiting on the old one was never answered."""
    uri = (tmp_path / "m.py").as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}}})  # fmt: skip
    far = {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}
    client.send({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2},
                 "contentChanges": [{"range": far, "text": "y"}]}})  # fmt: skip
    # Out of sync: the pull waits for the whole text, which the second open brings.
    client.send(
        {"id": 60, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}}
    )
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 3, "text": "x = 2\n"}}})  # fmt: skip
    # Answered for version 1 (its review may be done) or 3; before the fix, never.
    assert client.answer(60)["result"]["kind"] == "full"


def test_a_pull_for_a_document_out_of_sync_is_answered_with_nothing(
    client: RawClient, tmp_path: Path
) -> None:
    """Also found by the long fuzz run: the pull waited for a review that an out-of-sync
    document never gets."""
    uri = (tmp_path / "m.py").as_uri()
    client.send({"method": "textDocument/didOpen",
                 "params": {"textDocument": {"uri": uri, "languageId": "python", "version": 1, "text": "breakpoint()\n"}}})  # fmt: skip
    far = {"start": {"line": 9, "character": 0}, "end": {"line": 9, "character": 0}}
    client.send({"method": "textDocument/didChange", "params": {"textDocument": {"uri": uri, "version": 2},
                 "contentChanges": [{"range": far, "text": "y"}]}})  # fmt: skip
    client.send(
        {"id": 61, "method": "textDocument/diagnostic", "params": {"textDocument": {"uri": uri}}}
    )
    assert client.answer(61)["result"]["items"] == []


def test_a_method_that_is_not_a_name_is_no_traceback(client: RawClient) -> None:
    """Found by the long fuzz run: {"method": [...]} anywhere in a body raised in pygls's reader."""
    client.send(
        {"id": 70, "method": "textDocument/hover", "params": {"method": [1], "x": {"method": {}}}}
    )
    assert client.answer(70)["error"]["code"] in (-32602, -32601)
    body = b'{"jsonrpc": "2.0", "method": 5}'
    client.send_bytes(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    client.send({"id": 71, "method": "tactful/inspect", "params": {}})
    assert "result" in client.answer(71)
    assert "Traceback" not in client.close()
