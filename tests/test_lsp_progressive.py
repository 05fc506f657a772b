"""Offline findings first, LLM findings when they arrive: progressive delivery in the editor.

The LLM is a scripted OpenAI-compatible server on 127.0.0.1 (tests/fakeopenai.py) whose
reply is held back until the test releases it, so the order is certain: the offline
diagnostics are published while the model is still "thinking", then the same document
version is published again with the model's finding added.
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
from support import GIT_ENV

ENV = (
    {k: v for k, v in os.environ.items() if k not in ("OPENAI_BASE_URL", "OPENAI_API_KEY")}
    | GIT_ENV
    # TACTFUL_*_DIR: this session's folder (tests/conftest.py)
)
OLD = "def add(a, b):\n    return a + b\n"
NEW = "def add(a, b):\n    print(a)\n    total = a + b\n    return total\n"
LLM_REPLY = {
    "findings": [
        {
            "category": "correctness",
            "confidence": 0.8,
            "message": "Wrong variable: check the type.",
            "existing_code": "return total",
            "improved_code": "return int(total)",
        }
    ]
}


@pytest.fixture
def llm():
    with FakeOpenAI(default=Reply.slow(120, content=Reply.json(LLM_REPLY).content)) as fake:
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
    # Neovim pulls but cannot be asked to pull again: the late findings must be pushed to it.
    params=["visual_studio_code", "neovim"],
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "tactful.server.lsp"], server_env=ENV
    ),
)
async def client(
    request: pytest.FixtureRequest,
    lsp_client: LanguageClient,
    repo: Path,
    tmp_path: Path,
    llm: FakeOpenAI,
):
    options = {
        "lsp": {"debounceMs": 0},
        "gate": {"enabled": False},
        "llm": {"baseUrl": llm.base_url, "apiKey": "test-key", "model": "fake", "maxRetries": 0},
        "feedback": {"dbPath": str(tmp_path / "fb.sqlite3")},
        "cacheDir": str(tmp_path / "cache"),
    }
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=client_capabilities(request.param),
            root_uri=from_fs_path(str(repo)),
            initialization_options=options,
        )
    )
    yield
    await lsp_client.shutdown_session()


async def published(client: LanguageClient, uri: str, predicate) -> list[types.Diagnostic]:
    while not predicate(client.diagnostics.get(uri)):
        await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    return list(client.diagnostics[uri])


async def test_llm_findings_join_after_offline_ones(
    client: LanguageClient, repo: Path, llm: FakeOpenAI
):
    uri = from_fs_path(str(repo / "calc.py")) or ""
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=NEW)
        )
    )
    first = await asyncio.wait_for(published(client, uri, lambda d: d is not None), 60)
    assert [d.code for d in first] == ["py.debug-print"]  # the model has not answered yet
    assert await asyncio.to_thread(llm.wait_for_requests, 1, 30)
    llm.release.set()
    both = await asyncio.wait_for(
        published(client, uri, lambda d: d is not None and len(d) == 2), 60
    )
    assert sorted(str(d.code) for d in both) == ["llm.correctness", "py.debug-print"]
