"""Fuzzing the LSP server's answers: every request answered in time, damaged framing recovered.

A real ``tactful lsp`` subprocess gets random action sequences in any order: requests
with random or plausible params (code actions, pulls, commands, unknown methods),
``$/cancelRequest`` for them, responses to requests the server never sent, and opens,
edits (UTF-16 ranges over multi-byte text, stale and repeated versions, edits to closed
documents), saves and closes. Every request with a number or string id must get a result
or a JSON-RPC error within DEADLINE_S, none twice. A second suite damages the framing
(Content-Length too short or too long, truncated bodies, junk between frames): the server
must resynchronise and answer the next well-framed request. Both end with a clean
``shutdown``/``exit`` and no traceback on stderr.

Budget: 20 examples per suite in CI (a few seconds each); TACTFUL_FUZZ_EXAMPLES for longer.
"""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rawlsp import RawClient

EXAMPLES = int(os.environ.get("TACTFUL_FUZZ_EXAMPLES", "20"))
BUDGET = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize="TACTFUL_FUZZ_EXAMPLES" not in os.environ,
)
DEADLINE_S = 30.0
"""How long one request may wait for its answer (generous: CI machines are shared)."""
DOCS = 3
"""Documents the actions share, so opens, edits and closes collide."""

TEXT = st.lists(
    st.sampled_from(["a", "x = 1", " ", "é", "中", "😀", "𝔘", "\n", "\t", "#", "breakpoint()\n"]),
    max_size=10,
).map("".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 2**33) | st.text(max_size=6),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=3),
    max_leaves=6,
)  # fmt: skip
POSITION = st.fixed_dictionaries({"line": st.integers(0, 6), "character": st.integers(0, 12)})
RANGE = st.fixed_dictionaries({"start": POSITION, "end": POSITION})
COMMANDS = st.sampled_from([
    "tactful.reviewWorkspace", "tactful.showHidden", "tactful.applied", "tactful.dismiss",
    "tactful.reject", "tactful.nothing",
])  # fmt: skip


def uri_of(root: Path, n: int) -> str:
    return (root / f"doc{n}.py").as_uri()


@st.composite
def request(draw: st.DrawFn, root: Path) -> tuple[str, Any]:
    """A request method and its params: plausible for the method, or anything at all."""
    doc = {"uri": uri_of(root, draw(st.integers(0, DOCS)))}
    method = draw(st.sampled_from([
        "textDocument/codeAction", "textDocument/diagnostic", "workspace/executeCommand",
        "textDocument/hover", "textDocument/completion", "tactful/inspect", "no/such/request",
    ]))  # fmt: skip
    if draw(st.integers(0, 4)) == 0:
        return method, draw(JSON)
    if method == "textDocument/codeAction":
        return method, {"textDocument": doc, "range": draw(RANGE), "context": {"diagnostics": []}}
    if method == "workspace/executeCommand":
        return method, {"command": draw(COMMANDS), "arguments": draw(st.lists(JSON, max_size=2))}
    if method in ("textDocument/hover", "textDocument/completion"):
        return method, {"textDocument": doc, "position": draw(POSITION)}
    if method == "tactful/inspect":
        return method, {}
    return method, {"textDocument": doc}


@st.composite
def actions(draw: st.DrawFn, root: Path) -> list[tuple[str, Any]]:
    """What a buggy or racing client sends: ("request", (method, params)), ("cancel", k), ..."""
    steps: list[tuple[str, Any]] = []
    for _ in range(draw(st.integers(1, 10))):
        kind = draw(st.sampled_from(["request", "request", "open", "change", "change", "close",
                                     "save", "cancel", "response"]))  # fmt: skip
        n = draw(st.integers(0, DOCS - 1))
        if kind == "request":
            steps.append((kind, draw(request(root))))
        elif kind == "open":
            steps.append((kind, (n, draw(st.integers(-1, 5)), draw(TEXT))))
        elif kind == "change":
            change: dict[str, Any] = {"text": draw(TEXT)}
            if draw(st.booleans()):
                change["range"] = draw(RANGE)
            steps.append((kind, (n, draw(st.integers(-1, 9)), [change])))
        elif kind == "cancel":
            steps.append((kind, draw(st.integers(0, 12))))
        else:
            steps.append((kind, n))
    return steps


def started(tmp_path: Path) -> RawClient:
    client = RawClient(tmp_path)
    client.send({"id": 0, "method": "initialize", "params": {
        "capabilities": {}, "rootUri": None,
        "initializationOptions": {"lsp": {"debounceMs": 0}, "llm": {"enabled": False}}}})  # fmt: skip
    assert "result" in client.answer(0, timeout=60)
    client.send({"method": "initialized", "params": {}})
    return client


