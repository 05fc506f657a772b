"""The server keeps no handler future once its message is handled (pygls 2.1 kept one per notification).

pygls files the future of every notification, and of every step of a built-in generator
handler (the command behind ``workspace/executeCommand``), under a fresh id that nothing
removes: the server grew by one finished task per keystroke (issue 12, ~1.4 KB per didChange).
A real ``tactful lsp`` over stdio takes a few hundred edits, saves, configuration changes and
commands; its ``tactful/inspect`` answer then counts the futures it still holds.
"""

from __future__ import annotations

from pathlib import Path

from rawlsp import RawClient

EDITS = 300
COMMANDS = 30


def test_handled_notifications_and_commands_leave_no_future_behind(tmp_path: Path) -> None:
    client = RawClient(tmp_path)
    try:
        client.send({"id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None,
                     "initializationOptions": {"llm": {"enabled": False}}}})  # fmt: skip
        assert "result" in client.answer(1, timeout=60)
        client.send({"method": "initialized", "params": {}})
        uri = (tmp_path / "m.py").as_uri()
        doc = {"uri": uri, "languageId": "python", "version": 1, "text": "x = 1\n"}
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": doc}})
        for version in range(2, EDITS + 2):
            end = {"line": version - 1, "character": 0}
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [{"range": {"start": end, "end": end}, "text": f"y{version} = 2\n"}]}})  # fmt: skip
            if version % 50 == 0:
                client.send(
                    {"method": "textDocument/didSave", "params": {"textDocument": {"uri": uri}}}
                )
                # an async notification handler, run as a task
                client.send({"method": "workspace/didChangeConfiguration",
                             "params": {"settings": {"tactful": {"lsp": {"debounceMs": 250}}}}})  # fmt: skip
        for number in range(100, 100 + COMMANDS):
            # an async command: pygls runs it as a step of its generator handler
            client.send({"id": number, "method": "workspace/executeCommand",
                         "params": {"command": "tactful.showHidden", "arguments": []}})  # fmt: skip
        for number in range(100, 100 + COMMANDS):
            assert "result" in client.answer(number)
        # Messages are handled in order: the answer counts what is left after all of the above.
        client.send({"id": 2, "method": "tactful/inspect"})  # params may be left out
        held = client.answer(2)["result"]
        assert held["openDocuments"] == 1
        assert held["heldFutures"] == 0, held
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr
