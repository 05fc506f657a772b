"""Thin LSP handlers: each method is wired once and hands over to its capability's feature object.

This module (and ``create_server``) is the only one that knows both the server class and the
capabilities; the capabilities see the server through :class:`tactful.server.lsp.host.Host`.
"""

from __future__ import annotations

import logging
from typing import Any

from lsprotocol import types
from tactful.server.lsp import code_actions, commands, diagnostics, logs
from tactful.server.lsp.feedback import FeedbackRecorder, client_id
from tactful.server.lsp.server import TactfulServer

log = logging.getLogger(__name__)

INSPECT = "tactful/inspect"
"""A request (no params) answered with counts of what the server holds (bench/soak.py, tests)."""


def create_server(recorder: FeedbackRecorder | None = None) -> TactfulServer:
    """A server with every capability wired."""
    server = TactfulServer(recorder)
    register(server)
    return server


def register(server: TactfulServer) -> None:
    """Wire every capability of ``server``: each LSP method once, to its feature object."""
    pulled = diagnostics.Diagnostics(server)
    actions = code_actions.CodeActions(server)
    executed = commands.Commands(server)

    @server.feature(types.INITIALIZE)
    def on_initialize(ls: TactfulServer, params: types.InitializeParams) -> None:
        info = params.client_info
        ls.client = client_id(info.name if info else "")
        ls.apply_settings(params.initialization_options, initial=True)
        logs.attach_client(ls)

    @server.feature(types.INITIALIZED)
    def on_initialized(ls: TactfulServer, params: types.InitializedParams) -> None:
        log.info(
            "tactful %s ready (client %s, %s diagnostics)",
            ls.version,
            ls.client or "?",
            "pull" if ls.pull_mode else "push",
        )

    @server.feature(types.SHUTDOWN)
    async def on_shutdown(ls: TactfulServer, params: None) -> None:
        await (
            ls.sessions.aclose()
        )  # saves the gate, flushes the feedback log, closes the LLM client

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(ls: TactfulServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.open_document(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def on_change(ls: TactfulServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def on_save(ls: TactfulServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.resolver.forget_revisions()  # a save often precedes a commit: HEAD may move
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def on_close(ls: TactfulServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.close_document(params.text_document.uri)

    @server.feature(
        types.TEXT_DOCUMENT_DIAGNOSTIC,
        types.DiagnosticOptions(
            identifier="tactful", inter_file_dependencies=False, workspace_diagnostics=False
        ),
    )
    async def on_diagnostic(
        ls: TactfulServer, params: types.DocumentDiagnosticParams
    ) -> types.DocumentDiagnosticReport:
        return await pulled.pull(params)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix]),
    )
    async def on_code_action(
        ls: TactfulServer, params: types.CodeActionParams
    ) -> list[types.CodeAction]:
        return await actions.actions(params)

    @server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_configuration(
        ls: TactfulServer, params: types.DidChangeConfigurationParams
    ) -> None:
        data: Any = params.settings
        if not _has_settings(data) and _can_pull_configuration(ls):
            try:
                pulled = await ls.workspace_configuration_async(
                    types.ConfigurationParams(items=[types.ConfigurationItem(section="tactful")])
                )
                data = pulled[0] if pulled else None
            except Exception as exc:
                log.warning("could not read the client's tactful settings: %s", exc)
        ls.apply_settings(data)
        ls.review_all_again()

    @server.feature(INSPECT)
    def on_inspect(ls: TactfulServer, params: Any) -> dict[str, int]:
        return ls.inspect()

    # pygls marks the handler functions it registers, which a bound method cannot carry.
    @server.command(code_actions.APPLIED)
    def on_applied(*args: Any) -> dict[str, Any]:
        return executed.applied(*args)

    @server.command(code_actions.DISMISS)
    def on_dismiss(*args: Any) -> dict[str, Any]:
        return executed.dismiss(*args)

    @server.command(code_actions.REJECT)
    async def on_reject(*args: Any) -> dict[str, Any]:
        return await executed.reject(*args)

    @server.command(commands.REVIEW_WORKSPACE)
    async def on_review_workspace(*args: Any) -> dict[str, Any]:
        return await executed.review_workspace(*args)

    @server.command(commands.SHOW_HIDDEN)
    async def on_show_hidden(*args: Any) -> list[dict[str, Any]]:
        return await executed.show_hidden(*args)


def _has_settings(data: Any) -> bool:
    return isinstance(data, dict) and bool(data)


def _can_pull_configuration(ls: TactfulServer) -> bool:
    ws = ls.client_capabilities.workspace
    return bool(ws and ws.configuration)
