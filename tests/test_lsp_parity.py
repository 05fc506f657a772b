"""The editor and the command line give the same answers for the same change.

The working tree of a real repository is reviewed twice: by ``tactful review --format json``
(a subprocess) and by ``tactful lsp`` with every changed file open in a pytest-lsp client,
with the LLM on (a scripted OpenAI-compatible server on 127.0.0.1, tests/fakeopenai.py) and
the display gate on. Findings must agree on path, range (after converting LSP positions
back), rule and fingerprint; the hidden set, the gate's logged decisions and the number of
model calls must be the same.
"""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Recorded, Reply  # noqa: E402
from lsprotocol import types
from lsprotocol.converters import get_converter
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from support import GIT_ENV
from tactful.analyzers.textdiff import split_lines
from tactful.server.feedback.store import FeedbackStore
from tactful.server.lsp.convert import from_range
from tactful.server.lsp.protocol import pulls

CONVERTER = get_converter()
ENV = {
    k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")
} | GIT_ENV

FILES_BEFORE = {
    "app/core.py": "def check(value):\n    return value is None\n\n\ndef load(path):\n    return open(path).read()\n",
    "web/main.js": "function same(a, b) {\n  return a === b;\n}\n",
}
FILES_AFTER = {
    "app/core.py": (
        'LABEL = "café ☕"\n\n\ndef check(value):\n    if value == None:  # é😋\n        return True\n    return False\n\n\n'
        'def load(path):\n    try:\n        return open(path).read()\n    except:\n        breakpoint()\n        return ""\n'
    ),
    "web/main.js": "function same(a, b) {\n  console.log('é😋', a);\n  return a == b;\n}\n",
    "app/new_module.py": "def fresh(items=[]):\n    print(items)\n    return items\n",
}


def git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, env=ENV, check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    for path, text in FILES_BEFORE.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, "utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    for path, text in FILES_AFTER.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, "utf-8")
    git(root, "add", "-N", "app/new_module.py")  # intent-to-add: git diff shows the new file
    return root


def scripted_reply(request: Recorded) -> Reply:
    """The model's answer depends only on the unit in the prompt, as a real model's would."""
    prompt = request.prompt
    if "critique" in prompt.lower()[:200]:
        return Reply.json({"scores": []})
    if "def check(value)" in prompt:
        return Reply.json({"findings": [
            {"category": "maintainability", "confidence": 0.9, "message": "Dropped check: return the comparison itself.",
             "existing_code": "return True", "improved_code": "return value is None"}]})  # fmt: skip
    if "def load(path)" in prompt:
        return Reply.json({"findings": [
            {"category": "correctness", "confidence": 0.7, "message": "Dropped call: the file is never closed.",
             "existing_code": "return open(path).read()"}]})  # fmt: skip
    return Reply.json({"findings": []})


@pytest.fixture
def llm():
    with FakeOpenAI(default=scripted_reply) as fake:
        yield fake


@pytest_lsp.fixture(
    params=["visual_studio_code", "neovim"],
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "tactful.server.cli", "lsp"], server_env=ENV
    ),
)
async def client(
    request: pytest.FixtureRequest,
    lsp_client: LanguageClient,
    repo: Path,
    tmp_path: Path,
    llm: FakeOpenAI,
):
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=from_fs_path(str(repo)),
            initialization_options={
                "lsp": {"debounceMs": 0},
                "feedback": {"dbPath": str(tmp_path / "fb.sqlite3")},
                "llm": {"baseUrl": llm.base_url, "apiKey": "test-key"},
                "cacheDir": str(tmp_path / "editor-cache"),
            },
        )
    )
    yield
    await lsp_client.shutdown_session()


async def diagnostics(client: LanguageClient, uri: str) -> list[types.Diagnostic]:
    if client.capabilities is not None and pulls(client.capabilities):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        return list(report.items)
    while uri not in client.diagnostics:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


def gate_decisions(db: Path) -> set[tuple]:
    store = FeedbackStore.open(db)
    try:
        return {(e.kind, e.fingerprint, e.reason, round(e.probability or 0.0, 9)) for e in store.events()
                if e.kind in ("shown", "hidden")}  # fmt: skip
    finally:
        store.close()


