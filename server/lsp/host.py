"""What the editor's capabilities need from the server: the :class:`Host` protocol.

The capability modules (``diagnostics``, ``code_actions``, ``commands``, ``logs``) are typed
against this protocol, not against :class:`tactful.server.lsp.server.TactfulServer`, so
``server/lsp/`` imports in one direction only: the server and the handlers know the
capabilities, the capabilities know this protocol and the per-document state.
"""

from __future__ import annotations

from collections.abc import Awaitable
from pathlib import Path
from typing import Any, Protocol

from lsprotocol import types
from tactful.analyzers.model import Finding
from tactful.server.lsp.documents import BaseResolver
from tactful.server.lsp.state import DocReport, DocState
from tactful.server.session import SessionPool
from tactful.server.settings import Settings


class Host(Protocol):
    """The editor session as its capabilities see it (implemented by ``TactfulServer``)."""

    settings: Settings
    docs: dict[str, DocState]
    resolver: BaseResolver
    sessions: SessionPool

    @property
    def client_capabilities(self) -> types.ClientCapabilities: ...

    @property
    def work_done_progress(self) -> Any: ...

    @property
    def pull_mode(self) -> bool: ...

    @property
    def position_encoding(self) -> str: ...

    @property
    def versioned_edits(self) -> bool: ...

    def request_refresh(self) -> None: ...

    def send_status(self, params: dict[str, Any]) -> None: ...

    def workspace_roots(self) -> list[Path]: ...

    def gate_active(self) -> bool: ...

    def current_version(self, uri: str) -> int | None: ...

    def record(
        self, kind: str, finding: Finding, *, reason: str = "", extra: dict[str, Any] | None = None
    ) -> bool: ...

    def feedback_problem(self) -> str: ...

    def wait_for_report(self, uri: str, *, final: bool = False) -> Awaitable[DocReport | None]: ...

    def text_document_publish_diagnostics(self, params: types.PublishDiagnosticsParams) -> None: ...

    def window_log_message(self, params: types.LogMessageParams) -> None: ...

    def window_show_message_request_async(
        self, params: types.ShowMessageRequestParams
    ) -> Awaitable[Any]: ...
