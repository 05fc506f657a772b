"""Fuzzing the LSP server: random JSON-RPC message streams and random UTF-16 edit sequences.

Two tiers. In process, pygls's edit application behind tactful's out-of-range guard is
checked against a reference model of LSP positions (UTF-16 code units, lines split on
``\\n``, characters past a line's end clamped to it), on text full of multi-byte and
astral characters. End to end, a real ``tactful lsp`` subprocess receives random
frames (unknown and known methods with random params, bodies that are not JSON or not
objects, odd ids, extra headers) and random edit sequences; after each example a
well-formed request must still be answered, and stderr must hold no traceback.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsprotocol import types
from pygls.workspace import Workspace
from rawlsp import RawClient
from tactful.server.lsp.protocol import _clamped, _out_of_range

# A fixed, small budget in CI; TACTFUL_FUZZ_EXAMPLES=N runs N random examples per test.
LONG = os.environ.get("TACTFUL_FUZZ_EXAMPLES")
BUDGET = settings(
    max_examples=int(LONG or 40), deadline=None, suppress_health_check=[HealthCheck.too_slow],
    derandomize=LONG is None,
)  # fmt: skip
E2E_BUDGET = settings(BUDGET, max_examples=int(LONG or 25))
# ASCII, Latin-1, a combining mark, CJK (BMP, one UTF-16 unit) and astral (two units).
PIECES = st.sampled_from(["a", "x = 1", " ", "é", "\u0301", "中文", "😀", "𝔘", "\n", "\t", "#"])
TEXT = st.lists(PIECES, max_size=12).map("".join)


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def offset_of(text: str, line: int, character: int) -> int:
    """The code-point offset of an LSP position (UTF-16 ``character``, clamped to the line)."""
    lines = text.split("\n")
    line = min(line, len(lines) - 1)
    base = sum(len(part) + 1 for part in lines[:line])
    units = 0
    for index, char in enumerate(lines[line]):
        if units >= character:
            return base + index
        units += utf16_len(char)
    return base + len(lines[line])


@st.composite
def positions(draw: st.DrawFn, text: str) -> types.Position:
    """A position on a code-point boundary, sometimes past the end of its line."""
    lines = text.split("\n")
    line = draw(st.integers(0, len(lines) - 1))
    boundaries = [0]
    for char in lines[line]:
        boundaries.append(boundaries[-1] + utf16_len(char))
    character = draw(st.sampled_from(boundaries) | st.integers(boundaries[-1], boundaries[-1] + 5))
    return types.Position(line=line, character=character)


@st.composite
def edit_sequences(
    draw: st.DrawFn,
) -> tuple[str, list[types.TextDocumentContentChangePartial], str]:
    """An initial text, edits made one after another, and the text they should leave."""
    initial = draw(TEXT)
    text, edits = initial, []
    for _ in range(draw(st.integers(1, 8))):
        first, second = draw(positions(text)), draw(positions(text))
        start, end = sorted(
            (first, second),
            key=lambda p: (p.line, offset_of(text, p.line, p.character), p.character),
        )
        new_text = draw(TEXT)
        lo, hi = (
            offset_of(text, start.line, start.character),
            offset_of(text, end.line, end.character),
        )
        text = text[:lo] + new_text + text[hi:]
        edits.append(
            types.TextDocumentContentChangePartial(range=types.Range(start, end), text=new_text)
        )
    return initial, edits, text


@BUDGET
@given(edit_sequences())
def test_utf16_edits_give_the_text_the_lsp_positions_describe(
    case: tuple[str, list[types.TextDocumentContentChangePartial], str],
) -> None:
    initial, edits, expected = case
    workspace = Workspace(None)
    uri = "file:///fuzz.py"
    workspace.put_text_document(
        types.TextDocumentItem(uri=uri, language_id="python", version=1, text=initial)
    )
    document = workspace.get_text_document(uri)
    for version, edit in enumerate(edits, 2):
        assert _out_of_range(document.lines, [edit]) == ""
        workspace.update_text_document(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            _clamped(document.lines, edit),
        )
    assert workspace.get_text_document(uri).source == expected


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 2**40)
    | st.floats(allow_nan=False)
    | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=8,
)
METHODS = st.sampled_from([
    "textDocument/didOpen", "textDocument/didChange", "textDocument/didClose", "textDocument/didSave",
    "textDocument/codeAction", "textDocument/diagnostic", "textDocument/hover", "workspace/executeCommand",
    "workspace/didChangeConfiguration", "$/cancelRequest", "$/setTrace", "no/such/method", "",
])  # fmt: skip
IDS = (
    st.none()
    | st.integers(1, 9999)
    | st.text(max_size=4)
    | st.floats(allow_nan=False)
    | st.just({"a": 1})
)


def frame(body: bytes, extra_header: bytes = b"") -> bytes:
    return extra_header + b"Content-Length: %d\r\n\r\n" % len(body) + body


@st.composite
def frames(draw: st.DrawFn) -> bytes:
    """One well-framed message whose body may be anything a broken client sends."""
    kind = draw(st.sampled_from(["message", "message", "not-json", "not-object", "no-jsonrpc"]))
    if kind == "not-json":
        body = draw(st.binary(max_size=40))
    elif kind == "not-object":
        body = json.dumps(
            draw(st.lists(JSON_VALUES, max_size=3) | st.integers() | st.text(max_size=5))
        ).encode()
    else:
        message: dict[str, Any] = {"method": draw(METHODS), "params": draw(JSON_VALUES)}
        if kind == "message":
            message["jsonrpc"] = "2.0"
        if draw(st.booleans()):
            message["id"] = draw(IDS)
        body = json.dumps(message).encode()
    extra = draw(st.sampled_from([b"", b"Content-Type: application/vscode-jsonrpc; charset=utf-8\r\n",
                                  b"X-Junk: \xff\xfe\r\n"]))  # fmt: skip
    return frame(body, extra)


def started(tmp_path: Path) -> RawClient:
    client = RawClient(tmp_path)
    client.send({"id": 1, "method": "initialize", "params": {"capabilities": {}, "rootUri": None}})
    assert "result" in client.answer(1, timeout=60)
    client.send({"method": "initialized", "params": {}})
    return client


def sentinel(client: RawClient, number: int, uri: str = "file:///nowhere.py") -> dict[str, Any]:
    zero = {"line": 0, "character": 0}
    client.send({"id": number, "method": "textDocument/codeAction", "params": {
        "textDocument": {"uri": uri}, "range": {"start": zero, "end": zero}, "context": {"diagnostics": []}}})  # fmt: skip
    return client.answer(number)


def test_random_message_streams_leave_the_server_answering(tmp_path: Path) -> None:
    client = started(tmp_path)
    numbers = itertools.count(100_000)

    @E2E_BUDGET
    @given(st.lists(frames(), max_size=6))
    def stream(messages: list[bytes]) -> None:
        for message in messages:
            client.send_bytes(message)
        assert "result" in sentinel(client, next(numbers))

    try:
        stream()
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr, stderr[-3000:]


def test_random_utf16_edit_sequences_over_stdio_leave_the_server_answering(tmp_path: Path) -> None:
    client = started(tmp_path)
    numbers, documents = itertools.count(200_000), itertools.count()

    @E2E_BUDGET
    @given(edit_sequences())
    def edits(case: tuple[str, list[types.TextDocumentContentChangePartial], str]) -> None:
        initial, changes, _ = case
        uri = (tmp_path / f"doc{next(documents)}.py").as_uri()
        client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": uri, "languageId": "python", "version": 1, "text": initial}}})  # fmt: skip
        for version, change in enumerate(changes, 2):
            wire = {"range": {"start": {"line": change.range.start.line, "character": change.range.start.character},
                              "end": {"line": change.range.end.line, "character": change.range.end.character}},
                    "text": change.text}  # fmt: skip
            client.send({"method": "textDocument/didChange", "params": {
                "textDocument": {"uri": uri, "version": version}, "contentChanges": [wire]}})  # fmt: skip
        assert "result" in sentinel(client, next(numbers), uri)
        client.send({"method": "textDocument/didClose", "params": {"textDocument": {"uri": uri}}})

    try:
        edits()
    finally:
        stderr = client.close()
    assert "Traceback" not in stderr, stderr[-3000:]
    assert "not applied" not in stderr, "an in-range edit was refused"
