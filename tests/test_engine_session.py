"""One editor session keeps one LLM reviewer: one client and one reply cache for all its reviews.

A real ``tactful lsp`` subprocess reviews fifty edits of a buffer with the LLM on (a scripted
OpenAI-compatible server on 127.0.0.1); the server's own log, forwarded to the client as
``window/logMessage``, says how often it created the client and opened the cache.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities

sys.path.insert(0, str(Path(__file__).parent))
from fakeopenai import FakeOpenAI, Reply  # noqa: E402
from support import GIT_ENV  # noqa: E402

ENV = (
    {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    | GIT_ENV
    # TACTFUL_*_DIR: this session's folder (tests/conftest.py)
)
OLD = "def add(a, b):\n    return a + b\n"
EDITS = 50


def edited(number: int) -> str:
    return f"def add(a, b):\n    total = a + b + {number}\n    return total\n"


@pytest.fixture
def llm():
    with FakeOpenAI(default=Reply.json({"findings": []})) as fake:
        yield fake


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "calc.py").write_text(OLD)
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "base"]):
        subprocess.run(["git", *args], cwd=root, env=ENV, check=True, capture_output=True)
    return root


@pytest_lsp.fixture(
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "tactful.server.lsp"], server_env=ENV
    )
)
async def client(lsp_client: LanguageClient, repo: Path, tmp_path: Path, llm: FakeOpenAI):
    options = {
        "lsp": {"debounceMs": 0},
        "gate": {"enabled": False},  # no stage-1 filter: every edit is worth a model call
        "llm": {"baseUrl": llm.base_url, "apiKey": "test-key", "model": "fake", "maxRetries": 0},
        "feedback": {"dbPath": str(tmp_path / "fb.sqlite3")},
        "cacheDir": str(tmp_path / "cache"),
    }
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities("neovim"),
            root_uri=from_fs_path(str(repo)),
            initialization_options=options,
        )
    )
    yield
    await lsp_client.shutdown_session()


async def complete_review(client: LanguageClient, uri: str) -> dict:
    (report,) = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(
            command="tactful.showHidden", arguments=[{"uri": uri, "final": True}]
        )
    )
    return report


async def test_fifty_edits_one_client_one_cache(
    client: LanguageClient, repo: Path, llm: FakeOpenAI
):
    uri = from_fs_path(str(repo / "calc.py")) or ""
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=1, text=edited(0)
            )
        )
    )
    assert (await asyncio.wait_for(complete_review(client, uri), 60))["final"]
    for number in range(1, EDITS + 1):
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=number + 1),
                content_changes=[types.TextDocumentContentChangeWholeDocument(text=edited(number))],
            )
        )
        report = await asyncio.wait_for(complete_review(client, uri), 60)
        assert report["final"] and report["version"] == number + 1
    assert len(llm.requests) == EDITS + 1  # every version reached the model, each once
    messages = [m.message for m in client.log_messages]
    assert sum("LLM client created" in m for m in messages) == 1
    assert sum("LLM reply cache opened" in m for m in messages) == 1
    assert sum("LLM reviewer opened" in m for m in messages) == 1
