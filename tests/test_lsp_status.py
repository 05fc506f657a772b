"""The ``tactful/status`` notification (VS Code's status bar) and the invalid-settings message.

The real ``tactful lsp`` over stdio, as VS Code with ``experimental.tactfulStatus`` set; a
client without it never gets the notification.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from test_lsp import EDITED, SERVER_ENV, open_doc, repo, wait_inbox

__all__ = ["repo"]  # the fixture, used by name


def make_client() -> LanguageClient:
    """A client keeping every ``tactful/status``, ``showMessage`` and ``publishDiagnostics``."""
    client = LanguageClient()
    client.inbox = []  # type: ignore[attr-defined]
    client.arrived = asyncio.Event()  # type: ignore[attr-defined]

    def keep(method: str) -> Any:
        def handler(ls: LanguageClient, params: Any) -> None:
            ls.inbox.append((method, params))  # type: ignore[attr-defined]
            ls.arrived.set()  # type: ignore[attr-defined]

        return handler

    client.feature("tactful/status")(keep("tactful/status"))
    for method in (types.WINDOW_SHOW_MESSAGE, types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS):
        client.feature(method)(keep(method))
    return client


@pytest_lsp.fixture(
    params=[True, False],
    ids=["status", "no-status"],
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "tactful.server", "lsp"],
        client_factory=make_client,
        server_env=SERVER_ENV,
    ),
)
async def client(request: pytest.FixtureRequest, lsp_client: LanguageClient, repo: Path):
    capabilities = client_capabilities("visual_studio_code")
    if request.param:
        capabilities.experimental = {"tactfulStatus": True}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=from_fs_path(str(repo)),
            workspace_folders=[
                types.WorkspaceFolder(uri=from_fs_path(str(repo)) or "", name="repo")
            ],
            # what the VS Code extension sent before it kept its own settings to itself
            initialization_options={
                "lsp": {"debounceMs": 0},
                "gate": {"enabled": False},
                "server": {"path": "tactful"},
            },
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_status_counts_and_dropped_setting_message(client: LanguageClient, repo: Path):
    message = await wait_inbox(client, lambda m, p: m == types.WINDOW_SHOW_MESSAGE)
    assert message.message.startswith("tactful: 1 invalid setting(s), the others apply")
    assert "server" in message.message
    uri = open_doc(client, repo / "app.py", EDITED)
    if not (client.capabilities and client.capabilities.experimental):
        await wait_inbox(client, lambda m, p: m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        assert not [m for m, _ in client.inbox if m == "tactful/status"]  # type: ignore[attr-defined]
        return
    status = await wait_inbox(client, lambda m, p: m == "tactful/status" and p.final)
    assert (status.uri, status.version, status.shown, status.hidden) == (uri, 1, 2, 0)
    # the settings that were valid apply: debounce 0 and no gate (nothing hidden)
