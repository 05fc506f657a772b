"""End to end: the real ``tactful lsp`` driven by pytest-lsp as VS Code and as Neovim.

VS Code 1.65's capabilities make the server push diagnostics. Neovim 0.11 pulls but cannot be
asked to pull again, so it is offered pushes too (and uses UTF-8 positions and plain
``changes`` edits); a pull client that supports ``workspace/diagnostic/refresh`` (Neovim's
capabilities plus that) gets pulls. Every test runs with all three.
Nothing waits by sleeping: tests wait for the notification or the pull answer they need.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, Optional, Union

import attrs
import pytest
import pytest_lsp
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.uris import from_fs_path
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features
from pytest_lsp.protocol import LanguageClientProtocol
from support import GIT_ENV
from tactful.server.feedback import FeedbackStore
from tactful.server.lsp.protocol import pulls as server_pulls

FAULTY_RULE = "test.always-crashes"
FAULTY_SERVER = Path(__file__).with_name("faulty_lsp.py")
# Data and caches go to this session's folder (tests/conftest.py sets TACTFUL_*_DIR).
SERVER_ENV = {**os.environ, **GIT_ENV, "TACTFUL_TEST_FAULTY_RULE": FAULTY_RULE}
SERVER_ENV.pop("OPENAI_BASE_URL", None)
SERVER_ENV.pop("OPENAI_API_KEY", None)

BASE = "def check(value):\n    return value is None\n\n\ndef load(path):\n    with open(path) as handle:\n        return handle.read()\n"
EDITED = (
    "def check(value):\n    if value == None:\n        return True\n    return False\n\n\n"
    'def load(path):\n    try:\n        with open(path) as handle:\n            return handle.read()\n    except:\n        return ""\n'
)
CLIENTS = {
    "visual_studio_code": "Visual Studio Code",
    "neovim": "Neovim",
    "pull_with_refresh": "Neovim",
}


def capabilities_of(name: str) -> types.ClientCapabilities:
    """pytest-lsp's recorded capabilities; ``pull_with_refresh`` is Neovim's plus refresh support."""
    if name != "pull_with_refresh":
        return client_capabilities(name)
    caps = client_capabilities("neovim")
    assert caps.workspace is not None
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


TIMEOUT = 15


class CodeActionProtocol(LanguageClientProtocol):
    """lsprotocol's client-side hook reads every code action that has a ``command`` as a bare
    ``Command`` (dropping its edit); VS Code and Neovim tell them apart. tactful only ever
    answers with ``CodeAction`` objects, so read them as such."""

    def get_result_type(self, method: str) -> Any:
        if method == types.TEXT_DOCUMENT_CODE_ACTION:
            return CodeActionsResponse
        return super().get_result_type(method)


@attrs.define
class CodeActionsResponse:
    id: Union[int, str]  # noqa: UP007 (cattrs resolves these at run time)
    result: Optional[list[types.CodeAction]] = attrs.field(default=None)  # noqa: UP045
    jsonrpc: str = attrs.field(default="2.0")


def make_client() -> LanguageClient:
    """pytest-lsp's client, also keeping every publishDiagnostics/showMessage/$/progress in order."""
    client = LanguageClient(protocol_cls=CodeActionProtocol)
    client.inbox = []  # type: ignore[attr-defined]
    client.arrived = asyncio.Event()  # type: ignore[attr-defined]

    def capture(method: str, default: Any) -> Any:
        def handler(ls: LanguageClient, params: Any) -> Any:
            result = default(ls, params)
            ls.inbox.append((method, params))  # type: ignore[attr-defined]
            ls.arrived.set()  # type: ignore[attr-defined]
            return result

        return handler

    features = dict(DEFAULT_CLIENT_FEATURES)
    for method in (
        types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS,
        types.WINDOW_SHOW_MESSAGE,
        types.WINDOW_LOG_MESSAGE,
        types.PROGRESS,
    ):
        features[method] = capture(method, DEFAULT_CLIENT_FEATURES[method])
    register_lsp_features(client, features)
    return client


