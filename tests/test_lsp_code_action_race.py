"""Code actions asked for while the document is being reviewed again.

A quick-fix menu opened during a re-review (a settings push from the client, a save, an edit
not yet reviewed) must still offer the actions of the document's current version: from the
last report of that version when there is one, otherwise once the running review of that
version delivers. The server runs ``tests/faulty_lsp.py``, whose ``test.hold`` rule stops a
review half-way until the test lets it go, so the order is certain (no sleeps): the request
arrives while the review is held.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from lsprotocol import types
from pytest_lsp import LanguageClient
from test_lsp import (
    BASE,
    EDITED,
    TIMEOUT,
    by_rule,
    client,
    diagnostics_at,
    git,
    open_doc,
    replace_all,
    repo,
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