def finish(client: RawClient) -> None:
    """The server still answers, shuts down when asked and exits 0, with no traceback."""
    client.send({"id": "last", "method": "shutdown", "params": None})
    assert "result" in client.answer("last", timeout=DEADLINE_S)
    client.send({"method": "exit", "params": None})
    code = client.proc.wait(timeout=DEADLINE_S)
    stderr = client.close()
    assert code == 0, stderr[-3000:]
    assert client.repeated == 0, "a request was answered twice"
    assert "Traceback" not in stderr, stderr[-3000:]


def test_every_request_in_random_action_sequences_is_answered_in_time(tmp_path: Path) -> None:
    client = started(tmp_path)
    ids = itertools.count(1)

    @BUDGET
    @given(actions(tmp_path))
    def run(steps: list[tuple[str, Any]]) -> None:
        sent: list[int | str] = []
        for kind, arg in steps:
            if kind == "request":
                number = next(ids)
                # String ids are as valid as numbers in JSON-RPC.
                msg_id: int | str = number if number % 3 else f"s{number}"
                client.send({"id": msg_id, "method": arg[0], "params": arg[1]})
                sent.append(msg_id)
            elif kind == "cancel":
                target = sent[arg % len(sent)] if sent else arg
                client.send({"method": "$/cancelRequest", "params": {"id": target}})
            elif kind == "response":  # to a request the server never made
                client.send({"id": 90_000 + arg, "result": None})
            elif kind == "open":
                n, version, text = arg
                client.send({"method": "textDocument/didOpen", "params": {"textDocument": {
                    "uri": uri_of(tmp_path, n), "languageId": "python", "version": version, "text": text}}})  # fmt: skip
            elif kind == "change":
                n, version, changes = arg
                client.send({"method": "textDocument/didChange", "params": {
                    "textDocument": {"uri": uri_of(tmp_path, n), "version": version}, "contentChanges": changes}})  # fmt: skip
            else:
                method = "textDocument/didClose" if kind == "close" else "textDocument/didSave"
                client.send(
                    {"method": method, "params": {"textDocument": {"uri": uri_of(tmp_path, arg)}}}
                )
        for msg_id in sent:
            answer = client.answer(msg_id, timeout=DEADLINE_S)  # raises when it never comes
            assert "result" in answer or isinstance(answer["error"].get("code"), int), answer

    try:
        run()
    except BaseException:
        client.close()
        raise
    finish(client)


def frame(body: bytes, declared: int | None = None) -> bytes:
    return b"Content-Length: %d\r\n\r\n" % (len(body) if declared is None else declared) + body


DAMAGE = st.tuples(
    st.sampled_from(["none", "short", "long", "cut", "junk", "utf8"]),
    st.integers(1, 40),
    st.binary(min_size=1, max_size=30),
)
"""How one frame is damaged, by how many bytes, and with what junk in front."""


def damaged(spec: tuple[str, int, bytes], msg_id: str) -> bytes:
    """A real request's frame with a wrong length, cut short, or junk in front of it."""
    damage, amount, junk = spec
    data = json.dumps(
        {"jsonrpc": "2.0", "id": msg_id, "method": "tactful/inspect", "params": {}}
    ).encode()
    if damage == "short":  # a client that miscounted
        return frame(data, len(data) - amount)
    if damage == "long":  # swallows the start of whatever follows
        return frame(data, len(data) + amount)
    if damage == "cut":
        return frame(data)[: len(data) - amount]
    if damage == "junk":
        return junk + frame(data)
    if damage == "utf8":  # characters counted instead of bytes
        wide = json.dumps(
            {"jsonrpc": "2.0", "method": "$/x", "params": {"t": "中😀é" * amount}},
            ensure_ascii=False,
        )
        return frame(wide.encode(), len(wide))
    return frame(data)


def test_damaged_framing_is_recovered_and_the_next_request_answered(tmp_path: Path) -> None:
    client = started(tmp_path)
    ids = itertools.count(1)

    @BUDGET
    @given(st.lists(DAMAGE, min_size=1, max_size=5))
    def run(specs: list[tuple[str, int, bytes]]) -> None:
        for spec in specs:
            client.send_bytes(damaged(spec, f"d{next(ids)}"))
        # A frame declared too long swallows at most 40 bytes: of the first probe only.
        first, second = f"p{next(ids)}", f"p{next(ids)}"
        client.send({"id": first, "method": "tactful/inspect", "params": {}})
        client.send({"id": second, "method": "tactful/inspect", "params": {}})
        assert "result" in client.answer(second, timeout=DEADLINE_S)

    try:
        run()
    except BaseException:
        client.close()
        raise
    finish(client)