async def wait_inbox(client: LanguageClient, predicate: Any) -> Any:
    """The first captured notification ``predicate(method, params)`` accepts, waiting for it."""

    async def scan() -> Any:
        seen = 0
        while True:
            inbox = client.inbox  # type: ignore[attr-defined]
            for method, params in inbox[seen:]:
                if predicate(method, params):
                    return params
            seen = len(inbox)
            client.arrived.clear()  # type: ignore[attr-defined]
            await client.arrived.wait()  # type: ignore[attr-defined]

    return await asyncio.wait_for(scan(), TIMEOUT)


def pulls(client: LanguageClient) -> bool:
    """Whether the server offered this client pulls (only to one it can ask to pull again)."""
    return client.capabilities is not None and server_pulls(client.capabilities)


async def diagnostics_at(client: LanguageClient, uri: str, version: int) -> list[types.Diagnostic]:
    """tactful's diagnostics for ``uri`` at ``version``: pulled, or the matching push."""
    if pulls(client):
        report = await asyncio.wait_for(
            client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            ),
            TIMEOUT,
        )
        assert report.result_id == f"{uri}@{version}"
        return list(report.items)
    params = await wait_inbox(
        client,
        lambda m, p: (
            m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS and p.uri == uri and p.version == version
        ),
    )
    return list(params.diagnostics)


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", *args], cwd=root, env={**os.environ, **GIT_ENV}, check=True, capture_output=True
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "app.py").write_text(BASE)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


@pytest_lsp.fixture(
    params=list(CLIENTS),
    config=ClientServerConfig(
        server_command=[sys.executable, str(FAULTY_SERVER)],
        client_factory=make_client,
        server_env=SERVER_ENV,
    ),
)
async def client(
    request: pytest.FixtureRequest, lsp_client: LanguageClient, repo: Path, tmp_path: Path
):
    # The display gate is off here (these tests are about the editor plumbing; see test_gate_in_the_editor).
    options = {
        "lsp": {"debounceMs": 0},
        "gate": {"enabled": False},
        "feedback": {"dbPath": str(tmp_path / "feedback.sqlite3")},
    }
    lsp_client.editor = CLIENTS[request.param]  # type: ignore[attr-defined]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities_of(request.param),
            client_info=types.ClientInfo(name=CLIENTS[request.param]),
            root_uri=from_fs_path(str(repo)),
            workspace_folders=[
                types.WorkspaceFolder(uri=from_fs_path(str(repo)) or "", name="repo")
            ],
            initialization_options=options,
        )
    )
    yield
    await lsp_client.shutdown_session()


def open_doc(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    uri = from_fs_path(str(path)) or ""
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )
    return uri


def replace_all(client: LanguageClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def events(tmp_path: Path, kind: str | None = None) -> list[Any]:
    with FeedbackStore.open(tmp_path / "feedback.sqlite3") as store:
        return store.events(kinds=[kind] if kind else None)


def by_rule(diags: list[types.Diagnostic]) -> dict[str, types.Diagnostic]:
    return {str(d.code): d for d in diags}


async def test_open_shows_findings_on_changed_lines(
    client: LanguageClient, repo: Path, tmp_path: Path
):
    uri = open_doc(client, repo / "app.py", EDITED)
    diags = by_rule(await diagnostics_at(client, uri, 1))
    assert set(diags) == {"py.none-comparison", "py.bare-except"}
    none_cmp = diags["py.none-comparison"]
    assert none_cmp.source == "tactful"
    assert none_cmp.range.start == types.Position(line=1, character=7)
    assert set(none_cmp.data) == {"fingerprint", "suggestionId"}
    assert {e.kind for e in events(tmp_path)} == {"shown"}
    if pulls(client):  # asking again with the same result id: nothing changed
        again = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(
                text_document=types.TextDocumentIdentifier(uri=uri), previous_result_id=f"{uri}@1"
            )
        )
        assert isinstance(again, types.RelatedUnchangedDocumentDiagnosticReport)


