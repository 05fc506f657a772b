"""Code actions asked for while the document is being reviewed again.

A quick-fix menu opened during a re-review (a settings push from the client, a save, an edit
not yet reviewed) must still offer the actions of the document's current version: from the
last report of that version when there is one, otherwise once the running review of that
version delivers. The server runs ``tests/faulty_lsp.py``, whose ``test.hold`` rule stops a
review half-way until the test lets it go, so the order is certain (no sleeps): the request
arrives while the review is held.

A save's re-review that finds the same diagnostics tells the client nothing new (no push,
no refresh, the same result id): VS Code would replace its markers, and a quick-fix menu
being opened at that moment came back empty ("No code actions available", seen in the
real-workbench test).
"""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient
from test_lsp import (
    BASE,
    EDITED,
    SERVER_ENV,
    TIMEOUT,
    by_rule,
    capabilities_of,
    client,
    diagnostics_at,
    git,
    open_doc,
    replace_all,
    repo,
    wait_inbox,
)

__all__ = ["client", "repo"]  # the fixtures, used by name


class Hold:
    """The test's end of ``test.hold``: arm it, wait until a review is held, let it go."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.marker = f"# tactful-test-hold: {folder}\n"
        folder.mkdir()
        os.mkfifo(folder / "release")

    def arm(self) -> None:
        os.mkfifo(self.folder / "started")

    async def held(self) -> None:
        """Returns once a review has reached the rule (it waits there until :meth:`release`)."""

        def read() -> None:
            with (self.folder / "started").open() as started:
                started.read()

        await asyncio.wait_for(asyncio.to_thread(read), TIMEOUT)

    async def release(self) -> None:
        def write() -> None:
            with (self.folder / "release").open("w"):
                pass

        await asyncio.wait_for(asyncio.to_thread(write), TIMEOUT)


def ask(client: LanguageClient, uri: str, diag: types.Diagnostic) -> asyncio.Future:
    return asyncio.ensure_future(
        client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=diag.range,
                context=types.CodeActionContext(diagnostics=[diag]),
            )
        )
    )


def fixed_version(action: types.CodeAction, uri: str) -> int | None:
    """The document version a fix's edit is bound to (None for a client without versioned edits)."""
    assert action.edit is not None
    if action.edit.document_changes:
        (change,) = action.edit.document_changes
        assert isinstance(change, types.TextDocumentEdit)
        return change.text_document.version
    assert action.edit.changes is not None and uri in action.edit.changes
    return None


async def test_code_actions_during_a_re_review(client: LanguageClient, repo: Path, tmp_path: Path):
    hold = Hold(tmp_path / "hold")
    (repo / "app.py").write_text(hold.marker + BASE)
    git(repo, "commit", "-qam", "marker")
    edited = hold.marker + EDITED
    uri = open_doc(client, repo / "app.py", edited)
    diag = by_rule(await diagnostics_at(client, uri, 1))["py.none-comparison"]

    # A settings push re-reviews every open document; the menu asked for meanwhile is complete.
    hold.arm()
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"tactful": {"lsp": {"debounceMs": 0}}})
    )
    await hold.held()
    try:
        actions = await asyncio.wait_for(ask(client, uri, diag), TIMEOUT)
    finally:
        await hold.release()
    titles = [a.title for a in actions]
    assert titles[0].startswith("Apply fix") and "Not helpful…" in titles, titles
    assert fixed_version(actions[0], uri) in (1, None)

    # An edit whose review is still running: the menu waits for that version's findings.
    hold.arm()
    replace_all(client, uri, 2, edited.replace("return False", "return False  # edited"))
    await hold.held()
    asked = ask(client, uri, diag)
    await hold.release()
    actions = await asyncio.wait_for(asked, TIMEOUT)
    titles = [a.title for a in actions]
    assert titles[0].startswith("Apply fix") and "Not helpful…" in titles, titles
    assert fixed_version(actions[0], uri) in (2, None)
    assert set(by_rule(await diagnostics_at(client, uri, 2))) == {
        "py.none-comparison",
        "py.bare-except",
    }


def status_client() -> LanguageClient:
    """A client that asks for ``tactful/status`` and keeps it, every push and every refresh."""
    client = LanguageClient()
    client.inbox = []  # type: ignore[attr-defined]
    client.arrived = asyncio.Event()  # type: ignore[attr-defined]

    def keep(method: str) -> Any:
        def handler(ls: LanguageClient, params: Any) -> None:
            ls.inbox.append((method, params))  # type: ignore[attr-defined]
            ls.arrived.set()  # type: ignore[attr-defined]

        return handler

    for method in (
        "tactful/status",
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        types.WORKSPACE_DIAGNOSTIC_REFRESH,
    ):
        client.feature(method)(keep(method))
    return client


@pytest_lsp.fixture(
    params=["visual_studio_code", "pull_with_refresh"],
    config=ClientServerConfig(
        server_command=[sys.executable, "-m", "tactful.server", "lsp"],
        client_factory=status_client,
        server_env=SERVER_ENV,
    ),
)
async def watched(request: pytest.FixtureRequest, lsp_client: LanguageClient, repo: Path):
    capabilities = capabilities_of(request.param)
    capabilities.experimental = {"tactfulStatus": True}
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=from_fs_path(str(repo)),
            workspace_folders=[
                types.WorkspaceFolder(uri=from_fs_path(str(repo)) or "", name="repo")
            ],
            initialization_options={"lsp": {"debounceMs": 0}, "gate": {"enabled": False}},
        )
    )
    yield
    await lsp_client.shutdown_session()


async def test_a_save_that_changes_nothing_tells_the_client_nothing(
    watched: LanguageClient, repo: Path
):
    client = watched
    uri = open_doc(client, repo / "app.py", EDITED)
    diags = await diagnostics_at(client, uri, 1)
    await wait_inbox(client, lambda m, p: m == "tactful/status" and p.final)
    before = list(client.inbox)  # type: ignore[attr-defined]
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    # The save's review ends with a final status (its offline instalment comes first).
    statuses = sum(1 for m, _ in before if m == "tactful/status")

    def after_save(method: str, params: Any) -> bool:
        inbox = client.inbox  # type: ignore[attr-defined]
        count = sum(1 for m, _ in inbox if m == "tactful/status")
        return method == "tactful/status" and params.final and count > statuses

    await wait_inbox(client, after_save)
    told = [m for m, _ in client.inbox[len(before) :] if m != "tactful/status"]  # type: ignore[attr-defined]
    assert told == []
    assert await diagnostics_at(client, uri, 1) == diags  # same result id: uri@1