async def test_editor_and_cli_report_the_same_findings(
    client: LanguageClient, repo: Path, tmp_path: Path, llm: FakeOpenAI
):
    proc = subprocess.run(
        [sys.executable, "-m", "tactful.server.cli", "review", "--format", "json"],
        cwd=repo,
        env={
            **ENV,
            "TACTFUL_DATA_DIR": str(tmp_path / "data"),
            "TACTFUL_CACHE_DIR": str(tmp_path / "cache"),
            "OPENAI_BASE_URL": llm.base_url,
            "OPENAI_API_KEY": "test-key",
        },  # fmt: skip
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    review = json.loads(proc.stdout)
    cli_calls = len(llm.requests)
    counters = review["coverage"]["counters"]
    assert cli_calls > 0 and counters.get("llm.replies") == cli_calls

    def keyed(findings: list[dict]) -> set[tuple]:
        return {
            (
                f["path"],
                f["line"],
                f["column"] - 1,
                f["endLine"],
                f["endColumn"] - 1,
                f["rule"],
                f["fingerprint"],
            )
            for f in findings
        }

    cli, cli_hidden = keyed(review["findings"]), keyed(review["hidden"])
    assert {rule for *_, rule, _ in cli | cli_hidden} >= {
        "py.none-comparison",
        "py.bare-except",
        "py.debugger",
        "py.mutable-default",
    }
    assert any(f["source"] == "llm" for f in review["findings"] + review["hidden"])

    encoding = (
        "utf-8"
        if client.capabilities
        and client.capabilities.general
        and client.capabilities.general.position_encodings
        else "utf-16"
    )
    editor: set[tuple] = set()
    editor_hidden: set[tuple] = set()
    for path, text in FILES_AFTER.items():
        uri = from_fs_path(str(repo / path)) or ""
        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(uri=uri, language_id="", version=1, text=text)
            )
        )
        # Every stage's findings, the model's too: the editor's last delivery.
        (complete,) = await asyncio.wait_for(
            client.workspace_execute_command_async(
                types.ExecuteCommandParams(
                    command="tactful.showHidden", arguments=[{"uri": uri, "final": True}]
                )
            ),
            60,
        )
        assert complete["final"]
        found = await asyncio.wait_for(diagnostics(client, uri), 60)
        if {d.data["fingerprint"] for d in found} != set(complete["shown"]):
            found = await asyncio.wait_for(
                final_diagnostics(client, uri, set(complete["shown"])), 60
            )
        lines = split_lines(text)
        hidden = [CONVERTER.structure(d, types.Diagnostic) for d in complete["diagnostics"]]
        for target, items in ((editor, found), (editor_hidden, hidden)):
            for d in items:
                span = from_range(lines, d.range, encoding)
                target.add(
                    (
                        path,
                        span.start_line,
                        span.start_col,
                        span.end_line,
                        span.end_col,
                        d.code,
                        d.data["fingerprint"],
                    )
                )
    assert editor == cli
    assert editor_hidden == cli_hidden  # the display gate decided the same way
    assert len(llm.requests) - cli_calls == cli_calls  # the same units went to the model
    cli_db = next((tmp_path / "data").rglob("feedback.sqlite3"))
    decisions = gate_decisions(cli_db)
    # A new developer's gate hides only what the prior alone is sure of (gate.hidePrecision),
    # so this review may hide nothing; every decision is still logged the same way by both.
    assert "shown" in {kind for kind, *_ in decisions} <= {"shown", "hidden"}
    assert gate_decisions(tmp_path / "fb.sqlite3") == decisions


async def final_diagnostics(
    client: LanguageClient, uri: str, shown: set[str]
) -> list[types.Diagnostic]:
    """The diagnostics of the final delivery (push clients get it as a later publish)."""
    if client.capabilities is not None and pulls(client.capabilities):
        return await diagnostics(client, uri)
    while {d.data["fingerprint"] for d in client.diagnostics.get(uri, [])} != shown:
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])