async def test_unchanged_buffer_and_edits_between(client: LanguageClient, repo: Path):
    uri = open_doc(client, repo / "app.py", BASE)
    assert await diagnostics_at(client, uri, 1) == []
    # Three quick edits: only the last version's review may be reported for it.
    replace_all(client, uri, 2, BASE + "\n\ndef a(x):\n    return x == None\n")
    replace_all(client, uri, 3, BASE)
    replace_all(client, uri, 4, EDITED)
    assert set(by_rule(await diagnostics_at(client, uri, 4))) == {
        "py.none-comparison",
        "py.bare-except",
    }


async def test_apply_fix_records_acceptance(client: LanguageClient, repo: Path, tmp_path: Path):
    uri = open_doc(client, repo / "app.py", EDITED)
    diag = by_rule(await diagnostics_at(client, uri, 1))["py.none-comparison"]
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    titles = [a.title for a in actions]
    assert (
        titles[0].startswith("Apply fix")
        and "Dismiss (py.none-comparison)" in titles
        and "Not helpful…" in titles
    )
    fix = actions[0]
    edit = fix.edit
    if edit.document_changes:  # VS Code: guarded by the version the fix was computed for
        (doc_edit,) = edit.document_changes
        assert doc_edit.text_document.version == 1
        edits = doc_edit.edits
    else:  # Neovim 0.11 has no documentChanges: plain changes, offered only for the current version
        edits = edit.changes[uri]
    (text_edit,) = edits
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=text_edit.range, text=text_edit.new_text
                )
            ],
        )
    )
    await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command=fix.command.command, arguments=fix.command.arguments)
    )
    assert set(by_rule(await diagnostics_at(client, uri, 2))) == {"py.bare-except"}
    accepted = events(tmp_path, "accepted")
    assert [e.rule for e in accepted] == ["py.none-comparison"]
    assert accepted[0].client == {"Visual Studio Code": "vscode", "Neovim": "nvim"}[client.editor]  # type: ignore[attr-defined]
    # Once the buffer moves on, the old fix is no longer offered.
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diag.range,
            context=types.CodeActionContext(diagnostics=[diag]),
        )
    )
    assert not any(a.title.startswith("Apply fix") for a in actions)


async def test_dismiss_and_reject(client: LanguageClient, repo: Path, tmp_path: Path):
    uri = open_doc(client, repo / "app.py", EDITED)
    diags = by_rule(await diagnostics_at(client, uri, 1))
    for rule, command, extra in (
        ("py.none-comparison", "tactful.dismiss", {}),
        ("py.bare-except", "tactful.reject", {"reason": "intended"}),
    ):
        args = {"uri": uri, **diags[rule].data, "version": 1, **extra}
        await client.workspace_execute_command_async(
            types.ExecuteCommandParams(command=command, arguments=[args])
        )
    if pulls(client):
        report = await client.text_document_diagnostic_async(
            types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        assert list(report.items) == [] and report.result_id == f"{uri}@1.2"
    else:
        await wait_inbox(
            client,
            lambda m, p: (
                m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS
                and p.uri == uri
                and len(p.diagnostics) == 0
            ),
        )
    assert [(e.rule, e.reason) for e in events(tmp_path, "dismissed")] == [
        ("py.none-comparison", "")
    ]
    assert [(e.rule, e.reason) for e in events(tmp_path, "rejected")] == [
        ("py.bare-except", "intended")
    ]
    # Dismissed suggestions stay hidden after further edits this session.
    replace_all(client, uri, 2, EDITED.replace("return False", "return False  # edited"))
    assert await diagnostics_at(client, uri, 2) == []


async def test_implicit_signals(client: LanguageClient, repo: Path, tmp_path: Path):
    uri = open_doc(client, repo / "app.py", EDITED)
    await diagnostics_at(client, uri, 1)
    # The developer rewrites the flagged comparison themselves: resolved by their own edit.
    fixed_by_hand = EDITED.replace("if value == None:", "if not value:")
    replace_all(client, uri, 2, fixed_by_hand)
    assert set(by_rule(await diagnostics_at(client, uri, 2))) == {"py.bare-except"}
    assert [e.rule for e in events(tmp_path, "resolved_by_edit")] == ["py.none-comparison"]
    # They commit without touching the bare except: it leaves the diff with its code intact.
    (repo / "app.py").write_text(fixed_by_hand)
    git(repo, "commit", "-qam", "as is")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    replace_all(client, uri, 3, fixed_by_hand)
    assert await diagnostics_at(client, uri, 3) == []
    assert [e.rule for e in events(tmp_path, "ignored")] == ["py.bare-except"]


async def test_configuration_change_and_invalid_settings(client: LanguageClient, repo: Path):
    uri = open_doc(client, repo / "app.py", EDITED)
    await diagnostics_at(client, uri, 1)
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={
                "tactful": {
                    "review": {"disabledRules": ["py.bare-except"]},
                    "lsp": {"debounceMs": 0, "severityMap": {"info": "hint"}},
                }
            }
        )
    )
    if pulls(
        client
    ):  # the settings change made the old report stale: this pull waits for the new one
        report = await asyncio.wait_for(
            client.text_document_diagnostic_async(
                types.DocumentDiagnosticParams(text_document=types.TextDocumentIdentifier(uri=uri))
            ),
            TIMEOUT,
        )
        diags = report.items
    else:
        params = await wait_inbox(
            client,
            lambda m, p: m == types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS and len(p.diagnostics) == 1,
        )
        diags = params.diagnostics
    assert [d.code for d in diags] == ["py.none-comparison"]
    assert diags[0].severity == types.DiagnosticSeverity.Hint
    # An invalid value: one message naming it, defaults kept, reviews go on.
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"tactful": {"lsp": {"debounceMs": "soon"}, "review": {"nope": 1}}}
        )
    )
    message = await wait_inbox(client, lambda m, p: m == types.WINDOW_SHOW_MESSAGE)
    assert "debounce" in message.message.lower() and "nope" in message.message
    assert sum(1 for m, _ in client.inbox if m == types.WINDOW_SHOW_MESSAGE) == 1  # type: ignore[attr-defined]
    replace_all(client, uri, 2, EDITED.replace("return False", "return False  # edited"))
    assert set(by_rule(await diagnostics_at(client, uri, 2))) == {
        "py.none-comparison",
        "py.bare-except",
    }


async def test_cancel_workspace_review(client: LanguageClient, repo: Path):
    for i in range(150):
        (repo / f"mod{i:03}.py").write_text(f"def f{i}(x):\n    return x == None\n")
    git(repo, "add", "-A")  # staged, so the working-tree diff sees them
    request = asyncio.ensure_future(
        client.workspace_execute_command_async(
            types.ExecuteCommandParams(command="tactful.reviewWorkspace")
        )
    )
    report = await wait_inbox(
        client, lambda m, p: m == types.PROGRESS and p.value.get("kind") == "report"
    )
    token = report.token
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    result = await asyncio.wait_for(request, TIMEOUT)
    assert result["cancelled"] is True
    assert 0 < result["reviewed"] < result["files"] == 150
    end = client.progress_reports[token][-1]
    assert isinstance(end, types.WorkDoneProgressEnd) and end.message == "cancelled"
    # Not cancelled: the whole branch is reviewed.
    result = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="tactful.reviewWorkspace")
    )
    assert result["reviewed"] == 150 and {f["rule"] for f in result["findings"]} == {
        "py.none-comparison"
    }


async def test_malformed_requests_get_clear_errors(client: LanguageClient, repo: Path):
    for arguments in (
        [],
        ["garbage"],
        [{"uri": 3}],
        [{"uri": "file:///nowhere.py", "fingerprint": "x"}],
    ):
        with pytest.raises(JsonRpcException) as err:
            await client.workspace_execute_command_async(
                types.ExecuteCommandParams(command="tactful.dismiss", arguments=arguments)
            )
        assert "tactful.dismiss" in str(err.value)
    actions = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri="file:///not/open.py"),
            range=types.Range(
                start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
            ),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    assert actions == []
    uri = open_doc(client, repo / "app.py", EDITED)  # the server still serves
    assert len(await diagnostics_at(client, uri, 1)) == 2


async def test_crashing_analyzer_does_not_silence_the_others(client: LanguageClient, repo: Path):
    """The server runs with a test-only rule that raises (tests/faulty_lsp.py)."""
    uri = open_doc(client, repo / "app.py", EDITED)
    assert set(by_rule(await diagnostics_at(client, uri, 1))) == {
        "py.none-comparison",
        "py.bare-except",
    }
    log = await wait_inbox(
        client, lambda m, p: m == types.WINDOW_LOG_MESSAGE and FAULTY_RULE in p.message
    )
    assert "crashed on app.py" in log.message


async def test_untracked_new_and_outside_files(client: LanguageClient, repo: Path, tmp_path: Path):
    # An untracked file is new: every line counts as added.
    new_uri = open_doc(client, repo / "pkg" / "new.py", "def f(x):\n    return x == None\n")
    assert [d.code for d in await diagnostics_at(client, new_uri, 1)] == ["py.none-comparison"]
    # Outside any repository the base is the text at open: only this session's edits count.
    outside = tmp_path / "loose" / "script.py"
    outside.parent.mkdir()
    start = "def g(x):\n    return x == None\n"
    out_uri = open_doc(client, outside, start)
    assert await diagnostics_at(client, out_uri, 1) == []
    replace_all(client, out_uri, 2, start + "\n\ndef h(y):\n    return y == None\n")
    (diag,) = await diagnostics_at(client, out_uri, 2)
    assert diag.range.start.line == 5


async def test_ignored_file_is_left_alone_like_the_cli_does(client: LanguageClient, repo: Path):
    # `tactful review` never takes in a file git ignores; the editor does not review one either.
    (repo / ".gitignore").write_text("scratch/\n")
    ignored_uri = open_doc(client, repo / "scratch" / "try.py", "def f(x):\n    return x == None\n")
    assert await diagnostics_at(client, ignored_uri, 1) == []
    kept_uri = open_doc(client, repo / "kept.py", "def f(x):\n    return x == None\n")
    assert [d.code for d in await diagnostics_at(client, kept_uri, 1)] == ["py.none-comparison"]


async def test_show_hidden_and_log_messages(client: LanguageClient, repo: Path):
    uri = open_doc(client, repo / "app.py", EDITED)
    await diagnostics_at(client, uri, 1)
    hidden = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="tactful.showHidden", arguments=[{"uri": uri}])
    )
    assert [(h["uri"], h["version"], h["final"], h["diagnostics"]) for h in hidden] == [
        (uri, 1, True, [])
    ]
    ready = await wait_inbox(
        client, lambda m, p: m == types.WINDOW_LOG_MESSAGE and "ready" in p.message
    )
    assert "tactful" in ready.message


async def test_gate_in_the_editor(client: LanguageClient, repo: Path, tmp_path: Path):
    """With the gate on, every finding is either shown or retrievable as hidden, and the gate logs it."""
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"tactful": {"gate": {"enabled": True}}})
    )
    uri = open_doc(client, repo / "app.py", EDITED)
    shown = {str(d.code) for d in await diagnostics_at(client, uri, 1)}
    (hidden,) = await client.workspace_execute_command_async(
        types.ExecuteCommandParams(command="tactful.showHidden", arguments=[{"uri": uri}])
    )
    hidden_rules = {d["code"] for d in hidden["diagnostics"]}
    assert (
        shown | hidden_rules == {"py.none-comparison", "py.bare-except"}
        and not shown & hidden_rules
    )
    logged = {(e.kind, e.rule) for e in events(tmp_path)}
    assert logged == {("shown", r) for r in shown} | {("hidden", r) for r in hidden_rules}
